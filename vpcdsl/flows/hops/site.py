"""Flows from on-premises sites: into a VPC over VPN and Direct Connect, between sites
(CloudHub, TGW), to AWS public services over a public VIF. The links and the VGW's path
choice are in `vpcdsl.flows.sitelinks`; the gateways' own steps in
`vpcdsl.flows.hops.private_gateway`, `.transit_gateway` and `.appliance`.

What a trace decides about sites (SEMANTICS.md, Hybrid; choices marked * are
vpcdsl's where AWS leaves it to the customer's routers):

- VPC → site through a VGW: the route table sends the packet to the VGW; the
  VGW picks the link by `hybrid.best` (none announces the address: `route`);
  a VGW carries IPv6 over Direct Connect only, never over a VPN, and only its
  own VPC's traffic (`gateway`; a peering
  never delivers a site's address, so peered VPCs are stopped there, `peering`). Through a TGW: the TGW's route names the link.
- site → VPC: the site sends over one of its links that reaches the VPC —
  Direct Connect before a static VPN before a BGP VPN, then the link written
  first*; over IPv6 a VPN on a VGW last (it carries no IPv6, so the site learns
  no IPv6 route over it) — to the VPC's VGW, to a TGW attached to it, or to the instance of a
  software VPN (which must have its source/dest check off and forwards into
  the VPC; over BGP its SGs and NACL must pass TCP 179 from the site). The answering subnet's route table must send the response back
  to that gateway, and the gateway must have a route back to the site.
- site → site: through one VGW as an AWS VPN CloudHub (both links BGP or
  Direct Connect), through one TGW by its route table, or through an instance
  ending both sites' software VPNs (a transit VPC's appliance), which passes it
  from one tunnel into the other by its own routing.
- a BGP VPN ending on a `down` instance is down: the site sends by another link.
- site → AWS public services: over a public VIF, from an address the site
  announces over it (AWS has no route back to any other).
- a site's traffic never reaches the internet through a VPC (no edge-to-edge
  routing): `gateway`. The internet reaching a site is outside the model.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import FlowError
from ..sitelinks import KIND_RANK, best
from ..tgw_tables import link_attachment
from .appliance import down_reason, tunnel_down
from .base import HopHandler, ReturnObligation, Walk
from .private_gateway import link_from_site, over_link, tgw_link, to_site, vgw_links, vpn_ipv6_words


@dataclass(frozen=True)
class BackBetweenSites(ReturnObligation):
    """The answering site sends the response over ``link`` (the one the request arrived
    by) to ``gateway``, a VGW (CloudHub) or a TGW, which needs its own route back to the
    client's address over a link to the client's site."""

    settled_by = ast.Site
    gateway: object
    link: object                     # a `vpcdsl.flows.sitelinks.Link`
    client: ast.Site


def _back_between_sites(walk: Walk, ob: BackBetweenSites) -> None:
    gw, address = ob.gateway, walk.src.address
    link_from_site(walk, ob.link, back=True)
    node = f"{'vgw' if isinstance(gw, ast.VirtualPrivateGateway) else 'tgw'}:{gw.name}"
    if isinstance(gw, ast.VirtualPrivateGateway):
        choice = best(vgw_links(walk, gw, address), address)
        back = choice.link if choice is not None else None
        detail = back and f"{gw.name} relays the response (VPN CloudHub) over {back.words} " \
            f"({choice.announce.net}: {choice.explain})"
        span = choice.announce.span if choice is not None else gw.span
    else:
        table = walk.dp.tgw_table(gw.name, link_attachment(ob.link))   # it enters by that link
        entry = table.lookup(address) if table is not None else None
        back = tgw_link(walk, gw, entry.target, address) if entry is not None else None
        detail = back and f"tgw route {entry.text} matched"
        span = entry.span if entry is not None else gw.span
    if back is None or back.site is not ob.client:
        got = f"route {entry.text}" if not isinstance(gw, ast.VirtualPrivateGateway) \
            and entry is not None else "no route"
        walk.block(node, "route", f"no return route: {gw.name} has {got} for {address}, not a "
                   f"link to site '{ob.client.name}'", span, back=True)
    walk.hop(node, "gateway", "forward", detail, span, back=True)
    over_link(walk, back, back=True)


class SiteHop(HopHandler):
    components = (ast.Site,)
    settles = {BackBetweenSites: _back_between_sites}

    def start(self, walk: Walk) -> None:
        _from_site(walk)


def _from_site(walk: Walk) -> None:
    site, dst = walk.src.obj, walk.dst
    if dst.kind == "internet":
        walk.block(f"site:{site.name}", "gateway", f"site '{site.name}' cannot reach the internet "
                   "through a VPC: VPN and Direct Connect traffic never leaves by a VPC's "
                   "internet gateway or NAT (no edge-to-edge routing)", site.span)
    if dst.kind == "service":
        _public_vif(walk, site)
        return
    if dst.kind == "site":
        _between_sites(walk, site)
        return
    if dst.vpc is None or dst.subnet is None:
        raise FlowError(f"'{dst.text}' is neither in a VPC nor at a site of the model")
    ways = _site_ways(walk, site, dst.vpc)
    up = [lk for lk in ways if not lk.down and not tunnel_down(lk)]
    if not up and ways:
        walk.block(f"site:{site.name}", "route", f"site '{site.name}' cannot reach VPC "
                   f"'{dst.vpc}': {_is_down(ways)}, and it has no other VPN or Direct Connect "
                   "there", ways[0].obj.span)
    if not up:
        walk.block(f"site:{site.name}", "route", f"site '{site.name}' has no VPN or Direct Connect "
                   f"to VPC '{dst.vpc}', nor to a transit gateway attached to it", site.span)
    link = up[0]
    skipped = ways[:ways.index(link)]      # preferred, but down
    if skipped:
        walk.hop(f"site:{site.name}", "site", "forward", f"{_is_down(skipped)}: site "
                 f"'{site.name}' sends it over {link.words}", link.obj.span)
    gw = link.gateway
    link_from_site(walk, link)
    walk.handler(gw).from_site(walk, gw, link)   # a VGW, a TGW or a software VPN's instance


def _is_down(links) -> str:
    words = [lk.down_words + (f" ({down_reason(lk.gateway)})" if tunnel_down(lk) else "") for lk in links]
    return f"{', '.join(words)} {'is' if len(links) == 1 else 'are'} down"


def _site_ways(walk: Walk, site, vpc: str) -> list:
    """The links the site may send traffic for VPC ``vpc`` over, the one it uses first:
    Direct Connect first*; those `down` are skipped by the caller."""
    ways, far = [], set()
    for link in walk.dp.site_links.get(site.name, []):
        gw = link.gateway
        if isinstance(gw, ast.VirtualPrivateGateway) and gw.vpc == vpc \
                or isinstance(gw, ast.TransitGateway) and vpc in walk.dp.tgw_attachments.get(gw.name, {}) \
                or isinstance(gw, (ast.Instance, ast.NatInstance)) and gw.vpc == vpc:
            ways.append(link)
        elif isinstance(gw, ast.TransitGateway) and _beyond_peerings(walk, gw, vpc):
            ways.append(link)
            far.add(id(link))
    six = walk.dst.address is not None and walk.dst.address.version == 6
    ways.sort(key=lambda lk: (six and _vpn_on_vgw(lk), id(lk) in far, KIND_RANK.get(lk.kind, 9),
                              lk.order))
    return ways


def _beyond_peerings(walk: Walk, tgw, vpc: str) -> bool:
    """Whether VPC ``vpc`` is attached to a TGW that ``tgw`` reaches over its peering
    attachments (one or more): the site sends toward it, and the TGWs' route tables decide
    (each side needs a static route to the peering; https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html).
    A link to a TGW the VPC is attached to itself is preferred*."""
    seen, todo = {tgw.name}, [tgw.name]
    while todo:
        tables = walk.dp.tgw_tables.get(todo.pop())
        for link in (tables.peers.values() if tables is not None else ()):
            name = link.other.name
            if name in seen:
                continue
            if vpc in walk.dp.tgw_attachments.get(name, {}):
                return True
            seen.add(name)
            todo.append(name)
    return False


def _vpn_on_vgw(link) -> bool:
    """A VPN ending on a VGW: it carries no IPv6 (a `gateway` drop at the VGW)."""
    return link.kind != "dx" and isinstance(link.gateway, ast.VirtualPrivateGateway)


def _between_sites(walk: Walk, site) -> None:
    dst = walk.dst
    links = walk.dp.site_links.get(site.name, [])
    if dst.address.version == 6:          # links that carry IPv6 first
        links = sorted(links, key=_vpn_on_vgw)
    for link in links:
        gw = link.gateway
        if gw is None or link.down or tunnel_down(link):
            continue
        if isinstance(gw, (ast.Instance, ast.NatInstance)):   # a software VPN hub
            if walk.handler(gw).between_sites(walk, gw, link, site):
                return
            continue
        if isinstance(gw, ast.VirtualPrivateGateway):
            choice = best(walk.dp.links_on.get(gw.name, []), dst.address)
            if choice is None or choice.link.site is not dst.obj:
                continue
            if dst.address.version == 6:  # over a VIF of the VGW if one carries it
                vif = best(vgw_links(walk, gw, dst.address), dst.address)
                if vif is not None and vif.link.site is not dst.obj:
                    continue
                choice = vif or choice
            walk.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                     f"'{site.name}' to virtual private gateway '{gw.name}'", link.obj.span)
            if dst.address.version == 6:
                for lk in (link, choice.link):
                    if lk.kind != "dx":
                        walk.block(f"vgw:{gw.name}", "gateway", vpn_ipv6_words(gw, lk), lk.obj.span)
            for lk in (link, choice.link):
                if lk.kind == "static-vpn":
                    walk.block(f"vgw:{gw.name}", "gateway", f"AWS VPN CloudHub relays between "
                               f"sites over BGP only: {lk.words} uses static routing",
                               lk.obj.span)
            walk.hop(f"vgw:{gw.name}", "gateway", "forward", f"{gw.name} relays it between sites "
                     f"(VPN CloudHub) over {choice.link.words} ({choice.announce.net}: "
                     f"{choice.explain})", choice.announce.span)
            walk.obligations.append(BackBetweenSites(gw, choice.link, site))
            to_site(walk, choice.link)
            return
        table = walk.dp.tgw_table(gw.name, link_attachment(link))     # it enters by its link
        tentry = table.lookup(dst.address) if table is not None else None
        out = tgw_link(walk, gw, tentry.target, dst.address) if tentry is not None else None
        if out is None or out.site is not dst.obj:
            continue
        walk.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                 f"'{site.name}' to transit gateway '{gw.name}'", link.obj.span)
        walk.hop(f"tgw:{gw.name}", "route", "forward", f"tgw route {tentry.text} matched",
                 tentry.span)
        walk.obligations.append(BackBetweenSites(gw, out, site))
        to_site(walk, out)
        return
    down = [lk for lk in links if lk.down or tunnel_down(lk)]
    walk.block(f"site:{site.name}", "route", f"no VPN or Direct Connect gateway of site "
               f"'{site.name}' has a route to site '{dst.obj.name}'"
               + (f" ({_is_down(down)})" if down else ""), site.span)


def _public_vif(walk: Walk, site) -> None:
    vifs = [lk for lk in walk.dp.site_links.get(site.name, []) if lk.kind == "public-vif"]
    if not vifs:
        raise FlowError(f"site '{site.name}' has no public VIF: it reaches AWS public services "
                        "over its own internet uplink, which the model does not hold",
                        "add `dx NAME SITE <-> aws vif public` to send it over Direct Connect")
    address = walk.src.address
    if all(lk.down for lk in vifs):
        walk.block(vifs[0].node, "route", f"{_is_down(vifs)}: site '{site.name}' has no public "
                   "VIF up to AWS public services", vifs[0].obj.span)
    vifs = [lk for lk in vifs if not lk.down]
    for link in vifs:
        if link.carries(address) is not None:
            walk.hop(link.node, "gateway", "forward", f"{link.words} carries it to AWS public "
                     f"services", link.obj.span)
            walk.hop(f"service:{walk.dst.text}", "service", "deliver", f"delivered to {walk.dst.text}")
            return
    link = vifs[0]
    nets = ", ".join(str(a.net) for a in link.announced) or "none"
    walk.block(link.node, "route", f"{link.words} carries only the public prefixes site "
               f"'{site.name}' announces over it ({nets}); {address} is not one, so AWS has no "
               "route back to it", link.obj.span)
