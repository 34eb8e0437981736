"""Out of a VPC by its internet gateway: the one-to-one NAT of a host's public IPv4
address, or of a NAT's private address to its Elastic IP (SEMANTICS.md, Gateways),
IPv6 untranslated."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..flow import public_label, routed_address, with_dst, with_src
from .base import HopHandler, Leaving, ReturnObligation, Walk
from .internet import own_addresses_only, to_outside


@dataclass(frozen=True)
class BackThroughInternetGateway(ReturnObligation):
    """The response comes back in by the gateway that let the request out: the NACLs of the
    crossing check it (the walk's crossings); a host's public IPv4 address is translated
    back to its private one (``public`` to ``private``) before any NACL sees it."""

    settled_by = ast.InternetGateway
    subnet: ast.Subnet
    igw: ast.InternetGateway
    public: str | None = None
    private: str | None = None
    peer: str | None = None          # the request's destination there: the response's source


def _back_in(walk: Walk, ob: BackThroughInternetGateway) -> None:
    if ob.public is None:
        return
    walk.packet = with_dst(with_src(walk.packet, ob.peer or walk.packet.src), ob.private)
    walk.hop(f"igw:{ob.igw.name}", "gateway", "translate",
             f"{ob.igw.name} translates {ob.public} back to {ob.private}", ob.igw.span, back=True)


class InternetGatewayHop(HopHandler):
    components = (ast.InternetGateway,)
    settles = {BackThroughInternetGateway: _back_in}

    def forward(self, walk: Walk, igw, leaving: Leaving) -> None:
        entry = leaving.route
        node = f"igw:{igw.name}"
        address = routed_address(walk.dst)
        walk.cross(leaving.subnet, None)
        own_addresses_only(walk, node, igw, entry)
        if address is None or address.version == 6:
            walk.obligations.append(BackThroughInternetGateway(leaving.subnet, igw))
            walk.hop(node, "gateway", "forward", f"{igw.name} forwards IPv6 untranslated", entry.span)
            return to_outside(walk, node, leaving.vpc)
        if walk.translated and not walk.src_public:
            walk.block(node, "gateway", f"a private NAT gateway's traffic cannot use internet "
                       f"gateway '{igw.name}'", entry.span)
        if not walk.src_public:
            walk.block(node, "gateway", f"{walk.src.text} has no public IPv4 address: internet "
                       f"gateway '{igw.name}' drops it", entry.span)
        before = walk.packet.src
        walk.packet = with_src(walk.packet, public_label(walk.public_name or walk.src.text))
        walk.translated = True
        walk.obligations.append(BackThroughInternetGateway(leaving.subnet, igw, walk.packet.src,
                                                           before, walk.packet.dst))
        walk.hop(node, "gateway", "translate", f"{igw.name} translates {before} to {walk.packet.src}",
                 entry.span)
        return to_outside(walk, node, leaving.vpc)
