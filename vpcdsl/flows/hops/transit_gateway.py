"""Through a transit gateway, there and back: in at the sender's attachment subnet, the
TGW route table, out at the chosen VPC's attachment subnet (or over a VPN or Direct
Connect to a site), and the routes the response needs (SEMANTICS.md, Transit gateways)."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import INTERNET_V4
from .base import HopHandler, Leaving, Onward, ReturnObligation, Walk
from .private_gateway import tgw_link, to_site


@dataclass(frozen=True)
class BackThroughTransitGateway(ReturnObligation):
    """The answering device's subnet routes the response to ``tgw``, and the TGW routes
    ``address`` back to VPC ``from_vpc`` (or a VPC that holds it)."""

    settled_by = ast.TransitGateway
    subnet: ast.Subnet
    tgw: ast.TransitGateway
    address: object
    from_vpc: str


@dataclass(frozen=True)
class BackFromSiteThroughTransitGateway(ReturnObligation):
    """A site answers over a TGW attachment: the TGW routes ``address`` back to ``from_vpc``."""

    settled_by = ast.TransitGateway
    tgw: ast.TransitGateway
    address: object
    from_vpc: str


@dataclass(frozen=True)
class BackToSiteThroughTransitGateway(ReturnObligation):
    """The answering subnet routes the site's ``address`` to ``tgw``, and the TGW routes it
    over a link to ``site``."""

    settled_by = ast.TransitGateway
    subnet: ast.Subnet
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


def _back_through_tgw(walk: Walk, ob: BackThroughTransitGateway) -> None:
    subnet, tgw, address, from_vpc = ob.subnet, ob.tgw, ob.address, ob.from_vpc
    walk.route_back(subnet, address, tgw, lambda table, got: (
        f"no return route: subnet '{subnet.name}' has {got} for {address}, "
        f"not transit gateway '{tgw.name}'"))
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


def _back_from_site(walk: Walk, ob: BackFromSiteThroughTransitGateway) -> None:
    tgw, address, from_vpc = ob.tgw, ob.address, ob.from_vpc
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


def _back_to_site(walk: Walk, ob: BackToSiteThroughTransitGateway) -> None:
    tgw, address, site = ob.tgw, ob.address, ob.site
    walk.route_back(ob.subnet, address, tgw, lambda table, got: (
        f"no return route: '{table}' has {got} for {address}, not transit gateway "
        f"'{tgw.name}'"))
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


class TransitGatewayHop(HopHandler):
    components = (ast.TransitGateway,)
    settles = {BackThroughTransitGateway: _back_through_tgw,
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
        if enter is not subnet:
            walk.cross(subnet, enter)
        # the attachment subnet's inbound rules see traffic to the TGW (TGW guide, tgw-nacls)
        walk._nacl(enter, "in", walk.current_src_address(), walk.port_value)
        walk.hop(node, "gateway", "forward", f"{tgw.name} takes it from VPC '{vpc}' at attachment "
                 f"subnet {enter.name}", here.attachment.span)
        tentry = tgw_route(walk, tgw, walk.dst.address if walk.dst.kind != "service" else INTERNET_V4)
        target = tentry.target
        if target is None:
            walk.block(node, "route", f"transit gateway route {tentry.text} names no attachment "
                       f"of '{tgw.name}'", tentry.span)
        walk.hop(node, "route", "forward", f"tgw route {tentry.text} matched", tentry.span)
        if not isinstance(target, ast.Vpc):      # a VPN, Direct Connect or DX gateway: a site
            return _to_site(walk, tgw, target, tentry, vpc)
        there = attached[target.name]
        out = there.subnet_in(enter.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            walk.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        walk.via_tgw = tgw
        walk.tgw_pending.append((tgw, vpc))
        walk.hop(node, "gateway", "forward", f"{tgw.name} hands it to VPC '{target.name}' at "
                 f"attachment subnet {out.name}", there.attachment.span)
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
        walk.obligations.append(BackToSiteThroughTransitGateway(dst.subnet, tgw, walk.src.address,
                                                                link.site))
        walk.cross(None, out)
        if out is not dst.subnet:
            walk._nacl(out, "in", walk.current_src_address(), walk.port_value)
        walk.route_from(out, target.name)


def _to_site(walk: Walk, tgw, target, tentry, from_vpc) -> None:
    """A TGW route names a VPN, Direct Connect or DX gateway: out to its site."""
    link = tgw_link(walk, tgw, target, walk.dst.address)
    node = f"tgw:{tgw.name}"
    if link is None:
        walk.block(node, "route", f"transit gateway route {tentry.text} leads to no site that "
                   f"holds {walk.dst.address}", tentry.span)
    walk.obligations.append(BackFromSiteThroughTransitGateway(tgw, walk.current_src_address(),
                                                              from_vpc))
    to_site(walk, link)
    return None


def answered(walk: Walk, subnet: ast.Subnet, address) -> None:
    """A device in ``subnet`` answers: each pending TGW crossing needs a route back from there."""
    for tgw, from_vpc in walk.tgw_pending:
        walk.obligations.append(BackThroughTransitGateway(subnet, tgw, address, from_vpc))
    walk.tgw_pending = []
