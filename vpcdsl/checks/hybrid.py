"""Site-to-Site VPN, Direct Connect and BGP: what each link may end on, and CloudHub.

VPN targets (E502) and routing (E509), DX virtual interfaces against their
targets (E503) and DX gateway attachments (E505), links of the wrong site
(E504, E508), ASNs (E506), CloudHub sites on one VGW (E501, E507), the
links that leave a site without a backup (W501) or cannot forward (W502), and
sites that reach a VGW whose VPC has no route back to them (W503).
"""

from __future__ import annotations

from ipaddress import collapse_addresses
from typing import Iterator

from ..aws import AMAZON_SIDE_ASN_RANGES, ASN_RANGES
from ..cidrs import find_overlaps
from ..diagnostics import Diagnostic, Note, error, warning
from ..model.network import KIND_OF, Model, describe
from ..span import Span
from ..syntax import ast
from . import bgp_checks, locate

VPN_TARGETS = ("vgw", "tgw", "instance")
_ASN = r"\basn\s+(\d+)"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from _check_asns(model)
    yield from _check_vpns(model)
    yield from _check_dx_gateways(model)
    yield from _check_direct_connects(model)
    yield from _check_cloudhub(model)
    yield from _check_advertisements(model)
    yield from _check_backups(model)
    yield from _check_routes_back(model)
    yield from bgp_checks.check(model)


# ---------------------------------------------------------------------------- ASNs

def _in(ranges, asn: int) -> bool:
    return any(lo <= asn <= hi for lo, hi in ranges)


def _check_asns(model: Model) -> Iterator[Diagnostic]:
    for site in model.sites.values():
        if site.asn is not None and not _in(ASN_RANGES, site.asn):
            yield error(
                "E506", f"site '{site.name}' has ASN {site.asn}, outside 1..4294967294",
                locate(model, site.span, _ASN),
                "use the site's public ASN, or a private one: 64512..65534 or "
                "4200000000..4294967294")
    amazon_side = [*model.members(ast.VirtualPrivateGateway), *model.tgws.values(),
                   *model.dxgws.values()]
    for gw in amazon_side:
        if gw.asn is not None and not _in(AMAZON_SIDE_ASN_RANGES, gw.asn):
            yield error(
                "E506", f"{describe(gw)} has Amazon-side ASN {gw.asn}, which is not a private ASN",
                locate(model, gw.span, _ASN),
                "the Amazon side takes a private ASN: 64512..65534 or 4200000000..4294967294 "
                "(leave `asn` out for the default, 64512)")


# ---------------------------------------------------------------------------- VPNs

def _check_vpns(model: Model) -> Iterator[Diagnostic]:
    forwarding_checked: set[str] = set()
    for vpn in model.vpns.values():
        if vpn.routing is None:
            yield error(
                "E509", f"VPN '{vpn.name}' chooses no routing", vpn.span,
                "add `bgp` (routes learned over BGP; needed for CloudHub and failover) or "
                "`static CIDR, ...` (the site's networks routed through the tunnels)")
        target = model.get(vpn.target.name)
        if target is not None and KIND_OF[type(target)] not in VPN_TARGETS:
            yield error(
                "E502", f"VPN '{vpn.name}' ends on {describe(target)}", vpn.target.span,
                "a Site-to-Site VPN ends on a virtual private gateway (`vgw`) or a transit "
                "gateway (`tgw`); a software VPN ends on an `instance`")
        elif isinstance(target, ast.Instance) and target.source_dest_check \
                and target.name not in forwarding_checked:
            forwarding_checked.add(target.name)
            yield warning(
                "W502", f"instance '{target.name}' ends VPN '{vpn.name}' but keeps its "
                        f"source/dest check on", _name_span(target),
                f"a software VPN forwards traffic it neither sends nor receives: add "
                f"`source-dest-check off` to instance '{target.name}'")
        if vpn.over is not None:
            dx = model.get(vpn.over.name, "dx")
            if (dx is not None and dx.site.name != vpn.site.name
                    and model.get(vpn.site.name, "site") is not None):
                yield error(
                    "E504", f"VPN '{vpn.name}' of site '{vpn.site.name}' runs over Direct Connect "
                            f"'{dx.name}' of site '{dx.site.name}'", vpn.over.span,
                    f"a VPN runs inside its own site's circuit: name a `dx` of site "
                    f"'{vpn.site.name}', or drop `over`")


# ---------------------------------------------------------------------------- Direct Connect

def _check_dx_gateways(model: Model) -> Iterator[Diagnostic]:
    for dxgw in model.dxgws.values():
        first_of: dict[str, ast.Ref] = {}
        for ref in dxgw.attachments:
            obj = model.get(ref.name)
            if obj is None:
                continue
            kind = KIND_OF[type(obj)]
            if kind not in ("vgw", "tgw"):
                yield error(
                    "E505", f"Direct Connect gateway '{dxgw.name}' is attached to {describe(obj)}",
                    ref.span, "a Direct Connect gateway attaches virtual private gateways or "
                              "transit gateways")
                continue
            first_of.setdefault(kind, ref)
            other = "tgw" if kind == "vgw" else "vgw"
            if other in first_of and first_of[kind] is ref:
                yield error(
                    "E505", f"Direct Connect gateway '{dxgw.name}' is attached to {describe(obj)} "
                            f"and to {describe(model.get(first_of[other].name))}", ref.span,
                    "a Direct Connect gateway serves either virtual private gateways (private "
                    "VIFs) or transit gateways (transit VIFs), not both: use a second `dxgw`")


def _attached(model: Model, dxgw: ast.DxGateway) -> list:
    """The VGWs and TGWs a DX gateway reaches (unresolved names left out)."""
    out = []
    for ref in dxgw.attachments:
        obj = model.get(ref.name, "vgw", "tgw")
        if obj is not None:
            out.append(obj)
    return out


def _check_direct_connects(model: Model) -> Iterator[Diagnostic]:
    for dx in model.dxs.values():
        if dx.target is None:
            if dx.vif != "public":
                yield error(
                    "E503", f"{dx.vif} VIF of Direct Connect '{dx.name}' ends on `aws`",
                    locate(model, dx.span, r"<->\s*(aws)\b"),
                    "`aws` (AWS public services) takes a public VIF; a private VIF ends on a "
                    "`vgw` or `dxgw`, a transit VIF on a `dxgw` attached to a transit gateway")
            continue
        # Names of the wrong kind are E204 (names check); only VGWs and DX gateways remain.
        target = model.get(dx.target.name, "vgw", "dxgw")
        if target is None:
            continue
        if dx.vif == "public":
            yield error(
                "E503", f"public VIF of Direct Connect '{dx.name}' ends on {describe(target)}",
                dx.target.span, "a public VIF reaches AWS public services, never a VPC: write "
                                "`aws`, or use a private VIF")
            continue
        attached = _attached(model, target) if isinstance(target, ast.DxGateway) else []
        tgws = [g for g in attached if isinstance(g, ast.TransitGateway)]
        complete = (not isinstance(target, ast.DxGateway)
                    or len(attached) == len(target.attachments))
        if dx.vif == "transit":
            if isinstance(target, ast.VirtualPrivateGateway):
                yield error(
                    "E503", f"transit VIF of Direct Connect '{dx.name}' ends on {describe(target)}",
                    dx.target.span, "a transit VIF ends on a `dxgw` attached to a transit gateway; "
                                    "for a VGW use a private VIF")
            elif not tgws and complete:
                yield error(
                    "E503", f"transit VIF of Direct Connect '{dx.name}' ends on Direct Connect "
                            f"gateway '{target.name}', which is attached to no transit gateway",
                    dx.target.span, f"attach a transit gateway to '{target.name}', or use a "
                                    f"private VIF for virtual private gateways")
        elif tgws and len(tgws) == len(attached):  # a mixed DX gateway is E505
            yield error(
                "E503", f"private VIF of Direct Connect '{dx.name}' ends on Direct Connect gateway "
                        f"'{target.name}', which is attached to transit gateway '{tgws[0].name}'",
                dx.target.span, "a Direct Connect gateway attached to a transit gateway takes "
                                "transit VIFs: make this VIF `transit`")


# ---------------------------------------------------------------------------- CloudHub

def _check_cloudhub(model: Model) -> Iterator[Diagnostic]:
    """Sites that meet on one VGW over BGP (VPN CloudHub): distinct ASNs, disjoint CIDRs."""
    hubs: dict[str, list[ast.Site]] = {}
    links = [(v.span, v.site, v.target) for v in model.vpns.values() if v.routing == "bgp"]
    links += [(d.span, d.site, d.target) for d in model.dxs.values()
              if d.vif == "private" and d.target is not None]
    for _span, site_ref, target in sorted(links, key=lambda link: _order(link[0])):
        vgw = model.get(target.name, "vgw")
        site = model.get(site_ref.name, "site")
        if vgw is None or site is None:
            continue
        sites = hubs.setdefault(vgw.name, [])
        if site not in sites:
            sites.append(site)
    reported: set[tuple] = set()
    for vgw_name, sites in hubs.items():
        if len(sites) < 2:
            continue
        first_with_asn: dict[int, ast.Site] = {}
        for site in sites:
            if site.asn is None:
                continue
            first = first_with_asn.setdefault(site.asn, site)
            if first is not site and ("asn", site.name, first.name) not in reported:
                reported.add(("asn", site.name, first.name))
                yield error(
                    "E501", f"site '{site.name}' has ASN {site.asn}, like site '{first.name}'; both "
                            f"use BGP on virtual private gateway '{vgw_name}' (CloudHub)",
                    locate(model, site.span, _ASN),
                    "each CloudHub site needs its own ASN, else BGP drops the other site's routes "
                    "as a loop: give one of them another private ASN")
        order = {site.name: i for i, site in enumerate(sites)}
        blocks = [(c.net, (site, c)) for site in sites for c in site.cidrs if c.net is not None]
        for (s1, c1), (s2, c2) in find_overlaps(blocks):
            if s1 is s2:
                continue
            if order[s1.name] > order[s2.name]:
                (s1, c1), (s2, c2) = (s2, c2), (s1, c1)
            key = ("cidr", s2.name, c2.text, s1.name, c1.text)
            if key in reported:
                continue
            reported.add(key)
            yield error(
                "E507", f"CIDR {c2.text} of site '{s2.name}' overlaps {c1.text} of site "
                        f"'{s1.name}'; both reach virtual private gateway '{vgw_name}' (CloudHub)",
                c2.span, "sites that reach each other through one VGW need disjoint networks: "
                         "renumber one, or connect it to another gateway")


def _order(span: Span) -> tuple:
    return (span.file, span.line, span.col)


# ---------------------------------------------------------------------------- advertisements

def _check_advertisements(model: Model) -> Iterator[Diagnostic]:
    for adv in model.advertisements:
        site = model.get(adv.site.name, "site")
        if site is None:
            continue
        net = adv.cidr.net
        nets = [c.net for c in site.cidrs]
        if net is not None and None not in nets and not any(
                n.version == net.version and net.subnet_of(n) for n in nets):
            yield error(
                "E508", f"site '{site.name}' advertises {adv.cidr.text}, outside its CIDRs "
                        f"({', '.join(c.text for c in site.cidrs)})", adv.cidr.span,
                f"a site announces its own networks: add the block to `site {site.name}`, or "
                f"advertise a part of its CIDRs")
        if adv.via is not None:
            link = model.get(adv.via.name, "vpn", "dx")
            if link is not None and link.site.name != site.name:
                yield error(
                    "E508", f"site '{site.name}' advertises over {describe(link)}, a link of site "
                            f"'{link.site.name}'", adv.via.span,
                    f"`via` names a `vpn` or `dx` of site '{site.name}'")


# ---------------------------------------------------------------------------- redundancy

def _check_backups(model: Model) -> Iterator[Diagnostic]:
    """W501: a DX that is a site's only link to a gateway.

    Another DX of the site reaching the same VGW/TGW (directly or through a DX
    gateway) or a VPN from the site to it is a backup; a VPN `over` this DX is
    not (it rides the same circuit). Public VIFs are left out: the internet is
    their fallback.
    """
    by_site: dict[str, list] = {}
    for dx in model.dxs.values():
        if dx.target is not None and model.get(dx.site.name, "site") is not None:
            by_site.setdefault(dx.site.name, []).append(dx)
    if not by_site:
        return
    vpns_of: dict[str, list[ast.Vpn]] = {}
    for vpn in model.vpns.values():
        vpns_of.setdefault(vpn.site.name, []).append(vpn)
    for site_name, dxs in by_site.items():
        ends = {dx.name: _ends_of(model, dx.target) for dx in dxs}
        for dx in dxs:
            mine = ends[dx.name]
            if not mine:
                continue
            covered: set[str] = set()
            for other in dxs:
                if other is not dx:
                    covered.update(g.name for g in ends[other.name])
            for vpn in vpns_of.get(site_name, ()):
                if vpn.over is None or vpn.over.name != dx.name:
                    covered.update(g.name for g in _ends_of(model, vpn.target))
            alone = [g for g in mine if g.name not in covered]
            if alone:
                gateways = ", ".join(describe(g) for g in alone)
                yield warning(
                    "W501", f"Direct Connect '{dx.name}' is the only link from site '{site_name}' "
                            f"to {gateways}", _name_span(dx),
                    f"one connection has no redundancy: add a second `dx` (at another location) "
                    f"or a backup `vpn` from '{site_name}'; a VPN `over {dx.name}` uses the same "
                    f"circuit and is no backup")


def _ends_of(model: Model, ref: ast.Ref | None) -> list:
    """The VGWs and TGWs a link ends on: its target, or a DX gateway's attachments."""
    if ref is None:
        return []
    obj = model.get(ref.name, "vgw", "tgw", "dxgw")
    if isinstance(obj, ast.DxGateway):
        return _attached(model, obj) or [obj]
    return [obj] if obj is not None else []


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


# ---------------------------------------------------------------------------- routes back

def _check_routes_back(model: Model) -> Iterator[Diagnostic]:
    """W503: a VPN or private VIF brings a site to a VGW, but no route table of the VGW's VPC
    propagates that VGW or routes the site's CIDRs to it, so responses never leave.

    Checked per VPC, not per table: which subnets a site talks to is the model's
    choice (a database tier may well keep branches out). A VPN carries its
    `static` CIDRs, or the site's with BGP; a private VIF the site's. VPNs on a
    TGW are left out: the TGW learns their routes itself.
    """
    links = [(vpn, vpn.target, vpn.static_cidrs if vpn.routing == "static" else None)
             for vpn in model.vpns.values()]
    links += [(dx, dx.target, None) for dx in model.dxs.values() if dx.vif == "private" and dx.target]
    back: dict[str, tuple[bool, list]] = {}       # VGW name -> (propagated, static routes to it)
    for link, target, carried in links:
        site = model.get(link.site.name, "site")
        if site is None:
            continue
        cidrs = [c for c in (carried if carried is not None else site.cidrs) if c.net is not None]
        for vgw in _vgws_of(model, target):
            vpc = model.vpcs.get(vgw.vpc)
            if vpc is None or not cidrs:
                continue
            if vgw.name not in back:
                back[vgw.name] = _routes_to(vpc, vgw)
            propagated, routes = back[vgw.name]
            if propagated:
                continue
            missing = [c for c in cidrs if not _covered(c.net, routes)]
            if not missing:
                continue
            listed = ", ".join(c.text + (" (only part of it)" if any(r.overlaps(c.net) for r in routes
                                                                    if r.version == c.net.version) else "")
                               for c in missing)
            yield warning(
                "W503", f"{describe(link)} brings site '{site.name}' to virtual private gateway "
                        f"'{vgw.name}', but no route table of VPC '{vpc.name}' routes {listed} back "
                        f"to it", target.span,
                f"traffic from the site arrives and its responses find no way back: add "
                f"`propagate {vgw.name}` to the route tables of the subnets the site talks to, or "
                f"a static route `{missing[0].text} -> {vgw.name}`",
                [Note(f"virtual private gateway '{vgw.name}' of VPC '{vpc.name}'", _name_span(vgw))])


def _vgws_of(model: Model, ref: ast.Ref) -> list:
    obj = model.get(ref.name, "vgw", "dxgw")
    if isinstance(obj, ast.DxGateway):
        return [g for g in _attached(model, obj) if isinstance(g, ast.VirtualPrivateGateway)]
    return [obj] if obj is not None else []


def _routes_to(vpc: ast.Vpc, vgw) -> tuple[bool, list]:
    """Whether some table of ``vpc`` propagates ``vgw``, and the destinations routed to it."""
    propagated, routes = False, []
    for rt in vpc.of_type(ast.RouteTable):
        propagated = propagated or any(ref.name == vgw.name for ref in rt.propagations)
        routes += [r.dest.net for r in rt.routes
                   if isinstance(r.dest, ast.Cidr) and r.dest.net is not None
                   and isinstance(r.target, ast.Ref) and r.target.name == vgw.name]
    return propagated, routes


def _covered(net, routes: list) -> bool:
    """Every address of ``net`` is routed by one of ``routes`` (several together may)."""
    inside = [r if r.subnet_of(net) else net for r in routes if r.version == net.version and r.overlaps(net)]
    return bool(inside) and list(collapse_addresses(inside)) == [net]
