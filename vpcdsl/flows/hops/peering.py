"""Across a VPC peering: not transitive, no edge-to-edge routing, and the peer VPC
needs a route back over the same peering."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from .base import HopHandler, Leaving, LeavingSubnet, Walk


@dataclass(frozen=True)
class BackOverPeering(LeavingSubnet):
    """The subnet the response leaves (the one the request entered the peer VPC at) routes
    the client's address back over ``peering``; settled right after that subnet's outbound
    NACL, so the return hops are NACL out, route table, peering, then the client's NACL in."""

    settled_by = ast.Peering
    peering: ast.Peering
    back_to: str                     # the VPC the response returns to


def _back_over_peering(walk: Walk, ob: BackOverPeering) -> None:
    src, via = walk.src.address, ob.peering
    walk.route_back(ob.subnet, src, via, lambda table, got: (
        f"no return route: '{table}' has {got} for {src}, not peering '{via.name}'"))
    walk.hop(f"peering:{via.name}", "peering", "forward", f"{via.name} carries the response "
             f"from VPC '{ob.subnet.vpc}' back to '{ob.back_to}'", via.span, back=True)


class PeeringHop(HopHandler):
    components = (ast.Peering,)
    settles = {BackOverPeering: _back_over_peering}

    def forward(self, walk: Walk, peering, leaving: Leaving) -> None:
        subnet, vpc, entry = leaving.subnet, leaving.vpc, leaving.route
        node = f"peering:{peering.name}"
        ends = (peering.requester.name, peering.accepter.name)
        if vpc not in ends:
            walk.block(node, "peering", f"VPC '{vpc}' is not part of peering '{peering.name}'", entry.span)
        other = ends[1] if ends[0] == vpc else ends[0]
        if walk.via_peering is not None:
            walk.block(node, "peering", f"peering is not transitive: traffic that arrived over "
                       f"'{walk.via_peering.name}' cannot leave over '{peering.name}'", entry.span)
        if walk.translated:
            walk.block(node, "peering", f"traffic translated by a NAT cannot cross peering "
                       f"'{peering.name}' (no edge-to-edge routing)", entry.span)
        sender = walk.current_src_address()
        if sender is not None and not walk.dp.vpc_holds(vpc, sender):
            walk.block(node, "peering", f"peering '{peering.name}' carries only traffic from the "
                       f"addresses of VPC '{vpc}'; {sender} came from outside it (no edge-to-edge "
                       "routing)", entry.span)
        address = walk.dst.address
        peer_vpc = walk.model.vpcs.get(other)
        if peer_vpc is None or address is None or not any(
                c.net is not None and c.net.version == address.version and address in c.net
                for c in peer_vpc.cidrs + peer_vpc.ipv6):
            walk.block(node, "peering", f"peering is not transitive: {walk.dst_words()} is not an "
                       f"address of VPC '{other}'", entry.span)
        walk.hop(node, "peering", "forward", f"{peering.name} carries it from VPC '{vpc}' to '{other}'",
                 peering.span)
        walk.via_peering = peering
        target = walk.dp.subnet_at(other, address)
        if target is None:
            walk.block(f"vpc:{other}", "route", f"{address} is in VPC '{other}' but no subnet holds it",
                       peer_vpc.span)
        walk.obligations.append(BackOverPeering(target, peering, vpc))
        walk.cross(subnet, target)
        walk.arrive(target, other)
        return None
