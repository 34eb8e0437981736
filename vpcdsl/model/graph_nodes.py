"""The graph's nodes: one per model object that a name resolves to, with the attributes
of its kind (`graph_schema`), in source order; DNS zones numbered per domain."""

from __future__ import annotations

from typing import Any

from ..syntax import ast
from .graph_schema import (
    ASN, AZ, BANDWIDTH_GBPS, CIDR, CIDRS, CROSS_REGION, ENDPOINT_TYPE, GATEWAY_TYPE, IMPLICIT, INTERNET,
    IP, IPV6, KIND, LB_TYPE, MAIN, NAME, NETWORK, OBJECT, PRIVATE, PUBLIC_IP, REGION, SCHEME, SERVICE,
    SPAN, SUBNET, VPC, NodeKind, id_of,
)
from .network import KIND_OF, Model

_GATEWAY_TYPES = frozenset({"igw", "eigw", "nat", "nat-instance", "vgw", "tgw", "dxgw"})
_NODE_KIND = {kind: (NodeKind.GATEWAY if kind in _GATEWAY_TYPES else kind)
              for kind in KIND_OF.values()}
_NODE_KIND["gateway-endpoint"] = _NODE_KIND["interface-endpoint"] = NodeKind.ENDPOINT


def defined(model: Model, obj) -> bool:
    """True for the object a name resolves to (not a duplicate or reserved one)."""
    kind = KIND_OF[type(obj)]
    table = model.scoped.get(kind, model.objects)
    return table.get(obj.name) is obj


def add_nodes(model: Model, top: list) -> tuple[dict[str, dict[str, Any]], dict[int, str]]:
    """The nodes of the top-level objects ``top`` (in order) and of their members, after
    ``internet``; and the node id of each DNS zone, by ``id()`` of the zone."""
    nodes: dict[str, dict[str, Any]] = {INTERNET: {KIND: NodeKind.INTERNET, NAME: INTERNET}}
    zone_ids: dict[int, str] = {}
    for obj in top:
        if isinstance(obj, ast.Vpc):
            nodes[id_of(obj)] = _vpc_attrs(obj)
            region, vpc = obj.region_name, obj.name
            subnets = model.subnets
            for m in obj.members:
                if defined(model, m):
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
            nodes[id_of(obj)] = _top_attrs(model, obj)
    return nodes, zone_ids


def _top_attrs(model: Model, obj) -> dict[str, Any]:
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
        a = model.vpcs.get(obj.requester.name)
        b = model.vpcs.get(obj.accepter.name)
        attrs[CROSS_REGION] = None if a is None or b is None else a.region_name != b.region_name
    return attrs


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
