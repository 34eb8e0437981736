"""The model as a networkx MultiDiGraph: `build_graph` turns a resolved `Model` into a
new, frozen graph; `Model.graph` builds it once, on first use. The schema (node ids, kinds,
attribute keys) is `graph_schema`'s, re-exported here, so ``vpcdsl.model.graph`` is the
one module to import; the nodes come from `graph_nodes`, the edges from `graph_edges`.
"""

from __future__ import annotations

import networkx as nx

from ..gcpause import paused_gc
from .graph_edges import EdgeBuilder
from .graph_nodes import add_nodes
from .graph_schema import (
    ASN, AZ, BANDWIDTH_GBPS, BLACKHOLE, CIDR, CIDRS, CROSS_REGION, EDGE_KIND, ENDPOINT_TYPE, GATEWAY_TYPE,
    IMPLICIT, INTERNET, IP, IPV6, KIND, LABEL, LB_TYPE, LISTENER, MAIN, NAME, NET, NETWORK, OBJECT, ORIGIN,
    PARTITION, PORT, PREFIX, PRIVATE, PROTOCOL, PUBLIC_IP, RECORD_TYPE, REGION, ROLE, SCHEME, SERVICE, SPAN,
    STATIC_ONLY, SUBNET, SUBNETS, VPC, EdgeKind, NodeKind, Origin, id_of, node_id, split_id, view,
)
from .network import Model

__all__ = [
    "build_graph", "node_id", "id_of", "split_id", "view", "NodeKind", "EdgeKind", "Origin",
    "KIND", "NAME", "SPAN", "OBJECT", "REGION", "VPC", "AZ", "CIDR", "CIDRS", "IPV6", "SUBNET",
    "SUBNETS", "GATEWAY_TYPE", "ENDPOINT_TYPE", "SERVICE", "LB_TYPE", "SCHEME", "IP", "PUBLIC_IP", "NETWORK", "BANDWIDTH_GBPS",
    "MAIN", "IMPLICIT", "PRIVATE", "ASN", "CROSS_REGION", "EDGE_KIND", "PREFIX", "NET", "ORIGIN",
    "ROLE", "STATIC_ONLY", "PARTITION", "LISTENER", "PROTOCOL", "PORT", "LABEL", "RECORD_TYPE",
    "INTERNET", "BLACKHOLE",
]


def build_graph(model: Model) -> nx.MultiDiGraph:
    """A new, frozen MultiDiGraph of `model` (schema in `graph_schema`'s docstring).

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
        return _build(model)


def _build(model: Model) -> nx.MultiDiGraph:
    top = [*model.vpcs.values(), *model.peerings.values(), *model.tgws.values(),
           *model.sites.values(), *model.vpns.values(), *model.dxgws.values(),
           *model.dxs.values(), *model.placements.values(), *model.cdns.values(),
           *model.dns_zones]
    # Source order across files: spans sort by (file, line, col).
    top.sort(key=lambda o: o.span)
    nodes, zone_ids = add_nodes(model, top)
    edges = EdgeBuilder(model, nodes)
    edges.add_edges(top, zone_ids)

    G = nx.MultiDiGraph(path=model.path)
    G.add_nodes_from(nodes.items())
    G.add_nodes_from(edges.extra.items())
    G.add_edges_from(edges.edges)
    return nx.freeze(G)
