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
  the attachment subnet's NACL sees the packet in (TGW guide, tgw-nacls), the
  TGW route table decides (longest prefix; static beats propagated;
  blackhole), the packet enters the chosen VPC at its attachment subnet in
  the same AZ (else the first) and follows that subnet's route table. The
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
  (`route`). NAT gateways and NAT instances do not translate IPv6.
- On-premises sites over VPN and Direct Connect (VGW path choice, TGW
  attachments, CloudHub, public VIFs, software VPNs): see `vpcdsl.flows.legs.sites`.

The code: this module is the walk; `vpcdsl.flows.flow` holds the packet, hop, end and
trace types, `vpcdsl.flows.filters` the NACL and SG evaluation, `vpcdsl.flows.legs.balancers` the
load-balancer and port-forward legs, `vpcdsl.flows.legs.transit` the transit-gateway legs,
`vpcdsl.flows.legs.sites` the legs to and from sites and `vpcdsl.flows.sitelinks` the links
and the VGW's path choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import ip_address, ip_network
from typing import Any, Iterator

from ..aws import SERVICES
from ..span import Span
from ..syntax import ast
from ..protocols import ECHO_REPLY, ECHO_REQUEST, icmp_type_number, protocol_number
from .dataplane import DataPlane, ephemeral_range
# Re-exported: the flow's types and the filter functions keep their `vpcdsl.flows.trace` names.
from .filters import first_nacl_match, nacl_port_verdicts, sg_allows
from .flow import INTERNET_V4, INTERNET_V6, End, FlowError, Hop, NotSimulated, Packet, Trace, _word
from .legs.balancers import LoadBalancerLegs
from .legs.sites import HybridLegs
from .legs.transit import TransitGatewayLegs

# Link-local services every instance reaches without SG or NACL filtering
# (SEMANTICS.md, Filters; EC2 guide: Amazon DNS, IMDS, Amazon Time Sync, and
# their IPv6 addresses on Nitro). The VPC's own resolver at its primary
# block + 2 is `DataPlane.amazon_dns`.
LINK_LOCAL_SERVICES = {
    ip_address("169.254.169.253"): "the Amazon DNS server",
    ip_address("169.254.169.254"): "the instance metadata service",
    ip_address("169.254.169.123"): "the Amazon Time Sync Service",
    ip_address("fd00:ec2::253"): "the Amazon DNS server",
    ip_address("fd00:ec2::254"): "the instance metadata service",
    ip_address("fd00:ec2::123"): "the Amazon Time Sync Service",
}
LIMITED_BROADCAST = ip_address("255.255.255.255")
# Addresses no internet host has: RFC 1918, shared (CGNAT), loopback, link-local, ULA. Any
# other address outside the model's VPCs and sites is an internet host (documentation
# ranges such as 203.0.113.0/24 included: examples use them for public hosts).
_PRIVATE_NETS = tuple(ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "0.0.0.0/8", "fc00::/7", "fe80::/10", "::1/128", "::/128"))

KINDS = ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")

_MAX_LEGS = 16


def _public_label(name: str) -> str:
    return f"public-ip({name})"


class Tracer:
    """Traces flows on one model; builds nothing per trace (see `vpcdsl.flows.dataplane`)."""

    def __init__(self, model):
        self.model = model
        self.dp: DataPlane = model.dataplane

    # ------------------------------------------------------------------ ends

    def end(self, text: str, *, other_v6: bool = False, family: int | None = None,
            near: str | None = None) -> End:
        """Resolve one flow end. ``family`` 6 picks IPv6 addresses; ``near`` (an AZ) picks the
        node of a load balancer or interface endpoint in that AZ (else its first)."""
        m, dp = self.model, self.dp
        v6 = other_v6 or family == 6
        if text == "internet":
            return End(text, "internet", INTERNET_V6 if v6 else INTERNET_V4)
        if text in SERVICES:
            return End(text, "service")
        address = _parse_ip(text)
        if address is not None:
            return self._address_end(text, address)
        obj = m.get(text)
        if obj is None:
            raise FlowError(f"unknown flow end '{text}'", _did_you_mean(m, text))
        if isinstance(obj, (ast.Instance, ast.NatInstance)):
            host = dp.host(obj.name)
            if host is None:
                raise FlowError(f"{_word(obj)} '{text}' has no address (its subnet is unknown or full)")
            public = obj.public_ip != "none" if isinstance(obj, ast.Instance) else True
            public = public or host.subnet.public_ip
            end = End(text, "instance" if isinstance(obj, ast.Instance) else "nat-instance",
                      host.address, obj, host, host.subnet, obj.vpc, dp.security_groups(obj), public,
                      ephemeral_range(obj))
            if v6:
                end.address = host.ipv6
                if host.ipv6 is None:
                    end.problem = _no_ipv6(obj, host.subnet)
            return end
        if isinstance(obj, ast.Subnet):
            if obj.cidr is None or obj.cidr.net is None:
                raise FlowError(f"subnet '{text}' has no valid CIDR")
            probe = obj.cidr.net.broadcast_address - 1
            end = End(text, "subnet", probe, obj, None, obj, obj.vpc, None, obj.public_ip,
                      (32768, 60999))
            if v6:
                six = obj.ipv6.net if obj.ipv6 is not None else None
                end.address = six.broadcast_address - 1 if six is not None else None
                if six is None:
                    end.problem = _no_ipv6(obj, obj)
            return end
        if isinstance(obj, ast.NatGateway):
            host = dp.host(obj.name)
            if host is None:
                raise FlowError(f"NAT gateway '{text}' has no address")
            end = End(text, "nat", host.address, obj, host, host.subnet, obj.vpc, None,
                      not obj.private, ephemeral_range(obj))
            if v6:
                end.address, end.problem = None, _no_ipv6(obj, host.subnet)
            return end
        if isinstance(obj, (ast.InterfaceEndpoint, ast.LoadBalancer)):
            host = dp.host_in_zone(obj.name, near)
            if host is None:
                raise FlowError(f"{_word(obj)} '{text}' has no address (no subnet of it resolves)")
            sgs = dp.security_groups(obj) or None
            if isinstance(obj, ast.LoadBalancer):
                end = End(text, "lb", host.address, obj, host, host.subnet, obj.vpc, sgs,
                          obj.scheme == "internet-facing", ephemeral_range(obj))
            else:
                end = End(text, "interface-endpoint", host.address, obj, host, host.subnet, obj.vpc,
                          sgs, False)
            if v6:
                end.address, end.problem = None, _no_ipv6(obj, host.subnet)
            return end
        if isinstance(obj, ast.Site):
            nets = [c.net for c in obj.cidrs if c.net is not None]
            if not nets:
                raise FlowError(f"site '{text}' has no valid CIDR")
            return End(text, "site", nets[0].network_address + 10, obj,
                       ephemeral=ephemeral_range(obj))
        if isinstance(obj, ast.Vpc):
            raise FlowError(f"VPC '{text}' stands for every address of it, not one end",
                            "`Tracer.traces` traces to or from each of its subnets")
        raise NotSimulated(f"{_word(obj)} '{text}' is not simulated as a flow end yet",
                        "flow ends are instances, subnets, VPCs, load balancers, NAT gateways and "
                        "instances, interface endpoints, sites, `internet`, AWS services and "
                        "addresses")

    def _address_end(self, text: str, address) -> End:
        dp = self.dp
        service = LINK_LOCAL_SERVICES.get(address)
        if service is not None:
            return End(text, "aws-local", address)
        dns_vpc = dp.amazon_dns.get(address)
        if dns_vpc is not None:
            return End(text, "aws-local", address, vpc=dns_vpc)
        host = dp.host_at.get(address)
        if host is not None:
            end = self.end(host.obj.name, family=address.version)
            end.text, end.address, end.host, end.subnet, end.problem = \
                text, address, host, host.subnet, None
            return end
        vpc = dp.vpc_at(address)
        if address.is_multicast or address == LIMITED_BROADCAST:
            return End(text, "multicast" if address.is_multicast else "broadcast", address,
                       vpc=vpc.name if vpc is not None else None)
        if vpc is not None:
            subnet = dp.subnet_at(vpc.name, address)
            if subnet is not None and address.version == 4 \
                    and address == subnet.cidr.net.broadcast_address:
                return End(text, "broadcast", address, None, None, subnet, vpc.name)
            return End(text, "address", address, None, None, subnet, vpc.name, None, False,
                       (32768, 60999))
        site = dp.site_at(address)
        if site is not None:
            return End(text, "site", address, site, ephemeral=ephemeral_range(site))
        if not any(address.version == net.version and address in net for net in _PRIVATE_NETS):
            return End(text, "internet", address)    # public, or documentation ranges
        return End(text, "address", address)

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
        return self.end(text, family=family, near=zone)


# ---------------------------------------------------------------------------- the walk

@dataclass
class _Crossing:
    """The request crossed a subnet boundary: both NACLs apply to the response too."""

    left: ast.Subnet | None
    entered: ast.Subnet | None
    src: Any                 # the request's source address at that point (the response's target)
    dst: Any                 # the request's destination (the response's source)
    client_ports: tuple[int, int]


class _Blocked(Exception):
    def __init__(self, kind: str, component: str, reason: str, span: Span | None):
        super().__init__(reason)
        self.kind, self.component, self.reason, self.span = kind, component, reason, span


# The load-balancer and port-forward legs are in `vpcdsl.flows.legs.balancers`, the transit-gateway
# legs in `vpcdsl.flows.legs.transit`.
@dataclass
class _Walk(LoadBalancerLegs, TransitGatewayLegs, HybridLegs):
    tracer: Tracer
    src: End
    dst: End
    protocol: str
    port: str
    hops: list[Hop] = field(default_factory=list)
    back: list[Hop] = field(default_factory=list)
    crossings: list[_Crossing] = field(default_factory=list)
    return_routes: list[tuple] = field(default_factory=list)
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
        # TGW crossings whose return route is known once the device that answers is reached
        self.tgw_pending: list[tuple[ast.TransitGateway, str]] = []

    # ------------------------------------------------------------------ driver

    def run(self, flow: str) -> Trace:
        try:
            self._forward()
            self._return()
        except _Blocked as b:
            return Trace(flow, "blocked", b.kind, b.component, b.reason, tuple(self.hops),
                         tuple(self.back), b.span)
        return Trace(flow, "allowed", None, None, "the request is delivered and its response "
                     "returns to every client port", tuple(self.hops), tuple(self.back))

    def hop(self, component, kind, action, detail, span=None, back=False):
        (self.back if back else self.hops).append(Hop(component, kind, action, detail, self.packet, span))

    def block(self, component, kind, reason, span=None, back=False):
        self.hop(component, kind, "drop", reason, span, back)
        raise _Blocked(kind, component, reason, span)

    # ------------------------------------------------------------------ forward

    def _forward(self) -> None:
        src, dst = self.src, self.dst
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
        if src.kind == "internet" or src.kind == "site":
            self.hop(src.kind if src.kind == "internet" else f"site:{src.obj.name}", src.kind,
                     "forward", f"{src.text} sends {self.packet}")
            if src.kind == "internet":
                self._from_internet()
            else:
                self._from_site()
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
        self._route_from(src.subnet, src.vpc)

    def _route_from(self, subnet: ast.Subnet, vpc: str) -> None:
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
            self._nacl(subnet, "out", self.dst.address, self.port_value)
            table = self.dp.route_table_of(subnet)
            if table is None:
                self.block(f"subnet:{subnet.name}", "route", f"subnet '{subnet.name}' has no route table")
            entry = self._lookup(table)
            rt = f"route-table:{table.table.name}"
            if entry is None:
                self.block(rt, "route", f"no route in '{table.table.name}' matches {self._dst_words()}",
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
            step = self._through(target, subnet, vpc, entry)
            if step is None:
                return
            subnet, vpc = step
        self.block("route", "route", "routing loop: more than 16 hops")

    def _dst_words(self) -> str:
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
        self._cross(from_subnet, target)
        self._arrive(target, vpc)

    def _cross(self, left: ast.Subnet | None, entered: ast.Subnet | None) -> None:
        self.crossings.append(_Crossing(left, entered, self.packet.src, self.packet.dst,
                                        self.client_ports))

    def _arrive(self, subnet: ast.Subnet, vpc: str) -> None:
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
        self._settle(dst.subnet)
        if dst.kind == "lb":
            self._load_balancer(dst)
            return
        if dst.kind == "nat-instance" and self.src.kind == "internet" and self._port_forward(dst):
            return
        self.hop(_node(dst), "host", "deliver", f"delivered to {dst.text}")
        if dst.kind == "interface-endpoint" and dst.text != dst.obj.name:
            self._service_behind(dst)

    def current_src_address(self):
        return _parse_ip(self.packet.src)

    # ------------------------------------------------------------------ through a target

    def _through(self, target, subnet: ast.Subnet, vpc: str, entry):
        if isinstance(target, ast.InternetGateway):
            return self._igw_out(target, subnet, entry)
        if isinstance(target, ast.EgressOnlyInternetGateway):
            return self._eigw_out(target, subnet, entry)
        if isinstance(target, ast.NatGateway):
            return self._nat_gateway(target, subnet)
        if isinstance(target, (ast.NatInstance, ast.Instance)):
            return self._appliance(target, subnet)
        if isinstance(target, ast.Peering):
            return self._peering(target, subnet, vpc, entry)
        if isinstance(target, ast.GatewayEndpoint):
            return self._gateway_endpoint(target, subnet, entry)
        if isinstance(target, ast.TransitGateway):
            return self._tgw(target, subnet, vpc, entry)
        if isinstance(target, ast.VirtualPrivateGateway):
            return self._vgw_out(target, subnet, vpc, entry)
        raise NotSimulated(f"flows through {_word(target)} '{target.name}' are not simulated yet")

    def _igw_out(self, igw, subnet, entry):
        node = f"igw:{igw.name}"
        address = self.dst.address if self.dst.kind != "service" else INTERNET_V4
        self._cross(subnet, None)
        self.return_routes.append((subnet, "igw", igw))
        self._own_addresses_only(node, igw, entry)
        if address is None or address.version == 6:
            self.hop(node, "gateway", "forward", f"{igw.name} forwards IPv6 untranslated", entry.span)
            return self._to_outside(node)
        if self.translated and not self.src_public:
            self.block(node, "gateway", f"a private NAT gateway's traffic cannot use internet "
                       f"gateway '{igw.name}'", entry.span)
        if self.translated:
            self.hop(node, "gateway", "forward", f"{igw.name} forwards {self.packet.src} "
                     "(already public)", entry.span)
            return self._to_outside(node)
        if not self.src_public:
            self.block(node, "gateway", f"{self.src.text} has no public IPv4 address: internet "
                       f"gateway '{igw.name}' drops it", entry.span)
        before = self.packet.src
        self.packet = _with_src(self.packet, _public_label(self.src.text))
        self.translated = True
        self.hop(node, "gateway", "translate", f"{igw.name} translates {before} to {self.packet.src}",
                 entry.span)
        return self._to_outside(node)

    def _eigw_out(self, eigw, subnet, entry):
        node = f"eigw:{eigw.name}"
        address = self.dst.address
        if address is None or address.version != 6:
            self.block(node, "gateway", f"egress-only internet gateway '{eigw.name}' carries IPv6 only",
                       entry.span)
        self._cross(subnet, None)
        self.return_routes.append((subnet, "eigw", eigw))
        self._own_addresses_only(node, eigw, entry)
        self.hop(node, "gateway", "forward", f"{eigw.name} forwards outbound IPv6", entry.span)
        return self._to_outside(node)

    def _own_addresses_only(self, node, gateway, entry) -> None:
        """An IGW or EIGW carries its own VPC's addresses: it can neither translate nor route
        back the address of a host in another VPC (reached it through a TGW)."""
        if self.translated or self.src.vpc == gateway.vpc:
            return
        self.block(node, "gateway", f"{_word(gateway)} '{gateway.name}' of VPC '{gateway.vpc}' "
                   f"carries only that VPC's addresses, not {self.packet.src} of VPC "
                   f"'{self.src.vpc}' (no edge-to-edge routing; use a NAT gateway in "
                   f"'{gateway.vpc}')", entry.span)

    def _to_outside(self, node):
        dst = self.dst
        if dst.kind in ("internet", "service"):
            self.hop(_node(dst), dst.kind, "deliver", f"delivered to {dst.text}")
            return None
        self.block(node, "gateway", f"{dst.text} is not on the internet: the internet path ends here",
                   self.hops[-1].span if self.hops else None)   # the route that led out

    def _nat_gateway(self, nat, subnet):
        node = f"nat:{nat.name}"
        host = self.dp.host(nat.name)
        if host is None:
            self.block(node, "gateway", f"NAT gateway '{nat.name}' has no subnet")
        if self.number not in (6, 17, 1):
            self.block(node, "gateway", f"NAT gateway '{nat.name}' translates TCP, UDP and ICMP only",
                       nat.span)
        if self.via_peering is not None:
            self.block(f"peering:{self.via_peering.name}", "peering",
                       f"traffic from across peering '{self.via_peering.name}' cannot use NAT "
                       f"gateway '{nat.name}' (no edge-to-edge routing)", nat.span)
        if self.dst.address is not None and self.dst.address.version == 6:
            self.block(node, "gateway", f"NAT gateway '{nat.name}' translates IPv4; IPv6 traffic "
                       "goes out by an egress-only internet gateway", nat.span)
        if host.subnet is not subnet:
            self._cross(subnet, host.subnet)
            self._nacl(host.subnet, "in", self.current_src_address(), self.port_value)
        self._settle(host.subnet)
        before = self.packet.src
        new_src = str(host.address) if nat.private else _public_label(nat.name)
        self.packet = _with_src(self.packet, new_src)
        self.translated, self.src_public = True, not nat.private
        self.client_ports = ephemeral_range(nat)
        self.hop(node, "gateway", "translate", f"{nat.name} translates {before} to {new_src}", nat.span)
        return host.subnet, nat.vpc

    def _appliance(self, box, subnet):
        kind = "nat-instance" if isinstance(box, ast.NatInstance) else "instance"
        node = f"{kind}:{box.name}"
        host = self.dp.host(box.name)
        if host is None:
            self.block(node, "gateway", f"'{box.name}' has no address")
        if host.subnet is not subnet:
            self._cross(subnet, host.subnet)
            self._nacl(host.subnet, "in", self.current_src_address(), self.port_value)
        box_end = self.tracer.end(box.name)
        self._sg_check(box_end, "in", peer_address=self.current_src_address(), peer=self.src)
        if box.source_dest_check:
            self.block(node, "gateway", f"'{box.name}' keeps its source/dest check on, so it drops "
                       "traffic not addressed to itself", box.span)
        if isinstance(box, ast.NatInstance) and self.dst.address is not None \
                and self.dst.address.version == 6:
            self.block(node, "gateway", f"NAT instance '{box.name}' does not translate IPv6; "
                       "IPv6 traffic goes out by an egress-only internet gateway", box.span)
        self._settle(host.subnet)
        if isinstance(box, ast.NatInstance):
            before = self.packet.src
            self.packet = _with_src(self.packet, _public_label(box.name))
            self.translated, self.src_public = True, True
            self.client_ports = ephemeral_range(box)
            self.hop(node, "gateway", "translate", f"{box.name} translates {before} to "
                     f"{self.packet.src}", box.span)
        else:
            self.hop(node, "gateway", "forward", f"{box.name} forwards (source/dest check off)", box.span)
        self._sg_check(box_end, "out", peer_address=self.dst.address, peer=self.dst)
        tunnel = self._software_vpn_to(box)
        if tunnel is not None:           # the box ends a VPN to the destination's site
            self._to_site(tunnel)
            return None
        return host.subnet, box.vpc

    def _peering(self, peering, subnet, vpc, entry):
        node = f"peering:{peering.name}"
        ends = (peering.requester.name, peering.accepter.name)
        if vpc not in ends:
            self.block(node, "peering", f"VPC '{vpc}' is not part of peering '{peering.name}'", entry.span)
        other = ends[1] if ends[0] == vpc else ends[0]
        if self.via_peering is not None:
            self.block(node, "peering", f"peering is not transitive: traffic that arrived over "
                       f"'{self.via_peering.name}' cannot leave over '{peering.name}'", entry.span)
        if self.translated:
            self.block(node, "peering", f"traffic translated by a NAT cannot cross peering "
                       f"'{peering.name}' (no edge-to-edge routing)", entry.span)
        sender = self.current_src_address()
        if sender is not None and not self.dp.vpc_holds(vpc, sender):
            self.block(node, "peering", f"peering '{peering.name}' carries only traffic from the "
                       f"addresses of VPC '{vpc}'; {sender} came from outside it (no edge-to-edge "
                       "routing)", entry.span)
        address = self.dst.address
        peer_vpc = self.model.vpcs.get(other)
        if peer_vpc is None or address is None or not any(
                c.net is not None and c.net.version == address.version and address in c.net
                for c in peer_vpc.cidrs + peer_vpc.ipv6):
            self.block(node, "peering", f"peering is not transitive: {self._dst_words()} is not an "
                       f"address of VPC '{other}'", entry.span)
        self.hop(node, "peering", "forward", f"{peering.name} carries it from VPC '{vpc}' to '{other}'",
                 peering.span)
        self.via_peering = peering
        self.return_routes.append((None, "peering", peering))
        target = self.dp.subnet_at(other, address)
        if target is None:
            self.block(f"vpc:{other}", "route", f"{address} is in VPC '{other}' but no subnet holds it",
                       peer_vpc.span)
        self._cross(subnet, target)
        self._arrive(target, other)
        return None

    def _gateway_endpoint(self, ep, subnet, entry):
        node = f"gateway-endpoint:{ep.name}"
        if self.dst.kind != "service" or self.dst.text != ep.service.name:
            self.block(node, "endpoint", f"gateway endpoint '{ep.name}' only reaches "
                       f"{ep.service.name}", entry.span)
        if self.via_peering is not None:
            self.block(node, "endpoint", f"gateway endpoint '{ep.name}' cannot be used from across "
                       f"peering '{self.via_peering.name}'", entry.span)
        if self.src.vpc != ep.vpc:
            how = f"transit gateway '{self.via_tgw.name}'" if self.via_tgw is not None else "it"
            self.block(node, "endpoint", f"gateway endpoint '{ep.name}' serves only VPC '{ep.vpc}': "
                       f"traffic from VPC '{self.src.vpc}' (across {how}) cannot use it",
                       entry.span)
        self.hop(node, "endpoint", "forward", f"{ep.name} carries it privately to {ep.service.name}",
                 entry.span)
        self._cross(subnet, None)
        self.return_routes.append((subnet, "endpoint", ep))
        self.hop(f"service:{self.dst.text}", "service", "deliver", f"delivered to {self.dst.text}")
        return None

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

    def _settle(self, subnet: ast.Subnet | None, address=None) -> None:
        """A device in ``subnet`` answers: pending TGW crossings need a route back from there."""
        if not self.tgw_pending or subnet is None:
            return
        address = address if address is not None else self.current_src_address()
        for tgw, from_vpc in self.tgw_pending:
            self.return_routes.append((subnet, "tgw", (tgw, address, from_vpc)))
        self.tgw_pending = []

    # ------------------------------------------------------------------ from the internet

    def _from_internet(self) -> None:
        dst = self.dst
        if dst.kind in ("internet", "service"):
            self.hop(_node(dst), dst.kind, "deliver", f"delivered to {dst.text}")
            return
        if dst.vpc is None or dst.subnet is None:
            self.block("internet", "route", f"{dst.text} cannot be reached from the internet",
                       dst.obj.span if dst.obj is not None else None)
        if dst.kind == "lb" and dst.obj.scheme == "internal":
            self.block(f"lb:{dst.obj.name}", "lb", f"load balancer '{dst.obj.name}' is internal: it "
                       "has no public address, so only clients inside AWS networks reach it",
                       dst.obj.span)
        igw = self.dp.igw_of.get(dst.vpc)
        v6 = dst.address is not None and dst.address.version == 6
        eigw = self.dp.eigw_of.get(dst.vpc)
        if igw is None and v6 and eigw is not None:
            self.block(f"eigw:{eigw.name}", "gateway", f"egress-only internet gateway '{eigw.name}' "
                       "drops inbound-initiated IPv6 traffic", eigw.span)
        if igw is None:
            self.block(f"vpc:{dst.vpc}", "gateway", f"VPC '{dst.vpc}' has no internet gateway",
                       getattr(self.model.vpcs.get(dst.vpc), "span", None))
        node = f"igw:{igw.name}"
        if dst.kind == "nat":
            self.block(f"nat:{dst.text}", "gateway", f"NAT gateway '{dst.text}' only carries "
                       "connections its VPC starts: it drops connections from the internet", dst.obj.span)
        if not v6:
            if not dst.public:
                self.block(node, "gateway", f"{dst.text} has no public IPv4 address: internet gateway "
                           f"'{igw.name}' has nothing to translate to", igw.span)
            self.packet = Packet(self.packet.src, _public_label(dst.text), self.protocol, self.port)
            self.hop(node, "gateway", "translate",
                     f"{igw.name} translates {self.packet.dst} to {dst.address}", igw.span)
            self.packet = Packet(self.packet.src, str(dst.address), self.protocol, self.port)
        else:
            self.hop(node, "gateway", "forward", f"{igw.name} forwards IPv6 untranslated", igw.span)
        self.return_routes.append((dst.subnet, "igw-in", igw))
        self._cross(None, dst.subnet)
        self._arrive(dst.subnet, dst.vpc)

    # ------------------------------------------------------------------ the response

    def _return(self) -> None:
        """Responses go back along the crossings, to every port of the client's range."""
        if self.return_routes:
            # the return routes are looked up for the response as the answering side sends it
            last = self.crossings[-1] if self.crossings else None
            if last is not None:
                self.packet = self._response(last)
            else:
                self.packet = Packet(self.packet.dst, self.packet.src, self.protocol, self._reply_type())
        for subnet, how, via in self.return_routes:
            self._return_route(subnet, how, via)
        for crossing in reversed(self.crossings):
            self.packet = self._response(crossing)
            low, high = crossing.client_ports
            ports = (low, high) if self.number in (6, 17) else None
            response_src, response_dst = crossing.dst, crossing.src
            if crossing.entered is not None:
                self._nacl_range(crossing.entered, "out", _parse_ip(str(response_dst)), ports)
            if crossing.left is not None:
                self._nacl_range(crossing.left, "in", _parse_ip(str(response_src)), ports)
        if not self.back:
            self.hop(_node(self.src), "host", "deliver", "the response needs no filter: security "
                     "groups are stateful and no subnet boundary was crossed", back=True)
        else:
            self.hop(_node(self.src), "host", "deliver", f"response delivered to {self.src.text}",
                     back=True)

    def _response(self, crossing) -> Packet:
        """The response to the request that made `crossing`, to the client's whole port range."""
        low, high = crossing.client_ports
        ports = f"{low}-{high}" if self.number in (6, 17) else self._reply_type()
        return Packet(str(crossing.dst), str(crossing.src), self.protocol, ports)

    def _reply_type(self) -> str:
        if self.number in (1, 58) and self.icmp == ECHO_REQUEST[self.number]:
            return "echo-reply"
        return ""

    def _return_route(self, subnet, how, via) -> None:
        if how == "peering":
            # the destination side needs a route back over the same peering
            src = self.src.address
            self._route_back(self.dst.subnet, src, via, lambda table, got: (
                f"no return route: '{table}' has {got} for {src}, not peering '{via.name}'"))
        elif how == "igw-in":
            def outbound_only(rt, entry) -> None:
                if entry is not None and isinstance(entry.target, (ast.EgressOnlyInternetGateway,
                                                                   ast.NatGateway)):
                    self.block(rt, "gateway", f"the response would leave by {entry.text}, which only "
                               "carries connections the VPC starts: inbound-initiated traffic is "
                               "dropped", entry.span, back=True)

            self._route_back(subnet, _parse_ip(self.packet.dst) or INTERNET_V4, via, lambda table, got: (
                f"no return route to the internet through '{via.name}': {got}"), outbound_only)
        elif how == "tgw":
            self._tgw_return(subnet, *via)
        elif how in ("vgw-in", "tgw-site", "tgw-from-site", "box-site"):
            self._hybrid_return(subnet, how, via)
        elif how == "forward":
            box, client = via
            self._route_back(subnet, client, box, lambda table, got: (
                f"no return route through NAT instance '{box.name}': subnet '{subnet.name}' has "
                f"{got} for {client}, so the response would not be translated back"))

    def _route_back(self, subnet, address, via, why, check=None) -> None:
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

    def _nacl(self, subnet: ast.Subnet, direction: str, peer_address, port: int | None) -> None:
        nacl = self.model.nacl_of.get(subnet.name)
        if nacl is None:
            return
        node = f"nacl:{nacl.name}"
        if nacl.default:
            self.hop(node, "nacl", "allow", f"default NACL of VPC '{subnet.vpc}' allows all "
                     f"{'inbound' if direction == 'in' else 'outbound'} traffic")
            return
        rule = first_nacl_match(nacl, direction, self.number, port, self.icmp, peer_address,
                                self.dp.nacl_rules(nacl, direction))
        if rule is None:
            way = "inbound" if direction == "in" else "outbound"
            self.block(node, "nacl", f"network ACL '{nacl.name}' has no {way} rule for "
                       f"{self.packet}: the implicit deny drops it", nacl.span)
        if rule.action == "deny":
            self.block(node, "nacl", f"nacl {nacl.name} {direction} rule {rule.number} deny", rule.span)
        self.hop(node, "nacl", "allow", f"nacl {nacl.name} {direction} rule {rule.number} allow", rule.span)

    def _nacl_range(self, subnet: ast.Subnet, direction: str, peer_address, ports) -> None:
        nacl = self.model.nacl_of.get(subnet.name)
        if nacl is None:
            return
        node = f"nacl:{nacl.name}"
        if nacl.default:
            self.hop(node, "nacl", "allow", f"default NACL of VPC '{subnet.vpc}' allows the response",
                     back=True)
            return
        number = self.number
        reply = ECHO_REPLY.get(number) if self.icmp == ECHO_REQUEST.get(number) else self.icmp
        if ports is None:
            rule = first_nacl_match(nacl, direction, number, None, reply, peer_address,
                                    self.dp.nacl_rules(nacl, direction))
            if rule is None or rule.action == "deny":
                why = "the implicit deny" if rule is None else f"{direction} rule {rule.number} deny"
                self.block(node, "nacl", f"network ACL '{nacl.name}' drops the response ({why})",
                           rule.span if rule else nacl.span, back=True)
            self.hop(node, "nacl", "allow", f"nacl {nacl.name} {direction} rule {rule.number} allow", rule.span,
                     back=True)
            return
        allowed, denied = nacl_port_verdicts(nacl, direction, number, ports, peer_address,
                                             self.dp.nacl_rules(nacl, direction))
        if denied:
            failing = ", ".join(_range_text(lo, hi) for lo, hi, _ in denied)
            first = denied[0][2]
            why = f"{direction} rule {first.number} deny" if first is not None else "the implicit deny"
            self.block(node, "nacl", f"network ACL '{nacl.name}' blocks the response to ports "
                       f"{failing} of the client's {_range_text(*ports)} ({why})",
                       first.span if first is not None else nacl.span, back=True)
        rules = sorted({r.number for _, _, r in allowed})
        span = allowed[0][2].span if allowed else None
        self.hop(node, "nacl", "allow", f"nacl {nacl.name} {direction} rule{'s' if len(rules) > 1 else ''} "
                 f"{', '.join(map(str, rules))} allow ports {_range_text(*ports)}", span, back=True)

    def _sg_egress(self, end: End) -> None:
        self._sg_check(end, "out", peer_address=self.dst.address, peer=self.dst)

    def _sg_ingress(self, end: End) -> None:
        self._sg_check(end, "in", peer_address=self.current_src_address(),
                       peer=None if self.translated else self.src)

    def _sg_check(self, end: End, direction: str, peer_address, peer: End | None) -> None:
        sgs = end.sgs or ()
        names = ", ".join(sg.name for sg in sgs)
        node = f"sg:{sgs[0].name}" if sgs else f"{end.kind}:{end.text}"
        if not sgs:
            if direction == "in":
                self.block(node, "sg", f"{end.text} has no security group rule allowing it in")
            return
        for sg in sgs:
            verdict = sg_allows(self, sg, direction, peer_address, peer)
            if verdict is not None:
                self.hop(f"sg:{sg.name}", "sg", "allow", verdict[0], verdict[1])
                return
        word = "ingress" if direction == "in" else "egress"
        self.block(node, "sg", f"no {word} rule of security group{'s' if len(sgs) > 1 else ''} "
                   f"{names} allows {self.packet}", sgs[0].span)


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
    versions = {a.version for a in (_parse_ip(src), _parse_ip(dst)) if a is not None}
    if versions == {4, 6}:
        raise FlowError(f"'{src}' and '{dst}' are of different address families",
                        "a flow is IPv4 or IPv6 end to end")
    if number == 58 and 4 in versions:
        raise FlowError("icmpv6 runs over IPv6, not to an IPv4 address", "use icmp")
    if number == 1 and 6 in versions:
        raise FlowError("icmp runs over IPv4, not to an IPv6 address", "use icmpv6")
    return 6 if number == 58 or 6 in versions else 4


def _no_ipv6(obj, subnet) -> tuple:
    """The `End.problem` of an end that has no IPv6 address in an IPv6 flow."""
    from ..model.network import kind_of
    if isinstance(obj, ast.Subnet):
        why = f"subnet '{obj.name}' has no IPv6 block"
    elif isinstance(obj, (ast.Instance,)):
        why = f"'{obj.name}' has no IPv6 address: its subnet '{subnet.name}' has no IPv6 block"
    else:
        why = f"{_word(obj)} '{obj.name}' has no IPv6 address in this model"
    return ("route", f"{kind_of(obj)}:{obj.name}", why + ", so it has no part in an IPv6 flow",
            subnet.span if subnet is not None else obj.span)


def _parse_ip(text):
    if text is None:
        return None
    try:
        return ip_address(str(text))
    except ValueError:
        try:
            return ip_network(str(text)).network_address if "/" in str(text) else None
        except ValueError:
            return None


def _with_src(packet: Packet, src: str) -> Packet:
    return Packet(src, packet.dst, packet.protocol, packet.port)


def _node(end: End) -> str:
    if end.kind in ("internet",):
        return "internet"
    if end.kind == "service":
        return f"service:{end.text}"
    if end.kind in ("address", "multicast", "broadcast"):
        return f"address:{end.text}"
    if end.kind == "aws-local":
        return f"aws:{end.address}"
    kind = {"interface-endpoint": "interface-endpoint", "nat": "nat"}.get(end.kind, end.kind)
    name = end.obj.name if end.obj is not None else end.text
    return f"{kind}:{name}"


def _range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _did_you_mean(model, text: str) -> str | None:
    from ..checks.names import close_matches, did_you_mean
    close = close_matches(text, [*model.objects, "internet", *SERVICES])
    return did_you_mean(close) if close else None      # every name tied for closest, not one at random


def trace(model, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
    """Trace one concrete flow; see the module docstring."""
    return Tracer(model).trace(src, dst, protocol, port)
