"""The VPCs of a diagram: each drawn in full (AZs, subnets, instances,
gateways on its edges, load balancers and endpoints) or as one box.

Functions of a `vpcdsl.views.scene.Scene`; the route-table lines on each
subnet are here too (`route_info` also serves the route edges).
"""

from __future__ import annotations

from ..cidrs import usable_hosts
from ..model.graph import EDGE_KIND, ORIGIN, PREFIX, EdgeKind, Origin, id_of, split_id
from ..model.network import KIND_OF
from ..syntax import ast
from .escaping import dot_id, html, plain
from .labels import (MAX_PANEL_ROWS, MAX_ROUTE_ROWS, cut, html_table, net_text, plural, service_name,
                     table_row, target_text)
from .palette import (AZ_LINE, COMPUTE, COMPUTE_FILL, INK, NETWORK, NETWORK_FILL, PRIVATE_FILL, PRIVATE_LINE,
                      PUBLIC_FILL, PUBLIC_LINE, SITE_FILL, VPC_LINE)
from .scene import Cluster, Place, Scene

__all__ = ["full_vpc", "box_vpc", "route_info"]

_INSTANCE_COLUMNS = 4      # instances per row inside a subnet
_LB_WORDS = {"application": "ALB", "network": "NLB", "classic": "CLB"}
_GATEWAY_WORDS = {"igw": "Internet gateway", "eigw": "Egress-only IGW", "vgw": "Virtual private gateway",
                  "nat": "NAT gateway", "nat-instance": "NAT instance", "tgw": "Transit gateway",
                  "dxgw": "Direct Connect gateway"}


# ----------------------------------------------------------------------------- route tables

def route_info(scene: Scene, rt: ast.RouteTable | None) -> tuple[list[tuple[str, str, str]], bool]:
    """((prefix, target node, origin), ...) of a table, local routes left out; whether it is public."""
    if rt is None:
        return [], False
    cached = scene.route_info_of.get(rt.name)
    if cached is not None:
        return cached
    rows: list[tuple[str, str, str]] = []
    public = False
    node = id_of(rt)
    if node in scene.G:
        for _, target, d in scene.G.out_edges(node, data=True):
            kind = d[EDGE_KIND]
            if kind == EdgeKind.ROUTE and d.get(ORIGIN) != Origin.LOCAL:
                rows.append((d.get(PREFIX, "?"), target, d.get(ORIGIN, "")))
                public = public or split_id(target)[0] == "igw"
            elif kind == EdgeKind.PROPAGATION:
                rows.append(("propagated", target, "propagated"))
    scene.route_info_of[rt.name] = (rows, public)
    return rows, public


def is_public(scene: Scene, subnet: ast.Subnet) -> bool:
    known = scene.public.get(subnet.name)
    if known is None:
        known = scene.public[subnet.name] = route_info(scene,
            scene.model.route_table_of.get(subnet.name))[1]
    return known


def route_rows(scene: Scene, subnet: ast.Subnet) -> list[str]:
    rt = scene.model.route_table_of.get(subnet.name)
    if rt is None:
        return []
    rows, _ = route_info(scene, rt)
    lines = []
    for prefix, target, origin in rows:
        tname = split_id(target)[1]
        if origin == "propagated":
            lines.append(f"⇠ {html(tname)} (propagated)")
        elif origin == Origin.ENDPOINT:
            lines.append(f"{html(prefix)} prefix list → {html(tname)}")
        else:
            lines.append(f"{html(prefix)} → {html(tname)}")
    more = len(lines) - MAX_ROUTE_ROWS
    if more > 0:
        lines = lines[:MAX_ROUTE_ROWS - 1] + [f"+{more + 1} more routes"]
    head = f'<I>route table {html(rt.name)}</I>' + ("" if lines else ": local only")
    nacl = scene.model.nacl_of.get(subnet.name)
    if nacl is not None and not nacl.default:
        head += f' · <I>NACL {html(nacl.name)}</I>'
    body = "".join(f'<BR ALIGN="LEFT"/>{line}' for line in lines)
    return [table_row(head + body + ('<BR ALIGN="LEFT"/>' if lines else ""), colspan=2, size=8,
                      color=INK)]

# ----------------------------------------------------------------------------- VPCs in full

def vpc_label(vpc: ast.Vpc, extra: str = "") -> str:
    blocks = [net_text(c) for c in (*vpc.cidrs, *vpc.ipv6)]
    text = f'<B>VPC {html(vpc.name)}</B>  <FONT POINT-SIZE="10">{html(", ".join(blocks))}</FONT>'
    if extra:
        text += f'<BR ALIGN="LEFT"/><FONT POINT-SIZE="9">{extra}</FONT>'
    return f"<{text}>"


def full_vpc(scene: Scene, vpc: ast.Vpc) -> None:
    vid = id_of(vpc)
    members = [m for m in vpc.members if scene.defined(m)]
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
    if scene.level == "vpc":
        counts = []
        lbs = sum(isinstance(m, ast.LoadBalancer) for m in spanning)
        eps = len(spanning) - lbs
        if lbs:
            counts.append(plural(lbs, "load balancer"))
        if eps:
            counts.append(plural(eps, "interface endpoint"))
        extra = " · ".join(counts)
    cl = scene.cluster(scene.region(vpc.region_name), f"cluster_{dot_id(vid)}", label=vpc_label(vpc, extra),
                       color=VPC_LINE, fontcolor=VPC_LINE, penwidth="2", style="solid", labeljust="l",
                       margin="12")
    scene.used.add("vpc")
    # Internet gateways and gateway endpoints sit on the VPC's top edge, as
    # architects draw them: just above the box, joined to it by a short bar,
    # so the lines from the internet end there instead of crossing the VPC's label.
    top = [gateway_node(scene, cl.parent, m) for m in (*edge_gws, *geps)]
    bottom = [gateway_node(scene, cl, m) for m in vgws]
    zones: dict[str, list[ast.Subnet]] = {}
    for s in subnets:
        zones.setdefault(s.zone, []).append(s)
    zone_names = sorted(zones, key=lambda z: (z == "", z))
    firsts, lasts = [], []
    for zone in zone_names:
        first, last = az_column(scene, cl, vpc, zone, zones[zone], held)
        firsts.append(first)
        lasts.append(last)
    # Links from other VPCs end at the box's border (lhead/ltail). With one AZ
    # they go through its first subnet; with several, through an invisible
    # head above the AZs, so that no AZ column is pulled towards the links.
    # The AZs are emitted in name order, which dot keeps unless swapping
    # columns saves crossings: Graphviz 2.43 ignores `ordering` inside
    # clusters, and flat edges (minlen=0) between markers above the
    # columns did not hold them either.
    head = scene.anchor(cl, f"{dot_id(vid)}__head") if len(firsts) > 1 else None
    if head is not None:
        anchor = head
    elif firsts:
        anchor = firsts[0][0]
    else:
        anchor = bottom[0] if bottom else scene.anchor(cl, dot_id(vid))
    vplace = Place(anchor, None, cl.name)
    scene.places[vid] = vplace
    for m in held.get("", ()):             # in a subnet that is not this VPC's: the VPC stands in
        scene.places[id_of(m)] = vplace
    for m in spanning:
        spanning_node(scene, cl, m, vplace)
    # Gateways on the top edge, VGWs on the bottom edge, the AZs side by side
    # between them. Invisible edges do it: `rank=same` groups inside
    # clusters trip dot's ranking ("trouble in init_rank") in Graphviz 2.4x.
    heads = [head] if head is not None else []
    for t in top:
        # A short bar from the gateway down to the box's border: an invisible
        # point inside the box below the gateway, the edge clipped at the border.
        foot = scene.anchor(cl, f"{t}__foot")
        scene.edge(Place(t), Place(foot, None, cl.name), color=VPC_LINE, penwidth="3", arrowhead="none",
                   weight="10")
        heads.append(foot)
    # Load balancers and interface endpoints hang below the gateways' bars,
    # on a rank of their own, so that the bars can drop straight down.
    spans = [scene.places[id_of(m)].node for m in spanning if scene.places[id_of(m)] != vplace]
    for t in heads or top:
        for row in firsts:
            for f in row:
                scene.layout.append((t, f, "1"))
    feet = heads[1:] if head is not None else heads
    for t in feet or heads or top:
        for f in spans:
            scene.layout.append((t, f, "1"))
    for b in bottom:
        for last in lasts:
            scene.layout.append((last, b, "1"))
    scene.vpc_lasts[vpc.name] = lasts
    scene.vpc_top[vpc.name] = top[0] if top else (head or anchor)
    scene.vpc_bottom[vpc.name] = bottom[0] if bottom else (lasts[0] if lasts else anchor)


def gateway_node(scene: Scene, cl: Cluster, m) -> str:
    node = id_of(m)
    kind = KIND_OF[type(m)]
    if isinstance(m, ast.GatewayEndpoint):
        label = plain(f"gateway endpoint {m.name}", f"→ {service_name(m.service.name)}")
        attrs = dict(style="rounded,filled", fillcolor=NETWORK_FILL, color=NETWORK)
    else:
        lines = [_GATEWAY_WORDS[kind], m.name]
        if isinstance(m, ast.VirtualPrivateGateway) and m.asn is not None:
            lines.append(f"ASN {m.asn}")
        label = plain(*lines)
        attrs = dict(style="rounded,filled", fillcolor=NETWORK, color=NETWORK, fontcolor="white")
    scene.used.add("gateway")
    dot = scene.node(cl, dot_id(node), label, **attrs)
    scene.places[node] = Place(dot)
    return dot


def spanning_node(scene: Scene, cl: Cluster, m, vplace: Place) -> None:
    """A load balancer or interface endpoint: one node, dashed links to each of its subnets."""
    node = id_of(m)
    if scene.level == "vpc":
        scene.places[node] = vplace
        return
    if isinstance(m, ast.LoadBalancer):
        label = lb_label(m)
        dot = scene.node(cl, dot_id(node), label, shape="plain")
        scene.used.add("lb")
    else:
        lines = [f"interface endpoint {m.name}",
                 service_name(m.service.name) + (" · private DNS" if m.private_dns else "")]
        dot = scene.node(cl, dot_id(node), plain(*lines), style="rounded,filled", fillcolor=NETWORK_FILL,
                         color=NETWORK)
        scene.used.add("endpoint")
    here = Place(dot)
    scene.places[node] = here
    seen: set[Place] = set()
    for r in m.subnets:
        target = scene.places.get(f"subnet:{r.name}")
        if target is not None and target not in seen:
            seen.add(target)
            scene.edge(here, target, color=NETWORK, style="dashed", arrowhead="none", penwidth="1")
            scene.used.add("span")


def lb_label(lb: ast.LoadBalancer) -> str:
    rows = [table_row(f'<B>{_LB_WORDS.get(lb.type, "LB")} {html(lb.name)}</B>', color=NETWORK),
            table_row(html(lb.scheme), size=8)]
    lines = []
    for li in lb.listeners:
        text = f"{li.protocol.upper()} {li.port}"
        if li.targets:
            text += " → " + ", ".join(target_text(t) for t in li.targets)
        lines.append(text)
    for r in lb.rules:
        if r.condition == "query" and r.key is not None:
            cond = f"query {r.key}={r.value}"
        elif r.key is not None:
            cond = f"{r.condition} {r.key}: {r.value}"
        else:
            cond = f"{r.condition} {r.value}"
        lines.append(f"{r.port} {cond} → " + ", ".join(target_text(t) for t in r.targets))
    more = len(lines) - MAX_PANEL_ROWS
    if more > 0:
        lines = lines[:MAX_PANEL_ROWS - 1] + [f"+{more + 1} more"]
    rows += [table_row(html(cut(line)), size=8) for line in lines]
    return html_table(rows, color=NETWORK, fill=NETWORK_FILL)


def az_column(scene: Scene, cl: Cluster, vpc: ast.Vpc, zone: str, subnets: list[ast.Subnet],
              held: dict[str, list]) -> tuple[list[str], str]:
    """One AZ of a VPC drawn in full; returns the nodes on its first rank and one on its last."""
    vid = id_of(vpc)
    zid = f"{dot_id(vid)}__az__{dot_id(zone or 'none')}"
    subnets = sorted(subnets, key=lambda s: not is_public(scene, s))   # public rows first (stable)
    if scene.level == "vpc":
        dot = scene.node(cl, zid, zone_summary(scene, zone, subnets, held), shape="plain")
        for s in subnets:
            scene.places[id_of(s)] = Place(dot)
            for m in held.get(s.name, ()):
                scene.places[id_of(m)] = Place(dot)
        return [dot], dot
    az = scene.cluster(cl, f"cluster_{zid}", label=plain(zone or "AZ not set"), style="dashed,rounded",
                       color=AZ_LINE, fontcolor=AZ_LINE, fontsize="10", labeljust="l", margin="10")
    scene.used.add("az")
    if scene.collapse and len(subnets) > scene.collapse:
        dot = scene.node(az, f"{zid}__subnets", zone_summary(scene, zone, subnets, held, collapsed=True),
                         shape="plain")
        for s in subnets:
            scene.places[id_of(s)] = Place(dot)
            for m in held.get(s.name, ()):
                scene.places[id_of(m)] = Place(dot)
        scene.used.add("collapsed")
        return [dot], dot
    chain: list[tuple[list[str], str]] = []
    for s in subnets:
        if scene.level == "subnet":
            dot = subnet_node(scene, az, s, held.get(s.name, []))
            chain.append(([dot], dot))
        else:
            chain.append(subnet_cluster(scene, az, s, held.get(s.name, [])))
    for (_, a), (row, _) in zip(chain, chain[1:]):          # one subnet under the other
        for b in row:
            scene.layout.append((a, b, "10"))
    return chain[0][0], chain[-1][1]


def zone_summary(scene: Scene, zone: str, subnets: list[ast.Subnet], held: dict[str, list],
                 collapsed: bool = False) -> str:
    public = sum(is_public(scene, s) for s in subnets)
    inside = [m for s in subnets for m in held.get(s.name, ())]
    instances = sum(isinstance(m, ast.Instance) for m in inside)
    nats = len(inside) - instances
    head = plural(len(subnets), "subnet") if collapsed else (zone or "AZ not set")
    rows = [table_row(f"<B>{html(head)}</B>")]
    if not collapsed:
        rows.append(table_row(html(plural(len(subnets), "subnet"))))
    rows.append(table_row(f"{public} public · {len(subnets) - public} private", size=9))
    nets = sorted((s.cidr.net for s in subnets if s.cidr is not None and s.cidr.net is not None),
                  key=lambda n: (n.version, int(n.network_address)))
    if nets:
        span = str(nets[0]) if len(nets) == 1 else f"{nets[0]} … {nets[-1]}"
        rows.append(table_row(html(span), size=9))
    counts = [plural(instances, "instance")] + ([plural(nats, "NAT")] if nats else [])
    rows.append(table_row(" · ".join(counts), size=9))
    return html_table(rows, color=AZ_LINE, fill=SITE_FILL, style="ROUNDED")


def subnet_head(scene: Scene, s: ast.Subnet) -> list[str]:
    public = is_public(scene, s)
    color = PUBLIC_LINE if public else PRIVATE_LINE
    kind = "public" if public else "private"
    scene.used.add(kind)
    net = s.cidr.net if s.cidr is not None else None
    hosts = f" · {usable_hosts(net)} hosts" if net is not None and net.version == 4 else ""
    rows = [f'<TR><TD ALIGN="LEFT"><B>{html(s.name)}</B></TD>'
            f'<TD ALIGN="RIGHT"><FONT POINT-SIZE="8" COLOR="{color}"><B>{kind}</B></FONT></TD></TR>',
            table_row(html(net_text(s.cidr)) + hosts, colspan=2, size=9)]
    if s.ipv6 is not None:
        rows.append(table_row(html(net_text(s.ipv6)), colspan=2, size=8))
    return rows


def subnet_node(scene: Scene, az: Cluster, s: ast.Subnet, inside: list) -> str:
    """A subnet at the subnet level: one table; NATs are rows with ports, instances a count."""
    node = id_of(s)
    dot = dot_id(node)
    public = is_public(scene, s)
    rows = subnet_head(scene, s)
    instances = 0
    for m in inside:
        if isinstance(m, ast.Instance):
            instances += 1
            scene.places[id_of(m)] = Place(dot)
            continue
        port = dot_id(id_of(m)).replace(".", "_")
        word = "NAT instance" if isinstance(m, ast.NatInstance) else (
            "private NAT gateway" if m.private else "NAT gateway")
        state = " (down)" if getattr(m, "down", False) else ""
        rows.append(table_row(f'<FONT COLOR="white"> ⇄ {word} <B>{html(m.name)}</B>{state} </FONT>',
                              port=port, colspan=2).replace("<TD ", f'<TD BGCOLOR="{NETWORK}" ', 1))
        scene.places[id_of(m)] = Place(dot, port)
        scene.used.add("gateway")
    if instances:
        down = sum(isinstance(m, ast.Instance) and m.down for m in inside)
        rows.append(table_row(f"▣ {plural(instances, 'instance')}" + (f" ({down} down)" if down else ""),
                              colspan=2, size=9, color=COMPUTE))
        scene.used.add("instances")
    if scene.routes == "labels":
        rows += route_rows(scene, s)
    fill, line = (PUBLIC_FILL, PUBLIC_LINE) if public else (PRIVATE_FILL, PRIVATE_LINE)
    scene.node(az, dot, html_table(rows, color=line, fill=fill), shape="plain")
    scene.places[node] = Place(dot)
    return dot


def subnet_cluster(scene: Scene, az: Cluster, s: ast.Subnet, inside: list) -> tuple[list[str], str]:
    """A subnet at the instance level: a box holding its NATs and instances."""
    node = id_of(s)
    public = is_public(scene, s)
    fill, line = (PUBLIC_FILL, PUBLIC_LINE) if public else (PRIVATE_FILL, PRIVATE_LINE)
    rows = subnet_head(scene, s)
    if scene.routes == "labels":
        rows += route_rows(scene, s)
    label = f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{"".join(rows)}</TABLE>>'
    cl = scene.cluster(az, f"cluster_{dot_id(node)}", label=label, style="filled,rounded", fillcolor=fill,
                       color=line, fontcolor=INK, labeljust="l", margin="8", penwidth="1.5")
    scene.used.add("public" if public else "private")
    dots = []
    instances = [m for m in inside if isinstance(m, ast.Instance)]
    for m in inside:
        if isinstance(m, (ast.NatGateway, ast.NatInstance)):
            dots.append(nat_node(scene, cl, m))
    if scene.collapse and len(instances) > scene.collapse:
        dot = scene.node(cl, f"{dot_id(node)}__instances", plain(plural(len(instances), "instance")),
                         style="rounded,filled", fillcolor=COMPUTE_FILL, color=COMPUTE)
        for m in instances:
            scene.places[id_of(m)] = Place(dot)
        dots.append(dot)
        scene.used.add("instance")
    else:
        dots += [instance_node(scene, cl, m) for m in instances]
    if not dots:
        dots.append(scene.anchor(cl, f"{dot_id(node)}__anchor"))
    for a, b in zip(dots, dots[_INSTANCE_COLUMNS:]):     # rows of four
        scene.layout.append((a, b, "10"))
    scene.places[node] = Place(dots[0], None, cl.name)
    return dots[:_INSTANCE_COLUMNS], dots[(len(dots) - 1) // _INSTANCE_COLUMNS * _INSTANCE_COLUMNS]


def nat_node(scene: Scene, cl: Cluster, m) -> str:
    node = id_of(m)
    if isinstance(m, ast.NatInstance):
        lines = ["NAT instance", m.name]
        lines += [f"forward {f.port} → {f.instance.name}:{f.to_port}" for f in m.forwards]
    else:
        lines = ["private NAT gateway" if m.private else "NAT gateway", m.name]
    down = getattr(m, "down", False)           # a NAT instance marked `down` forwards nothing
    if down:
        lines.append("down")
    dot = scene.node(cl, dot_id(node), plain(*lines), style="rounded,filled" + (",dashed" if down else ""),
                     fillcolor=NETWORK, color=NETWORK, fontcolor="white")
    scene.places[node] = Place(dot)
    scene.used.add("gateway")
    return dot


def instance_node(scene: Scene, cl: Cluster, m: ast.Instance) -> str:
    node = id_of(m)
    lines = [f"EC2 {m.name}"]
    details = [d for d in (m.type, str(m.ip.ip) if m.ip is not None and m.ip.ip is not None else None,
                           {"eip": "EIP", "public-ip": "public IP"}.get(m.public_ip)) if d]
    if details:
        lines.append(" · ".join(details))
    if m.down:                                 # stopped or failed: drawn dashed, and said
        lines.append("down")
    dot = scene.node(cl, dot_id(node), plain(*lines), style="rounded,filled" + (",dashed" if m.down else ""),
                     fillcolor=COMPUTE_FILL, color=COMPUTE)
    scene.places[node] = Place(dot)
    scene.used.add("instance")
    return dot

# ----------------------------------------------------------------------------- VPCs as boxes

def box_vpc(scene: Scene, vpc: ast.Vpc) -> None:
    vid = id_of(vpc)
    members = [m for m in vpc.members if scene.defined(m)]
    subnets = [m for m in members if isinstance(m, ast.Subnet)]
    zones = {s.zone for s in subnets}
    instances = sum(isinstance(m, ast.Instance) for m in members)
    rows = [table_row(f"<B>VPC {html(vpc.name)}</B>", color=VPC_LINE)]
    rows += [table_row(html(net_text(c)), size=9) for c in (*vpc.cidrs, *vpc.ipv6)]
    rows.append(table_row(f"{plural(len(subnets), 'subnet')} · {plural(len(zones), 'AZ')} · "
                          f"{plural(instances, 'instance')}", size=9))
    gws = []
    for cls, word in ((ast.InternetGateway, "IGW"), (ast.EgressOnlyInternetGateway, "EIGW"),
                      (ast.NatGateway, "NAT"), (ast.NatInstance, "NAT instance"),
                      (ast.VirtualPrivateGateway, "VGW"), (ast.LoadBalancer, "LB"),
                      (ast.GatewayEndpoint, "endpoint"), (ast.InterfaceEndpoint, "endpoint")):
        n = sum(isinstance(m, cls) for m in members)
        if n:
            gws.append(word if n == 1 else f"{word} ×{n}")
    if gws:
        rows.append(table_row(html(" · ".join(dict.fromkeys(gws))), size=9))
    dot = scene.node(scene.region(vpc.region_name), dot_id(vid),
                     html_table(rows, color=VPC_LINE, border=2, style="ROUNDED"), shape="plain")
    scene.used.add("vpc")
    here = Place(dot)
    scene.places[vid] = here
    for m in members:
        scene.places.setdefault(id_of(m), here)
    scene.vpc_top[vpc.name] = scene.vpc_bottom[vpc.name] = dot
