"""Reachability between every pair of ends: ``matrix(model, level="subnet")``.

Each cell says which requests from one end the other accepts, with the
semantics of `trace` (allowed, intermittent where only part of the client's
ephemeral range returns, blocked), for every packet at once. It is computed
over equivalence classes, not by re-simulating each pair:

* **Packets.** Header space splits into the atomic predicates every NACL and
  security-group rule respects: the protocol/port/ICMP-type classes of
  `vpcdsl.analysis.flowsets`, IPv4's (`Matrix.classes`) and then, in a dual-stack
  model, IPv6's (`Matrix.ipv6_classes`, from bit `Matrix.ipv6_from`). A cell is two bitmasks over those
  classes; a pair is asked about IPv6 where both ends have an IPv6 address (a
  subnet with an IPv6 block, an instance in one), as `reach` asks it. With fewer
  than two such ends no pair is, and the matrix has IPv4's classes only.
* **Pairs.** A trace between two ends reads them only through a few facts
  (`vpcdsl.analysis.matrix_pairs`, `_Facts.key`, one per family): each end's security groups, ephemeral range and kind, whether
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
instance's groups; ``level="vpc"`` gathers the subnet matrix by VPC.
`tests/test_matrix_ipv6.py` holds a dual-stack model by hand and the dual-stack example
to `reach`, pair by pair and family by family.

Cost: one pass over the N² ordered pairs, each one small tuple and dictionary
look-up (`matrix_pairs.PairKeys`), so quadratic in the ends, as the answer is; a
key is computed once per distinct set of facts it reads, except for routes to a
transit gateway (pair by pair). Before that, the ends' views of each other are
tabled: R x B views for R row classes (route table, NACL, groups, VPC) and B VPC
blocks, plus R x the ends of blocks a row's routes or rules cut; R and B grow
with the estate, so this too is quadratic at worst, with a small constant. Then
the walks, which grow with the pair classes (the distinct filters and routes),
not with the pairs. BENCHMARKS.md has the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..flows.flow import FlowError, NotSimulated, Trace
from ..packetsets import EMPTY_SET, PacketSet
from ..protocols import protocol_number
from ..syntax import ast
from .flowsets import packet_classes
from .matrix_pairs import DROPPED as _DROPPED, MatrixEnd as _End, PairFacts as _Facts, PairKeys as _Keys, \
    nacl_rules as _nacl_rules
from .reach import class_packets, families, in_family


LEVELS = ("subnet", "instance", "vpc")
NOTES = {
    "subnet": "subnet ends are probes with no security group (LANGUAGE.md §4)",
    "instance": "instance ends use each instance's security groups",
    "vpc": "a VPC's cell gathers its subnets' probes (no security group)",
}
IPV6_NOTE = "IPv6 too where both ends have an IPv6 address"
_FAMILY_WORDS = {4: "ipv4", 6: "ipv6"}


@dataclass(frozen=True)
class Cell:
    """The requests one end accepts from another: bitmasks over `Matrix.every_class`."""

    allowed: int
    intermittent: int
    pairs: tuple[int, int] = (1, 1)     # (subnet pairs reaching, subnet pairs) at VPC level


@dataclass(frozen=True)
class Matrix:
    """Every pair of ends of one level and what reaches between them."""

    level: str
    ends: tuple[str, ...]
    classes: tuple[PacketSet, ...]                      # bit i of a mask: classes[i] (IPv4)
    cells: dict = field(repr=False)     # (i, j) -> Cell; absent: nothing reaches; (i, i) only at
                                        # VPC level: a VPC's subnets to each other
    skipped: tuple[tuple[str, str, str], ...] = ()      # (src, dst, why) no trace can answer
    traces: int = 0                                     # how many traces decided it
    pair_classes: int = 0
    model: object = field(default=None, repr=False, compare=False)
    subnets: Matrix | None = field(default=None, repr=False, compare=False)  # at VPC level: whence
    ipv6_classes: tuple[PacketSet, ...] = ()            # bit len(classes) + k: ipv6_classes[k]
    ipv6: tuple[int, ...] = ()          # per end: 1 if it has an IPv6 address (VPC level: its
                                        # subnets with an IPv6 block)
    _sets: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def every_class(self) -> tuple[PacketSet, ...]:
        """Bit i of a mask: every_class[i] (IPv4's classes, then IPv6's)."""
        return self.classes + self.ipv6_classes

    @property
    def ipv6_from(self) -> int | None:
        """The first IPv6 class's bit; None in an IPv4-only model (no IPv6 classes)."""
        return len(self.classes) if self.ipv6_classes else None

    @property
    def note(self) -> str:
        return NOTES[self.level] + ("" if self.ipv6_from is None else f"; {IPV6_NOTE}")

    def cell(self, src: str, dst: str) -> Cell | None:
        return self.cells.get((self._index(src), self._index(dst)))

    def packets(self, mask: int) -> PacketSet:
        """The requests of a mask (the union of its classes), cached."""
        got = self._sets.get(mask)
        if got is None:
            got = self._sets[mask] = PacketSet.union(c for i, c in enumerate(self.every_class) if mask >> i & 1)
        return got

    def allowed(self, src: str, dst: str) -> PacketSet:
        c = self.cell(src, dst)
        return self.packets(c.allowed) if c is not None else EMPTY_SET

    def intermittent(self, src: str, dst: str) -> PacketSet:
        c = self.cell(src, dst)
        return self.packets(c.intermittent) if c is not None else EMPTY_SET

    def service(self, mask: int, *, marked: bool = True) -> str:
        """A mask in words: ``tcp 443; icmp echo-request``, each IPv6 service followed by
        "(IPv6)" as `reach` tables write it (``marked`` False: not)."""
        if not mask:
            return ""
        return "; ".join(dict.fromkeys(r.service + (" (IPv6)" if r.family and marked else "")
                                       for r in self.packets(mask).rows()))

    def family_mask(self, family: int) -> int:
        """The bits of ``family``'s classes (0 for IPv6 in an IPv4-only model)."""
        every = (1 << len(self.every_class)) - 1
        if self.ipv6_from is None:
            return every if family == 4 else 0
        v4 = (1 << self.ipv6_from) - 1
        return v4 if family == 4 else every & ~v4

    def asked(self, src: str | int, dst: str | int) -> int:
        """The bits of every class the pair is asked about: IPv4's, and IPv6's where both
        ends have an IPv6 address (at VPC level, where some pair of their subnets has)."""
        i, j = (x if isinstance(x, int) else self._index(x) for x in (src, dst))
        v4 = self.family_mask(4)
        if self.ipv6_from is None or not (self.ipv6[i] and self.ipv6[j] >= (2 if i == j else 1)):
            return v4
        return v4 | self.family_mask(6)

    @property
    def families(self) -> tuple[int, ...]:
        return (4,) if self.ipv6_from is None else (4, 6)

    def witness(self, src: str, dst: str, status: str = "allowed") -> Trace | None:
        """The trace of one request of the cell with ``status`` (None if it has none); at VPC
        level, from a subnet pair that holds it."""
        c = self.cell(src, dst)
        if status == "blocked":
            mask = self.asked(src, dst) & ~((c.allowed | c.intermittent) if c is not None else 0)
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
        """The ends, the masks' services once each, and the cells where something reaches.
        In a dual-stack model a cell is a row per family that reaches, with its ``family``
        (``ipv4``, ``ipv6``) as `reach` rows have, and ``families`` lists both."""
        services: dict = {}         # mask -> index; dual-stack: words -> index (a row says the family)
        cells = []
        dual = self.ipv6_from is not None
        parts = [(None, -1)] if not dual else [(f, self.family_mask(f)) for f in self.families]
        for (i, j), c in sorted(self.cells.items()):
            for family, bits in parts:
                row = {"src": self.ends[i], "dst": self.ends[j]}
                if dual:
                    row["family"] = _FAMILY_WORDS[family]
                for status in ("allowed", "intermittent"):
                    mask = getattr(c, status) & bits
                    if mask:
                        row[status] = services.setdefault(self.service(mask, marked=False) if dual else mask,
                                                          len(services))
                if dual and len(row) == 3:
                    continue                        # nothing of this family reaches
                if self.level == "vpc":
                    row["pairs"] = list(c.pairs)
                cells.append(row)
        out = {"version": 1, "level": self.level, "note": self.note, "ends": list(self.ends)}
        if dual:
            out["families"] = [_FAMILY_WORDS[f] for f in self.families]
        out.update({"services": list(services) if dual else [self.service(m) for m in services],
                    "cells": cells,
                    "skipped": [{"src": s, "dst": d, "why": w} for s, d, w in self.skipped]})
        return out

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
    cells: dict[tuple[int, int], Cell] = {}
    sets: tuple[PacketSet, ...] = ()
    skipped: list[tuple[str, str, str]] = []
    traces = pair_classes = 0
    ipv6 = ()
    split = None                                    # where IPv6's classes start
    alike: dict[tuple[int, int], Cell] = {}         # one Cell per pair of masks (they are frozen)
    for family in families(model):
        picked = list(range(len(objects)))
        if family == 6:
            picked = [k for k in picked if in_family(tracer, objects[k].name, 6)]
            if len(picked) < 2:
                break                   # no pair to ask about IPv6: the matrix is IPv4's
            held = set(picked)
            ipv6 = tuple(int(k in held) for k in range(len(objects)))
        shift = len(sets)
        if family == 6:
            split = shift
        found = _family_cells(tracer, [objects[k] for k in picked], family, touching)
        sets += found.sets
        traces += found.traces
        pair_classes += found.pair_classes
        skipped += found.skipped
        for (i, j), (allowed, intermittent) in found.cells.items():
            key = picked[i], picked[j]
            had = cells.get(key)
            masks = (allowed << shift | (had.allowed if had else 0), intermittent << shift | (had.intermittent if had else 0))
            got = alike.get(masks)
            if got is None:
                got = alike[masks] = Cell(*masks)
            cells[key] = got
    return Matrix(level, tuple(o.name for o in objects), sets[:split], cells, tuple(skipped), traces,
                  pair_classes, model, ipv6_classes=sets[split:] if split else (), ipv6=ipv6)


@dataclass
class _Found:
    """One family's part of a matrix: masks over that family's classes, by pair of ends."""

    sets: tuple[PacketSet, ...]
    cells: dict
    skipped: list
    traces: int
    pair_classes: int


def _family_cells(tracer, objects: list, family: int, touching) -> _Found:
    """The cells of ``objects`` over ``family``'s packet classes, one walk per pair class
    (its key, `_Facts.key`, is the family's) and group of port classes."""
    model = tracer.model
    ends = [_End.of(tracer, o, family) for o in objects]
    classes = packet_classes(model, None, family)
    sets = tuple(class_packets(model, c, family) for c in classes)
    cells: dict[tuple[int, int], tuple[int, int]] = {}
    skipped = []
    traces = 0
    facts = _Facts(tracer, family)
    grouping: dict[tuple, list[list[int]]] = {}
    near = None if touching is None else [k for k, e in enumerate(ends) if e.name in touching]
    why = "" if family == 4 else "over IPv6: "
    keys = _Keys(facts, ends)
    everyone = range(len(ends))
    decided: list = []              # slot of a key (`_Keys.keys`) -> its masks, None if (0, 0), or why
    for i, s in enumerate(ends):
        cols = [j for j in (everyone if near is None or s.name in touching else near) if j != i]
        for j, slot in zip(cols, keys.row_slots(i, cols)):
            if slot < len(decided):
                got = decided[slot]
            else:                   # slots come in order: this is the next one
                key = keys.keys[slot]
                d = ends[j]
                groups = _groups(classes, s, d, grouping, facts.nacls_on_path.get(key, ())) \
                    if key[0] != "pair" else None
                got, n = _decide(tracer, s, d, classes, groups, family) if key != _DROPPED else ((0, 0), 0)
                traces += n
                if got == (0, 0):
                    got = None
                decided.append(got)
            if got is None:
                continue
            if got.__class__ is str:
                skipped.append((s.name, ends[j].name, why + got))
            else:
                cells[i, j] = got
    return _Found(sets, cells, skipped, traces, len(decided))


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
        bits = cache.get("bits")
        if bits is None:            # per class: None (alone), or its port and protocol number
            bits = cache["bits"] = [None if c.ports is None or not c.probe else (int(c.probe), protocol_number(c.protocol))
                                    for c in classes]
        parts = [_matches(classes, bits, cache, ("nacl", id(n)), _nacl_rules(n)) for n in (s.nacl, d.nacl, *between)]
        parts += [_matches(classes, bits, cache, ("sg", e.local[0]), [r for g in e.sgs or () for r in g.rules])
                  for e in (s, d)]
        by: dict[tuple, list[int]] = {}
        for bit, at in enumerate(bits):
            if at is None:
                by[("alone", bit)] = [bit]
                continue
            by.setdefault((at[1], *(p[bit] for p in parts)), []).append(bit)
        got = cache[key] = list(by.values())
    return got


def _matches(classes, bits, cache: dict, key: tuple, rules) -> list:
    """Per packet class of `_groups` (None: alone), which of ``rules`` of its protocol match
    its port, in order: one source of filters' part of `_groups`' key, cached."""
    got = cache.get(key)
    if got is None:
        protos = [(protocol_number(r.protocol.name), r.protocol) for r in rules]
        got = cache[key] = [None if at is None else tuple(p.ports is None or p.ports.low <= at[0] <= p.ports.high
                                                          for n, p in protos if n == at[1])
                            for at in bits]
    return got


def _decide(tracer, s: _End, d: _End, classes, groups=None, family: int = 4) -> tuple[tuple[int, int] | str, int]:
    """The masks of one pair in one family, one trace per group of packet classes
    (`_groups`; each class alone where None), or why the pair cannot be traced."""
    over = {} if family == 4 else {"family": 6}
    allowed = intermittent = 0
    walks = 0
    for group in groups or [[bit] for bit in range(len(classes))]:
        c = classes[group[0]]
        walks += 1
        try:
            t = tracer.trace(s.name, d.name, c.protocol, c.probe or None, **over)
        except (FlowError, NotSimulated) as exc:
            return str(exc), walks
        mask = sum(1 << bit for bit in group)
        if t.allowed:
            allowed |= mask
        elif t.intermittent:
            intermittent |= mask
    return (allowed, intermittent), walks


def witness_trace(m: Matrix, src: str, dst: str, bit: int, status: str = "allowed") -> Trace:
    """The trace of a request of packet class ``bit`` from ``src`` to ``dst`` (by the ends'
    IPv6 addresses for an IPv6 class); at VPC level, of the first subnet pair of the two
    VPCs whose cell gives that class ``status``."""
    from ..flows.trace import Tracer
    from .reach import class_probe
    v6 = m.ipv6_from is not None and bit >= m.ipv6_from
    c = packet_classes(m.model, None, 6 if v6 else 4)[bit - m.ipv6_from if v6 else bit]
    protocol, probe = class_probe(c, m.every_class[bit].witness())
    over = {"family": 6} if v6 else {}
    tracer = Tracer(m.model)
    if m.level != "vpc":
        return tracer.trace(src, dst, protocol, probe, **over)
    dp = m.model.dataplane
    sub = m.subnets
    pairs = [(a.name, b.name) for a in dp.vpc_subnets[src] for b in dp.vpc_subnets[dst] if a is not b
             and (not v6 or sub.ipv6[sub.ends.index(a.name)] and sub.ipv6[sub.ends.index(b.name)])]
    for a, b in pairs:
        if _status_of(sub.cell(a, b), bit) == status:
            return tracer.trace(a, b, protocol, probe, **over)
    return tracer.trace(*pairs[0], protocol, probe, **over)


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
    ipv6 = ()
    if sub.ipv6_from is not None:
        count = dict.fromkeys(index, 0)
        for k, name in enumerate(sub.ends):
            count[vpc_of[name]] += sub.ipv6[k]
        ipv6 = tuple(count[v.name] for v in vpcs)
    return Matrix("vpc", tuple(v.name for v in vpcs), sub.classes, cells, tuple(dict.fromkeys(skipped)),
                  sub.traces, sub.pair_classes, model, sub, sub.ipv6_classes, ipv6)


__all__ = ["Matrix", "Cell", "matrix", "matrix_ends", "witness_trace", "LEVELS", "NOTES", "IPV6_NOTE"]
