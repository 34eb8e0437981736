"""The graph's schema: the one place the attribute schema of the model's networkx
MultiDiGraph is fixed (`vpcdsl.model.graph.build_graph` builds it, through
`graph_nodes` and `graph_edges`, and re-exports every name here).
Analyses read the graph and return new data; to change it, work on ``G.copy()``.

Node ids are stable strings ``kind:name`` where ``kind`` is the object's kind
in `vpcdsl.model.network.KIND_OF` (``subnet:public-a``, ``nat:nat-a``,
``route-table:prod.main``), plus a few nodes for things outside the model:
``internet``, ``blackhole``, ``service:s3`` and ``dns-zone:example.com``.
Attribute keys are the module constants below (``G.nodes[n][AZ]``).

Node kinds (attribute `KIND`)

===========  =============================================  ===========================================
kind         ids                                            attributes besides KIND, NAME, SPAN, OBJECT
===========  =============================================  ===========================================
vpc          ``vpc:NAME``                                   REGION, VPC, CIDR (primary IPv4), IPV6,
                                                            CIDRS (every valid block, IPv4 first)
subnet       ``subnet:NAME``                                REGION, VPC, AZ, CIDR, IPV6, PUBLIC_IP
route-table  ``route-table:NAME``                           REGION, VPC, MAIN, IMPLICIT
nacl         ``nacl:NAME``                                  REGION, VPC, IMPLICIT (the default NACL)
sg           ``sg:NAME``                                    REGION, VPC, IMPLICIT (the default SG)
gateway      ``igw:``, ``eigw:``, ``nat:``, ``vgw:``,       GATEWAY_TYPE (the id's kind); in a VPC:
             ``nat-instance:``, ``tgw:``, ``dxgw:`` + NAME  REGION, VPC; nat, nat-instance: AZ, SUBNET;
                                                            vgw, tgw, dxgw: ASN; tgw: REGION
instance     ``instance:NAME``                              REGION, VPC, AZ, SUBNET, IP, PUBLIC_IP,
                                                            NETWORK, BANDWIDTH_GBPS
endpoint     ``gateway-endpoint:NAME``,                     REGION, VPC, ENDPOINT_TYPE, SERVICE
             ``interface-endpoint:NAME``
lb           ``lb:NAME``                                    REGION, VPC, LB_TYPE, SCHEME
peering      ``peering:NAME``                               CROSS_REGION (None if a VPC is unknown)
site         ``site:NAME``                                  REGION, CIDRS, ASN
vpn          ``vpn:NAME``                                   (see OBJECT)
dx           ``dx:NAME``                                    (see OBJECT)
placement    ``placement:NAME``                             (see OBJECT)
dns-zone     ``dns-zone:DOMAIN`` (then ``#2``, ``#3``...    PRIVATE
             for more zones of one domain)
cdn          ``cdn:NAME``                                   (see OBJECT)
internet     ``internet`` (always present)                  NAME only
service      ``service:NAME``; ``service:aws`` stands       NAME only
             for the AWS public services of a public VIF
blackhole    ``blackhole`` (when some route drops)          NAME only
===========  =============================================  ===========================================

OBJECT is the resolved `vpcdsl.syntax.ast` node (rules, listeners and the rest live
there); SPAN its source span. Addresses are `ipaddress` networks and
addresses, None where the literal was invalid (a diagnostic says so).

Edge kinds (attribute `EDGE_KIND`); keys are networkx's integers

===========  ===================================================  =====================================
kind         from -> to                                           attributes
===========  ===================================================  =====================================
contains     where an object lives: vpc -> subnet, route-table,   (none)
             nacl, sg, igw, eigw, vgw, gateway endpoint;
             subnet -> instance, nat, nat-instance; subnet ->
             interface endpoint and lb, once per subnet (vpc ->
             them when no subnet resolves)
associated   route-table -> subnet, nacl -> subnet (only the one  SPAN of the reference, or IMPLICIT
             the subnet uses); sg -> instance, nat-instance,      True (main table, default NACL,
             interface endpoint, lb; dns-zone -> vpc (private)    default SG)
route        route-table -> vpc (``local``, one per VPC block),   PREFIX (CIDR text, or prefix-list
             gateway, peering, instance, blackhole (written),     name), NET (network, None for a
             gateway endpoint (its prefix list); tgw -> vpc,      prefix list), ORIGIN (Origin), SPAN
             vpn, dx, dxgw, blackhole
propagation  route-table -> vgw (``propagate``)                   SPAN
attachment   igw, eigw, vgw -> vpc; igw, eigw -> internet;        ROLE, SPAN; tgw -> vpc also SUBNETS
             tgw -> vpc; peering -> vpc (requester, accepter);    (written, else the first of each
             vpn -> site, target, dx (over); dx -> site, target   AZ) and STATIC_ONLY
             (vgw, dxgw, ``service:aws``); dxgw -> vgw, tgw
peering      vpc -> vpc, both ways, per peering connection        NAME (the peering), ROLE (the source
                                                                  VPC's: requester, accepter), SPAN
member       placement -> instance                                PARTITION, SPAN
target       lb -> instance, nat-instance, lb (per listener and   LISTENER (port), PROTOCOL, PORT, SPAN
             rule target)
origin       cdn -> lb, instance                                  SPAN
alias        dns-zone -> lb, cdn, instance (record values)        LABEL, RECORD_TYPE, SPAN
service      gateway or interface endpoint -> service             SPAN
===========  ===================================================  =====================================

Edges go only to objects that resolve to a kind the language allows there;
unknown names and wrong kinds are reported by the checks and left out, so a
model compiled with ``strict=False`` still gives a graph. Objects whose name
was a duplicate or reserved word are not nodes (the first definition is).

Examples
--------
>>> import vpcdsl
>>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n}")
>>> G = m.graph
>>> G.nodes["subnet:s"][AZ]
'us-east-1a'
>>> [(u, d[PREFIX]) for u, v, d in G.in_edges("vpc:a", data=True) if d[EDGE_KIND] == "route"]
[('route-table:a.main', '10.0.0.0/16')]
"""

from __future__ import annotations

import networkx as nx

from .network import KIND_OF

__all__ = [
    "node_id", "id_of", "split_id", "view", "NodeKind", "EdgeKind", "Origin",
    "KIND", "NAME", "SPAN", "OBJECT", "REGION", "VPC", "AZ", "CIDR", "CIDRS", "IPV6", "SUBNET",
    "SUBNETS", "GATEWAY_TYPE", "ENDPOINT_TYPE", "SERVICE", "LB_TYPE", "SCHEME", "IP", "PUBLIC_IP", "NETWORK", "BANDWIDTH_GBPS",
    "MAIN", "IMPLICIT", "PRIVATE", "ASN", "CROSS_REGION", "EDGE_KIND", "PREFIX", "NET", "ORIGIN",
    "ROLE", "STATIC_ONLY", "PARTITION", "LISTENER", "PROTOCOL", "PORT", "LABEL", "RECORD_TYPE",
    "INTERNET", "BLACKHOLE",
]

# --- node attribute keys ------------------------------------------------------
KIND = "kind"                  # a NodeKind value
NAME = "name"                  # the object's name (a DNS zone's domain)
SPAN = "span"                  # vpcdsl.span.Span where it was written (nodes and edges)
OBJECT = "object"              # the resolved vpcdsl.syntax.ast node
REGION = "region"              # e.g. "us-east-1"
VPC = "vpc"                    # name of the VPC the object is in
AZ = "az"                      # full AZ name ("us-east-1a"), "" when not given
CIDR = "cidr"                  # IPv4 network (a VPC's primary block), or None
CIDRS = "cidrs"                # tuple of networks: every valid block of a VPC or site
IPV6 = "ipv6"                  # IPv6 network, or None
SUBNET = "subnet"              # name of the subnet an instance or NAT sits in
SUBNETS = "subnets"            # tuple of subnet names (a TGW attachment's)
GATEWAY_TYPE = "gateway_type"  # igw eigw nat nat-instance vgw tgw dxgw
ENDPOINT_TYPE = "endpoint_type"  # gateway interface
SERVICE = "service"            # the AWS service of an endpoint ("s3")
LB_TYPE = "lb_type"            # application network classic
SCHEME = "scheme"              # internet-facing internal
IP = "ip"                      # an instance's written private address, or None
PUBLIC_IP = "public_ip"        # subnet: bool (maps public IPs); instance: none public-ip eip
NETWORK = "network"            # instance: enhanced-networking interface (ena intel-82599 none)
BANDWIDTH_GBPS = "bandwidth_gbps"  # instance: that interface's maximum, in Gbps, or None
MAIN = "main"                  # route table is the VPC's main table
IMPLICIT = "implicit"          # created by AWS (node) or implied by a default (edge)
PRIVATE = "private"            # DNS zone is a private hosted zone
ASN = "asn"                    # BGP ASN or None
CROSS_REGION = "cross_region"  # peering between regions

# --- edge attribute keys ------------------------------------------------------
EDGE_KIND = "kind"             # an EdgeKind value
PREFIX = "prefix"              # route destination as text: CIDR or prefix-list name
NET = "net"                    # route destination network, None for a prefix list
ORIGIN = "origin"              # an Origin value
ROLE = "role"                  # attachment / peering role, see the table above
STATIC_ONLY = "static_only"    # TGW attachment does not propagate
PARTITION = "partition"        # placement partition or None
LISTENER = "listener"          # listener port a target serves
PROTOCOL = "protocol"          # listener protocol
PORT = "port"                  # target port (the listener's when not written)
LABEL = "label"                # DNS record label ("@", "www")
RECORD_TYPE = "record_type"    # DNS record type ("A")

INTERNET = "internet"
BLACKHOLE = "blackhole"


class NodeKind:
    """Values of the `KIND` node attribute."""

    VPC = "vpc"
    SUBNET = "subnet"
    ROUTE_TABLE = "route-table"
    NACL = "nacl"
    SG = "sg"
    GATEWAY = "gateway"
    INSTANCE = "instance"
    ENDPOINT = "endpoint"
    LB = "lb"
    PEERING = "peering"
    SITE = "site"
    VPN = "vpn"
    DX = "dx"
    PLACEMENT = "placement"
    DNS_ZONE = "dns-zone"
    CDN = "cdn"
    INTERNET = "internet"
    SERVICE = "service"
    BLACKHOLE = "blackhole"


class EdgeKind:
    """Values of the `EDGE_KIND` edge attribute."""

    CONTAINS = "contains"
    ASSOCIATED = "associated"
    ROUTE = "route"
    PROPAGATION = "propagation"
    ATTACHMENT = "attachment"
    PEERING = "peering"
    MEMBER = "member"
    TARGET = "target"
    ORIGIN = "origin"
    ALIAS = "alias"
    SERVICE = "service"


class Origin:
    """Values of a route edge's `ORIGIN`."""

    LOCAL = "local"
    STATIC = "static"
    ENDPOINT = "endpoint"


def node_id(kind: str, name: str) -> str:
    """The node id of the object of `kind` (a `KIND_OF` value) called `name`.

    >>> node_id("subnet", "public-a")
    'subnet:public-a'
    """
    return f"{kind}:{name}"


def id_of(obj) -> str:
    """The node id of a model object (an `ast` node of a kind in `KIND_OF`)."""
    return f"{KIND_OF[type(obj)]}:{obj.name}"


def split_id(node: str) -> tuple[str, str]:
    """``(kind, name)`` of a node id; ``internet`` and ``blackhole`` are their own kind.

    >>> split_id("route-table:prod.main")
    ('route-table', 'prod.main')
    >>> split_id("internet")
    ('internet', 'internet')
    """
    kind, sep, name = node.partition(":")
    return (kind, name) if sep else (node, node)


def view(graph: nx.MultiDiGraph, *edge_kinds: str) -> nx.MultiDiGraph:
    """A read-only view of `graph` keeping only edges of the given kinds (all nodes).

    >>> import vpcdsl
    >>> G = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n}").graph
    >>> sorted(view(G, EdgeKind.CONTAINS).edges())
    [('vpc:a', 'nacl:a.default-nacl'), ('vpc:a', 'route-table:a.main'), ('vpc:a', 'sg:a.default-sg')]
    """
    kinds = frozenset(edge_kinds)
    return nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph[u][v][k][EDGE_KIND] in kinds)
