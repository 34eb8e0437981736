"""Through a NAT gateway: the source becomes the gateway's address (public, or its
private address for a private NAT gateway); TCP, UDP and ICMP over IPv4 only."""

from __future__ import annotations

from ...syntax import ast
from ..dataplane import ephemeral_range
from ..flow import public_label, with_src
from .base import HopHandler, Leaving, Onward, Walk


class NatGatewayHop(HopHandler):
    # No return obligation: the response comes back through the crossings' NACLs.
    components = (ast.NatGateway,)

    def forward(self, walk: Walk, nat, leaving: Leaving) -> Onward:
        subnet = leaving.subnet
        node = f"nat:{nat.name}"
        host = walk.dp.host(nat.name)
        if host is None:
            walk.block(node, "gateway", f"NAT gateway '{nat.name}' has no subnet")
        if walk.number not in (6, 17, 1):
            walk.block(node, "gateway", f"NAT gateway '{nat.name}' translates TCP, UDP and ICMP only",
                       nat.span)
        if walk.via_peering is not None:
            walk.block(f"peering:{walk.via_peering.name}", "peering",
                       f"traffic from across peering '{walk.via_peering.name}' cannot use NAT "
                       f"gateway '{nat.name}' (no edge-to-edge routing)", nat.span)
        if walk.dst.address is not None and walk.dst.address.version == 6:
            walk.block(node, "gateway", f"NAT gateway '{nat.name}' translates IPv4; IPv6 traffic "
                       "goes out by an egress-only internet gateway", nat.span)
        if host.subnet is not subnet:
            walk.cross(subnet, host.subnet)
            walk._nacl(host.subnet, "in", walk.current_src_address(), walk.port_value)
        walk.answers_from(host.subnet)
        before = walk.packet.src
        new_src = str(host.address) if nat.private else public_label(nat.name)
        walk.packet = with_src(walk.packet, new_src)
        walk.translated, walk.src_public = True, not nat.private
        walk.client_ports = ephemeral_range(nat)
        walk.hop(node, "gateway", "translate", f"{nat.name} translates {before} to {new_src}", nat.span)
        return Onward(host.subnet, nat.vpc)
