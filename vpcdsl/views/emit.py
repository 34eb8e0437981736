"""A finished `Scene` as a `graphviz.Digraph`: the DOT text of a diagram.

`emit` writes the drawing for Graphviz's `dot` to lay out. Given the positions
of an earlier layout (`Positions`, read from `dot -Tjson0`), it writes the same
drawing laid out instead: every node, cluster and edge with its ``pos``/``bb``,
the invisible layout edges left out, for ``neato -n2`` to render as it stands
(`vpcdsl.views.layout`, `vpcdsl.views.overlay_dot`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import graphviz

from .escaping import plain
from .palette import FONT, ROUTE
from .scene import Cluster, Scene, edge_id

__all__ = ["emit", "Positions", "BIG_DRAWING", "BIG_NSLIMIT"]

BIG_DRAWING = 400          # DOT nodes above which dot's positioning effort is bounded
BIG_NSLIMIT = "5"


@dataclass
class Positions:
    """Where an earlier layout put everything, as Graphviz wrote the attributes.

    ``nodes`` by DOT node name (``pos``, ``width``, ``height``), ``clusters`` by
    cluster name (``bb``, ``lp``, ``lwidth``, ``lheight``), ``edges`` by edge id
    (``pos``, ``lp`` and the other label positions), ``graph`` the root's.
    """

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[str, dict[str, str]] = field(default_factory=dict)
    graph: dict[str, str] = field(default_factory=dict)


def emit(scene: Scene, title: str, *, laid: Positions | None = None,
         restyle: dict[str, dict[str, str]] | None = None,
         cls: type[graphviz.Digraph] = graphviz.Digraph, comment: str | None = None,
         graph: dict[str, str] | None = None) -> graphviz.Digraph:
    """The DOT of `scene`; with `laid`, laid out as it was; `restyle` overrides edges' attributes by
    id, `graph` the graph's."""
    # newrank: ranks are global, so the rows of subnets line up across AZs and VPCs.
    graph_attrs = {"compound": "true", "newrank": "true", "rankdir": "TB", "nodesep": "0.35",
                   "ranksep": "0.55", "splines": "spline", "fontname": FONT, "fontsize": "11",
                   "label": plain(title), "labelloc": "t", "labeljust": "l",
                   "pad": "0.3", "outputorder": "edgesfirst"}
    if laid is not None:
        # neato -n2 would move the drawing to the corner of its own bounding box.
        graph_attrs.update(laid.graph, notranslate="true")
    graph_attrs.update(graph or {})
    g = cls("vpcdsl", comment=comment, graph_attr=graph_attrs,
            node_attr={"fontname": FONT, "fontsize": "10", "shape": "box", "margin": "0.12,0.06"},
            edge_attr={"fontname": FONT, "fontsize": "9", "color": ROUTE})
    if len(scene.node_attrs) > BIG_DRAWING:
        # Bound dot's x-coordinate network simplex (nslimit x nodes iterations),
        # the phase that grows fastest with long edges. A safety net: with an
        # internet per row of VPCs few edges are long (1,000 generated subnets
        # lay out in 1.3 s either way), but links across many rows remain
        # possible (a TGW attached to 110 VPCs on 11 rows: 7.2 s -> 5.4 s).
        g.attr("graph", nslimit=BIG_NSLIMIT)
    _emit_cluster(g, scene.root, laid)
    if laid is None:
        # The layout edges first: dot's initial order follows the first edges it meets.
        for tail, head, weight in scene.layout:
            if tail != head:
                g.edge(tail, head, style="invis", weight=weight)
    restyle = restyle or {}
    for i, (tail, head, attrs) in enumerate(scene.edges):
        ident = edge_id(i)
        attrs = dict(attrs, id=ident)
        if laid is not None:
            attrs.update(laid.edges.get(ident, {}))
        attrs.update(restyle.get(ident, {}))
        label = attrs.pop("label", None)
        g.edge(tail, head, label, **attrs)
    return g


def _emit_cluster(g: graphviz.Digraph, c: Cluster, laid: Positions | None) -> None:
    for ident, label, attrs in c.nodes:
        if laid is not None:
            attrs = {**attrs, **laid.nodes.get(ident, {})}
        g.node(ident, label, **attrs)
    for child in c.children:
        with g.subgraph(name=child.name) as s:
            attrs = child.attrs if laid is None else {**child.attrs, **laid.clusters.get(child.name, {})}
            s.attr("graph", **attrs)
            _emit_cluster(s, child, laid)
