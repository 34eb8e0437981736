"""Network ACL and security group evaluation: pure functions over a packet header.

`nacl_verdict(nacl, direction, packet)` and `sg_verdict(groups, direction,
packet, peer)` return the `Match` that decides (rule, action, reason, span),
as aerleon's `AclCheck` does; `nacl_port_split` splits a response's port
range among the NACL rules that decide it. They read no walk: the packet is a
`Header` and the other end of an SG check a `Peer`, which
`vpcdsl.flows.dataplane.DataPlane.peer` builds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..protocols import icmp_type_number, protocol_number
from ..span import Span
from ..syntax import ast

ALL_PORTS = (0, 65535)


@dataclass(frozen=True, slots=True)
class Header:
    """What a filter reads of a packet: addresses, not the text labels `flow.Packet` shows.

    ``port`` is the TCP/UDP destination port (None: not one port, so port ranges
    do not narrow the match), ``icmp`` the ICMP type number (None: any).

    >>> from ipaddress import ip_address
    >>> Header(6, src=ip_address("10.0.0.5"), port=443).remote("in")
    IPv4Address('10.0.0.5')
    """

    number: int | None               # IP protocol number
    src: Any = None                  # an ip_address, or None where the end has none
    dst: Any = None
    port: int | None = None
    icmp: int | None = None

    def remote(self, direction: str):
        """The address a rule of ``direction`` names: the source of inbound traffic, else the
        destination."""
        return self.src if direction == "in" else self.dst


@dataclass(frozen=True, slots=True)
class Peer:
    """The other end of a packet a security group filters (built by `DataPlane.peer`)."""

    groups: tuple[ast.SecurityGroup, ...] | None   # its ENI's groups; None: no ENI of its own
    vpc: str | None
    references: bool                 # SG references to its groups are honoured on this path
    service: str | None = None       # an AWS service end: prefix-list rules name it


@dataclass(frozen=True, slots=True)
class Match:
    """The deciding rule of a filter. ``rule`` is None for a default (default NACL, default
    egress, default SG) and for the implicit deny."""

    rule: ast.NaclRule | ast.SgRule | None
    action: str                      # allow | deny
    reason: str
    span: Span | None
    group: str | None = None         # the security group whose rule (or default) it is

    @property
    def allowed(self) -> bool:
        return self.action == "allow"


# ---------------------------------------------------------------------------- matching one rule
# Small named predicates, shared by NACL and SG rules, so that address matching has one place.

def _protocol_matches(proto: ast.Protocol, packet: Header) -> bool:
    """Protocol number (`any` is -1), ICMP type and port range of a rule against the packet."""
    rnum = protocol_number(proto.name)
    if rnum is None or (rnum != -1 and rnum != packet.number):
        return False
    if rnum in (1, 58) and proto.icmp_type is not None and packet.icmp is not None:
        if icmp_type_number(rnum, proto.icmp_type) != packet.icmp:
            return False
    return _port_matches(proto, packet.number, packet.port)


def _port_matches(proto: ast.Protocol, number, port: int | None) -> bool:
    if proto.ports is None or port is None or number not in (6, 17):
        return True
    return proto.ports.low <= port <= proto.ports.high


def _in_network(net, address) -> bool:
    """Whether ``address`` lies in the block ``net`` (of the same family)."""
    return net is not None and address is not None and net.version == address.version \
        and address in net


def _cidr_matches(peer: ast.Cidr | ast.AnyPeer, address) -> bool:
    if isinstance(peer, ast.AnyPeer):
        return True
    return _in_network(peer.net, address)


def _reference_matches(name: str, peer: Peer | None) -> bool:
    """A rule naming a security group (or a prefix list) against the other end."""
    if peer is None:
        return False
    if peer.service is not None:
        return name == peer.service
    if not peer.references or peer.groups is None:
        return False
    return any(g.name == name for g in peer.groups)


def _sg_peer_matches(p: ast.Peer, address, peer: Peer | None) -> bool:
    if isinstance(p, ast.Ref):
        return _reference_matches(p.name, peer)
    return _cidr_matches(p, address)


# ---------------------------------------------------------------------------- NACLs

def _ordered(nacl: ast.Nacl, direction: str, rules):
    if rules is not None:
        return rules                 # `DataPlane.nacl_rules`: sorted once per model
    return sorted((r for r in nacl.rules if r.direction == direction), key=lambda r: r.number)


def _rule_match(rule: ast.NaclRule) -> Match:
    return Match(rule, rule.action, f"{rule.direction} rule {rule.number} {rule.action}", rule.span)


def nacl_verdict(nacl: ast.Nacl, direction: str, packet: Header, *, rules=None) -> Match:
    """The rule of ``nacl`` that decides ``packet`` in ``direction``: the lowest-numbered rule
    that matches, else the implicit deny (docs/SEMANTICS.md, Filters).

    ``rules``: the direction's rules already sorted (`DataPlane.nacl_rules`).
    """
    if nacl.default:
        return Match(None, "allow", "the default NACL allows everything", None)
    address = packet.remote(direction)
    for rule in _ordered(nacl, direction, rules):
        if _protocol_matches(rule.protocol, packet) and _cidr_matches(rule.cidr, address):
            return _rule_match(rule)
    return Match(None, "deny", "the implicit deny", nacl.span)


def nacl_port_split(nacl: ast.Nacl, direction: str, packet: Header, ports: tuple[int, int],
                    *, rules=None):
    """Split a response's destination ports ``ports`` (low, high) among the rules that decide
    them: (allowed, denied), lists of (low, high, Match); allowed in rule order, denied by
    port. ``packet.port`` is ignored.
    """
    if nacl.default:
        return [(*ports, Match(None, "allow", "the default NACL allows everything", None))], []
    address = packet.remote(direction)
    undecided = [ports]
    allowed, denied = [], []
    for rule in _ordered(nacl, direction, rules):
        if not undecided:
            break
        proto = rule.protocol
        if not _protocol_matches(proto, Header(packet.number, icmp=None)) \
                or not _cidr_matches(rule.cidr, address):
            continue
        lo, hi = _rule_ports(proto)
        rest = []
        for a, b in undecided:
            x, y = max(a, lo), min(b, hi)
            if x > y:
                rest.append((a, b))
                continue
            (allowed if rule.action == "allow" else denied).append((x, y, _rule_match(rule)))
            if a < x:
                rest.append((a, x - 1))
            if y < b:
                rest.append((y + 1, b))
        undecided = rest
    implicit = Match(None, "deny", "the implicit deny", nacl.span)
    denied.extend((a, b, implicit) for a, b in undecided)
    denied.sort(key=lambda t: t[0])
    return allowed, denied


def _rule_ports(proto: ast.Protocol) -> tuple[int, int]:
    if proto.ports is not None and protocol_number(proto.name) in (6, 17):
        return proto.ports.low, proto.ports.high
    return ALL_PORTS


# ---------------------------------------------------------------------------- security groups

def sg_verdict(groups, direction: str, packet: Header, peer: Peer | None) -> Match:
    """The first rule of ``groups`` (the union of an ENI's security groups) that allows
    ``packet`` in ``direction``, else a deny with the first group's span.

    ``peer`` is the other end (None: it has no ENI, so no SG reference matches it).
    """
    for sg in groups:
        match = _group_verdict(sg, direction, packet, peer)
        if match is not None:
            return match
    word = "ingress" if direction == "in" else "egress"
    return Match(None, "deny", f"no {word} rule allows it", groups[0].span if groups else None)


def _group_verdict(sg: ast.SecurityGroup, direction: str, packet: Header,
                   peer: Peer | None) -> Match | None:
    rules = [r for r in sg.rules if r.direction == direction]
    if direction == "out" and not rules and not sg.egress_none:
        return Match(None, "allow", f"security group {sg.name} allows all outbound traffic "
                     "(default egress)", sg.span, sg.name)
    if direction == "in" and sg.default:
        # its one inbound rule references itself
        if peer is not None and peer.references and peer.groups is not None and sg in peer.groups:
            return Match(None, "allow", f"default security group {sg.name} allows traffic from "
                         "its own members", sg.span, sg.name)
        return None
    address = packet.remote(direction)
    for rule in rules:
        if not _protocol_matches(rule.protocol, packet):
            continue
        for p in rule.peers:
            if _sg_peer_matches(p, address, peer):
                word = "from" if direction == "in" else "to"
                what = p.text if isinstance(p, ast.Cidr) else ("any" if isinstance(p, ast.AnyPeer) else p.name)
                return Match(rule, "allow", f"sg {sg.name} allows {rule.protocol.name} {word} {what}",
                             rule.span, sg.name)
    return None


# ---------------------------------------------------------------------------- address sets

@dataclass(frozen=True, slots=True)
class Ranges:
    """A far end that is a set of blocks rather than one address: an AWS service reached at
    its public ranges (`vpcdsl.service_ranges`), or a host's public IPv4 address, which may
    be any public one. A filter decides it per `cut` piece."""

    name: str                        # the service, as the flow names it
    region: str | None
    blocks: tuple                    # IPv4Network, disjoint
    published: bool                  # the service's own published ranges (else all public IPv4)
    label: bool = False              # ``name`` is a `public-ip(NAME)`: one public address unknown

    def words(self) -> str:
        """How a reason names the set."""
        if self.label:
            return f"{self.name} (any public IPv4 address: vpcdsl does not invent it)"
        where = f" in {self.region}" if self.region else ""
        if self.published:
            return f"{self.name}'s {len(self.blocks)} published ranges{where}"
        return f"the public IPv4 space (AWS publishes no ranges of {self.name}'s own{where})"


def rule_cidrs(rules) -> list:
    """The networks the CIDR peers of ``rules`` (NACL or SG rules) name."""
    nets = []
    for rule in rules:
        for peer in (rule.peers if isinstance(rule, ast.SgRule) else (rule.cidr,)):
            if isinstance(peer, ast.Cidr) and peer.net is not None:
                nets.append(peer.net)
    return nets


def cut(blocks, cidrs) -> list:
    """``blocks`` split at the edges of ``cidrs`` (`cut_bounds` without the bounds).

    >>> from ipaddress import ip_network as n
    >>> [str(p) for p in cut([n("52.216.0.0/15")], [n("52.216.0.0/16"), n("0.0.0.0/0")])]
    ['52.216.0.0/16', '52.217.0.0/16']
    """
    return [piece for _, _, piece in cut_bounds(blocks, cidrs)]


def cut_bounds(blocks, cidrs) -> list:
    """``blocks`` split so that no piece straddles the edge of a network in ``cidrs``: every
    address of a piece meets the same rules, so one address decides the piece. Returns
    (first address, last address, piece) as integers and network, in address order.

    Linear in blocks × cidrs (a piece splits into at most 32 per network); the inner test
    compares integers, as the walk cuts a service's ranges at every filter on its path.
    """
    pieces = [(int(p.network_address), int(p.broadcast_address), p) for p in blocks]
    for net in cidrs:
        start, length = int(net.network_address), net.prefixlen
        for i, (low, high, piece) in enumerate(pieces):
            # CIDRs nest or are disjoint: a network strictly inside a piece is inside that
            # one only, and one that holds a piece whole does not split it.
            if low <= start <= high and length > piece.prefixlen and piece.version == net.version:
                parts = [*piece.address_exclude(net), net]
                pieces[i:i + 1] = [(int(q.network_address), int(q.broadcast_address), q)
                                   for q in parts]
                break
    pieces.sort(key=lambda t: (t[2].version, t[0]))
    return pieces
