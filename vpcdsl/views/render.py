"""Graphviz diagrams of a model: DOT built explicitly from the model graph.

`diagram` returns a `graphviz.Digraph` and `dot_source` its DOT text. Clusters
nest region → VPC → AZ → subnet; links between VPCs (peering, TGW attachments)
are compound edges clipped at the VPC boxes. Every string from a model reaches
DOT through `_text` (plain labels) or `_html` (HTML-like labels), never raw.
"""

from __future__ import annotations

import math
import os
import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import graphviz

from ..checks.names import close_matches, did_you_mean
from ..cidrs import usable_hosts
from ..flows.dataplane import parse_ip
from ..gcpause import paused_gc
from ..model.graph import (EDGE_KIND, INTERNET, OBJECT, ORIGIN, PREFIX, ROLE, STATIC_ONLY, SUBNETS, EdgeKind,
                           Origin, id_of, split_id)
from ..model.network import KIND_OF, SCOPED_KINDS, Model
from ..syntax import ast

__all__ = ["diagram", "dot_source", "LEVELS", "ROUTE_STYLES", "DEFAULT_COLLAPSE", "FocusError"]

LEVELS = ("region", "vpc", "subnet", "instance")
ROUTE_STYLES = ("labels", "edges")
# An AZ with more subnets than this is drawn as one "N subnets" node (and, at
# the instance level, a subnet with more instances as one "N instances" node).
# Six is what an AZ column holds before the drawing gets taller than wide; a
# typical 200-subnet estate (3 tiers x 3 AZs per VPC) stays in full, one with
# dozens of subnets per AZ shrinks to counts. 0 turns collapsing off.
DEFAULT_COLLAPSE = 6

_MAX_ROUTE_ROWS = 6        # routes listed on a subnet before "+N more"
_MAX_PANEL_ROWS = 12       # records in a DNS panel, rules on a load balancer
_MAX_CELL = 64             # characters of one panel cell before it is cut
_INSTANCE_COLUMNS = 4      # instances per row inside a subnet
_VPC_COLUMNS = 4           # VPC boxes per row in a region before the next row starts
_BIG_DRAWING = 400         # DOT nodes above which dot's positioning effort is bounded
_BIG_NSLIMIT = "5"

# AWS architecture-diagram colours.
REGION_LINE = "#879196"
VPC_LINE = "#248814"
AZ_LINE = "#147EBA"
PUBLIC_FILL, PUBLIC_LINE = "#E9F3E6", "#7AA116"
PRIVATE_FILL, PRIVATE_LINE = "#E6F2F8", "#147EBA"
NETWORK = "#8C4FFF"        # gateways, TGW, peering, load balancers, endpoints
NETWORK_FILL = "#F4EFFF"
COMPUTE, COMPUTE_FILL = "#ED7100", "#FDF1E6"
SITE, SITE_FILL = "#545B64", "#F2F3F3"
INK = "#232F3E"
VPN = "#2E73B8"
DX = "#ED7100"
ROUTE = "#545B64"
TRACE_FORWARD = "#0972D3"
TRACE_RETURN = "#037F0C"
BLOCKED = "#D91515"

_FONT = "Helvetica"
_SERVICE_NAMES = {
    "s3": "Amazon S3", "dynamodb": "Amazon DynamoDB", "glacier": "S3 Glacier",
    "ssm": "Systems Manager", "ec2": "Amazon EC2 API", "sts": "AWS STS", "kms": "AWS KMS",
    "logs": "CloudWatch Logs", "ecr": "Amazon ECR", "sqs": "Amazon SQS", "sns": "Amazon SNS",
    "aws": "AWS public services",
}
_LB_WORDS = {"application": "ALB", "network": "NLB", "classic": "CLB"}
_GATEWAY_WORDS = {"igw": "Internet gateway", "eigw": "Egress-only IGW", "vgw": "Virtual private gateway",
                  "nat": "NAT gateway", "nat-instance": "NAT instance", "tgw": "Transit gateway",
                  "dxgw": "Direct Connect gateway"}

# Characters no label may carry: control characters break DOT strings and SVG's XML.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.#-]")


class FocusError(KeyError, ValueError):
    """``focus=`` names nothing the model holds."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        return self.args[0]


# --------------------------------------------------------------------------- escaping

def _clean(value: Any) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(value))


def _html(value: Any) -> str:
    r"""Text for an HTML-like label: markup characters become entities.

    Graphviz still reads escString sequences (``\N``, ``\G``) in HTML-like
    labels, so a backslash is doubled too.

    >>> print(_html('<b>"x" & \'y\'</b> \\N'))
    &lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; \\N
    """
    return (_clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("\\", "\\\\"))


def _text(*lines: Any) -> str:
    """A plain (escString) label of `lines`: backslashes literal, never read as HTML.

    Graphviz decodes entities in plain labels too, so ``&`` becomes ``&amp;``;
    graphviz's quoting escapes the double quotes.

    >>> print(graphviz.quoting.quote(_text('a "b" &', "<c>")))
    "a \\"b\\" &amp;\\n<c>"
    """
    return graphviz.nohtml("\\n".join(_clean(line).replace("&", "&amp;").replace("\\", "\\\\")
                                        for line in lines))


def _cut(text: str, width: int = _MAX_CELL) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _did(node: str) -> str:
    """The DOT id of a model-graph node id: ``subnet:public-a`` -> ``subnet__public-a``.

    >>> _did("subnet:public-a"), _did("dns-zone:a b")
    ('subnet__public-a', 'dns-zone__a_20_b')
    """
    return _UNSAFE_ID.sub(lambda m: f"_{ord(m.group()):x}_", node.replace(":", "__", 1))


# --------------------------------------------------------------------------- the scene

class Place(NamedTuple):
    """Where a model object is drawn: a DOT node (and port), or a cluster through an anchor node."""

    node: str
    port: str | None = None
    cluster: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.node}:{self.port}" if self.port else self.node


@dataclass(eq=False)
class _Cluster:
    name: str | None
    attrs: dict[str, str]
    parent: "_Cluster | None" = None
    nodes: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    children: list["_Cluster"] = field(default_factory=list)

    def child(self, name: str, **attrs: str) -> "_Cluster":
        c = _Cluster(name, attrs, self)
        self.children.append(c)
        return c


def _html_table(rows: list[str], *, color: str, fill: str = "white", border: int = 1,
                style: str = "ROUNDED") -> str:
    return (f'<<TABLE BORDER="{border}" COLOR="{color}" BGCOLOR="{fill}" CELLBORDER="0" '
            f'CELLSPACING="0" CELLPADDING="2" STYLE="{style}">{"".join(rows)}</TABLE>>')


def _row(content: str, *, port: str | None = None, align: str = "LEFT", colspan: int = 1,
         size: int | None = None, color: str | None = None) -> str:
    if size is not None or color is not None:
        font = ""
        if size is not None:
            font += f' POINT-SIZE="{size}"'
        if color is not None:
            font += f' COLOR="{color}"'
        content = f"<FONT{font}>{content}</FONT>"
    attrs = f' ALIGN="{align}"' + (f' COLSPAN="{colspan}"' if colspan > 1 else "")
    if port is not None:
        attrs += f' PORT="{port}"'
    return f"<TR><TD{attrs}>{content}</TD></TR>"


def _net_text(c: ast.Cidr | None) -> str:
    if c is None:
        return "no CIDR"
    return str(c.net) if c.net is not None else c.text


def _plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


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
        return _Drawing(model, level, focus, routes, traces, collapse).build()


def dot_source(model: Model, **options) -> str:
    """The DOT text of `diagram(model, **options)`.

    >>> import vpcdsl
    >>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n}")
    >>> dot_source(m, level="region").startswith("digraph vpcdsl {")
    True
    """
    return diagram(model, **options).source


# --------------------------------------------------------------------------- the drawing

class _Drawing:
    def __init__(self, model: Model, level: str, focus: str | None, routes: str, trace, collapse: int):
        self.model = model
        self.G = model.graph
        self.level = level
        self.focus = focus
        self.routes = routes
        self.traces = trace                           # the flows overlaid, in order
        self.collapse = collapse
        self.root = _Cluster(None, {})
        self.places: dict[str, Place] = {}
        self.node_cluster: dict[str, _Cluster] = {}
        self.node_attrs: dict[str, dict[str, str]] = {}
        self.clusters: dict[str, _Cluster] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        self.layout: list[tuple[str, str, str]] = []  # invisible edges (tail, head, weight) ordering the layout
        self.used: set[str] = set()                  # legend entries in use
        self.regions: dict[str, _Cluster] = {}
        self.vpc_bottom: dict[str, str] = {}         # VPC name -> a node on its lowest rank
        self.vpc_top: dict[str, str] = {}            # VPC name -> a node on its highest rank
        self.vpc_lasts: dict[str, list[str]] = {}    # VPC name -> the last node of each AZ column
        self.floating: list[tuple[str, str | None]] = []   # (DOT node, model node) ranked below the internet
        self._rt_info: dict[str, tuple[list[tuple[str, str, str]], bool]] = {}
        self._subnet_public: dict[str, bool] = {}

    # ----------------------------------------------------------------- helpers

    def node(self, cluster: _Cluster, dot_id: str, label: str, **attrs: str) -> str:
        if dot_id in self.node_attrs:           # one DOT node per id (first wins)
            return dot_id
        attrs = {k: v for k, v in attrs.items() if v is not None}
        cluster.nodes.append((dot_id, label, attrs))
        self.node_attrs[dot_id] = attrs
        self.node_cluster[dot_id] = cluster
        return dot_id

    def cluster(self, parent: _Cluster, name: str, **attrs: str) -> _Cluster:
        c = parent.child(name, **attrs)
        self.clusters[name] = c
        return c

    def anchor(self, cluster: _Cluster, dot_id: str) -> str:
        """An invisible node that stands for `cluster` in compound edges."""
        return self.node(cluster, dot_id, "", shape="point", style="invis", width="0.1", height="0.1")

    def inside(self, dot_id: str, cluster_name: str) -> bool:
        c = self.node_cluster.get(dot_id)
        while c is not None:
            if c.name == cluster_name:
                return True
            c = c.parent
        return False

    def edge(self, tail: Place | None, head: Place | None, **attrs: str) -> bool:
        """An edge between two places; clusters become ltail/lhead. False when not drawable.

        Edges that should not shape the layout get ``weight=0``, never
        ``constraint=false``: with clusters, Graphviz 2.4x's dot fails on those
        ("trouble in init_rank", lost edges) on ordinary models.
        """
        if tail is None or head is None or tail.node == head.node and tail.port == head.port:
            return False
        attrs = {k: v for k, v in attrs.items() if v is not None}
        if tail.cluster and tail.cluster != head.cluster and not self.inside(head.node, tail.cluster):
            attrs["ltail"] = tail.cluster
        if head.cluster and head.cluster != tail.cluster and not self.inside(tail.node, head.cluster):
            attrs["lhead"] = head.cluster
        self.edges.append((tail.ref, head.ref, attrs))
        return True

    def obj(self, node: str):
        data = self.G.nodes.get(node)
        return data.get(OBJECT) if data else None

    def defined(self, m) -> bool:
        data = self.G.nodes.get(id_of(m))
        return data is not None and data.get(OBJECT) is m

    # ----------------------------------------------------------------- build

    def build(self) -> graphviz.Digraph:
        self.plan()
        if self.need_internet:
            self.places[INTERNET] = self.internet_node()
        for vpc in self.model.vpcs.values():
            if vpc.name in self.full:
                self.full_vpc(vpc)
            elif vpc.name in self.boxes:
                self.box_vpc(vpc)
        self.top_level_nodes()
        self.vpc_rows()
        self.links()
        if INTERNET in self.places:            # the internet above every region (each row of VPCs)
            for name, top in self.vpc_top.items():
                internet = self.internet_at(name, create=False)
                if internet is not None:
                    self.layout.append((internet.node, top, "1"))
            for top, node in self.floating:
                # Below the internet at the top, unless every VPC it links lies on a
                # lower row: a constraint from rank 0 down to there is a long edge
                # through every row, and long edges are what makes dot slow.
                rows = [self.row_of[g[4:]][1] for g in self.links_of.get(node or "", ())
                        if g[4:] in self.row_of and g.startswith("vpc:")]
                if not rows or min(rows) == 0:
                    self.layout.append(("internet", top, "1"))
        if self.routes == "edges" and self.level in ("subnet", "instance"):
            self.route_edges()
        self.region_grids()
        for k, trace in enumerate(self.traces, 1):
            self.overlay(trace, f"{k}." if len(self.traces) > 1 else "", "" if k == 1 else str(k))
        if self.focus_node is not None:
            self.focus_place = self.places.get(self.focus_node)
            if self.focus_place is not None:
                self.emphasize(self.focus_place, NETWORK if self.focus_place.cluster is None else VPC_LINE)
        self.legend()
        return self.emit()

    # ----------------------------------------------------------------- focus

    def plan(self) -> None:
        """Which VPCs are drawn in full, which as boxes, and which top-level objects appear."""
        model, G = self.model, self.G
        self.links_of: dict[str, set[str]] = {}
        for p in model.peerings.values():
            self._link_ends(f"peering:{p.name}", ("requester", "accepter"))
        for node in G.nodes:
            kind = split_id(node)[0]
            if kind in ("tgw", "vpn", "dx", "dxgw"):
                for _, v, d in G.out_edges(node, data=True):
                    if d[EDGE_KIND] == EdgeKind.ATTACHMENT:
                        self._link(self.group(node), self.group(v))
        self.focus_place: Place | None = None
        self.focus_node: str | None = None
        vpcs = list(model.vpcs)
        if self.focus is None:
            self.full = set(vpcs) if self.level != "region" else set()
            self.boxes = set(vpcs) - self.full
            self.shown_groups = None         # everything
        else:
            node = self.resolve_focus(self.focus)
            self.focus_node = node
            start = self.group(node)
            home = {start} if start.startswith("vpc:") else set()
            kind = split_id(node)[0]
            if kind == "peering":
                home = {g for g in self.links_of.get(node, ()) if g.startswith("vpc:")}
                start_groups = set(home)
            else:
                start_groups = {start}
            if kind in ("cdn", "dns-zone", "placement"):
                home = {self.group(v) for v in G.successors(node)} & {f"vpc:{n}" for n in vpcs}
                start_groups = set(home) | {node}
            shown = set(start_groups)
            for g in start_groups:
                shown |= self.links_of.get(g, set())
            for g in list(shown):
                if split_id(g)[0] in ("tgw", "dxgw", "peering", "vpn", "dx"):
                    shown |= self.links_of.get(g, set())
            for g in list(shown):                  # a VPN or DX shown: both of its ends
                if split_id(g)[0] in ("vpn", "dx", "peering"):
                    shown |= self.links_of.get(g, set())
            self.shown_groups = shown
            full = {g[4:] for g in home}
            self.full = full if self.level != "region" else set()
            self.boxes = {g[4:] for g in shown if g.startswith("vpc:")} - self.full
        self.need_internet = self.level != "region" and any(
            self.defined(m) for name in self.full for m in model.vpcs[name].members
            if isinstance(m, (ast.InternetGateway, ast.EgressOnlyInternetGateway)))
        if any(h.component == INTERNET for t in self.traces for h in (*t.forward, *t.back)):
            self.need_internet = True

    def _link(self, a: str, b: str) -> None:
        if a != b:
            self.links_of.setdefault(a, set()).add(b)
            self.links_of.setdefault(b, set()).add(a)

    def _link_ends(self, node: str, roles) -> None:
        for _, v, d in self.G.out_edges(node, data=True):
            if d[EDGE_KIND] == EdgeKind.ATTACHMENT and d.get(ROLE) in roles:
                self._link(node, v)

    def group(self, node: str) -> str:
        """The node a link attaches to: a VPC member's VPC, else the node itself."""
        obj = self.obj(node)
        vpc = getattr(obj, "vpc", "") if obj is not None else ""
        if isinstance(vpc, str) and vpc and vpc in self.model.vpcs:
            return f"vpc:{vpc}"
        return node

    def shown(self, node: str) -> bool:
        return self.shown_groups is None or self.group(node) in self.shown_groups

    def resolve_focus(self, name: str) -> str:
        model = self.model
        obj = model.get(name)
        if obj is None:
            for kind in SCOPED_KINDS:
                obj = model.get(name, kind)
                if obj is not None:
                    break
        if obj is not None:
            node = id_of(obj)
            if node in self.G:
                return node
        zone = f"dns-zone:{name}"
        if zone in self.G:
            return zone
        names = sorted(set(model.objects) | {n for t in model.scoped.values() for n in t}
                       | {z.name for z in model.dns_zones})
        close = close_matches(name, names)
        hint = did_you_mean(close) if close else "focus on a VPC, subnet, instance, TGW or site"
        raise FocusError(f"nothing is called '{name}' in the model", hint)

    # ----------------------------------------------------------------- regions

    def region(self, name: str) -> _Cluster:
        c = self.regions.get(name)
        if c is None:
            c = self.regions[name] = self.cluster(
                self.root, f"cluster_region__{_did(name)}", label=_text(f"Region {name}" if name else "Region"),
                style="dashed,rounded", color=REGION_LINE, fontcolor=REGION_LINE, fontsize="12",
                labeljust="l", margin="16")
            self.used.add("region")
        return c

    # ----------------------------------------------------------------- route tables

    def route_info(self, rt: ast.RouteTable | None) -> tuple[list[tuple[str, str, str]], bool]:
        """((prefix, target node, origin), ...) of a table, local routes left out; whether it is public."""
        if rt is None:
            return [], False
        cached = self._rt_info.get(rt.name)
        if cached is not None:
            return cached
        rows: list[tuple[str, str, str]] = []
        public = False
        node = id_of(rt)
        if node in self.G:
            for _, target, d in self.G.out_edges(node, data=True):
                kind = d[EDGE_KIND]
                if kind == EdgeKind.ROUTE and d.get(ORIGIN) != Origin.LOCAL:
                    rows.append((d.get(PREFIX, "?"), target, d.get(ORIGIN, "")))
                    public = public or split_id(target)[0] == "igw"
                elif kind == EdgeKind.PROPAGATION:
                    rows.append(("propagated", target, "propagated"))
        self._rt_info[rt.name] = (rows, public)
        return rows, public

    def is_public(self, subnet: ast.Subnet) -> bool:
        known = self._subnet_public.get(subnet.name)
        if known is None:
            known = self._subnet_public[subnet.name] = self.route_info(
                self.model.route_table_of.get(subnet.name))[1]
        return known

    def route_rows(self, subnet: ast.Subnet) -> list[str]:
        rt = self.model.route_table_of.get(subnet.name)
        if rt is None:
            return []
        rows, _ = self.route_info(rt)
        lines = []
        for prefix, target, origin in rows:
            tname = split_id(target)[1]
            if origin == "propagated":
                lines.append(f"⇠ {_html(tname)} (propagated)")
            elif origin == Origin.ENDPOINT:
                lines.append(f"{_html(prefix)} prefix list → {_html(tname)}")
            else:
                lines.append(f"{_html(prefix)} → {_html(tname)}")
        more = len(lines) - _MAX_ROUTE_ROWS
        if more > 0:
            lines = lines[:_MAX_ROUTE_ROWS - 1] + [f"+{more + 1} more routes"]
        head = f'<I>route table {_html(rt.name)}</I>' + ("" if lines else ": local only")
        nacl = self.model.nacl_of.get(subnet.name)
        if nacl is not None and not nacl.default:
            head += f' · <I>NACL {_html(nacl.name)}</I>'
        body = "".join(f'<BR ALIGN="LEFT"/>{line}' for line in lines)
        return [_row(head + body + ('<BR ALIGN="LEFT"/>' if lines else ""), colspan=2, size=8,
                     color=INK)]

    # ----------------------------------------------------------------- VPCs in full

    def vpc_label(self, vpc: ast.Vpc, extra: str = "") -> str:
        blocks = [_net_text(c) for c in (*vpc.cidrs, *vpc.ipv6)]
        text = f'<B>VPC {_html(vpc.name)}</B>  <FONT POINT-SIZE="10">{_html(", ".join(blocks))}</FONT>'
        if extra:
            text += f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="9">{extra}</FONT>'
        return f"<{text}>"

    def full_vpc(self, vpc: ast.Vpc) -> None:
        vid = id_of(vpc)
        members = [m for m in vpc.members if self.defined(m)]
        subnets = [m for m in members if isinstance(m, ast.Subnet)]
        own = {s.name for s in subnets}
        held: dict[str, list] = {}
        spanning, edge_gws, vgws, geps = [], [], [], []
        for m in members:
            if isinstance(m, (ast.Instance, ast.NatGateway, ast.NatInstance)):
                held.setdefault(m.subnet.name if m.subnet.name in own else "", []).append(m)
            elif isinstance(m, (ast.LoadBalancer, ast.InterfaceEndpoint)):
                spanning.append(m)
            elif isinstance(m, (ast.InternetGateway, ast.EgressOnlyInternetGateway)):
                edge_gws.append(m)
            elif isinstance(m, ast.VirtualPrivateGateway):
                vgws.append(m)
            elif isinstance(m, ast.GatewayEndpoint):
                geps.append(m)
        extra = ""
        if self.level == "vpc":
            counts = []
            lbs = sum(isinstance(m, ast.LoadBalancer) for m in spanning)
            eps = len(spanning) - lbs
            if lbs:
                counts.append(_plural(lbs, "load balancer"))
            if eps:
                counts.append(_plural(eps, "interface endpoint"))
            extra = " · ".join(counts)
        cl = self.cluster(self.region(vpc.region_name), f"cluster_{_did(vid)}", label=self.vpc_label(vpc, extra),
                          color=VPC_LINE, fontcolor=VPC_LINE, penwidth="2", style="solid", labeljust="l",
                          margin="12")
        self.used.add("vpc")
        # Internet gateways and gateway endpoints sit on the VPC's top edge, as
        # architects draw them: just above the box, joined to it by a short bar,
        # so the lines from the internet end there instead of crossing the VPC's label.
        top = [self.gateway_node(cl.parent, m) for m in (*edge_gws, *geps)]
        bottom = [self.gateway_node(cl, m) for m in vgws]
        zones: dict[str, list[ast.Subnet]] = {}
        for s in subnets:
            zones.setdefault(s.zone, []).append(s)
        zone_names = sorted(zones, key=lambda z: (z == "", z))
        firsts, lasts = [], []
        for zone in zone_names:
            first, last = self.zone(cl, vpc, zone, zones[zone], held)
            firsts.append(first)
            lasts.append(last)
        # Links from other VPCs end at the box's border (lhead/ltail). With one AZ
        # they go through its first subnet; with several, through an invisible
        # head above the AZs, so that no AZ column is pulled towards the links.
        # The AZs are emitted in name order, which dot keeps unless swapping
        # columns saves crossings: Graphviz 2.43 ignores `ordering` inside
        # clusters, and flat edges (minlen=0) between markers above the
        # columns did not hold them either.
        head = self.anchor(cl, f"{_did(vid)}__head") if len(firsts) > 1 else None
        if head is not None:
            anchor = head
        elif firsts:
            anchor = firsts[0][0]
        else:
            anchor = bottom[0] if bottom else self.anchor(cl, _did(vid))
        vplace = Place(anchor, None, cl.name)
        self.places[vid] = vplace
        for m in held.get("", ()):             # in a subnet that is not this VPC's: the VPC stands in
            self.places[id_of(m)] = vplace
        for m in spanning:
            self.spanning_node(cl, m, vplace)
        # Gateways on the top edge, VGWs on the bottom edge, the AZs side by side
        # between them. Invisible edges do it: `rank=same` groups inside
        # clusters trip dot's ranking ("trouble in init_rank") in Graphviz 2.4x.
        heads = [head] if head is not None else []
        for t in top:
            # A short bar from the gateway down to the box's border: an invisible
            # point inside the box below the gateway, the edge clipped at the border.
            foot = self.anchor(cl, f"{t}__foot")
            self.edge(Place(t), Place(foot, None, cl.name), color=VPC_LINE, penwidth="3", arrowhead="none",
                      weight="10")
            heads.append(foot)
        # Load balancers and interface endpoints hang below the gateways' bars,
        # on a rank of their own, so that the bars can drop straight down.
        spans = [self.places[id_of(m)].node for m in spanning if self.places[id_of(m)] != vplace]
        for t in heads or top:
            for row in firsts:
                for f in row:
                    self.layout.append((t, f, "1"))
        feet = heads[1:] if head is not None else heads
        for t in feet or heads or top:
            for f in spans:
                self.layout.append((t, f, "1"))
        for b in bottom:
            for last in lasts:
                self.layout.append((last, b, "1"))
        self.vpc_lasts[vpc.name] = lasts
        self.vpc_top[vpc.name] = top[0] if top else (head or anchor)
        self.vpc_bottom[vpc.name] = bottom[0] if bottom else (lasts[0] if lasts else anchor)

    def gateway_node(self, cl: _Cluster, m) -> str:
        node = id_of(m)
        kind = KIND_OF[type(m)]
        if isinstance(m, ast.GatewayEndpoint):
            label = _text(f"gateway endpoint {m.name}", f"→ {_SERVICE_NAMES.get(m.service.name, m.service.name)}")
            attrs = dict(style="rounded,filled", fillcolor=NETWORK_FILL, color=NETWORK)
        else:
            lines = [_GATEWAY_WORDS[kind], m.name]
            if isinstance(m, ast.VirtualPrivateGateway) and m.asn is not None:
                lines.append(f"ASN {m.asn}")
            label = _text(*lines)
            attrs = dict(style="rounded,filled", fillcolor=NETWORK, color=NETWORK, fontcolor="white")
        self.used.add("gateway")
        dot = self.node(cl, _did(node), label, **attrs)
        self.places[node] = Place(dot)
        return dot

    def spanning_node(self, cl: _Cluster, m, vplace: Place) -> None:
        """A load balancer or interface endpoint: one node, dashed links to each of its subnets."""
        node = id_of(m)
        if self.level == "vpc":
            self.places[node] = vplace
            return
        if isinstance(m, ast.LoadBalancer):
            label = self.lb_label(m)
            dot = self.node(cl, _did(node), label, shape="plain")
            self.used.add("lb")
        else:
            lines = [f"interface endpoint {m.name}",
                     _SERVICE_NAMES.get(m.service.name, m.service.name) + (" · private DNS" if m.private_dns else "")]
            dot = self.node(cl, _did(node), _text(*lines), style="rounded,filled", fillcolor=NETWORK_FILL,
                            color=NETWORK)
            self.used.add("endpoint")
        here = Place(dot)
        self.places[node] = here
        seen: set[Place] = set()
        for r in m.subnets:
            target = self.places.get(f"subnet:{r.name}")
            if target is not None and target not in seen:
                seen.add(target)
                self.edge(here, target, color=NETWORK, style="dashed", arrowhead="none", penwidth="1")
                self.used.add("span")

    def lb_label(self, lb: ast.LoadBalancer) -> str:
        rows = [_row(f'<B>{_LB_WORDS.get(lb.type, "LB")} {_html(lb.name)}</B>', color=NETWORK),
                _row(_html(lb.scheme), size=8)]
        lines = []
        for li in lb.listeners:
            text = f"{li.protocol.upper()} {li.port}"
            if li.targets:
                text += " → " + ", ".join(_target_text(t) for t in li.targets)
            lines.append(text)
        for r in lb.rules:
            if r.condition == "query" and r.key is not None:
                cond = f"query {r.key}={r.value}"
            elif r.key is not None:
                cond = f"{r.condition} {r.key}: {r.value}"
            else:
                cond = f"{r.condition} {r.value}"
            lines.append(f"{r.port} {cond} → " + ", ".join(_target_text(t) for t in r.targets))
        more = len(lines) - _MAX_PANEL_ROWS
        if more > 0:
            lines = lines[:_MAX_PANEL_ROWS - 1] + [f"+{more + 1} more"]
        rows += [_row(_html(_cut(line)), size=8) for line in lines]
        return _html_table(rows, color=NETWORK, fill=NETWORK_FILL)

    def zone(self, cl: _Cluster, vpc: ast.Vpc, zone: str, subnets: list[ast.Subnet],
             held: dict[str, list]) -> tuple[list[str], str]:
        """One AZ of a VPC drawn in full; returns the nodes on its first rank and one on its last."""
        vid = id_of(vpc)
        zid = f"{_did(vid)}__az__{_did(zone or 'none')}"
        subnets = sorted(subnets, key=lambda s: not self.is_public(s))   # public rows first (stable)
        if self.level == "vpc":
            dot = self.node(cl, zid, self.zone_summary(zone, subnets, held), shape="plain")
            for s in subnets:
                self.places[id_of(s)] = Place(dot)
                for m in held.get(s.name, ()):
                    self.places[id_of(m)] = Place(dot)
            return [dot], dot
        az = self.cluster(cl, f"cluster_{zid}", label=_text(zone or "AZ not set"), style="dashed,rounded",
                          color=AZ_LINE, fontcolor=AZ_LINE, fontsize="10", labeljust="l", margin="10")
        self.used.add("az")
        if self.collapse and len(subnets) > self.collapse:
            dot = self.node(az, f"{zid}__subnets", self.zone_summary(zone, subnets, held, collapsed=True),
                            shape="plain")
            for s in subnets:
                self.places[id_of(s)] = Place(dot)
                for m in held.get(s.name, ()):
                    self.places[id_of(m)] = Place(dot)
            self.used.add("collapsed")
            return [dot], dot
        chain: list[tuple[list[str], str]] = []
        for s in subnets:
            if self.level == "subnet":
                dot = self.subnet_node(az, s, held.get(s.name, []))
                chain.append(([dot], dot))
            else:
                chain.append(self.subnet_cluster(az, s, held.get(s.name, [])))
        for (_, a), (row, _) in zip(chain, chain[1:]):          # one subnet under the other
            for b in row:
                self.layout.append((a, b, "10"))
        return chain[0][0], chain[-1][1]

    def zone_summary(self, zone: str, subnets: list[ast.Subnet], held: dict[str, list],
                     collapsed: bool = False) -> str:
        public = sum(self.is_public(s) for s in subnets)
        inside = [m for s in subnets for m in held.get(s.name, ())]
        instances = sum(isinstance(m, ast.Instance) for m in inside)
        nats = len(inside) - instances
        head = _plural(len(subnets), "subnet") if collapsed else (zone or "AZ not set")
        rows = [_row(f"<B>{_html(head)}</B>")]
        if not collapsed:
            rows.append(_row(_html(_plural(len(subnets), "subnet"))))
        rows.append(_row(f"{public} public · {len(subnets) - public} private", size=9))
        nets = sorted((s.cidr.net for s in subnets if s.cidr is not None and s.cidr.net is not None),
                      key=lambda n: (n.version, int(n.network_address)))
        if nets:
            span = str(nets[0]) if len(nets) == 1 else f"{nets[0]} … {nets[-1]}"
            rows.append(_row(_html(span), size=9))
        counts = [_plural(instances, "instance")] + ([_plural(nats, "NAT")] if nats else [])
        rows.append(_row(" · ".join(counts), size=9))
        return _html_table(rows, color=AZ_LINE, fill=SITE_FILL, style="ROUNDED")

    def subnet_head(self, s: ast.Subnet) -> list[str]:
        public = self.is_public(s)
        color = PUBLIC_LINE if public else PRIVATE_LINE
        kind = "public" if public else "private"
        self.used.add(kind)
        net = s.cidr.net if s.cidr is not None else None
        hosts = f" · {usable_hosts(net)} hosts" if net is not None and net.version == 4 else ""
        rows = [f'<TR><TD ALIGN="LEFT"><B>{_html(s.name)}</B></TD>'
                f'<TD ALIGN="RIGHT"><FONT POINT-SIZE="8" COLOR="{color}"><B>{kind}</B></FONT></TD></TR>',
                _row(_html(_net_text(s.cidr)) + hosts, colspan=2, size=9)]
        if s.ipv6 is not None:
            rows.append(_row(_html(_net_text(s.ipv6)), colspan=2, size=8))
        return rows

    def subnet_node(self, az: _Cluster, s: ast.Subnet, inside: list) -> str:
        """A subnet at the subnet level: one table; NATs are rows with ports, instances a count."""
        node = id_of(s)
        dot = _did(node)
        public = self.is_public(s)
        rows = self.subnet_head(s)
        instances = 0
        for m in inside:
            if isinstance(m, ast.Instance):
                instances += 1
                self.places[id_of(m)] = Place(dot)
                continue
            port = _did(id_of(m)).replace(".", "_")
            word = "NAT instance" if isinstance(m, ast.NatInstance) else (
                "private NAT gateway" if m.private else "NAT gateway")
            rows.append(_row(f'<FONT COLOR="white"> ⇄ {word} <B>{_html(m.name)}</B> </FONT>',
                             port=port, colspan=2).replace("<TD ", f'<TD BGCOLOR="{NETWORK}" ', 1))
            self.places[id_of(m)] = Place(dot, port)
            self.used.add("gateway")
        if instances:
            rows.append(_row(f"▣ {_plural(instances, 'instance')}", colspan=2, size=9, color=COMPUTE))
            self.used.add("instances")
        if self.routes == "labels":
            rows += self.route_rows(s)
        fill, line = (PUBLIC_FILL, PUBLIC_LINE) if public else (PRIVATE_FILL, PRIVATE_LINE)
        self.node(az, dot, _html_table(rows, color=line, fill=fill), shape="plain")
        self.places[node] = Place(dot)
        return dot

    def subnet_cluster(self, az: _Cluster, s: ast.Subnet, inside: list) -> tuple[list[str], str]:
        """A subnet at the instance level: a box holding its NATs and instances."""
        node = id_of(s)
        public = self.is_public(s)
        fill, line = (PUBLIC_FILL, PUBLIC_LINE) if public else (PRIVATE_FILL, PRIVATE_LINE)
        rows = self.subnet_head(s)
        if self.routes == "labels":
            rows += self.route_rows(s)
        label = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'
        cl = self.cluster(az, f"cluster_{_did(node)}", label=label, style="filled,rounded", fillcolor=fill,
                          color=line, fontcolor=INK, labeljust="l", margin="8", penwidth="1.5")
        self.used.add("public" if public else "private")
        dots = []
        instances = [m for m in inside if isinstance(m, ast.Instance)]
        for m in inside:
            if isinstance(m, (ast.NatGateway, ast.NatInstance)):
                dots.append(self.nat_node(cl, m))
        if self.collapse and len(instances) > self.collapse:
            dot = self.node(cl, f"{_did(node)}__instances", _text(_plural(len(instances), "instance")),
                            style="rounded,filled", fillcolor=COMPUTE_FILL, color=COMPUTE)
            for m in instances:
                self.places[id_of(m)] = Place(dot)
            dots.append(dot)
            self.used.add("instance")
        else:
            dots += [self.instance_node(cl, m) for m in instances]
        if not dots:
            dots.append(self.anchor(cl, f"{_did(node)}__anchor"))
        for a, b in zip(dots, dots[_INSTANCE_COLUMNS:]):     # rows of four
            self.layout.append((a, b, "10"))
        self.places[node] = Place(dots[0], None, cl.name)
        return dots[:_INSTANCE_COLUMNS], dots[(len(dots) - 1) // _INSTANCE_COLUMNS * _INSTANCE_COLUMNS]

    def nat_node(self, cl: _Cluster, m) -> str:
        node = id_of(m)
        if isinstance(m, ast.NatInstance):
            lines = ["NAT instance", m.name]
            lines += [f"forward {f.port} → {f.instance.name}:{f.to_port}" for f in m.forwards]
        else:
            lines = ["private NAT gateway" if m.private else "NAT gateway", m.name]
        dot = self.node(cl, _did(node), _text(*lines), style="rounded,filled", fillcolor=NETWORK, color=NETWORK,
                        fontcolor="white")
        self.places[node] = Place(dot)
        self.used.add("gateway")
        return dot

    def instance_node(self, cl: _Cluster, m: ast.Instance) -> str:
        node = id_of(m)
        lines = [f"EC2 {m.name}"]
        details = [d for d in (m.type, str(m.ip.ip) if m.ip is not None and m.ip.ip is not None else None,
                               {"eip": "EIP", "public-ip": "public IP"}.get(m.public_ip)) if d]
        if details:
            lines.append(" · ".join(details))
        dot = self.node(cl, _did(node), _text(*lines), style="rounded,filled", fillcolor=COMPUTE_FILL,
                        color=COMPUTE)
        self.places[node] = Place(dot)
        self.used.add("instance")
        return dot

    # ----------------------------------------------------------------- VPCs as boxes

    def box_vpc(self, vpc: ast.Vpc) -> None:
        vid = id_of(vpc)
        members = [m for m in vpc.members if self.defined(m)]
        subnets = [m for m in members if isinstance(m, ast.Subnet)]
        zones = {s.zone for s in subnets}
        instances = sum(isinstance(m, ast.Instance) for m in members)
        rows = [_row(f"<B>VPC {_html(vpc.name)}</B>", color=VPC_LINE)]
        rows += [_row(_html(_net_text(c)), size=9) for c in (*vpc.cidrs, *vpc.ipv6)]
        rows.append(_row(f"{_plural(len(subnets), 'subnet')} · {_plural(len(zones), 'AZ')} · "
                         f"{_plural(instances, 'instance')}", size=9))
        gws = []
        for cls, word in ((ast.InternetGateway, "IGW"), (ast.EgressOnlyInternetGateway, "EIGW"),
                          (ast.NatGateway, "NAT"), (ast.NatInstance, "NAT instance"),
                          (ast.VirtualPrivateGateway, "VGW"), (ast.LoadBalancer, "LB"),
                          (ast.GatewayEndpoint, "endpoint"), (ast.InterfaceEndpoint, "endpoint")):
            n = sum(isinstance(m, cls) for m in members)
            if n:
                gws.append(word if n == 1 else f"{word} ×{n}")
        if gws:
            rows.append(_row(_html(" · ".join(dict.fromkeys(gws))), size=9))
        dot = self.node(self.region(vpc.region_name), _did(vid),
                        _html_table(rows, color=VPC_LINE, border=2, style="ROUNDED"), shape="plain")
        self.used.add("vpc")
        here = Place(dot)
        self.places[vid] = here
        for m in members:
            self.places.setdefault(id_of(m), here)
        self.vpc_top[vpc.name] = self.vpc_bottom[vpc.name] = dot

    # ----------------------------------------------------------------- outside the VPCs

    def internet_node(self, dot_id: str = "internet") -> Place:
        self.node(self.root, dot_id, _text("Internet"), shape="ellipse", style="filled", fillcolor="white",
                  color=INK, penwidth="1.5", fontsize="12")
        return Place(dot_id)

    def internet_at(self, vpc: str | None, create: bool = True) -> Place | None:
        """The internet as drawn next to `vpc`: above its row of VPCs.

        The first row of each region hangs from the one internet node at the
        top; each further row gets an internet node of its own just above it.
        One node for all rows would make every IGW edge below the first row
        span the rows above it, and those long edges are most of dot's
        layout time on big models (68 s instead of 3 s at 700 subnets).
        """
        main = self.places.get(INTERNET)
        row = self.row_of.get(vpc or "")
        if main is None or row is None or row[1] == 0:
            return main
        place = self.places.get(f"{INTERNET}@{row[0]}#{row[1]}")
        if place is None and create:
            place = self.places[f"{INTERNET}@{row[0]}#{row[1]}"] = self.internet_node(
                f"internet__{_did(row[0])}__row{row[1]}")
        return place

    def service_place(self, name: str, region: str | None = None) -> Place:
        """An AWS service: one node per region that reaches it (``aws``: outside the regions)."""
        node = f"service:{name}"
        key = node if region is None else f"{node}@{region}"
        place = self.places.get(key)
        if place is None:
            home = self.root if region is None else self.region(region)
            dot = self.node(home, _did(key), _text(_SERVICE_NAMES.get(name, name)),
                            style="rounded,filled", fillcolor="#FFF5E6", color=COMPUTE, shape="box")
            place = self.places[key] = Place(dot)
            self.places.setdefault(node, place)
            self.floating.append((dot, None))
            self.used.add("service")
        return place

    def top_level_nodes(self) -> None:
        model, G = self.model, self.G
        for tgw in model.tgws.values():
            node = id_of(tgw)
            if node not in G or not self.shown(node) or G.nodes[node][OBJECT] is not tgw:
                continue
            regions = [self.model.vpcs[v[4:]].region_name for _, v, d in G.out_edges(node, data=True)
                       if d[EDGE_KIND] == EdgeKind.ATTACHMENT and v.startswith("vpc:")
                       and v[4:] in self.full | self.boxes]
            home = self.region(regions[0]) if regions else self.root
            lines = ["Transit gateway", tgw.name] + ([f"ASN {tgw.asn}"] if tgw.asn is not None else [])
            dot = self.node(home, _did(node), _text(*lines), shape="box", style="rounded,filled,bold",
                            fillcolor=NETWORK, color=NETWORK, fontcolor="white", penwidth="2")
            self.places[node] = Place(dot)
            self.floating.append((dot, node))
            self.used.add("gateway")
        for dxgw in model.dxgws.values():
            node = id_of(dxgw)
            if node in G and self.shown(node) and G.nodes[node][OBJECT] is dxgw:
                lines = ["Direct Connect gateway", dxgw.name] + ([f"ASN {dxgw.asn}"] if dxgw.asn is not None else [])
                self.places[node] = Place(self.node(self.root, _did(node), _text(*lines), style="rounded,filled",
                                                    fillcolor=NETWORK, color=NETWORK, fontcolor="white"))
                self.used.add("gateway")
        for site in model.sites.values():
            node = id_of(site)
            if node in G and self.shown(node) and G.nodes[node][OBJECT] is site:
                lines = [f"site {site.name}", ", ".join(_net_text(c) for c in site.cidrs)]
                if site.asn is not None:
                    lines.append(f"ASN {site.asn}")
                self.places[node] = Place(self.node(self.root, _did(node), _text(*lines), shape="box3d",
                                                    style="filled", fillcolor=SITE_FILL, color=SITE))
                self.used.add("site")
        if self.level == "region":
            return
        for cdn in model.cdns.values():
            node = id_of(cdn)
            if node not in G or G.nodes[node][OBJECT] is not cdn or not self.cdn_shown(cdn):
                continue
            lines = [f"CloudFront {cdn.name}"]
            if cdn.origin_is_domain:
                lines.append(f"origin {cdn.origin.name}")
            opts = [o for o in (cdn.policy, {"sni": "SNI", "dedicated-ip": "dedicated IP"}.get(cdn.ssl or "")) if o]
            if opts:
                lines.append(" · ".join(opts))
            dot = self.node(self.root, _did(node), _text(*lines), style="rounded,filled", fillcolor=NETWORK_FILL,
                            color=NETWORK)
            self.places[node] = Place(dot)
            self.used.add("cdn")
        for node, data in G.nodes(data=True):
            if data.get("kind") == "dns-zone" and self.panel_shown(node):
                self.zone_panel(node, data[OBJECT])
        for group in model.placements.values():
            node = id_of(group)
            if node in G and G.nodes[node][OBJECT] is group and self.panel_shown(node):
                self.placement_panel(node, group)

    def cdn_shown(self, cdn: ast.Cdn) -> bool:
        if self.shown_groups is None or self.focus_node == id_of(cdn):
            return True
        return any(self.group(v)[4:] in self.full for v in self.G.successors(id_of(cdn)))

    def panel_shown(self, node: str) -> bool:
        if self.shown_groups is None or self.focus_node == node:
            return True
        return any(self.group(v)[4:] in self.full for v in self.G.successors(node))

    def zone_panel(self, node: str, zone: ast.DnsZone) -> None:
        kind = ("private hosted zone for " + ", ".join(r.name for r in zone.private_vpcs) if zone.private
                else "public hosted zone")
        rows = [_row(f"<B>Route 53 {_html(zone.name)}</B>", colspan=2, color=NETWORK),
                _row(_html(kind + (f" · {_plural(len(zone.health_checks), 'health check')}"
                                   if zone.health_checks else "")),
                     colspan=2, size=8)]
        records = zone.records
        shown = records if len(records) <= _MAX_PANEL_ROWS else records[:_MAX_PANEL_ROWS - 1]
        for rec in shown:
            values = []
            for e in rec.entries:
                text = e.value.text if e.value.kind != "string" else f'"{e.value.text}"'
                values.append(f"{e.key} → {text}" if e.key is not None else text)
            head = f"{rec.label} {rec.type.name}" + ("" if rec.policy == "simple" else f" {rec.policy}")
            rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8"><B>{_html(_cut(head, 32))}</B></FONT></TD>'
                        f'<TD ALIGN="LEFT"><FONT POINT-SIZE="8">{_html(_cut("; ".join(values)))}</FONT></TD></TR>')
        if len(shown) < len(records):
            rows.append(_row(f"+{len(records) - len(shown)} more records", colspan=2, size=8))
        dot = self.node(self.root, _did(node), _html_table(rows, color=NETWORK, style="ROUNDED"), shape="plain")
        self.places[node] = Place(dot)
        self.used.add("panel")

    def placement_panel(self, node: str, group: ast.PlacementGroup) -> None:
        head = f"placement group {group.name}"
        rows = [_row(f"<B>{_html(head)}</B>", color=COMPUTE),
                _row(_html(group.strategy + (f" · {group.partitions} partitions" if group.partitions else "")), size=8)]
        names = [m.instance.name + (f"@{m.partition}" if m.partition is not None else "") for m in group.members]
        for line in textwrap.wrap(", ".join(names), 40) or ["(no members)"]:
            rows.append(_row(_html(line), size=8))
        vpcs = {self.group(f"instance:{m.instance.name}") for m in group.members}
        home, lasts = self.root, None
        if len(vpcs) == 1:
            (only,) = vpcs
            c = self.clusters.get(f"cluster_{_did(only)}")
            if c is not None:
                home, lasts = c, self.vpc_lasts.get(only[4:])
        dot = self.node(home, _did(node), _html_table(rows, color=COMPUTE, style="ROUNDED"), shape="plain")
        self.places[node] = Place(dot)
        if lasts:                          # at the foot of its VPC, below the subnets
            self.layout.extend((last, dot, "1") for last in lasts)
        else:
            self.floating.append((dot, node))
        self.used.add("panel")

    # ----------------------------------------------------------------- links

    def links(self) -> None:
        G, P = self.G, self.places
        for node, data in G.nodes(data=True):
            kind = split_id(node)[0]
            if kind in ("igw", "eigw") and node in P and INTERNET in P and P[node].node == _did(node):
                internet = self.internet_at(data[OBJECT].vpc)
                if kind == "igw":
                    self.edge(internet, P[node], color=INK, arrowhead="none", penwidth="1.5")
                else:
                    self.edge(internet, P[node], color=INK, dir="back", penwidth="1.5",
                              label=_text("egress only"), fontsize="8")
            elif kind in ("gateway-endpoint", "interface-endpoint") and node in P \
                    and P[node].node == _did(node):
                region = data[OBJECT] and self.model.vpcs[data[OBJECT].vpc].region_name
                for _, v, d in G.out_edges(node, data=True):
                    if d[EDGE_KIND] == EdgeKind.SERVICE:
                                        self.edge(P[node], self.service_place(split_id(v)[1], region), color=NETWORK,
                                  style="dotted")
        for p in self.model.peerings.values():
            node = id_of(p)
            if node not in G or G.nodes[node][OBJECT] is not p:
                continue
            a = P.get(f"vpc:{p.requester.name}")
            b = P.get(f"vpc:{p.accepter.name}")
            if a is None or b is None or a.node == b.node:
                continue
            # The connection is a node of its own above both VPCs, as a TGW is: a
            # line straight from box to box vanishes when dot packs the boxes together.
            cross = G.nodes[node].get("cross_region")
            regions = {self.model.vpcs[n].region_name for n in (p.requester.name, p.accepter.name)}
            home = self.region(regions.pop()) if len(regions) == 1 else self.root
            lines = ["VPC peering", p.name] + (["inter-region"] if cross else [])
            here = P[node] = Place(self.node(home, _did(node), _text(*lines), style="rounded,filled",
                                             fillcolor=NETWORK_FILL, color=NETWORK, fontcolor=NETWORK,
                                             fontsize="9", penwidth="2"))
            self.floating.append((here.node, node))
            for end, role in ((a, "requester"), (b, "accepter")):
                self.edge(here, end, color=NETWORK, penwidth="2.5", arrowhead="none", label=_text(role),
                          fontsize="8", fontcolor=NETWORK)
            self.used.add("peering")
        for tgw in self.model.tgws.values():
            node = id_of(tgw)
            here = P.get(node)
            if here is None:
                continue
            for _, v, d in G.out_edges(node, data=True):
                if d[EDGE_KIND] != EdgeKind.ATTACHMENT:
                    continue
                subnets = ", ".join(d.get(SUBNETS) or ())
                label = _text("attachment", subnets, "static-only" if d.get(STATIC_ONLY) else "")
                if self.edge(here, P.get(v), color=NETWORK, penwidth="2", arrowhead="none", label=label,
                             fontcolor=NETWORK, fontsize="8"):
                    self.used.add("tgw")
        for dxgw in self.model.dxgws.values():
            node = id_of(dxgw)
            for _, v, d in G.out_edges(node, data=True):
                if d[EDGE_KIND] == EdgeKind.ATTACHMENT and self.edge(
                        P.get(v), P.get(node), color=DX, arrowhead="none", label=_text("association"),
                        fontsize="8", fontcolor=DX):
                    self.used.add("dx")
        for vpn in self.model.vpns.values():
            ends = self.link_ends(vpn)
            if ends is None:
                continue
            target = ends.get("target")
            software = target is not None and split_id(target)[0] in ("instance", "nat-instance")
            tunnels = "IPsec (software VPN)" if software else "IPsec ×2"
            routing = "BGP" if vpn.routing == "bgp" else (
                "static " + ", ".join(_net_text(c) for c in vpn.static_cidrs) if vpn.routing == "static" else "")
            lines = [f"VPN {vpn.name}", ", ".join(x for x in (tunnels, routing) if x)]
            if vpn.over is not None:
                lines.append(f"over Direct Connect {vpn.over.name}")
            if self.edge(P.get(target) if target else None, P.get(ends.get("site", "")), color=VPN,
                         style="dashed", penwidth="2", dir="both", arrowhead="none", arrowtail="none",
                         label=_text(*lines), fontcolor=VPN, fontsize="8"):
                self.used.add("vpn")
        for dx in self.model.dxs.values():
            ends = self.link_ends(dx)
            if ends is None:
                continue
            site = P.get(ends.get("site", ""))
            target = ends.get("target")
            if target == "service:aws":
                head = self.service_place("aws") if site is not None else None
            else:
                head = P.get(target) if target else None
            details = [f"{dx.vif} VIF"] + ([f"VLAN {dx.vlan}"] if dx.vlan is not None else []) \
                + ([dx.bandwidth] if dx.bandwidth else [])
            if self.edge(head, site, color=DX, penwidth="3", dir="both", arrowhead="none", arrowtail="none",
                         label=_text(f"Direct Connect {dx.name}", " · ".join(details)), fontcolor=DX, fontsize="8"):
                self.used.add("dx")
        if self.level == "region":
            return
        for cdn in self.model.cdns.values():
            node = id_of(cdn)
            if node in P:
                for _, v, d in G.out_edges(node, data=True):
                    if d[EDGE_KIND] == EdgeKind.ORIGIN:
                        self.edge(P[node], P.get(v), color=NETWORK, label=_text("origin"), fontsize="8",
                                  fontcolor=NETWORK, weight="0")
        for node, data in G.nodes(data=True):
            if data.get("kind") != "dns-zone" or node not in P:
                continue
            seen: set[Place] = set()
            for _, v, d in G.out_edges(node, data=True):
                target = P.get(v)
                if target is None or target in seen:
                    continue
                seen.add(target)
                # Zones, CloudFront and the internet share the top row (minlen 0
                # between nodes outside every cluster), so the VPCs below keep their shape.
                if d[EDGE_KIND] in (EdgeKind.ALIAS, EdgeKind.ASSOCIATED):
                    flat = "0" if self.node_cluster.get(target.node) is self.root else None
                    self.edge(P[node], target, color=ROUTE, style="dotted", weight="0", minlen=flat,
                              arrowsize="0.6")
                    self.used.add("alias")
        if self.level == "instance":
            for lb in self.model.members(ast.LoadBalancer):
                node = id_of(lb)
                here = P.get(node)
                if here is None or here.node != _did(node):
                    continue
                seen = set()
                for _, v, d in G.out_edges(node, data=True):
                    target = P.get(v)
                    if d[EDGE_KIND] != EdgeKind.TARGET or target is None:
                        continue
                    if target in seen:            # the ports are on the LB's label
                        continue
                    seen.add(target)
                    self.edge(here, target, color="#B59AFF", weight="0", arrowsize="0.5", penwidth="0.8")
                    self.used.add("target")

    def link_ends(self, link) -> dict[str, str] | None:
        """A VPN's or Direct Connect's ends by role (``site``, ``target``); None if it is not in the graph."""
        node = id_of(link)
        if node not in self.G or self.G.nodes[node][OBJECT] is not link:
            return None
        return {d.get(ROLE): v for _, v, d in self.G.out_edges(node, data=True)
                if d[EDGE_KIND] == EdgeKind.ATTACHMENT}

    def route_edges(self) -> None:
        """``routes="edges"``: from each subnet (or collapsed group) to each target, with the prefixes."""
        P = self.places
        done: dict[tuple[str, str], dict[str, str]] = {}
        order: list[tuple[Place, Place, str]] = []
        for vpc in self.model.vpcs.values():
            if vpc.name not in self.full:
                continue
            for s in vpc.of_type(ast.Subnet):
                if not self.defined(s):
                    continue
                here = P.get(id_of(s))
                rows, _ = self.route_info(self.model.route_table_of.get(s.name))
                for prefix, target, origin in rows:
                    if split_id(target)[0] == "peering":
                        obj = self.obj(target)
                        other = None
                        if obj is not None:
                            other = obj.accepter.name if obj.requester.name == vpc.name else obj.requester.name
                        there = P.get(f"vpc:{other}") if other else None
                        text = f"{prefix} (peering {split_id(target)[1]})"
                    elif target == "blackhole":
                        there = self.blackhole_place()
                        text = prefix
                    else:
                        there = P.get(target)
                        text = "propagated" if origin == "propagated" else prefix
                    if here is None or there is None:
                        continue
                    key = (here.ref, there.ref)
                    if key not in done:
                        done[key] = {}
                        order.append((here, there, key))
                    done[key].setdefault(text, text)
        for here, there, key in order:
            prefixes = list(done[key])
            if len(prefixes) > _MAX_ROUTE_ROWS:
                prefixes = prefixes[:_MAX_ROUTE_ROWS - 1] + [f"+{len(prefixes) - _MAX_ROUTE_ROWS + 1} more"]
            if self.edge(here, there, color=ROUTE, label=_text(*prefixes), fontsize="8", fontcolor=ROUTE,
                         weight="0", arrowsize="0.7"):
                self.used.add("route")

    def blackhole_place(self) -> Place:
        place = self.places.get("blackhole")
        if place is None:
            dot = self.node(self.root, "blackhole", _text("blackhole"), shape="octagon", style="filled",
                            fillcolor=INK, fontcolor="white", fontsize="9")
            place = self.places["blackhole"] = Place(dot)
        return place

    # ----------------------------------------------------------------- layout

    def vpc_rows(self) -> None:
        """Rows of at most `_VPC_COLUMNS` VPCs per region (more when a region has many), so wide models wrap."""
        by_region: dict[str, list[str]] = {}
        for vpc in self.model.vpcs.values():
            if vpc.name in self.vpc_top:
                by_region.setdefault(vpc.region_name, []).append(vpc.name)
        self.rows: dict[str, list[list[str]]] = {}
        self.row_of: dict[str, tuple[str, int]] = {}
        for region, names in by_region.items():
            columns = max(_VPC_COLUMNS, math.ceil(math.sqrt(len(names))))
            rows = self.rows[region] = [names[i:i + columns] for i in range(0, len(names), columns)]
            for k, row in enumerate(rows):
                for name in row:
                    self.row_of[name] = (region, k)

    def region_grids(self) -> None:
        for region, rows in self.rows.items():
            if len(rows) < 2:
                continue
            # An invisible row head above each row of VPCs: the tops of a row hang
            # from it and the row above's bottoms point at it, so rows do not drift.
            previous: list[str] = []
            for k, row in enumerate(rows):
                head = self.anchor(self.region(region), f"{self.region(region).name}__row{k}")
                for name in previous:
                    self.layout.append((self.vpc_bottom[name], head, "1"))
                for name in row:
                    self.layout.append((head, self.vpc_top[name], "5"))
                previous = row

    # ----------------------------------------------------------------- trace overlay

    def overlay(self, trace, prefix: str = "", suffix: str = "") -> None:
        """One flow over the drawing; ``prefix`` numbers its steps (``2.``), ``suffix`` its note's id."""
        forward = self.hop_places(trace.forward)
        back = self.hop_places(trace.back)
        # Steps are numbered as drawn: a hop from a host to the subnet box around
        # it (instance level) is no line, and takes no number.
        step = 0
        for a, b in _pairs([p for _, p in forward]):
            if self.edge(a, b, color=TRACE_FORWARD, penwidth="3", style="bold", label=_text(f"{prefix}{step + 1}"),
                         fontcolor=TRACE_FORWARD, fontsize="10", weight="0", arrowsize="1.2"):
                step += 1
        start = [forward[-1][1]] if forward else []
        step = 0
        for a, b in _pairs(start + [p for _, p in back]):
            if self.edge(a, b, color=TRACE_RETURN, penwidth="2.5", style="dashed",
                         label=_text(f"{prefix}r{step + 1}"), fontcolor=TRACE_RETURN, fontsize="10", weight="0",
                         arrowsize="1.2"):
                step += 1
        self.used.add("trace")
        if trace.verdict != "blocked":
            return
        hops = [*forward, *back]
        blocked = next((p for h, p in reversed(hops) if h.action == "drop"), None)
        if blocked is None and hops:
            blocked = hops[-1][1]
        if blocked is None:
            return
        self.emphasize(blocked, BLOCKED)
        name = split_id(trace.component)[1] if trace.component else "?"
        head = f"BLOCKED by {trace.kind or '?'} {name}"
        span = trace.span
        if span is not None and span.line > 0:
            head += f" · line {span.line}"
        lines = [head] + textwrap.wrap(trace.reason or "", 48)
        if prefix:
            lines[0] = f"flow {prefix.rstrip('.')}: {lines[0]}"
        note = self.node(self.root, f"trace__blocked{suffix}", _text(*lines), shape="note", style="filled",
                         fillcolor="#FDEBEB", color=BLOCKED, fontcolor=BLOCKED, penwidth="2", fontsize="10")
        self.edge(blocked, Place(note), color=BLOCKED, penwidth="2", arrowhead="none", style="bold")
        self.used.add("blocked")

    def hop_places(self, hops) -> list[tuple[Any, Place]]:
        """Each hop with the place it is drawn at; hops with no place are left out.

        Filters have no node of their own: a security group's hop is drawn at the
        host it guards, a NACL's or route table's at the subnet the packet is in.
        That subnet is where the previous hop left the packet (until a route
        moves it on), the attachment subnet next to a TGW hop (same AZ as the
        sender), else the subnet of the packet's destination or source that
        uses the table.
        """
        out: list[tuple[Any, Place]] = []
        here: ast.Subnet | None = None           # where the packet is, when known
        zone: str | None = None                  # the sender's AZ, for TGW attachment subnets
        for i, hop in enumerate(hops):
            kind = split_id(hop.component)[0]
            near_tgw = [split_id(h.component)[1] for h in (hops[i - 1] if i else None,
                                                             hops[i + 1] if i + 1 < len(hops) else None)
                        if h is not None and h.component.startswith("tgw:")]
            place, subnet = self.hop_place(hop, here, near_tgw, zone)
            if subnet is not None:
                here = subnet
                zone = zone or subnet.zone
            if kind == "route-table":
                here = None                      # the route sends the packet on
            if place is not None:
                out.append((hop, place))
        main = self.places.get(INTERNET)
        for i, (hop, place) in enumerate(out):      # the internet node drawn above the neighbouring hop's VPC
            if main is None or place != main:
                continue
            for j in (i - 1, i + 1):
                vpc = getattr(self.obj(out[j][0].component), "vpc", None) if 0 <= j < len(out) else None
                if isinstance(vpc, str) and vpc in self.row_of:
                    out[i] = (hop, self.internet_at(vpc))
                    break
        return out

    def hop_place(self, hop, here, near_tgw: list[str], zone) -> tuple[Place | None, ast.Subnet | None]:
        model, dp = self.model, self.model.dataplane
        kind, name = split_id(hop.component)
        if kind in ("nacl", "route-table"):
            uses = model.nacl_of if kind == "nacl" else model.route_table_of
            obj = model.get(name, kind)
            candidates = [s for tgw in near_tgw for att in dp.tgw_attachments.get(tgw, {}).values()
                          for s in att.subnets if uses.get(s.name) is obj]
            if candidates:
                s = next((c for c in candidates if c.zone == zone), candidates[0])
                return self.places.get(id_of(s)), s
            if here is not None and uses.get(here.name) is obj:
                return self.places.get(id_of(here)), here
            for text in (hop.packet.dst, hop.packet.src):
                s = self.subnet_at(text)
                if s is not None and uses.get(s.name) is obj:
                    return self.places.get(id_of(s)), s
            return None, None
        if kind == "sg":
            for text in (hop.packet.src, hop.packet.dst):
                ip = parse_ip(text)
                host = dp.host_at.get(ip) if ip is not None else None
                if host is not None and self.G.has_edge(hop.component, id_of(host.obj)):
                    return self.places.get(id_of(host.obj)), host.subnet
            return None, None
        if kind == "subnet":
            return self.places.get(hop.component), model.get(name, "subnet")
        if kind == "address":
            s = self.subnet_at(name)
            if s is not None:
                return self.places.get(id_of(s)), s
            ip = parse_ip(name)
            site = dp.site_at(ip) if ip is not None else None
            return self.places.get(id_of(site) if site is not None else INTERNET), None
        if kind == "service" and hop.component not in self.places and self.level != "region":
            return self.service_place(name), None
        hosts = dp.hosts.get(name) if kind in ("instance", "nat", "nat-instance") else None
        return self.places.get(hop.component), (hosts[0].subnet if hosts else None)

    def subnet_at(self, text: str) -> ast.Subnet | None:
        dp = self.model.dataplane
        ip = parse_ip(text)
        vpc = dp.vpc_at(ip) if ip is not None else None
        return dp.subnet_at(vpc.name, ip) if vpc is not None else None

    def emphasize(self, place: Place, color: str) -> None:
        if place.cluster is not None:
            c = self.clusters.get(place.cluster)
            if c is not None:
                c.attrs.update(color=color, penwidth="4")
            return
        attrs = self.node_attrs.get(place.node)
        if attrs is None:
            return
        if attrs.get("shape") == "plain":        # an HTML table: a frame drawn around it
            attrs.update(shape="box", style="rounded,bold", color=color, penwidth="3", margin="0.05")
        else:
            attrs.update(color=color, penwidth="4")

    # ----------------------------------------------------------------- legend

    def legend(self) -> None:
        entries = [
            ("region", "Region", f'<FONT COLOR="{REGION_LINE}">┄┄┄</FONT>'),
            ("vpc", "VPC", f'<FONT COLOR="{VPC_LINE}"><B>━━━</B></FONT>'),
            ("az", "Availability Zone", f'<FONT COLOR="{AZ_LINE}">┄┄┄</FONT>'),
            ("public", "public subnet (route to an IGW)", None),
            ("private", "private subnet", None),
            ("collapsed", "subnets of one AZ, counted", None),
            ("gateway", "gateway, NAT, transit gateway", None),
            ("lb", "load balancer, endpoint, CloudFront", None),
            ("instance", "EC2 instance", None),
            ("site", "on-premises site", None),
            ("service", "AWS service", None),
            ("instances", "instances in the subnet, counted", f'<FONT COLOR="{COMPUTE}">▣</FONT>'),
            ("peering", "VPC peering", f'<FONT COLOR="{NETWORK}"><B>━━━</B></FONT>'),
            ("tgw", "transit gateway attachment", f'<FONT COLOR="{NETWORK}">━━━</FONT>'),
            ("vpn", "Site-to-Site VPN", f'<FONT COLOR="{VPN}"><B>╍╍╍</B></FONT>'),
            ("dx", "Direct Connect", f'<FONT COLOR="{DX}"><B>━━━</B></FONT>'),
            ("span", "LB / endpoint in a subnet", f'<FONT COLOR="{NETWORK}">╌╌╌</FONT>'),
            ("target", "load balancer target", f'<FONT COLOR="{NETWORK}">──▸</FONT>'),
            ("route", "route (prefixes)", f'<FONT COLOR="{ROUTE}">──▸</FONT>'),
            ("alias", "DNS alias / private zone", f'<FONT COLOR="{ROUTE}">┈┈▸</FONT>'),
            ("trace", "traced flow: request", f'<FONT COLOR="{TRACE_FORWARD}"><B>━━▸</B></FONT>'),
            ("trace", "traced flow: response", f'<FONT COLOR="{TRACE_RETURN}"><B>╍╍▸</B></FONT>'),
            ("blocked", "where the flow is blocked", f'<FONT COLOR="{BLOCKED}"><B>■</B></FONT>'),
        ]
        fills = {"public": (PUBLIC_FILL, PUBLIC_LINE), "private": (PRIVATE_FILL, PRIVATE_LINE),
                 "collapsed": (SITE_FILL, AZ_LINE), "gateway": (NETWORK, NETWORK),
                 "lb": (NETWORK_FILL, NETWORK), "instance": (COMPUTE_FILL, COMPUTE),
                 "site": (SITE_FILL, SITE), "service": ("#FFF5E6", COMPUTE)}
        if self.used & {"endpoint", "cdn"}:
            self.used.add("lb")
        rows = [_row("<B>Legend</B>", colspan=2)]
        for key, words, sample in entries:
            if key not in self.used:
                continue
            if sample is None:
                fill, line = fills[key]
                cell = f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{line}" WIDTH="28"> </TD>'
            else:
                cell = f'<TD>{sample}</TD>'
            rows.append(f'<TR>{cell}<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{words}</FONT></TD></TR>')
        if len(rows) == 1:
            return
        self.node(self.root, "legend", _html_table(rows, color=REGION_LINE, style="ROUNDED"), shape="plain")
        for region_rows in self.rows.values():     # below each region's last row, pulling nothing
            for name in region_rows[-1]:
                self.layout.append((self.vpc_bottom[name], "legend", "0"))

    # ----------------------------------------------------------------- emit

    def title(self) -> str:
        name = os.path.basename(self.model.path or "") or "model"
        parts = [f"{name} · {self.level} level"]
        if self.focus is not None:
            parts.append(f"focus {self.focus}")
        for t in self.traces:
            verdict = "allowed" if t.verdict == "allowed" else f"BLOCKED by {t.kind}"
            parts.append(f"trace {t.flow}: {verdict}")
        return " · ".join(parts)

    def emit(self) -> graphviz.Digraph:
        # newrank: ranks are global, so the rows of subnets line up across AZs and VPCs.
        g = graphviz.Digraph(
            "vpcdsl",
            graph_attr={"compound": "true", "newrank": "true", "rankdir": "TB", "nodesep": "0.35",
                        "ranksep": "0.55", "splines": "spline", "fontname": _FONT, "fontsize": "11",
                        "label": _text(self.title()), "labelloc": "t", "labeljust": "l",
                        "pad": "0.3", "outputorder": "edgesfirst"},
            node_attr={"fontname": _FONT, "fontsize": "10", "shape": "box", "margin": "0.12,0.06"},
            edge_attr={"fontname": _FONT, "fontsize": "9", "color": ROUTE})
        if len(self.node_attrs) > _BIG_DRAWING:
            # Bound dot's x-coordinate network simplex (nslimit x nodes iterations),
            # the phase that grows fastest with long edges. A safety net: with an
            # internet per row of VPCs few edges are long (1,000 generated subnets
            # lay out in 1.3 s either way), but links across many rows remain
            # possible (a TGW attached to 110 VPCs on 11 rows: 7.2 s -> 5.4 s).
            g.attr("graph", nslimit=_BIG_NSLIMIT)
        self.emit_cluster(g, self.root)
        # The layout edges first: dot's initial order follows the first edges it meets.
        for tail, head, weight in self.layout:
            if tail != head:
                g.edge(tail, head, style="invis", weight=weight)
        for tail, head, attrs in self.edges:
            attrs = dict(attrs)
            label = attrs.pop("label", None)
            g.edge(tail, head, label, **attrs)
        return g

    def emit_cluster(self, g: graphviz.Digraph, c: _Cluster) -> None:
        for dot_id, label, attrs in c.nodes:
            g.node(dot_id, label, **attrs)
        for child in c.children:
            with g.subgraph(name=child.name) as s:
                s.attr("graph", **child.attrs)
                self.emit_cluster(s, child)


def _pairs(places: list[Place]) -> Iterable[tuple[Place, Place]]:
    """Consecutive distinct places."""
    previous = None
    for p in places:
        if previous is not None and p != previous:
            yield previous, p
        previous = p


def _target_text(t: ast.Target) -> str:
    name = t.ref.name if isinstance(t.ref, ast.Ref) else t.ref.text
    return f"{name}:{t.port}" if t.port is not None else name
