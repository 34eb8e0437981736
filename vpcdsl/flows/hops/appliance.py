"""Through an instance that forwards (source/dest check off): an appliance, a NAT
instance (which translates the source and may `forward` internet ports to an instance),
and the end of a software VPN to a site.

An instance or NAT instance written `down` (stopped, failed) sends, receives and forwards
nothing: a flow from or to it is dropped at once (its `End.problem`, `down_problem`), one
routed through it or over its tunnel where it would take the packet, and a response where
it would carry the response back. The reason names it and its line."""

from __future__ import annotations

from dataclasses import dataclass

from ...syntax import ast
from ..dataplane import ephemeral_range
from ..flow import End, FlowError, Packet, public_label, with_src
from .base import HopHandler, Leaving, LeavingSubnet, Onward, ReturnObligation, Walk
from ..sitelinks import best
from .private_gateway import bgp_session, link_from_site, over_link, software_vpn_to, to_site


@dataclass(frozen=True)
class BackThroughPortForward(ReturnObligation):
    """The forwarded instance's subnet routes the client back through the NAT instance,
    else the response is not translated back."""

    settled_by = ast.NatInstance
    subnet: ast.Subnet
    box: ast.NatInstance
    client: object


@dataclass(frozen=True)
class BackToSoftwareVpn(LeavingSubnet):
    """The answering subnet routes the site's ``address`` to ``box``, the software VPN's end
    (settled as the response leaves that subnet, right after its outbound NACL)."""

    settled_by = ast.Instance
    box: object                      # an instance or a NAT instance (settled as an appliance)
    address: object


@dataclass(frozen=True)
class BackIntoTunnel(ReturnObligation):
    """``box`` takes the response into its tunnel, ``link``, to the site (after the NACL of
    the box's subnet has seen it)."""

    settled_by = ast.Instance
    box: object
    link: object                     # a `vpcdsl.flows.sitelinks.Link`


@dataclass(frozen=True)
class BackOutOfTunnel(ReturnObligation):
    """The site answers over ``link``; ``box`` takes the response out of the tunnel and
    forwards it into the VPC, whose NACLs see it next."""

    settled_by = ast.Instance
    box: object
    link: object


@dataclass(frozen=True)
class BackThroughAppliance(ReturnObligation):
    """The response retraces the request's path, as its NACL crossings do: ``box`` forwards
    it back, unless it is `down`; a NAT instance translates the destination back from
    ``translated`` to the client's ``client`` (to its ports ``client_ports``)."""

    settled_by = ast.Instance
    box: object                      # an instance or a NAT instance (settled as an appliance)
    translated: str | None = None
    client: str | None = None
    client_ports: str = ""


@dataclass(frozen=True)
class BackBetweenTunnels(ReturnObligation):
    """The answering site sends the response over ``out`` (the tunnel the request left by) to
    ``box``, which passes it into ``into``, the client's tunnel."""

    settled_by = ast.Instance
    box: object
    out: object                      # `vpcdsl.flows.sitelinks.Link`s
    into: object


def down_reason(box) -> str:
    """Why a `down` instance or NAT instance drops a packet: ``instance fw-1 is down (line 12)``."""
    word = "NAT instance" if isinstance(box, ast.NatInstance) else "instance"
    return f"{word} {box.name} is down (line {box.span.line})"


def down_problem(box) -> tuple | None:
    """The `End.problem` of a host written `down` (no flow starts or ends at it), else None."""
    if not getattr(box, "down", False):
        return None
    return ("gateway", f"{_kind(box)}:{box.name}", down_reason(box), box.span)


def tunnel_down(link) -> bool:
    """A BGP VPN ending on a `down` instance: its BGP session is down, so the site learns no
    route over it and sends by another link. (Over a static VPN the site keeps sending and
    the box drops it.)"""
    return link.kind == "bgp-vpn" and isinstance(link.gateway, (ast.Instance, ast.NatInstance)) \
        and link.gateway.down


def refuse_if_down(walk: Walk, box, back: bool = False) -> None:
    """Drop the packet at ``box`` if it is `down` (``back``: the response)."""
    if getattr(box, "down", False):
        walk.block(f"{_kind(box)}:{box.name}", "gateway", down_reason(box), box.span, back=back)


def _back_through_port_forward(walk: Walk, ob: BackThroughPortForward) -> None:
    subnet, box, client = ob.subnet, ob.box, ob.client
    walk.route_back(subnet, client, box, lambda table, got: (
        f"no return route through NAT instance '{box.name}': subnet '{subnet.name}' has "
        f"{got} for {client}, so the response would not be translated back"))
    refuse_if_down(walk, box, back=True)


def _back_to_software_vpn(walk: Walk, ob: BackToSoftwareVpn) -> None:
    box, address = ob.box, ob.address
    walk.route_back(ob.subnet, address, box, lambda table, got: (
        f"no return route: '{table}' has {got} for {address}, not '{box.name}', the end of "
        "the software VPN"))
    refuse_if_down(walk, box, back=True)


def _back_through_appliance(walk: Walk, ob: BackThroughAppliance) -> None:
    box = ob.box
    refuse_if_down(walk, box, back=True)
    node = f"{_kind(box)}:{box.name}"
    if ob.client is None:
        walk.hop(node, "gateway", "forward", f"{box.name} forwards the response (source/dest "
                 "check off)", box.span, back=True)
        return
    before = walk.packet
    walk.packet = Packet(before.src, ob.client, before.protocol, ob.client_ports or before.port)
    walk.hop(node, "gateway", "translate", f"{box.name} translates {ob.translated} back to "
             f"{ob.client}", box.span, back=True)


def _back_between_tunnels(walk: Walk, ob: BackBetweenTunnels) -> None:
    link_from_site(walk, ob.out, back=True)
    refuse_if_down(walk, ob.box, back=True)
    walk.hop(f"{_kind(ob.box)}:{ob.box.name}", "gateway", "forward", f"{ob.box.name} passes the "
             f"response from {ob.out.words} into {ob.into.words}", ob.box.span, back=True)
    over_link(walk, ob.into, back=True)


def _into_tunnel(walk: Walk, ob: BackIntoTunnel) -> None:
    refuse_if_down(walk, ob.box, back=True)
    walk.hop(f"{_kind(ob.box)}:{ob.box.name}", "gateway", "forward", f"{ob.box.name} takes the "
             "response into the tunnel", ob.box.span, back=True)
    over_link(walk, ob.link, back=True)


def _out_of_tunnel(walk: Walk, ob: BackOutOfTunnel) -> None:
    link_from_site(walk, ob.link, back=True)
    refuse_if_down(walk, ob.box, back=True)
    walk.hop(f"{_kind(ob.box)}:{ob.box.name}", "gateway", "forward", f"{ob.box.name} takes the "
             "response out of the tunnel and forwards it into the VPC", ob.box.span, back=True)


def _kind(box) -> str:
    return "nat-instance" if isinstance(box, ast.NatInstance) else "instance"


class ApplianceHop(HopHandler):
    """An instance with its source/dest check off that a route sends traffic to."""

    components = (ast.Instance,)
    settles = {BackToSoftwareVpn: _back_to_software_vpn, BackIntoTunnel: _into_tunnel,
               BackOutOfTunnel: _out_of_tunnel, BackThroughAppliance: _back_through_appliance,
               BackBetweenTunnels: _back_between_tunnels}
    node_kind = "instance"

    def forward(self, walk: Walk, box, leaving: Leaving) -> Onward | None:
        subnet = leaving.subnet
        node = f"{self.node_kind}:{box.name}"
        refuse_if_down(walk, box)
        host = walk.dp.host(box.name)
        if host is None:
            walk.block(node, "gateway", f"'{box.name}' has no address")
        if host.subnet is not subnet:
            walk.cross(subnet, host.subnet)
            walk._nacl(host.subnet, "in", walk.current_src_address(), walk.port_value)
        box_end = walk.tracer.end(box.name)
        walk._sg_check(box_end, "in", peer_address=walk.current_src_address(), peer=walk.src)
        if box.source_dest_check:
            walk.block(node, "gateway", f"'{box.name}' keeps its source/dest check on, so it drops "
                       "traffic not addressed to itself", box.span)
        self._before_translation(walk, box, node)
        walk.answers_from(host.subnet)
        back = self._pass(walk, box, node)
        walk._sg_check(box_end, "out", peer_address=walk.dst.address, peer=walk.dst)
        tunnel = software_vpn_to(walk, box)
        if tunnel is not None:           # the box ends a VPN to the destination's site
            walk.obligations.append(BackOutOfTunnel(box, tunnel))
            to_site(walk, tunnel)
            return None
        walk.obligations.append(back)
        return Onward(host.subnet, box.vpc)

    def _before_translation(self, walk: Walk, box, node: str) -> None:
        """What stops the packet before the box passes it on (nothing, for an appliance)."""

    def _pass(self, walk: Walk, box, node: str) -> BackThroughAppliance:
        """Pass the packet on; what the response needs of the box on its way back."""
        walk.hop(node, "gateway", "forward", f"{box.name} forwards (source/dest check off)", box.span)
        # The packet keeps the client's address: beyond here an inbound SG reference does not
        # match it, only a CIDR rule (docs/SEMANTICS.md, Peering and transit: middlebox).
        walk.forwarded_by = box
        return BackThroughAppliance(box)

    def from_site(self, walk: Walk, box, link) -> None:
        """A software VPN: the instance takes the traffic out of the tunnel and forwards it."""
        node = f"{self.node_kind}:{box.name}"
        refuse_if_down(walk, box)
        host = walk.dp.host(box.name)
        if host is None:
            walk.block(node, "gateway", f"'{box.name}' has no address")
        if box.source_dest_check:
            walk.block(node, "gateway", f"'{box.name}' ends VPN '{link.obj.name}' but keeps its "
                       "source/dest check on, so it drops the traffic it would forward from the "
                       "tunnel", box.span)
        bgp_session(walk, box, link)
        walk.hop(node, "gateway", "forward", f"{box.name} takes it out of the tunnel and forwards "
                 "it into the VPC", box.span)
        walk._sg_check(walk.tracer.end(box.name), "out", peer_address=walk.dst.address, peer=walk.dst)
        walk.obligations.append(BackIntoTunnel(box, link))
        walk.obligations.append(BackToSoftwareVpn(walk.dst.subnet, box, walk.src.address))
        walk.route_from(host.subnet, box.vpc)


    def between_sites(self, walk: Walk, box, link, site) -> bool:
        """A software VPN hub (a transit VPC's appliance): ``site``'s tunnel ``link`` brings a
        packet for another site to ``box``, which passes it into its own tunnel to that site
        by its own routing; True when it did (False: no tunnel of the box reaches it). The
        VPC sees only the tunnels' IPsec packets, so no route table, NACL or security group
        of it meets the packet, and the source/dest check does not apply."""
        dst = walk.dst
        others = [lk for lk in walk.dp.links_on.get(box.name, []) if lk is not link]
        choice = best(others, dst.address) if dst.address is not None else None
        if choice is None or choice.link.site is not dst.obj:
            return False
        out = choice.link
        link_from_site(walk, link)
        refuse_if_down(walk, box)
        bgp_session(walk, box, link)
        if out.kind == "bgp-vpn":
            bgp_session(walk, box, out)
        walk.hop(f"{self.node_kind}:{box.name}", "gateway", "forward", f"{box.name} passes it from "
                 f"{link.words} into {out.words} ({choice.announce.net})", box.span)
        walk.obligations.append(BackBetweenTunnels(box, out, link))
        to_site(walk, out)
        return True


class NatInstanceHop(ApplianceHop):
    """A NAT instance: translates the source to its public address (IPv4 only)."""

    components = (ast.NatInstance,)
    settles = {BackThroughPortForward: _back_through_port_forward}
    node_kind = "nat-instance"

    def _before_translation(self, walk: Walk, box, node: str) -> None:
        if walk.dst.address is not None and walk.dst.address.version == 6:
            walk.block(node, "gateway", f"NAT instance '{box.name}' does not translate IPv6; "
                       "IPv6 traffic goes out by an egress-only internet gateway", box.span)

    def _pass(self, walk: Walk, box, node: str) -> BackThroughAppliance:
        before = walk.packet.src
        low, high = walk.client_ports
        ports = f"{low}-{high}" if walk.number in (6, 17) else ""
        host = walk.dp.host(box.name)
        # its own private address; the IGW maps that to its public one, as for any host
        walk.packet = with_src(walk.packet, str(host.address) if host is not None
                               else public_label(box.name))
        walk.translated, walk.src_public, walk.public_name = True, True, box.name
        walk.client_ports = ephemeral_range(box)
        walk.hop(node, "gateway", "translate", f"{box.name} translates {before} to "
                 f"{walk.packet.src}", box.span)
        return BackThroughAppliance(box, str(walk.packet.src), str(before), ports)

    def receive(self, walk: Walk, box_end: End) -> bool:
        """Internet -> NAT instance EIP:PORT -> INSTANCE:PORT, for a `forward` that matches."""
        if walk.src.kind != "internet":
            return False
        box = box_end.obj
        if walk.port_value is None:
            return False
        fwd = next((f for f in box.forwards if f.port.low <= walk.port_value <= f.port.high), None)
        if fwd is None:
            return False
        node = f"nat-instance:{box.name}"
        if box.source_dest_check:
            walk.block(node, "gateway", f"NAT instance '{box.name}' forwards port {walk.port} to "
                       f"'{fwd.instance.name}' only with its source/dest check off: it drops "
                       "traffic not addressed to itself", box.span)
        try:
            target = walk.tracer.end(fwd.instance.name, family=walk.flow_family())
        except FlowError as exc:
            walk.block(node, "gateway", f"port forward to '{fwd.instance.name}': {exc}", fwd.span)
        if target.problem is not None:       # a `down` instance (or one without the family)
            kind, component, reason, span = target.problem
            walk.block(component, kind, f"port forward to '{fwd.instance.name}': {reason}", span)
        if target.vpc != box.vpc or target.subnet is None:
            walk.block(node, "gateway", f"NAT instance '{box.name}' forwards only to hosts of its "
                       f"VPC '{box.vpc}'", fwd.span)
        before = walk.packet.dst
        walk.port, walk.port_value = str(fwd.to_port), fwd.to_port
        walk.packet = Packet(walk.packet.src, str(target.address), walk.protocol, walk.port)
        walk.hop(node, "gateway", "translate", f"{box.name} forwards {before} port "
                 f"{fwd.port} to {fwd.instance.name}:{fwd.to_port}", fwd.span)
        walk.dst = target
        walk._sg_check(box_end, "out", peer_address=target.address, peer=target)
        walk.obligations.append(BackThroughPortForward(target.subnet, box, walk.current_src_address()))
        walk.route_from(box_end.subnet, box.vpc)
        return True
