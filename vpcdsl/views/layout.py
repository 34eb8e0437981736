"""A diagram laid out once: Graphviz's positions, its SVG, and the geometry an overlay needs.

`laid_out(scene, source)` runs ``dot`` once on a drawing without overlay and
keeps what came out (`Layout`): the positions of every node, cluster and edge
(``-Tjson0``) and the SVG (``-Tsvg``, the same process). Layouts are cached by
their DOT text (a bounded LRU), so overlays over the same drawing, static
(`vpcdsl.views.overlay_dot`) or SVG (`vpcdsl.views.overlay_svg`), never lay it
out again. The SVG marks each node that stands for a model object with
``data-vpc-name`` and ``data-vpc-kind`` (clusters of VPCs and subnets too), so
that a front end can turn a click into a selection.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import subprocess
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import graphviz

from ..model.graph import split_id
from .emit import Positions
from .escaping import dot_id
from .scene import Scene

__all__ = ["Layout", "Box", "EdgePath", "laid_out", "layout_of", "run_dot", "CACHE_SIZE"]

CACHE_SIZE = 8             # layouts kept; a 10k-line model's subnet-level layout holds a few MB
_cache: OrderedDict[str, "Layout"] = OrderedDict()

_NODE_ATTRS = ("pos", "width", "height")
_CLUSTER_ATTRS = ("bb", "lp", "lwidth", "lheight")
_EDGE_ATTRS = ("pos", "lp", "xlp", "head_lp", "tail_lp")


class Box(NamedTuple):
    """A rectangle in Graphviz's coordinates (points, y upwards)."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2

    def holds(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.y0 <= y <= self.y1


class EdgePath(NamedTuple):
    """An edge as laid out: its B-spline control points and its arrow tips (None: no arrow)."""

    points: tuple[tuple[float, float], ...]
    start: tuple[float, float] | None
    end: tuple[float, float] | None


@dataclass(eq=False)
class Layout:
    """A laid-out drawing without overlay.

    ``scene`` is the drawing and ``title`` its title, ``positions`` what ``dot`` wrote (for DOT laid
    out again, `vpcdsl.views.emit`), ``svg`` its SVG with the model marks;
    ``nodes``, ``clusters``, ``edges`` and ``bb`` its geometry in Graphviz's
    coordinates (the SVG draws ``(x, -y)``); ``svg_edges`` where each edge's
    ``<g>`` element lies in ``svg``; ``seconds`` how long ``dot`` took.
    """

    scene: Scene
    title: str
    positions: Positions
    svg: str
    svg_edges: dict[str, tuple[int, int]]
    nodes: dict[str, Box]
    clusters: dict[str, Box]
    edges: dict[str, EdgePath]
    bb: Box
    seconds: float


def layout_of(model, **options) -> Layout:
    """The layout of ``diagram(model, **options)`` without overlay (no ``trace``); cached.

    What an explorer keeps to redraw overlays with `vpcdsl.views.overlay_svg.traced_svg`.
    Raises ``graphviz.ExecutableNotFound`` without Graphviz's ``dot``.
    """
    from .render import drawing
    if "trace" in options:
        raise ValueError("a layout is of the drawing without overlay: give the traces to traced_svg")
    scene, title, g = drawing(model, **options)
    return laid_out(scene, title, g.source)


def laid_out(scene: Scene, title: str, source: str) -> Layout:
    """The layout of `scene` drawn under `title`, whose DOT (`vpcdsl.views.emit`) is `source`.

    From the cache when the same DOT was laid out before, else from one ``dot``
    process. Raises ``graphviz.ExecutableNotFound`` without ``dot``.
    """
    key = hashlib.sha256(source.encode("utf-8")).hexdigest()
    layout = _cache.get(key)
    if layout is not None:
        _cache.move_to_end(key)
        # The same drawing of another model (one that differs only in what is not drawn, such
        # as security group rules): its geometry, but this scene, where its traces' hops are placed.
        return layout if layout.scene is scene else replace(layout, scene=scene)
    start = time.perf_counter()
    geometry, svg = run_dot(source)
    seconds = time.perf_counter() - start
    layout = _read(scene, title, json.loads(geometry), svg, seconds)
    _cache[key] = layout
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return layout


def run_dot(source: str) -> tuple[str, str]:
    """One ``dot`` process: the ``-Tjson0`` positions and the ``-Tsvg`` drawing of `source`."""
    with tempfile.TemporaryDirectory(prefix="vpcdsl-layout-") as tmp:
        geometry, svg = Path(tmp, "layout.json"), Path(tmp, "drawing.svg")
        cmd = ["dot", "-Tjson0", "-o", str(geometry), "-Tsvg", "-o", str(svg)]
        try:
            proc = subprocess.run(cmd, input=source.encode("utf-8"), capture_output=True)
        except FileNotFoundError:
            raise graphviz.ExecutableNotFound(cmd) from None
        if proc.returncode != 0:
            raise graphviz.CalledProcessError(proc.returncode, cmd, output=proc.stdout, stderr=proc.stderr)
        return geometry.read_text(encoding="utf-8"), svg.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- reading dot's output

def _read(scene: Scene, title: str, data: dict, svg: str, seconds: float) -> Layout:
    positions = Positions(graph={k: data[k] for k in _CLUSTER_ATTRS if k in data})
    nodes: dict[str, Box] = {}
    clusters: dict[str, Box] = {}
    edges: dict[str, EdgePath] = {}
    subgraphs = data.get("_subgraph_cnt", 0)
    for i, obj in enumerate(data.get("objects", ())):
        name = obj.get("name", "")
        if i < subgraphs:
            positions.clusters[name] = {k: obj[k] for k in _CLUSTER_ATTRS if k in obj}
            if "bb" in obj:
                clusters[name] = _box(obj["bb"])
        elif "pos" in obj:
            positions.nodes[name] = {k: obj[k] for k in _NODE_ATTRS if k in obj}
            x, y = _point(obj["pos"])
            w, h = float(obj.get("width", 0)) * 36, float(obj.get("height", 0)) * 36
            nodes[name] = Box(x - w, y - h, x + w, y + h)
    for e in data.get("edges", ()):
        ident = e.get("id")
        if ident and "pos" in e:
            positions.edges[ident] = {k: e[k] for k in _EDGE_ATTRS if k in e}
            edges[ident] = _edge_path(e["pos"])
    svg, spans = _marked(svg, scene)
    return Layout(scene, title, positions, svg, spans, nodes, clusters, edges,
                  _box(data.get("bb", "0,0,0,0")), seconds)


def _point(text: str) -> tuple[float, float]:
    x, y = text.rstrip("!").split(",")[:2]
    return float(x), float(y)


def _box(text: str) -> Box:
    x0, y0, x1, y1 = (float(v) for v in text.split(","))
    return Box(x0, y0, x1, y1)


def _edge_path(pos: str) -> EdgePath:
    start = end = None
    points = []
    for token in pos.split(";")[0].split():      # several splines (concentrators): the first
        if token.startswith("s,"):
            start = _point(token[2:])
        elif token.startswith("e,"):
            end = _point(token[2:])
        else:
            points.append(_point(token))
    return EdgePath(tuple(points), start, end)


# --------------------------------------------------------------------------- marking the SVG

_SVG_GROUP = re.compile(r'<g id="([^"]*)" class="(node|cluster)">\n<title>([^<]*)</title>')
_SVG_EDGE = re.compile(r'<g id="(e\d+)" class="edge">.*?</g>\n', re.S)


def object_marks(scene: Scene) -> dict[str, tuple[str, str]]:
    """DOT node or cluster name -> (model name, kind) for what stands for one model object.

    The kind is the model graph's (``subnet``, ``instance``, ``igw``, ``nat``,
    ``lb``, ``interface-endpoint``, ``tgw``, ``site``, ``service``,
    ``internet``, ``vpc``, ...; `vpcdsl.model.graph`). A node standing for
    several objects (an AZ summarised, a subnet with its instances counted)
    is marked for the one it is named after, or not at all.
    """
    marks: dict[str, tuple[str, str]] = {}
    for key, place in scene.places.items():
        base = key.split("@", 1)[0]                 # service:s3@us-east-1, internet@us-east-1#1
        kind, name = split_id(base)
        if place.port is not None:
            continue
        if place.cluster is not None:
            if place.cluster == f"cluster_{dot_id(key)}" and kind in ("vpc", "subnet"):
                marks.setdefault(place.cluster, (name, kind))
        elif place.node == dot_id(key) or kind == "internet" and place.node.startswith("internet"):
            marks.setdefault(place.node, (name, kind))
    return marks


def _marked(svg: str, scene: Scene) -> tuple[str, dict[str, tuple[int, int]]]:
    """`svg` with ``data-vpc-name``/``data-vpc-kind`` on model objects' groups, and each edge's span."""
    marks = object_marks(scene)

    def mark(m: re.Match) -> str:
        found = marks.get(html.unescape(m.group(3)))
        if found is None:
            return m.group(0)
        name, kind = (html.escape(v, quote=True) for v in found)
        return (f'<g id="{m.group(1)}" class="{m.group(2)}" data-vpc-name="{name}" data-vpc-kind="{kind}">'
                f'\n<title>{m.group(3)}</title>')

    svg = _SVG_GROUP.sub(mark, svg)
    spans = {m.group(1): (m.start(), m.end()) for m in _SVG_EDGE.finditer(svg)}
    return svg, spans


def cache_clear() -> None:
    """Forget every cached layout (tests; a model edited in place)."""
    _cache.clear()
