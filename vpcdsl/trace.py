"""Concrete flows, hop by hop: does a packet get there, and does its answer get back?

`trace(model, src, dst, "tcp", 443)` walks the request through security
groups, network ACLs, route tables and gateways, then walks the response back
to every port of the client's ephemeral range. Every hop records what it did
to the packet and the source span of the rule or route that decided. The
verdict names the first component that stopped the flow and its kind (`sg`,
`nacl`, `route`, `peering`, `gateway`, `endpoint`, `lb`), as SEMANTICS.md
defines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_address, ip_network
from typing import Any

from . import ast
from .aws import SERVICES
from .dataplane import DataPlane, Host, ephemeral_range, icmp_type_number, protocol_number
from .span import Span

# Representative addresses for ends the model does not place (documented in
# docs/LANGUAGE.md): an internet host, and where a site host is shown.
INTERNET_V4 = ip_address("198.51.100.1")
INTERNET_V6 = ip_address("2001:db8::1")

KINDS = ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")

_ECHO_REPLY = {1: 0, 58: 129}
_ECHO_REQUEST = {1: 8, 58: 128}
_MAX_LEGS = 16


class FlowError(ValueError):
    """A flow that cannot be traced as written (unknown end, bad protocol)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class NotSimulated(FlowError):
    """A flow through something the engine does not simulate yet (say which)."""


@dataclass(frozen=True, slots=True)
class Packet:
    src: str
    dst: str
    protocol: str
    port: str            # destination port(s) or ICMP type, as text ("443", "32768-60999", "")

    def __str__(self) -> str:
        port = f" {self.port}" if self.port else ""
        return f"{self.src} -> {self.dst} {self.protocol}{port}"

    def to_dict(self) -> dict:
        return {"src": self.src, "dst": self.dst, "protocol": self.protocol, "port": self.port}


@dataclass(frozen=True, slots=True)
class Hop:
    component: str       # node id: `sg:web`, `nacl:db`, `route-table:private`, `igw:prod-igw`
    kind: str            # sg nacl route peering gateway endpoint lb host internet service
    action: str          # allow deny forward translate deliver drop
    detail: str          # what happened, in words
    packet: Packet       # the packet as it left this hop
    span: Span | None    # the rule or route that decided

    def to_dict(self) -> dict:
        span = self.span
        real = span is not None and span.line > 0
        return {"component": self.component, "kind": self.kind, "action": self.action,
                "detail": self.detail, "packet": self.packet.to_dict(),
                "file": span.file if real else None, "line": span.line if real else None,
                "col": span.col if real else None}


@dataclass(frozen=True)
class Trace:
    flow: str
    verdict: str                     # allowed | blocked
    kind: str | None                 # the blocking component's kind
    component: str | None            # its node id
    reason: str
    forward: tuple[Hop, ...]
    back: tuple[Hop, ...]
    span: Span | None = None         # the deciding rule or route of a blocked flow

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    def to_dict(self) -> dict:
        return {"version": 1, "flow": self.flow, "verdict": self.verdict, "kind": self.kind,
                "component": self.component, "reason": self.reason,
                "forward": [h.to_dict() for h in self.forward],
                "return": [h.to_dict() for h in self.back]}

    def table(self) -> str:
        """The hop table `vpcdsl trace` prints."""
        from .report import trace_table
        return trace_table(self)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(self.table())


# ---------------------------------------------------------------------------- ends

@dataclass
class End:
    """A resolved flow end (LANGUAGE.md §4)."""

    text: str
    kind: str                        # instance subnet internet service address nat ... site vpc
    address: Any = None
    obj: Any = None
    host: Host | None = None
    subnet: ast.Subnet | None = None
    vpc: str | None = None
    sgs: tuple | None = None         # None: no security group (probe, internet, NAT gateway)
    public: bool = False             # has a public IPv4 (public IP, EIP)
    ephemeral: tuple[int, int] = (1024, 65535)

    @property
    def label(self) -> str:
        return self.text


def _public_label(name: str) -> str:
    return f"public-ip({name})"


class Tracer:
    """Traces flows on one model; builds nothing per trace (see `vpcdsl.dataplane`)."""

    def __init__(self, model):
        self.model = model
        self.dp: DataPlane = model.dataplane

    # ------------------------------------------------------------------ ends

    def end(self, text: str, *, other_v6: bool = False) -> End:
        m, dp = self.model, self.dp
        if text == "internet":
            return End(text, "internet", INTERNET_V6 if other_v6 else INTERNET_V4)
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
            return End(text, "instance" if isinstance(obj, ast.Instance) else "nat-instance",
                       host.address, obj, host, host.subnet, obj.vpc, dp.security_groups(obj), public,
                       ephemeral_range(obj))
        if isinstance(obj, ast.Subnet):
            if obj.cidr is None or obj.cidr.net is None:
                raise FlowError(f"subnet '{text}' has no valid CIDR")
            probe = obj.cidr.net.broadcast_address - 1
            return End(text, "subnet", probe, obj, None, obj, obj.vpc, None, obj.public_ip,
                       (32768, 60999))
        if isinstance(obj, ast.NatGateway):
            host = dp.host(obj.name)
            if host is None:
                raise FlowError(f"NAT gateway '{text}' has no address")
            return End(text, "nat", host.address, obj, host, host.subnet, obj.vpc, None,
                       not obj.private, ephemeral_range(obj))
        if isinstance(obj, ast.InterfaceEndpoint):
            host = dp.host(obj.name)
            if host is None:
                raise FlowError(f"interface endpoint '{text}' has no address")
            return End(text, "interface-endpoint", host.address, obj, host, host.subnet, obj.vpc,
                       dp.security_groups(obj), False)
        if isinstance(obj, ast.Site):
            nets = [c.net for c in obj.cidrs if c.net is not None]
            if not nets:
                raise FlowError(f"site '{text}' has no valid CIDR")
            return End(text, "site", nets[0].network_address + 10, obj,
                       ephemeral=ephemeral_range(obj))
        raise NotSimulated(f"{_word(obj)} '{text}' is not simulated as a flow end yet",
                        "flow ends are instances, subnets, NAT gateways and instances, interface "
                        "endpoints, sites, `internet`, AWS services and addresses")

    def _address_end(self, text: str, address) -> End:
        dp = self.dp
        host = dp.host_at.get(address)
        if host is not None:
            end = self.end(host.obj.name)
            end.text, end.address = text, address
            return end
        vpc = dp.vpc_at(address)
        if vpc is not None:
            subnet = dp.subnet_at(vpc.name, address)
            return End(text, "address", address, None, None, subnet, vpc.name, None, False,
                       (32768, 60999))
        for site in self.model.sites.values():
            if any(c.net is not None and c.net.version == address.version and address in c.net
                   for c in site.cidrs):
                return End(text, "site", address, site, ephemeral=ephemeral_range(site))
        if address.is_global:
            return End(text, "internet", address)
        return End(text, "address", address)

    # ------------------------------------------------------------------ entry point

    def trace(self, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
        protocol, port = _normalise(protocol, port)
        dst_end = self.end(dst)
        src_end = self.end(src, other_v6=dst_end.address is not None and dst_end.address.version == 6)
        if dst_end.kind == "internet" and src_end.address is not None and src_end.address.version == 6 \
                and dst_end.text == "internet":
            dst_end = self.end(dst, other_v6=True)
        flow = f"{src} -> {dst} {protocol}{' ' + port if port else ''}"
        walk = _Walk(self, src_end, dst_end, protocol, port)
        return walk.run(flow)


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
    return_routes: list[tuple] = field(default_factory=list)

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
        if dst.kind == "address" and dst.vpc is not None and dst.subnet is None:
            pass  # routed below; dropped where no subnet holds it
        if src.kind == "internet" or src.kind == "site":
            self.hop(src.kind if src.kind == "internet" else f"site:{src.text}", src.kind,
                     "forward", f"{src.text} sends {self.packet}")
            if src.kind == "internet":
                self._from_internet()
                return
            raise NotSimulated("flows from sites are simulated with the hybrid analyses (not yet)")
        if src.kind == "service":
            raise FlowError("an AWS service cannot start a flow", "trace from a host to the service")
        if src.vpc is None:
            raise FlowError(f"'{src.text}' is not inside a VPC of the model")
        if src.sgs is not None:
            self._sg_egress(src)
        self._route_from(src.subnet, src.vpc)

    def _route_from(self, subnet: ast.Subnet, vpc: str) -> None:
        for _ in range(_MAX_LEGS):
            dst = self.dst
            if dst.subnet is subnet and dst.kind not in ("internet", "service", "site") \
                    and not self.translated_to_public():
                self.hop(f"subnet:{subnet.name}", "route", "forward",
                         f"same subnet {subnet.name}: delivered without the route table or NACL")
                self._deliver(dst)
                return
            self._nacl(subnet, "out", self.packet_dst_address(), self.port_value)
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

    def translated_to_public(self) -> bool:
        return False

    def packet_dst_address(self):
        return self.dst.address

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
            self.block(f"vpc:{vpc}", "route", f"{address} is in VPC '{vpc}' but no subnet holds it")
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
        self.hop(_node(dst), "host", "deliver", f"delivered to {dst.text}")

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
        raise NotSimulated(f"flows through {_word(target)} '{target.name}' are not simulated yet")

    def _igw_out(self, igw, subnet, entry):
        node = f"igw:{igw.name}"
        address = self.dst.address if self.dst.kind != "service" else INTERNET_V4
        self._cross(subnet, None)
        self.return_routes.append((subnet, "igw", igw))
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
        self.hop(node, "gateway", "forward", f"{eigw.name} forwards outbound IPv6", entry.span)
        return self._to_outside(node)

    def _to_outside(self, node):
        dst = self.dst
        if dst.kind in ("internet", "service"):
            self.hop(_node(dst), dst.kind, "deliver", f"delivered to {dst.text}")
            return None
        self.block(node, "gateway", f"{dst.text} is not on the internet: the internet path ends here")

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
        if host.subnet is not subnet:
            self._cross(subnet, host.subnet)
            self._nacl(host.subnet, "in", self.current_src_address(), self.port_value)
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
            self.block(f"vpc:{other}", "route", f"{address} is in VPC '{other}' but no subnet holds it")
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
        self.hop(node, "endpoint", "forward", f"{ep.name} carries it privately to {ep.service.name}",
                 entry.span)
        self._cross(subnet, None)
        self.return_routes.append((subnet, "endpoint", ep))
        self.hop(f"service:{self.dst.text}", "service", "deliver", f"delivered to {self.dst.text}")
        return None

    # ------------------------------------------------------------------ from the internet

    def _from_internet(self) -> None:
        dst = self.dst
        if dst.kind in ("internet", "service"):
            self.hop(_node(dst), dst.kind, "deliver", f"delivered to {dst.text}")
            return
        if dst.vpc is None or dst.subnet is None:
            self.block("internet", "route", f"{dst.text} cannot be reached from the internet")
        igw = self.dp.igw_of.get(dst.vpc)
        v6 = dst.address is not None and dst.address.version == 6
        if igw is None:
            self.block(f"vpc:{dst.vpc}", "gateway", f"VPC '{dst.vpc}' has no internet gateway")
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
        for subnet, how, via in self.return_routes:
            self._return_route(subnet, how, via)
        for crossing in reversed(self.crossings):
            response_src, response_dst = crossing.dst, crossing.src
            low, high = crossing.client_ports
            ports = (low, high) if self.number in (6, 17) else None
            self.packet = Packet(str(response_src), str(response_dst), self.protocol,
                                 f"{low}-{high}" if ports else self._reply_type())
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

    def _reply_type(self) -> str:
        if self.number in (1, 58) and self.icmp == _ECHO_REQUEST[self.number]:
            return "echo-reply"
        return ""

    def _return_route(self, subnet, how, via) -> None:
        if how == "peering":
            # the destination side needs a route back over the same peering
            dst_subnet = self.dst.subnet
            table = self.dp.route_table_of(dst_subnet) if dst_subnet is not None else None
            src = self.src.address
            entry = table.lookup(src) if table is not None and src is not None else None
            rt = f"route-table:{table.table.name}" if table is not None else f"subnet:{dst_subnet}"
            if entry is None or entry.target is not via:
                got = "no route" if entry is None else f"route {entry.text}"
                self.block(rt, "route", f"no return route: '{table.table.name if table else '?'}' "
                           f"has {got} for {src}, not peering '{via.name}'",
                           entry.span if entry else None, back=True)
            self.hop(rt, "route", "forward", f"return route {entry.text} matched", entry.span, back=True)
        elif how == "igw-in":
            table = self.dp.route_table_of(subnet)
            entry = table.lookup(_parse_ip(self.packet.src) or INTERNET_V4) if table else None
            rt = f"route-table:{table.table.name}" if table is not None else f"subnet:{subnet.name}"
            if entry is None or entry.target is not via:
                got = "no route" if entry is None else f"route {entry.text}"
                self.block(rt, "route", f"no return route to the internet through '{via.name}': "
                           f"{got}", entry.span if entry else None, back=True)
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
        rule = first_nacl_match(nacl, direction, self.number, port, self.icmp, peer_address)
        if rule is None:
            self.block(node, "nacl", f"network ACL '{nacl.name}' has no {direction} rule for "
                       f"{self.packet}: the implicit deny drops it", nacl.span)
        if rule.action == "deny":
            self.block(node, "nacl", f"nacl {nacl.name} rule {rule.number} deny", rule.span)
        self.hop(node, "nacl", "allow", f"nacl {nacl.name} rule {rule.number} allow", rule.span)

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
        reply = _ECHO_REPLY.get(number) if self.icmp == _ECHO_REQUEST.get(number) else self.icmp
        if ports is None:
            rule = first_nacl_match(nacl, direction, number, None, reply, peer_address)
            if rule is None or rule.action == "deny":
                why = "the implicit deny" if rule is None else f"rule {rule.number} deny"
                self.block(node, "nacl", f"network ACL '{nacl.name}' drops the response ({why})",
                           rule.span if rule else nacl.span, back=True)
            self.hop(node, "nacl", "allow", f"nacl {nacl.name} rule {rule.number} allow", rule.span,
                     back=True)
            return
        allowed, denied = nacl_port_verdicts(nacl, direction, number, ports, peer_address)
        if denied:
            failing = ", ".join(_range_text(lo, hi) for lo, hi, _ in denied)
            first = denied[0][2]
            why = f"rule {first.number} deny" if first is not None else "the implicit deny"
            self.block(node, "nacl", f"network ACL '{nacl.name}' blocks the response to ports "
                       f"{failing} of the client's {_range_text(*ports)} ({why})",
                       first.span if first is not None else nacl.span, back=True)
        rules = sorted({r.number for _, _, r in allowed})
        span = allowed[0][2].span if allowed else None
        self.hop(node, "nacl", "allow", f"nacl {nacl.name} rule{'s' if len(rules) > 1 else ''} "
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


# ---------------------------------------------------------------------------- rule matching

def first_nacl_match(nacl: ast.Nacl, direction: str, number: int | None, port: int | None,
                     icmp: int | None, address) -> ast.NaclRule | None:
    for rule in sorted((r for r in nacl.rules if r.direction == direction), key=lambda r: r.number):
        if _nacl_matches(rule, number, icmp, address) and _port_matches(rule.protocol, number, port):
            return rule
    return None


def nacl_port_verdicts(nacl, direction, number, ports, address):
    """Split a port range among the rules that decide it: (allowed, denied) [(lo, hi, rule)]."""
    undecided = [ports]
    allowed, denied = [], []
    for rule in sorted((r for r in nacl.rules if r.direction == direction), key=lambda r: r.number):
        if not undecided:
            break
        if not _nacl_matches(rule, number, None, address):
            continue
        proto = rule.protocol
        lo, hi = (0, 65535)
        if proto.ports is not None and protocol_number(proto.name) in (6, 17):
            lo, hi = proto.ports.low, proto.ports.high
        rest = []
        for a, b in undecided:
            x, y = max(a, lo), min(b, hi)
            if x > y:
                rest.append((a, b))
                continue
            (allowed if rule.action == "allow" else denied).append((x, y, rule))
            if a < x:
                rest.append((a, x - 1))
            if y < b:
                rest.append((y + 1, b))
        undecided = rest
    denied.extend((a, b, None) for a, b in undecided)
    denied.sort(key=lambda t: t[0])
    return allowed, denied


def _nacl_matches(rule: ast.NaclRule, number, icmp, address) -> bool:
    rnum = protocol_number(rule.protocol.name)
    if rnum is None:
        return False
    if rnum != -1 and rnum != number:
        return False
    if rnum in (1, 58) and rule.protocol.icmp_type is not None and icmp is not None:
        if icmp_type_number(rnum, rule.protocol.icmp_type) != icmp:
            return False
    if isinstance(rule.cidr, ast.AnyPeer):
        return True
    net = rule.cidr.net
    return net is not None and address is not None and net.version == address.version and address in net


def _port_matches(proto: ast.Protocol, number, port: int | None) -> bool:
    if proto.ports is None or port is None or number not in (6, 17):
        return True
    return proto.ports.low <= port <= proto.ports.high


def sg_allows(walk: _Walk, sg: ast.SecurityGroup, direction: str, address, peer: End | None):
    """(detail, span) of the first rule of ``sg`` allowing the walk's packet, or None."""
    rules = [r for r in sg.rules if r.direction == direction]
    if direction == "out" and not rules and not sg.egress_none:
        return f"security group {sg.name} allows all outbound traffic (default egress)", sg.span
    if direction == "in" and sg.default:
        if peer is not None and peer.sgs is not None and sg in peer.sgs:
            return (f"default security group {sg.name} allows traffic from its own members",
                    sg.span)
        return None
    number = walk.number
    for rule in rules:
        rnum = protocol_number(rule.protocol.name)
        if rnum is None or (rnum != -1 and rnum != number):
            continue
        if rnum in (1, 58) and rule.protocol.icmp_type is not None and walk.icmp is not None:
            if icmp_type_number(rnum, rule.protocol.icmp_type) != walk.icmp:
                continue
        if not _port_matches(rule.protocol, number, walk.port_value):
            continue
        for p in rule.peers:
            if _sg_peer_matches(walk, p, address, peer):
                word = "from" if direction == "in" else "to"
                what = p.text if isinstance(p, ast.Cidr) else ("any" if isinstance(p, ast.AnyPeer) else p.name)
                return f"sg {sg.name} allows {rule.protocol.name} {word} {what}", rule.span
    return None


def _sg_peer_matches(walk: _Walk, peer, address, end: End | None) -> bool:
    if isinstance(peer, ast.AnyPeer):
        return True
    if isinstance(peer, ast.Cidr):
        net = peer.net
        return net is not None and address is not None and net.version == address.version \
            and address in net
    name = peer.name
    if end is not None and end.kind == "service":
        return name == end.text
    sg = walk.model.get(name, "sg")
    if sg is None or end is None or end.sgs is None:
        return False
    return sg in end.sgs


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
    if end.kind == "address":
        return f"address:{end.text}"
    kind = {"interface-endpoint": "interface-endpoint", "nat": "nat"}.get(end.kind, end.kind)
    name = end.obj.name if end.obj is not None else end.text
    return f"{kind}:{name}"


def _range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _word(obj) -> str:
    from .model import KIND_WORDS, kind_of
    return KIND_WORDS[kind_of(obj)]


def _did_you_mean(model, text: str) -> str | None:
    import difflib
    names = list(model.objects) + ["internet", *SERVICES]
    close = difflib.get_close_matches(text, names, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def trace(model, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
    """Trace one concrete flow; see the module docstring."""
    return Tracer(model).trace(src, dst, protocol, port)
