"""The lines between the diagram's boxes: the internet to its gateways, endpoints
to their services, VPC peering, TGW attachments, DX gateway associations,
Site-to-Site VPN and Direct Connect, CloudFront origins, DNS aliases, load
balancer targets, and routes drawn as edges (``routes="edges"``)."""

from __future__ import annotations

from ..model.graph import EDGE_KIND, INTERNET, OBJECT, ROLE, STATIC_ONLY, SUBNETS, EdgeKind, id_of, split_id
from ..syntax import ast
from .drawing import route_info
from .escaping import dot_id, plain
from .labels import MAX_ROUTE_ROWS, net_text
from .palette import DX, INK, NETWORK, NETWORK_FILL, ROUTE, TGW, VPN
from .scene import Place, Scene
from .tgw_panel import attachment_words

__all__ = ["links", "route_edges", "PEERING_LINE"]

PEERING_LINE = f"{NETWORK}:transparent:{NETWORK}"     # a double line


def links(scene: Scene) -> None:
    G, P = scene.G, scene.places
    for node, data in G.nodes(data=True):
        kind = split_id(node)[0]
        if kind in ("igw", "eigw") and node in P and INTERNET in P and P[node].node == dot_id(node):
            internet = scene.internet_at(data[OBJECT].vpc)
            if kind == "igw":
                scene.edge(internet, P[node], color=INK, arrowhead="none", penwidth="1.5")
            else:
                scene.edge(internet, P[node], color=INK, dir="back", penwidth="1.5",
                           label=plain("egress only"), fontsize="8")
        elif kind in ("gateway-endpoint", "interface-endpoint") and node in P \
                and P[node].node == dot_id(node):
            region = data[OBJECT] and scene.model.vpcs[data[OBJECT].vpc].region_name
            for _, v, d in G.out_edges(node, data=True):
                if d[EDGE_KIND] == EdgeKind.SERVICE:
                    scene.edge(P[node], scene.service_place(split_id(v)[1], region), color=NETWORK,
                               style="dotted")
    for p in scene.model.peerings.values():
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
        regions = {scene.model.vpcs[n].region_name for n in (p.requester.name, p.accepter.name)}
        home = scene.region(regions.pop()) if len(regions) == 1 else scene.root
        lines = ["VPC peering", p.name] + (["inter-region"] if cross else [])
        here = P[node] = Place(scene.node(home, dot_id(node), plain(*lines), style="rounded,filled",
                                          fillcolor=NETWORK_FILL, color=NETWORK, fontcolor=NETWORK,
                                          fontsize="9", penwidth="2"))
        scene.floating.append((here.node, node))
        for end, role in ((a, "requester"), (b, "accepter")):
            # Links are told apart by line as well as colour: peering double, TGW solid,
            # VPN dashed, Direct Connect dotted.
            scene.edge(here, end, color=PEERING_LINE, penwidth="1.6", arrowhead="none", label=plain(role),
                       fontsize="8", fontcolor=NETWORK)
        scene.used.add("peering")
    for tgw in scene.model.tgws.values():
        node = id_of(tgw)
        here = P.get(node)
        if here is None:
            continue
        for _, v, d in G.out_edges(node, data=True):
            if d[EDGE_KIND] != EdgeKind.ATTACHMENT:
                continue
            subnets = ", ".join(d.get(SUBNETS) or ())
            extra = attachment_words(scene.model, tgw, v[4:]) if v.startswith("vpc:") else []
            lines = ["attachment", subnets, "static-only" if d.get(STATIC_ONLY) else ""]
            label = plain(*(lines if not extra else [w for w in lines if w] + extra))
            if scene.edge(here, P.get(v), color=TGW, penwidth="2.5", arrowhead="none", label=label,
                          fontcolor=TGW, fontsize="8"):
                scene.used.add("tgw")
        for p in tgw.peerings:         # a peering attachment: static routes only, both ways
            other = scene.model.tgws.get(p.peer.name)
            if other is not None and other is not tgw and scene.edge(
                    here, P.get(id_of(other)), color=TGW, penwidth="2.5", style="bold", arrowhead="none",
                    label=plain(f"peering {p.name}", "static routes"), fontcolor=TGW, fontsize="8"):
                scene.used.add("tgw")
    for dxgw in scene.model.dxgws.values():
        node = id_of(dxgw)
        for _, v, d in G.out_edges(node, data=True):
            if d[EDGE_KIND] == EdgeKind.ATTACHMENT and scene.edge(
                    P.get(v), P.get(node), color=DX, style="dotted", penwidth="1.5", arrowhead="none",
                    label=plain("association"), fontsize="8", fontcolor=DX):
                scene.used.add("dx")
    for vpn in scene.model.vpns.values():
        ends = link_ends(scene, vpn)
        if ends is None:
            continue
        target = ends.get("target")
        software = target is not None and split_id(target)[0] in ("instance", "nat-instance")
        tunnels = "IPsec (software VPN)" if software else "IPsec ×2"
        routing = "BGP" if vpn.routing == "bgp" else (
            "static " + ", ".join(net_text(c) for c in vpn.static_cidrs) if vpn.routing == "static" else "")
        lines = [f"VPN {vpn.name}", ", ".join(x for x in (tunnels, routing) if x)]
        if vpn.over is not None:
            lines.append(f"over Direct Connect {vpn.over.name}")
        if vpn.down:                           # marked down: it carries nothing (LANGUAGE.md §vpn)
            lines.append("DOWN: carries nothing")
        if scene.edge(P.get(target) if target else None, P.get(ends.get("site", "")), color=VPN,
                      style="dashed", penwidth="1" if vpn.down else "2", dir="both", arrowhead="none", arrowtail="none",
                      label=plain(*lines), fontcolor=VPN, fontsize="8"):
            scene.used.add("vpn")
    for dx in scene.model.dxs.values():
        ends = link_ends(scene, dx)
        if ends is None:
            continue
        site = P.get(ends.get("site", ""))
        target = ends.get("target")
        if target == "service:aws":
            head = scene.service_place("aws") if site is not None else None
        else:
            head = P.get(target) if target else None
        details = [f"{dx.vif} VIF"] + ([f"VLAN {dx.vlan}"] if dx.vlan is not None else []) \
            + ([dx.bandwidth] if dx.bandwidth else []) + (["DOWN: carries nothing"] if dx.down else [])
        if scene.edge(head, site, color=DX, penwidth="1.5" if dx.down else "3.5", style="dotted", dir="both", arrowhead="none",
                      arrowtail="none",
                      label=plain(f"Direct Connect {dx.name}", " · ".join(details)), fontcolor=DX, fontsize="8"):
            scene.used.add("dx")
    if scene.level == "region":
        return
    for cdn in scene.model.cdns.values():
        node = id_of(cdn)
        if node in P:
            for _, v, d in G.out_edges(node, data=True):
                if d[EDGE_KIND] == EdgeKind.ORIGIN:
                    scene.edge(P[node], P.get(v), color=NETWORK, label=plain("origin"), fontsize="8",
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
                flat = "0" if scene.node_cluster.get(target.node) is scene.root else None
                scene.edge(P[node], target, color=ROUTE, style="dotted", weight="0", minlen=flat,
                           arrowsize="0.6")
                scene.used.add("alias")
    if scene.level == "instance":
        for lb in scene.model.members(ast.LoadBalancer):
            node = id_of(lb)
            here = P.get(node)
            if here is None or here.node != dot_id(node):
                continue
            seen = set()
            for _, v, d in G.out_edges(node, data=True):
                target = P.get(v)
                if d[EDGE_KIND] != EdgeKind.TARGET or target is None:
                    continue
                if target in seen:            # the ports are on the LB's label
                    continue
                seen.add(target)
                scene.edge(here, target, color="#B59AFF", weight="0", arrowsize="0.5", penwidth="0.8")
                scene.used.add("target")


def link_ends(scene: Scene, link) -> dict[str, str] | None:
    """A VPN's or Direct Connect's ends by role (``site``, ``target``); None if it is not in the graph."""
    node = id_of(link)
    if node not in scene.G or scene.G.nodes[node][OBJECT] is not link:
        return None
    return {d.get(ROLE): v for _, v, d in scene.G.out_edges(node, data=True)
            if d[EDGE_KIND] == EdgeKind.ATTACHMENT}


def route_edges(scene: Scene) -> None:
    """``routes="edges"``: from each subnet (or collapsed group) to each target, with the prefixes."""
    P = scene.places
    done: dict[tuple[str, str], dict[str, str]] = {}
    order: list[tuple[Place, Place, str]] = []
    for vpc in scene.model.vpcs.values():
        if vpc.name not in scene.plan.full:
            continue
        for s in vpc.of_type(ast.Subnet):
            if not scene.defined(s):
                continue
            here = P.get(id_of(s))
            rows, _ = route_info(scene, scene.model.route_table_of.get(s.name))
            for prefix, target, origin in rows:
                if split_id(target)[0] == "peering":
                    obj = scene.plan.obj(target)
                    other = None
                    if obj is not None:
                        other = obj.accepter.name if obj.requester.name == vpc.name else obj.requester.name
                    there = P.get(f"vpc:{other}") if other else None
                    text = f"{prefix} (peering {split_id(target)[1]})"
                elif target == "blackhole":
                    there = blackhole_place(scene)
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
        if len(prefixes) > MAX_ROUTE_ROWS:
            prefixes = prefixes[:MAX_ROUTE_ROWS - 1] + [f"+{len(prefixes) - MAX_ROUTE_ROWS + 1} more"]
        if scene.edge(here, there, color=ROUTE, label=plain(*prefixes), fontsize="8", fontcolor=ROUTE,
                      weight="0", arrowsize="0.7"):
            scene.used.add("route")


def blackhole_place(scene: Scene) -> Place:
    place = scene.places.get("blackhole")
    if place is None:
        dot = scene.node(scene.root, "blackhole", plain("blackhole"), shape="octagon", style="filled",
                         fillcolor=INK, fontcolor="white", fontsize="9")
        place = scene.places["blackhole"] = Place(dot)
    return place
