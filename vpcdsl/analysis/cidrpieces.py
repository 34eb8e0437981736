"""A CIDR flow end as pieces: runs of addresses every trace decides alike.

What a trace does with an address depends only on which written blocks hold
it (routes, SG and NACL rules, TGW routes, VPC, subnet and site blocks,
announcements, LB `source-ip` rules), on the blocks the walk itself tells
apart (private, link-local, multicast) and on the single addresses it knows
(each host, the Amazon DNS server, a subnet's probe). Cutting a block at each
of their boundaries leaves pieces inside which every address is treated the
same, so one representative trace per piece decides the whole piece exactly
(as `vpcdsl.analysis.flowsets` does for ports). The addresses AWS reserves in
each subnet (its first four and its last) belong to no host and are left out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from ipaddress import ip_network, summarize_address_range
from typing import Any, Iterator

from ..aws import MULTICAST, NOT_INTERNET
from ..flows.ends import LIMITED_BROADCAST, LINK_LOCAL_SERVICES
from ..syntax import ast

# Blocks the walk classifies an address by (`vpcdsl.flows.trace`: not an internet host,
# multicast); extra cuts only split pieces further, so this list may be wider than the walk's.
SPECIAL_BLOCKS = NOT_INTERNET + MULTICAST

EVERY_ADDRESS = (ip_network("0.0.0.0/0"), ip_network("::/0"))


@dataclass(frozen=True)
class AddressPiece:
    """Addresses ``low``..``high`` of a CIDR end, decided by the trace from ``probe``."""

    low: Any
    high: Any
    probe: Any

    @property
    def words(self) -> str:
        """``203.0.113.128/25``, or ``10.0.1.4-10.0.1.9`` where no one or two blocks say it."""
        nets = list(summarize_address_range(self.low, self.high))
        if len(nets) <= 2:
            return ", ".join(n.with_prefixlen if n.num_addresses > 1 else str(n.network_address)
                             for n in nets)
        return f"{self.low}-{self.high}"


def ipv4_bounds(node) -> list[int]:
    """Where the IPv4 blocks written under ``node`` begin and end (exclusive), as integers."""
    out = []
    for net in written_cidrs(node):
        if net.version == 4:
            out += (int(net.network_address), int(net.broadcast_address) + 1)
    return out


def written_cidrs(node, seen: set[int] | None = None) -> Iterator[Any]:
    """The network of every `ast.Cidr` under ``node`` (a resolved object or a tuple of them),
    each object walked once; ``seen`` (object ids), shared between calls, skips the ones
    an earlier call walked. Iterative, with each class's field names looked up once: the
    model's objects number in the tens of thousands."""
    if seen is None:
        seen = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if type(item) in _LEAVES:
            continue
        if isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
            continue
        names = _FIELDS.get(type(item))
        if names is None:
            if not dataclasses.is_dataclass(item) or isinstance(item, type):
                continue
            names = _FIELDS[type(item)] = tuple(f.name for f in dataclasses.fields(item))
        if id(item) in seen:
            continue
        seen.add(id(item))
        if type(item) is ast.Cidr:
            if item.net is not None:
                yield item.net
            continue
        stack.extend(getattr(item, name) for name in reversed(names))


_LEAVES = frozenset((str, int, float, bool, type(None)))
_FIELDS: dict[type, tuple[str, ...]] = {}


def _cuts(model, version: int) -> tuple[set[int], set[int]]:
    """Where a piece may start, and the reserved addresses to leave out (integers).

    Computed once per model and family (one walk over the model), then shared by every
    CIDR end, so many CIDR expectations cost linear time in all.
    """
    cache = model.__dict__.setdefault("_cidr_cuts", {})
    if version not in cache:
        cache[version] = _compute_cuts(model, version)
    return cache[version]


def _compute_cuts(model, version: int) -> tuple[set[int], set[int]]:
    m, dp = model, model.dataplane
    nets: list[Any] = list(SPECIAL_BLOCKS)
    seen: set[int] = set()
    for group in (m.vpcs.values(), m.tgws.values(), m.sites.values(), m.vpns.values(),
                  m.dxs.values(), m.advertisements):
        nets.extend(written_cidrs(tuple(group), seen))
    singles = [*dp.host_at, *dp.amazon_dns, *LINK_LOCAL_SERVICES, LIMITED_BROADCAST]
    reserved: set[int] = set()
    for subnets in dp.vpc_subnets.values():
        for s in subnets:
            for net in (s.cidr.net, s.ipv6.net if s.ipv6 is not None else None):
                if net is None or net.version != version or net.num_addresses < 8:
                    continue
                first, last = int(net.network_address), int(net.broadcast_address)
                reserved.update((first, first + 1, first + 2, first + 3, last))
                singles.append(net.broadcast_address - 1)       # the subnet's probe (LANGUAGE.md)
    cuts: set[int] = set()
    for net in nets:
        if net.version == version:
            cuts.update((int(net.network_address), int(net.broadcast_address) + 1))
    for a in singles:
        if a.version == version:
            cuts.update((int(a), int(a) + 1))
    cuts.update(reserved)
    cuts.update(r + 1 for r in reserved)
    return cuts, reserved


def cidr_pieces(model, block) -> list[AddressPiece]:
    """The pieces of ``block`` (an `ip_network`), lowest first, reserved addresses left out.

    A piece's probe is its lowest address, or the next one when that is the block's own
    first address (a network address to most readers) and the piece has another.
    """
    cuts, reserved = _cuts(model, block.version)
    low, high = int(block.network_address), int(block.broadcast_address)
    edges = sorted({c for c in cuts if low < c <= high} | {low, high + 1})
    cls = type(block.network_address)
    pieces = []
    for a, b in zip(edges, edges[1:]):
        if a in reserved:          # reserved addresses are cut apart from the rest
            continue
        probe = a + 1 if a == low and b - a > 1 else a
        pieces.append(AddressPiece(cls(a), cls(b - 1), cls(probe)))
    return pieces


def every_address_hint(*ends: ast.FlowEnd) -> str | None:
    """For an end written 0.0.0.0/0 (or ::/0): the hint that `internet` is a public host."""
    for end in ends:
        if end.kind == "cidr" and ip_network(end.text, strict=False) in EVERY_ADDRESS:
            return (f"{end.text} is every address, private ones and the model's own included; "
                    "for a host on the internet write `internet`")
    return None


__all__ = ["AddressPiece", "cidr_pieces", "every_address_hint", "ipv4_bounds", "written_cidrs"]
