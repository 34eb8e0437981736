"""Graphviz diagrams of a model: DOT built explicitly from the model graph.

`diagram` returns a `graphviz.Digraph` and `dot_source` its DOT text. Clusters
nest region → VPC → AZ → subnet; links between VPCs (peering, TGW attachments)
are compound edges clipped at the VPC boxes. Here the passes run in order over
one `Scene`: `focus` plans, `drawing` and `outside` draw the nodes, `links` the
lines, `legend` the legend, `emit` writes the DOT; every string from a model
reaches DOT through `vpcdsl.views.escaping`, never raw. Traced flows never
change that drawing: they are styled over its layout (`overlay`, `layout`,
`overlay_dot`), so the boxes hold still.
"""

from __future__ import annotations

import math
import os

import graphviz

from ..gcpause import paused_gc
from ..model.graph import INTERNET
from ..model.network import Model
from .drawing import box_vpc, full_vpc
from .emit import BIG_NSLIMIT as _BIG_NSLIMIT, emit  # noqa: F401  (tests/test_render.py reads _BIG_NSLIMIT)
from .focus import FocusError, plan
from .legend import legend
from .links import links, route_edges
from .outside import top_level_nodes
from .palette import NETWORK, VPC_LINE
from .scene import Scene

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
        component that blocked a flow framed red, numbered steps, and a table
        of the steps beside the drawing. The overlay moves nothing: the
        drawing without it is laid out once (by Graphviz's ``dot``, cached),
        and the overlay styles that layout. So a traced diagram needs ``dot``
        even for its DOT text, which is laid out (every ``pos`` given) and
        must be rendered with ``neato -n2`` (``neato -n2 -Tsvg x.dot``), not
        ``dot``, which would lay it out again; the returned object's
        ``pipe()`` and ``render()`` do that. With several flows the steps are
        numbered per flow (``2.3``: flow 2, step 3), each flow in a colour of
        its own.
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
    graphviz.ExecutableNotFound
        ``trace`` given and Graphviz's ``dot`` is not installed.
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
    if trace is None:
        traces = ()
    elif hasattr(trace, "forward"):
        traces = (trace,)
    else:
        traces = tuple(trace)
        if not all(hasattr(t, "forward") and hasattr(t, "back") for t in traces):
            raise ValueError("trace must be a Trace (model.trace(...)) or a sequence of them")
    scene, title, g = drawing(model, level=level, focus=focus, routes=routes, collapse=collapse)
    if not traces:
        return g
    from .layout import laid_out
    from .overlay_dot import traced_digraph
    return traced_digraph(laid_out(scene, title, g.source), traces)


def drawing(model: Model, *, level: str = "subnet", focus: str | None = None, routes: str = "labels",
            collapse: int | None = None) -> tuple[Scene, str, graphviz.Digraph]:
    """The diagram without overlay: its finished `Scene`, its title and its DOT (options as `diagram`)."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)}")
    if routes not in ROUTE_STYLES:
        raise ValueError(f"unknown routes style {routes!r}: expected labels or edges")
    if collapse is None:
        collapse = DEFAULT_COLLAPSE
    if isinstance(collapse, bool) or not isinstance(collapse, int) or collapse < 0:
        raise ValueError(f"collapse must be a whole number >= 0 (0: never collapse), not {collapse!r}")
    title = _title(model, level, focus)
    with paused_gc():      # many small dicts and strings, no cycles: see vpcdsl.gcpause
        scene = draw_scene(model, level=level, focus=focus, routes=routes, collapse=collapse)
        return scene, title, emit(scene, title)


def dot_source(model: Model, **options) -> str:
    """The DOT text of `diagram(model, **options)`.

    >>> import vpcdsl
    >>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n}")
    >>> dot_source(m, level="region").startswith("digraph vpcdsl {")
    True
    """
    return diagram(model, **options).source


# --------------------------------------------------------------------------- the passes

def draw_scene(model: Model, *, level: str, focus: str | None, routes: str, collapse: int) -> Scene:
    """The drawing of `model` (no overlay) as a finished `Scene`; options as `diagram` (checked there)."""
    scene = Scene(model, model.graph, level, routes, collapse, plan(model, level, focus))
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
    if scene.plan.focus_node is not None:
        focus_place = scene.places.get(scene.plan.focus_node)
        if focus_place is not None:
            scene.emphasize(focus_place, NETWORK if focus_place.cluster is None else VPC_LINE)
    legend(scene)
    return scene


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

def _title(model: Model, level: str, focus: str | None) -> str:
    # The flows of an overlay are named in its step table, not here: a longer
    # title would change the layout.
    name = os.path.basename(model.path or "") or "model"
    parts = [f"{name} · {level} level"]
    if focus is not None:
        parts.append(f"focus {focus}")
    return " · ".join(parts)
