"""What stands outside the VPCs: transit and Direct Connect gateways, on-premises
sites, CloudFront, and the panels of Route 53 zones and placement groups."""

from __future__ import annotations

import textwrap

from ..model.graph import EDGE_KIND, OBJECT, EdgeKind, id_of
from ..syntax import ast
from .escaping import dot_id, html, plain
from .labels import MAX_PANEL_ROWS, cut, html_table, net_text, plural, table_row
from .palette import COMPUTE, NETWORK, NETWORK_FILL, SITE, SITE_FILL
from .scene import Place, Scene
from .tgw_panel import drawn_as_panel, tgw_panel

__all__ = ["top_level_nodes"]


def top_level_nodes(scene: Scene) -> None:
    model, G = scene.model, scene.G
    for tgw in model.tgws.values():
        node = id_of(tgw)
        if node not in G or not scene.plan.shown(node) or G.nodes[node][OBJECT] is not tgw:
            continue
        regions = [scene.model.vpcs[v[4:]].region_name for _, v, d in G.out_edges(node, data=True)
                   if d[EDGE_KIND] == EdgeKind.ATTACHMENT and v.startswith("vpc:")
                   and v[4:] in scene.plan.full | scene.plan.boxes]
        home = scene.region(tgw.region_name or regions[0]) if regions else scene.root
        lines = ["Transit gateway", tgw.name] + ([f"ASN {tgw.asn}"] if tgw.asn is not None else [])
        if drawn_as_panel(model, tgw):        # route tables, peerings or options: a panel
            dot = scene.node(home, dot_id(node), tgw_panel(model, tgw), shape="plain")
        else:
            dot = scene.node(home, dot_id(node), plain(*lines), shape="box", style="rounded,filled,bold",
                             fillcolor=NETWORK, color=NETWORK, fontcolor="white", penwidth="2")
        scene.places[node] = Place(dot)
        scene.floating.append((dot, node))
        scene.used.add("gateway")
    for dxgw in model.dxgws.values():
        node = id_of(dxgw)
        if node in G and scene.plan.shown(node) and G.nodes[node][OBJECT] is dxgw:
            lines = ["Direct Connect gateway", dxgw.name] + ([f"ASN {dxgw.asn}"] if dxgw.asn is not None else [])
            scene.places[node] = Place(scene.node(scene.root, dot_id(node), plain(*lines), style="rounded,filled",
                                                  fillcolor=NETWORK, color=NETWORK, fontcolor="white"))
            scene.used.add("gateway")
    for site in model.sites.values():
        node = id_of(site)
        if node in G and scene.plan.shown(node) and G.nodes[node][OBJECT] is site:
            lines = [f"site {site.name}", ", ".join(net_text(c) for c in site.cidrs)]
            if site.asn is not None:
                lines.append(f"ASN {site.asn}")
            scene.places[node] = Place(scene.node(scene.root, dot_id(node), plain(*lines), shape="box3d",
                                                  style="filled", fillcolor=SITE_FILL, color=SITE))
            scene.used.add("site")
    if scene.level == "region":
        return
    for cdn in model.cdns.values():
        node = id_of(cdn)
        if node not in G or G.nodes[node][OBJECT] is not cdn or not scene.plan.panel_shown(id_of(cdn)):
            continue
        lines = [f"CloudFront {cdn.name}"]
        if cdn.origin_is_domain:
            lines.append(f"origin {cdn.origin.name}")
        opts = [o for o in (cdn.policy, {"sni": "SNI", "dedicated-ip": "dedicated IP"}.get(cdn.ssl or "")) if o]
        if opts:
            lines.append(" · ".join(opts))
        dot = scene.node(scene.root, dot_id(node), plain(*lines), style="rounded,filled", fillcolor=NETWORK_FILL,
                         color=NETWORK)
        scene.places[node] = Place(dot)
        scene.used.add("cdn")
    for node, data in G.nodes(data=True):
        if data.get("kind") == "dns-zone" and scene.plan.panel_shown(node):
            zone_panel(scene, node, data[OBJECT])
    for group in model.placements.values():
        node = id_of(group)
        if node in G and G.nodes[node][OBJECT] is group and scene.plan.panel_shown(node):
            placement_panel(scene, node, group)


def _down_words(zone: ast.DnsZone) -> str:
    """" (1 down: hc-ap)": the health checks written `down`, which routing skips."""
    down = [h.name for h in zone.health_checks if h.down]
    return f" ({len(down)} down: {', '.join(down)})" if down else ""


def zone_panel(scene: Scene, node: str, zone: ast.DnsZone) -> None:
    kind = ("private hosted zone for " + ", ".join(r.name for r in zone.private_vpcs) if zone.private
            else "public hosted zone")
    rows = [table_row(f"<B>Route 53 {html(zone.name)}</B>", colspan=2, color=NETWORK),
            table_row(html(kind + (f" · {plural(len(zone.health_checks), 'health check')}"
                                   + _down_words(zone) if zone.health_checks else "")),
                      colspan=2, size=8)]
    records = zone.records
    shown = records if len(records) <= MAX_PANEL_ROWS else records[:MAX_PANEL_ROWS - 1]
    for rec in shown:
        values = []
        for e in rec.entries:
            text = e.value.text if e.value.kind != "string" else f'"{e.value.text}"'
            values.append(f"{e.key} → {text}" if e.key is not None else text)
        head = f"{rec.label} {rec.type.name}" + ("" if rec.policy == "simple" else f" {rec.policy}")
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="8"><B>{html(cut(head, 32))}</B></FONT></TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="8">{html(cut("; ".join(values)))}</FONT></TD></TR>')
    if len(shown) < len(records):
        rows.append(table_row(f"+{len(records) - len(shown)} more records", colspan=2, size=8))
    dot = scene.node(scene.root, dot_id(node), html_table(rows, color=NETWORK, style="ROUNDED"), shape="plain")
    scene.places[node] = Place(dot)
    scene.used.add("panel")


def placement_panel(scene: Scene, node: str, group: ast.PlacementGroup) -> None:
    head = f"placement group {group.name}"
    rows = [table_row(f"<B>{html(head)}</B>", color=COMPUTE),
            table_row(html(group.strategy + (f" · {group.partitions} partitions" if group.partitions else "")), size=8)]
    names = [m.instance.name + (f"@{m.partition}" if m.partition is not None else "") for m in group.members]
    for line in textwrap.wrap(", ".join(names), 40) or ["(no members)"]:
        rows.append(table_row(html(line), size=8))
    vpcs = {scene.plan.group(f"instance:{m.instance.name}") for m in group.members}
    home, lasts = scene.root, None
    if len(vpcs) == 1:
        (only,) = vpcs
        c = scene.clusters.get(f"cluster_{dot_id(only)}")
        if c is not None:
            home, lasts = c, scene.vpc_lasts.get(only[4:])
    dot = scene.node(home, dot_id(node), html_table(rows, color=COMPUTE, style="ROUNDED"), shape="plain")
    scene.places[node] = Place(dot)
    if lasts:                          # at the foot of its VPC, below the subnets
        scene.layout.extend((last, dot, "1") for last in lasts)
    else:
        scene.floating.append((dot, node))
    scene.used.add("panel")
