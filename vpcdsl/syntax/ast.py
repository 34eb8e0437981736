"""The typed model of a .vpc file: one frozen dataclass per construct.

The transformer builds these straight from tokens; the resolver returns new
instances with defaults filled (`dataclasses.replace`), never mutating them.
References to other objects are `Ref`s (a name and where it was written);
addresses are `ipaddress` networks, or None where the literal was invalid
(a diagnostic has been reported for it then). It is the language's one
vocabulary, which every stage imports whole as `ast`: the Route 53 zones and the
expectations are declared in `vpcdsl.syntax.ast_dns` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Literal, Union

from ..span import NOWHERE, Span
from .ast_dns import (  # noqa: F401  (re-exported: `ast.Record`, `ast.ExpectFlow`)
    DnsClient, DnsZone, Expectation, ExpectDns, ExpectFlow, ExpectIsolated, ExpectValid, FlowEnd,
    HealthCheck, Policy, Record, RecordEntry, Value,
)

Network = Union[IPv4Network, IPv6Network]
Address = Union[IPv4Address, IPv6Address]

_node = dataclass(frozen=True, slots=True)


@_node
class Ref:
    """A name written where an object is expected."""

    name: str
    span: Span


@_node
class Cidr:
    """A CIDR literal; ``net`` is None when the text was not a valid block."""

    text: str
    net: Network | None
    span: Span


@_node
class Addr:
    """An address literal; ``ip`` is None when the text was not valid."""

    text: str
    ip: Address | None
    span: Span


@_node
class PortRange:
    low: int
    high: int
    span: Span

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


# ----------------------------------------------------------------------------
# Protocols and filter rules
# ----------------------------------------------------------------------------

@_node
class Protocol:
    """``tcp 443``, ``udp 1024-65535``, ``icmp echo-request``, ``any``, ``50``.

    ``name`` is ``tcp``/``udp``/``icmp``/``icmpv6``/``any`` or the protocol
    number as text. ``ports`` is None for "every port" (also for portless
    protocols); ``icmp_type`` the type name or number written after icmp.
    """

    name: str
    ports: PortRange | None
    icmp_type: str | None
    span: Span
    any_ports: bool = False  # ports written as `any`


@_node
class SgRule:
    direction: Literal["in", "out"]
    protocol: Protocol
    peers: tuple["Peer", ...]
    span: Span


@_node
class AnyPeer:
    """``any``: every address, IPv4 and IPv6."""

    span: Span


Peer = Union[Cidr, Ref, AnyPeer]


@_node
class NaclRule:
    direction: Literal["in", "out"]
    number: int
    action: Literal["allow", "deny"]
    protocol: Protocol
    cidr: Cidr | AnyPeer
    span: Span


# ----------------------------------------------------------------------------
# VPC contents
# ----------------------------------------------------------------------------

@_node
class Subnet:
    name: str
    cidr: Cidr | None          # None until allocated when written with size/hosts
    size: int | None           # `size /P`
    hosts: int | None          # `hosts N`
    az: Ref | None             # as written (`a` or `us-east-1a`)
    ipv6: Cidr | None
    public_ip: bool
    span: Span
    vpc: str = ""
    zone: str = ""             # the full AZ name once resolved (`us-east-1a`)
    allocated: bool = False    # the compiler chose the CIDR


@_node
class InternetGateway:
    name: str
    span: Span
    vpc: str = ""


@_node
class EgressOnlyInternetGateway:
    name: str
    span: Span
    vpc: str = ""


@_node
class NatGateway:
    name: str
    subnet: Ref
    private: bool
    span: Span
    vpc: str = ""


@_node
class PortForward:
    port: PortRange
    instance: Ref
    to_port: int
    span: Span


@_node
class NatInstance:
    name: str
    subnet: Ref
    sgs: tuple[Ref, ...]
    source_dest_check: bool
    forwards: tuple[PortForward, ...]
    span: Span
    vpc: str = ""
    down: bool = False               # `down`: stopped or failed; it sends, receives and forwards nothing


@_node
class VirtualPrivateGateway:
    name: str
    asn: int | None
    span: Span
    vpc: str = ""


@_node
class Blackhole:
    span: Span


@_node
class Route:
    """``DEST -> TARGET``; ``dest`` is a CIDR or a prefix-list name."""

    dest: Cidr | Ref
    target: Ref | Blackhole
    span: Span


@_node
class RouteTable:
    name: str
    main: bool
    subnets: tuple[Ref, ...]
    routes: tuple[Route, ...]
    propagations: tuple[Ref, ...]
    span: Span
    vpc: str = ""
    implicit: bool = False     # the main table AWS creates when none is marked


@_node
class Nacl:
    name: str
    subnets: tuple[Ref, ...]
    rules: tuple[NaclRule, ...]
    span: Span
    vpc: str = ""
    default: bool = False      # the VPC's default NACL (allows everything)


@_node
class SecurityGroup:
    name: str
    rules: tuple[SgRule, ...]
    egress_none: bool          # `out none` written
    span: Span
    vpc: str = ""
    default: bool = False      # the VPC's default SG

    @property
    def ingress(self) -> tuple[SgRule, ...]:
        return tuple(r for r in self.rules if r.direction == "in")

    @property
    def egress(self) -> tuple[SgRule, ...]:
        return tuple(r for r in self.rules if r.direction == "out")


EnhancedNetworking = Literal["ena", "intel-82599", "none"]


@_node
class Instance:
    name: str
    subnet: Ref
    sgs: tuple[Ref, ...]
    ip: Addr | None
    public_ip: Literal["none", "public-ip", "eip"]
    os: Literal["linux", "windows"] | None
    ephemeral: PortRange | None
    type: str | None
    network: EnhancedNetworking
    source_dest_check: bool
    tenancy: Literal["default", "dedicated", "host"]
    span: Span
    vpc: str = ""
    down: bool = False               # `down`: stopped or failed; it sends, receives and forwards nothing

    @property
    def bandwidth_gbps(self) -> int | None:
        """The most its enhanced-networking interface carries (None with `network none`)."""
        from ..aws import ENHANCED_NETWORKING  # aws is data only; imported here to keep ast standalone
        return ENHANCED_NETWORKING.get(self.network)


@_node
class GatewayEndpoint:
    name: str
    service: Ref
    route_tables: tuple[Ref, ...]
    span: Span
    vpc: str = ""


@_node
class InterfaceEndpoint:
    name: str
    service: Ref
    subnets: tuple[Ref, ...]
    sgs: tuple[Ref, ...]
    private_dns: bool
    span: Span
    vpc: str = ""


@_node
class Target:
    """A load balancer target: a model name or an address, and a port; ``down`` when it
    fails the load balancer's health check (written `down` after it)."""

    ref: Ref | Addr
    port: int | None
    span: Span
    down: bool = False


@_node
class Listener:
    protocol: str              # http https tcp udp tls tcp_udp ssl
    port: int
    targets: tuple[Target, ...]
    span: Span


@_node
class LbRule:
    port: int                  # the listener this rule belongs to
    condition: Literal["path", "host", "header", "method", "query", "source-ip"]
    key: str | None            # header name, query key
    value: str                 # path, host pattern, header value, method, query value, CIDR
    targets: tuple[Target, ...]
    span: Span


@_node
class LoadBalancer:
    name: str
    type: Literal["application", "network", "classic"]
    scheme: Literal["internet-facing", "internal"]
    subnets: tuple[Ref, ...]
    sgs: tuple[Ref, ...]
    listeners: tuple[Listener, ...]
    rules: tuple[LbRule, ...]
    span: Span
    vpc: str = ""


VpcMember = Union[
    Subnet, InternetGateway, EgressOnlyInternetGateway, NatGateway, NatInstance,
    VirtualPrivateGateway, RouteTable, Nacl, SecurityGroup, Instance,
    GatewayEndpoint, InterfaceEndpoint, LoadBalancer,
]


@_node
class Vpc:
    name: str
    region: Ref | None         # written `region`, else the file's current region
    cidrs: tuple[Cidr, ...]    # the first is primary
    ipv6: tuple[Cidr, ...]
    members: tuple[VpcMember, ...]
    span: Span
    region_name: str = ""      # resolved region

    def of_type(self, cls):
        return tuple(m for m in self.members if isinstance(m, cls))


# ----------------------------------------------------------------------------
# Between VPCs, hybrid
# ----------------------------------------------------------------------------

@_node
class Peering:
    name: str
    requester: Ref
    accepter: Ref
    span: Span


@_node
class TgwAttachment:
    vpc: Ref
    subnets: tuple[Ref, ...]   # empty: the first subnet of each AZ
    static_only: bool          # no propagation into the default route table
    span: Span
    appliance_mode: bool = False   # both directions of a flow use one AZ of this VPC


@_node
class TgwRoute:
    cidr: Cidr
    target: Ref | Blackhole
    span: Span


@_node
class TgwRouteTable:
    """A `route-table NAME { ... }` of a TGW: the attachments it is associated with (a
    lookup for a packet entering by one of them uses it), those propagating into it, its
    static routes. Named `default`, it adds to the default route table."""

    name: str
    associations: tuple[Ref, ...]
    propagations: tuple[Ref, ...]
    routes: tuple[TgwRoute, ...]
    span: Span


@_node
class TgwPeering:
    """`peering NAME -> TGW`: a peering attachment between this TGW and another (static
    routes only); both TGWs know it as NAME."""

    name: str
    peer: Ref
    span: Span


@_node
class TransitGateway:
    name: str
    asn: int | None
    attachments: tuple[TgwAttachment, ...]
    routes: tuple[TgwRoute, ...]          # static routes of the default route table
    span: Span
    region: Ref | None = None  # written `region`, else the file's current region
    region_name: str = ""      # resolved region
    vpn_ecmp: bool = False     # `vpn-ecmp`: ECMP over its BGP VPNs (VPN ECMP support)
    route_tables: tuple[TgwRouteTable, ...] = ()
    peerings: tuple[TgwPeering, ...] = ()
    default_association: bool = True     # unassociated attachments use the default table
    default_propagation: bool = True      # attachments (not static-only) propagate into it
    sg_referencing: bool = False          # SG rules may name groups of other attached VPCs


@_node
class Site:
    name: str
    cidrs: tuple[Cidr, ...]
    asn: int | None
    ephemeral: PortRange | None
    span: Span
    region_name: str = ""


@_node
class Vpn:
    name: str
    site: Ref
    target: Ref                # a vgw, tgw or (software VPN) instance
    routing: Literal["bgp", "static"] | None
    static_cidrs: tuple[Cidr, ...]
    over: Ref | None           # the Direct Connect it runs inside
    span: Span
    down: bool = False         # `down`: its tunnels are down, path selection skips it


@_node
class DxGateway:
    name: str
    asn: int | None
    attachments: tuple[Ref, ...]
    span: Span


@_node
class DirectConnect:
    name: str
    site: Ref
    target: Ref | None         # None: `aws` (public VIF to AWS public services)
    vif: Literal["private", "public", "transit"]
    vlan: int | None
    bandwidth: str | None
    span: Span
    down: bool = False         # `down`: its BGP session is down, path selection skips it


@_node
class Advertise:
    site: Ref
    cidr: Cidr
    via: Ref | None
    prepend: int | None
    community: str | None
    span: Span
    med: int | None = None     # `med N`: the MED, compared between paths from one AS


@_node
class PlacementMember:
    instance: Ref
    partition: int | None
    span: Span


@_node
class PlacementGroup:
    name: str
    strategy: Literal["cluster", "spread", "partition"]
    partitions: int | None
    members: tuple[PlacementMember, ...]
    span: Span


@_node
class Cdn:
    name: str
    origin: Ref                # an lb, an instance, or a domain name (Ref.name)
    origin_is_domain: bool
    policy: str | None
    ssl: Literal["sni", "dedicated-ip"] | None
    span: Span


@_node
class RegionStmt:
    name: Ref
    span: Span


Statement = Union[
    RegionStmt, Vpc, Peering, TransitGateway, Site, Vpn, DxGateway, DirectConnect,
    Advertise, PlacementGroup, DnsZone, Cdn, ExpectFlow, ExpectIsolated, ExpectDns,
    ExpectValid,
]


@dataclass(frozen=True, slots=True)
class File:
    """One parsed .vpc file: its statements in source order."""

    path: str
    statements: tuple[Statement, ...]
    text: str = field(repr=False, default="")


def implicit_span(file: str = NOWHERE.file) -> Span:
    return Span(file, 0, 0, 0, 0)
