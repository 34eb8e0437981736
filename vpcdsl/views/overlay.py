"""Traced flows over a diagram, as a plan: which drawn edge carries each step,
which steps need a line of their own, which component blocked the flow, and
the table of steps.

Pure: `plan_overlay` reads a finished `Scene` and changes nothing in it, so an
overlay never moves the drawing. `vpcdsl.views.overlay_svg` (SVG, for
notebooks) and `vpcdsl.views.overlay_dot` (laid-out DOT for ``neato -n2``)
draw a plan over a `vpcdsl.views.layout.Layout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..flows.dataplane import parse_ip
from ..model.graph import INTERNET, id_of, split_id
from ..syntax import ast
from .palette import FLOW_COLOURS, TRACE_FORWARD, TRACE_RETURN
from .scene import Place, Scene, edge_id

__all__ = ["plan_overlay", "OverlayPlan", "FlowMark", "Stroke", "BlockMark", "StepRow", "hop_places"]


@dataclass(frozen=True)
class FlowMark:
    """One overlaid flow: its number (from 1), the prefix of its steps (``""`` or ``"2."``), colours."""

    number: int
    prefix: str
    flow: str
    verdict: str
    forward_colour: str
    return_colour: str
    blocked: str | None          # "BLOCKED by nacl db · line 30", None when allowed
    reason: str
    drawn: str = ""              # a flow to a DNS name: which answer's path is drawn, of how many


@dataclass(frozen=True)
class Stroke:
    """One drawn step: the packet moves from the place `tail` to the place `head`.

    ``course`` is the id of a drawn edge between the two places, or None.
    With ``restyle`` the step is drawn as that edge, styled; otherwise it gets a
    line of its own along the course (or straight between the two boxes
    without one), ``lane`` lines to the side, so that steps sharing a pair of
    places (a request and its response, several flows) lie side by side.
    ``along`` says the course runs from tail to head. A ``joint`` (``"tail"``
    or ``"head"``) says that the course ends at the border of a box around
    that place (a link to a VPC, the place a subnet in it): the line goes on
    straight from there to the place.
    """

    flow: int
    direction: str               # "forward" | "return"
    step: str                    # "3", "r2"; with several flows "2.3", "2.r2"
    tail: Place
    head: Place
    course: str | None
    along: bool
    restyle: bool
    lane: int
    colour: str
    hops: tuple[tuple[str, Any], ...]   # (number as `vpcdsl trace` prints it, Hop) arriving with this step
    joint: str | None = None


@dataclass(frozen=True)
class BlockMark:
    """The place of the component that blocked flow ``flow``, and what the trace says."""

    flow: int
    place: Place
    title: str
    reason: str


@dataclass(frozen=True)
class StepRow:
    """One hop in the step table: the drawn step it arrived with (``""``: none), its number, the hop."""

    flow: int
    direction: str
    step: str
    number: str
    hop: Any


@dataclass(frozen=True)
class OverlayPlan:
    flows: tuple[FlowMark, ...]
    strokes: tuple[Stroke, ...]
    blocked: tuple[BlockMark, ...]
    rows: tuple[StepRow, ...]

    @property
    def restyled(self) -> dict[str, Stroke]:
        """Drawn edge id -> the step drawn as it."""
        return {s.course: s for s in self.strokes if s.restyle and s.course is not None}


def plan_overlay(scene: Scene, traces) -> OverlayPlan:
    """The overlay of `traces` (a sequence of `Trace`) over the finished drawing `scene`."""
    traces = tuple(traces)
    several = len(traces) > 1
    flows, strokes, blocked, rows = [], [], [], []
    lanes: dict[frozenset, int] = {}
    for k, trace in enumerate(traces, 1):
        prefix = f"{k}." if several else ""
        forward_colour = FLOW_COLOURS[(k - 1) % len(FLOW_COLOURS)] if several else TRACE_FORWARD
        return_colour = forward_colour if several else TRACE_RETURN
        title = None
        if trace.verdict == "blocked":
            name = split_id(trace.component)[1] if trace.component else "?"
            title = f"BLOCKED by {trace.kind or '?'} {name}"
            if trace.span is not None and trace.span.line > 0:
                title += f" · line {trace.span.line}"
        flows.append(FlowMark(k, prefix, trace.flow, trace.verdict, forward_colour, return_colour, title,
                              trace.reason or "", _drawn_answer(trace)))
        last = None
        placed_all: list[tuple[Any, Place | None]] = []
        for direction, hops, colour, step_prefix in (("forward", trace.forward, forward_colour, prefix),
                                                     ("return", trace.back, return_colour, prefix + "r")):
            placed = _placed(scene, hops)
            placed_all += placed
            last = _steps(scene, k, direction, placed, last, colour, step_prefix, lanes, strokes, rows)
        if trace.verdict == "blocked":
            where = next((p for h, p in reversed(placed_all) if h.action == "drop" and p is not None), None)
            if where is None:
                where = next((p for _, p in reversed(placed_all) if p is not None), None)
            if where is not None:
                blocked.append(BlockMark(k, where, title or "BLOCKED", trace.reason or ""))
    return OverlayPlan(tuple(flows), tuple(strokes), tuple(blocked), tuple(rows))


def _drawn_answer(trace) -> str:
    """For a flow to a DNS name with several answers (`NamedTrace`): the answer whose path
    is drawn (the first blocked, else the first), its probability, and the others'."""
    named, traces = getattr(trace, "named", None), getattr(trace, "traces", ())
    if named is None or len(traces) < 2:
        return ""
    from ..analysis.named_ends import probability_words
    drawn = next((i for i, t in enumerate(traces) if not t.allowed), 0)
    others = [f"{leg.answer} {probability_words(leg.probability)} {t.verdict}"
              for i, (leg, t) in enumerate(zip(named.legs, traces)) if i != drawn]
    leg = named.legs[drawn]
    return (f"drawn: answer {drawn + 1} of {len(traces)}, {leg.answer} (probability "
            f"{probability_words(leg.probability)}); the others: {', '.join(others)}")


def _steps(scene: Scene, flow: int, direction: str, placed: list, here: Place | None, colour: str,
           prefix: str, lanes: dict, strokes: list, rows: list) -> Place | None:
    """Group one direction's hops into drawn steps (appended to `strokes`, `rows`); returns where it ends."""
    step = 0
    open_stroke: list | None = None      # [tail, head, hops] of the step being filled
    for n, (hop, place) in enumerate(placed, 1):
        number = f"r{n}" if direction == "return" else str(n)
        label = ""
        if place is not None and here is not None and place != here and _drawable(scene, here, place):
            if open_stroke is not None:
                strokes.append(_stroke(scene, flow, direction, *open_stroke, colour, lanes))
            step += 1
            label = f"{prefix}{step}"
            open_stroke = [label, here, place, [(number, hop)]]
        elif open_stroke is not None and (place is None or place == open_stroke[2] or not _drawable(
                scene, here, place)):
            open_stroke[3].append((number, hop))
        rows.append(StepRow(flow, direction, label, number, hop))
        if place is not None:
            here = place
    if open_stroke is not None:
        strokes.append(_stroke(scene, flow, direction, *open_stroke, colour, lanes))
    return here


def _stroke(scene: Scene, flow: int, direction: str, label: str, tail: Place, head: Place, hops: list,
            colour: str, lanes: dict) -> Stroke:
    pair = frozenset(((tail.ref, tail.cluster), (head.ref, head.cluster)))
    lane = lanes.get(pair, 0)
    lanes[pair] = lane + 1
    drawn = scene.drawn_edges(tail, head)
    course, along, restyle, joint = None, True, False, None
    if drawn:
        fitting = [(i, a) for i, a in drawn if _can_carry(scene.edges[i][2], a)]
        i, along = (fitting or drawn)[0]
        course = edge_id(i)
        restyle = lane == 0 and bool(fitting)
    else:
        found = _link_into(scene, tail, head)
        if found is not None:
            i, along, joint = found
            course = edge_id(i)
    return Stroke(flow, direction, label, tail, head, course, along, restyle, lane, colour, tuple(hops), joint)


def _link_into(scene: Scene, tail: Place, head: Place) -> tuple[int, bool, str] | None:
    """A drawn edge from one place to the border of a box around the other (a peering or TGW
    line to the VPC of a subnet): (index, runs tail -> head, the place inside the box)."""
    for here, there, joint in ((head, tail, "tail"), (tail, head, "head")):
        for i, at_tail in scene.edges_at(here):
            attrs = scene.edges[i][2]
            box = attrs.get("lhead") if at_tail else attrs.get("ltail")
            if box and scene.inside(there.node, box):
                # the edge runs here -> box when `here` is its tail
                return i, at_tail == (joint == "head"), joint
    return None


def _can_carry(attrs: dict, along: bool) -> bool:
    """A drawn edge can be restyled as a step: one line (not a double one), no arrowhead against it."""
    if ":" in attrs.get("color", ""):
        return False
    direction = attrs.get("dir", "forward")
    at_head = direction in ("forward", "both") and attrs.get("arrowhead") != "none"
    at_tail = direction in ("back", "both") and attrs.get("arrowtail") != "none"
    return not (at_tail if along else at_head)


def _drawable(scene: Scene, a: Place, b: Place) -> bool:
    """A step from `a` to `b` is a line: two boxes, neither inside the other (a NAT gateway drawn
    as a row of its subnet's table is inside it)."""
    if a.node == b.node:
        return False
    if a.cluster is not None and (scene.inside(b.node, a.cluster) or b.cluster == a.cluster):
        return False
    return not (b.cluster is not None and scene.inside(a.node, b.cluster))


# --------------------------------------------------------------------------- where hops are drawn

def _placed(scene: Scene, hops) -> list[tuple[Any, Place | None]]:
    """Every hop with its place (None: not drawn), in order."""
    out: list[tuple[Any, Place | None]] = []
    drawn = dict((id(h), p) for h, p in hop_places(scene, hops))
    for hop in hops:
        out.append((hop, drawn.get(id(hop))))
    return out


def hop_places(scene: Scene, hops) -> list[tuple[Any, Place]]:
    """Each hop with the place it is drawn at; hops with no place are left out.

    Filters have no node of their own: a security group's hop is drawn at the
    host it guards, a NACL's or route table's at the subnet the packet is in.
    That subnet is where the previous hop left the packet (until a route
    moves it on), the attachment subnet next to a TGW hop (same AZ as the
    sender), else the subnet of the packet's destination or source that
    uses the table. Nothing is added to the drawing for a hop.
    """
    # A `resolve` hop says how an end was found (private DNS, a service's ranges): the
    # packet has not moved yet, so it is no step of the drawn path.
    hops = [h for h in hops if h.action != "resolve"]
    out: list[tuple[Any, Place]] = []
    here: ast.Subnet | None = None           # where the packet is, when known
    zone: str | None = None                  # the sender's AZ, for TGW attachment subnets
    for i, hop in enumerate(hops):
        kind = split_id(hop.component)[0]
        near_tgw = [split_id(h.component)[1] for h in (hops[i - 1] if i else None,
                                                         hops[i + 1] if i + 1 < len(hops) else None)
                    if h is not None and h.component.startswith("tgw:")]
        place, subnet = hop_place(scene, hop, here, near_tgw, zone)
        if subnet is not None:
            here = subnet
            zone = zone or subnet.zone
        if kind == "route-table":
            here = None                      # the route sends the packet on
        if place is not None:
            out.append((hop, place))
    main = scene.places.get(INTERNET)
    for i, (hop, place) in enumerate(out):      # the internet node drawn above the neighbouring hop's VPC
        if main is None or place != main:
            continue
        for j in (i - 1, i + 1):
            vpc = getattr(scene.plan.obj(out[j][0].component), "vpc", None) if 0 <= j < len(out) else None
            if isinstance(vpc, str) and vpc in scene.row_of:
                out[i] = (hop, scene.internet_at(vpc, create=False) or main)
                break
    return out


def hop_place(scene: Scene, hop, here, near_tgw: list[str], zone) -> tuple[Place | None, ast.Subnet | None]:
    model, dp = scene.model, scene.model.dataplane
    kind, name = split_id(hop.component)
    if kind in ("nacl", "route-table"):
        uses = model.nacl_of if kind == "nacl" else model.route_table_of
        obj = model.get(name, kind)
        candidates = [s for tgw in near_tgw for att in dp.tgw_attachments.get(tgw, {}).values()
                      for s in att.subnets if uses.get(s.name) is obj]
        if candidates:
            s = next((c for c in candidates if c.zone == zone), candidates[0])
            return scene.places.get(id_of(s)), s
        if here is not None and uses.get(here.name) is obj:
            return scene.places.get(id_of(here)), here
        for text in (hop.packet.dst, hop.packet.src):
            s = subnet_at(scene, text)
            if s is not None and uses.get(s.name) is obj:
                return scene.places.get(id_of(s)), s
        return None, None
    if kind == "sg":
        for text in (hop.packet.src, hop.packet.dst):
            ip = parse_ip(text)
            host = dp.host_at.get(ip) if ip is not None else None
            if host is not None and scene.G.has_edge(hop.component, id_of(host.obj)):
                return scene.places.get(id_of(host.obj)), host.subnet
        return None, None
    if kind == "subnet":
        return scene.places.get(hop.component), model.get(name, "subnet")
    if kind == "address":
        s = subnet_at(scene, name)
        if s is not None:
            return scene.places.get(id_of(s)), s
        ip = parse_ip(name)
        site = dp.site_at(ip) if ip is not None else None
        return scene.places.get(id_of(site) if site is not None else INTERNET), None
    if kind == "service":                    # the node of the region the flow is in, if drawn
        return (scene.places.get(f"{hop.component}@{_region_of(scene, hop)}")
                or scene.places.get(hop.component)), None
    hosts = dp.hosts.get(name) if kind in ("instance", "nat", "nat-instance") else None
    return scene.places.get(hop.component), (hosts[0].subnet if hosts else None)


def _region_of(scene: Scene, hop) -> str:
    """The region whose node stands for a service at this hop: the VPC of the packet's private end."""
    dp = scene.model.dataplane
    for text in (hop.packet.src, hop.packet.dst):
        ip = parse_ip(text)
        vpc = dp.vpc_at(ip) if ip is not None else None
        if vpc is not None:
            return vpc.region_name
    return ""


def subnet_at(scene: Scene, text: str) -> ast.Subnet | None:
    dp = scene.model.dataplane
    ip = parse_ip(text)
    vpc = dp.vpc_at(ip) if ip is not None else None
    return dp.subnet_at(vpc.name, ip) if vpc is not None else None
