"""The drawing under construction: clusters, nodes and edges, and where each
model object is drawn.

`Scene` holds the state every pass of `vpcdsl.views.render` shares (the
drawing modules, the links, the overlay and the legend write into it);
`vpcdsl.views.render` turns it into DOT.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import networkx as nx

from ..model.graph import INTERNET, OBJECT, id_of
from ..model.network import Model
from .escaping import dot_id, plain
from .focus import Plan
from .labels import service_name
from .palette import COMPUTE, INK, REGION_LINE, SERVICE_FILL


class Place(NamedTuple):
    """Where a model object is drawn: a DOT node (and port), or a cluster through an anchor node."""

    node: str
    port: str | None = None
    cluster: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.node}:{self.port}" if self.port else self.node


def edge_id(index: int) -> str:
    """The DOT ``id`` of ``Scene.edges[index]``, which is also its SVG element's id."""
    return f"e{index + 1}"


@dataclass(eq=False)
class Cluster:
    """A DOT subgraph: its nodes ``(id, label, attrs)`` and the clusters inside it."""

    name: str | None
    attrs: dict[str, str]
    parent: "Cluster | None" = None
    nodes: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    children: list["Cluster"] = field(default_factory=list)

    def child(self, name: str, **attrs: str) -> "Cluster":
        c = Cluster(name, attrs, self)
        self.children.append(c)
        return c


@dataclass(eq=False)
class Scene:
    """One diagram being drawn: the options, what is shown, and the DOT so far."""

    model: Model
    G: nx.MultiDiGraph
    level: str
    routes: str
    collapse: int
    plan: Plan
    root: Cluster = field(default_factory=lambda: Cluster(None, {}))
    places: dict[str, Place] = field(default_factory=dict)           # model node (or key) -> where drawn
    node_cluster: dict[str, Cluster] = field(default_factory=dict)
    node_attrs: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    layout: list[tuple[str, str, str]] = field(default_factory=list)  # invisible edges (tail, head, weight)
    used: set[str] = field(default_factory=set)                       # legend entries in use
    regions: dict[str, Cluster] = field(default_factory=dict)
    vpc_bottom: dict[str, str] = field(default_factory=dict)          # VPC name -> a node on its lowest rank
    vpc_top: dict[str, str] = field(default_factory=dict)             # VPC name -> a node on its highest rank
    vpc_lasts: dict[str, list[str]] = field(default_factory=dict)     # VPC name -> the last node of each AZ
    floating: list[tuple[str, str | None]] = field(default_factory=list)  # (DOT node, model node) below the internet
    rows: dict[str, list[list[str]]] = field(default_factory=dict)    # region -> its rows of VPC names
    row_of: dict[str, tuple[str, int]] = field(default_factory=dict)  # VPC name -> (region, row)
    route_info_of: dict[str, tuple[list[tuple[str, str, str]], bool]] = field(default_factory=dict)
    public: dict[str, bool] = field(default_factory=dict)             # subnet name -> has a route to an IGW

    # ----------------------------------------------------------------- nodes, clusters, edges

    def node(self, cluster: Cluster, ident: str, label: str, **attrs: str) -> str:
        if ident in self.node_attrs:           # one DOT node per id (first wins)
            return ident
        attrs = {k: v for k, v in attrs.items() if v is not None}
        cluster.nodes.append((ident, label, attrs))
        self.node_attrs[ident] = attrs
        self.node_cluster[ident] = cluster
        return ident

    def cluster(self, parent: Cluster, name: str, **attrs: str) -> Cluster:
        c = parent.child(name, **attrs)
        self.clusters[name] = c
        return c

    def anchor(self, cluster: Cluster, ident: str) -> str:
        """An invisible node that stands for `cluster` in compound edges."""
        return self.node(cluster, ident, "", shape="point", style="invis", width="0.1", height="0.1")

    def inside(self, ident: str, cluster_name: str) -> bool:
        c = self.node_cluster.get(ident)
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
        ltail, lhead = self.clipped_at(tail, head)
        if ltail:
            attrs["ltail"] = ltail
        if lhead:
            attrs["lhead"] = lhead
        self.edges.append((tail.ref, head.ref, attrs))
        return True

    def clipped_at(self, tail: Place, head: Place) -> tuple[str | None, str | None]:
        """The clusters (ltail, lhead) an edge from `tail` to `head` ends at, if any."""
        ltail = tail.cluster if tail.cluster and tail.cluster != head.cluster \
            and not self.inside(head.node, tail.cluster) else None
        lhead = head.cluster if head.cluster and head.cluster != tail.cluster \
            and not self.inside(tail.node, head.cluster) else None
        return ltail, lhead

    def drawn_edges(self, tail: Place, head: Place) -> list[tuple[int, bool]]:
        """The edges drawn between two places: (index in `edges`, True if drawn tail -> head).

        Read by the trace overlay once the drawing is complete (the index is
        built on the first call).
        """
        index = self._edge_index()[0]
        ltail, lhead = self.clipped_at(tail, head)
        along = [(i, True) for i in index.get((tail.ref, head.ref, ltail, lhead), ())]
        ltail, lhead = self.clipped_at(head, tail)
        return along + [(i, False) for i in index.get((head.ref, tail.ref, ltail, lhead), ())]

    def edges_at(self, place: Place) -> list[tuple[int, bool]]:
        """The drawn edges with an end at `place`: (index in `edges`, True if that end is the tail)."""
        return self._edge_index()[1].get((place.ref, place.cluster), [])

    def _edge_index(self) -> tuple[dict, dict]:
        index = self.__dict__.get("_edge_index_cache")
        if index is None:
            pairs: dict[tuple, list[int]] = {}
            ends: dict[tuple, list[tuple[int, bool]]] = {}
            for i, (t, h, attrs) in enumerate(self.edges):
                pairs.setdefault((t, h, attrs.get("ltail"), attrs.get("lhead")), []).append(i)
                ends.setdefault((t, attrs.get("ltail")), []).append((i, True))
                ends.setdefault((h, attrs.get("lhead")), []).append((i, False))
            index = self.__dict__["_edge_index_cache"] = (pairs, ends)
        return index

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

    # ----------------------------------------------------------------- the model graph

    def defined(self, m) -> bool:
        data = self.G.nodes.get(id_of(m))
        return data is not None and data.get(OBJECT) is m

    # ----------------------------------------------------------------- nodes made on demand

    def region(self, name: str) -> Cluster:
        c = self.regions.get(name)
        if c is None:
            c = self.regions[name] = self.cluster(
                self.root, f"cluster_region__{dot_id(name)}", label=plain(f"Region {name}" if name else "Region"),
                style="dashed,rounded", color=REGION_LINE, fontcolor=REGION_LINE, fontsize="12",
                labeljust="l", margin="16")
            self.used.add("region")
        return c

    def internet_node(self, ident: str = "internet") -> Place:
        self.node(self.root, ident, plain("Internet"), shape="ellipse", style="filled", fillcolor="white",
                  color=INK, penwidth="1.5", fontsize="12")
        return Place(ident)

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
                f"internet__{dot_id(row[0])}__row{row[1]}")
        return place

    def service_place(self, name: str, region: str | None = None) -> Place:
        """An AWS service: one node per region that reaches it (``aws``: outside the regions)."""
        node = f"service:{name}"
        key = node if region is None else f"{node}@{region}"
        place = self.places.get(key)
        if place is None:
            home = self.root if region is None else self.region(region)
            dot = self.node(home, dot_id(key), plain(service_name(name)),
                            style="rounded,filled", fillcolor=SERVICE_FILL, color=COMPUTE, shape="box")
            place = self.places[key] = Place(dot)
            self.places.setdefault(node, place)
            self.floating.append((dot, None))
            self.used.add("service")
        return place
