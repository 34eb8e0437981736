"""The walk of one concrete flow: the route-table loop, arrivals, filters and the response.

`_Walk` carries one packet from its source to its destination and back, hop by hop, as
`vpcdsl.flows.trace` describes; `Tracer` (there) makes one per flow. Each component kind's
steps are a hop handler in `vpcdsl.flows.hops`, which sees this walk through
`vpcdsl.flows.hops.base.Walk`; the filter steps are `vpcdsl.flows.filter_steps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..aws import RFC1918
from ..span import Span
from ..syntax import ast
from ..protocols import ECHO_REQUEST, icmp_type_number, protocol_number
from .ends import LINK_LOCAL_SERVICES
from ..service_ranges import public_ipv4, service_ranges
from .filter_steps import nacl_response_step, nacl_step, sg_step
from .filters import Ranges
from .flow import (INTERNET_V4, End, FlowError, Hop, NotSimulated, Packet, Trace, _word,
                   is_public_label, node_id, parse_address, public_label)
from .hops import HANDLERS, HopHandler, Internet, Leaving, LeavingSubnet, ReturnObligation
from .hops.transit_gateway import answered

_MAX_LEGS = 16


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
    def __init__(self, kind: str, component: str, reason: str, span: Span | None,
                 partial: bool = False):
        super().__init__(reason)
        self.kind, self.component, self.reason, self.span = kind, component, reason, span
        self.partial = partial


def packet_numbers(protocol: str, port: str) -> tuple[int | None, int | None, int | None]:
    """What filters read of a flow's protocol and port text: the protocol number, the ICMP
    type (ICMP and ICMPv6 only) and the TCP or UDP port (None where there is none)."""
    number = protocol_number(protocol)
    icmp = icmp_type_number(number, port) if number in (1, 58) else None
    return number, icmp, int(port) if port.isdigit() and number in (6, 17) else None


# The steps of each component kind are in `vpcdsl.flows.hops`; they get this walk as an
# argument and see it through `vpcdsl.flows.hops.base.Walk`.
@dataclass
class _Walk:
    tracer: Any                      # the `vpcdsl.flows.trace.Tracer` that made it
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
        self.number, self.icmp, self.port_value = packet_numbers(self.protocol, self.port)
        src_addr = str(self.src.address) if self.src.address is not None else self.src.text
        dst_addr = str(self.dst.address) if self.dst.address is not None else self.dst.text
        self.packet = Packet(src_addr, dst_addr, self.protocol, self.port)
        self.src_public = self.src.public
        self.client_ports = self.src.ephemeral
        self.translated = False        # the source address is no longer the client's own
        self.public_name: str | None = None   # whose public IPv4 the IGW maps the source to
        self.via_peering: ast.Peering | None = None
        self.via_tgw: ast.TransitGateway | None = None
        self.forwarded_by: ast.Instance | None = None   # a middlebox appliance passed it on
        self.via_internet = False      # it entered its VPC from the internet (no SG reference)
        # TGW crossings whose return route is known once the device that answers is reached
        self.tgw_pending: list[ast.TransitGateway] = []
        self._service: Ranges | None = None      # `remote` of a service end, once
        self._publics: dict[str, Ranges] = {}      # `public_ranges` by label
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
                         tuple(self.back), b.span, hint, intermittent=b.partial, model=self.model)
        return Trace(flow, "allowed", None, None, "the request is delivered and its response "
                     "returns to every client port", tuple(self.hops), tuple(self.back),
                     hint=hint, model=self.model)

    def hop(self, component, kind, action, detail, span=None, back=False):
        (self.back if back else self.hops).append(Hop(component, kind, action, detail, self.packet, span))

    def block(self, component, kind, reason, span=None, back=False, partial=False):
        """Drop the flow here. ``partial``: only some of the client's ports or of the LB's
        targets fail, so the flow is intermittent."""
        self.hop(component, kind, "drop", reason, span, back)
        raise _Blocked(kind, component, reason, span, partial)

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
        if src.kind == "public-ip":
            raise FlowError(f"'{src.text}' is where the internet reaches {src.obj.name}: it starts "
                            "no flow", f"start the flow at {src.obj.name}; its internet gateway "
                            "translates the source to its public address")
        if src.vpc is None:
            every = src.text.strip() in ("0.0.0.0/0", "::/0")
            raise FlowError(f"'{src.text}' is not inside a VPC of the model",
                            f"{src.text} is every address; for a host on the internet write "
                            "`internet`" if every else "start the flow at a host, a subnet, a "
                            "site or `internet`")
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
            table = self.dp.route_table_of(subnet)
            entry = self._lookup(table) if table is not None else None
            if not self._stays_in(subnet, entry):
                self._nacl(subnet, "out", self.remote(self.dst), self.port_value)
            if table is None:
                self.block(f"subnet:{subnet.name}", "route", f"subnet '{subnet.name}' has no route table")
            rt = f"route-table:{table.table.name}"
            if entry is None:
                gone = table.withdrawn_for(self.dst.address)
                self.block(rt, "route", f"no route in '{table.table.name}' matches {self.dst_words()}"
                           + (f": {gone.words}" if gone else ""), gone.span if gone else table.table.span)
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

    def _stays_in(self, subnet: ast.Subnet, entry) -> bool:
        """Whether the route sends the packet to a device in ``subnet`` itself (an appliance,
        NAT instance or NAT gateway there): the packet does not leave the subnet, so its
        NACL does not see it (docs/SEMANTICS.md, Filters)."""
        target = getattr(entry, "target", None)
        if not isinstance(target, (ast.Instance, ast.NatInstance, ast.NatGateway)):
            return False
        host = self.dp.host(target.name)
        return host is not None and host.subnet is subnet

    def dst_words(self) -> str:
        return self.dst.text if self.dst.kind in ("service", "public-ip") else str(self.dst.address)

    def _lookup(self, table):
        if self.dst.kind == "service":
            entry = table.prefix_lists.get(self.dst.text)
            if entry is not None:
                return entry
            return table.lookup(INTERNET_V4)
        address = self.dst.address if self.dst.kind != "public-ip" else INTERNET_V4
        return table.lookup(address) if address is not None else None

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
        self._nacl(subnet, "in", self.filter_src(), self.port_value)
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

    def filter_src(self):
        """The source as a filter of the subnet it enters reads it: its address, or for a
        public address vpcdsl does not invent (`public-ip(NAME)`) every public IPv4 one."""
        src = self.packet.src
        return self.public_ranges(src) if is_public_label(src) else parse_address(src)

    def public_ranges(self, label: str) -> Ranges:
        """`public-ip(NAME)` as a filter sees it: AWS picks the address from its public pool,
        so only a rule covering every public IPv4 address is known to match it."""
        got = self._publics.get(label)
        if got is None:
            got = self._publics[label] = Ranges(label, None, public_ipv4(), False, label=True)
        return got

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
        if not (any(written in net for net in RFC1918) or self.dp.vpc_at(written) is not None):
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
            gone = table.withdrawn_for(address) if entry is None and table is not None else None
            self.block(rt, "route", why(table.table.name if table is not None else "?", got)
                       + (f" ({gone.words})" if gone else ""),
                       entry.span if entry else gone.span if gone else table.table.span if table else None,
                       back=True)
        self.hop(rt, "route", "forward", f"return route {entry.text} matched", entry.span, back=True)

    # ------------------------------------------------------------------ filters
    # The steps are in `vpcdsl.flows.filter_steps`; hop handlers call them through these.

    def remote(self, end: End):
        """What a filter sees of ``end`` as the far side: its address, or for an AWS service
        its published ranges in the client's region (`vpcdsl.service_ranges`)."""
        if end.kind == "public-ip":
            return self.public_ranges(end.text)
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
        if is_public_label(text):
            return self.public_ranges(str(text))
        return parse_address(str(text))

    def _nacl(self, subnet: ast.Subnet, direction: str, peer_address, port: int | None) -> None:
        nacl_step(self, subnet, direction, peer_address, port)

    def _nacl_range(self, subnet: ast.Subnet, direction: str, peer_address, ports) -> None:
        nacl_response_step(self, subnet, direction, peer_address, ports)

    def _sg_egress(self, end: End) -> None:
        self._sg_check(end, "out", peer_address=self.remote(self.dst), peer=self.dst)

    def _sg_ingress(self, end: End) -> None:
        self._sg_check(end, "in", peer_address=self.filter_src(),
                       peer=None if self.translated or self.via_internet else self.src)

    def _sg_check(self, end: End, direction: str, peer_address, peer: End | None) -> None:
        if peer is not None and peer.kind == "service" and peer_address is None:
            peer_address = self.remote(peer)
        sg_step(self, end, direction, peer_address, peer)
