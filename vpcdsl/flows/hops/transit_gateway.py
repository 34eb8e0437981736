"""Through a transit gateway, there and back: in at the sender's attachment subnet, the
TGW route table, out at the chosen VPC's attachment subnet (or over a VPN or Direct
Connect to a site), and the routes the response needs (SEMANTICS.md, Transit gateways)."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import routed_address
from .base import HopHandler, Leaving, LeavingSubnet, Onward, ReturnObligation, Walk
from .private_gateway import link_from_site, over_link, tgw_link, to_site


@dataclass(frozen=True)
class RouteToTransitGateway(LeavingSubnet):
    """The subnet the response leaves toward the TGW routes ``address`` to ``tgw``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object


@dataclass(frozen=True)
class BackThroughTransitGateway(ReturnObligation):
    """The TGW routes the response to ``address`` back to VPC ``from_vpc`` (or a VPC that
    holds it), which it enters at attachment subnet ``into``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    from_vpc: str
    into: ast.Subnet
    attachment: ast.TgwAttachment


@dataclass(frozen=True)
class BackFromSiteThroughTransitGateway(ReturnObligation):
    """A site answers over ``link``, a TGW attachment: the TGW routes ``address`` back to
    ``from_vpc``, which it enters at attachment subnet ``into``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    from_vpc: str
    link: object                     # a `vpcdsl.flows.sitelinks.Link`
    into: ast.Subnet
    attachment: ast.TgwAttachment


@dataclass(frozen=True)
class BackToSiteThroughTransitGateway(ReturnObligation):
    """The TGW routes the site's ``address`` over a link to ``site``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    site: ast.Site


def tgw_route(walk: Walk, tgw, address):
    """The TGW route table's entry for the request's ``address``; none or a blackhole blocks."""
    node = f"tgw:{tgw.name}"
    table = walk.dp.tgw_routes.get(tgw.name)
    tentry = table.lookup(address) if table is not None and address is not None else None
    if tentry is None:
        walk.block(node, "route", f"no route in transit gateway '{tgw.name}' matches "
                   f"{walk.dst_words()}", tgw.span)
    if tentry.target == "blackhole":
        walk.block(node, "route", f"blackhole route {tentry.text} of transit gateway "
                   f"'{tgw.name}' drops it", tentry.span)
    return tentry


def _route_to_tgw(walk: Walk, ob: RouteToTransitGateway) -> None:
    subnet, tgw, address = ob.subnet, ob.tgw, ob.address
    walk.route_back(subnet, address, tgw, lambda table, got: (
        f"no return route: subnet '{subnet.name}' has {got} for {address}, "
        f"not transit gateway '{tgw.name}'"))


def _hand_back(walk: Walk, tgw, vpc: str, ob) -> None:
    walk.hop(f"tgw:{tgw.name}", "gateway", "forward", f"{tgw.name} hands the response to VPC "
             f"'{vpc}' at attachment subnet {ob.into.name}", ob.attachment.span, back=True)


def _back_through_tgw(walk: Walk, ob: BackThroughTransitGateway) -> None:
    tgw, address, from_vpc = ob.tgw, ob.address, ob.from_vpc
    node = f"tgw:{tgw.name}"
    lookup = walk.dp.tgw_routes.get(tgw.name)
    back = lookup.lookup(address) if lookup is not None else None
    if back is None:
        walk.block(node, "route", f"no return route: transit gateway '{tgw.name}' has no route "
                   f"for {address}", tgw.span, back=True)
    if back.target == "blackhole":
        walk.block(node, "route", f"blackhole route {back.text} of transit gateway "
                   f"'{tgw.name}' drops the response", back.span, back=True)
    if not isinstance(back.target, ast.Vpc) or (back.target.name != from_vpc
                                                 and not walk.dp.vpc_holds(back.target.name, address)):
        walk.block(node, "route", f"no return route: transit gateway '{tgw.name}' sends "
                   f"{address} by {back.text}, not back to VPC '{from_vpc}'", back.span,
                   back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span,
             back=True)
    _hand_back(walk, tgw, from_vpc, ob)


def _back_from_site(walk: Walk, ob: BackFromSiteThroughTransitGateway) -> None:
    tgw, address, from_vpc, link = ob.tgw, ob.address, ob.from_vpc, ob.link
    link_from_site(walk, link, back=True)
    table = walk.dp.tgw_routes.get(tgw.name)
    back = table.lookup(address) if table is not None and address is not None else None
    node = f"tgw:{tgw.name}"
    if back is None or not isinstance(back.target, ast.Vpc) or back.target.name != from_vpc:
        got = "no route" if back is None else f"route {back.text}"
        walk.block(node, "route", f"no return route: transit gateway '{tgw.name}' has {got} "
                   f"for {address}, not VPC '{from_vpc}'", back.span if back else tgw.span,
                   back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span,
             back=True)
    _hand_back(walk, tgw, from_vpc, ob)


def _back_to_site(walk: Walk, ob: BackToSiteThroughTransitGateway) -> None:
    tgw, address, site = ob.tgw, ob.address, ob.site
    node = f"tgw:{tgw.name}"
    table = walk.dp.tgw_routes.get(tgw.name)
    back = table.lookup(address) if table is not None else None
    link = tgw_link(walk, tgw, back.target, address) if back is not None else None
    if link is None or link.site is not site:
        got = "no route" if back is None else f"route {back.text}"
        walk.block(node, "route", f"no return route: transit gateway '{tgw.name}' has {got} for "
                   f"{address}, not a link to site '{site.name}'", back.span if back else tgw.span,
                   back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span, back=True)
    over_link(walk, link, back=True)


def _delivered_in(walk: Walk, subnet) -> bool:
    """The request is delivered in ``subnet`` itself, without its route table (`route_from`)."""
    return walk.dst.subnet is subnet and walk.dst.kind not in ("internet", "service", "site")


class TransitGatewayHop(HopHandler):
    components = (ast.TransitGateway,)
    settles = {RouteToTransitGateway: _route_to_tgw,
               BackThroughTransitGateway: _back_through_tgw,
               BackFromSiteThroughTransitGateway: _back_from_site,
               BackToSiteThroughTransitGateway: _back_to_site}

    def forward(self, walk: Walk, tgw, leaving: Leaving) -> Onward | None:
        """Into the TGW at the attachment subnet of the sender's AZ, its route table, and out
        at the attachment subnet of the same AZ (else the first) of the VPC it picks."""
        subnet, vpc, entry = leaving.subnet, leaving.vpc, leaving.route
        node = f"tgw:{tgw.name}"
        attached = walk.dp.tgw_attachments.get(tgw.name, {})
        here = attached.get(vpc)
        if here is None:
            walk.block(node, "gateway", f"VPC '{vpc}' is not attached to transit gateway "
                       f"'{tgw.name}'", entry.span)
        enter = here.subnet_in(subnet.zone)
        if enter is None:
            walk.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet "
                       f"of VPC '{vpc}' in {subnet.zone}: resources in that AZ cannot reach it",
                       here.attachment.span)
        # Instance→TGW traffic: the sender's subnet's outbound rules saw it (`route_from`), the
        # attachment subnet's inbound rules see it, also when that is the sender's own subnet;
        # the response (TGW→instance) meets the attachment subnet's outbound rules and the
        # sender's inbound ones, or none when they are one subnet (SEMANTICS.md, NACLs and TGW
        # attachments).
        if enter is not subnet:
            walk.cross(subnet, enter)
        walk._nacl(enter, "in", walk.current_src_address(), walk.port_value)
        walk.hop(node, "gateway", "forward", f"{tgw.name} takes it from VPC '{vpc}' at attachment "
                 f"subnet {enter.name}", here.attachment.span)
        tentry = tgw_route(walk, tgw, routed_address(walk.dst))
        target = tentry.target
        if target is None:
            walk.block(node, "route", f"transit gateway route {tentry.text} names no attachment "
                       f"of '{tgw.name}'", tentry.span)
        walk.hop(node, "route", "forward", f"tgw route {tentry.text} matched", tentry.span)
        if not isinstance(target, ast.Vpc):      # a VPN, Direct Connect or DX gateway: a site
            return _to_site(walk, tgw, target, tentry, vpc, enter, here.attachment)
        there = attached[target.name]
        out = there.subnet_in(enter.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            walk.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        walk.via_tgw = tgw
        walk.obligations.append(BackThroughTransitGateway(tgw, walk.current_src_address(), vpc,
                                                          enter, here.attachment))
        walk.tgw_pending.append(tgw)
        walk.hop(node, "gateway", "forward", f"{tgw.name} hands it to VPC '{target.name}' at "
                 f"attachment subnet {out.name}", there.attachment.span)
        # TGW→instance traffic: the attachment subnet's outbound rules and the instance's
        # subnet's inbound ones see it (`route_from`), none when the instance is in the
        # attachment subnet; its response is instance→TGW traffic all the same.
        if _delivered_in(walk, out):
            walk.cross_back_only(out)
        return Onward(out, target.name)

    def from_site(self, walk: Walk, tgw, link) -> None:
        """A site's request enters the TGW over its attachment and goes to the VPC it routes to."""
        node = f"tgw:{tgw.name}"
        dst = walk.dst
        tentry = tgw_route(walk, tgw, dst.address)
        walk.hop(node, "route", "forward", f"tgw route {tentry.text} matched", tentry.span)
        target = tentry.target
        if not isinstance(target, ast.Vpc) or target.name != dst.vpc:
            walk.block(node, "route", f"transit gateway '{tgw.name}' sends {dst.address} by "
                       f"{tentry.text}, not to VPC '{dst.vpc}'", tentry.span)
        there = walk.dp.tgw_attachments[tgw.name][target.name]
        out = there.subnet_in(dst.subnet.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            walk.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        walk.hop(node, "gateway", "forward", f"{tgw.name} hands it to VPC '{target.name}' at "
                 f"attachment subnet {out.name}", there.attachment.span)
        walk.obligations.append(BackToSiteThroughTransitGateway(tgw, walk.src.address, link.site))
        walk.obligations.append(RouteToTransitGateway(dst.subnet, tgw, walk.src.address))
        # TGW→instance traffic, as from a VPC (`forward`): the attachment subnet's outbound
        # rules, then the instance's subnet's inbound ones, or none in the attachment subnet.
        if _delivered_in(walk, out):
            walk.cross_back_only(out)
        walk.route_from(out, target.name)


def _to_site(walk: Walk, tgw, target, tentry, from_vpc, enter, attachment) -> None:
    """A TGW route names a VPN, Direct Connect or DX gateway: out to its site."""
    link = tgw_link(walk, tgw, target, walk.dst.address)
    node = f"tgw:{tgw.name}"
    if link is None:
        walk.block(node, "route", f"transit gateway route {tentry.text} leads to no site that "
                   f"holds {walk.dst.address}", tentry.span)
    walk.obligations.append(BackFromSiteThroughTransitGateway(tgw, walk.current_src_address(),
                                                              from_vpc, link, enter, attachment))
    to_site(walk, link)
    return None


def answered(walk: Walk, subnet: ast.Subnet, address) -> None:
    """A device in ``subnet`` answers: each pending TGW crossing needs a route back from there,
    which the response takes as it leaves the subnet."""
    for tgw in walk.tgw_pending:
        walk.obligations.append(RouteToTransitGateway(subnet, tgw, address))
    walk.tgw_pending = []
