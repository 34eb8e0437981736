"""The legs of a walk to and from on-premises sites: VPN, Direct Connect, CloudHub.

`HybridLegs` is mixed into the walk (`vpcdsl.flows.trace._Walk`). The links and the
VGW's path choice are in `vpcdsl.flows.sitelinks`. What a trace decides here
(SEMANTICS.md, Hybrid; choices marked * are vpcdsl's where AWS leaves it to
the customer's routers):

- VPC → site through a VGW: the route table sends the packet to the VGW; the
  VGW picks the link by `hybrid.best` (none announces the address: `route`);
  a VGW carries no IPv6 and only its own VPC's traffic (`gateway`; a peering
  never delivers a site's address, so peered VPCs are stopped there, `peering`). Through a TGW: the TGW's route names the link.
- site → VPC: the site sends over one of its links that reaches the VPC —
  Direct Connect before a static VPN before a BGP VPN, then the link written
  first* — to the VPC's VGW, to a TGW attached to it, or to the instance of a
  software VPN (which must have its source/dest check off and forwards into
  the VPC; over BGP its SGs and NACL must pass TCP 179 from the site). The answering subnet's route table must send the response back
  to that gateway, and the gateway must have a route back to the site.
- site → site: through one VGW as an AWS VPN CloudHub (both links BGP or
  Direct Connect), or through one TGW by its route table.
- site → AWS public services: over a public VIF, from an address the site
  announces over it (AWS has no route back to any other).
- a site's traffic never reaches the internet through a VPC (no edge-to-edge
  routing): `gateway`. The internet reaching a site is outside the model.
"""

from __future__ import annotations

from ...syntax import ast
from ..dataplane import ephemeral_range
from ..filters import first_nacl_match, nacl_port_verdicts, sg_allows
from ..flow import FlowError, _word
from ..sitelinks import KIND_RANK, best


class HybridLegs:
    """Hybrid (site) legs of `vpcdsl.flows.trace._Walk`."""

    # ------------------------------------------------------------------ VPC to site

    def _vgw_out(self, vgw, subnet, vpc, entry):
        node = f"vgw:{vgw.name}"
        address = self.dst.address
        if self.dst.kind == "service" or address is None:
            self.block(node, "gateway", f"virtual private gateway '{vgw.name}' leads to on-premises "
                       f"sites, not to {self._dst_words()}", entry.span)
        if address.version == 6:
            self.block(node, "gateway", f"virtual private gateway '{vgw.name}' carries no IPv6",
                       entry.span)
        if self.src.vpc != vgw.vpc and not self.translated:
            self.block(node, "gateway", f"virtual private gateway '{vgw.name}' of VPC '{vgw.vpc}' "
                       f"carries only that VPC's traffic, not {self.packet.src} of VPC "
                       f"'{self.src.vpc}' (no edge-to-edge routing)", entry.span)
        self._cross(subnet, None)
        choice = best(self.dp.links_on.get(vgw.name, []), address)
        if choice is None:
            self.block(node, "route", f"virtual private gateway '{vgw.name}' has learned no route "
                       f"to {address}: no VPN or Direct Connect on it announces it", entry.span)
        self.hop(node, "gateway", "forward", f"{vgw.name} sends it over {choice.link.words} "
                 f"({choice.announce.net}: {choice.why})", choice.announce.span)
        self._to_site(choice.link)
        return None

    def _software_vpn_to(self, box):
        """The software VPN ``box`` ends that carries the destination, if any (its BGP session up)."""
        if self.dst.address is None:
            return None
        choice = best(self.dp.links_on.get(box.name, []), self.dst.address)
        if choice is None:
            return None
        self._bgp_session(box, choice.link)
        return choice.link

    def _bgp_session(self, box, link) -> None:
        """A BGP session ending on an instance runs over TCP 179: the instance's SGs and its
        subnet's NACL must let it in from the site and its answers out, else the session is
        down and so is every route it carries (SEMANTICS.md, Hybrid)."""
        if link.kind != "bgp-vpn":
            return
        host = self.dp.host(box.name)
        peer = next((c.net.network_address + 10 for c in link.site.cidrs if c.net is not None), None)
        node = f"{'nat-instance' if isinstance(box, ast.NatInstance) else 'instance'}:{box.name}"
        probe = type(self)(self.tracer, self.tracer.end(link.site.name), self.tracer.end(box.name), "tcp", "179")
        sgs = self.dp.security_groups(box)
        if not any(sg_allows(probe, sg, "in", peer, None) is not None for sg in sgs):
            self.block(node, "gateway", f"the BGP session of {link.words} is down: no rule of "
                       f"security group {', '.join(sg.name for sg in sgs) or '(none)'} admits TCP 179 from "
                       f"site '{link.site.name}', so no route over it exists",
                       sgs[0].span if sgs else box.span)
        nacl = self.model.nacl_of.get(host.subnet.name) if host is not None else None
        if nacl is not None and not nacl.default:
            rule = first_nacl_match(nacl, "in", 6, 179, None, peer, self.dp.nacl_rules(nacl, "in"))
            _, denied = nacl_port_verdicts(nacl, "out", 6, ephemeral_range(link.site), peer,
                                           self.dp.nacl_rules(nacl, "out"))
            if rule is None or rule.action == "deny" or denied:
                self.block(node, "gateway", f"the BGP session of {link.words} is down: network ACL "
                           f"'{nacl.name}' does not pass TCP 179 from site '{link.site.name}' and its "
                           "answers, so no route over it exists", rule.span if rule else nacl.span)
        self.hop(node, "gateway", "forward", f"BGP session of {link.words} up (TCP 179 passes "
                 f"{box.name}'s security groups and network ACL)", link.obj.span)

    def _tgw_to_site(self, tgw, target, tentry, from_vpc):
        """A TGW route names a VPN, Direct Connect or DX gateway: out to its site."""
        link = self._tgw_link(tgw, target, self.dst.address)
        node = f"tgw:{tgw.name}"
        if link is None:
            self.block(node, "route", f"transit gateway route {tentry.text} leads to no site that "
                       f"holds {self.dst.address}", tentry.span)
        self.return_routes.append((None, "tgw-from-site", (tgw, self.current_src_address(), from_vpc)))
        self._to_site(link)
        return None

    def _tgw_link(self, tgw, target, address):
        """The link of ``tgw`` a TGW route target stands for (a DX gateway: its DX that carries
        ``address``)."""
        links = [lk for lk in self.dp.links_on.get(tgw.name, [])
                 if lk.obj is target or lk.dxgw is target]
        choice = best(links, address) if address is not None else None
        if choice is not None:
            return choice.link
        return links[0] if links and isinstance(target, (ast.Vpn, ast.DirectConnect)) else None

    def _to_site(self, link) -> None:
        """Over ``link`` to its site: delivered there (the site's own network is not modelled)."""
        if link.dxgw is not None:
            self.hop(f"dxgw:{link.dxgw.name}", "gateway", "forward",
                     f"Direct Connect gateway '{link.dxgw.name}' passes it to {link.words}",
                     link.dxgw.span)
        self.hop(link.node, "gateway", "forward", f"{link.words} carries it to site '{link.site.name}'",
                 link.obj.span)
        dst = self.dst
        if dst.kind == "site" and dst.obj is not link.site:
            self.block(f"site:{link.site.name}", "route", f"{dst.address} is in site '{dst.obj.name}', "
                       f"but the route leads to site '{link.site.name}'", link.obj.span)
        self.hop(f"site:{link.site.name}", "site", "deliver", f"delivered to site '{link.site.name}'"
                 + ("" if dst.kind == "site" else f" ({dst.text} is beyond it)"))

    # ------------------------------------------------------------------ from a site

    def _from_site(self) -> None:
        site, dst = self.src.obj, self.dst
        if dst.kind == "internet":
            self.block(f"site:{site.name}", "gateway", f"site '{site.name}' cannot reach the internet "
                       "through a VPC: VPN and Direct Connect traffic never leaves by a VPC's "
                       "internet gateway or NAT (no edge-to-edge routing)", site.span)
        if dst.kind == "service":
            self._public_vif(site)
            return
        if dst.kind == "site":
            self._between_sites(site)
            return
        if dst.vpc is None or dst.subnet is None:
            raise FlowError(f"'{dst.text}' is neither in a VPC nor at a site of the model")
        way = self._site_way(site, dst.vpc)
        if way is None:
            self.block(f"site:{site.name}", "route", f"site '{site.name}' has no VPN or Direct Connect "
                       f"to VPC '{dst.vpc}', nor to a transit gateway attached to it", site.span)
        link = way
        gw = link.gateway
        address = self.src.address
        if link.dxgw is not None:
            self.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                     f"'{site.name}'", link.obj.span)
            self.hop(f"dxgw:{link.dxgw.name}", "gateway", "forward", f"Direct Connect gateway "
                     f"'{link.dxgw.name}' passes it to {_word(gw)} '{gw.name}'", link.dxgw.span)
        else:
            self.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                     f"'{site.name}' to {_word(gw)} '{gw.name}'", link.obj.span)
        if isinstance(gw, ast.VirtualPrivateGateway):
            if dst.address.version == 6:
                self.block(f"vgw:{gw.name}", "gateway", f"virtual private gateway '{gw.name}' carries "
                           "no IPv6", gw.span)
            self.hop(f"vgw:{gw.name}", "gateway", "forward", f"{gw.name} hands it to VPC '{gw.vpc}'",
                     gw.span)
            self.return_routes.append((dst.subnet, "vgw-in", (gw, address)))
            self._cross(None, dst.subnet)
            self._arrive(dst.subnet, dst.vpc)
            return
        if isinstance(gw, ast.TransitGateway):
            self._site_into_tgw(gw, link)
            return
        self._site_into_box(gw, link)

    def _site_way(self, site, vpc: str):
        """The link the site sends traffic for VPC ``vpc`` over: Direct Connect first*."""
        ways = []
        for link in self.dp.site_links.get(site.name, []):
            gw = link.gateway
            if isinstance(gw, ast.VirtualPrivateGateway) and gw.vpc == vpc \
                    or isinstance(gw, ast.TransitGateway) and vpc in self.dp.tgw_attachments.get(gw.name, {}) \
                    or isinstance(gw, (ast.Instance, ast.NatInstance)) and gw.vpc == vpc:
                ways.append(link)
        ways.sort(key=lambda lk: (KIND_RANK.get(lk.kind, 9), lk.order))
        return ways[0] if ways else None

    def _site_into_tgw(self, tgw, link) -> None:
        node = f"tgw:{tgw.name}"
        dst = self.dst
        tentry = self._tgw_route(tgw, dst.address)
        self.hop(node, "route", "forward", f"tgw route {tentry.text} matched", tentry.span)
        target = tentry.target
        if not isinstance(target, ast.Vpc) or target.name != dst.vpc:
            self.block(node, "route", f"transit gateway '{tgw.name}' sends {dst.address} by "
                       f"{tentry.text}, not to VPC '{dst.vpc}'", tentry.span)
        there = self.dp.tgw_attachments[tgw.name][target.name]
        out = there.subnet_in(dst.subnet.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            self.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        self.hop(node, "gateway", "forward", f"{tgw.name} hands it to VPC '{target.name}' at "
                 f"attachment subnet {out.name}", there.attachment.span)
        self.return_routes.append((dst.subnet, "tgw-site", (tgw, self.src.address, link.site)))
        self._cross(None, out)
        if out is not dst.subnet:
            self._nacl(out, "in", self.current_src_address(), self.port_value)
        self._route_from(out, target.name)

    def _site_into_box(self, box, link) -> None:
        """A software VPN: the instance takes the traffic out of the tunnel and forwards it."""
        kind = "nat-instance" if isinstance(box, ast.NatInstance) else "instance"
        node = f"{kind}:{box.name}"
        host = self.dp.host(box.name)
        if host is None:
            self.block(node, "gateway", f"'{box.name}' has no address")
        if box.source_dest_check:
            self.block(node, "gateway", f"'{box.name}' ends VPN '{link.obj.name}' but keeps its "
                       "source/dest check on, so it drops the traffic it would forward from the "
                       "tunnel", box.span)
        self._bgp_session(box, link)
        self.hop(node, "gateway", "forward", f"{box.name} takes it out of the tunnel and forwards "
                 "it into the VPC", box.span)
        self._sg_check(self.tracer.end(box.name), "out", peer_address=self.dst.address, peer=self.dst)
        self.return_routes.append((self.dst.subnet, "box-site", (box, self.src.address)))
        self._route_from(host.subnet, box.vpc)

    def _between_sites(self, site) -> None:
        dst = self.dst
        for link in self.dp.site_links.get(site.name, []):
            gw = link.gateway
            if gw is None or isinstance(gw, (ast.Instance, ast.NatInstance)):
                continue
            if isinstance(gw, ast.VirtualPrivateGateway):
                choice = best(self.dp.links_on.get(gw.name, []), dst.address)
                if choice is None or choice.link.site is not dst.obj:
                    continue
                self.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                         f"'{site.name}' to virtual private gateway '{gw.name}'", link.obj.span)
                for lk in (link, choice.link):
                    if lk.kind == "static-vpn":
                        self.block(f"vgw:{gw.name}", "gateway", f"AWS VPN CloudHub relays between "
                                   f"sites over BGP only: {lk.words} uses static routing",
                                   lk.obj.span)
                self.hop(f"vgw:{gw.name}", "gateway", "forward", f"{gw.name} relays it between sites "
                         f"(VPN CloudHub) over {choice.link.words} ({choice.announce.net}: "
                         f"{choice.why})", choice.announce.span)
                self._to_site(choice.link)
                return
            table = self.dp.tgw_routes.get(gw.name)
            tentry = table.lookup(dst.address) if table is not None else None
            out = self._tgw_link(gw, tentry.target, dst.address) if tentry is not None else None
            if out is None or out.site is not dst.obj:
                continue
            self.hop(link.node, "gateway", "forward", f"{link.words} carries it from site "
                     f"'{site.name}' to transit gateway '{gw.name}'", link.obj.span)
            self.hop(f"tgw:{gw.name}", "route", "forward", f"tgw route {tentry.text} matched",
                     tentry.span)
            self._to_site(out)
            return
        self.block(f"site:{site.name}", "route", f"no VPN or Direct Connect gateway of site "
                   f"'{site.name}' has a route to site '{dst.obj.name}'", site.span)

    def _public_vif(self, site) -> None:
        vifs = [lk for lk in self.dp.site_links.get(site.name, []) if lk.kind == "public-vif"]
        if not vifs:
            raise FlowError(f"site '{site.name}' has no public VIF: it reaches AWS public services "
                            "over its own internet uplink, which the model does not hold",
                            "add `dx NAME SITE <-> aws vif public` to send it over Direct Connect")
        address = self.src.address
        for link in vifs:
            if link.carries(address) is not None:
                self.hop(link.node, "gateway", "forward", f"{link.words} carries it to AWS public "
                         f"services", link.obj.span)
                self.hop(f"service:{self.dst.text}", "service", "deliver", f"delivered to {self.dst.text}")
                return
        link = vifs[0]
        nets = ", ".join(str(a.net) for a in link.announced) or "none"
        self.block(link.node, "route", f"{link.words} carries only the public prefixes site "
                   f"'{site.name}' announces over it ({nets}); {address} is not one, so AWS has no "
                   "route back to it", link.obj.span)

    # ------------------------------------------------------------------ the response

    def _hybrid_return(self, subnet, how, via) -> None:
        if how == "vgw-in":
            vgw, address = via
            self._route_back(subnet, address, vgw, lambda table, got: (
                f"no return route: '{table}' has {got} for {address}, not virtual private gateway "
                f"'{vgw.name}'"))
            choice = best(self.dp.links_on.get(vgw.name, []), address)
            if choice is None:
                self.block(f"vgw:{vgw.name}", "route", f"no return route: virtual private gateway "
                           f"'{vgw.name}' has learned no route to {address}", vgw.span, back=True)
            self.hop(f"vgw:{vgw.name}", "gateway", "forward", f"{vgw.name} sends the response over "
                     f"{choice.link.words} ({choice.announce.net}: {choice.why})",
                     choice.announce.span, back=True)
        elif how == "tgw-site":
            tgw, address, site = via
            self._route_back(subnet, address, tgw, lambda table, got: (
                f"no return route: '{table}' has {got} for {address}, not transit gateway "
                f"'{tgw.name}'"))
            self._tgw_back_to_site(tgw, address, site)
        elif how == "tgw-from-site":
            tgw, address, from_vpc = via
            table = self.dp.tgw_routes.get(tgw.name)
            back = table.lookup(address) if table is not None and address is not None else None
            node = f"tgw:{tgw.name}"
            if back is None or not isinstance(back.target, ast.Vpc) or back.target.name != from_vpc:
                got = "no route" if back is None else f"route {back.text}"
                self.block(node, "route", f"no return route: transit gateway '{tgw.name}' has {got} "
                           f"for {address}, not VPC '{from_vpc}'", back.span if back else tgw.span,
                           back=True)
            self.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span,
                     back=True)
        elif how == "box-site":
            box, address = via
            self._route_back(subnet, address, box, lambda table, got: (
                f"no return route: '{table}' has {got} for {address}, not '{box.name}', the end of "
                "the software VPN"))

    def _tgw_back_to_site(self, tgw, address, site) -> None:
        node = f"tgw:{tgw.name}"
        table = self.dp.tgw_routes.get(tgw.name)
        back = table.lookup(address) if table is not None else None
        link = self._tgw_link(tgw, back.target, address) if back is not None else None
        if link is None or link.site is not site:
            got = "no route" if back is None else f"route {back.text}"
            self.block(node, "route", f"no return route: transit gateway '{tgw.name}' has {got} for "
                       f"{address}, not a link to site '{site.name}'", back.span if back else tgw.span,
                       back=True)
        self.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span, back=True)
