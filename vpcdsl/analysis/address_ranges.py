"""IPv4 addresses as inclusive integer ranges ``(low, high)``: merged, subtracted, and written
as the fewest CIDRs, as exposure's findings name the addresses they come from."""

from __future__ import annotations

from ipaddress import IPv4Address, summarize_address_range

__all__ = ["merged", "minus", "range_cidrs", "listed"]


def merged(ranges) -> list[tuple[int, int]]:
    """The ranges sorted, with those that overlap or touch joined.

    >>> merged([(5, 9), (0, 3), (4, 4)])
    [(0, 9)]
    """
    out: list[list[int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], high)
        else:
            out.append([low, high])
    return [tuple(r) for r in out]


def minus(every, part) -> list[tuple[int, int]]:
    """The ranges of ``every`` outside ``part``.

    >>> minus([(0, 9)], [(3, 4), (9, 9)])
    [(0, 2), (5, 8)]
    """
    out, cut = [], merged(part)
    for low, high in merged(every):
        at = low
        for a, b in cut:
            if b < at or a > high:
                continue
            if a > at:
                out.append((at, a - 1))
            at = max(at, b + 1)
        if at <= high:
            out.append((at, high))
    return out


def range_cidrs(ranges) -> list[str]:
    """The fewest CIDRs that write the ranges, in address order."""
    return [str(n) for low, high in merged(ranges)
            for n in summarize_address_range(IPv4Address(low), IPv4Address(high))]


def listed(cidrs: list[str], limit: int = 4) -> str:
    """The first ``limit`` CIDRs and how many more: ``a, b, c, d and 3 more``."""
    more = len(cidrs) - limit
    return ", ".join(cidrs[:limit]) + (f" and {more} more" if more > 0 else "")
