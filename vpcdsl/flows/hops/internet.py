"""The internet: where an internet or egress-only gateway delivers, and where a flow from
the internet enters a VPC (through its internet gateway) and its response goes back."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import INTERNET_V4, Packet, _word, node_id, parse_address, public_label
from .base import HopHandler, Internet, ReturnObligation, Walk


@dataclass(frozen=True)
class BackToInternet(ReturnObligation):
    """The answering subnet routes the response to the internet through ``igw``."""

    settled_by = Internet
    subnet: ast.Subnet
    igw: ast.InternetGateway
    public: str | None = None        # the host's public IPv4 the IGW translates the source back to


def to_outside(walk: Walk, node: str, vpc: str | None = None) -> None:
    """Out of VPC ``vpc`` by gateway ``node``: delivered if the destination is on the internet;
    a public address of a VPC (a host's IPv6 address, a `public-ip(NAME)`) is on it too, so
    the internet carries the packet into that VPC by its internet gateway (VPC guide,
    internet gateways: IPv6 addresses are globally unique and public)."""
    dst = walk.dst
    if dst.kind in ("internet", "service"):
        walk.hop(node_id(dst), dst.kind, "deliver", f"delivered to {dst.text}")
        return None
    if dst.kind == "public-ip":
        where = dst.obj.vpc
        what = f"{dst.text} is a public IPv4 address of VPC '{where}'"
        span = dst.obj.span                # where the host's public address is written
    elif dst.vpc is not None and dst.address is not None and dst.address.version == 6:
        where, what = dst.vpc, f"{dst.address} is a global IPv6 address of VPC '{dst.vpc}'"
        span = dst.subnet.ipv6.span if dst.subnet is not None and dst.subnet.ipv6 is not None \
            else None
    else:
        why = f"{dst.text} is not on the internet: the internet path ends here"
        if dst.vpc is not None and dst.public and dst.obj is not None and dst.address is not None:
            why = f"{dst.address} is a private address of VPC '{dst.vpc}': the internet routes " \
                  f"no packet to it (trace to public-ip({dst.obj.name}), its public address)"
        walk.block(node, "gateway", why, walk.hops[-1].span if walk.hops else None)  # the route out
    walk.hop("internet", "internet", "forward", f"leaves VPC '{vpc}' by {node.split(':', 1)[1]} "
             f"to the internet: {what}, so the internet carries it to that VPC's internet "
             "gateway", span)
    enter_from_internet(walk)
    return None


def own_addresses_only(walk: Walk, node: str, gateway, entry) -> None:
    """An IGW or EIGW carries its own VPC's addresses: it can neither translate nor route
    back the address of a host in another VPC (reached it through a TGW)."""
    if walk.translated or walk.src.vpc == gateway.vpc:
        return
    walk.block(node, "gateway", f"{_word(gateway)} '{gateway.name}' of VPC '{gateway.vpc}' "
               f"carries only that VPC's addresses, not {walk.packet.src} of VPC "
               f"'{walk.src.vpc}' (no edge-to-edge routing; use a NAT gateway in "
               f"'{gateway.vpc}')", entry.span)


def _back_to_internet(walk: Walk, ob: BackToInternet) -> None:
    via = ob.igw

    def outbound_only(rt, entry) -> None:
        if entry is not None and isinstance(entry.target, (ast.EgressOnlyInternetGateway,
                                                           ast.NatGateway)):
            walk.block(rt, "gateway", f"the response would leave by {entry.text}, which only "
                       "carries connections the VPC starts: inbound-initiated traffic is "
                       "dropped", entry.span, back=True)

    walk.route_back(ob.subnet, parse_address(walk.packet.dst) or INTERNET_V4, via,
                    lambda table, got: f"no return route to the internet through '{via.name}': {got}",
                    outbound_only)
    if ob.public is not None:
        private = walk.packet.src
        walk.packet = Packet(ob.public, walk.packet.dst, walk.packet.protocol, walk.packet.port)
        walk.hop(f"igw:{via.name}", "gateway", "translate",
                 f"{via.name} translates {private} back to {ob.public}", via.span, back=True)


class InternetHop(HopHandler):
    components = (Internet,)
    settles = {BackToInternet: _back_to_internet}

    def start(self, walk: Walk) -> None:
        """From the internet: through the destination VPC's internet gateway to its subnet."""
        dst = walk.dst
        if dst.kind in ("internet", "service"):
            walk.hop(node_id(dst), dst.kind, "deliver", f"delivered to {dst.text}")
            return
        enter_from_internet(walk)


def enter_from_internet(walk: Walk) -> None:
    """Into the destination's VPC from the internet, through its internet gateway: IPv4 to a
    public or Elastic IP translated to the private address before any NACL, IPv6
    untranslated; the response must route back to that gateway (SEMANTICS.md, Gateways)."""
    dst = walk.dst
    if dst.kind == "public-ip":            # the host behind the address, from here on
        walk.dst = dst = walk.tracer.end(dst.obj.name)
    if dst.vpc is None or dst.subnet is None:
        walk.block("internet", "route", f"{dst.text} cannot be reached from the internet",
                   dst.obj.span if dst.obj is not None else None)
    if dst.kind == "lb" and dst.obj.scheme == "internal":
        walk.block(f"lb:{dst.obj.name}", "lb", f"load balancer '{dst.obj.name}' is internal: it "
                   "has no public address, so only clients inside AWS networks reach it",
                   dst.obj.span)
    igw = walk.dp.igw_of.get(dst.vpc)
    v6 = dst.address is not None and dst.address.version == 6
    eigw = walk.dp.eigw_of.get(dst.vpc)
    if igw is None and v6 and eigw is not None:
        walk.block(f"eigw:{eigw.name}", "gateway", f"egress-only internet gateway '{eigw.name}' "
                   "drops inbound-initiated IPv6 traffic", eigw.span)
    if igw is None:
        walk.block(f"vpc:{dst.vpc}", "gateway", f"VPC '{dst.vpc}' has no internet gateway",
                   getattr(walk.model.vpcs.get(dst.vpc), "span", None))
    node = f"igw:{igw.name}"
    if dst.kind == "nat":
        walk.block(f"nat:{dst.text}", "gateway", f"NAT gateway '{dst.text}' only carries "
                   "connections its VPC starts: it drops connections from the internet", dst.obj.span)
    # From another VPC the hop says where it enters; from the internet, as it always has.
    enters = f"enters VPC '{dst.vpc}' by {igw.name}: " if walk.src.vpc is not None else ""
    if not v6:
        if not dst.public:
            walk.block(node, "gateway", f"{dst.text} has no public IPv4 address: internet gateway "
                       f"'{igw.name}' has nothing to translate to", igw.span)
        # The NACL and SG see the private address: the IGW has translated it already.
        walk.packet = Packet(walk.packet.src, str(dst.address), walk.protocol, walk.port)
        walk.hop(node, "gateway", "translate",
                 f"{enters}{igw.name} translates {public_label(dst.text)} to {dst.address}", igw.span)
    else:
        walk.hop(node, "gateway", "forward", f"{enters}{igw.name} forwards IPv6 untranslated", igw.span)
    walk.via_internet = True
    walk.obligations.append(BackToInternet(dst.subnet, igw, None if v6 else public_label(dst.text)))
    walk.cross(None, dst.subnet)
    walk.arrive(dst.subnet, dst.vpc)
