"""The behavioural half of `vpcdsl diff`: per pair of ends, the requests a change newly allows
and newly blocks, as exact packet sets, each with a witness packet traced in both models.

Ends are matched by name (an instance keeps its name when its address changes), so each
model's requests are compared with the named ends' own addresses left whole
(`erase`): what remains is the protocol and ports, and, for the internet, the
public addresses a request comes from or goes to. A load balancer's or interface
endpoint's nodes are compared node by node (by AZ: each sits behind its own NACL). One
`reach(model, src)` per source and model answers every destination at once; sources are
the ends of `flow_ends` but AWS services (which start no requests). Ends only one model
has are listed as added or removed; what the internet and the sites can reach on an added
end (or what an added site can reach) counts as newly allowed, so that a new exposed
instance is an exposure gained.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..aws import SERVICES
from ..flows.flow import FlowError, Trace
from ..packetsets import EMPTY_SET, Packet, PacketSet
from .matrix import matrix
from .reach import end_sides, flow_ends, public_blocks, reach, side_packets, via_of

__all__ = ["FlowChange", "FlowDiff", "flow_changes", "CHANGE_WORDS"]

CHANGE_WORDS = {"opened": "newly allowed", "closed": "newly blocked",
                "degraded": "now intermittent", "fixed": "now always allowed"}
_CHANGES = tuple(CHANGE_WORDS)
_PROTOCOL_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}


@dataclass(frozen=True)
class FlowChange:
    """Requests from ``src`` to ``dst`` whose verdict the change turned one way."""

    src: str
    dst: str
    node: str                  # the AZ of the destination's node when not every node changed alike
    change: str                # opened | closed | degraded | fixed (see CHANGE_WORDS)
    packets: PacketSet         # the requests, named ends' addresses left whole
    service: str               # the same in words: `tcp 22`, `tcp 443 (from 203.0.113.0/24)`
    witness: Packet            # one request of them
    before: Trace | None       # the witness traced in OLD (None: an end OLD lacks)
    after: Trace | None        # and in NEW
    exposure: bool = False     # opened to the internet or a site
    new_end: bool = False      # an end only NEW has

    @property
    def trace(self) -> Trace | None:
        """The trace that shows the change: OLD's for what is newly blocked, else NEW's."""
        return self.before if self.change == "closed" else self.after

    @property
    def words(self) -> str:
        return CHANGE_WORDS[self.change]

    @property
    def via(self) -> str:
        t = self.trace
        return via_of(t) if t is not None else ""

    @property
    def pair(self) -> str:
        return f"{self.src} -> {self.dst}" + (f" ({self.node} node)" if self.node else "")

    def to_dict(self) -> dict:
        return {"src": self.src, "dst": self.dst, "node": self.node, "change": self.change,
                "words": self.words, "service": self.service, "via": self.via, "exposure": self.exposure,
                "new_end": self.new_end, "packets": self.packets.to_dict(), "witness": str(self.witness),
                "old": self.before.to_dict() if self.before is not None else None,
                "new": self.after.to_dict() if self.after is not None else None}


@dataclass(frozen=True)
class FlowDiff:
    ends_added: tuple[str, ...]
    ends_removed: tuple[str, ...]
    changes: tuple[FlowChange, ...]
    skipped: tuple[tuple[str, str, str, str], ...]   # (side, src, dst, why): pairs not compared
    pairs: int                                      # pairs of ends compared
    traced: int | None = None                       # of them traced in both models (None: all)


def flow_changes(old, new, scope=None) -> FlowDiff:
    """Every pair's newly allowed, newly blocked, now intermittent and now always allowed
    requests between the ends both models have (and from outside to the ends NEW adds).

    ``scope`` (a `vpcdsl.analysis.diff_scope.Scope`) bounds the pairs a change can affect:
    only those are traced, the others count as compared and unchanged; None traces every
    pair. Pairs no trace answers are listed (``skipped``) among the pairs traced only."""
    from ..flows.trace import Tracer
    old_ends, new_ends = flow_ends(old), flow_ends(new)
    in_old, in_new = set(old_ends), set(new_ends)
    added = tuple(e for e in new_ends if e not in in_old)
    removed = tuple(e for e in old_ends if e not in in_new)
    sources = [e for e in new_ends if e not in SERVICES and (e in in_old or e in new.sites)]
    part = None if scope is None or scope.whole else scope
    tracers = (Tracer(old), Tracer(new))
    changes: list[FlowChange] = []
    skipped: list[tuple[str, str, str, str]] = []
    traced = 0
    # Between instances both models have, the instance matrices answer every pair at once.
    near = None if part is None else part.ends
    matrices = (matrix(old, "instance", touching=near), matrix(new, "instance", touching=near))
    both = set(matrices[0].ends) & set(matrices[1].ends)
    by_masks: dict[tuple, dict[str, PacketSet]] = {}
    cut_off = {}
    for side, m in enumerate(matrices):
        for s2, d, why in m.skipped:
            cut_off.setdefault((s2, d), []).append((("old", "new")[side], why))
    # With a scope, each end in it that the matrices do not answer is asked once, from every
    # source together (`_towards`), rather than once per source.
    towards = ({d: _towards((old, new), (in_old, in_new), d) for d in new_ends
                if d in part.ends and d not in both} if part is not None else {})
    in_scope = [d for d in new_ends if part is not None and d in part.ends]
    for s in sources:
        outside = s == "internet" or s in new.sites
        if part is None:
            dests = new_ends
            others = [d for d in new_ends if d not in both] if s in both else None
        else:
            dests = [d for d in (new_ends if s in part.ends else in_scope) if part.touches(s, d)]
            others = [d for d in dests if d not in towards and not (s in both and d in both)]
        r_new = reach(new, s, among=others) if others is None or others else None
        r_old = reach(old, s, among=others) if s in in_old and (others is None or others) else None
        unanswered: dict[tuple[str, str], tuple[list, str]] = {}
        for side, r in (("old", r_old), ("new", r_new)):
            for s2, d, why in (r.skipped if r is not None else ()):
                unanswered.setdefault((s2, d), ([], why))[0].append(side)
        rows_new, rows_old = _by_dst(r_new), _by_dst(r_old)
        for d in dests:
            if d == s or (s == "internet" and d in SERVICES):
                continue
            fresh = d not in in_old or s not in in_old
            if fresh and not outside:
                continue
            if s in both:
                for side, why in cut_off.get((s, d), ()):
                    unanswered.setdefault((s, d), ([], why))[0].append(side)
            towards_d = towards.get(d)
            if towards_d is not None:
                for side, why in towards_d[2].get(s, ()):
                    unanswered.setdefault((s, d), ([], why))[0].append(side)
            if (s, d) in unanswered:
                sides, why = unanswered[(s, d)]
                skipped.append(("both" if len(sides) == 2 else sides[0], s, d, why))
                continue
            traced += 1
            if s in both and d in both:
                changes += _matrix_changes(tracers, matrices, s, d, by_masks)
                continue
            old_rows, new_rows = ((towards_d[0].get(s, ()), towards_d[1].get(s, ())) if towards_d is not None
                                  else (rows_old.get(d, ()), rows_new.get(d, ())))
            changes += _pair_changes(tracers, s, d, old_rows, new_rows, outside, fresh)
    if part is None:
        return FlowDiff(added, removed, tuple(changes), tuple(skipped), traced)
    every = sum(_pair_count(s, new_ends, in_old, s == "internet" or s in new.sites) for s in sources)
    return FlowDiff(added, removed, tuple(changes), tuple(skipped), every - len(skipped), traced)


def _pair_count(s: str, new_ends: list[str], in_old: set[str], outside: bool) -> int:
    """How many pairs `flow_changes` compares from source ``s``: every other end of NEW, but
    the services from the internet, and the ends OLD lacks from inside."""
    if outside:
        return len(new_ends) - 1 - (sum(1 for d in new_ends if d in SERVICES) if s == "internet" else 0)
    return sum(1 for d in new_ends if d in in_old) - 1


def _towards(models, names, d: str) -> tuple[dict, dict, dict]:
    """``reach(model, None, d)`` in each model that has ``d``: the rows (per source) and the
    reasons a pair is not answered (per source: [(side, why)])."""
    rows: tuple[dict, dict] = ({}, {})
    why: dict[str, list] = {}
    for k, (model, ends) in enumerate(zip(models, names)):
        if d not in ends:
            continue
        side = ("old", "new")[k]
        try:
            r = reach(model, None, d)
        except FlowError:
            # The end itself cannot be traced: as each source's `reach` would say it.
            for s in flow_ends(model):
                if s != d and s not in SERVICES:
                    one = reach(model, s, among=[d])
                    rows[k].setdefault(s, []).extend(one.rows)
                    for s2, _, w in one.skipped:
                        why.setdefault(s2, []).append((side, w))
            continue
        for row in r.rows:
            rows[k].setdefault(row.src, []).append(row)
        for s2, _, w in r.skipped:
            why.setdefault(s2, []).append((side, w))
    return rows[0], rows[1], why


def _matrix_changes(tracers, matrices, s: str, d: str, by_masks: dict) -> list[FlowChange]:
    """`_pair_changes` for two instances, from the cells of the instance matrices (their
    packets hold no addresses, as erased rows do); pairs whose cells are equal share the
    set algebra."""
    cells = [m.cell(s, d) for m in matrices]
    key = tuple(x for c in cells for x in ((c.allowed, c.intermittent) if c is not None else (0, 0)))
    sets = by_masks.get(key)
    if sets is None:
        sets = by_masks[key] = _change_sets(*(m.packets(key[2 * k + j]) for k, m in enumerate(matrices)
                                              for j in (0, 1)))
    return _changes(tracers, s, d, {"": sets}, False, False)


def _by_dst(r) -> dict[str, list]:
    out: dict[str, list] = {}
    for row in (r.rows if r is not None else ()):
        out.setdefault(row.dst, []).append(row)
    return out


def _slots(tracer, rows, s: str, d: str) -> dict[str, dict[str, PacketSet]]:
    """The rows' requests per destination node (AZ; "" for an end of one address) and verdict,
    the named ends' addresses erased."""
    erased = [dim for dim, end in (("src", s), ("dst", d)) if end != "internet"]
    nodes = _zonal_nodes(tracer, d)
    out: dict[str, dict[str, PacketSet]] = {}
    for row in rows:
        parts = [(zone, row.packets & PacketSet.box(family=f, dst=(a, a))) for zone, f, a in nodes] \
            if nodes else [("", row.packets)]
        for zone, part in parts:
            if part:
                slot = out.setdefault(zone, {})
                slot[row.status] = slot.get(row.status, EMPTY_SET) | erase(part, *erased)
    return out


def _zonal_nodes(tracer, d: str) -> list[tuple[str, int, int]]:
    """(AZ, family of `PacketSet.box`, address) of each address of a zonal end's nodes."""
    if d in SERVICES or d == "internet":
        return []
    try:
        kind = tracer.end(d).kind
    except FlowError:
        return []
    if kind not in ("lb", "interface-endpoint"):
        return []
    return [(h.subnet.zone, a.version // 6, int(a)) for h in tracer.dp.hosts.get(d, ())
            for a in (h.address, h.ipv6) if a is not None]


def _pair_changes(tracers, s: str, d: str, rows_old, rows_new, outside: bool, fresh: bool) -> list[FlowChange]:
    before = _slots(tracers[0], rows_old, s, d)
    after = _slots(tracers[1], rows_new, s, d)
    per_slot: dict[str, dict[str, PacketSet]] = {}
    for zone in sorted(set(before) | set(after)):
        o, n = before.get(zone, {}), after.get(zone, {})
        per_slot[zone] = _change_sets(*(x.get(status, EMPTY_SET) for x in (o, n)
                                        for status in ("allowed", "intermittent")))
    if len(per_slot) > 1 and all(len({id(v[c]._root) for v in per_slot.values()}) == 1 for c in _CHANGES):
        per_slot = {"": next(iter(per_slot.values()))}           # every node changed alike
    return _changes(tracers, s, d, per_slot, outside, fresh)


def _change_sets(a_old: PacketSet, i_old: PacketSet, a_new: PacketSet, i_new: PacketSet) -> dict:
    """The requests of each kind of change, from the allowed and intermittent ones of each side."""
    r_old, r_new = a_old | i_old, a_new | i_new
    return {"opened": r_new - r_old, "closed": r_old - r_new, "degraded": a_old & i_new, "fixed": i_old & a_new}


def _changes(tracers, s: str, d: str, per_slot: dict, outside: bool, fresh: bool) -> list[FlowChange]:
    """A `FlowChange` per node slot and non-empty change, its witness traced in both models."""
    out = []
    for zone, sets in per_slot.items():
        for change in _CHANGES:
            packets = sets[change]
            if not packets:
                continue
            witness = _witness(packets)
            traced = [_trace(t, s, d, witness, zone) for t in tracers]
            if fresh:
                traced[0] = None
            out.append(FlowChange(s, d, zone, change, packets, _words_of(tracers[1], packets, s, d), witness,
                                  traced[0], traced[1], outside and change == "opened", fresh))
    return out


def _words_of(tracer, packets: PacketSet, s: str, d: str) -> str:
    """`describe`, with NEW's IPv6 internet (memoised on its tracer) where IPv6 requests
    come from or go to the internet."""
    internet6 = None
    if "internet" in (s, d) and packets & _V6:
        dim = "src" if s == "internet" else "dst"
        key = ("diff internet", dim)
        internet6 = tracer.memo.get(key)
        if internet6 is None:
            internet6 = tracer.memo[key] = internet_packets(tracer.model, tracer, 6, dim)
    return describe(packets, s, d, internet6)


def _witness(packets: PacketSet) -> Packet:
    """A request of the set, IPv4 before IPv6, TCP before UDP before ICMP before the rest,
    and a well-known port before the lowest (they read best: `tcp 443` rather than `tcp 0`)."""
    for family, icmp in ((0, 1), (1, 58)):
        for protocol in (6, 17, icmp):
            part = packets & PacketSet.box(family=family, protocol=protocol)
            if part:
                for port in (_KNOWN_PORTS if protocol != icmp else ()):
                    known = part & PacketSet.box(family=family, protocol=protocol, dport=port)
                    if known:
                        return known.witness()
                return part.witness()
        part = packets & PacketSet.box(family=family)
        if part:
            return part.witness()
    return packets.witness()


_KNOWN_PORTS = (443, 80, 22, 53, 3389, 5432, 3306, 1433, 8080, 25, 123)


def _probe(packet: Packet) -> tuple[str, str | None]:
    name = _PROTOCOL_NAMES.get(packet.protocol)
    if packet.protocol in (6, 17):
        return name, str(packet.dport)
    if packet.protocol in (1, 58):
        return name, str(packet.icmp_type)
    return str(packet.protocol), None


def _trace(tracer, s: str, d: str, witness: Packet, zone: str) -> Trace | None:
    protocol, port = _probe(witness)
    src = str(witness.src) if s == "internet" else s
    dst = str(witness.dst) if d == "internet" else d
    family = 6 if witness.src.version == 6 else None         # named ends by their IPv6 addresses
    try:
        return tracer.trace(src, dst, protocol, port, dst_zone=zone or None, family=family)
    except FlowError:          # an end this model lacks
        return None


def erase(packets: PacketSet, *dimensions: str) -> PacketSet:
    """The set with ``dimensions`` (``"src"``, ``"dst"``) made whole: every packet that agrees
    with a member on the other dimensions.

    >>> ssh = PacketSet.box(src="10.0.1.4/32", dst="10.0.2.4/32", protocol="tcp", dport=22)
    >>> print(erase(ssh, "src", "dst"))
    0.0.0.0/0 -> 0.0.0.0/0: tcp 22
    """
    whole = {"src": 1, "dst": 2}
    cut = {whole[d] for d in dimensions}
    parts = []
    for box in packets.boxes():
        fields = [None if i in cut else box[i] for i in range(8)]
        for family in range(box[0][0], box[0][1] + 1):
            parts.append(PacketSet.box(family=family, src=fields[1], dst=fields[2], protocol=fields[3],
                                       sport=fields[4], dport=fields[5], icmp_type=fields[6],
                                       icmp_code=fields[7]))
    return PacketSet.union(parts)


# ---------------------------------------------------------------------------- words

def describe(packets: PacketSet, s: str, d: str, internet6: PacketSet | None = None) -> str:
    """The requests in words: protocols and ports, and for the internet the addresses when
    not every public one (``tcp 443; tcp 22 (from 203.0.113.0/24)``); IPv6 requests after
    IPv4's, each service marked "(IPv6)" as `reach` tables mark it (``tcp 22 (IPv6)``).
    ``internet6`` is the IPv6 internet's addresses on the internet's side (`reach`'s: the
    public space but the VPCs' and sites' blocks); None: every public IPv6 address."""
    v6 = packets & _V6
    if not v6:
        return _describe(packets, s, d, 4, None)
    parts = [_describe(packets - v6, s, d, 4, None)] if packets - v6 else []
    return "; ".join(parts + [_describe(v6, s, d, 6, internet6)])


def _describe(packets: PacketSet, s: str, d: str, family: int, internet: PacketSet | None) -> str:
    if "internet" not in (s, d):
        return _service(packets, family)
    dim = "src" if s == "internet" else "dst"
    f = family // 6
    public = internet if internet is not None else \
        PacketSet.union(PacketSet.box(family=f, **{dim: str(b)}) for b in public_blocks(family))
    present = erase(packets, dim)
    gaps = (present & public) - packets
    whole = present - erase(gaps, dim)           # the services every public address has
    parts = [_service(whole, family)] if whole else []
    word = "from" if dim == "src" else "to"
    mark = " (IPv6" if family == 6 else " ("
    for row in (packets - (whole & public)).rows():
        blocks = row.src if dim == "src" else row.dst
        more = len(blocks) - 4
        where = ", ".join(blocks[:4]) + (f" and {more} more" if more > 0 else "")
        parts.append(f"{row.service}{mark}{', ' if family == 6 else ''}{word} {where})")
    return "; ".join(parts)


def internet_packets(model, tracer, family: int, dim: str) -> PacketSet:
    """Every packet of ``family`` from (``dim`` "src") or to (``dim`` "dst") the internet as
    `reach` traces it (`reach.end_sides`)."""
    sides = end_sides(model, tracer, "internet", family, as_dst=dim == "dst")
    return PacketSet.union(side_packets(tracer, side, dim, family=family) for side in sides)


def _service(packets: PacketSet, family: int = 4) -> str:
    """Protocols and ports in words; "any traffic" (but ICMPv6, which is IPv6's) when every
    IPv4 request, "any traffic except ..." when that is shorter; over IPv6 "any IPv6 traffic"
    (but ICMP, which is IPv4's), each other service marked "(IPv6)"."""
    services = erase(packets, "src", "dst")
    every = _ANY if family == 4 else _ANY6
    if services == every:
        return "any traffic" if family == 4 else "any IPv6 traffic"
    words = _words(services, family)
    rest = _words(every - services, family)
    if services <= every and len(rest) < len(words):
        return f"any {'IPv6 ' if family == 6 else ''}traffic except {rest}"
    return words


def _words(services: PacketSet, family: int = 4) -> str:
    mark = " (IPv6)" if family == 6 else ""
    return "; ".join(dict.fromkeys(r.service + mark for r in services.rows()))


_V6 = PacketSet.box(family=1)
_ANY6 = _V6 - PacketSet.box(protocol="icmp")
_ANY = PacketSet.box(family=0) - PacketSet.box(protocol="icmpv6")
