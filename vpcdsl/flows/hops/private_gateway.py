"""Virtual private gateways, VPN and Direct Connect links: out of a VPC to a site by
the VGW's path choice (`vpcdsl.flows.sitelinks.best`), a site's request into the VGW's
VPC and its response back, and the links a TGW or software VPN sends over.

Over IPv6 a VGW chooses among its Direct Connect links only (`vgw_links`): a private VIF
carries IPv6 (it has an IPv6 BGP peering whenever its site has an IPv6 range, as a
transit VIF does), a Site-to-Site VPN on a VGW never does (`no_ipv6_over_vpn`, a
`gateway` drop naming the VPN).

Semantics (SEMANTICS.md, Hybrid) are summarised in `vpcdsl.flows.hops.site`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..dataplane import ephemeral_range
from ..flow import _word
from ..filters import Header, nacl_port_split, nacl_verdict, sg_verdict
from ..sitelinks import best, down_carriers
from ..tgw_tables import DEFAULT as DEFAULT_TGW_TABLE, link_attachment
from .base import HopHandler, Leaving, ReturnObligation, Walk


@dataclass(frozen=True)
class BackThroughVirtualPrivateGateway(ReturnObligation):
    """The answering subnet routes the site's ``address`` to ``vgw``, and the VGW has
    learned a route to it."""

    settled_by = ast.VirtualPrivateGateway
    subnet: ast.Subnet
    vgw: ast.VirtualPrivateGateway
    address: object


@dataclass(frozen=True)
class BackFromSiteThroughVirtualPrivateGateway(ReturnObligation):
    """A site answers over ``link`` to ``vgw``, which hands the response to its VPC."""

    settled_by = ast.VirtualPrivateGateway
    vgw: ast.VirtualPrivateGateway
    link: object                     # a `vpcdsl.flows.sitelinks.Link`


def _back_from_site_through_vgw(walk: Walk, ob: BackFromSiteThroughVirtualPrivateGateway) -> None:
    link_from_site(walk, ob.link, back=True)
    walk.hop(f"vgw:{ob.vgw.name}", "gateway", "forward", f"{ob.vgw.name} hands the response to "
             f"VPC '{ob.vgw.vpc}'", ob.vgw.span, back=True)


def _back_through_vgw(walk: Walk, ob: BackThroughVirtualPrivateGateway) -> None:
    vgw, address = ob.vgw, ob.address
    walk.route_back(ob.subnet, address, vgw, lambda table, got: (
        f"no return route: '{table}' has {got} for {address}, not virtual private gateway "
        f"'{vgw.name}'"))
    choice = best(vgw_links(walk, vgw, address), address)
    if choice is None:
        no_ipv6_over_vpn(walk, vgw, address, vgw.span, back=True)
        walk.block(f"vgw:{vgw.name}", "route", f"no return route: virtual private gateway "
                   f"'{vgw.name}' has learned no route to {address}"
                   + _down_words(vgw_links(walk, vgw, address), address), vgw.span, back=True)
    walk.hop(f"vgw:{vgw.name}", "gateway", "forward", f"{vgw.name} sends the response over "
             f"{choice.link.words} ({choice.announce.net}: {choice.explain})",
             choice.announce.span, back=True)
    over_link(walk, choice.link, back=True)


class PrivateGatewayHop(HopHandler):
    # A VGW is a VPC route target; VPNs, Direct Connects and DX gateways are TGW route
    # targets, which `vpcdsl.flows.hops.transit_gateway` follows to their links.
    components = (ast.VirtualPrivateGateway, ast.Vpn, ast.DirectConnect, ast.DxGateway)
    settles = {BackThroughVirtualPrivateGateway: _back_through_vgw,
               BackFromSiteThroughVirtualPrivateGateway: _back_from_site_through_vgw}

    def forward(self, walk: Walk, vgw, leaving: Leaving) -> None:
        entry = leaving.route
        node = f"vgw:{vgw.name}"
        address = walk.dst.address
        if walk.dst.kind == "service" or address is None:
            walk.block(node, "gateway", f"virtual private gateway '{vgw.name}' leads to on-premises "
                       f"sites, not to {walk.dst_words()}", entry.span)
        no_ipv6_over_vpn(walk, vgw, address, entry.span)
        if walk.src.vpc != vgw.vpc and not walk.translated:
            walk.block(node, "gateway", f"virtual private gateway '{vgw.name}' of VPC '{vgw.vpc}' "
                       f"carries only that VPC's traffic, not {walk.packet.src} of VPC "
                       f"'{walk.src.vpc}' (no edge-to-edge routing)", entry.span)
        walk.cross(leaving.subnet, None)
        choice = best(vgw_links(walk, vgw, address), address)
        if choice is None:
            walk.block(node, "route", f"virtual private gateway '{vgw.name}' has learned no route "
                       f"to {address}: " + _no_route_why(walk, vgw), entry.span)
        walk.hop(node, "gateway", "forward", f"{vgw.name} sends it over {choice.link.words} "
                 f"({choice.announce.net}: {choice.explain})", choice.announce.span)
        walk.obligations.append(BackFromSiteThroughVirtualPrivateGateway(vgw, choice.link))
        to_site(walk, choice.link)
        return None

    def from_site(self, walk: Walk, gw, link) -> None:
        dst = walk.dst
        if dst.address.version == 6 and link.kind != "dx":
            walk.block(f"vgw:{gw.name}", "gateway", vpn_ipv6_words(gw, link), gw.span)
        walk.hop(f"vgw:{gw.name}", "gateway", "forward", f"{gw.name} hands it to VPC '{gw.vpc}'",
                 gw.span)
        walk.obligations.append(BackThroughVirtualPrivateGateway(dst.subnet, gw, walk.src.address))
        walk.cross(None, dst.subnet)
        walk.arrive(dst.subnet, dst.vpc)


def vgw_links(walk: Walk, vgw, address) -> list:
    """The links ``vgw`` may send ``address`` over: all of them over IPv4, its Direct
    Connect VIFs only over IPv6 (a private VIF carries IPv6, a Site-to-Site VPN on a VGW
    does not; SEMANTICS.md, Hybrid)."""
    links = walk.dp.links_on.get(vgw.name, [])
    return links if address.version == 4 else [lk for lk in links if lk.kind == "dx"]


def vpn_ipv6_words(vgw, link) -> str:
    """Why ``vgw`` drops IPv6 that would go over the VPN ``link``."""
    return (f"virtual private gateway '{vgw.name}' carries no IPv6 over {link.words}: a "
            "Site-to-Site VPN on a virtual private gateway carries IPv4 only (IPv6 over a VPN "
            "needs a transit gateway; a Direct Connect private VIF carries it)")


def no_ipv6_over_vpn(walk: Walk, vgw, address, span, back: bool = False) -> None:
    """Over IPv6, the `gateway` drop where no Direct Connect link of ``vgw`` carries
    ``address`` but one of its VPNs would (or it has VPNs and no Direct Connect at all):
    https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html."""
    if address.version != 6 or best(vgw_links(walk, vgw, address), address) is not None:
        return
    links = walk.dp.links_on.get(vgw.name, [])
    vpns = [lk for lk in links if lk.kind != "dx"]
    choice = best(vpns, address)
    vpn = choice.link if choice is not None else \
        vpns[0] if vpns and len(vpns) == len(links) else None
    if vpn is not None:
        walk.block(f"vgw:{vgw.name}", "gateway", vpn_ipv6_words(vgw, vpn), span, back=back)


def _down_words(links, address) -> str:
    """`: LINK is down ...` when the only links that would carry ``address`` are down (AWS
    withdraws a route whose tunnels or BGP session are down), else nothing."""
    down = down_carriers(links, address)
    if not down:
        return ""
    sites = ", ".join(dict.fromkeys(f"'{lk.site.name}'" for lk in down))
    return (f": {', '.join(lk.down_words for lk in down)}, the only "
            f"{'link' if len(down) == 1 else 'links'} announcing it, "
            f"{'is' if len(down) == 1 else 'are'} down, so site {sites} is unreachable")


def _no_route_why(walk: Walk, vgw) -> str:
    """Why a VGW has no route to the destination: no link announces it, and when the
    destination is a VPC behind another VGW on the same DX gateway, that a DX gateway
    does not carry traffic between its VGWs (SEMANTICS.md, Hybrid: DX gateways)."""
    dst = walk.dst
    down = _down_words(vgw_links(walk, vgw, dst.address), dst.address)
    if down:
        return down[2:]
    if dst.vpc is not None and dst.vpc != vgw.vpc:
        for dxgw in walk.model.dxgws.values():
            names = {r.name for r in dxgw.attachments}
            other = next((g for g in walk.model.members(ast.VirtualPrivateGateway)
                          if g.vpc == dst.vpc and g.name in names), None)
            if vgw.name in names and other is not None:
                return (f"Direct Connect gateway '{dxgw.name}' does not carry traffic between "
                        f"the virtual private gateways attached to it ('{vgw.name}' and "
                        f"'{other.name}'); connect VPC '{vgw.vpc}' and VPC '{dst.vpc}' by "
                        "peering or a transit gateway")
    return "no VPN or Direct Connect on it announces it"


def to_site(walk: Walk, link) -> None:
    """Over ``link`` to its site: delivered there (the site's own network is not modelled)."""
    over_link(walk, link)
    dst = walk.dst
    if dst.kind == "site" and dst.obj is not link.site:
        walk.block(f"site:{link.site.name}", "route", f"{dst.address} is in site '{dst.obj.name}', "
                   f"but the route leads to site '{link.site.name}'", link.obj.span)
    walk.hop(f"site:{link.site.name}", "site", "deliver", f"delivered to site '{link.site.name}'"
             + ("" if dst.kind == "site" else f" ({dst.text} is beyond it)"))


def over_link(walk: Walk, link, back: bool = False) -> None:
    """From a VGW or TGW over ``link`` to its site: the DX gateway a VIF passes, then the
    link itself, each a hop (the request, or with ``back`` the response)."""
    what = "the response" if back else "it"
    gw = link.gateway
    if isinstance(gw, ast.TransitGateway):
        address = walk.src.address if back else walk.dst.address
        if link.down:
            walk.block(link.node, "route", f"{link.down_words} is down and no other link of transit "
                       f"gateway '{gw.name}' carries {address}, so site '{link.site.name}' is "
                       "unreachable", link.obj.span, back=back)
        choice = tgw_choice(walk, gw, link.obj, address, link) if address is not None else None
        if choice is not None and (choice.losers or choice.down or choice.ecmp):
            walk.hop(f"tgw:{gw.name}", "gateway", "forward", f"{gw.name} sends {what} over "
                     f"{choice.link.words} ({choice.announce.net}: {choice.explain})",
                     choice.announce.span, back=back)
    if link.dxgw is not None:
        walk.hop(f"dxgw:{link.dxgw.name}", "gateway", "forward",
                 f"Direct Connect gateway '{link.dxgw.name}' passes {what} to {link.words}",
                 link.dxgw.span, back=back)
    walk.hop(link.node, "gateway", "forward", f"{link.words} carries {what} to site "
             f"'{link.site.name}'", link.obj.span, back=back)


def link_from_site(walk: Walk, link, back: bool = False) -> None:
    """From a site over ``link`` toward its gateway: the link, then the DX gateway a VIF
    passes, each a hop (the request, or with ``back`` the response)."""
    site, gw, what = link.site, link.gateway, "the response" if back else "it"
    if link.dxgw is not None:
        walk.hop(link.node, "gateway", "forward", f"{link.words} carries {what} from site "
                 f"'{site.name}'", link.obj.span, back=back)
        walk.hop(f"dxgw:{link.dxgw.name}", "gateway", "forward", f"Direct Connect gateway "
                 f"'{link.dxgw.name}' passes {what} to {_word(gw)} '{gw.name}'", link.dxgw.span,
                 back=back)
    else:
        walk.hop(link.node, "gateway", "forward", f"{link.words} carries {what} from site "
                 f"'{site.name}' to {_word(gw)} '{gw.name}'", link.obj.span, back=back)


def tgw_link(walk: Walk, tgw, target, address):
    """The link of ``tgw`` a TGW route target stands for: `tgw_choice`'s; when every link
    that would carry ``address`` is down, one of them (`over_link` drops the packet there,
    saying so); for no address, the target's first link."""
    choice = tgw_choice(walk, tgw, target, address) if address is not None else None
    if choice is not None:
        return choice.link
    own = _links_of(walk, tgw, target)
    down = down_carriers(own, address) if address is not None else ()
    if down:
        return down[0]
    return own[0] if own and isinstance(target, (ast.Vpn, ast.DirectConnect)) else None


def _links_of(walk: Walk, tgw, target) -> list:
    """The links of ``tgw`` a route target names: a VPN, a Direct Connect, or the transit
    VIFs of a DX gateway."""
    index = walk.dp.__dict__.get("_links_of_target")
    if index is None:                # built once per data plane, like `announcers`
        index = walk.dp.__dict__["_links_of_target"] = {}
        for name, links in walk.dp.links_on.items():
            for lk in links:
                index.setdefault((name, id(lk.obj)), []).append(lk)
                if lk.dxgw is not None:
                    index.setdefault((name, id(lk.dxgw)), []).append(lk)
    return index.get((tgw.name, id(target)), [])


def tgw_choice(walk: Walk, tgw, target, address, chosen=None):
    """The TGW's choice among its links for ``address`` when its route names ``target``
    (with ``chosen``: the choice that picked that link, for the hop that shows it).

    A route the TGW learned from a link (propagated) stands for every link that announces
    the same prefix into that route table: the table holds them all and AWS picks among
    them (`best`: a static VPN's routes, then Direct Connect, then BGP VPNs, AS path, MED,
    ECMP with `vpn-ecmp`; TGW guide, "Route evaluation order",
    https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html). A static
    route written to ``target`` (`route CIDR -> LINK`) keeps to its links."""
    own = _links_of(walk, tgw, target)
    carried = [a for lk in own if (a := lk.carries(address)) is not None]
    if not carried:
        return None
    net = max(carried, key=lambda a: a.net.prefixlen).net
    if _written_route(tgw, net, target):
        return best(own, address)
    links = [lk for lk in announcers(walk.dp, tgw.name, net) if lk.carries(address).net == net]
    tables = getattr(walk.dp, "tgw_tables", {}).get(tgw.name)
    if tables is None:
        return best(links, address)
    for name, lookup in tables.tables.items():
        entry = lookup.lookup(address)
        if entry is None or entry.origin != "propagated" or entry.dest != net:
            continue
        into = _propagating_into(tgw, name)
        choice = best([lk for lk in links if into is None or link_attachment(lk) in into], address)
        if choice is None:
            continue
        if entry.target is target if chosen is None else choice.link is chosen:
            return choice
    return best(own, address)


def announcers(dp, gateway: str, net) -> list:
    """The links of ``gateway`` that announce ``net`` itself, in link order: an index built
    once per data plane (a TGW of hundreds of VPNs is not scanned link by link per trace)."""
    index = dp.__dict__.get("_announcers")
    if index is None:
        index = dp.__dict__["_announcers"] = {}
        for name, links in dp.links_on.items():
            by_net = index[name] = {}
            for lk in links:
                for a in lk.announced:
                    got = by_net.setdefault(a.net, [])
                    if not got or got[-1] is not lk:
                        got.append(lk)
    return index.get(gateway, {}).get(net, [])


def _propagating_into(tgw, table: str) -> set | None:
    """The attachments that propagate into route table ``table`` of ``tgw`` (None: every
    attachment, as into the default table with default propagation on)."""
    if table == DEFAULT_TGW_TABLE and tgw.default_propagation:
        return None
    return {ref.name for b in tgw.route_tables if b.name == table for ref in b.propagations}


def _written_route(tgw, net, target) -> bool:
    """A static route of ``tgw`` (any of its route tables) for ``net`` names ``target``."""
    routes = [*tgw.routes, *(r for t in getattr(tgw, "route_tables", ()) for r in t.routes)]
    return any(r.cidr.net == net and getattr(r.target, "name", None) == target.name
               for r in routes)


def software_vpn_to(walk: Walk, box):
    """The software VPN ``box`` ends that carries the destination, if any (its BGP session up)."""
    if walk.dst.address is None:
        return None
    choice = best(walk.dp.links_on.get(box.name, []), walk.dst.address)
    if choice is None:
        return None
    bgp_session(walk, box, choice.link)
    return choice.link


def bgp_session(walk: Walk, box, link) -> None:
    """A BGP session ending on an instance runs over TCP 179: the instance's SGs and its
    subnet's NACL must let it in from the site and its answers out, else the session is
    down and so is every route it carries (SEMANTICS.md, Hybrid)."""
    if link.kind != "bgp-vpn":
        return
    host = walk.dp.host(box.name)
    peer = next((c.net.network_address + 10 for c in link.site.cidrs if c.net is not None), None)
    node = f"{'nat-instance' if isinstance(box, ast.NatInstance) else 'instance'}:{box.name}"
    sgs = walk.dp.security_groups(box)
    if not sg_verdict(sgs, "in", Header(6, src=peer, port=179), None).allowed:
        walk.block(node, "gateway", f"the BGP session of {link.words} is down: no rule of "
                   f"security group {', '.join(sg.name for sg in sgs) or '(none)'} admits TCP 179 from "
                   f"site '{link.site.name}', so no route over it exists",
                   sgs[0].span if sgs else box.span)
    nacl = walk.model.nacl_of.get(host.subnet.name) if host is not None else None
    if nacl is not None and not nacl.default:
        match = nacl_verdict(nacl, "in", Header(6, src=peer, port=179),
                             rules=walk.dp.nacl_rules(nacl, "in"))
        _, denied = nacl_port_split(nacl, "out", Header(6, dst=peer), ephemeral_range(link.site),
                                    rules=walk.dp.nacl_rules(nacl, "out"))
        rule = match.rule
        if rule is None or rule.action == "deny" or denied:
            walk.block(node, "gateway", f"the BGP session of {link.words} is down: network ACL "
                       f"'{nacl.name}' does not pass TCP 179 from site '{link.site.name}' and its "
                       "answers, so no route over it exists", rule.span if rule else nacl.span)
    walk.hop(node, "gateway", "forward", f"BGP session of {link.words} up (TCP 179 passes "
             f"{box.name}'s security groups and network ACL)", link.obj.span)
