"""Through a transit gateway, there and back: in at the sender's attachment subnet, the
route table associated with the attachment it entered by (and over peering attachments to
other TGWs), out at the chosen VPC's attachment subnet (or over a VPN or Direct Connect to a
site), and the routes the response needs (SEMANTICS.md, Transit gateways). The lookups are
`vpcdsl.flows.hops.tgw_lookup`; appliance mode is `vpcdsl.flows.hops.tgw_appliance`."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import routed_address
from ..tgw_tables import link_attachment
from .base import HopHandler, Leaving, LeavingSubnet, Onward, ReturnObligation, Walk
from .private_gateway import link_from_site, over_link, tgw_link, to_site
from .tgw_appliance import ApplianceCheck, appliance_check, settle_appliance, zone_answered
from .tgw_lookup import back_through, through


@dataclass(frozen=True)
class RouteToTransitGateway(LeavingSubnet):
    """The subnet the response leaves toward the TGW routes ``address`` to ``tgw``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object


@dataclass(frozen=True)
class BackThroughTransitGateway(ReturnObligation):
    """The response enters the last TGW of ``path`` by ``enters_by`` (the attachment the
    request left by) and is routed back over the path to VPC ``from_vpc`` (or a VPC that
    holds ``address``), which it enters at attachment subnet ``into``. ``handed_to``: the
    VPC and attachment subnet the request was handed to; ``appliance``: the AZ check of a
    flow through an appliance in that VPC (`tgw_appliance`)."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    from_vpc: str
    into: ast.Subnet
    attachment: ast.TgwAttachment
    path: tuple = ()
    enters_by: str = ""
    handed_to: tuple = ()
    appliance: ApplianceCheck | None = None


@dataclass(frozen=True)
class BackFromSiteThroughTransitGateway(ReturnObligation):
    """A site answers over ``link``, an attachment of the last TGW of ``path``: the TGWs
    route ``address`` back to ``from_vpc``, which it enters at attachment subnet ``into``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    from_vpc: str
    link: object                     # a `vpcdsl.flows.sitelinks.Link`
    into: ast.Subnet
    attachment: ast.TgwAttachment
    path: tuple = ()


@dataclass(frozen=True)
class BackToSiteThroughTransitGateway(ReturnObligation):
    """The response enters the last TGW of ``path`` by ``enters_by`` (the VPC answering);
    the TGWs route the site's ``address`` over a link to ``site``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    site: ast.Site
    path: tuple = ()
    enters_by: str = ""


def _route_to_tgw(walk: Walk, ob: RouteToTransitGateway) -> None:
    subnet, tgw, address = ob.subnet, ob.tgw, ob.address
    walk.route_back(subnet, address, tgw, lambda table, got: (
        f"no return route: subnet '{subnet.name}' has {got} for {address}, "
        f"not transit gateway '{tgw.name}'"))


def _hand_back(walk: Walk, tgw, vpc: str, ob) -> None:
    walk.hop(f"tgw:{tgw.name}", "gateway", "forward", f"{tgw.name} hands the response to VPC "
             f"'{vpc}' at attachment subnet {ob.into.name}", ob.attachment.span, back=True)


def _back_through_tgw(walk: Walk, ob: BackThroughTransitGateway) -> None:
    address, from_vpc = ob.address, ob.from_vpc
    tgw, back, what, span, words = back_through(walk, ob.path, ob.enters_by, address)
    node = f"tgw:{tgw.name}"
    if back is None:
        walk.block(node, "route", f"no return route: {what} has no route for {address}", span,
                   back=True)
    if back.target == "blackhole":
        walk.block(node, "route", f"blackhole route {back.text} of {what} drops the response",
                   back.span, back=True)
    if not isinstance(back.target, ast.Vpc) or (back.target.name != from_vpc
                                                 and not walk.dp.vpc_holds(back.target.name, address)):
        walk.block(node, "route", f"no return route: {what} sends {address} by {back.text}, not "
                   f"back to VPC '{from_vpc}'", back.span, back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched{words}", back.span,
             back=True)
    if ob.appliance is not None:
        settle_appliance(walk, tgw, ob.appliance, address)
    _hand_back(walk, tgw, from_vpc, ob)


def _back_from_site(walk: Walk, ob: BackFromSiteThroughTransitGateway) -> None:
    address, from_vpc, link = ob.address, ob.from_vpc, ob.link
    link_from_site(walk, link, back=True)
    tgw, back, what, span, words = back_through(walk, ob.path, link_attachment(link), address)
    node = f"tgw:{tgw.name}"
    if back is None or not isinstance(back.target, ast.Vpc) or back.target.name != from_vpc:
        got = "no route" if back is None else f"route {back.text}"
        walk.block(node, "route", f"no return route: {what} has {got} for {address}, not VPC "
                   f"'{from_vpc}'", back.span if back else span, back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched{words}", back.span,
             back=True)
    _hand_back(walk, tgw, from_vpc, ob)


def _back_to_site(walk: Walk, ob: BackToSiteThroughTransitGateway) -> None:
    address, site = ob.address, ob.site
    tgw, back, what, span, words = back_through(walk, ob.path, ob.enters_by, address)
    node = f"tgw:{tgw.name}"
    link = tgw_link(walk, tgw, back.target, address) if back is not None else None
    if link is None or link.site is not site:
        got = "no route" if back is None else f"route {back.text}"
        table = walk.dp.tgw_table(tgw.name, ob.path[1][1] if len(ob.path) > 1 else ob.enters_by)
        gone = table.withdrawn_for(address) if back is None and table is not None else None
        walk.block(node, "route", f"no return route: {what} has {got} for {address}, not a link "
                   f"to site '{site.name}'" + (f" ({gone.words})" if gone else ""),
                   back.span if back else gone.span if gone else span, back=True)
    walk.hop(node, "route", "forward", f"return tgw route {back.text} matched{words}", back.span,
             back=True)
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
        first = tgw
        tgw, tentry, path = through(walk, tgw, vpc, routed_address(walk.dst), named_target=True)
        node = f"tgw:{tgw.name}"
        target = tentry.target
        if not isinstance(target, ast.Vpc):      # a VPN, Direct Connect or DX gateway: a site
            return _to_site(walk, tgw, target, tentry, vpc, enter, here.attachment, path)
        there = walk.dp.tgw_attachments[tgw.name][target.name]
        out = there.subnet_in(enter.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            walk.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        walk.via_tgw = first
        check = appliance_check(walk, first, vpc, here, BackThroughTransitGateway)
        walk.obligations.append(BackThroughTransitGateway(
            first, walk.current_src_address(), vpc, enter, here.attachment, path, target.name,
            (target.name, out, tgw), check))
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
        dst = walk.dst
        first = tgw
        tgw, tentry, path = through(walk, tgw, link_attachment(link), dst.address,
                                    named_target=False)
        node = f"tgw:{tgw.name}"
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
        walk.obligations.append(BackToSiteThroughTransitGateway(first, walk.src.address, link.site,
                                                                path, target.name))
        walk.obligations.append(RouteToTransitGateway(dst.subnet, tgw, walk.src.address))
        # TGW→instance traffic, as from a VPC (`forward`): the attachment subnet's outbound
        # rules, then the instance's subnet's inbound ones, or none in the attachment subnet.
        if _delivered_in(walk, out):
            walk.cross_back_only(out)
        walk.route_from(out, target.name)


def _to_site(walk: Walk, tgw, target, tentry, from_vpc, enter, attachment, path) -> None:
    """A TGW route names a VPN, Direct Connect or DX gateway: out to its site."""
    link = tgw_link(walk, tgw, target, walk.dst.address)
    node = f"tgw:{tgw.name}"
    if link is None:
        walk.block(node, "route", f"transit gateway route {tentry.text} leads to no site that "
                   f"holds {walk.dst.address}", tentry.span)
    walk.obligations.append(BackFromSiteThroughTransitGateway(path[0][0], walk.current_src_address(),
                                                              from_vpc, link, enter, attachment, path))
    to_site(walk, link)
    return None


def answered(walk: Walk, subnet: ast.Subnet, address) -> None:
    """A device in ``subnet`` answers: each pending TGW crossing needs a route back from there,
    which the response takes as it leaves the subnet (and starts in that subnet's AZ)."""
    for tgw in walk.tgw_pending:
        walk.obligations.append(RouteToTransitGateway(subnet, tgw, address))
    walk.tgw_pending = []
    zone_answered(walk, subnet, BackThroughTransitGateway)
