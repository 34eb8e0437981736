"""Through a NAT gateway: the source becomes the gateway's private address (a public NAT
gateway's Elastic IP is the internet gateway's one-to-one mapping of it, as for any
host, so no NACL sees the Elastic IP); TCP, UDP and ICMP. IPv6 traffic to
64:ff9b::/96 is translated to the IPv4 address it embeds (NAT64); other IPv6 is
not translated. The response is translated back at the gateway, as a hop. A NAT
gateway accepts no connection to its own addresses (docs/SEMANTICS.md, Gateways)."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import IPv4Address, ip_network

from ...protocols import ECHO_REQUEST
from ...syntax import ast
from ..dataplane import ephemeral_range
from ..flow import End, Packet
from .base import HopHandler, Leaving, Onward, ReturnObligation, Walk

# The well-known NAT64 prefix (RFC 6052): 64:ff9b::a.b.c.d stands for a.b.c.d.
NAT64_PREFIX = ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class BackThroughNat(ReturnObligation):
    """The response reaches the NAT gateway at ``translated`` and leaves it for the client:
    the destination goes back to ``client`` (and, after NAT64, the source back to the
    IPv6 address the client wrote, ``origin``), to the client's ports ``client_ports``."""

    settled_by = ast.NatGateway
    nat: ast.NatGateway
    translated: str
    client: str
    client_ports: str
    protocol: str
    origin: str | None = None


def _translate_back(walk: Walk, ob: BackThroughNat) -> None:
    before = walk.packet
    src = ob.origin if ob.origin is not None else before.src
    walk.packet = Packet(src, ob.client, ob.protocol, ob.client_ports or before.port)
    what = f"{ob.translated} back to {ob.client}"
    if ob.origin is not None:
        what += f" and {before.src} back to {ob.origin} (NAT64)"
    walk.hop(f"nat:{ob.nat.name}", "gateway", "translate",
             f"{ob.nat.name} translates {what}", ob.nat.span, back=True)


class NatGatewayHop(HopHandler):
    components = (ast.NatGateway,)
    settles = {BackThroughNat: _translate_back}

    def forward(self, walk: Walk, nat, leaving: Leaving) -> Onward:
        subnet = leaving.subnet
        node = f"nat:{nat.name}"
        host = walk.dp.host(nat.name)
        if host is None:
            walk.block(node, "gateway", f"NAT gateway '{nat.name}' has no subnet")
        if walk.number not in (6, 17, 1, 58):
            walk.block(node, "gateway", f"NAT gateway '{nat.name}' translates TCP, UDP and ICMP only",
                       nat.span)
        if walk.via_peering is not None:
            walk.block(f"peering:{walk.via_peering.name}", "peering",
                       f"traffic from across peering '{walk.via_peering.name}' cannot use NAT "
                       f"gateway '{nat.name}' (no edge-to-edge routing)", nat.span)
        embedded = _nat64_target(walk, nat, node)
        if host.subnet is not subnet:
            walk.cross(subnet, host.subnet)
            walk._nacl(host.subnet, "in", walk.current_src_address(), walk.port_value)
        walk.answers_from(host.subnet)
        before = walk.packet
        new_src = str(host.address)        # a public NAT's Elastic IP is the IGW's mapping
        client_ports, protocol = _ports_text(walk), walk.protocol
        if embedded is not None:
            walk.dst = _ipv4_end(walk, embedded)
            if walk.number == 58:          # RFC 7915: ICMPv6 echo becomes ICMP echo
                walk.protocol, walk.number, walk.icmp = "icmp", 1, ECHO_REQUEST[1]
            walk.packet = Packet(new_src, str(embedded), walk.protocol, before.port)
            detail = f"{nat.name} translates {before.src} to {new_src} and {before.dst} to " \
                     f"{embedded} (NAT64: IPv6 to the IPv4 address the prefix embeds)"
        else:
            walk.packet = Packet(new_src, before.dst, before.protocol, before.port)
            detail = f"{nat.name} translates {before.src} to {new_src}"
        walk.obligations.append(BackThroughNat(
            nat, new_src, before.src, client_ports, protocol,
            before.dst if embedded is not None else None))
        walk.translated, walk.src_public, walk.public_name = True, not nat.private, nat.name
        walk.client_ports = ephemeral_range(nat)
        walk.hop(node, "gateway", "translate", detail, nat.span)
        return Onward(host.subnet, nat.vpc)

    def receive(self, walk: Walk, end: End) -> bool:
        nat = end.obj
        own = walk.packet.dst
        walk.block(f"nat:{nat.name}", "gateway", f"NAT gateway '{nat.name}' accepts no connection "
                   f"to its own address {own}: it only forwards what a route table sends it, "
                   "translating the source (trace to a host beyond it instead)", nat.span)


def _nat64_target(walk: Walk, nat, node: str) -> IPv4Address | None:
    """The IPv4 address an IPv6 flow to 64:ff9b::/96 is translated to; IPv6 elsewhere is
    dropped (an egress-only internet gateway carries it)."""
    address = walk.dst.address
    if address is None or address.version != 6:
        return None
    if address not in NAT64_PREFIX:
        walk.block(node, "gateway", f"NAT gateway '{nat.name}' translates IPv6 only to "
                   f"{NAT64_PREFIX} (NAT64); other IPv6 traffic goes out by an egress-only "
                   "internet gateway", nat.span)
    if walk.number == 58 and walk.icmp != ECHO_REQUEST[58]:
        walk.block(node, "gateway", f"NAT gateway '{nat.name}' translates ICMPv6 echo to ICMP "
                   "echo (NAT64, RFC 7915); other ICMPv6 messages are not translated", nat.span)
    return IPv4Address(int(address) & 0xFFFFFFFF)


def _ipv4_end(walk: Walk, address: IPv4Address) -> End:
    return walk.tracer.address_end(str(address), address)


def _ports_text(walk: Walk) -> str:
    low, high = walk.client_ports
    return f"{low}-{high}" if walk.number in (6, 17) else ""
