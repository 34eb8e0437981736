"""Reachability between every pair of ends: ``matrix(model, level="subnet")``.

Each cell says which requests from one end the other accepts, with the
semantics of `trace` (allowed, intermittent where only part of the client's
ephemeral range returns, blocked), for every packet at once. It is computed
over equivalence classes, not by re-simulating each pair:

* **Packets.** Header space splits into the atomic predicates every NACL and
  security-group rule respects: the protocol/port/ICMP-type classes of
  `vpcdsl.analysis.flowsets`. A cell is two bitmasks over those classes.
* **Pairs.** A trace between two ends reads them only through a few facts
  (`_Facts.key`): each end's security groups, ephemeral range and kind, whether
  they share a subnet or a VPC, the kind of route each one's table picks for the
  other's address (the local route, or which peering), and how each end's own
  NACL and groups see the other's address (`_Facts._sees`: the NACL rules whose
  block holds it, in order, without their numbers or blocks, and which piece of
  the groups' blocks holds it). Pairs with equal facts get equal verdicts, so
  one walk per pair class decides them all, across VPCs built alike. A route to
  a transit gateway that hands the request to the destination's VPC adds the
  facts of its two attachment subnets (`_Facts._through_tgw`). Where the route
  is anything else (a NAT, a VPN, an appliance, a TGW to a site) the facts are
  not enough and the pair is its own class, unless the route drops the request
  on its way out (`_Facts._dropped`): then every class is blocked, without a walk.
* **Walks.** A pair class needs one walk per group of port classes its own
  two NACLs and groups cannot tell apart (`_groups`), not one per class.

`tests/test_matrix.py` holds every cell of the examples, and of models built to
reach each kind of key, to one trace per pair and packet class. Subnet ends are
probes with no security group (LANGUAGE.md §4); instance ends use each
instance's groups; ``level="vpc"`` gathers the subnet matrix by VPC. IPv4 only,
as `vpcdsl.analysis.reach`.

Cost: one pass over the N² ordered pairs computing their keys (each fact cached
per VPC block where no route or rule block cuts it), so quadratic in the ends,
as the answer is; plus the walks, which grow with the pair classes (the distinct
filters and routes), not with the pairs. BENCHMARKS.md has the figures.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import IPv4Address

from ..aws import NOT_INTERNET_V4
from ..flows.flow import FlowError, NotSimulated, Trace
from ..flows.filters import rule_cidrs
from ..packetsets import EMPTY_SET, PacketSet
from ..protocols import protocol_number
from ..syntax import ast
from .flowsets import packet_classes
from .piece_classes import nacl_view
from .reach import class_packets

LEVELS = ("subnet", "instance", "vpc")
NOTES = {
    "subnet": "subnet ends are probes with no security group (LANGUAGE.md §4)",
    "instance": "instance ends use each instance's security groups",
    "vpc": "a VPC's cell gathers its subnets' probes (no security group)",
}


@dataclass(frozen=True)
class Cell:
    """The requests one end accepts from another: bitmasks over `Matrix.classes`."""

    allowed: int
    intermittent: int
    pairs: tuple[int, int] = (1, 1)     # (subnet pairs reaching, subnet pairs) at VPC level


@dataclass(frozen=True)
class Matrix:
    """Every pair of ends of one level and what reaches between them."""

    level: str
    ends: tuple[str, ...]
    classes: tuple[PacketSet, ...]                      # bit i of a mask: classes[i]
    cells: dict = field(repr=False)     # (i, j) -> Cell; absent: nothing reaches; (i, i) only at
                                        # VPC level: a VPC's subnets to each other
    skipped: tuple[tuple[str, str, str], ...] = ()      # (src, dst, why) no trace can answer
    traces: int = 0                                     # how many traces decided it
    pair_classes: int = 0
    model: object = field(default=None, repr=False, compare=False)
    subnets: Matrix | None = field(default=None, repr=False, compare=False)  # at VPC level: whence
    _sets: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def note(self) -> str:
        return NOTES[self.level]

    def cell(self, src: str, dst: str) -> Cell | None:
        return self.cells.get((self._index(src), self._index(dst)))

    def packets(self, mask: int) -> PacketSet:
        """The requests of a mask (the union of its classes), cached."""
        got = self._sets.get(mask)
        if got is None:
            got = self._sets[mask] = PacketSet.union(c for i, c in enumerate(self.classes) if mask >> i & 1)
        return got

    def allowed(self, src: str, dst: str) -> PacketSet:
        c = self.cell(src, dst)
        return self.packets(c.allowed) if c is not None else EMPTY_SET

    def intermittent(self, src: str, dst: str) -> PacketSet:
        c = self.cell(src, dst)
        return self.packets(c.intermittent) if c is not None else EMPTY_SET

    def service(self, mask: int) -> str:
        """A mask in words: ``tcp 443; icmp echo-request``."""
        return "; ".join(dict.fromkeys(r.service for r in self.packets(mask).rows())) if mask else ""

    def witness(self, src: str, dst: str, status: str = "allowed") -> Trace | None:
        """The trace of one request of the cell with ``status`` (None if it has none); at VPC
        level, from a subnet pair that holds it."""
        c = self.cell(src, dst)
        if status == "blocked":
            every = (1 << len(self.classes)) - 1
            mask = every & ~((c.allowed | c.intermittent) if c is not None else 0)
        else:
            mask = 0 if c is None else getattr(c, status)
        if not mask:
            return None
        return witness_trace(self, src, dst, (mask & -mask).bit_length() - 1, status)

    def _index(self, name: str) -> int:
        try:
            return self.ends.index(name)
        except ValueError:
            raise FlowError(f"'{name}' is not a {self.level} of this matrix",
                            f"the {self.level} ends are: {', '.join(self.ends[:6])}") from None

    def to_dict(self) -> dict:
        """The ends, the masks' services once each, and the cells where something reaches."""
        services: dict[int, int] = {}
        cells = []
        for (i, j), c in sorted(self.cells.items()):
            row = {"src": self.ends[i], "dst": self.ends[j]}
            for status in ("allowed", "intermittent"):
                mask = getattr(c, status)
                if mask:
                    row[status] = services.setdefault(mask, len(services))
            if self.level == "vpc":
                row["pairs"] = list(c.pairs)
            cells.append(row)
        return {"version": 1, "level": self.level, "note": self.note, "ends": list(self.ends),
                "services": [self.service(m) for m in services],
                "cells": cells,
                "skipped": [{"src": s, "dst": d, "why": w} for s, d, w in self.skipped]}

    def _repr_pretty_(self, p, cycle):
        from ..views.notebook.rich import matrix_repr_text
        p.text(matrix_repr_text(self))

    def _repr_html_(self) -> str:
        from ..views.notebook.rich import matrix_repr_html
        return matrix_repr_html(self)


# ---------------------------------------------------------------------------- ends

def matrix_ends(model, level: str) -> list:
    """The objects a level ranges over, in source order: subnets with an IPv4 block,
    instances, or VPCs."""
    if level not in LEVELS:
        raise FlowError(f"unknown matrix level '{level}'", "write --level subnet, instance or vpc")
    dp = model.dataplane
    if level == "vpc":
        return [v for v in model.vpcs.values() if dp.vpc_subnets.get(v.name)]
    if level == "subnet":
        return [s for v in model.vpcs.values() for s in dp.vpc_subnets.get(v.name, ())]
    return [o for v in model.vpcs.values() for o in v.of_type(ast.Instance)
            if (h := dp.host(o.name)) is not None and h.address is not None and h.address.version == 4]


# ---------------------------------------------------------------------------- the question

def matrix(model, level: str = "subnet", *, touching=None) -> Matrix:
    """Reachability between every pair of ``level`` ends (see the module docstring). With
    ``touching`` (end names; subnet and instance levels), only the pairs with an end in it
    are decided: the other cells are left out, as if nothing reached (`vpcdsl diff` asks
    only about the ends a change can affect)."""
    if level == "vpc" and touching is not None:
        raise FlowError("matrix(touching=...) takes subnet or instance ends, not VPCs")
    if level == "vpc":
        return _by_vpc(model, matrix(model, "subnet"))
    from ..flows.trace import Tracer
    tracer = Tracer(model)
    objects = matrix_ends(model, level)
    ends = [_End.of(tracer, o) for o in objects]
    classes = packet_classes(model, None)
    sets = tuple(class_packets(model, c) for c in classes)
    decided: dict[tuple, tuple[int, int] | str] = {}
    cells: dict[tuple[int, int], Cell] = {}
    skipped = []
    traces = 0
    facts = _Facts(tracer)
    grouping: dict[tuple, list[list[int]]] = {}
    near = None if touching is None else [k for k, e in enumerate(ends) if e.name in touching]
    for i, s in enumerate(ends):
        for j in (range(len(ends)) if near is None or ends[i].name in touching else near):
            d = ends[j]
            if i == j:
                continue
            key = facts.key(s, d)
            got = decided.get(key)
            if got is None:
                groups = _groups(classes, s, d, grouping, facts.nacls_on_path.get(key, ())) \
                    if key[0] != "pair" else None
                got, n = _decide(tracer, s, d, classes, groups) if key != _DROPPED else ((0, 0), 0)
                decided[key] = got
                traces += n
            if isinstance(got, str):
                skipped.append((s.name, d.name, got))
            elif got[0] or got[1]:
                cells[i, j] = Cell(*got)
    return Matrix(level, tuple(e.name for e in ends), sets, cells, tuple(skipped), traces,
                  len(decided), model)


def _groups(classes, s: _End, d: _End, cache: dict, between=()) -> list[list[int]]:
    """The packet classes that the filters of a pair class's path (the two ends' NACLs and
    groups, and the NACLs ``between`` them: a local or peering path has none, a TGW path its
    attachment subnets') cannot tell apart: TCP or UDP port classes that every one of their
    rules matches alike. A response is matched on the client's port range, not on the
    class's, so it cannot tell them apart either. Other classes stay alone (an ICMP type's
    reply is a type of its own)."""
    key = (id(s.nacl), id(d.nacl), s.local[0], d.local[0], tuple(id(n) for n in between))
    got = cache.get(key)
    if got is None:
        rules = [r for n in (s.nacl, d.nacl, *between) for r in _nacl_rules(n)]
        rules += [r for e in (s, d) for g in e.sgs or () for r in g.rules]
        protos = [(protocol_number(r.protocol.name), r.protocol) for r in rules]
        by: dict[tuple, list[int]] = {}
        for bit, c in enumerate(classes):
            if c.ports is None or not c.probe:
                by[("alone", bit)] = [bit]
                continue
            port, number = int(c.probe), protocol_number(c.protocol)
            by.setdefault((number, tuple(p.ports is None or p.ports.low <= port <= p.ports.high
                                         for n, p in protos if n == number)), []).append(bit)
        got = cache[key] = list(by.values())
    return got


def _decide(tracer, s: _End, d: _End, classes, groups=None) -> tuple[tuple[int, int] | str, int]:
    """The masks of one pair, one trace per group of packet classes (`_groups`; each class
    alone where None), or why the pair cannot be traced."""
    allowed = intermittent = 0
    walks = 0
    for group in groups or [[bit] for bit in range(len(classes))]:
        c = classes[group[0]]
        walks += 1
        try:
            t = tracer.trace(s.name, d.name, c.protocol, c.probe or None)
        except (FlowError, NotSimulated) as exc:
            return str(exc), walks
        mask = sum(1 << bit for bit in group)
        if t.allowed:
            allowed |= mask
        elif t.intermittent:
            intermittent |= mask
    return (allowed, intermittent), walks


def witness_trace(m: Matrix, src: str, dst: str, bit: int, status: str = "allowed") -> Trace:
    """The trace of a request of packet class ``bit`` from ``src`` to ``dst``; at VPC level,
    of the first subnet pair of the two VPCs whose cell gives that class ``status``."""
    from ..flows.trace import Tracer
    from .reach import class_probe
    c = packet_classes(m.model, None)[bit]
    protocol, probe = class_probe(c, m.classes[bit].witness())
    tracer = Tracer(m.model)
    if m.level != "vpc":
        return tracer.trace(src, dst, protocol, probe)
    dp = m.model.dataplane
    pairs = [(a.name, b.name) for a in dp.vpc_subnets[src] for b in dp.vpc_subnets[dst] if a is not b]
    for a, b in pairs:
        if _status_of(m.subnets.cell(a, b), bit) == status:
            return tracer.trace(a, b, protocol, probe)
    return tracer.trace(*pairs[0], protocol, probe)


def _status_of(cell: Cell | None, bit: int) -> str:
    if cell is not None and cell.allowed >> bit & 1:
        return "allowed"
    return "intermittent" if cell is not None and cell.intermittent >> bit & 1 else "blocked"


def _by_vpc(model, sub: Matrix) -> Matrix:
    """The subnet matrix gathered per pair of VPCs: the union of their subnet pairs' masks,
    and how many subnet pairs reach (something allowed or intermittent) of how many."""
    dp = model.dataplane
    vpcs = matrix_ends(model, "vpc")
    vpc_of = {s.name: v.name for v in vpcs for s in dp.vpc_subnets[v.name]}
    index = {v.name: k for k, v in enumerate(vpcs)}
    size = {v.name: len(dp.vpc_subnets[v.name]) for v in vpcs}
    gathered: dict[tuple[int, int], list[int]] = {}
    for (i, j), c in sub.cells.items():
        a, b = index[vpc_of[sub.ends[i]]], index[vpc_of[sub.ends[j]]]
        g = gathered.setdefault((a, b), [0, 0, 0])
        g[0] |= c.allowed
        g[1] |= c.intermittent
        g[2] += 1
    cells = {}
    for (a, b), (allowed, intermittent, reaching) in gathered.items():
        na, nb = size[vpcs[a].name], size[vpcs[b].name]
        cells[a, b] = Cell(allowed, intermittent & ~allowed, (reaching, na * nb - (na if a == b else 0)))
    skipped = tuple((vpc_of[s], vpc_of[d], why) for s, d, why in sub.skipped)
    return Matrix("vpc", tuple(v.name for v in vpcs), sub.classes, cells, tuple(dict.fromkeys(skipped)),
                  sub.traces, sub.pair_classes, model, sub)


# ---------------------------------------------------------------------------- pair classes

_DROPPED = ("dropped",)


@dataclass(frozen=True)
class _End:
    """What a trace reads of one matrix end."""

    name: str
    address: int
    subnet: ast.Subnet
    vpc: str
    nacl: object
    sgs: tuple | None
    ports: tuple | None
    table: object                    # its subnet's RouteLookup (None: no route table)
    local: tuple                     # the end's own filters, for `_atoms` and the key
    block: tuple[int, int]           # the VPC block holding its address (first, last)

    @classmethod
    def of(cls, tracer, obj) -> _End:
        end = tracer.end(obj.name)
        subnet = end.subnet
        nacl = tracer.model.nacl_of.get(subnet.name)
        sgs = end.sgs if isinstance(obj, ast.Instance) else None
        ports = end.ephemeral
        own = (tuple(id(g) for g in sgs or ()), ports, end.kind, end.problem)
        address = int(end.address)
        vpc = tracer.model.vpcs[end.vpc]
        net = next((c.net for c in vpc.cidrs if c.net is not None and end.address in c.net), subnet.cidr.net)
        return cls(obj.name, address, subnet, end.vpc, nacl, sgs, ports, tracer.dp.route_table_of(subnet),
                   own, (int(net.network_address), int(net.broadcast_address)))


class _Facts:
    """The key of a pair: equal keys, equal verdicts (module docstring).

    Every fact about an address is cached per VPC block where no route, NACL or group block
    cuts the VPC block (the fact is then the same for each of its addresses), else per address.
    """

    def __init__(self, tracer):
        self.tracer = tracer
        self._bounds: dict[tuple, list[int]] = {}
        self._cache: dict[tuple, object] = {}
        self._signatures: dict[tuple, int] = {}
        self.nacls_on_path: dict[tuple, tuple] = {}       # key -> NACLs between the ends' own

    def key(self, s: _End, d: _End) -> tuple:
        if s.subnet is d.subnet:
            return ("same", s.local, d.local, self._sees(s, d), self._sees(d, s))
        forward = self._route(s.table, d)
        if self._dropped(forward, d):
            return _DROPPED
        back = self._route(d.table, s)
        there, home = _path(forward), _path(back)
        if there is not None and home is not None:
            return (s.vpc == d.vpc, there, home, s.local, d.local, self._sees(s, d), self._sees(d, s))
        if forward is not None and isinstance(forward.target, ast.TransitGateway):
            got = self._through_tgw(s, d, forward.target, back)
            if got is not None:
                return got
        return ("pair", s.name, d.name)

    def _through_tgw(self, s: _End, d: _End, tgw, back) -> tuple | None:
        """The key of a pair whose request goes to a transit gateway that hands it to the
        destination's VPC: what `vpcdsl.flows.hops.transit_gateway` reads, with the two
        attachment subnets (the sender's AZ's and the one it leaves by) standing for
        themselves only through their NACLs' view of both addresses, their route tables'
        targets for both, and whether they are the ends' own subnets. None where the TGW
        sends it elsewhere (a site, another VPC): the pair is then its own class."""
        dp = self.tracer.dp
        attached = dp.tgw_attachments.get(tgw.name, {})
        table = dp.tgw_routes.get(tgw.name)
        here, where = attached.get(s.vpc), attached.get(d.vpc)
        enter = here.subnet_in(s.subnet.zone) if here is not None else None
        entry = self._route(table, d)
        if enter is None or entry is None or entry.target == "blackhole":
            return _DROPPED                       # refused at the TGW, whatever the class
        if not isinstance(entry.target, ast.Vpc) or entry.target.name != d.vpc or where is None:
            return None
        out = where.subnet_in(enter.zone) or (where.subnets[0] if where.subnets else None)
        if out is None:
            return _DROPPED
        answer = self._route(table, s)
        home = None if answer is None else "blackhole" if answer.target == "blackhole" else \
            "home" if isinstance(answer.target, ast.Vpc) and (
                answer.target.name == s.vpc or dp.vpc_holds(answer.target.name, IPv4Address(s.address))) \
            else ("elsewhere", id(answer.target))
        attachments = tuple((self._target(dp.route_table_of(x), e), self._nacl_signature(
                             self.tracer.model.nacl_of.get(x.name), e)) for x in (enter, out) for e in (s, d))
        key = ("tgw", id(tgw), s.vpc == d.vpc, s.subnet is enter, d.subnet is out, enter is out,
               home, _target_of(back), attachments, s.local, d.local, self._sees(s, d), self._sees(d, s))
        # The attachment subnets' NACLs filter this path too (`_groups`).
        self.nacls_on_path.setdefault(key, tuple(self.tracer.model.nacl_of.get(x.name) for x in (enter, out)))
        return key

    def _target(self, table, other: _End):
        return _target_of(self._route(table, other))

    def _where(self, key: tuple, cuts, other: _End) -> tuple:
        """The cache key of a fact about ``other``'s address under the blocks ``cuts`` names."""
        bounds = self._bounds.get(key)
        if bounds is None:
            bounds = self._bounds[key] = sorted({x for low, high in cuts() for x in (low, high + 1)})
        low, high = other.block
        if bisect_right(bounds, low) == bisect_right(bounds, high):
            return key + ("block", low)
        return key + ("address", other.address)

    def _route(self, table, other: _End):
        if table is None:
            return None
        where = self._where(("route", id(table)), lambda: _route_blocks(table), other)
        got = self._cache.get(where, False)
        if got is False:
            got = self._cache[where] = table.lookup(IPv4Address(other.address))
        return got

    def _dropped(self, entry, other: _End) -> bool:
        """Whether a request to ``other``'s private address dies on the route out whatever its
        class or filters: no route, a blackhole, or an internet gateway (reached straight or
        through NAT gateways), which routes no private address (docs/SEMANTICS.md, Gateways)."""
        memo = ("dropped", id(entry), other.block)
        got = self._cache.get(memo)
        if got is None:
            got, uniform = self._drops(entry, other)
            if uniform:
                self._cache[memo] = got
        return got

    def _drops(self, entry, other: _End) -> tuple[bool, bool]:
        """`_dropped`, and whether the answer holds for every address of ``other``'s block."""
        if not _private(other.block):
            return False, True
        uniform = True
        for _ in range(4):
            if entry is None or entry.target in ("blackhole", None):
                return True, uniform
            if isinstance(entry.target, ast.InternetGateway):
                return True, uniform
            if not isinstance(entry.target, ast.NatGateway):
                return False, uniform
            host = self.tracer.dp.host(entry.target.name)
            table = self.tracer.dp.route_table_of(host.subnet) if host is not None else None
            if table is None:
                return False, uniform
            uniform = uniform and self._where(("route", id(table)), lambda: _route_blocks(table),
                                              other)[2] == "block"
            entry = self._route(table, other)
        return False, uniform

    def _sees(self, end: _End, other: _End):
        """How ``end``'s own filters treat ``other``'s address: the rules of its NACL whose
        block holds it, in order, without their numbers and blocks (two addresses that the
        same rules match are treated alike by every packet), and which piece of the blocks
        its groups name holds it."""
        sig = self._nacl_signature(end.nacl, other)
        if not end.sgs:
            return sig
        rules = [r for g in end.sgs for r in g.rules]
        where = self._where(("sg", end.local[0]), lambda: _rule_blocks(rules), other)
        bounds = self._bounds[where[:2]]
        return sig, where[2:] if where[2] == "block" else bisect_right(bounds, other.address)

    def _nacl_signature(self, nacl, other: _End) -> int:
        """The NACL rules whose block holds ``other``'s address, in order, numbers and blocks
        left out, as a small number (equal rules, equal number)."""
        rules = _nacl_rules(nacl)
        where = self._where(("nacl", id(nacl)), lambda: _rule_blocks(rules), other)
        sig = self._cache.get(where)
        if sig is None:
            matching = nacl_view(rules, IPv4Address(other.address))
            sig = self._cache[where] = self._signatures.setdefault(
                (nacl is None or nacl.default, matching), len(self._signatures))
        return sig


def _target_of(entry):
    """What of a route the walk goes by: its target (the local route is one for every table)."""
    if entry is None:
        return None
    return entry.target if isinstance(entry.target, str) else id(entry.target)


def _route_blocks(table):
    for length, bucket in table.index.levels.get(4, ()):
        for start in bucket:
            yield start, start + 2 ** (32 - length) - 1


def _rule_blocks(rules):
    for net in rule_cidrs(rules):
        if net.version == 4:
            yield int(net.network_address), int(net.broadcast_address)


@lru_cache(maxsize=None)
def _private(block: tuple[int, int]) -> bool:
    low, high = block
    return any(int(n.network_address) <= low and high <= int(n.broadcast_address) for n in NOT_INTERNET_V4)


def _nacl_rules(nacl) -> tuple:
    return () if nacl is None or nacl.default else nacl.rules


def _path(entry):
    """What of a route the key needs, where its facts decide the path: ``local`` for the
    VPC's local route, the peering for a peering route; None for any other route."""
    if entry is None:
        return None
    if entry.target == "local":
        return "local"
    if isinstance(entry.target, ast.Peering):
        return id(entry.target)
    return None


__all__ = ["Matrix", "Cell", "matrix", "matrix_ends", "witness_trace", "LEVELS", "NOTES"]
