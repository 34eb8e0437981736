"""Through a gateway endpoint to its service (S3, DynamoDB): only from its own VPC."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from .base import HopHandler, Leaving, ReturnObligation, Walk


@dataclass(frozen=True)
class BackThroughGatewayEndpoint(ReturnObligation):
    """The service's response comes back by the endpoint: the NACLs of the crossing check
    it; nothing else is owed."""

    settled_by = ast.GatewayEndpoint
    subnet: ast.Subnet
    endpoint: ast.GatewayEndpoint


class GatewayEndpointHop(HopHandler):
    components = (ast.GatewayEndpoint,)
    settles = {BackThroughGatewayEndpoint: lambda walk, ob: None}

    def forward(self, walk: Walk, ep, leaving: Leaving) -> None:
        entry = leaving.route
        node = f"gateway-endpoint:{ep.name}"
        if walk.dst.kind != "service" or walk.dst.text != ep.service.name:
            walk.block(node, "endpoint", f"gateway endpoint '{ep.name}' only reaches "
                       f"{ep.service.name}", entry.span)
        if walk.via_peering is not None:
            walk.block(node, "endpoint", f"gateway endpoint '{ep.name}' cannot be used from across "
                       f"peering '{walk.via_peering.name}'", entry.span)
        if walk.src.vpc != ep.vpc:
            how = f"transit gateway '{walk.via_tgw.name}'" if walk.via_tgw is not None else "it"
            walk.block(node, "endpoint", f"gateway endpoint '{ep.name}' serves only VPC '{ep.vpc}': "
                       f"traffic from VPC '{walk.src.vpc}' (across {how}) cannot use it",
                       entry.span)
        walk.hop(node, "endpoint", "forward", f"{ep.name} carries it privately to {ep.service.name}",
                 entry.span)
        walk.cross(leaving.subnet, None)
        walk.obligations.append(BackThroughGatewayEndpoint(leaving.subnet, ep))
        walk.hop(f"service:{walk.dst.text}", "service", "deliver", f"delivered to {walk.dst.text}")
        return None
