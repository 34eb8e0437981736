"""Where an overlay's marks go on a laid-out drawing: the course of each step,
its arrowhead, its step badge, and the frame around a blocked component.

Pure arithmetic on a `vpcdsl.views.layout.Layout`'s geometry (Graphviz's
coordinates: points, y upwards), shared by the SVG and the DOT back-ends so
that both draw the same lines in the same places.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .layout import Box, Layout
from .overlay import Stroke
from .scene import Place

__all__ = ["Course", "course_of", "place_box", "point_at", "badge_size", "num", "ARROW_LENGTH", "LANE_GAP",
           "FRAME_PAD"]

Point = tuple[float, float]

ARROW_LENGTH = 10.0        # Graphviz's arrowhead length at arrowsize 1
LANE_GAP = 6.0             # between the lines of steps that share two places
FRAME_PAD = 5.0            # between a blocked component and its red frame
BADGE_ASIDE = 16.0         # a side lane's badge, off its line
# Where a step's badge sits along its line, by lane: apart from the other lanes' badges.
_BADGE_AT = (0.5, 0.3, 0.3, 0.15, 0.15)


class Course(NamedTuple):
    """A line of its own for a step: B-spline control points (1 + 3n) ending at the arrow's base."""

    points: tuple[Point, ...]
    tip: Point                   # the arrowhead's point, at the head place's border
    badge: Point                 # where the step number is drawn


def place_box(layout: Layout, place: Place) -> Box | None:
    """The box a place is drawn as: its cluster's, else its node's."""
    if place.cluster is not None:
        box = layout.clusters.get(place.cluster)
        if box is not None:
            return box
    return layout.nodes.get(place.node)


def course_of(layout: Layout, stroke: Stroke) -> Course | None:
    """Where a step's line goes (for a restyled edge: where its badge goes); None if not drawable."""
    if stroke.course is not None and stroke.course in layout.edges:
        path = layout.edges[stroke.course]
        points = list(path.points)
        if len(points) < 4:
            return None
        at_end = None                       # the edge's end that goes on to a place inside a box
        if stroke.joint is not None:
            inner = place_box(layout, stroke.tail if stroke.joint == "tail" else stroke.head)
            if inner is None:
                return None
            at_end = (stroke.joint == "head") == stroke.along
            if at_end:
                end = points[-1]
                points += _straight(end, _border(inner, end))[1:]
            else:
                start = points[0]
                points = _straight(_border(inner, start), start)[:-1] + points
        # A lane to the side of the course, on the same side whichever way the step runs.
        offset = _lane_offset(stroke.lane)
        if offset:
            points = _shifted(points, offset)
        badge = _badge_point(points, stroke.lane)
        if stroke.restyle:
            return Course(tuple(points), path.end or points[-1], badge)
        if not stroke.along:
            points.reverse()
        tip = None
        if not offset and at_end is None:      # the course's own arrowhead at the step's head, if any
            tip = path.end if stroke.along else path.start
        return _with_arrow(points, tip, badge)
    a, b = place_box(layout, stroke.tail), place_box(layout, stroke.head)
    if a is None or b is None:
        return None
    # Straight from border to border, lanes beside it; the sides are those of the
    # pair in a fixed order, so a request and its response never share a line.
    first, second = sorted((stroke.tail, stroke.head), key=lambda p: (p.ref, p.cluster or ""))
    boxes = (a, b) if first == stroke.tail else (b, a)
    p = _border(boxes[0], boxes[1].centre)
    q = _border(boxes[1], boxes[0].centre)
    points = _straight(p, q)
    offset = _lane_offset(stroke.lane)
    if offset:
        points = _shifted(points, offset)
    badge = _badge_point(points, stroke.lane)
    if first != stroke.tail:
        points.reverse()
    return _with_arrow(points, None, badge)


def point_at(points, fraction: float) -> Point:
    """The point of the piecewise cubic Bézier `points` at `fraction` of its pieces."""
    pieces = max(1, (len(points) - 1) // 3)
    s = min(max(fraction, 0.0), 1.0) * pieces
    i = min(int(s), pieces - 1)
    t = s - i
    p0, p1, p2, p3 = points[3 * i:3 * i + 4]
    u = 1 - t
    return (u ** 3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t ** 3 * p3[0],
            u ** 3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t ** 3 * p3[1])


def badge_size(text: str, size: float = 8.0) -> tuple[float, float]:
    """A step badge's width and height in points (Helvetica digits are 0.56 em wide)."""
    return max(12.0, 0.56 * size * len(text) + 6.0), size + 4.0


def _badge_point(points, lane: int) -> Point:
    """Where a lane's badge goes: along the line by lane, and beside it off lane 0."""
    fraction = _BADGE_AT[min(lane, len(_BADGE_AT) - 1)]
    x, y = point_at(points, fraction)
    offset = _lane_offset(lane)
    if not offset:
        return x, y
    # Beside its own line, away from lane 0's badge: on short lines the two would overlap.
    nx, ny = point_at(points, fraction + 0.01 if fraction < 0.99 else fraction - 0.01)
    dx, dy = (nx - x, ny - y) if fraction < 0.99 else (x - nx, y - ny)
    length = math.hypot(dx, dy) or 1.0
    side = math.copysign(BADGE_ASIDE, offset)
    return x - dy / length * side, y + dx / length * side


def _straight(p: Point, q: Point) -> list[Point]:
    """A straight line from `p` to `q` as one cubic Bézier piece."""
    return [p, _mix(p, q, 1 / 3), _mix(p, q, 2 / 3), q]


def _with_arrow(points: list[Point], tip: Point | None, badge: Point) -> Course:
    """End `points` at an arrowhead's base: at `tip` when the course had an arrow there, else
    one arrow length before its end."""
    if tip is None:
        end, before = points[-1], points[-2]
        dx, dy = end[0] - before[0], end[1] - before[1]
        if math.hypot(dx, dy) < 1e-6:
            dx, dy = end[0] - points[0][0], end[1] - points[0][1]
        length = math.hypot(dx, dy) or 1.0
        tip = end
        base = (end[0] - dx / length * ARROW_LENGTH, end[1] - dy / length * ARROW_LENGTH)
        points = points[:-1] + [base]
    return Course(tuple(points), tip, badge)


def _lane_offset(lane: int) -> float:
    """0, +1, -1, +2, -2 ... lane gaps."""
    return 0.0 if lane == 0 else LANE_GAP * ((lane + 1) // 2) * (1 if lane % 2 else -1)


def _shifted(points: list[Point], offset: float) -> list[Point]:
    """Each control point moved `offset` to the left of the line's direction there."""
    out = []
    n = len(points)
    for i, (x, y) in enumerate(points):
        ax, ay = points[max(i - 1, 0)]
        bx, by = points[min(i + 1, n - 1)]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        if length < 1e-9:
            dx, dy = points[-1][0] - points[0][0], points[-1][1] - points[0][1]
            length = math.hypot(dx, dy) or 1.0
        out.append((x - dy / length * offset, y + dx / length * offset))
    return out


def _mix(p: Point, q: Point, t: float) -> Point:
    return p[0] + (q[0] - p[0]) * t, p[1] + (q[1] - p[1]) * t


def _border(box: Box, towards: Point) -> Point:
    """Where the ray from the box's centre to `towards` leaves the box."""
    cx, cy = box.centre
    dx, dy = towards[0] - cx, towards[1] - cy
    if box.holds(*towards) or (abs(dx) < 1e-9 and abs(dy) < 1e-9):
        return cx, cy
    hw, hh = (box.x1 - box.x0) / 2, (box.y1 - box.y0) / 2
    scale = min(hw / abs(dx) if dx else math.inf, hh / abs(dy) if dy else math.inf)
    return cx + dx * scale, cy + dy * scale


def num(v: float) -> str:
    """A coordinate as Graphviz writes them: at most two decimals, no trailing zeros.

    >>> num(12.0), num(-0.001), num(3.14159)
    ('12', '0', '3.14')
    """
    text = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
