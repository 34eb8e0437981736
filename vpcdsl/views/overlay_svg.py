"""Traced flows over a laid-out drawing's SVG, without Graphviz: for notebooks.

`traced_svg(layout, traces)` restyles the drawn edges a flow takes (by their
ids), adds a line of its own for each step that has none, frames the blocked
component in red and puts the step numbers and the deciding rules in
tooltips (``<title>``). Plain string work on the cached SVG: no layout, no
process, and nothing in the drawing moves (the canvas keeps its size).

Every overlay element carries the class ``vpc-trace`` and one of
``vpc-trace-forward``, ``vpc-trace-return`` or ``vpc-trace-blocked``, and
``data-flow`` (the flow's number, from 1); a step's element also carries
``data-step``. There is one such element per drawn step and per blocked flow.
"""

from __future__ import annotations

import html
import re

from .escaping import clean
from .layout import Layout
from .overlay import OverlayPlan, Stroke, plan_overlay
from .overlay_geometry import ARROW_LENGTH, FRAME_PAD, badge_size, course_of, num, place_box
from .palette import BLOCKED, FONT

__all__ = ["traced_svg", "step_tooltip", "FORWARD_WIDTH", "RETURN_WIDTH", "RETURN_DASH"]

FORWARD_WIDTH = 3.5
RETURN_WIDTH = 3.0
RETURN_DASH = "8,4"
_ARROW_HALF = 4.5

_TAG = re.compile(r"<(path|polygon|ellipse|polyline)\b([^>]*?)(/?)>")
_ATTR = r'\s{name}="[^"]*"'


def traced_svg(layout: Layout, traces) -> str:
    """The SVG of `layout` with `traces` (a Trace or a sequence of them) over it.

    Deterministic: the same layout and traces give the same text.

    >>> import vpcdsl
    >>> from vpcdsl.views.layout import layout_of
    >>> m = vpcdsl.load("examples/three-tier.vpc")
    >>> svg = traced_svg(layout_of(m), m.trace("ci-1", "db-1", "tcp/5432"))
    >>> svg.count('class="vpc-trace vpc-trace-blocked"')
    1
    """
    traces = (traces,) if hasattr(traces, "forward") else tuple(traces)
    plan = plan_overlay(layout.scene, traces)
    return draw_plan(layout, plan)


def draw_plan(layout: Layout, plan: OverlayPlan) -> str:
    svg = layout.svg
    cuts: list[tuple[int, int, str]] = []
    extra: list[str] = []
    for stroke in plan.strokes:
        course = course_of(layout, stroke)
        if stroke.restyle and stroke.course in layout.svg_edges:
            start, end = layout.svg_edges[stroke.course]
            cuts.append((start, end, _restyled(svg[start:end], stroke, course, step_tooltip(plan, stroke))))
        elif course is not None:
            extra.append(_line(stroke, course, step_tooltip(plan, stroke)))
    for mark in plan.blocked:
        box = place_box(layout, mark.place)
        if box is None:
            continue
        x0, y0, x1, y1 = box.x0 - FRAME_PAD, box.y0 - FRAME_PAD, box.x1 + FRAME_PAD, box.y1 + FRAME_PAD
        tip = _xml(f"{_flow_words(plan, mark.flow)}{mark.title}\n{mark.reason}")
        extra.append(f'<g class="vpc-trace vpc-trace-blocked" data-flow="{mark.flow}"><title>{tip}</title>\n'
                     f'<rect x="{num(x0)}" y="{num(-y1)}" width="{num(x1 - x0)}" height="{num(y1 - y0)}" '
                     f'rx="6" fill="none" stroke="{BLOCKED}" stroke-width="4"/>\n</g>\n')
    out, at = [], 0
    for start, end, text in sorted(cuts):
        out += [svg[at:start], text]
        at = end
    tail = svg[at:]
    close = tail.rfind("</g>")
    if close < 0:
        return "".join(out) + tail
    layer = f'<g class="vpc-trace-layer">\n{"".join(extra)}</g>\n' if extra else ""
    return "".join(out) + tail[:close] + layer + tail[close:]


def step_tooltip(plan: OverlayPlan, stroke: Stroke) -> str:
    """A step's tooltip: the flow, the step, and each hop with the line that decided it."""
    way = "request" if stroke.direction == "forward" else "response"
    lines = [f"{_flow_words(plan, stroke.flow)}step {stroke.step} ({way})"]
    for number, hop in stroke.hops:
        where = f" [{hop.span.file}:{hop.span.line}]" if hop.span is not None and hop.span.line > 0 else ""
        lines.append(f"{number}. {hop.component} {hop.action}: {hop.detail}{where}")
    return "\n".join(lines)


def _flow_words(plan: OverlayPlan, flow: int) -> str:
    mark = plan.flows[flow - 1]
    return f"flow {mark.number}: {mark.flow}\n" if len(plan.flows) > 1 else f"{mark.flow}\n"


def _classes(stroke: Stroke) -> str:
    return f"vpc-trace vpc-trace-{stroke.direction}"


def _stroke_attrs(stroke: Stroke) -> dict[str, str]:
    attrs = {"stroke": stroke.colour, "stroke-width": f"{FORWARD_WIDTH if stroke.direction == 'forward' else RETURN_WIDTH:g}"}
    if stroke.direction == "return":
        attrs["stroke-dasharray"] = RETURN_DASH
    return attrs


def _restyled(group: str, stroke: Stroke, course, tooltip: str) -> str:
    """A drawn edge's ``<g>`` as a step of the flow: its classes, colour, width, tooltip and badge."""
    head, _, rest = group.partition(">")
    head = head.replace('class="edge"', f'class="edge {_classes(stroke)}" data-flow="{stroke.flow}" '
                                        f'data-step="{_xml(stroke.step)}"', 1)
    rest = re.sub(r"<title>.*?</title>", lambda m: f"<title>{_xml(tooltip)}</title>", rest,
                  count=1, flags=re.S)

    def paint(m: re.Match) -> str:
        tag, attrs, slash = m.groups()
        for name, value in _stroke_attrs(stroke).items():
            if tag != "path" and name != "stroke":
                continue                     # arrowheads: colour only
            attrs = re.sub(_ATTR.format(name=re.escape(name)), "", attrs) + f' {name}="{value}"'
        if tag != "path":
            attrs = re.sub(r'\sfill="[^"]*"', "", attrs) + f' fill="{stroke.colour}"'
        return f"<{tag}{attrs}{slash}>"

    rest = _TAG.sub(paint, rest)
    badge = _badge(stroke, course.badge) if course is not None else ""
    end = rest.rfind("</g>")
    return head + ">" + rest[:end] + badge + rest[end:]


def _line(stroke: Stroke, course, tooltip: str) -> str:
    """A step without a drawn edge of its own: a new line, its arrowhead and badge."""
    tip = _xml(tooltip)
    pts = course.points
    d = f"M{num(pts[0][0])},{num(-pts[0][1])}C" + " ".join(f"{num(x)},{num(-y)}" for x, y in pts[1:])
    attrs = " ".join(f'{k}="{v}"' for k, v in _stroke_attrs(stroke).items())
    return (f'<g class="{_classes(stroke)}" data-flow="{stroke.flow}" data-step="{_xml(stroke.step)}">'
            f"<title>{tip}</title>\n<path fill=\"none\" {attrs} d=\"{d}\"/>\n"
            f"{_arrow(stroke, pts[-1], course.tip)}{_badge(stroke, course.badge)}</g>\n")


def _arrow(stroke: Stroke, base, tip) -> str:
    dx, dy = tip[0] - base[0], tip[1] - base[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / length, dy / length
    bx, by = tip[0] - ux * ARROW_LENGTH, tip[1] - uy * ARROW_LENGTH
    nx, ny = -uy * _ARROW_HALF, ux * _ARROW_HALF
    pts = [(tip[0], tip[1]), (bx + nx, by + ny), (bx - nx, by - ny)]
    text = " ".join(f"{num(x)},{num(-y)}" for x, y in pts)
    return f'<polygon fill="{stroke.colour}" stroke="{stroke.colour}" points="{text}"/>\n'


def _badge(stroke: Stroke, at) -> str:
    w, h = badge_size(stroke.step)
    x, y = at
    return (f'<rect x="{num(x - w / 2)}" y="{num(-y - h / 2)}" width="{num(w)}" height="{num(h)}" rx="3" '
            f'fill="white" stroke="{stroke.colour}" stroke-width="1.5"/>\n'
            f'<text text-anchor="middle" x="{num(x)}" y="{num(-y + 3)}" font-family="{FONT},sans-Serif" '
            f'font-size="8.00" font-weight="bold" fill="{stroke.colour}">{_xml(stroke.step)}</text>\n')


def _xml(text: str) -> str:
    """Text for SVG: control characters replaced (XML cannot carry them), markup escaped."""
    return html.escape("\n".join(clean(line) for line in text.split("\n")))
