"""What a diagram shows: the VPCs drawn in full and as boxes, and, with
``focus=``, the neighbourhood of one component (`plan`).

`Plan.links_of` also tells the layout which VPCs each link joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..checks.names import close_matches, did_you_mean
from ..model.graph import EDGE_KIND, OBJECT, ROLE, EdgeKind, id_of, split_id
from ..model.network import SCOPED_KINDS, Model
from ..syntax import ast


class FocusError(KeyError, ValueError):
    """``focus=`` names nothing the model holds."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        return self.args[0]


@dataclass(eq=False)
class Plan:
    """Which VPCs are drawn in full, which as boxes, and which top-level objects appear."""

    model: Model
    G: nx.MultiDiGraph
    links_of: dict[str, set[str]] = field(default_factory=dict)  # group -> the groups a link joins it to
    full: set[str] = field(default_factory=set)                  # VPC names drawn in full
    boxes: set[str] = field(default_factory=set)                 # VPC names drawn as one box
    shown_groups: set[str] | None = None                         # None: everything
    focus_node: str | None = None
    need_internet: bool = False

    def obj(self, node: str):
        """The model object of a graph node, or None."""
        data = self.G.nodes.get(node)
        return data.get(OBJECT) if data else None

    def group(self, node: str) -> str:
        """The node a link attaches to: a VPC member's VPC, else the node itself."""
        obj = self.obj(node)
        vpc = getattr(obj, "vpc", "") if obj is not None else ""
        if isinstance(vpc, str) and vpc and vpc in self.model.vpcs:
            return f"vpc:{vpc}"
        return node

    def shown(self, node: str) -> bool:
        return self.shown_groups is None or self.group(node) in self.shown_groups

    def panel_shown(self, node: str) -> bool:
        """A panel or CloudFront: shown when in focus, or when it names a VPC drawn in full."""
        if self.shown_groups is None or self.focus_node == node:
            return True
        return any(self.group(v)[4:] in self.full for v in self.G.successors(node))

    def link(self, a: str, b: str) -> None:
        if a != b:
            self.links_of.setdefault(a, set()).add(b)
            self.links_of.setdefault(b, set()).add(a)


def plan(model: Model, level: str, focus: str | None) -> Plan:
    """What to draw of `model` at `level`, around `focus` (a name, or None for everything).

    Never what a trace overlay needs: the overlay draws over this drawing
    without changing it (`vpcdsl.views.overlay`).
    """
    G = model.graph
    p = Plan(model, G)
    for peering in model.peerings.values():
        node = f"peering:{peering.name}"
        for _, v, d in G.out_edges(node, data=True):
            if d[EDGE_KIND] == EdgeKind.ATTACHMENT and d.get(ROLE) in ("requester", "accepter"):
                p.link(node, v)
    for node in G.nodes:
        kind = split_id(node)[0]
        if kind in ("tgw", "vpn", "dx", "dxgw"):
            for _, v, d in G.out_edges(node, data=True):
                if d[EDGE_KIND] == EdgeKind.ATTACHMENT:
                    p.link(p.group(node), p.group(v))
    vpcs = list(model.vpcs)
    if focus is None:
        p.full = set(vpcs) if level != "region" else set()
        p.boxes = set(vpcs) - p.full
        p.shown_groups = None         # everything
    else:
        node = resolve_focus(model, focus)
        p.focus_node = node
        start = p.group(node)
        home = {start} if start.startswith("vpc:") else set()
        kind = split_id(node)[0]
        if kind == "peering":
            home = {g for g in p.links_of.get(node, ()) if g.startswith("vpc:")}
            start_groups = set(home)
        else:
            start_groups = {start}
        if kind in ("cdn", "dns-zone", "placement"):
            home = {p.group(v) for v in G.successors(node)} & {f"vpc:{n}" for n in vpcs}
            start_groups = set(home) | {node}
        shown = set(start_groups)
        for g in start_groups:
            shown |= p.links_of.get(g, set())
        for g in list(shown):
            if split_id(g)[0] in ("tgw", "dxgw", "peering", "vpn", "dx"):
                shown |= p.links_of.get(g, set())
        for g in list(shown):                  # a VPN or DX shown: both of its ends
            if split_id(g)[0] in ("vpn", "dx", "peering"):
                shown |= p.links_of.get(g, set())
        p.shown_groups = shown
        full = {g[4:] for g in home}
        p.full = full if level != "region" else set()
        p.boxes = {g[4:] for g in shown if g.startswith("vpc:")} - p.full
    p.need_internet = level != "region" and any(
        isinstance(m, (ast.InternetGateway, ast.EgressOnlyInternetGateway)) and p.obj(id_of(m)) is m
        for name in p.full for m in model.vpcs[name].members)
    return p


def resolve_focus(model: Model, name: str) -> str:
    """The graph node ``focus=name`` means; `FocusError` (with a close name as hint) if none."""
    G = model.graph
    obj = model.get(name)
    if obj is None:
        for kind in SCOPED_KINDS:
            obj = model.get(name, kind)
            if obj is not None:
                break
    if obj is not None:
        node = id_of(obj)
        if node in G:
            return node
    zone = f"dns-zone:{name}"
    if zone in G:
        return zone
    names = sorted(set(model.objects) | {n for t in model.scoped.values() for n in t}
                   | {z.name for z in model.dns_zones})
    close = close_matches(name, names)
    hint = did_you_mean(close) if close else "focus on a VPC, subnet, instance, TGW or site"
    raise FocusError(f"nothing is called '{name}' in the model", hint)
