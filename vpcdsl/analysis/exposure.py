"""What the internet and each on-premises site can reach: ``exposure(model) -> Exposure``.

For every instance (NAT instances included), load balancer, interface endpoint and subnet
(a subnet stands for its probe: a host in it with no security group, LANGUAGE.md), the
requests each source gets through, allowed or intermittent, as exact packet sets with the
addresses they come from and the gateway or link they take, each with a witness trace: AWS
Network Access Analyzer's internet-accessibility finding, at design time. The semantics
are `vpcdsl.analysis.reach`'s (one trace decides a class of packets from one address
piece). The internet is every public address that neither a VPC nor a site holds (a site's
own public range is the site's); a site is every address of its CIDRs.

Over IPv6 (where a subnet has an IPv6 block), each target with an IPv6 address is also
asked about from the IPv6 internet (every IPv6 address is public) and from each site's IPv6
ranges, reach's way (every piece and class; `vpcdsl.analysis.exposure_ipv6`); those findings
say IPv6. A site's IPv6 reaches over a transit gateway's links or a private VIF on a virtual private
gateway, never over a VPN on one, as the trace says.

A finding is ranked by the worst request it holds (`vpcdsl.analysis.exposure_ranks`: ``any``,
``admin``, ``database``, ``other``, ``icmp``); findings sort by rank, then target name.

Cost. Reach traces a target from every address piece of the source and every port class
of the model, and both grow with the model. Exposure gives the same answer (the tests
compare it with reach's way, ``coarse=False``) with fewer traces, each shortcut checked on
the traces themselves:

- A request from the internet dropped before any hop looks at it (the target has no public
  address, is internal, its VPC has no internet gateway) is dropped whatever its source and
  packet: one trace closes the target.
- A trace every hop of which is one of the target's neighbours (its subnets, their NACLs
  and route tables, its security groups, the VPC's gateways) or the sites' side decides
  alike every address and port that none of those, nor a block written outside every VPC,
  tells apart: the target is traced once per such coarser piece and class. A trace that
  goes further sends the target to its whole VPC's pieces and classes, and one that leaves
  the VPC to reach's.
- Instances (and subnets) behind the same NACL, route table and security groups share
  those verdicts; each finding's witness is traced to the target itself and must agree.
- A request the target subnet's NACL denies on the way in is not walked once a trace has
  shown that NACL to be the first rule the internet's requests meet (`exposure_entry`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from ipaddress import IPv4Address

from ..flows.flow import FlowError, NotSimulated, Trace
from ..gcpause import paused_gc
from ..packetsets import PacketSet
from ..syntax import ast
from .address_ranges import listed, merged, minus, range_cidrs
from .cidrpieces import ipv4_bounds
from .exposure_entry import EntryGate
from .exposure_ipv6 import ipv6_findings, ipv6_sources, source_pieces
from .exposure_ranks import ADMIN_PORTS, DATABASE_PORTS, RANKS, port_names, rank_of, worst_part
from .flowsets import packet_classes, port_classes
from .reach import Side, class_packets, end_sides, place_words, side_packets, via_of

__all__ = ["Exposure", "Finding", "exposure", "RANKS", "ADMIN_PORTS", "DATABASE_PORTS"]

_KINDS = ((ast.Instance, "instance"), (ast.NatInstance, "nat-instance"), (ast.LoadBalancer, "lb"),
          (ast.InterfaceEndpoint, "interface-endpoint"))
# Hops outside every VPC whose decisions rest on blocks written outside every VPC (sites,
# their announcements, VPN and Direct Connect links): as local as the target's VPC.
_OUTSIDE_LOCAL = ("site", "vpn", "dx", "dxgw")


# ---------------------------------------------------------------------------- the answer

@dataclass(frozen=True)
class Finding:
    """Requests from ``src`` that reach ``dst``, of one rank, verdict, link and address part."""

    rank: str                    # any | admin | database | other | icmp
    src: str                     # internet, or a site
    dst: str
    kind: str                    # instance | nat-instance | lb | interface-endpoint | subnet
    status: str                  # allowed | intermittent
    packets: PacketSet
    witness: Trace
    via: str                     # the gateway, link, LB or endpoint the witness took; "local"
    where: str = ""              # which of the source's addresses (or LB nodes), if not all
    family: int = 4              # 4 or 6

    @cached_property
    def service(self) -> str:
        """The protocols and ports, in words (``tcp 22``; ``tcp any port; udp any port``)."""
        return "; ".join(dict.fromkeys(r.service for r in self.packets.rows()))

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The administration and database protocols whose ports the finding holds."""
        return port_names(self.packets)

    @property
    def words(self) -> str:
        """The packets column: ``tcp 22 [SSH] (from 203.0.113.0/24)``."""
        names = ""
        if self.names and self.rank != "any":
            more = len(self.names) - 3
            names = f" [{', '.join(self.names[:3])}{f' and {more} more' if more > 0 else ''}]"
        where = place_words(self.family, self.where)
        return self.service + names + (f" ({where})" if where else "")

    def to_dict(self) -> dict:
        return {"rank": self.rank, "src": self.src, "dst": self.dst, "kind": self.kind,
                "status": self.status, "service": self.service, "names": list(self.names),
                "family": f"ipv{self.family}", "where": self.where, "via": self.via,
                "packets": self.packets.to_dict(),
                "witness": self.witness.to_dict()}


@dataclass(frozen=True)
class Exposure:
    """Every finding, riskiest first, and what was asked: sources and targets in model order."""

    sources: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]          # (name, kind)
    findings: tuple[Finding, ...]
    skipped: tuple[tuple[str, str, str], ...] = ()   # (src, dst, why) no trace could answer
    model: object = field(default=None, repr=False, compare=False)

    def of(self, rank: str | None = None, *, src: str | None = None, dst: str | None = None) -> list[Finding]:
        """The findings of a rank, from a source, to a target (each None: any)."""
        return [f for f in self.findings if (rank is None or f.rank == rank)
                and (src is None or f.src == src) and (dst is None or f.dst == dst)]

    def exposed(self, src: str | None = None) -> list[str]:
        """The targets some finding (from ``src``) reaches, in model order."""
        hit = {f.dst for f in self.of(src=src)}
        return [name for name, _ in self.targets if name in hit]

    def allowed(self, dst: str | None = None, *, src: str | None = None) -> PacketSet:
        return PacketSet.union(f.packets for f in self.of(src=src, dst=dst) if f.status == "allowed")

    def intermittent(self, dst: str | None = None, *, src: str | None = None) -> PacketSet:
        return PacketSet.union(f.packets for f in self.of(src=src, dst=dst) if f.status == "intermittent")

    def counts(self) -> dict[str, int]:
        return {rank: len(self.of(rank)) for rank in RANKS}

    def summary(self) -> str:
        """``3 findings (1 admin, 2 other) on 2 of 9 targets; targets reached: internet 2, office 0``."""
        n = len(self.findings)
        ranks = ", ".join(f"{c} {r if r != 'any' else 'any-port'}" for r, c in self.counts().items() if c)
        reached = ", ".join(f"{s} {len(self.exposed(s))}" for s in self.sources)
        return (f"{n} finding{'' if n == 1 else 's'}{f' ({ranks})' if ranks else ''} on "
                f"{len(self.exposed())} of {len(self.targets)} targets; targets reached: {reached}")

    def table(self) -> str:
        """The findings as `vpcdsl exposure` prints them."""
        head = ("rank", "from", "to", "packets", "via", "verdict")
        body = [(f.rank.upper(), f.src, f.dst + (" (subnet)" if f.kind == "subnet" else ""),
                 f.words, f.via, f.status.upper()) for f in self.findings]
        lines = []
        if body:
            widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
            lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head, *body]]
            lines.insert(1, "  ".join("-" * w for w in widths))
        else:
            lines.append("nothing is exposed")
        lines.append("")
        lines.append(self.summary())
        lines.append(f"({self.family_words}; a subnet stands for a probe: a host in it with no security group)")
        lines.extend(f"not answered: {s} -> {d}: {why}" for s, d, why in self.skipped)
        return "\n".join(lines)

    @property
    def family_words(self) -> str:
        """``IPv4``, or ``IPv4, and IPv6 from the internet and office``: who was asked over IPv6."""
        v6 = ["the internet" if s == "internet" else s for s in ipv6_sources(self.model, self.sources)]
        if not v6:
            return "IPv4"
        return "IPv4, and IPv6 from " + (f"{', '.join(v6[:-1])} and {v6[-1]}" if len(v6) > 1 else v6[0])

    def to_dict(self) -> dict:
        return {"version": 1, "ranks": list(RANKS), "sources": list(self.sources),
                "targets": [{"name": n, "kind": k} for n, k in self.targets],
                "counts": self.counts(), "findings": [f.to_dict() for f in self.findings],
                "skipped": [{"src": s, "dst": d, "why": w} for s, d, w in self.skipped]}

    def _repr_pretty_(self, p, cycle):
        p.text(self.table())

    def _repr_html_(self) -> str:
        from ..views.notebook.rich import exposure_repr_html
        return exposure_repr_html(self)


# ---------------------------------------------------------------------------- the question

def exposure(model, sources=None, *, coarse: bool = True) -> Exposure:
    """What the internet and each site of ``model`` (or only ``sources``: names among
    ``internet`` and the sites) can reach. ``coarse=False`` traces every target from every
    address piece and port class, as `vpcdsl.analysis.reach` does (slower; the same answer:
    the tests compare them). Raises FlowError for an unknown source."""
    from ..flows.trace import Tracer
    every = ["internet", *model.sites]
    if sources is None:
        names = every
    else:
        names = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
        for name in names:
            if name not in every:
                raise FlowError(f"{name!r} is not a source of exposure",
                                f"a source is `internet` or a site: {', '.join(every)}")
    with paused_gc():      # many small acyclic objects (traces, hops): see vpcdsl.gcpause
        return _exposure(model, names, _Engine(model, Tracer(model), coarse))


def _exposure(model, names: list[str], engine: "_Engine") -> Exposure:
    targets = _targets(model)
    findings: list[Finding] = []
    skipped: list[tuple[str, str, str]] = []
    for src in names:
        sides = engine.source_sides(src)
        if not sides:
            if src == "internet" or any(c.net is not None and c.net.version == 4 for c in model.sites[src].cidrs):
                skipped.append((src, "*", "every address of it is a VPC's or another site's"))
            continue
        for name, kind, vpc in targets:
            try:
                found, unanswered = engine.findings(src, sides, name, kind, vpc)
            except (FlowError, NotSimulated) as exc:
                skipped.append((src, name, str(exc)))
                continue
            findings.extend(found)
            skipped.extend((src, name, f"part of it: {why}") for why in unanswered)
    found, unanswered = ipv6_findings(model, engine.tracer, targets, names)
    findings.extend(Finding(rank, src, dst, kind, r.status, r.packets, r.witness, r.via, r.where, 6)
                    for rank, src, dst, kind, r in found)
    skipped.extend(unanswered)
    order = {n: i for i, n in enumerate(names)}
    findings.sort(key=lambda f: (RANKS.index(f.rank), f.dst, order[f.src], f.status != "allowed",
                                 f.via, f.service, f.where))
    return Exposure(tuple(names), tuple((n, k) for n, k, _ in targets), tuple(findings), tuple(skipped), model)


def _targets(model) -> list[tuple[str, str, str]]:
    """(name, kind, VPC) of every instance, NAT instance, LB, interface endpoint, then subnet."""
    members = [m for vpc in model.vpcs.values() for m in vpc.members]
    out = [(m.name, word, m.vpc) for kind, word in _KINDS for m in members if type(m) is kind]
    return out + [(m.name, "subnet", m.vpc) for m in members if isinstance(m, ast.Subnet)]


class _NotLocal(Exception):
    """A trace touched a component outside the scope its pieces and classes were cut by."""


@dataclass
class _Scope:
    """What a target's traces are cut by and may touch: the objects next to it (``near``),
    its VPC, or the whole model (reach's own pieces and classes; ``objects`` None)."""

    level: str                       # near | vpc | model
    objects: tuple | None            # the VPC members whose blocks and port bounds cut
    ids: frozenset = frozenset()     # (near) their ids: a hop elsewhere leaves the scope
    vpc: str = ""                    # (vpc) the VPC a hop must stay in


@dataclass
class _Verdicts:
    """The traced verdicts of one target: (status, via, class) -> [pieces, first trace]."""

    cells: list
    classes: list
    held: dict
    unanswered: list


_MODEL = _Scope("model", None)


class _Engine:
    """One model's traces and what they share: each source's pieces, each scope's coarse
    pieces and classes, each hop component's object, the verdicts of targets alike."""

    def __init__(self, model, tracer, coarse: bool):
        self.model, self.tracer, self.coarse = model, tracer, coarse
        self._classes: dict = {}
        self._cells: dict = {}
        self._objects: dict[str, object] = {}
        self._sets: dict[tuple, PacketSet] = {}
        self._global_cuts: list[int] | None = None
        self._all: dict[str, tuple] = {}
        self._alike: dict[tuple, _Verdicts] = {}
        self._others: list | None = None
        self._starts: dict[str, list[int]] = {}
        self._fine: dict[str, list[Side]] = {}
        self._object_cuts: dict[int, list[int]] = {}
        self.entry = EntryGate(tracer, self._object)

    # ------------------------------------------------------------------ sources

    def source_sides(self, src: str) -> list[Side]:
        """The address pieces of a source (`vpcdsl.analysis.cidrpieces`) that are its own: for
        the internet, public addresses no VPC or site holds; for a site, its CIDRs' addresses
        no VPC holds (and, where sites overlap, the ones the trace gives this site)."""
        kept = source_pieces(self.model, self.tracer, src, 4)
        self._all[src] = tuple(r for s in kept for r in s.addresses)
        self._fine[src] = kept
        self._starts[src] = [s.addresses[0][0] for s in kept]
        return kept

    # ------------------------------------------------------------------ one target

    def findings(self, src: str, sides: list[Side], dst: str, kind: str, vpc: str):
        """The findings of one target from one source, and the reasons parts of it went
        unanswered: closed, else alike a target already traced, else traced in the
        narrowest scope its traces stay in."""
        tracer = self.tracer
        dst_sides = end_sides(self.model, tracer, dst)
        dst_sets = [side_packets(tracer, b, "dst") for b in dst_sides]
        if not self.coarse:
            v = self._verdicts(src, sides, dst_sides, _MODEL)
            return self._found(src, dst, kind, v, sides=v.cells, dst_sides=dst_sides, dst_sets=dst_sets)
        if src == "internet" and self._closed(sides[0], self._classes_of(_MODEL)[0][0], dst_sides):
            return [], []
        near = self._near(dst, kind, vpc)
        key = self._alike_key(dst, kind, vpc) if len(dst_sides) == 1 else None
        if key is not None and (src, key) in self._alike:
            v = self._alike[(src, key)]
            found = self._found(src, dst, kind, v, sides=v.cells, dst_sides=dst_sides, dst_sets=dst_sets,
                                near=near)
            if found is not None:
                return found
        for scope in (near, _Scope("vpc", tuple(self.model.vpcs[vpc].members), vpc=vpc),
                      _MODEL):
            cells = self._cells_of(src, sides, scope)
            try:
                v = self._verdicts(src, cells, dst_sides, scope)
            except _NotLocal:
                continue
            if scope.level == "near" and key is not None:
                self._alike[(src, key)] = v
            return self._found(src, dst, kind, v, sides=cells, dst_sides=dst_sides, dst_sets=dst_sets)
        raise AssertionError("the model scope is never left")

    def _closed(self, cell: Side, c, dst_sides: list[Side]) -> bool:
        """Whether the internet's request is dropped before any hop that looks at it (the
        end's own problem, a private address, the checks at the internet's door), for every
        node of the target: then it is dropped whatever its source and packet."""
        for b in dst_sides:
            try:
                t = self.tracer.trace(cell.text, b.text, c.protocol, c.probe or None, dst_zone=b.zone)
            except (FlowError, NotSimulated):
                return False            # reach's way says which pieces cannot be answered
            if t.allowed or t.intermittent or t.back or not t.forward or t.forward[-1].action != "drop":
                return False
            if any(h.component != "internet" and h.action != "resolve" for h in t.forward[:-1]):
                return False
        return True

    def _verdicts(self, src, cells, dst_sides, scope: _Scope) -> _Verdicts:
        """Trace every class from every cell to every node; raises _NotLocal as soon as a
        trace leaves the scope, or cannot be made (reach's pieces then say which)."""
        tracer = self.tracer
        classes = self._classes_of(scope)
        held: dict[tuple, list] = {}
        unanswered: dict[str, None] = {}
        # Per node: the NACL and groups requests meet first, once traces show them (not
        # reach's way).
        gates: list = [None if self.coarse and src == "internet" else False] * len(dst_sides)
        for i, (c, _) in enumerate(classes):
            for ai, a in enumerate(cells):
                for bi, b in enumerate(dst_sides):
                    if gates[bi] and self.entry.denies(gates[bi], a.text, c.protocol, c.probe or None):
                        continue
                    try:
                        t = tracer.trace(a.text, b.text, c.protocol, c.probe or None, dst_zone=b.zone)
                    except (FlowError, NotSimulated) as exc:
                        if scope.objects is not None:
                            raise _NotLocal from None
                        unanswered.setdefault(str(exc), None)        # one piece of the source
                        continue
                    if scope.objects is not None and not self._inside(t, scope):
                        raise _NotLocal
                    if gates[bi] is None:
                        gates[bi] = self.entry.entry(t, b.text) or False
                    elif gates[bi] and gates[bi].sgs is None:
                        self.entry.learn(gates[bi], t, b.text)
                    if not t.allowed and not t.intermittent:
                        continue
                    status = "allowed" if t.allowed else "intermittent"
                    held.setdefault((status, via_of(t), i), [set(), t])[0].add((ai, bi))
        return _Verdicts(cells, classes, held, list(unanswered))

    def _found(self, src, dst, kind, v: _Verdicts, *, sides, dst_sides, dst_sets, near=None):
        """The findings of one target from its verdicts (another target's, alike, with
        ``near`` its scope): one per status, link and address part, ranked by the worst
        packets it holds, each with the trace of its first request of that rank. None when a
        witness disagrees with the verdicts (targets not alike after all)."""
        groups: dict[tuple, list[int]] = {}
        for (status, via, i), (pieces, *_) in v.held.items():
            groups.setdefault((status, via, frozenset(pieces)), []).append(i)
        found = []
        for (status, via, pieces), members in groups.items():
            svc = PacketSet.union(v.classes[i][1] for i in members)
            by_node: dict[int, list[Side]] = {}
            for ai, bi in pieces:
                by_node.setdefault(bi, []).append(sides[ai])
            packets = PacketSet.union(PacketSet.union(map(self._side_set, cells)) & dst_sets[bi]
                                      for bi, cells in by_node.items()) & svc
            rank = rank_of(svc)
            witness = self._witness(src, packets, rank, dst_sides)
            if near is not None and (witness.status != status or not self._inside(witness, near)):
                return None
            found.append(Finding(rank, src, dst, kind, status, packets, witness, via,
                                 self._where(src, sides, dst_sides, pieces)))
        return found, v.unanswered

    def _witness(self, src: str, packets: PacketSet, rank: str, dst_sides) -> Trace:
        """The trace of the finding's first request of its worst kind (SSH before HTTPS),
        from the probe of the source piece that holds it: the same whatever pieces and
        classes decided the verdicts, and of the same verdict (a class and a piece decide
        all their packets alike)."""
        part = worst_part(packets)
        w = part.witness()
        starts = self._starts[src]
        low, high = self._fine[src][bisect_right(starts, int(w.src)) - 1].addresses[0]
        # Any address of the piece stands for it; not its first, which reads as a network's.
        source = str(IPv4Address(low + 1 if high > low else low))
        node = next((b for b in dst_sides if _holds(b, int(w.dst))), dst_sides[0])
        protocol, port = _protocol_port(w)
        return self.tracer.trace(source, node.text, protocol, port, dst_zone=node.zone)

    # ------------------------------------------------------------------ targets alike

    def _alike_key(self, name: str, kind: str, vpc: str):
        """Instances (and subnets) that sit behind the same NACL, route table, security groups
        and public address setting see the same requests alike: verdicts whose traces stay
        next to one hold for the others (each witness traced again to be sure). None for
        other kinds."""
        if kind not in ("instance", "subnet"):
            return None
        end = self.tracer.end(name)
        m = self.model
        sgs = tuple(sg.name for sg in end.sgs or ())
        rt = m.route_table_of.get(end.subnet.name)
        nacl = m.nacl_of.get(end.subnet.name)
        return (kind, vpc, bool(end.public), sgs, getattr(rt, "name", None), getattr(nacl, "name", None))

    # ------------------------------------------------------------------ scopes

    def _near(self, name: str, kind: str, vpc: str) -> _Scope:
        """The objects whose rules decide a request from outside that goes no further than
        the target: the target, its subnets (each node's), their NACLs and route tables, its
        security groups, its VPC's internet and private gateways."""
        m, dp = self.model, self.tracer.dp
        end = self.tracer.end(name)
        objs = [end.obj]
        subnets = ([h.subnet for h in dp.hosts.get(name, ())] if kind in ("lb", "interface-endpoint")
                   else [end.subnet])
        for s in dict.fromkeys(s for s in subnets if s is not None):
            objs += [s, m.nacl_of.get(s.name), m.route_table_of.get(s.name)]
        objs += list(dp.security_groups(end.obj)) if kind != "subnet" else []
        objs += [dp.igw_of.get(vpc), dp.vgw_of.get(vpc)]
        objs = tuple(o for o in dict.fromkeys(objs) if o is not None)
        return _Scope("near", objs, frozenset(map(id, objs)))

    def _inside(self, t: Trace, scope: _Scope) -> bool:
        from ..model.network import kind_of
        for h in (*t.forward, *t.back):
            obj = self._object(h.component)
            if obj == "":
                continue
            if obj is None:
                return False
            if scope.level == "near":
                if id(obj) not in scope.ids and kind_of(obj) not in _OUTSIDE_LOCAL:
                    return False
            elif (obj.name if isinstance(obj, ast.Vpc) else getattr(obj, "vpc", "")) != scope.vpc \
                    and kind_of(obj) not in _OUTSIDE_LOCAL:
                return False
        return True

    def _object(self, component: str):
        """A hop's component as its model object; "" for the internet; None if unknown."""
        if component not in self._objects:
            from ..model.network import SCOPED_KINDS
            kind, _, name = component.partition(":")
            if component == "internet":
                obj = ""
            else:
                obj = self.model.get(name, kind) if kind in SCOPED_KINDS else self.model.get(name)
            self._objects[component] = obj
        return self._objects[component]

    def _classes_of(self, scope: _Scope):
        """The scope's packet classes and their packets: TCP and UDP cut at the bounds its
        objects write (the model's, for the model scope), ICMP and other protocols the model's."""
        if scope.objects is None:
            if None in self._classes:
                return self._classes[None]
            ports = packet_classes(self.model, None)
        else:
            ports = port_classes(self.model, members=scope.objects)
        key = tuple(c.ports for c in ports if c.ports is not None)
        if key not in self._classes:
            if self._others is None:
                self._others = [(c, class_packets(self.model, c))
                                for c in packet_classes(self.model, None) if c.ports is None]
            self._classes[key] = [(c, class_packets(self.model, c)) for c in ports if c.ports is not None] \
                + self._others
        if scope.objects is None:
            self._classes[None] = self._classes[key]
        return self._classes[key]

    def _cells_of(self, src: str, sides: list[Side], scope: _Scope) -> list[Side]:
        """The source's pieces merged where no block the scope's objects write, nor one
        written outside every VPC, cuts between them: each cell is traced from its first
        piece's probe. The model scope keeps every piece."""
        if scope.objects is None:
            return sides
        starts = self._starts[src]
        # Where a new cell begins: the first piece at or after each cut (cuts between the
        # same two pieces, or outside the source, make the same cells).
        cuts = set(self._cuts_outside())
        for obj in scope.objects:
            cuts.update(self._cuts_of_object(obj))
        begins = frozenset(bisect_left(starts, c) for c in cuts) - {0, len(starts)}
        key = (src, begins)
        if key not in self._cells:
            edges = [0, *sorted(begins), len(sides)]
            self._cells[key] = [Side(sides[a].text, tuple(r for s in sides[a:b] for r in s.addresses))
                                for a, b in zip(edges, edges[1:])]
        return self._cells[key]

    def _cuts_of_object(self, obj) -> list[int]:
        if id(obj) not in self._object_cuts:
            self._object_cuts[id(obj)] = ipv4_bounds(obj)
        return self._object_cuts[id(obj)]

    def _cuts_outside(self) -> list[int]:
        if self._global_cuts is None:
            m = self.model
            self._global_cuts = [cut for group in (m.tgws, m.sites, m.vpns, m.dxs)
                                 for cut in ipv4_bounds(tuple(group.values()))]
            self._global_cuts += ipv4_bounds(tuple(m.advertisements))
        return self._global_cuts

    def _side_set(self, side: Side) -> PacketSet:
        """The packets from one source cell, built once: targets' scopes share most cells."""
        key = (side.text, side.addresses)
        got = self._sets.get(key)
        if got is None:
            got = self._sets[key] = side_packets(self.tracer, side, "src")
        return got

    def _where(self, src: str, src_sides, dst_sides, pieces) -> str:
        """``from 203.0.113.0/24``, ``from all but 198.51.100.0/28`` (whichever is shorter),
        ``to 10.0.1.4/32`` (one node of an LB): empty when it is all of them."""
        words = []
        every = self._all[src]
        part = tuple(sorted({r for ai, _ in pieces for r in src_sides[ai].addresses}))
        if merged(part) != merged(every):
            held, rest = range_cidrs(part), range_cidrs(minus(every, part))
            words.append(f"from {listed(held)}" if len(held) <= len(rest) else f"from all but {listed(rest)}")
        nodes = {r for _, bi in pieces for r in dst_sides[bi].addresses}
        if nodes and nodes != {r for b in dst_sides for r in b.addresses}:
            words.append(f"to {listed(range_cidrs(tuple(sorted(nodes))))}")
        return "; ".join(words)


# ---------------------------------------------------------------------------- helpers

def _protocol_port(packet) -> tuple[str, str | None]:
    if packet.protocol in (6, 17):
        return ("tcp" if packet.protocol == 6 else "udp"), str(packet.dport)
    if packet.protocol == 1:
        return "icmp", str(packet.icmp_type)
    return str(packet.protocol), None


def _holds(side: Side, value: int) -> bool:
    return any(low <= value <= high for low, high in side.addresses)
