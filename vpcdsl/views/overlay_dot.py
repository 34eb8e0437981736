"""Traced flows over a laid-out drawing, as DOT for ``neato -n2``: for files.

`traced_digraph(layout, traces)` writes the drawing as its layout left it
(every node, cluster and edge with its ``pos``, `vpcdsl.views.emit`) with the
overlay applied: the drawn edges a flow takes restyled, a line with an
explicit ``pos`` for each step that has none, step badges as edge
``xlabel``s at explicit ``xlp``, a red frame at the blocked component, and
a table of the steps beside the drawing (which is where the bounding box
grows; nothing in the drawing moves). ``neato -n2`` renders it without
laying anything out; `TracedDigraph`'s ``pipe`` and ``render`` run it so.
"""

from __future__ import annotations

import json
import subprocess
from functools import lru_cache

import graphviz

from .emit import emit
from .escaping import html, plain
from .labels import cut
from .layout import Box, Layout
from .overlay import OverlayPlan, Stroke, plan_overlay
from .overlay_geometry import FRAME_PAD, course_of, num, place_box
from .overlay_svg import FORWARD_WIDTH, RETURN_WIDTH, step_tooltip
from .palette import BLOCKED, FONT, INK, REGION_LINE

__all__ = ["traced_digraph", "TracedDigraph", "RENDER_COMMAND"]

RENDER_COMMAND = "neato -n2"
_COMMENT = ("laid out by vpcdsl with a trace overlay: every position is given; "
            "render it with `neato -n2 -Tsvg` (or -Tpng, -Tpdf), not `dot`, which would lay it out again")
_TABLE_GAP = 24.0          # points between the drawing and the step table
_DETAIL = 72               # characters of a hop's detail in the step table


class TracedDigraph(graphviz.Digraph):
    """A laid-out diagram with a trace overlay; ``pipe`` and ``render`` use ``neato -n2``.

    ``neato -n2`` keeps every node where ``pos`` puts it and every edge on its
    ``pos`` spline: the overlay is drawn over the layout of the drawing
    without it, and nothing moves.
    """

    neato_no_op = 2                  # what `vpcdsl.views.export` passes `graphviz.pipe`

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("engine", "neato")
        super().__init__(*args, **kwargs)

    def pipe(self, *args, **kwargs):
        kwargs.setdefault("neato_no_op", 2)
        return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):
        kwargs.setdefault("neato_no_op", 2)
        return super().render(*args, **kwargs)


def traced_digraph(layout: Layout, traces) -> TracedDigraph:
    """The laid-out DOT of `layout` with `traces` (a Trace or a sequence) over it.

    Needs ``dot`` once more to measure the step table (cached by its text).
    """
    traces = (traces,) if hasattr(traces, "forward") else tuple(traces)
    plan = plan_overlay(layout.scene, traces)
    restyle: dict[str, dict[str, str]] = {}
    lines: list[tuple[Stroke, object]] = []
    for stroke in plan.strokes:
        course = course_of(layout, stroke)
        if course is None:
            continue
        if stroke.restyle:
            restyle[stroke.course] = {**_style(plan, stroke), **_badge(stroke, course.badge)}
        else:
            lines.append((stroke, course))
    # Lines over the boxes they cross, so that a path reads as one line; the badges ride on them.
    g = emit(layout.scene, layout.title, laid=layout.positions, restyle=restyle, cls=TracedDigraph,
             comment=_COMMENT, graph={"outputorder": "nodesfirst"})
    for stroke, course in lines:
        pts = course.points
        pos = f"e,{num(course.tip[0])},{num(course.tip[1])} " + " ".join(f"{num(x)},{num(y)}" for x, y in pts)
        g.edge(stroke.tail.node, stroke.head.node, None, pos=pos, arrowhead="normal", arrowsize="1",
               id=f"trace{stroke.flow}_{stroke.direction}_{stroke.step.replace('.', '_')}",
               **_style(plan, stroke), **_badge(stroke, course.badge))
    for mark in plan.blocked:
        box = place_box(layout, mark.place)
        if box is None:
            continue
        (x, y), w, h = box.centre, box.x1 - box.x0 + 2 * FRAME_PAD, box.y1 - box.y0 + 2 * FRAME_PAD
        g.node(f"trace__blocked{mark.flow}", "", shape="box", style="rounded", color=BLOCKED, penwidth="4",
               fixedsize="true", width=num(w / 72), height=num(h / 72), pos=f"{num(x)},{num(y)}",
               tooltip=plain(mark.title, mark.reason), **{"class": "vpc-trace vpc-trace-blocked"})
    _step_table(g, layout.bb, plan)
    return g


def _style(plan: OverlayPlan, stroke: Stroke) -> dict[str, str]:
    forward = stroke.direction == "forward"
    return {"color": stroke.colour, "penwidth": f"{FORWARD_WIDTH if forward else RETURN_WIDTH:g}",
            "style": "solid" if forward else "dashed", "tooltip": plain(*step_tooltip(plan, stroke).split("\n")),
            "class": f"vpc-trace vpc-trace-{stroke.direction}"}


def _badge(stroke: Stroke, at) -> dict[str, str]:
    c = stroke.colour
    label = (f'<<TABLE BGCOLOR="white" BORDER="1" COLOR="{c}" CELLBORDER="0" CELLPADDING="1" '
             f'CELLSPACING="0" STYLE="ROUNDED"><TR><TD><FONT POINT-SIZE="8" COLOR="{c}"><B>{html(stroke.step)}'
             f'</B></FONT></TD></TR></TABLE>>')
    return {"xlabel": label, "xlp": f"{num(at[0])},{num(at[1])}"}


# --------------------------------------------------------------------------- the step table

def _step_table(g: graphviz.Digraph, bb: Box, plan: OverlayPlan) -> None:
    """The table of steps and the overlay's key, right of the drawing, top-aligned; the bounding box
    grows to hold it (two invisible corner points, since neato -n2 computes its own)."""
    label = step_table(plan)
    w, h = measure(label)
    top = max(bb.y1, h)
    x = bb.x1 + _TABLE_GAP + w / 2
    g.node("trace__steps", label, shape="plain", pos=f"{num(x)},{num(top - h / 2)}")
    for name, (cx, cy) in (("trace__corner_ll", (bb.x0, bb.y0)), ("trace__corner_ur", (x + w / 2, top))):
        g.node(name, "", shape="point", style="invis", width="0", height="0", pos=f"{num(cx)},{num(cy)}")


def step_table(plan: OverlayPlan) -> str:
    """The HTML-like label of the step table: per flow its verdict, its marks, and its hops."""
    rows = [_row(_cell("<B>Traced flows</B>", colspan=5, size=11))]
    for flow in plan.flows:
        head = html(flow.flow) + (" · <B>allowed</B>" if flow.blocked is None else "")
        words = f"<B>flow {flow.number}:</B> " if len(plan.flows) > 1 else ""
        rows.append(_row(_cell(f"{words}{head}", colspan=5, size=10)))
        if flow.blocked is not None:
            rows.append(_row(_cell(f'<FONT COLOR="{BLOCKED}"><B>{html(flow.blocked)}</B></FONT>', colspan=5)))
            rows.append(_row(_cell(f'<FONT COLOR="{BLOCKED}">{html(cut(flow.reason, 110))}</FONT>', colspan=5,
                                   size=8)))
        if flow.drawn:
            rows.append(_row(_cell(html(cut(flow.drawn, 110)), colspan=5, size=8)))
        key = [f'<FONT COLOR="{flow.forward_colour}"><B>━━▸</B></FONT> request']
        if any(r.flow == flow.number and r.direction == "return" for r in plan.rows):
            key.append(f'<FONT COLOR="{flow.return_colour}"><B>╍╍▸</B></FONT> response')
        if flow.blocked is not None:
            key.append(f'<FONT COLOR="{BLOCKED}"><B>▢</B></FONT> blocked here')
        key.append(f'<FONT COLOR="{flow.forward_colour}"><B>[n]</B></FONT> step n')
        rows.append(_row(_cell(" &#160; ".join(key), colspan=5, size=8)))
        rows.append(_row("".join(_cell(f'<FONT COLOR="{REGION_LINE}">{t}</FONT>', size=8)
                             for t in ("step", "hop", "component", "action", "what happened · line"))))
        direction = None
        for r in (r for r in plan.rows if r.flow == flow.number):
            if r.direction != direction:
                direction = r.direction
                rows.append(_row(_cell(f"<I>{'request' if direction == 'forward' else 'response'}</I>",
                                       colspan=5, size=8)))
            colour = flow.forward_colour if direction == "forward" else flow.return_colour
            hop = r.hop
            where = f" · line {hop.span.line}" if hop.span is not None and hop.span.line > 0 else ""
            step = f'<FONT COLOR="{colour}"><B>{html(r.step)}</B></FONT>' if r.step else ""
            colour_action = BLOCKED if hop.action == "drop" else INK
            rows.append(_row(_cell(step, size=8) + _cell(html(r.number), size=8)
                             + _cell(html(cut(hop.component, 32)), size=8)
                             + _cell(f'<FONT COLOR="{colour_action}">{html(hop.action)}</FONT>', size=8)
                             + _cell(html(cut(hop.detail, _DETAIL)) + where, size=8)))
    return (f'<<TABLE BORDER="1" COLOR="{REGION_LINE}" BGCOLOR="white" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="2" STYLE="ROUNDED">{"".join(rows)}</TABLE>>')


def _row(cells: str) -> str:
    return f"<TR>{cells}</TR>"


def _cell(content: str, *, colspan: int = 1, size: int = 9) -> str:
    span = f' COLSPAN="{colspan}"' if colspan > 1 else ""
    if not content:
        return f'<TD{span}></TD>'          # Graphviz 2.43 rejects empty <FONT> and <B> elements
    return f'<TD ALIGN="LEFT"{span}><FONT POINT-SIZE="{size}">{content}</FONT></TD>'


@lru_cache(maxsize=64)
def measure(label: str) -> tuple[float, float]:
    """Width and height in points of a ``shape=plain`` node with this HTML-like label, as ``dot`` sizes it."""
    src = f'digraph {{ node [fontname="{FONT}" fontsize=10 shape=plain]; t [label={label}] }}'
    cmd = ["dot", "-Tjson0"]
    try:
        proc = subprocess.run(cmd, input=src.encode("utf-8"), capture_output=True)
    except FileNotFoundError:
        raise graphviz.ExecutableNotFound(cmd) from None
    if proc.returncode != 0:
        raise graphviz.CalledProcessError(proc.returncode, cmd, output=proc.stdout, stderr=proc.stderr)
    node = next(o for o in json.loads(proc.stdout)["objects"] if o.get("name") == "t")
    return float(node["width"]) * 72, float(node["height"]) * 72
