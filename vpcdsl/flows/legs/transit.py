"""The legs of a walk through a transit gateway, there and back.

`TransitGatewayLegs` is mixed into the walk (`vpcdsl.flows.trace._Walk`): `_tgw`
takes the request in at the sender's attachment subnet, looks up the TGW
route table and hands it to the chosen VPC; `_tgw_return` checks the route
back from the answering device through the TGW. The methods use the walk's
state and steps (`hop`, `block`, `_nacl`, `_route_back`, ...).
"""

from __future__ import annotations

from ...syntax import ast
from ..flow import INTERNET_V4


class TransitGatewayLegs:
    """Transit gateway legs of `vpcdsl.flows.trace._Walk`."""

    # ------------------------------------------------------------------ transit gateways

    def _tgw(self, tgw, subnet, vpc, entry):
        """Into the TGW at the attachment subnet of the sender's AZ, its route table, and out
        at the attachment subnet of the same AZ (else the first) of the VPC it picks."""
        node = f"tgw:{tgw.name}"
        attached = self.dp.tgw_attachments.get(tgw.name, {})
        here = attached.get(vpc)
        if here is None:
            self.block(node, "gateway", f"VPC '{vpc}' is not attached to transit gateway "
                       f"'{tgw.name}'", entry.span)
        enter = here.subnet_in(subnet.zone)
        if enter is None:
            self.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet "
                       f"of VPC '{vpc}' in {subnet.zone}: resources in that AZ cannot reach it",
                       here.attachment.span)
        if enter is not subnet:
            self._cross(subnet, enter)
        # the attachment subnet's inbound rules see traffic to the TGW (TGW guide, tgw-nacls)
        self._nacl(enter, "in", self.current_src_address(), self.port_value)
        self.hop(node, "gateway", "forward", f"{tgw.name} takes it from VPC '{vpc}' at attachment "
                 f"subnet {enter.name}", here.attachment.span)
        tentry = self._tgw_route(tgw, self.dst.address if self.dst.kind != "service" else INTERNET_V4)
        target = tentry.target
        if target is None:
            self.block(node, "route", f"transit gateway route {tentry.text} names no attachment "
                       f"of '{tgw.name}'", tentry.span)
        self.hop(node, "route", "forward", f"tgw route {tentry.text} matched", tentry.span)
        if not isinstance(target, ast.Vpc):      # a VPN, Direct Connect or DX gateway: a site
            return self._tgw_to_site(tgw, target, tentry, vpc)
        there = attached[target.name]
        out = there.subnet_in(enter.zone) or (there.subnets[0] if there.subnets else None)
        if out is None:
            self.block(node, "gateway", f"transit gateway '{tgw.name}' has no attachment subnet in "
                       f"VPC '{target.name}'", there.attachment.span)
        self.via_tgw = tgw
        self.tgw_pending.append((tgw, vpc))
        self.hop(node, "gateway", "forward", f"{tgw.name} hands it to VPC '{target.name}' at "
                 f"attachment subnet {out.name}", there.attachment.span)
        return out, target.name

    def _tgw_route(self, tgw, address):
        """The TGW route table's entry for the request's ``address``; none or a blackhole blocks."""
        node = f"tgw:{tgw.name}"
        table = self.dp.tgw_routes.get(tgw.name)
        tentry = table.lookup(address) if table is not None and address is not None else None
        if tentry is None:
            self.block(node, "route", f"no route in transit gateway '{tgw.name}' matches "
                       f"{self._dst_words()}", tgw.span)
        if tentry.target == "blackhole":
            self.block(node, "route", f"blackhole route {tentry.text} of transit gateway "
                       f"'{tgw.name}' drops it", tentry.span)
        return tentry

    def _tgw_return(self, subnet, tgw, address, from_vpc) -> None:
        """The answering device's subnet routes the response to the TGW, and the TGW to a VPC
        that holds the address."""
        self._route_back(subnet, address, tgw, lambda table, got: (
            f"no return route: subnet '{subnet.name}' has {got} for {address}, "
            f"not transit gateway '{tgw.name}'"))
        node = f"tgw:{tgw.name}"
        lookup = self.dp.tgw_routes.get(tgw.name)
        back = lookup.lookup(address) if lookup is not None else None
        if back is None:
            self.block(node, "route", f"no return route: transit gateway '{tgw.name}' has no route "
                       f"for {address}", tgw.span, back=True)
        if back.target == "blackhole":
            self.block(node, "route", f"blackhole route {back.text} of transit gateway "
                       f"'{tgw.name}' drops the response", back.span, back=True)
        if not isinstance(back.target, ast.Vpc) or (back.target.name != from_vpc
                                                     and not self.dp.vpc_holds(back.target.name, address)):
            self.block(node, "route", f"no return route: transit gateway '{tgw.name}' sends "
                       f"{address} by {back.text}, not back to VPC '{from_vpc}'", back.span,
                       back=True)
        self.hop(node, "route", "forward", f"return tgw route {back.text} matched", back.span,
                 back=True)
