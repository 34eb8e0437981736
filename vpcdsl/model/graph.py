"""The model as a networkx MultiDiGraph: the one place its attribute schema is fixed.

`build_graph` turns a resolved `Model` into a new, frozen graph; `Model.graph`
builds it once, on first use. Analyses read it and return new data; to change
it, work on ``G.copy()``.

Node ids are stable strings ``kind:name`` where ``kind`` is the object's kind
in `vpcdsl.model.network.KIND_OF` (``subnet:public-a``, ``nat:nat-a``,
``route-table:prod.main``), plus a few nodes for things outside the model:
``internet``, ``blackhole``, ``service:s3`` and ``dns-zone:example.com``.
Attribute keys are the module constants below (``G.nodes[n][AZ]``).

(About 660 lines, of which this schema is 95: it is the graph's contract, kept
in one module with the constants and the builder that must agree with it.)

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

from typing import Any

import networkx as nx

from ..gcpause import paused_gc
from ..syntax import ast
from .network import KIND_OF, Model

__all__ = [
    "build_graph", "node_id", "id_of", "split_id", "view", "NodeKind", "EdgeKind", "Origin",
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


_GATEWAY_TYPES = frozenset({"igw", "eigw", "nat", "nat-instance", "vgw", "tgw", "dxgw"})
_NODE_KIND = {kind: (NodeKind.GATEWAY if kind in _GATEWAY_TYPES else kind)
              for kind in KIND_OF.values()}
_NODE_KIND["gateway-endpoint"] = _NODE_KIND["interface-endpoint"] = NodeKind.ENDPOINT

# Kinds a reference may name, per place (others are reported by the checks).
_ROUTE_TARGETS = ("igw", "eigw", "nat", "nat-instance", "vgw", "tgw", "peering", "instance")
_TGW_ROUTE_TARGETS = ("vpc", "vpn", "dx", "dxgw")
_LB_TARGETS = ("instance", "nat-instance", "lb")
_ALIAS_TARGETS = ("lb", "cdn", "instance")


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


def build_graph(model: Model) -> nx.MultiDiGraph:
    """A new, frozen MultiDiGraph of `model` (schema in this module's docstring).

    Nodes and edges are inserted in source order, so two builds of one model
    are identical, keys included. References that do not resolve are skipped.

    Parameters
    ----------
    model : vpcdsl.Model
        A resolved model, possibly with errors (``strict=False``).

    Returns
    -------
    networkx.MultiDiGraph
        Frozen (`networkx.freeze`); ``G.graph["path"]`` is the model's path.

    Examples
    --------
    >>> import vpcdsl
    >>> G = build_graph(vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n igw gw\\n}"))
    >>> G.nodes["igw:gw"][GATEWAY_TYPE], G.nodes["igw:gw"][VPC]
    ('igw', 'a')
    """
    with paused_gc():  # a dict per node and edge, and no cycles: see vpcdsl.gcpause
        return _Builder(model).build()


class _Builder:
    def __init__(self, model: Model):
        self.model = model
        self.nodes: dict[str, dict[str, Any]] = {INTERNET: {KIND: NodeKind.INTERNET, NAME: INTERNET}}
        self.extra: dict[str, dict[str, Any]] = {}  # service and blackhole nodes, made on demand
        self.edges: list[tuple[str, str, dict[str, Any]]] = []

    # ----------------------------------------------------------------- helpers

    def ref(self, ref: ast.Ref | None, *kinds: str) -> str | None:
        """The node id `ref` names if it resolves to one of `kinds`, else None."""
        if ref is None:
            return None
        obj = self.model.get(ref.name, *kinds)
        if obj is None:
            return None
        node = id_of(obj)
        return node if node in self.nodes else None

    def edge(self, u: str, v: str, kind: str, **attrs) -> None:
        self.edges.append((u, v, {EDGE_KIND: kind, **attrs}))

    def special(self, node: str, kind: str, name: str) -> str:
        if node not in self.extra:
            self.extra[node] = {KIND: kind, NAME: name}
        return node

    def service(self, name: str) -> str:
        return self.special(f"service:{name}", NodeKind.SERVICE, name)

    def blackhole(self) -> str:
        return self.special(BLACKHOLE, NodeKind.BLACKHOLE, BLACKHOLE)

    def defined(self, obj) -> bool:
        """True for the object a name resolves to (not a duplicate or reserved one)."""
        kind = KIND_OF[type(obj)]
        table = self.model.scoped.get(kind, self.model.objects)
        return table.get(obj.name) is obj

    # ------------------------------------------------------------------- build

    def build(self) -> nx.MultiDiGraph:
        model = self.model
        top = [*model.vpcs.values(), *model.peerings.values(), *model.tgws.values(),
               *model.sites.values(), *model.vpns.values(), *model.dxgws.values(),
               *model.dxs.values(), *model.placements.values(), *model.cdns.values(),
               *model.dns_zones]
        # Source order across files: spans sort by (file, line, col).
        top.sort(key=lambda o: o.span)
        zone_ids = self.add_nodes(top)
        edges_of = {
            ast.Vpc: self.vpc_edges, ast.Peering: self.peering_edges, ast.TransitGateway: self.tgw_edges,
            ast.Vpn: self.vpn_edges, ast.DxGateway: self.dxgw_edges, ast.DirectConnect: self.dx_edges,
            ast.PlacementGroup: self.placement_edges, ast.Cdn: self.cdn_edges,
        }
        for obj in top:
            if isinstance(obj, ast.DnsZone):
                self.zone_edges(obj, zone_ids[id(obj)])
            elif type(obj) in edges_of:  # a site has none of its own: VPNs and DX links end on it
                edges_of[type(obj)](obj)
        self.default_associations()

        G = nx.MultiDiGraph(path=model.path)
        G.add_nodes_from(self.nodes.items())
        G.add_nodes_from(self.extra.items())
        G.add_edges_from(self.edges)
        return nx.freeze(G)

    def add_nodes(self, top: list) -> dict[int, str]:
        nodes = self.nodes
        zone_ids: dict[int, str] = {}
        for obj in top:
            if isinstance(obj, ast.Vpc):
                nodes[id_of(obj)] = _vpc_attrs(obj)
                region, vpc = obj.region_name, obj.name
                subnets = self.model.subnets
                for m in obj.members:
                    if self.defined(m):
                        nodes[id_of(m)] = _member_attrs(m, region, vpc, subnets)
            elif isinstance(obj, ast.DnsZone):
                node, n = f"dns-zone:{obj.name}", 1
                while node in nodes:
                    n += 1
                    node = f"dns-zone:{obj.name}#{n}"
                zone_ids[id(obj)] = node
                nodes[node] = {KIND: NodeKind.DNS_ZONE, NAME: obj.name, SPAN: obj.span, OBJECT: obj,
                               PRIVATE: obj.private}
            else:
                nodes[id_of(obj)] = self.top_attrs(obj)
        return zone_ids

    def top_attrs(self, obj) -> dict[str, Any]:
        kind = KIND_OF[type(obj)]
        attrs = {KIND: _NODE_KIND[kind], NAME: obj.name, SPAN: obj.span, OBJECT: obj}
        if kind in _GATEWAY_TYPES:
            attrs[GATEWAY_TYPE] = kind
            attrs[ASN] = obj.asn
            if isinstance(obj, ast.TransitGateway):
                attrs[REGION] = obj.region_name
        elif isinstance(obj, ast.Site):
            attrs[REGION] = obj.region_name
            attrs[CIDRS] = tuple(c.net for c in obj.cidrs if c.net is not None)
            attrs[ASN] = obj.asn
        elif isinstance(obj, ast.Peering):
            a = self.model.vpcs.get(obj.requester.name)
            b = self.model.vpcs.get(obj.accepter.name)
            attrs[CROSS_REGION] = None if a is None or b is None else a.region_name != b.region_name
        return attrs

    # ------------------------------------------------------------- VPC members

    def vpc_edges(self, vpc: ast.Vpc) -> None:
        here = id_of(vpc)
        edge, ref = self.edge, self.ref
        for m in vpc.members:
            if not self.defined(m):
                continue
            node = id_of(m)
            if isinstance(m, (ast.Subnet, ast.RouteTable, ast.Nacl, ast.SecurityGroup,
                              ast.GatewayEndpoint)):
                edge(here, node, EdgeKind.CONTAINS)
            elif isinstance(m, (ast.InternetGateway, ast.EgressOnlyInternetGateway,
                                ast.VirtualPrivateGateway)):
                edge(here, node, EdgeKind.CONTAINS)
                edge(node, here, EdgeKind.ATTACHMENT, **{ROLE: "vpc", SPAN: m.span})
                if not isinstance(m, ast.VirtualPrivateGateway):
                    edge(node, INTERNET, EdgeKind.ATTACHMENT, **{ROLE: "internet", SPAN: m.span})
            elif isinstance(m, (ast.NatGateway, ast.NatInstance, ast.Instance)):
                edge(ref(m.subnet, "subnet") or here, node, EdgeKind.CONTAINS)
            elif isinstance(m, (ast.InterfaceEndpoint, ast.LoadBalancer)):
                homes = [s for s in (ref(r, "subnet") for r in m.subnets) if s is not None]
                for s in dict.fromkeys(homes) or (here,):
                    edge(s, node, EdgeKind.CONTAINS)

            if isinstance(m, ast.RouteTable):
                self.route_table_edges(m, vpc)
            elif isinstance(m, ast.Nacl):
                self.explicit_associations(m, self.model.nacl_of)
            elif isinstance(m, (ast.Instance, ast.NatInstance)):
                self.sg_associations(m, m.sgs, default=True)
            elif isinstance(m, ast.GatewayEndpoint):
                for r in m.route_tables:
                    rt = ref(r, "route-table")
                    if rt is not None:
                        edge(rt, node, EdgeKind.ROUTE, **{PREFIX: m.service.name, NET: None,
                                                          ORIGIN: Origin.ENDPOINT, SPAN: r.span})
                edge(node, self.service(m.service.name), EdgeKind.SERVICE, **{SPAN: m.service.span})
            elif isinstance(m, ast.InterfaceEndpoint):
                self.sg_associations(m, m.sgs, default=True)
                edge(node, self.service(m.service.name), EdgeKind.SERVICE, **{SPAN: m.service.span})
            elif isinstance(m, ast.LoadBalancer):
                # An NLB made without security groups has none; ALBs and CLBs get the default.
                self.sg_associations(m, m.sgs, default=m.type != "network")
                self.lb_targets(m)

    def route_table_edges(self, rt: ast.RouteTable, vpc: ast.Vpc) -> None:
        here, edge = id_of(rt), self.edge
        vpc_node = id_of(vpc)
        self.explicit_associations(rt, self.model.route_table_of)
        for block in (*vpc.cidrs, *vpc.ipv6):
            if block.net is not None:
                edge(here, vpc_node, EdgeKind.ROUTE, **{PREFIX: str(block.net), NET: block.net,
                                                        ORIGIN: Origin.LOCAL, SPAN: block.span})
        for route in rt.routes:
            if isinstance(route.target, ast.Blackhole):
                target = self.blackhole()
            else:
                target = self.ref(route.target, *_ROUTE_TARGETS)
                if target is None:
                    continue
            edge(here, target, EdgeKind.ROUTE, **_dest(route.dest), **{ORIGIN: Origin.STATIC,
                                                                        SPAN: route.span})
        for ref in rt.propagations:
            vgw = self.ref(ref, "vgw")
            if vgw is not None:
                edge(here, vgw, EdgeKind.PROPAGATION, **{SPAN: ref.span})

    def explicit_associations(self, obj, used: dict) -> None:
        """`obj` (a route table or NACL) -> each subnet it lists that really uses it."""
        here = id_of(obj)
        for r in obj.subnets:
            subnet = self.ref(r, "subnet")
            if subnet is not None and used.get(r.name) is obj:
                self.edge(here, subnet, EdgeKind.ASSOCIATED, **{SPAN: r.span})

    def default_associations(self) -> None:
        """Subnets that name no table (NACL) use their VPC's main table (default NACL)."""
        model = self.model
        listed_rt = {r.name for rt in model.members(ast.RouteTable) for r in rt.subnets}
        listed_nacl = {r.name for n in model.members(ast.Nacl) for r in n.subnets}
        for subnet in model.subnets.values():
            node = id_of(subnet)
            if node not in self.nodes:
                continue
            for listed, used in ((listed_rt, model.route_table_of), (listed_nacl, model.nacl_of)):
                obj = used.get(subnet.name)
                if subnet.name not in listed and obj is not None and id_of(obj) in self.nodes:
                    self.edge(id_of(obj), node, EdgeKind.ASSOCIATED, **{IMPLICIT: True})

    def sg_associations(self, obj, sgs: tuple[ast.Ref, ...], *, default: bool) -> None:
        here = id_of(obj)
        if sgs:
            for r in sgs:
                sg = self.ref(r, "sg")
                if sg is not None:
                    self.edge(sg, here, EdgeKind.ASSOCIATED, **{SPAN: r.span})
        elif default:
            sg = self.model.default_sg.get(obj.vpc)
            if sg is not None and id_of(sg) in self.nodes:
                self.edge(id_of(sg), here, EdgeKind.ASSOCIATED, **{IMPLICIT: True})

    def lb_targets(self, lb: ast.LoadBalancer) -> None:
        here = id_of(lb)
        listeners = {li.port: li for li in lb.listeners}
        groups = [(li.port, li.protocol, li.targets) for li in lb.listeners]
        groups += [(r.port, listeners[r.port].protocol if r.port in listeners else None, r.targets)
                   for r in lb.rules]
        for port, protocol, targets in groups:
            for t in targets:
                if isinstance(t.ref, ast.Ref):
                    node = self.ref(t.ref, *_LB_TARGETS)
                    if node is not None:
                        self.edge(here, node, EdgeKind.TARGET, **{
                            LISTENER: port, PROTOCOL: protocol,
                            PORT: t.port if t.port is not None else port, SPAN: t.span})

    # --------------------------------------------------------------- top level

    def peering_edges(self, p: ast.Peering) -> None:
        here = id_of(p)
        a, b = self.ref(p.requester, "vpc"), self.ref(p.accepter, "vpc")
        for vpc, role in ((a, "requester"), (b, "accepter")):
            if vpc is not None:
                self.edge(here, vpc, EdgeKind.ATTACHMENT, **{ROLE: role, SPAN: p.span})
        if a is not None and b is not None:
            self.edge(a, b, EdgeKind.PEERING, **{NAME: p.name, ROLE: "requester", SPAN: p.span})
            self.edge(b, a, EdgeKind.PEERING, **{NAME: p.name, ROLE: "accepter", SPAN: p.span})

    def tgw_edges(self, tgw: ast.TransitGateway) -> None:
        here = id_of(tgw)
        for att in tgw.attachments:
            vpc_node = self.ref(att.vpc, "vpc")
            if vpc_node is None:
                continue
            if att.subnets:
                subnets = tuple(dict.fromkeys(
                    r.name for r in att.subnets if self.ref(r, "subnet") is not None))
            else:
                subnets = _first_subnet_per_az(self.model.vpcs[att.vpc.name])
            self.edge(here, vpc_node, EdgeKind.ATTACHMENT, **{
                ROLE: "vpc", SUBNETS: subnets, STATIC_ONLY: att.static_only, SPAN: att.span})
        for route in tgw.routes:
            if isinstance(route.target, ast.Blackhole):
                target = self.blackhole()
            else:
                target = self.ref(route.target, *_TGW_ROUTE_TARGETS)
                if target is None:
                    continue
            self.edge(here, target, EdgeKind.ROUTE, **_dest(route.cidr), **{
                ORIGIN: Origin.STATIC, SPAN: route.span})

    def vpn_edges(self, vpn: ast.Vpn) -> None:
        here = id_of(vpn)
        for r, kinds, role in ((vpn.site, ("site",), "site"),
                               (vpn.target, ("vgw", "tgw", "instance", "nat-instance"), "target"),
                               (vpn.over, ("dx",), "over")):
            node = self.ref(r, *kinds)
            if node is not None:
                self.edge(here, node, EdgeKind.ATTACHMENT, **{ROLE: role, SPAN: r.span})

    def dxgw_edges(self, dxgw: ast.DxGateway) -> None:
        here = id_of(dxgw)
        for r in dxgw.attachments:
            node = self.ref(r, "vgw", "tgw")
            if node is not None:
                self.edge(here, node, EdgeKind.ATTACHMENT, **{ROLE: "target", SPAN: r.span})

    def dx_edges(self, dx: ast.DirectConnect) -> None:
        here = id_of(dx)
        site = self.ref(dx.site, "site")
        if site is not None:
            self.edge(here, site, EdgeKind.ATTACHMENT, **{ROLE: "site", SPAN: dx.site.span})
        if dx.target is None:
            self.edge(here, self.service("aws"), EdgeKind.ATTACHMENT, **{ROLE: "target", SPAN: dx.span})
        else:
            node = self.ref(dx.target, "vgw", "dxgw", "tgw")
            if node is not None:
                self.edge(here, node, EdgeKind.ATTACHMENT, **{ROLE: "target", SPAN: dx.target.span})

    def placement_edges(self, group: ast.PlacementGroup) -> None:
        here = id_of(group)
        for m in group.members:
            node = self.ref(m.instance, "instance")
            if node is not None:
                self.edge(here, node, EdgeKind.MEMBER, **{PARTITION: m.partition, SPAN: m.span})

    def cdn_edges(self, cdn: ast.Cdn) -> None:
        if not cdn.origin_is_domain:
            node = self.ref(cdn.origin, "lb", "instance")
            if node is not None:
                self.edge(id_of(cdn), node, EdgeKind.ORIGIN, **{SPAN: cdn.origin.span})

    def zone_edges(self, zone: ast.DnsZone, here: str) -> None:
        for r in zone.private_vpcs:
            vpc = self.ref(r, "vpc")
            if vpc is not None:
                self.edge(here, vpc, EdgeKind.ASSOCIATED, **{SPAN: r.span})
        for record in zone.records:
            for entry in record.entries:
                if entry.value.kind == "name":
                    node = self.ref(ast.Ref(entry.value.text, entry.value.span), *_ALIAS_TARGETS)
                    if node is not None:
                        self.edge(here, node, EdgeKind.ALIAS, **{
                            LABEL: record.label, RECORD_TYPE: record.type.name, SPAN: entry.value.span})


# ------------------------------------------------------------------ attributes

def _vpc_attrs(vpc: ast.Vpc) -> dict[str, Any]:
    v4 = tuple(c.net for c in vpc.cidrs if c.net is not None and c.net.version == 4)
    v6 = tuple(c.net for c in vpc.ipv6 if c.net is not None and c.net.version == 6)
    primary = vpc.cidrs[0].net if vpc.cidrs else None
    return {KIND: NodeKind.VPC, NAME: vpc.name, SPAN: vpc.span, OBJECT: vpc,
            REGION: vpc.region_name, VPC: vpc.name,
            CIDR: primary if primary is not None and primary.version == 4 else None,
            IPV6: v6[0] if v6 else None, CIDRS: v4 + v6}


def _member_attrs(m, region: str, vpc: str, subnets: dict[str, ast.Subnet]) -> dict[str, Any]:
    kind = KIND_OF[type(m)]
    attrs = {KIND: _NODE_KIND[kind], NAME: m.name, SPAN: m.span, OBJECT: m, REGION: region, VPC: vpc}
    if isinstance(m, ast.Subnet):
        attrs[AZ] = m.zone
        attrs[CIDR] = m.cidr.net if m.cidr is not None else None
        attrs[IPV6] = m.ipv6.net if m.ipv6 is not None else None
        attrs[PUBLIC_IP] = m.public_ip
    elif isinstance(m, (ast.Instance, ast.NatGateway, ast.NatInstance)):
        home = subnets.get(m.subnet.name)
        attrs[AZ] = home.zone if home is not None else ""
        attrs[SUBNET] = m.subnet.name
        if isinstance(m, ast.Instance):
            attrs[IP] = m.ip.ip if m.ip is not None else None
            attrs[PUBLIC_IP] = m.public_ip
            attrs[NETWORK] = m.network
            attrs[BANDWIDTH_GBPS] = m.bandwidth_gbps
        else:
            attrs[GATEWAY_TYPE] = kind
    elif kind in _GATEWAY_TYPES:
        attrs[GATEWAY_TYPE] = kind
        if isinstance(m, ast.VirtualPrivateGateway):
            attrs[ASN] = m.asn
    elif isinstance(m, ast.RouteTable):
        attrs[MAIN] = m.main
        attrs[IMPLICIT] = m.implicit
    elif isinstance(m, (ast.Nacl, ast.SecurityGroup)):
        attrs[IMPLICIT] = m.default
    elif isinstance(m, (ast.GatewayEndpoint, ast.InterfaceEndpoint)):
        attrs[ENDPOINT_TYPE] = "gateway" if isinstance(m, ast.GatewayEndpoint) else "interface"
        attrs[SERVICE] = m.service.name
    elif isinstance(m, ast.LoadBalancer):
        attrs[LB_TYPE] = m.type
        attrs[SCHEME] = m.scheme
    return attrs


def _dest(dest: ast.Cidr | ast.Ref) -> dict[str, Any]:
    if isinstance(dest, ast.Ref):
        return {PREFIX: dest.name, NET: None}
    return {PREFIX: str(dest.net) if dest.net is not None else dest.text, NET: dest.net}


def _first_subnet_per_az(vpc: ast.Vpc) -> tuple[str, ...]:
    first: dict[str, str] = {}
    for s in vpc.of_type(ast.Subnet):
        if s.zone:
            first.setdefault(s.zone, s.name)
    return tuple(first.values())
