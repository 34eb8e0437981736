"""Traced flows drawn over a diagram: the request path bold and numbered, the
response dashed, the component that blocked the flow framed in red with a
note naming the rule, its line and the reason."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable
from typing import Any

from ..flows.dataplane import parse_ip
from ..model.graph import INTERNET, id_of, split_id
from ..syntax import ast
from .escaping import plain
from .palette import BLOCKED, TRACE_FORWARD, TRACE_RETURN
from .scene import Place, Scene

__all__ = ["overlay"]


def overlay(scene: Scene, trace, prefix: str = "", suffix: str = "") -> None:
    """One flow over the drawing; ``prefix`` numbers its steps (``2.``), ``suffix`` its note's id."""
    forward = hop_places(scene, trace.forward)
    back = hop_places(scene, trace.back)
    # Steps are numbered as drawn: a hop from a host to the subnet box around
    # it (instance level) is no line, and takes no number.
    step = 0
    for a, b in _pairs([p for _, p in forward]):
        if scene.edge(a, b, color=TRACE_FORWARD, penwidth="3", style="bold", label=plain(f"{prefix}{step + 1}"),
                      fontcolor=TRACE_FORWARD, fontsize="10", weight="0", arrowsize="1.2"):
            step += 1
    start = [forward[-1][1]] if forward else []
    step = 0
    for a, b in _pairs(start + [p for _, p in back]):
        if scene.edge(a, b, color=TRACE_RETURN, penwidth="2.5", style="dashed",
                      label=plain(f"{prefix}r{step + 1}"), fontcolor=TRACE_RETURN, fontsize="10", weight="0",
                      arrowsize="1.2"):
            step += 1
    scene.used.add("trace")
    if trace.verdict != "blocked":
        return
    hops = [*forward, *back]
    blocked = next((p for h, p in reversed(hops) if h.action == "drop"), None)
    if blocked is None and hops:
        blocked = hops[-1][1]
    if blocked is None:
        return
    scene.emphasize(blocked, BLOCKED)
    name = split_id(trace.component)[1] if trace.component else "?"
    head = f"BLOCKED by {trace.kind or '?'} {name}"
    span = trace.span
    if span is not None and span.line > 0:
        head += f" · line {span.line}"
    lines = [head] + textwrap.wrap(trace.reason or "", 48)
    if prefix:
        lines[0] = f"flow {prefix.rstrip('.')}: {lines[0]}"
    note = scene.node(scene.root, f"trace__blocked{suffix}", plain(*lines), shape="note", style="filled",
                      fillcolor="#FDEBEB", color=BLOCKED, fontcolor=BLOCKED, penwidth="2", fontsize="10")
    scene.edge(blocked, Place(note), color=BLOCKED, penwidth="2", arrowhead="none", style="bold")
    scene.used.add("blocked")


def hop_places(scene: Scene, hops) -> list[tuple[Any, Place]]:
    """Each hop with the place it is drawn at; hops with no place are left out.

    Filters have no node of their own: a security group's hop is drawn at the
    host it guards, a NACL's or route table's at the subnet the packet is in.
    That subnet is where the previous hop left the packet (until a route
    moves it on), the attachment subnet next to a TGW hop (same AZ as the
    sender), else the subnet of the packet's destination or source that
    uses the table.
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
                out[i] = (hop, scene.internet_at(vpc))
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
    if kind == "service" and hop.component not in scene.places and scene.level != "region":
        return scene.service_place(name), None
    hosts = dp.hosts.get(name) if kind in ("instance", "nat", "nat-instance") else None
    return scene.places.get(hop.component), (hosts[0].subnet if hosts else None)


def subnet_at(scene: Scene, text: str) -> ast.Subnet | None:
    dp = scene.model.dataplane
    ip = parse_ip(text)
    vpc = dp.vpc_at(ip) if ip is not None else None
    return dp.subnet_at(vpc.name, ip) if vpc is not None else None


def _pairs(places: list[Place]) -> Iterable[tuple[Place, Place]]:
    """Consecutive distinct places."""
    previous = None
    for p in places:
        if previous is not None and p != previous:
            yield previous, p
        previous = p
