"""Addresses as inclusive integer ranges ``(low, high)``: merged, subtracted, and written as
the fewest CIDRs, as reach's rows and exposure's findings name the addresses they hold."""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, summarize_address_range

__all__ = ["merged", "minus", "range_cidrs", "covering_cidrs", "part_words", "listed"]


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


def range_cidrs(ranges, family: int = 4) -> list[str]:
    """The fewest CIDRs that write the ranges, in address order."""
    return list(_range_cidrs(tuple(ranges), family))


@lru_cache(maxsize=4096)
def _range_cidrs(ranges: tuple, family: int) -> tuple[str, ...]:
    # Memoized: exposure words the same parts of the internet for many targets.
    cls = IPv4Address if family == 4 else IPv6Address
    return tuple(str(n) for low, high in merged(ranges) for n in summarize_address_range(cls(low), cls(high)))


def covering_cidrs(part, excluded, family: int = 4) -> list[str]:
    """The fewest CIDRs that hold every address of ``part`` and none of ``excluded``, in address
    order; an address of neither may fall inside one (it belongs to no one the answer is about:
    the internet's 0.0.0.0/4 holds no private address). Top-down on the prefix tree, so each
    CIDR is the largest that fits, then narrowed to the smallest holding the same addresses
    of ``part`` (a gap is crossed, never reached into): linear in the ranges times the width.

    >>> covering_cidrs([(0, 3), (6, 7)], [(8, 8)], family=4)[:1]
    ['0.0.0.0/29']
    >>> covering_cidrs([(4, 5)], [(64, 64)], family=4)
    ['0.0.0.4/31']
    """
    part, excluded = merged(part), merged(excluded)
    cls, width = (IPv4Address, 32) if family == 4 else (IPv6Address, 128)
    p_lows, x_lows = [r[0] for r in part], [r[0] for r in excluded]

    def meets(ranges, lows, low, high) -> bool:
        i = bisect_right(lows, high) - 1
        return i >= 0 and ranges[i][1] >= low

    out: list[str] = []
    stack = [(0, width)]
    while stack:
        low, bits = stack.pop()
        high = low + (1 << bits) - 1
        if not meets(part, p_lows, low, high):
            continue
        if not meets(excluded, x_lows, low, high):
            out.append(_tightest(part, p_lows, low, high, width, cls))
            continue
        half = 1 << (bits - 1)
        stack += [(low + half, bits - 1), (low, bits - 1)]
    return out


def _tightest(part, lows, low: int, high: int, width: int, cls) -> str:
    """The smallest CIDR holding every address of ``part`` in ``low``..``high`` (a CIDR): a
    cover reaches no further into the gaps than the part does (64:ff9b::/96, not ::/3)."""
    i = max(bisect_right(lows, low) - 1, 0)
    first = max(part[i][0], low) if part[i][1] >= low else part[i + 1][0]
    j = bisect_right(lows, high) - 1
    last = min(part[j][1], high)
    bits = (first ^ last).bit_length()
    return f"{cls(first >> bits << bits)}/{width - bits}"


def part_words(part, whole, family: int = 4, limit: int = 4, *, cover: bool = True) -> str:
    """The addresses ``part`` holds of ``whole`` in the fewest CIDRs: listed, or as "all but"
    the rest of ``whole`` when that is shorter (``all but 64:ff9b::/96``). ``cover``: the
    CIDRs may hold addresses outside ``whole`` (`covering_cidrs`: right for a range such as
    the internet, whose gaps are no one's), else exactly the addresses (an LB's nodes)."""
    rest = minus(whole, part)
    if cover:
        inside, outside = covering_cidrs(part, rest, family), covering_cidrs(rest, part, family)
    else:
        inside, outside = range_cidrs(part, family), range_cidrs(rest, family)
    if outside and len(outside) < len(inside):
        return "all but " + listed(outside, limit)
    return listed(inside, limit)


def listed(cidrs: list[str], limit: int = 4) -> str:
    """The first ``limit`` CIDRs and how many more: ``a, b, c, d and 3 more``."""
    more = len(cidrs) - limit
    return ", ".join(cidrs[:limit]) + (f" and {more} more" if more > 0 else "")
