"""What can reach what, for all packets at once: ``reach(model, src, dst=None, packets=None)``.

The answer has the semantics of `trace` for every request at once: a request is
*allowed* when it is delivered and its response returns to every port of the
client's ephemeral range, *intermittent* when it is delivered but only some
client ports (or some of a load balancer's targets) work, and *blocked*
otherwise. It is exact, not sampled: every decision a trace makes depends on
the packet only through the blocks and port bounds written in the model, so
header space splits into classes that every rule treats alike — protocol and
port classes (`vpcdsl.analysis.flowsets`) times address pieces of the CIDR ends
(`vpcdsl.analysis.cidrpieces`) — and one trace per class decides the class.
`internet` stands for every public address (the pieces of the public space).
The requests of each verdict are a `vpcdsl.packetsets.PacketSet` (source port
left whole: the client picks it from its ephemeral range), and each row keeps
the trace of its first class as its witness.

Cost: one trace per destination, class and group of address pieces that the
traced path sees alike (`vpcdsl.analysis.piece_classes`; each piece alone where
the path holds a component whose view it does not capture), so linear in the
destinations for a fixed model's classes; `reach(src)` over every destination
of the model is the destinations times the classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv6Address, ip_address, ip_network
from typing import Iterator

from ..aws import SERVICES, public_blocks
from ..flows.flow import FlowError, NotSimulated, Trace, parse_address
from ..flows.hops.nat_gateway import NAT64_PREFIX
from ..packetsets import EMPTY_SET, PacketSet
from ..protocols import icmp_type_number, protocol_number
from ..syntax import ast
from .address_ranges import part_words
from .cidrpieces import cidr_pieces
from .flowsets import PacketClass, named_icmp_types, named_protocols, packet_classes

STATUSES = ("allowed", "intermittent", "blocked")
_VIA_KINDS = ("gateway", "peering", "endpoint", "lb")
_PUBLIC_V4 = ip_network("0.0.0.0/0")


@dataclass(frozen=True)
class ReachRow:
    """The requests from ``src`` to ``dst`` that share a verdict, and the trace of one."""

    src: str
    dst: str
    status: str                  # allowed | intermittent | blocked
    packets: PacketSet
    witness: Trace
    via: str                     # the gateway, peering, endpoint or LB the witness took; "local"
    where: str = ""              # the part of a range end (internet, CIDR, VPC) it holds, if not all
    family: int = 4              # 4 or 6: a row holds requests of one address family

    @property
    def service(self) -> str:
        """The protocols and ports of the row, in words (``tcp 443; icmp echo-request``)."""
        return "; ".join(dict.fromkeys(r.service for r in self.packets.rows()))

    @property
    def place(self) -> str:
        """The part of a range end it holds, after "IPv6" for an IPv6 row (`place_words`)."""
        return place_words(self.family, self.where)

    @property
    def words(self) -> str:
        """The service and its `place`, as a table shows them: ``tcp 22 (IPv6)``."""
        return self.service + (f" ({self.place})" if self.place else "")

    def to_dict(self) -> dict:
        return {"src": self.src, "dst": self.dst, "status": self.status, "service": self.service,
                "family": f"ipv{self.family}", "where": self.where, "via": self.via, "packets": self.packets.to_dict(), "witness": self.witness.to_dict()}


def place_words(family: int, where: str) -> str:
    """``where`` (the addresses a row or finding holds), after "IPv6" for an IPv6 one:
    ``IPv6, from 2001:db8::/32``."""
    return ", ".join(x for x in ("IPv6" if family == 6 else "", where) if x)


@dataclass(frozen=True)
class Reach:
    """Every row of a reach question, sorted by source, destination and status."""

    src: str | None
    dst: str | None
    rows: tuple[ReachRow, ...]
    skipped: tuple[tuple[str, str, str], ...] = ()    # (src, dst, why) pairs no trace can answer
    model: object = field(default=None, repr=False, compare=False)

    def _select(self, status: str, src: str | None, dst: str | None) -> PacketSet:
        return PacketSet.union(r.packets for r in self.rows if r.status == status
                               and (src is None or r.src == src) and (dst is None or r.dst == dst))

    def allowed(self, dst: str | None = None, *, src: str | None = None) -> PacketSet:
        return self._select("allowed", src, dst)

    def intermittent(self, dst: str | None = None, *, src: str | None = None) -> PacketSet:
        return self._select("intermittent", src, dst)

    def blocked(self, dst: str | None = None, *, src: str | None = None) -> PacketSet:
        return self._select("blocked", src, dst)

    def status_of(self, packet, *, src: str | None = None, dst: str | None = None) -> str | None:
        """The verdict of one request (a `vpcdsl.packetsets.Packet`), None if no row holds it."""
        for r in self.rows:
            if (src is None or r.src == src) and (dst is None or r.dst == dst) and packet in r.packets:
                return r.status
        return None

    def reachable(self) -> list[ReachRow]:
        return [r for r in self.rows if r.status != "blocked"]

    def table(self, *, blocked: bool = False) -> str:
        """The rows as `vpcdsl reach` prints them (blocked rows only with ``blocked``)."""
        rows = [r for r in self.rows if blocked or r.status != "blocked"]
        head = ("from", "to", "packets", "via", "verdict")
        body = [(r.src, r.dst, r.words, r.via, r.status.upper()) for r in rows]
        if not body:
            what = (f"{self.src} reaches nothing" if self.dst is None else
                    f"nothing reaches {self.dst}" if self.src is None else
                    f"{self.src} cannot reach {self.dst}")
            return "\n".join([what, *(f"not answered: {s} -> {d}: {why}" for s, d, why in self.skipped)])
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        for s, d, why in self.skipped:
            lines.append(f"not answered: {s} -> {d}: {why}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"version": 1, "src": self.src, "dst": self.dst,
                "rows": [r.to_dict() for r in self.rows],
                "skipped": [{"src": s, "dst": d, "why": w} for s, d, w in self.skipped]}

    def _repr_pretty_(self, p, cycle):
        p.text(self.table())

    def _repr_html_(self) -> str:
        from ..views.notebook.rich import reach_repr_html
        return reach_repr_html(self)


# ---------------------------------------------------------------------------- ends

def flow_ends(model) -> list[str]:
    """The ends a reach question ranges over: instances, load balancers, interface endpoints,
    sites, the internet and the AWS services the model's endpoints name, in that order."""
    names = []
    for kind in (ast.Instance, ast.LoadBalancer, ast.InterfaceEndpoint):
        names += [o.name for o in _objects(model) if isinstance(o, kind)]
    names += list(model.sites)
    names.append("internet")
    services = {o.service.name for o in _objects(model)
                if isinstance(o, (ast.GatewayEndpoint, ast.InterfaceEndpoint)) and o.service.name in SERVICES}
    return names + sorted(services)


def _objects(model) -> Iterator:
    for vpc in model.vpcs.values():
        yield from vpc.members


@dataclass(frozen=True)
class Side:
    """One address piece of an end: the text to trace and the addresses it stands for."""

    text: str                   # what the trace is given (the end, or a piece's probe address)
    addresses: tuple            # inclusive integer ranges (low, high), or () for "the end's own"
    zone: str | None = None     # the AZ of the node it stands for (a zonal destination's)


def end_sides(model, tracer, text: str, family: int = 4, *, as_dst: bool = False) -> list[Side]:
    """The address pieces an end is traced from or (``as_dst``) to in ``family``: the
    internet's (`_internet_sides`) and a CIDR's pieces (`vpcdsl.analysis.cidrpieces`), a VPC's
    subnets' pieces, each node of a load balancer or interface endpoint with several, else
    the end itself."""
    if text == "internet":
        key = ("internet", family, as_dst)
        if key not in tracer.memo:
            tracer.memo[key] = _internet_sides(model, tracer, family, as_dst)
        return list(tracer.memo[key])
    try:
        block = ip_network(text, strict=False)
    except ValueError:
        block = None
    if block is not None:
        pieces = cidr_pieces(model, block)
        if not pieces:
            raise FlowError(f"{text} holds only addresses AWS reserves: no host has one",
                            "a subnet's first four and last addresses are reserved")
        return [Side(str(p.probe), ((int(p.low), int(p.high)),)) for p in pieces]
    vpc = model.vpcs.get(text)
    if vpc is not None and model.get(text) is vpc:
        return [side for s in tracer.dp.vpc_subnets.get(text, ()) if family == 4 or s.ipv6 is not None
                for side in end_sides(model, tracer, s.name, family)]
    if text not in SERVICES and tracer.end(text).kind in ("lb", "interface-endpoint"):
        # Each node on its own: DNS gives a client any of them, and each sits in its own
        # subnet behind its own NACL.
        nodes = [h for h in tracer.dp.hosts.get(text, ())
                 if (a := _host_address(h, family)) is not None]
        if len(nodes) > 1:
            return [Side(text, ((int(a), int(a)),), h.subnet.zone) for h in nodes
                    if (a := _host_address(h, family)) is not None]
    return [Side(text, ())]


def _internet_sides(model, tracer, family: int, as_dst: bool) -> list[Side]:
    """The internet's address pieces: the public space but what a VPC or a site holds (IPv6
    VPC blocks are public addresses, and so are some sites' ranges), as a trace sees it.
    Over IPv6, as a destination, the NAT64 prefix 64:ff9b::/96 stands for the IPv4 internet
    a NAT gateway translates it to: the IPv4 internet's pieces, mapped into the prefix and cut
    by the IPv6 blocks written inside it, so that filters on both sides see each piece whole
    (an address that embeds a private IPv4 one is no internet host's)."""
    sides = [Side(str(p.probe), ((int(p.low), int(p.high)),))
             for block in public_blocks(family) for p in cidr_pieces(model, block)
             if tracer.address_end(str(p.probe), p.probe).kind == "internet"]
    if family == 6 and as_dst:
        base = int(NAT64_PREFIX.network_address)
        cuts = sorted({int(p.low) for p in cidr_pieces(model, NAT64_PREFIX)})
        for v4 in end_sides(model, tracer, "internet", 4, as_dst=True):
            low, high = v4.addresses[0]
            probe = int(ip_address(v4.text))
            inner = [c - base for c in cuts if low < c - base <= high]
            for a, b in zip([low, *inner], [*inner, high + 1]):
                at = probe if a <= probe < b else a
                sides.append(Side(str(IPv6Address(base + at)), ((base + a, base + b - 1),)))
        sides.sort(key=lambda s: s.addresses)
    return sides


def _host_address(host, family: int):
    """A host's address of ``family`` (None if it has none)."""
    address = host.address if family == 4 else getattr(host, "ipv6", None)
    return address if address is not None and address.version == family else None


# ---------------------------------------------------------------------------- the question

def reach(model, src: str | None, dst: str | None = None, packets: PacketSet | None = None, *,
          among=None) -> Reach:
    """The requests from ``src`` that each destination accepts (``dst`` None: every end of
    `flow_ends`, or of those in ``among``), or with ``src`` None, who can reach ``dst``.
    ``packets`` narrows the requests asked about. Raises FlowError for an unknown end."""
    from ..flows.trace import Tracer
    if src is None and dst is None:
        raise FlowError("reach needs a source, a destination or both", "reach web-1, or --to db-1")
    if isinstance(packets, str):
        packets = service_packets(packets)
    tracer = Tracer(model)
    for end in (src, dst):
        if end is not None and end != "internet" and end not in SERVICES:
            _check_end(tracer, end)
    ends = flow_ends(model)
    # AWS services take requests from the internet without the model: not asked unless named.
    pairs = [(src, d) for d in ([dst] if dst is not None else
                                [e for e in ends if among is None or e in among])
             if d != src and not (d in SERVICES and dst is None and src == "internet")] if src is not None \
        else [(s, dst) for s in ends if s != dst and s not in SERVICES
              and not (s == "internet" and dst in SERVICES)]
    rows: list[ReachRow] = []
    skipped = []
    for family in families(model):
        classes = [(c, class_packets(model, c, family)) for c in packet_classes(model, None, family)]
        asked = [(s, d) for s, d in pairs if in_family(tracer, s, family) and in_family(tracer, d, family)]
        if family == 6 and packets is not None:
            asked = asked if packets & PacketSet.box(family=1) else []
        for s, d in asked:
            try:
                found, unanswered = pair_rows(model, tracer, s, d, classes, packets, family)
                if unanswered and s == src and d == dst and family == 4:
                    raise unanswered[0]          # no piece of the ends asked about can hold a flow
                rows.extend(found)
                skipped.extend((s, d, str(exc)) for exc in unanswered)
            except NotSimulated as exc:
                skipped.append((s, d, str(exc)))
            except FlowError as exc:
                if s == src and d == dst and family == 4:
                    raise
                skipped.append((s, d, str(exc)))
    order = {name: i for i, name in enumerate(ends)}
    rows.sort(key=lambda r: (order.get(r.src, -1), r.src, order.get(r.dst, -1), r.dst, r.family,
                             STATUSES.index(r.status)))
    return Reach(src, dst, tuple(rows), tuple(skipped), model)


def families(model) -> tuple[int, ...]:
    """The address families a model's flows can take: IPv4, and IPv6 where some subnet has
    an IPv6 block (only hosts in such a subnet have IPv6 addresses)."""
    cache = model.__dict__
    if "_families" not in cache:     # asked per reach and per expectation: one walk per model
        v6 = any(s.ipv6 is not None and s.ipv6.net is not None
                 for vpc in model.vpcs.values() for s in vpc.members if isinstance(s, ast.Subnet))
        cache["_families"] = (4, 6) if v6 else (4,)
    return cache["_families"]


def in_family(tracer, text: str, family: int) -> bool:
    """Whether an end takes part in flows of ``family``: a literal or CIDR of it, the internet,
    a VPC with a subnet of it, a site with a CIDR of it, a host with an address of it. AWS
    services are asked about over IPv4 (their published ranges are)."""
    if text == "internet":
        return True
    if text in SERVICES:
        return family == 4
    try:
        return ip_network(text, strict=False).version == family
    except ValueError:
        pass
    model = tracer.model
    vpc = model.vpcs.get(text)
    if vpc is not None and model.get(text) is vpc:
        return family == 4 or any(s.ipv6 is not None for s in tracer.dp.vpc_subnets.get(text, ()))
    site = model.sites.get(text)
    if site is not None and model.get(text) is site:
        return any(c.net is not None and c.net.version == family for c in site.cidrs)
    if family == 4:
        return True
    try:
        end = tracer.end(text, family=6)
    except (FlowError, NotSimulated):
        return False
    # a `down` host keeps its address: it takes part, blocked (its problem is not the family's)
    return end.address is not None and (end.problem is None or getattr(end.obj, "down", False))


def service_packets(text: str) -> PacketSet:
    """The requests a service text names: ``tcp/443``, ``tcp/1024-65535``, ``udp``,
    ``icmp/echo-request``, ``esp`` or a protocol number, ``any``; several joined by commas.
    Over IPv4 and IPv6, but ICMP (IPv4's) and ICMPv6 (IPv6's). Raises FlowError for a text
    it cannot read.

    >>> print(service_packets("tcp/22, tcp 3389, icmp").summary())
    0.0.0.0/0 -> 0.0.0.0/0: icmp any
    0.0.0.0/0 -> 0.0.0.0/0: tcp 22, 3389
    ::/0 -> ::/0: tcp 22, 3389
    """
    out = EMPTY_SET
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, arg = " ".join(part.split()).replace(" ", "/", 1).partition("/")
        name = name.lower()
        number = protocol_number(name)
        if number is None:
            raise FlowError(f"cannot read the service {part!r}: unknown protocol {name!r}",
                            "write tcp/443, tcp/1024-65535, udp, icmp/echo-request, any or a protocol number")
        if number == -1:
            out |= PacketSet.box()
            continue
        box = {"family": 0 if number == 1 else 1 if number == 58 else None, "protocol": number}
        if arg:
            if number in (6, 17):
                low, _, high = arg.partition("-")
                if not low.isdigit() or (high and not high.isdigit()) or \
                        not int(low) <= int(high or low) <= 65535:
                    raise FlowError(f"cannot read the ports {arg!r} of {part!r}",
                                    "write a port or a range from 0 to 65535, e.g. tcp/443 or tcp/1024-65535")
                box["dport"] = (int(low), int(high or low))
            elif number in (1, 58) and icmp_type_number(number, arg) is not None:
                box["icmp_type"] = icmp_type_number(number, arg)
            else:
                raise FlowError(f"cannot read {arg!r} in {part!r}",
                                f"{name} takes {'an ICMP type, e.g. icmp/echo-request' if number in (1, 58) else 'no port'}")
        out |= PacketSet.box(**box)
    if not out:
        raise FlowError(f"cannot read the service {text!r}", "write tcp/443, udp, icmp or any")
    return out


def _check_end(tracer, text: str) -> None:
    try:
        ip_network(text, strict=False)
        return
    except ValueError:
        pass
    if tracer.model.vpcs.get(text) is not None:
        return
    tracer.end(text)                                  # raises FlowError for an unknown end


def pair_rows(model, tracer, src: str, dst: str, classes: list[tuple[PacketClass, PacketSet]],
               packets: PacketSet | None, family: int = 4, *,
               src_sides: list[Side] | None = None) -> tuple[list[ReachRow], list[FlowError]]:
    """The rows of one pair of ends in one address family: per verdict, the classes held by
    the same address pieces of a range end share a row (so "tcp 443 from the internet" and
    "tcp 22 from 203.0.113.0/24" are two rows, not one muddle). ``src_sides``: the pieces
    ``src`` stands for, if not its `end_sides` (exposure's site: its own addresses)."""
    if src_sides is None:
        src_sides = end_sides(model, tracer, src, family)
    dst_sides = end_sides(model, tracer, dst, family, as_dst=True)
    src_sets = [side_packets(tracer, a, "src", family=family) for a in src_sides]
    # A service's addresses are its published ranges in the client's region, as the walk's.
    dst_sets = [side_packets(tracer, b, "dst", _region(tracer, src_sides[0].text) if src_sides else None,
                             family) for b in dst_sides]
    # (status, class index) -> [pieces, requests, first trace]
    held: dict[tuple, list] = {}
    unanswered: dict[str, FlowError] = {}
    # IPv6 pieces are traced one by one (`PathViews` reads IPv4 blocks).
    views = _views(tracer, src, dst, src_sides, dst_sides) if packets is None and family == 4 else None
    seen: dict[tuple, dict] = {}          # (class, fixed side) -> {path: {view: trace}}
    if views is not None:
        varying = src_sides if views[1] == "src" else dst_sides
        addresses = {id(x): int(ip_address(x.text)) for x in varying}
    for i, (c, service) in enumerate(classes):
        for k, (a, a_set) in enumerate(zip(src_sides, src_sets)):
            for m, (b, b_set) in enumerate(zip(dst_sides, dst_sets)):
                request = (k, m)          # made once per row below: the algebra is the cost
                protocol, probe = c.protocol, c.probe or None
                if packets is not None:
                    request = service & a_set & b_set & packets
                    if not request:
                        continue
                    protocol, probe = class_probe(c, request.witness())
                piece = None
                if views is not None:
                    side, fixed = (a, m) if views[1] == "src" else (b, k)
                    piece, reps = addresses[id(side)], seen.setdefault((i, fixed), {})
                    t = next((t for path, traced in reps.items()
                              if (t := traced.get(views[0].view_on(path, piece))) is not None), None)
                    if t is not None:
                        _hold(held, t, i, a, b, request)
                        continue
                try:
                    t = tracer.trace(a.text, b.text, protocol, probe, dst_zone=b.zone, family=family)
                except NotSimulated:
                    raise                      # the pair is not answered, not a piece passed over
                except FlowError as exc:
                    if not (a.addresses or b.addresses):
                        raise                  # the ends themselves: the pair is not answered
                    # A piece no host can have (a private block outside every VPC and
                    # site) holds no flow: passed over, as the reserved addresses are.
                    unanswered.setdefault(str(exc), exc)
                    continue
                if piece is not None:
                    path = views[0].path_of(t)
                    if path is not None:
                        reps.setdefault(path, {})[views[0].view_on(path, piece)] = t
                _hold(held, t, i, a, b, request)
    pair_sets: dict[tuple[int, int], PacketSet] = {}
    for (*_, i), entry in held.items():
        if packets is None:
            entry[1] = [classes[i][1] & PacketSet.union(
                pair_sets.get(km) or pair_sets.setdefault(km, src_sets[km[0]] & dst_sets[km[1]])
                for km in entry[1])]
    groups: dict[tuple, list] = {}
    for (status, kind, via, _), (pieces, requests, t) in held.items():
        groups.setdefault((status, kind, via, frozenset(pieces)), []).append((requests, t))
    every = ({r for a in src_sides for r in a.addresses}, {r for b in dst_sides for r in b.addresses})
    by_node = [any(x.zone for x in sides) for sides in (src_sides, dst_sides)]   # an LB's nodes
    rows = []
    for (status, _, _, pieces), members in groups.items():
        ranges = ({r for a_key, _ in pieces for r in a_key}, {r for _, b_key in pieces for r in b_key})
        where = [f"{word} {part_words(part, whole, family, cover=not nodes)}"
                 for word, part, whole, nodes in zip(("from", "to"), ranges, every, by_node)
                 if part and part != whole]
        first = members[0][1]
        rows.append(ReachRow(src, dst, status, PacketSet.union(r for requests, _ in members for r in requests),
                             first, via_of(first), "; ".join(where), family))
    return rows, ([] if held else list(unanswered.values())[:1])


def _hold(held: dict, t: Trace, i: int, a: Side, b: Side, request) -> None:
    status = t.status
    # Blocked rows are told apart by what blocked them (`expect ... blocked by sg`), rows that
    # get through by the gateway or link they take.
    entry = held.setdefault((status, t.kind if status != "allowed" else None,
                             via_of(t) if status != "blocked" else None, i), [set(), [], t])
    entry[0].add((a.addresses, b.addresses))
    entry[1].append(request)


def _views(tracer, src: str, dst: str, src_sides: list[Side], dst_sides: list[Side]):
    """(`PathViews` of the fixed end, which end varies) where one end is address pieces of a
    range and the other one named end, else None (`vpcdsl.analysis.piece_classes`)."""
    from .piece_classes import PathViews
    pieces = [len(x) > 1 and all(s.addresses and s.zone is None and _is_address(s.text) for s in x)
              for x in (src_sides, dst_sides)]
    if pieces[0] == pieces[1]:
        return None
    fixed = dst if pieces[0] else src
    if fixed in SERVICES or fixed == "internet" or _is_address(fixed):
        return None
    try:
        return PathViews(tracer, fixed), "src" if pieces[0] else "dst"
    except (FlowError, NotSimulated):
        return None


def _is_address(text: str) -> bool:
    return "/" not in text and parse_address(text) is not None


def class_probe(c: PacketClass, packet) -> tuple[str, str | None]:
    """The protocol and port (or ICMP type) that trace ``packet``, a request of class ``c``
    (every packet of a class has the class's verdict, so the witness may stand for it)."""
    if c.ports is not None:
        return c.protocol, str(packet.dport)
    if protocol_number(c.protocol) in (1, 58):
        return c.protocol, str(packet.icmp_type)
    return str(packet.protocol), None


def class_packets(model, c: PacketClass, family: int = 4) -> PacketSet:
    """Every packet of ``family`` a class of `vpcdsl.analysis.flowsets` stands for: its
    protocol and port range, or its ICMP type, where the class of an unnamed type (or
    protocol) is every type (or protocol) no rule names."""
    f = 0 if family == 4 else 1
    number = protocol_number(c.protocol)
    if c.ports is not None:
        return PacketSet.box(family=f, protocol=number, dport=(c.ports[0], c.ports[1] - 1))
    if number in (1, 58):
        named = named_icmp_types(model, number)
        value = int(c.probe) if c.probe.isdigit() else icmp_type_number(number, c.probe)
        if value in named:
            return PacketSet.box(family=f, protocol=number, icmp_type=value)
        every = PacketSet.box(family=f, protocol=number)
        return every - PacketSet.union(PacketSet.box(family=f, protocol=number, icmp_type=t) for t in named)
    named = named_protocols(model)
    if number in named:
        return PacketSet.box(family=f, protocol=number)
    every = PacketSet.box(family=f) - PacketSet.union(
        PacketSet.box(family=f, protocol=p) for p in (1, 6, 17, 58, *named))
    return every


def _region(tracer, text: str) -> str | None:
    """The region of the VPC an end is in (None for the internet, a site, a CIDR outside)."""
    if text in SERVICES:
        return None
    try:
        end = tracer.end(text)
    except FlowError:
        return None
    return getattr(tracer.model.vpcs.get(end.vpc or ""), "region_name", None)


def side_packets(tracer, side: Side, key: str, region: str | None = None, family: int = 4) -> PacketSet:
    """Every packet of ``family`` from (``key`` "src") or to (``key`` "dst") the side's addresses."""
    f = 0 if family == 4 else 1
    ranges = side.addresses or _end_addresses(tracer, side.text, region, family)
    if ranges is None:
        return PacketSet.box(family=f)
    return PacketSet.union(PacketSet.box(family=f, **{key: r}) for r in ranges)


def _end_addresses(tracer, text: str, region: str | None = None, family: int = 4):
    """A named end's addresses of ``family`` as inclusive integer ranges (every node of a load
    balancer or interface endpoint), or None for "any" (a service without published ranges)."""
    if text in SERVICES:
        from ..service_ranges import service_ranges
        blocks, published = service_ranges(text, region)
        if not published:
            return None
        return [(int(b.network_address), int(b.broadcast_address)) for b in blocks]
    end = tracer.end(text, family=family)
    hosts = tracer.dp.hosts.get(text, ()) if end.kind in ("lb", "interface-endpoint") else ()
    addresses = [a for h in hosts if (a := _host_address(h, family)) is not None] or \
        ([end.address] if end.address is not None else [])
    return [(int(x), int(x)) for x in addresses if x.version == family] or None


def via_of(t: Trace) -> str:
    """The component of the first gateway, peering, endpoint or LB hop of ``t``'s forward
    path; "local" when it takes none."""
    for h in t.forward:
        if h.kind in _VIA_KINDS:
            return h.component
    return "local"


__all__ = ["Reach", "ReachRow", "reach", "flow_ends", "families", "in_family", "service_packets", "class_packets", "class_probe",
           "public_blocks", "STATUSES",
           "Side", "end_sides", "side_packets", "via_of", "pair_rows", "place_words"]
