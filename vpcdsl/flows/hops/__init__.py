"""The walk's hop handlers, one per component kind, in one table.

`HANDLERS` maps a component's AST class (`Internet` for the internet) to its
handler; the walk (`vpcdsl.flows.trace`) dispatches a route target, a flow's
start outside the VPCs, a site's gateway, a destination and each recorded
`ReturnObligation` through it. The interface is in `vpcdsl.flows.hops.base`.
"""

from __future__ import annotations

from .appliance import ApplianceHop, NatInstanceHop
from .base import HopHandler, Internet, Leaving, LeavingSubnet, Onward, ReturnObligation, Walk
from .egress_gateway import EgressGatewayHop
from .gateway_endpoint import GatewayEndpointHop
from .interface_endpoint import InterfaceEndpointHop
from .internet import InternetHop
from .internet_gateway import InternetGatewayHop
from .load_balancer import LoadBalancerHop
from .nat_gateway import NatGatewayHop
from .peering import PeeringHop
from .private_gateway import PrivateGatewayHop
from .site import SiteHop
from .transit_gateway import TransitGatewayHop

HANDLERS: dict[type, HopHandler] = {
    component: handler
    for handler in (InternetGatewayHop(), EgressGatewayHop(), NatGatewayHop(), ApplianceHop(),
                    NatInstanceHop(), PeeringHop(), GatewayEndpointHop(), InterfaceEndpointHop(),
                    LoadBalancerHop(), TransitGatewayHop(), PrivateGatewayHop(), SiteHop(),
                    InternetHop())
    for component in handler.components
}

__all__ = ["HANDLERS", "HopHandler", "Internet", "Leaving", "LeavingSubnet", "Onward", "ReturnObligation",
           "Walk"]
