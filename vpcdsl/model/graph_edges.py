"""The graph's edges: containment, associations (explicit and implied), routes and
propagations, attachments, peerings, LB targets, placement, origins and aliases, each only
to a node a reference resolves to, of a kind allowed there (`graph_schema`)."""

from __future__ import annotations

from typing import Any

from ..syntax import ast
from .graph_nodes import defined
from .graph_schema import (
    BLACKHOLE, EDGE_KIND, IMPLICIT, INTERNET, KIND, LABEL, LISTENER, NAME, NET, ORIGIN, PARTITION, PORT,
    PREFIX, PROTOCOL, RECORD_TYPE, ROLE, SPAN, STATIC_ONLY, SUBNETS, EdgeKind, NodeKind, Origin, id_of,
)
from .network import Model

# Kinds a reference may name, per place (others are reported by the checks).
_ROUTE_TARGETS = ("igw", "eigw", "nat", "nat-instance", "vgw", "tgw", "peering", "instance")
_TGW_ROUTE_TARGETS = ("vpc", "vpn", "dx", "dxgw")
_LB_TARGETS = ("instance", "nat-instance", "lb")
_ALIAS_TARGETS = ("lb", "cdn", "instance")


class EdgeBuilder:
    """Collects the edges between ``nodes`` (`graph_nodes.add_nodes`) in source order, and the
    service and blackhole nodes they need (`extra`)."""

    def __init__(self, model: Model, nodes: dict[str, dict[str, Any]]):
        self.model = model
        self.nodes = nodes
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

    def add_edges(self, top: list, zone_ids: dict[int, str]) -> None:
        """The edges of the top-level objects ``top`` (in order), then the implied associations."""
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

    # ------------------------------------------------------------- VPC members

    def vpc_edges(self, vpc: ast.Vpc) -> None:
        here = id_of(vpc)
        edge, ref = self.edge, self.ref
        for m in vpc.members:
            if not defined(self.model, m):
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
