"""Concrete flows, hop by hop: does a packet get there, and does its answer get back?

`trace(model, src, dst, "tcp", 443)` walks the request through security
groups, network ACLs, route tables and gateways, then walks the response back
to every port of the client's ephemeral range. Every hop records what it did
to the packet and the source span of the rule or route that decided. The
verdict names the first component that stopped the flow and its kind (`sg`,
`nacl`, `route`, `peering`, `gateway`, `endpoint`, `lb`), as SEMANTICS.md
defines them.

Beyond one packet through filters and routes (choices where AWS or
SEMANTICS.md leave it open are marked *):

- Load balancers: the client reaches the LB node in its own AZ (else the
  first; from the internet, the first)*, through the LB's SGs (ALB, CLB; an
  NLB only with `sg`); a listener on the port whose transport fits accepts it
  (`lb` otherwise); then the LB is the client of a leg to a target (its SGs'
  egress, NACLs, routes, the target's NACL and SG, the response to ports
  1024-65535), tried in order until one is reachable; none reachable is
  `lb`, with the last target's reason and deciding line. The target is the
  first `source-ip` rule's holding the client's address, else the listener's
  default ones: path, host, header, method and query need an HTTP request,
  which a concrete flow does not carry*. An NLB keeps the client's address
  for instance targets and for UDP (client IP preservation); the nodes
  forward across AZs*. Internal LBs have no public address (`lb` from the
  internet).
- Interface endpoints with `private-dns`: a flow from the endpoint's VPC to
  its service goes to the endpoint's interface in the client's AZ (else the
  first), through its SGs, then to the service.
- Amazon DNS (169.254.169.253, the primary block + 2), instance metadata
  (169.254.169.254) and Amazon Time Sync (169.254.169.123), and their IPv6
  fd00:ec2:: addresses: delivered from any host of the VPC whatever the port*,
  without SG or NACL. Multicast, 255.255.255.255 and a subnet's last address
  are dropped (`route`): a VPC supports neither broadcast nor multicast.
- Transit gateways: the sender's AZ needs an attachment subnet (`gateway`);
  the TGW route table decides (longest prefix; static beats propagated;
  blackhole), the packet enters the chosen VPC at its attachment subnet in
  the same AZ (else the first) and follows that subnet's route table. NACLs
  see each packet crossing an attachment as the TGW guide says (SEMANTICS.md,
  NACLs and TGW attachments): instance→TGW traffic the instance subnet's
  outbound and the attachment subnet's inbound rules, TGW→instance traffic
  the attachment subnet's outbound and the instance subnet's inbound rules;
  in the attachment subnet itself, its outbound and inbound rules see
  instance→TGW traffic and none TGW→instance traffic. The
  device that answers (the destination, a NAT, an appliance) needs a route
  back to the TGW and the TGW a route back to the sender's VPC. SG
  references do not cross a TGW; an IGW or EIGW does not carry another VPC's
  untranslated addresses, nor a gateway endpoint another VPC's traffic.
- NAT instance `forward`: from the internet only*, with the source/dest
  check off; the forwarded instance's subnet must route the client back
  through the NAT instance.
- A VPC as a flow end: one trace per subnet probe (`Tracer.traces`);
  `trace` returns the first blocked one, else the first.
- IPv6: a flow is IPv6 when it is `icmpv6` or an end is an IPv6 literal;
  hosts use their IPv6 address, and an end without one is blocked
  (`route`). A NAT gateway translates IPv6 only to 64:ff9b::/96 (NAT64, in
  `vpcdsl.flows.hops.nat_gateway`); NAT instances do not translate IPv6.
- On-premises sites over VPN and Direct Connect (VGW path choice, TGW
  attachments, CloudHub, public VIFs, software VPNs): see `vpcdsl.flows.hops.site`.

The code: this module is the walk's core (the `Tracer`, the route-table loop,
arrivals, filters and the return walk). Each component kind's steps are a hop
handler in `vpcdsl.flows.hops` (the table `HANDLERS`, the interface in
`vpcdsl.flows.hops.base`); `vpcdsl.flows.ends` resolves flow ends,
`vpcdsl.flows.flow` holds the packet, hop, end and trace types,
`vpcdsl.flows.filters` the NACL and SG evaluation and `vpcdsl.flows.sitelinks`
the links and the VGW's path choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterator

from ..aws import SERVICES
from ..span import Span
from ..syntax import ast
from ..protocols import ECHO_REQUEST, icmp_type_number, protocol_number
from .dataplane import DataPlane
# Re-exported: the flow's types and the filter functions keep their `vpcdsl.flows.trace` names.
from .ends import LINK_LOCAL_SERVICES, address_end, flow_end
from ..service_ranges import RANGES_DATE, representative, service_ranges
from .filter_steps import nacl_response_step, nacl_step, sg_step
from .filters import Header, Match, Peer, Ranges, nacl_port_split, nacl_verdict, sg_verdict
from .flow import (INTERNET_V4, End, FlowError, Hop, NotSimulated, Packet, Trace, _word,
                   node_id, parse_address, public_label)
from .hops import HANDLERS, HopHandler, Internet, Leaving, LeavingSubnet, ReturnObligation
from .hops.transit_gateway import answered

KINDS = ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")

_MAX_LEGS = 16


class Tracer:
    """Traces flows on one model; builds nothing per trace (see `vpcdsl.flows.dataplane`)."""

    def __init__(self, model):
        self.model = model
        self.dp: DataPlane = model.dataplane

    # ------------------------------------------------------------------ ends

    def end(self, text: str, *, other_v6: bool = False, family: int | None = None,
            near: str | None = None) -> End:
        """Resolve one flow end (`vpcdsl.flows.ends.flow_end`)."""
        return flow_end(self.model, self.dp, text, other_v6=other_v6, family=family, near=near)

    def address_end(self, text: str, address) -> End:
        """The end an address literal stands for (`vpcdsl.flows.ends.address_end`)."""
        return address_end(self.model, self.dp, text, address)

    # ------------------------------------------------------------------ entry point
    # ------------------------------------------------------------------ entry point

    def trace(self, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
        """One concrete flow. Where an end is a VPC, the flow is traced from or to each of its
        subnets (a probe each): the first blocked trace is returned, else the first."""
        first = None
        for t in self.traces(src, dst, protocol, port):
            if not t.allowed:
                return t
            if first is None:
                first = t
        return first

    def traces(self, src: str, dst: str, protocol: str, port: str | int | None = None
               ) -> Iterator[Trace]:
        """Every concrete trace of a flow: one, or one per subnet probe where an end is a VPC
        (every source subnet with every destination subnet, in source order)."""
        protocol, port = _normalise(protocol, port)
        family = _family(src, dst, protocol)
        flow = f"{src} -> {dst} {protocol}{' ' + port if port else ''}"
        srcs, dsts = self._expand(src), self._expand(dst)
        for s in srcs:
            src_end = self.end(s, family=family)
            for d in dsts:
                dst_end = self._dst_end(d, src_end, family)
                walk = _Walk(self, src_end, dst_end, protocol, port)
                t = walk.run(flow)
                if s != src or d != dst:
                    probes = " and ".join(f"subnet '{n}'" for n, o in ((s, src), (d, dst)) if n != o)
                    t = replace(t, reason=f"probe of {probes}: {t.reason}")
                yield t

    def _expand(self, text: str) -> list[str]:
        """A VPC name stands for each of its subnets (LANGUAGE.md §4); any other end for itself."""
        vpc = self.model.vpcs.get(text)
        if vpc is None or self.model.get(text) is not vpc:
            return [text]
        subnets = self.dp.vpc_subnets.get(text, ())
        if not subnets:
            raise FlowError(f"VPC '{text}' has no subnet to trace from or to",
                            "a VPC as a flow end stands for a probe in each of its subnets")
        return [s.name for s in subnets]

    def _dst_end(self, text: str, src: End, family: int) -> End:
        """The destination as the source sees it: a service name goes to this VPC's interface
        endpoint when that has private DNS; zonal ends pick the node in the source's AZ."""
        zone = src.subnet.zone if src.subnet is not None else None
        if text in SERVICES and src.vpc is not None:
            ep = self.dp.private_dns.get((src.vpc, text))
            if ep is not None:
                end = self.end(ep.name, family=family, near=zone)
                end.text = text
                end.note = (f"interface-endpoint:{ep.name}", "endpoint",
                            f"private DNS: {text} resolves to interface endpoint '{ep.name}' "
                            f"({end.address}) in VPC '{ep.vpc}'", ep.span)
                return end
        end = self.end(text, family=family, near=zone)
        if end.kind == "service" and src.vpc is not None:
            end.note = _service_note(self.model, text, src)
        return end


def _service_note(model, service: str, src: End) -> tuple:
    """The `End.note` of a service end: where its addresses come from, and the one address
    that stands for them in print (`vpcdsl.service_ranges`)."""
    vpc = model.vpcs.get(src.vpc or "")
    region = getattr(vpc, "region_name", None)
    blocks, published = service_ranges(service, region)
    where = f" in {region}" if region else ""
    if published:
        what = (f"{service}{where} has {len(blocks)} published IPv4 ranges (AWS ip-ranges.json "
                f"of {RANGES_DATE}), such as {representative(service, region)}")
    else:
        what = (f"{service}{where} has no ranges of its own in AWS ip-ranges.json (of "
                f"{RANGES_DATE}): any public IPv4 address")
    return (f"service:{service}", "service", what + "; each filter decides every range", None)


# ---------------------------------------------------------------------------- the walk

@dataclass
class _Crossing:
    """The request crossed a subnet boundary: the response meets NACLs there too.

    ``back`` lists them in the order the response meets them, each with the direction whose
    rules see it: normally the entered subnet's outbound rules, then the left subnet's
    inbound ones; a TGW attachment can differ (docs/SEMANTICS.md, NACLs and TGW attachments).
    """

    left: ast.Subnet | None
    entered: ast.Subnet | None
    src: Any                 # the request's source address at that point (the response's target)
    dst: Any                 # the request's destination (the response's source)
    client_ports: tuple[int, int]
    after: int = 0           # how many return obligations the request had recorded before it
    protocol: tuple = ()     # (name, number, ICMP type) there: NAT64 turns ICMPv6 into ICMP
    back: tuple[tuple[ast.Subnet, str], ...] = ()


class _Blocked(Exception):
    def __init__(self, kind: str, component: str, reason: str, span: Span | None):
        super().__init__(reason)
        self.kind, self.component, self.reason, self.span = kind, component, reason, span


# The steps of each component kind are in `vpcdsl.flows.hops`; they get this walk as an
# argument and see it through `vpcdsl.flows.hops.base.Walk`.
@dataclass
class _Walk:
    tracer: Tracer
    src: End
    dst: End
    protocol: str
    port: str
    hops: list[Hop] = field(default_factory=list)
    back: list[Hop] = field(default_factory=list)
    crossings: list[_Crossing] = field(default_factory=list)
    obligations: list[ReturnObligation] = field(default_factory=list)
    depth: int = 0                   # 1 for a load balancer's leg to its target

    def __post_init__(self):
        self.model = self.tracer.model
        self.dp = self.tracer.dp
        self.number = protocol_number(self.protocol)
        self.icmp = icmp_type_number(self.number, self.port) if self.number in (1, 58) else None
        self.port_value = int(self.port) if self.port.isdigit() and self.number in (6, 17) else None
        src_addr = str(self.src.address) if self.src.address is not None else self.src.text
        dst_addr = str(self.dst.address) if self.dst.address is not None else self.dst.text
        self.packet = Packet(src_addr, dst_addr, self.protocol, self.port)
        self.src_public = self.src.public
        self.client_ports = self.src.ephemeral
        self.translated = False        # the source address is no longer the client's own
        self.via_peering: ast.Peering | None = None
        self.via_tgw: ast.TransitGateway | None = None
        self.forwarded_by: ast.Instance | None = None   # a middlebox appliance passed it on
        # TGW crossings whose return route is known once the device that answers is reached
        self.tgw_pending: list[tuple[ast.TransitGateway, str]] = []
        self._service: Ranges | None = None      # `remote` of a service end, once
        self._deferred: list[LeavingSubnet] = []   # settled as the response leaves their subnet
        self._early: list[LeavingSubnet] = []      # those of them settled so far

    # ------------------------------------------------------------------ driver

    def run(self, flow: str) -> Trace:
        # A site written by name stands for one probe host, on which the verdict rests.
        probes = [e.probe for e in (self.src, self.dst) if e.probe is not None]
        hint = "; ".join(probes) + f"; write an address of the site{'s' if len(probes) > 1 else ''} " \
            "to trace another" if probes else None
        try:
            self._forward()
            self._return()
        except _Blocked as b:
            return Trace(flow, "blocked", b.kind, b.component, b.reason, tuple(self.hops),
                         tuple(self.back), b.span, hint)
        return Trace(flow, "allowed", None, None, "the request is delivered and its response "
                     "returns to every client port", tuple(self.hops), tuple(self.back),
                     hint=hint)

    def hop(self, component, kind, action, detail, span=None, back=False):
        (self.back if back else self.hops).append(Hop(component, kind, action, detail, self.packet, span))

    def block(self, component, kind, reason, span=None, back=False):
        self.hop(component, kind, "drop", reason, span, back)
        raise _Blocked(kind, component, reason, span)

    def handler(self, component) -> HopHandler:
        """The handler of ``component``'s kind (`vpcdsl.flows.hops.HANDLERS`)."""
        handler = HANDLERS.get(type(component))
        if handler is None:
            raise NotSimulated(f"flows through {_word(component)} '{component.name}' are not "
                               "simulated yet")
        return handler

    def leg(self, src: End, dst: End, protocol: str, port: str) -> _Walk:
        """A walk one level deeper: a load balancer's leg to its target, a BGP session probe."""
        return _Walk(self.tracer, src, dst, protocol, port, depth=self.depth + 1)

    def flow_family(self) -> int:
        address = self.dst.address if self.dst.address is not None else self.src.address
        return 6 if (address is not None and address.version == 6) or self.number == 58 else 4

    # ------------------------------------------------------------------ forward

    def _forward(self) -> None:
        src, dst = self.src, self.dst
        if src.kind == "forwarder":
            raise FlowError(f"{_word(src.obj)} '{src.text}' originates no traffic: it only "
                            "forwards", "start the flow at a host, a subnet, a site or `internet`")
        for end in (src, dst):
            if end.problem is not None:
                kind, component, reason, span = end.problem
                self.block(component, kind, reason, span)
        if dst.note is not None:
            component, kind, detail, span = dst.note
            self.hop(component, kind, "resolve", detail, span)
        if src.kind != "internet" and src.vpc is not None and dst.kind == "aws-local":
            self._aws_local()
            return
        if dst.kind in ("multicast", "broadcast"):
            if src.kind not in ("internet", "site") and src.sgs is not None:
                self._sg_egress(src)
            self._no_broadcast()
        if src.kind == "internet" and self._private_from_internet(dst):
            return
        if src.kind == "internet" and dst.public and dst.address is not None \
                and dst.address.version == 4:
            # Internet hosts address an instance by its public IP; the IGW translates it.
            self.packet = Packet(self.packet.src, public_label(dst.text), self.protocol, self.port)
        if src.kind == "internet" or src.kind == "site":
            self.hop(src.kind if src.kind == "internet" else f"site:{src.obj.name}", src.kind,
                     "forward", f"{src.text} sends {self.packet}")
            HANDLERS[Internet if src.kind == "internet" else ast.Site].start(self)
            return
        if src.kind == "service":
            raise FlowError("an AWS service cannot start a flow", "trace from a host to the service")
        if src.vpc is None:
            raise FlowError(f"'{src.text}' is not inside a VPC of the model")
        if src.subnet is None or src.kind in ("multicast", "broadcast", "aws-local"):
            raise FlowError(f"'{src.text}' is no host's address: no subnet of VPC '{src.vpc}' "
                            "can send from it", "start the flow at a host or a subnet")
        if src.sgs is not None:
            self._sg_egress(src)
        self.route_from(src.subnet, src.vpc)

    def route_from(self, subnet: ast.Subnet, vpc: str) -> None:
        seen: set[tuple] = set()
        for _ in range(_MAX_LEGS):
            state = (subnet.name, self.packet.src, self.packet.dst)
            if state in seen:
                last = next((h.span for h in reversed(self.hops) if h.span is not None), None)
                self.block(f"subnet:{subnet.name}", "route", f"routing loop: the packet "
                           f"{self.packet} comes back to subnet '{subnet.name}'", last)
            seen.add(state)
            dst = self.dst
            if dst.subnet is subnet and dst.kind not in ("internet", "service", "site"):
                self.hop(f"subnet:{subnet.name}", "route", "forward",
                         f"same subnet {subnet.name}: delivered without the route table or NACL")
                self._deliver(dst)
                return
            self._nacl(subnet, "out", self.remote(self.dst), self.port_value)
            table = self.dp.route_table_of(subnet)
            if table is None:
                self.block(f"subnet:{subnet.name}", "route", f"subnet '{subnet.name}' has no route table")
            entry = self._lookup(table)
            rt = f"route-table:{table.table.name}"
            if entry is None:
                self.block(rt, "route", f"no route in '{table.table.name}' matches {self.dst_words()}",
                           table.table.span)
            self.hop(rt, "route", "forward", f"route {entry.text} matched", entry.span)
            target = entry.target
            if target == "blackhole":
                self.block(rt, "route", f"blackhole route {entry.text} drops it", entry.span)
            if target is None:
                self.block(rt, "route", f"route target of {entry.text} is unknown", entry.span)
            if target == "local":
                self._local(vpc, subnet)
                return
            step = self.handler(target).forward(self, target, Leaving(subnet, vpc, entry))
            if step is None:
                return
            subnet, vpc = step.subnet, step.vpc
        self.block("route", "route", "routing loop: more than 16 hops")

    def dst_words(self) -> str:
        return self.dst.text if self.dst.kind == "service" else str(self.dst.address)

    def _lookup(self, table):
        if self.dst.kind == "service":
            entry = table.prefix_lists.get(self.dst.text)
            if entry is not None:
                return entry
            return table.lookup(INTERNET_V4)
        if self.dst.address is None:
            return None
        return table.lookup(self.dst.address)

    # ------------------------------------------------------------------ arrivals

    def _local(self, vpc: str, from_subnet: ast.Subnet) -> None:
        dst = self.dst
        address = dst.address
        target = self.dp.subnet_at(vpc, address) if address is not None else None
        if target is None:
            self.block(f"vpc:{vpc}", "route", f"{address} is in VPC '{vpc}' but no subnet holds it",
                       self.hops[-1].span if self.hops else None)   # the local route
        self.cross(from_subnet, target)
        self.arrive(target, vpc)

    def cross(self, left: ast.Subnet | None, entered: ast.Subnet | None) -> None:
        back = tuple((s, d) for s, d in ((entered, "out"), (left, "in")) if s is not None)
        self.crossings.append(_Crossing(left, entered, self.packet.src, self.packet.dst,
                                        self.client_ports, len(self.obligations),
                                        (self.protocol, self.number, self.icmp), back))

    def cross_back_only(self, subnet: ast.Subnet) -> None:
        """The request came from a TGW into ``subnet`` and is delivered there, which no NACL
        sees; the response, instance→TGW traffic, meets the subnet's outbound rules and
        then its inbound ones (docs/SEMANTICS.md, NACLs and TGW attachments)."""
        self.crossings.append(_Crossing(subnet, subnet, self.packet.src, self.packet.dst,
                                        self.client_ports, len(self.obligations),
                                        (self.protocol, self.number, self.icmp),
                                        ((subnet, "out"), (subnet, "in"))))

    def arrive(self, subnet: ast.Subnet, vpc: str) -> None:
        """The request enters ``subnet`` from outside it: NACL in, then the host."""
        self._nacl(subnet, "in", self.current_src_address(), self.port_value)
        dst = self.dst
        if dst.subnet is not subnet and dst.kind not in ("address",):
            self.block(f"subnet:{subnet.name}", "route",
                       f"{self.packet.dst} is not an address of subnet '{subnet.name}'")
        if dst.kind == "address" and self.dp.host_at.get(dst.address) is None \
                and dst.address != (subnet.cidr.net.broadcast_address - 1):
            net = next((n for n in (subnet.cidr.net, subnet.ipv6.net if subnet.ipv6 else None)
                        if n is not None and dst.address in n), None)
            offset = int(dst.address) - int(net.network_address) if net is not None else -1
            reserved = 0 <= offset <= 3 or (net is not None and dst.address == net[-1])
            self.block(f"subnet:{subnet.name}", "route",
                       f"{dst.address} is reserved by AWS in subnet '{subnet.name}' (its first four "
                       "and last addresses): no host holds it" if reserved else
                       f"no host holds {dst.address} in subnet '{subnet.name}'", subnet.span)
        self._deliver(dst)

    def _deliver(self, dst: End) -> None:
        if dst.sgs is not None:
            self._sg_ingress(dst)
        self.answers_from(dst.subnet)
        handler = HANDLERS.get(type(dst.obj))
        if handler is not None and handler.receive(self, dst):
            return
        self.delivered(dst)

    def delivered(self, end: End) -> None:
        self.hop(node_id(end), "host", "deliver", f"delivered to {end.text}")

    def current_src_address(self):
        return parse_address(self.packet.src)

    # ------------------------------------------------------------------ through a target

    # ------------------------------------------------------------------ link-local services, broadcast

    def _aws_local(self) -> None:
        """Amazon DNS, instance metadata and time sync answer every host of their VPC; no SG
        or NACL filters them (SEMANTICS.md, Filters)."""
        dst, src = self.dst, self.src
        what = LINK_LOCAL_SERVICES.get(dst.address, "the Amazon DNS server")
        if dst.vpc is not None and dst.vpc != src.vpc:
            vpc = self.model.vpcs.get(dst.vpc)
            self.block(f"vpc:{dst.vpc}", "route", f"{dst.address} is {what} of VPC '{dst.vpc}' "
                       f"(its primary block + 2): it answers only hosts of that VPC",
                       vpc.cidrs[0].span if vpc is not None and vpc.cidrs else None)
        where = f"of VPC '{dst.vpc}' " if dst.vpc is not None else ""
        self.hop(f"aws:{dst.address}", "service", "deliver", f"{dst.address} is {what} {where}"
                 f"for '{src.text}': security groups and network ACLs do not filter it")

    def _no_broadcast(self) -> None:
        dst = self.dst
        if dst.subnet is not None:
            component, span = f"subnet:{dst.subnet.name}", dst.subnet.span
            what = f"{dst.address} is the broadcast address of subnet '{dst.subnet.name}' " \
                   "(its last address, reserved by AWS)"
        else:
            vpc = self.model.vpcs.get(self.src.vpc or dst.vpc or "")
            component = f"vpc:{vpc.name}" if vpc is not None else "route"
            span = vpc.span if vpc is not None else None
            what = f"{dst.address} is a {'multicast' if dst.kind == 'multicast' else 'broadcast'} " \
                   "address"
        self.block(component, "route", f"{what}: a VPC supports neither broadcast nor multicast, "
                   "so nothing delivers it", span)

    # ------------------------------------------------------------------ devices that answer

    def answers_from(self, subnet: ast.Subnet | None, address=None) -> None:
        """A device in ``subnet`` answers: pending TGW crossings need a route back from there."""
        if not self.tgw_pending or subnet is None:
            return
        answered(self, subnet, address if address is not None else self.current_src_address())

    # ------------------------------------------------------------------ the response

    def _return(self) -> None:
        """Responses go back the way the request came, last step first, to every port of the
        client's range: each subnet boundary's NACLs, and each recorded obligation (a return
        route, a gateway, a tunnel) where the request recorded it, so hops follow the packet.
        An obligation of the subnet the response leaves (`LeavingSubnet`: its route table) is
        settled right after that subnet's outbound NACL, before the next subnet's inbound one."""
        last = self.crossings[-1] if self.crossings else None
        # the return routes are looked up for the response as the answering side sends it
        answer = self._response(last) if last is not None else Packet(
            self.packet.dst, self.packet.src, self.protocol, self._reply_ports(self.client_ports))
        leaving = {id(c.back[0][0]) for c in self.crossings if c.back and c.back[0][1] == "out"}
        self._deferred = [ob for ob in self.obligations
                          if isinstance(ob, LeavingSubnet) and id(ob.subnet) in leaving]
        self._early = []
        pending = len(self.obligations)
        for crossing in reversed(self.crossings):
            self._settle(crossing.after, pending, answer)
            pending = min(pending, crossing.after)
            self.protocol, self.number, self.icmp = crossing.protocol
            self.packet = self._response(crossing)
            low, high = crossing.client_ports
            ports = (low, high) if self.number in (6, 17) else None
            response_src, response_dst = crossing.dst, crossing.src
            for subnet, direction in crossing.back:
                peer = response_dst if direction == "out" else response_src
                self._nacl_range(subnet, direction, self._response_remote(peer), ports)
                if direction == "out":
                    self._settle_leaving(subnet)
        self._settle(0, pending, answer)
        if not self.back:
            self.hop(node_id(self.src), "host", "deliver", "the response needs no filter: security "
                     "groups are stateful and no subnet boundary was crossed", back=True)
        else:
            self.hop(node_id(self.src), "host", "deliver", f"response delivered to {self.src.text}",
                     back=True)

    def _private_from_internet(self, dst: End) -> bool:
        """An IPv4 packet from the internet to a private address (RFC 1918, or a VPC's own
        block) never reaches a VPC: an IGW translates only public and Elastic IPs
        (docs/SEMANTICS.md, Gateways). A VPC's IPv6 addresses are global: not this case."""
        written = parse_address(dst.text)
        if written is None or written.version != 4:
            return False
        if not (written.is_private or self.dp.vpc_at(written) is not None):
            return False
        self.hop("internet", "internet", "forward", f"{self.src.text} sends {self.packet}")
        who = f"; {dst.host.obj.name}'s public address is {public_label(dst.host.obj.name)}: " \
              f"write `internet -> {dst.host.obj.name}`" if dst.public and dst.host is not None else ""
        self.block("internet", "route", f"{written} is a private address: the internet routes no "
                   f"packet to it, and an internet gateway translates only public and Elastic "
                   f"IPs{who}", None)

    def _settle(self, first: int, end: int, answer: Packet) -> None:
        """Settle obligations ``first``..``end`` (exclusive), the latest first; those that wait
        for their subnet's outbound NACL (`_settle_leaving`) are left to it."""
        for obligation in reversed(self.obligations[first:end]):
            if any(obligation is ob for ob in self._deferred):
                continue
            self.packet = answer
            HANDLERS[obligation.settled_by].settle(self, obligation)

    def _settle_leaving(self, subnet: ast.Subnet) -> None:
        """The response has passed ``subnet``'s outbound NACL: its route table's obligations,
        each once."""
        for obligation in reversed(self._deferred):
            if obligation.subnet is subnet and not any(obligation is ob for ob in self._early):
                self._early.append(obligation)
                HANDLERS[obligation.settled_by].settle(self, obligation)

    def _response(self, crossing) -> Packet:
        """The response to the request that made `crossing`, to the client's whole port range."""
        return Packet(str(crossing.dst), str(crossing.src), self.protocol,
                      self._reply_ports(crossing.client_ports))

    def _reply_ports(self, client_ports: tuple[int, int]) -> str:
        low, high = client_ports
        return f"{low}-{high}" if self.number in (6, 17) else self._reply_type()

    def _reply_type(self) -> str:
        if self.number in (1, 58) and self.icmp == ECHO_REQUEST[self.number]:
            return "echo-reply"
        return ""

    def route_back(self, subnet, address, via, why, check=None) -> None:
        """The response leaves `subnet` for `address` by `via`, or the flow is blocked.

        `why(table name, "no route" | "route X")` words the reason; `check(rt, entry)`
        may block first for a reason of its own.
        """
        table = self.dp.route_table_of(subnet) if subnet is not None else None
        entry = table.lookup(address) if table is not None and address is not None else None
        rt = f"route-table:{table.table.name}" if table is not None else f"subnet:{getattr(subnet, 'name', subnet)}"
        if check is not None:
            check(rt, entry)
        if entry is None or entry.target is not via:
            got = "no route" if entry is None else f"route {entry.text}"
            self.block(rt, "route", why(table.table.name if table is not None else "?", got),
                       entry.span if entry else table.table.span if table else None, back=True)
        self.hop(rt, "route", "forward", f"return route {entry.text} matched", entry.span, back=True)

    # ------------------------------------------------------------------ filters
    # The steps are in `vpcdsl.flows.filter_steps`; hop handlers call them through these.

    def remote(self, end: End):
        """What a filter sees of ``end`` as the far side: its address, or for an AWS service
        its published ranges in the client's region (`vpcdsl.service_ranges`)."""
        if end.kind != "service":
            return end.address
        if self._service is None:
            vpc = self.model.vpcs.get(self.src.vpc or "")
            region = getattr(vpc, "region_name", None)
            blocks, published = service_ranges(end.text, region)
            self._service = Ranges(end.text, region, blocks, published)
        return self._service

    def _response_remote(self, text):
        """The far end of a response, by the request's address text at a crossing."""
        if self.dst.kind == "service" and str(text) == self.dst.text:
            return self.remote(self.dst)
        return parse_address(str(text))

    def _nacl(self, subnet: ast.Subnet, direction: str, peer_address, port: int | None) -> None:
        nacl_step(self, subnet, direction, peer_address, port)

    def _nacl_range(self, subnet: ast.Subnet, direction: str, peer_address, ports) -> None:
        nacl_response_step(self, subnet, direction, peer_address, ports)

    def _sg_egress(self, end: End) -> None:
        self._sg_check(end, "out", peer_address=self.remote(self.dst), peer=self.dst)

    def _sg_ingress(self, end: End) -> None:
        self._sg_check(end, "in", peer_address=self.current_src_address(),
                       peer=None if self.translated else self.src)

    def _sg_check(self, end: End, direction: str, peer_address, peer: End | None) -> None:
        if peer is not None and peer.kind == "service" and peer_address is None:
            peer_address = self.remote(peer)
        sg_step(self, end, direction, peer_address, peer)


# ---------------------------------------------------------------------------- helpers

def _normalise(protocol: str, port) -> tuple[str, str]:
    if port is None and "/" in protocol:
        protocol, _, port = protocol.partition("/")
    protocol = protocol.strip().lower()
    if protocol_number(protocol) is None:
        raise FlowError(f"unknown protocol '{protocol}'", "use tcp, udp, icmp, icmpv6 or a number")
    port = "" if port is None else str(port).strip()
    number = protocol_number(protocol)
    if number in (1, 58) and not port:
        port = "echo-request"  # a concrete `icmp` flow is a ping (docs/LANGUAGE.md)
    if number in (6, 17):
        if not port.isdigit() or not 0 <= int(port) <= 65535:
            raise FlowError(f"a {protocol} flow needs one port (0..65535), not '{port}'",
                            f"write it as {protocol}/443")
    return protocol, port


def _family(src: str, dst: str, protocol: str) -> int:
    """The flow's address family: IPv6 for `icmpv6` or an IPv6 literal end, else IPv4."""
    number = protocol_number(protocol)
    versions = {a.version for a in (parse_address(src), parse_address(dst)) if a is not None}
    if versions == {4, 6}:
        raise FlowError(f"'{src}' and '{dst}' are of different address families",
                        "a flow is IPv4 or IPv6 end to end")
    if number == 58 and 4 in versions:
        raise FlowError("icmpv6 runs over IPv6, not to an IPv4 address", "use icmp")
    if number == 1 and 6 in versions:
        raise FlowError("icmp runs over IPv4, not to an IPv6 address", "use icmpv6")
    return 6 if number == 58 or 6 in versions else 4


def trace(model, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
    """Trace one concrete flow; see the module docstring."""
    return Tracer(model).trace(src, dst, protocol, port)
