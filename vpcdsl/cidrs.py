"""Address arithmetic as small pure functions on `ipaddress` types.

>>> from ipaddress import ip_network
>>> usable_hosts(ip_network("10.0.0.0/28"))
11
>>> prefix_for_hosts(250)
24
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_address
from typing import Iterable, Iterator

from .aws import RESERVED_PER_SUBNET

Network = IPv4Network | IPv6Network


def usable_hosts(net: Network) -> int:
    """Addresses an instance may take: all but the 5 AWS reserves (IPv4)."""
    return max(net.num_addresses - RESERVED_PER_SUBNET, 0)


def reserved_addresses(net: Network) -> tuple:
    """Network, VPC router (+1), DNS (+2), future use (+3) and the last address."""
    first = int(net.network_address)
    cls = type(net.network_address)
    return tuple(cls(first + i) for i in range(4)) + (net.broadcast_address,)


def reserved_reason(net: Network, addr) -> str | None:
    """Why ``addr`` is reserved in subnet ``net``, or None when it is usable."""
    offset = int(addr) - int(net.network_address)
    if offset == 0:
        return "the network address"
    if offset == 1:
        return "reserved for the VPC router"
    if offset == 2:
        return "reserved for the Amazon DNS server"
    if offset == 3:
        return "reserved by AWS for future use"
    if addr == net.broadcast_address:
        return "the last address (VPCs have no broadcast; AWS reserves it)"
    return None


def first_usable(net: Network):
    return type(net.network_address)(int(net.network_address) + 4)


def prefix_for_hosts(hosts: int, family: int = 4) -> int | None:
    """The longest prefix whose subnet has at least ``hosts`` usable addresses."""
    width = 32 if family == 4 else 128
    for prefix in range(width, -1, -1):
        if (1 << (width - prefix)) - RESERVED_PER_SUBNET >= hosts:
            return prefix
    return None


def overlaps(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)


def find_overlaps(nets: Iterable[tuple[Network, object]]) -> Iterator[tuple[object, object]]:
    """Pairs of overlapping (network, tag) items, in O(n log n) plus the pairs found.

    Sorted by start address, a block can only overlap the blocks that start
    before it ends; one sweep with the furthest end seen finds them.
    """
    by_family: dict[int, list] = {}
    for net, tag in nets:
        start = int(net.network_address)  # the end computed by hand: broadcast_address is slow in bulk
        end = start + (1 << (net.max_prefixlen - net.prefixlen)) - 1
        by_family.setdefault(net.version, []).append((start, end, tag))
    for items in by_family.values():
        items.sort(key=lambda t: (t[0], t[1]))
        active: list[tuple[int, object]] = []
        for start, end, tag in items:
            active = [(e, t) for e, t in active if e >= start]
            for _e, other in active:
                yield other, tag
            active.append((end, tag))


def allocate(prefix: int, within: Iterable[Network], taken: list[Network]) -> Network | None:
    """The lowest aligned free block of ``prefix`` in the first of ``within`` that has one."""
    for block in within:
        if prefix < block.prefixlen:
            continue
        step = 1 << (block.max_prefixlen - prefix)
        base = int(block.network_address)
        end = int(block.broadcast_address)
        cls = type(block)
        clashes = sorted((int(t.network_address), int(t.broadcast_address))
                         for t in taken if t.version == block.version and t.overlaps(block))
        candidate = base
        for lo, hi in clashes:
            if candidate + step - 1 < lo:
                break
            if hi >= candidate:
                candidate = ((hi + 1 - base + step - 1) // step) * step + base
        if candidate + step - 1 <= end:
            return cls((candidate, prefix))
    return None


def parse_address(text: str):
    try:
        return ip_address(text)
    except ValueError:
        return None
