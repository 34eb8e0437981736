"""An interface endpoint reached by private DNS hands the flow to its service over
PrivateLink (the endpoint's SGs have been checked as the destination's)."""

from __future__ import annotations

from ...syntax import ast
from ..flow import End
from .base import HopHandler, Walk


class InterfaceEndpointHop(HopHandler):
    # Not a route target; no return obligation beyond the crossings' NACLs.
    components = (ast.InterfaceEndpoint,)

    def receive(self, walk: Walk, end: End) -> bool:
        walk.delivered(end)
        ep = end.obj
        if end.text != ep.name:          # the service's name, resolved by private DNS
            walk.hop(f"service:{ep.service.name}", "service", "deliver",
                     f"interface endpoint '{ep.name}' carries it to {ep.service.name} over PrivateLink",
                     ep.span)
        return True
