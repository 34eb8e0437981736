"""Graphviz diagrams of a model: DOT built explicitly from the model graph.

`diagram` returns a `graphviz.Digraph` and `dot_source` its DOT text. Clusters
nest region → VPC → AZ → subnet; links between VPCs (peering, TGW attachments)
are compound edges clipped at the VPC boxes. Here the passes run in order over
one `Scene`: `focus` plans, `drawing` and `outside` draw the nodes, `links` the
lines, `overlay` the traced flows, `legend` the legend; every string from a
model reaches DOT through `vpcdsl.views.escaping`, never raw.
"""

from __future__ import annotations

import math
import os

import graphviz

from ..gcpause import paused_gc
from ..model.graph import INTERNET
from ..model.network import Model
from .drawing import box_vpc, full_vpc
from .escaping import plain
from .focus import FocusError, plan
from .legend import legend
from .links import links, route_edges
from .outside import top_level_nodes
from .overlay import overlay
from .palette import FONT, NETWORK, ROUTE, VPC_LINE
from .scene import Cluster, Scene

# Re-exported: the colours of a trace overlay, and the escaping functions
# under the names they had here (tests/test_render.py uses them).
from .escaping import clean as _clean, dot_id as _did, html as _html, plain as _text  # noqa: F401
from .palette import BLOCKED, TRACE_FORWARD, TRACE_RETURN  # noqa: F401

__all__ = ["diagram", "dot_source", "LEVELS", "ROUTE_STYLES", "DEFAULT_COLLAPSE", "FocusError"]

LEVELS = ("region", "vpc", "subnet", "instance")
ROUTE_STYLES = ("labels", "edges")
# An AZ with more subnets than this is drawn as one "N subnets" node (and, at
# the instance level, a subnet with more instances as one "N instances" node).
# Six is what an AZ column holds before the drawing gets taller than wide; a
# typical 200-subnet estate (3 tiers x 3 AZs per VPC) stays in full, one with
# dozens of subnets per AZ shrinks to counts. 0 turns collapsing off.
DEFAULT_COLLAPSE = 6

_VPC_COLUMNS = 4           # VPC boxes per row in a region before the next row starts
_BIG_DRAWING = 400         # DOT nodes above which dot's positioning effort is bounded
_BIG_NSLIMIT = "5"


# --------------------------------------------------------------------------- public API

def diagram(model: Model, *, level: str = "subnet", focus: str | None = None,
            routes: str = "labels", trace=None, collapse: int | None = None) -> graphviz.Digraph:
    """A Graphviz drawing of `model`.

    Parameters
    ----------
    model : vpcdsl.Model
        A compiled model (one with errors still draws; unresolved references are left out).
    level : {"region", "vpc", "subnet", "instance"}
        ``region``: regions with one box per VPC and the links between VPCs.
        ``vpc``: VPC boxes with their gateways, subnets counted per AZ.
        ``subnet`` (default): AZs with their subnets (CIDR, usable hosts, public or
        private), gateways, load balancers, endpoints; instances counted per subnet.
        ``instance``: everything, subnets as boxes holding their instances.
    focus : str, optional
        A name (VPC, subnet, instance, TGW, site, ...): only its VPC and what it
        links to (peered VPCs, TGWs and the VPCs behind them as boxes, sites).
    routes : {"labels", "edges"}
        Route tables as compact lines on each subnet, or as edges from the
        subnets to their targets labelled with the prefixes (subnet and
        instance levels).
    trace : vpcdsl.flows.trace.Trace or a sequence of them, optional
        Overlay flows: each forward path bold, each return path dashed, the
        component that blocked a flow red with the rule's line. With several
        flows the steps are numbered per flow (``2.3``: flow 2, step 3).
    collapse : int, optional
        An AZ with more than this many subnets becomes one "N subnets" node (a
        subnet with more instances, one "N instances" node). Default
        `DEFAULT_COLLAPSE`; 0 never collapses.

    Returns
    -------
    graphviz.Digraph
        ``.source`` is the DOT text, byte-identical for the same model and options.

    Raises
    ------
    ValueError
        An unknown level or routes style, or a bad collapse.
    FocusError
        ``focus`` names nothing in the model (also a KeyError and ValueError;
        ``hint`` suggests a close name).

    Examples
    --------
    >>> import vpcdsl
    >>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n}")
    >>> g = diagram(m)
    >>> "cluster_vpc__a" in g.source and "10.0.0.0/24" in g.source
    True
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    if routes not in ROUTE_STYLES:
        raise ValueError(f"unknown routes style {routes!r}: expected labels or edges")
    if collapse is None:
        collapse = DEFAULT_COLLAPSE
    if isinstance(collapse, bool) or not isinstance(collapse, int) or collapse < 0:
        raise ValueError(f"collapse must be a whole number >= 0 (0: never collapse), not {collapse!r}")
    if trace is None:
        traces = ()
    elif hasattr(trace, "forward"):
        traces = (trace,)
    else:
        traces = tuple(trace)
        if not all(hasattr(t, "forward") and hasattr(t, "back") for t in traces):
            raise ValueError("trace must be a Trace (model.trace(...)) or a sequence of them")
    with paused_gc():      # many small dicts and strings, no cycles: see vpcdsl.gcpause
        return _draw(model, level, focus, routes, traces, collapse)


def dot_source(model: Model, **options) -> str:
    """The DOT text of `diagram(model, **options)`.

    >>> import vpcdsl
    >>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n}")
    >>> dot_source(m, level="region").startswith("digraph vpcdsl {")
    True
    """
    return diagram(model, **options).source


# --------------------------------------------------------------------------- the passes

def _draw(model: Model, level: str, focus: str | None, routes: str, traces: tuple,
          collapse: int) -> graphviz.Digraph:
    scene = Scene(model, model.graph, level, routes, collapse, plan(model, level, focus, traces))
    if scene.plan.need_internet:
        scene.places[INTERNET] = scene.internet_node()
    for vpc in model.vpcs.values():
        if vpc.name in scene.plan.full:
            full_vpc(scene, vpc)
        elif vpc.name in scene.plan.boxes:
            box_vpc(scene, vpc)
    top_level_nodes(scene)
    _vpc_rows(scene)
    links(scene)
    if INTERNET in scene.places:            # the internet above every region (each row of VPCs)
        _below_the_internet(scene)
    if routes == "edges" and level in ("subnet", "instance"):
        route_edges(scene)
    _region_grids(scene)
    for k, trace in enumerate(traces, 1):
        overlay(scene, trace, f"{k}." if len(traces) > 1 else "", "" if k == 1 else str(k))
    if scene.plan.focus_node is not None:
        focus_place = scene.places.get(scene.plan.focus_node)
        if focus_place is not None:
            scene.emphasize(focus_place, NETWORK if focus_place.cluster is None else VPC_LINE)
    legend(scene)
    return _emit(scene, _title(model, level, focus, traces))


# --------------------------------------------------------------------------- layout

def _vpc_rows(scene: Scene) -> None:
    """Rows of at most `_VPC_COLUMNS` VPCs per region (more when a region has many), so wide models wrap."""
    by_region: dict[str, list[str]] = {}
    for vpc in scene.model.vpcs.values():
        if vpc.name in scene.vpc_top:
            by_region.setdefault(vpc.region_name, []).append(vpc.name)
    for region, names in by_region.items():
        columns = max(_VPC_COLUMNS, math.ceil(math.sqrt(len(names))))
        rows = scene.rows[region] = [names[i:i + columns] for i in range(0, len(names), columns)]
        for k, row in enumerate(rows):
            for name in row:
                scene.row_of[name] = (region, k)


def _below_the_internet(scene: Scene) -> None:
    """Each row of VPCs below its internet node, and the nodes between the VPCs below the top one."""
    for name, top in scene.vpc_top.items():
        internet = scene.internet_at(name, create=False)
        if internet is not None:
            scene.layout.append((internet.node, top, "1"))
    for top, node in scene.floating:
        # Below the internet at the top, unless every VPC it links lies on a
        # lower row: a constraint from rank 0 down to there is a long edge
        # through every row, and long edges are what makes dot slow.
        rows = [scene.row_of[g[4:]][1] for g in scene.plan.links_of.get(node or "", ())
                if g[4:] in scene.row_of and g.startswith("vpc:")]
        if not rows or min(rows) == 0:
            scene.layout.append(("internet", top, "1"))


def _region_grids(scene: Scene) -> None:
    for region, rows in scene.rows.items():
        if len(rows) < 2:
            continue
        # An invisible row head above each row of VPCs: the tops of a row hang
        # from it and the row above's bottoms point at it, so rows do not drift.
        previous: list[str] = []
        for k, row in enumerate(rows):
            head = scene.anchor(scene.region(region), f"{scene.region(region).name}__row{k}")
            for name in previous:
                scene.layout.append((scene.vpc_bottom[name], head, "1"))
            for name in row:
                scene.layout.append((head, scene.vpc_top[name], "5"))
            previous = row


# --------------------------------------------------------------------------- emit

def _title(model: Model, level: str, focus: str | None, traces: tuple) -> str:
    name = os.path.basename(model.path or "") or "model"
    parts = [f"{name} · {level} level"]
    if focus is not None:
        parts.append(f"focus {focus}")
    for t in traces:
        verdict = "allowed" if t.verdict == "allowed" else f"BLOCKED by {t.kind}"
        parts.append(f"trace {t.flow}: {verdict}")
    return " · ".join(parts)


def _emit(scene: Scene, title: str) -> graphviz.Digraph:
    # newrank: ranks are global, so the rows of subnets line up across AZs and VPCs.
    g = graphviz.Digraph(
        "vpcdsl",
        graph_attr={"compound": "true", "newrank": "true", "rankdir": "TB", "nodesep": "0.35",
                    "ranksep": "0.55", "splines": "spline", "fontname": FONT, "fontsize": "11",
                    "label": plain(title), "labelloc": "t", "labeljust": "l",
                    "pad": "0.3", "outputorder": "edgesfirst"},
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "box", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": ROUTE})
    if len(scene.node_attrs) > _BIG_DRAWING:
        # Bound dot's x-coordinate network simplex (nslimit x nodes iterations),
        # the phase that grows fastest with long edges. A safety net: with an
        # internet per row of VPCs few edges are long (1,000 generated subnets
        # lay out in 1.3 s either way), but links across many rows remain
        # possible (a TGW attached to 110 VPCs on 11 rows: 7.2 s -> 5.4 s).
        g.attr("graph", nslimit=_BIG_NSLIMIT)
    _emit_cluster(g, scene.root)
    # The layout edges first: dot's initial order follows the first edges it meets.
    for tail, head, weight in scene.layout:
        if tail != head:
            g.edge(tail, head, style="invis", weight=weight)
    for tail, head, attrs in scene.edges:
        attrs = dict(attrs)
        label = attrs.pop("label", None)
        g.edge(tail, head, label, **attrs)
    return g


def _emit_cluster(g: graphviz.Digraph, c: Cluster) -> None:
    for ident, label, attrs in c.nodes:
        g.node(ident, label, **attrs)
    for child in c.children:
        with g.subgraph(name=child.name) as s:
            s.attr("graph", **child.attrs)
            _emit_cluster(s, child)
