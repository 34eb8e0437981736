"""Routing checks: route tables, peering, transit gateway tables, NAT placement (E3xx, W3xx).

The rules are SEMANTICS.md "Routing", "Gateways" and "Peering and transit". Only
what a single route, table or attachment shows is checked; where packets really
go is the flow simulator's business. Unresolved names and targets of the wrong
kind or VPC are the names check's (E201, E204, E205) and are skipped here.
Routes that more specific ones hide (W304) are found by comparing the routes
of one table with each other, never across tables.
"""

from __future__ import annotations

from collections import defaultdict
from ipaddress import IPv4Address, IPv6Address, collapse_addresses, ip_network, summarize_address_range
from typing import Iterator

from ..aws import PREFIX_LISTS
from ..diagnostics import Diagnostic, Note, error, warning
from ..model.network import KIND_OF, Model, describe
from ..span import Span
from ..syntax import ast
from .addresses import vpc_blocks

ROUTE_TARGETS = ("igw", "eigw", "nat", "nat-instance", "peering", "vgw", "tgw", "instance",
                 "gateway-endpoint")
# Targets that belong to one VPC; one of another VPC is the names check's E205.
_VPC_OWNED = frozenset(("igw", "eigw", "nat", "nat-instance", "vgw", "instance", "gateway-endpoint"))
# Targets AWS accepts for a route inside a VPC block (a whole subnet's CIDR): middlebox routing.
_MIDDLEBOX = frozenset(("nat", "nat-instance", "instance"))
_TGW_ATTACHMENT_KINDS = ("vpc", "vpn", "dx", "dxgw", "tgw-peering")

NAT64 = ip_network("64:ff9b::/96")
IPV4_DEFAULT = ip_network("0.0.0.0/0")


def check(model: Model) -> Iterator[Diagnostic]:
    diags: list[Diagnostic] = []
    attached = _tgw_attached_vpcs(model)
    _check_peerings(model, diags)
    for vpc in model.vpcs.values():
        _check_vpc_tables(model, vpc, attached, diags)
    _check_tgws(model, diags)
    _check_nat_placement(model, diags)
    return iter(diags)


# ---------------------------------------------------------------------------- peering

def _check_peerings(model: Model, diags: list[Diagnostic]) -> None:
    """E301: AWS refuses a peering between VPCs with any overlapping block."""
    blocks: dict[str, list] = {}
    for p in model.peerings.values():
        a = model.get(p.requester.name, "vpc")
        b = model.get(p.accepter.name, "vpc")
        if a is None or b is None or a is b:
            continue
        for vpc in (a, b):
            if vpc.name not in blocks:
                v4, v6 = vpc_blocks(vpc)
                blocks[vpc.name] = v4 + v6
        clashes = [(x, y) for x in blocks[a.name] for y in blocks[b.name]
                   if x.version == y.version and x.overlaps(y)]
        if not clashes:
            continue
        x, y = clashes[0]
        more = f" (and {len(clashes) - 1} more overlapping pair{'s' if len(clashes) > 2 else ''})" \
            if len(clashes) > 1 else ""
        diags.append(error(
            "E301", f"peering connection '{p.name}' joins overlapping VPCs: '{a.name}' block {x} "
                    f"overlaps '{b.name}' block {y}{more}", p.requester.span.to(p.accepter.span),
            "AWS refuses to peer VPCs whose blocks overlap (IPv4 or IPv6); renumber one of them, or "
            "expose the service through PrivateLink (an interface endpoint) instead"))


# ---------------------------------------------------------------------------- route tables

def _check_vpc_tables(model: Model, vpc: ast.Vpc, attached: dict[str, set[str]],
                      diags: list[Diagnostic]) -> None:
    v4, v6 = vpc_blocks(vpc)
    blocks = v4 + v6
    subnet_nets = set()
    for s in vpc.members:
        if isinstance(s, ast.Subnet):
            for c in (s.cidr, s.ipv6):
                if c is not None and c.net is not None:
                    subnet_nets.add(c.net)
    endpoints = _endpoints_by_table(model, vpc, diags)
    local = [(c.net, c) for c in vpc.cidrs + vpc.ipv6 if c.net is not None]
    for rt in vpc.members:
        if isinstance(rt, ast.RouteTable):
            _check_table(model, rt, blocks, subnet_nets, endpoints.get(id(rt), {}), attached, diags)
            _route_lint(model, rt, local, diags)


def _endpoints_by_table(model: Model, vpc: ast.Vpc, diags: list[Diagnostic]) -> dict[int, dict]:
    """Route table id -> {service: endpoint} from `endpoint ... gateway SERVICE for TABLE`.

    Two gateway endpoints of one service on one table would add the same
    prefix-list route twice (E304).
    """
    out: dict[int, dict[str, ast.GatewayEndpoint]] = defaultdict(dict)
    for ep in vpc.members:
        if not isinstance(ep, ast.GatewayEndpoint) or ep.service.name not in PREFIX_LISTS:
            continue
        for ref in ep.route_tables:
            rt = model.get(ref.name, "route-table")
            if rt is None or rt.vpc != vpc.name:
                continue
            first = out[id(rt)].get(ep.service.name)
            if first is not None and first is not ep:
                diags.append(error(
                    "E304", f"route table '{rt.name}' already gets the {ep.service.name} prefix-list route "
                            f"from gateway endpoint '{first.name}'", ref.span,
                    f"a table takes one gateway endpoint per service; remove '{rt.name}' from one of "
                    f"them (endpoint '{first.name}' is at line {first.span.line})"))
                continue
            out[id(rt)][ep.service.name] = ep
    return out


def _check_table(model: Model, rt: ast.RouteTable, blocks: list, subnet_nets: set,
                 endpoints: dict[str, ast.GatewayEndpoint], attached: dict[str, set[str]],
                 diags: list[Diagnostic]) -> None:
    seen: dict[object, ast.Route] = {}
    for route in rt.routes:
        dest = route.dest
        if isinstance(dest, ast.Cidr):
            key = dest.net
            family = dest.net.version if dest.net is not None else None
        else:
            key = ("prefix-list", dest.name) if dest.name in PREFIX_LISTS else None
            family = 4 if key is not None else None
        if key is not None:
            first = seen.get(key)
            if first is not None:
                diags.append(error(
                    "E304", f"route table '{rt.name}' has two routes to {_dest_text(dest)}", dest.span,
                    f"the first is at line {first.span.line}; a table holds one route per destination: "
                    f"delete one"))
            else:
                seen[key] = route
            ep = endpoints.get(dest.name) if isinstance(dest, ast.Ref) else None
            if ep is not None and not (isinstance(route.target, ast.Ref) and route.target.name == ep.name):
                # (a route to the endpoint itself is E302's to report)
                diags.append(error(
                    "E304", f"route table '{rt.name}' already routes {dest.name} through gateway endpoint "
                            f"'{ep.name}'", dest.span,
                    f"the endpoint adds the {dest.name} prefix-list route itself; delete this route"))

        target = _target(model, route, rt)
        if target is False:
            continue  # unresolved, wrong kind or another VPC's: the names check reports it
        kind = KIND_OF[type(target)] if target is not None else "blackhole"
        if kind == "gateway-endpoint":
            tables = ", ".join(dict.fromkeys([r.name for r in target.route_tables] + [rt.name]))
            diags.append(error(
                "E302", f"route to gateway endpoint '{target.name}' written by hand", route.target.span,
                f"a gateway endpoint adds its own prefix-list route to the tables it is associated "
                f"with: `endpoint {target.name} gateway {target.service.name} for {tables}`"))
            continue
        if kind == "peering" and rt.vpc not in (target.requester.name, target.accepter.name):
            diags.append(error(
                "E306", f"route table '{rt.name}' of VPC '{rt.vpc}' uses peering connection "
                        f"'{target.name}', which joins '{target.requester.name}' and "
                        f"'{target.accepter.name}'", route.target.span,
                f"a VPC can only route through its own peering connections; peer '{rt.vpc}' with the "
                f"VPC it wants to reach (`peer NAME {rt.vpc} -> VPC`)"))
        elif kind == "tgw" and rt.vpc not in attached.get(target.name, ()):
            diags.append(error(
                "E303", f"transit gateway '{target.name}' has no attachment for VPC '{rt.vpc}'",
                route.target.span,
                f"attach the VPC first: `attach {rt.vpc}` in transit gateway '{target.name}'"))
        if family is not None:
            _check_family(route, dest, family, kind, target, diags)
        if isinstance(dest, ast.Cidr) and dest.net is not None:
            _check_local(route, dest.net, kind, target, rt, blocks, subnet_nets, diags)

    for ref in rt.propagations:
        vgw = model.get(ref.name, "vgw")
        if vgw is not None and vgw.vpc and vgw.vpc != rt.vpc:
            diags.append(error(
                "E307", f"route table '{rt.name}' of VPC '{rt.vpc}' propagates virtual private gateway "
                        f"'{vgw.name}' of VPC '{vgw.vpc}'", ref.span,
                f"a table propagates only its own VPC's VGW: add `vgw NAME` to VPC '{rt.vpc}' and "
                f"propagate that one"))


def _target(model: Model, route: ast.Route, rt: ast.RouteTable):
    """The route's target object; None for `blackhole`; False when the names check owns it."""
    if isinstance(route.target, ast.Blackhole):
        return None
    obj = model.get(route.target.name, *ROUTE_TARGETS)
    if obj is None:
        return False
    if KIND_OF[type(obj)] in _VPC_OWNED and obj.vpc != rt.vpc:
        return False
    return obj


def _check_family(route: ast.Route, dest, family: int, kind: str, target,
                  diags: list[Diagnostic]) -> None:
    """E303: a gateway that cannot carry this address family."""
    what = _dest_text(dest)
    if kind == "eigw" and family == 4:
        diags.append(error(
            "E303", f"egress-only internet gateway '{target.name}' carries IPv6 only, not {what}",
            route.target.span,
            "route IPv4 to the internet through a NAT gateway (private subnets) or the internet "
            "gateway (public subnets)"))
    elif kind == "nat" and family == 6 and not dest.net.subnet_of(NAT64):
        diags.append(error(
            "E303", f"NAT gateway '{target.name}' cannot take IPv6 {what}; it translates IPv4, and "
                    f"IPv6 only for {NAT64} (NAT64)", route.target.span,
            "for outbound-only IPv6, route to an egress-only internet gateway (`eigw NAME`)"))


def _check_local(route: ast.Route, net, kind: str, target, rt: ast.RouteTable, blocks: list,
                 subnet_nets: set, diags: list[Diagnostic]) -> None:
    """E305: a route that competes with the VPC's local route."""
    for block in blocks:
        if block.version != net.version or not net.subnet_of(block):
            continue
        if net == block:
            diags.append(error(
                "E305", f"route {net} in table '{rt.name}' has the same destination as the local "
                        f"route of VPC '{rt.vpc}'", route.dest.span,
                "every table routes the VPC's own blocks locally; to send a subnet's traffic through "
                "an appliance, route that subnet's CIDR to a NAT gateway or an instance"))
        elif net not in subnet_nets:
            diags.append(error(
                "E305", f"route {net} in table '{rt.name}' is more specific than the local route "
                        f"{block} and is not a subnet's CIDR", route.dest.span,
                "inside a VPC block AWS accepts only a route for a whole subnet's CIDR, through a NAT "
                "gateway or an instance (middlebox routing)"))
        elif kind not in _MIDDLEBOX:
            via = "`blackhole`" if target is None else describe(target)
            diags.append(error(
                "E305", f"route {net} in table '{rt.name}' is more specific than the local route "
                        f"{block} and goes to {via}", route.target.span,
                "a route for a subnet's CIDR inside the VPC must go to a NAT gateway or an instance "
                "(middlebox routing)"))
        return


def _route_text(route: ast.Route) -> str:
    """``10.20.0.0/16 -> prod-shared``"""
    target = "blackhole" if isinstance(route.target, ast.Blackhole) else route.target.name
    return f"{_dest_text(route.dest)} -> {target}"


def _route_lint(model: Model, rt: ast.RouteTable, local: list, diags: list[Diagnostic]) -> None:
    """W304 and W305, from what each route of this table really takes: its addresses less
    those of the table's more specific routes and local routes (longest prefix wins).

    Pairwise over the routes of one table. Propagated routes are learned at run
    time and take nothing here; prefix-list routes are not CIDRs.
    """
    written = [(r.dest.net, r) for r in rt.routes if isinstance(r.dest, ast.Cidr) and r.dest.net is not None]
    if not written:
        return
    candidates = written + [(net, None) for net, _cidr in local]
    spans = {net: cidr.span for net, cidr in local}
    for net, route in written:
        inside = [(n, r) for n, r in candidates
                  if n.version == net.version and n.prefixlen > net.prefixlen and n.subnet_of(net)]
        taken = _minus([_interval(net)], [_interval(n) for n, _ in inside])
        if not taken:
            _hidden(rt, route, net, inside, spans, diags)
            continue
        target = _target(model, route, rt)
        if isinstance(target, ast.Peering) and rt.vpc in (target.requester.name, target.accepter.name):
            _beyond_peer(model, rt, route, net, taken, target, diags)


def _interval(net) -> tuple[int, int]:
    return int(net.network_address), int(net.broadcast_address)


def _minus(intervals: list[tuple[int, int]], cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The integers of ``intervals`` in none of ``cuts`` (each a closed interval)."""
    for lo, hi in cuts:
        rest = []
        for x, y in intervals:
            if hi < x or lo > y:
                rest.append((x, y))
                continue
            if x < lo:
                rest.append((x, lo - 1))
            if hi < y:
                rest.append((hi + 1, y))
        intervals = rest
    return intervals


def _hidden(rt: ast.RouteTable, route: ast.Route, net, inside: list, spans: dict,
            diags: list[Diagnostic]) -> None:
    """W304: every address of the route takes a more specific one; it never decides."""
    # Name the outermost of them: those no other of them contains.
    outer = [(n, r) for n, r in inside
             if not any(m != n and m.prefixlen < n.prefixlen and n.subnet_of(m) for m, _ in inside)]
    outer.sort(key=lambda nr: (int(nr[0].network_address), nr[0].prefixlen))
    words = [f"local {n}" if r is None else _route_text(r) for n, r in outer]
    listed = ", ".join(words[:4]) + (f" and {len(words) - 4} more" if len(words) > 4 else "")
    notes = [Note(f"the local route {n} of VPC '{rt.vpc}' is more specific" if r is None else
                  f"`{_route_text(r)}` is more specific", spans[n] if r is None else r.span)
             for n, r in outer[:6]]
    diags.append(warning(
        "W304", f"route `{_route_text(route)}` of route table '{rt.name}' never decides: more "
                f"specific routes take all of {net} ({listed})", route.span,
        f"the longest prefix wins, so every address of {net} matches one of them: remove this "
        f"route, or narrow the routes that hide it if it should carry some of that traffic",
        notes))


def _beyond_peer(model: Model, rt: ast.RouteTable, route: ast.Route, net, taken: list,
                 peering: ast.Peering, diags: list[Diagnostic]) -> None:
    """W305: a route over a peering for addresses the peer VPC does not own.

    A peering delivers only to the peer's own blocks (not transitive, no edge-to-edge
    routing; SEMANTICS.md, Peering and transit), so the rest is dropped there. Only
    the addresses the route takes count (``taken``: not those of more specific routes).
    """
    other = peering.accepter.name if peering.requester.name == rt.vpc else peering.requester.name
    peer = model.get(other, "vpc")
    if peer is None or peer.name == rt.vpc:
        return
    blocks = [c for c in peer.cidrs + peer.ipv6 if c.net is not None and c.net.version == net.version]
    dropped = _minus(taken, [_interval(c.net) for c in blocks])
    if not dropped:
        return
    theirs = ", ".join(str(c.net) for c in blocks) or f"no IPv{net.version} block"
    if dropped == taken:
        what = f"VPC '{peer.name}' owns none of {net} (it has {theirs})"
    else:
        owned = _minus(taken, dropped)
        address = IPv4Address if net.version == 4 else IPv6Address
        pieces = [str(n) for lo, hi in owned for n in summarize_address_range(address(lo), address(hi))]
        what = f"of the addresses it takes, VPC '{peer.name}' owns only {', '.join(pieces[:4])}"
        if len(pieces) > 4:
            what += f" and {len(pieces) - 4} more blocks"
    notes = [Note(f"VPC '{peer.name}' has {c.net}", c.span) for c in blocks[:6]]
    if not notes:
        s = peer.span
        notes = [Note(f"VPC '{peer.name}' has {theirs}", Span(s.file, s.line, s.col, s.line, s.col + 3))]
    hint = ("a peering delivers only to the peer VPC's own addresses (it is not transitive and "
            "lends no gateway of the peer): ")
    hint += (f"route only {theirs} to '{peering.name}'" if blocks else "remove the route")
    hint += ("; reach other networks through their own connection (a transit gateway, a VPN, "
             "this VPC's internet gateway or NAT)")
    diags.append(warning(
        "W305", f"route `{_route_text(route)}` of route table '{rt.name}' sends over peering "
                f"connection '{peering.name}' addresses the peering drops: {what}",
        route.dest.span, hint, notes))


def _dest_text(dest) -> str:
    if isinstance(dest, ast.Cidr):
        return str(dest.net) if dest.net is not None else dest.text
    return f"prefix list '{dest.name}'"


# ---------------------------------------------------------------------------- transit gateways

def _tgw_attached_vpcs(model: Model) -> dict[str, set[str]]:
    return {tgw.name: {a.vpc.name for a in tgw.attachments} for tgw in model.tgws.values()}


def _tgw_attachment_names(model: Model) -> dict[str, list[str]]:
    """TGW name -> names a TGW route may target: attached VPCs, VPNs, DX gateways and their DXs."""
    out: dict[str, list[str]] = {name: [] for name in model.tgws}
    for tgw in model.tgws.values():
        out[tgw.name].extend(a.vpc.name for a in tgw.attachments)
    for vpn in model.vpns.values():
        if vpn.target.name in out:
            out[vpn.target.name].append(vpn.name)
    dxgw_tgws: dict[str, list[str]] = {}
    for dxgw in model.dxgws.values():
        for ref in dxgw.attachments:
            if ref.name in out:
                out[ref.name].append(dxgw.name)
                dxgw_tgws.setdefault(dxgw.name, []).append(ref.name)
    for dx in model.dxs.values():
        if dx.target is not None:
            for tgw in dxgw_tgws.get(dx.target.name, ()):
                out[tgw].append(dx.name)
    for tgw in model.tgws.values():            # a peering attachment is on both its TGWs
        for p in tgw.peerings:
            if p.peer.name in out and p.peer.name != tgw.name:
                out[tgw.name].append(p.name)
                out[p.peer.name].append(p.name)
    return out


def _check_tgws(model: Model, diags: list[Diagnostic]) -> None:
    """E308 (route to something that is not an attachment), E309 (attachment problems),
    E312 (a VPC of another region: a TGW is regional, SEMANTICS.md, Transit gateways)."""
    if not model.tgws:
        return
    names = _tgw_attachment_names(model)
    for tgw in model.tgws.values():
        first_of: dict[str, ast.TgwAttachment] = {}
        for att in tgw.attachments:
            vpc = model.get(att.vpc.name, "vpc")
            if vpc is None:
                continue
            first = first_of.get(vpc.name)
            if first is not None:
                diags.append(error(
                    "E309", f"VPC '{vpc.name}' is attached to transit gateway '{tgw.name}' twice",
                    att.vpc.span,
                    f"a VPC has one attachment per transit gateway (the first is at line "
                    f"{first.span.line}); list all its subnets in that one `attach`"))
                continue
            first_of[vpc.name] = att
            if vpc.region_name != tgw.region_name:
                diags.append(error(
                    "E312", f"transit gateway '{tgw.name}' ({tgw.region_name}) cannot attach VPC "
                            f"'{vpc.name}' of region {vpc.region_name}", att.vpc.span,
                    f"a transit gateway is regional and attaches VPCs of its own region: give "
                    f"'{vpc.name}' a transit gateway of its own (`tgw NAME region "
                    f"{vpc.region_name}`), or peer the VPCs (inter-region peering)"))
                continue
            by_zone: dict[str, ast.Subnet] = {}
            for ref in att.subnets:
                subnet = model.get(ref.name, "subnet")
                if subnet is None or subnet.vpc != vpc.name or not subnet.zone:
                    continue  # unknown or another VPC's subnet: the names check reports it
                other = by_zone.get(subnet.zone)
                if other is not None:
                    same = other is subnet
                    diags.append(error(
                        "E309", f"attachment of VPC '{vpc.name}' to transit gateway '{tgw.name}' "
                                + (f"lists subnet '{subnet.name}' twice" if same else
                                   f"uses two subnets in {subnet.zone}: '{other.name}' and '{subnet.name}'"),
                        ref.span,
                        "a transit gateway attachment uses one subnet per Availability Zone; keep one"))
                    continue
                by_zone[subnet.zone] = subnet
        valid = set(names.get(tgw.name, ()))
        for route in (*tgw.routes, *(r for t in tgw.route_tables for r in t.routes)):
            if not isinstance(route.target, ast.Ref):
                continue
            obj = model.get(route.target.name, *_TGW_ATTACHMENT_KINDS)
            if obj is None or obj.name in valid:
                continue
            choices = sorted(valid)
            listed = ", ".join(f"'{n}'" for n in choices[:6]) + (", ..." if len(choices) > 6 else "")
            hint = (f"its attachments are {listed}" if choices
                    else f"transit gateway '{tgw.name}' has no attachments yet")
            if isinstance(obj, ast.Vpc):
                hint = f"attach it (`attach {obj.name}` in transit gateway '{tgw.name}'), or route to an " \
                       f"attachment; " + hint
            diags.append(error(
                "E308", f"transit gateway '{tgw.name}' routes {_dest_text(route.cidr)} to "
                        f"{describe(obj)}, which is not one of its attachments", route.target.span, hint))


# ---------------------------------------------------------------------------- NAT placement

def _check_nat_placement(model: Model, diags: list[Diagnostic]) -> None:
    """W301 (public NAT without an internet route), W302 (NAT in another AZ)."""
    table_of = model.route_table_of
    for vpc in model.vpcs.values():
        users: dict[int, list[ast.Subnet]] = defaultdict(list)
        for s in vpc.members:
            if isinstance(s, ast.Subnet):
                rt = table_of.get(s.name)
                if rt is not None and rt.vpc == vpc.name:
                    users[id(rt)].append(s)
        public = _PublicTables(model)
        for nat in vpc.members:
            if isinstance(nat, (ast.NatGateway, ast.NatInstance)):
                _check_nat_subnet(model, vpc, nat, table_of, users, public, diags)
        for rt in vpc.members:
            if isinstance(rt, ast.RouteTable) and rt.routes:
                _check_nat_zones(model, rt, users.get(id(rt), []), diags)


class _PublicTables:
    """Whether a route table sends all of 0.0.0.0/0 to an internet gateway of its VPC (memoised)."""

    def __init__(self, model: Model):
        self.model = model
        self._known: dict[int, bool] = {}

    def __call__(self, rt: ast.RouteTable) -> bool:
        known = self._known.get(id(rt))
        if known is None:
            to_igw = []
            for route in rt.routes:
                dest = route.dest
                if (isinstance(dest, ast.Cidr) and dest.net is not None and dest.net.version == 4
                        and isinstance(route.target, ast.Ref)):
                    igw = self.model.get(route.target.name, "igw")
                    if igw is not None and igw.vpc == rt.vpc:
                        to_igw.append(dest.net)
            # 0.0.0.0/1 + 128.0.0.0/1 covers the internet as well as 0.0.0.0/0 does.
            known = self._known[id(rt)] = bool(to_igw) and list(collapse_addresses(to_igw)) == [IPV4_DEFAULT]
        return known


def _check_nat_subnet(model: Model, vpc: ast.Vpc, nat, table_of: dict,
                      users: dict[int, list[ast.Subnet]], public: _PublicTables,
                      diags: list[Diagnostic]) -> None:
    if isinstance(nat, ast.NatGateway) and nat.private:
        return
    subnet = model.get(nat.subnet.name, "subnet")
    if subnet is None or subnet.vpc != nat.vpc:
        return
    rt = table_of.get(subnet.name)
    if rt is None or rt.vpc != nat.vpc or public(rt):
        return
    table = "the main route table" if rt.implicit else f"route table '{rt.name}'"
    igw = next((m.name for m in vpc.members if isinstance(m, ast.InternetGateway)), None)
    default = next((r for r in rt.routes if isinstance(r.dest, ast.Cidr) and r.dest.net == IPV4_DEFAULT),
                   None)
    # A public subnet of the same AZ (a NAT stays in its AZ) is the usual fix.
    tables = [t for t in vpc.members if isinstance(t, ast.RouteTable) and t is not rt and public(t)]
    better = next((s.name for t in tables for s in users.get(id(t), ())
                   if s.zone == subnet.zone), None)
    if igw is None:
        fix = (f"add an internet gateway to VPC '{nat.vpc}' (`igw NAME`) and route 0.0.0.0/0 to it "
               f"from subnet '{subnet.name}'")
    elif better is not None:
        fix = f"place it in a public subnet such as '{better}'"
    elif rt.implicit:
        fix = f"associate subnet '{subnet.name}' with a route table holding `0.0.0.0/0 -> {igw}`"
    elif default is not None:
        fix = (f"{table} sends 0.0.0.0/0 elsewhere (line {default.span.line}); place the NAT in a "
               f"subnet whose table routes 0.0.0.0/0 to '{igw}'")
    else:
        fix = f"add `0.0.0.0/0 -> {igw}` to {table}, or place the NAT in a public subnet"
    if isinstance(nat, ast.NatGateway):
        fix += "; a NAT gateway meant for private networks is written `nat NAME in SUBNET private`"
    diags.append(warning(
        "W301", f"{describe(nat)} is public, but its subnet '{subnet.name}' has no 0.0.0.0/0 route to "
                f"an internet gateway in {table}", nat.subnet.span, fix))


def _check_nat_zones(model: Model, rt: ast.RouteTable, users: list[ast.Subnet],
                     diags: list[Diagnostic]) -> None:
    if not users:
        return
    done: set[str] = set()
    for route in rt.routes:
        if not isinstance(route.target, ast.Ref) or route.target.name in done:
            continue
        is_v4 = (isinstance(route.dest, ast.Ref) or
                 (route.dest.net is not None and route.dest.net.version == 4))
        if not is_v4:
            continue
        nat = model.get(route.target.name, "nat")
        if nat is None or nat.vpc != rt.vpc:
            continue
        done.add(nat.name)
        home = model.get(nat.subnet.name, "subnet")
        if home is None or home.vpc != rt.vpc or not home.zone:
            continue
        away = [s for s in users if s.zone and s.zone != home.zone]
        if not away:
            continue
        zones = sorted({s.zone for s in away})
        names = ", ".join(f"'{s.name}'" for s in away[:8]) + (", ..." if len(away) > 8 else "")
        noun = "subnet" if len(away) == 1 else "subnets"
        diags.append(warning(
            "W302", f"route table '{rt.name}' sends {noun} {names} ({', '.join(zones)}) to NAT gateway "
                    f"'{nat.name}' in {home.zone}", route.span,
            f"NAT gateways are zonal: if {home.zone} fails, these subnets lose their outbound access; "
            f"give each AZ its own NAT gateway and route table"))

