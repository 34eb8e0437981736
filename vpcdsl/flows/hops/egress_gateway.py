"""Out of a VPC by its egress-only internet gateway: outbound IPv6 only."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from .base import HopHandler, Leaving, ReturnObligation, Walk
from .internet import own_addresses_only, to_outside


@dataclass(frozen=True)
class BackThroughEgressGateway(ReturnObligation):
    """The response to a connection the VPC started comes back in by the same gateway: the
    NACLs of the crossing check it; nothing else is owed."""

    settled_by = ast.EgressOnlyInternetGateway
    subnet: ast.Subnet
    eigw: ast.EgressOnlyInternetGateway


class EgressGatewayHop(HopHandler):
    components = (ast.EgressOnlyInternetGateway,)
    settles = {BackThroughEgressGateway: lambda walk, ob: None}

    def forward(self, walk: Walk, eigw, leaving: Leaving) -> None:
        entry = leaving.route
        node = f"eigw:{eigw.name}"
        address = walk.dst.address
        if address is None or address.version != 6:
            walk.block(node, "gateway", f"egress-only internet gateway '{eigw.name}' carries IPv6 only",
                       entry.span)
        walk.cross(leaving.subnet, None)
        walk.obligations.append(BackThroughEgressGateway(leaving.subnet, eigw))
        own_addresses_only(walk, node, eigw, entry)
        walk.hop(node, "gateway", "forward", f"{eigw.name} forwards outbound IPv6", entry.span)
        return to_outside(walk, node, leaving.vpc)
