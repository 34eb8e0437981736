"""Network ACL and security group evaluation: which rule decides a packet.

`first_nacl_match` and `nacl_port_verdicts` read a NACL's numbered rules (the
latter splits a response's port range among them); `sg_allows` finds the
security group rule that lets a walk's packet through. `vpcdsl.flows.trace`
re-exports the three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..syntax import ast
from ..protocols import icmp_type_number, protocol_number

if TYPE_CHECKING:
    from .flow import End
    from .trace import _Walk


def _ordered(nacl: ast.Nacl, direction: str, rules):
    if rules is not None:
        return rules                 # `DataPlane.nacl_rules`: sorted once per model
    return sorted((r for r in nacl.rules if r.direction == direction), key=lambda r: r.number)


def first_nacl_match(nacl: ast.Nacl, direction: str, number: int | None, port: int | None,
                     icmp: int | None, address, rules=None) -> ast.NaclRule | None:
    for rule in _ordered(nacl, direction, rules):
        if _nacl_matches(rule, number, icmp, address) and _port_matches(rule.protocol, number, port):
            return rule
    return None


def nacl_port_verdicts(nacl, direction, number, ports, address, rules=None):
    """Split a port range among the rules that decide it: (allowed, denied) [(lo, hi, rule)]."""
    undecided = [ports]
    allowed, denied = [], []
    for rule in _ordered(nacl, direction, rules):
        if not undecided:
            break
        if not _nacl_matches(rule, number, None, address):
            continue
        proto = rule.protocol
        lo, hi = (0, 65535)
        if proto.ports is not None and protocol_number(proto.name) in (6, 17):
            lo, hi = proto.ports.low, proto.ports.high
        rest = []
        for a, b in undecided:
            x, y = max(a, lo), min(b, hi)
            if x > y:
                rest.append((a, b))
                continue
            (allowed if rule.action == "allow" else denied).append((x, y, rule))
            if a < x:
                rest.append((a, x - 1))
            if y < b:
                rest.append((y + 1, b))
        undecided = rest
    denied.extend((a, b, None) for a, b in undecided)
    denied.sort(key=lambda t: t[0])
    return allowed, denied


def _nacl_matches(rule: ast.NaclRule, number, icmp, address) -> bool:
    rnum = protocol_number(rule.protocol.name)
    if rnum is None:
        return False
    if rnum != -1 and rnum != number:
        return False
    if rnum in (1, 58) and rule.protocol.icmp_type is not None and icmp is not None:
        if icmp_type_number(rnum, rule.protocol.icmp_type) != icmp:
            return False
    if isinstance(rule.cidr, ast.AnyPeer):
        return True
    net = rule.cidr.net
    return net is not None and address is not None and net.version == address.version and address in net


def _port_matches(proto: ast.Protocol, number, port: int | None) -> bool:
    if proto.ports is None or port is None or number not in (6, 17):
        return True
    return proto.ports.low <= port <= proto.ports.high


def sg_allows(walk: _Walk, sg: ast.SecurityGroup, direction: str, address, peer: End | None):
    """(detail, span) of the first rule of ``sg`` allowing the walk's packet, or None."""
    rules = [r for r in sg.rules if r.direction == direction]
    if direction == "out" and not rules and not sg.egress_none:
        return f"security group {sg.name} allows all outbound traffic (default egress)", sg.span
    if direction == "in" and sg.default:
        if peer is not None and peer.sgs is not None and sg in peer.sgs:
            return (f"default security group {sg.name} allows traffic from its own members",
                    sg.span)
        return None
    number = walk.number
    for rule in rules:
        rnum = protocol_number(rule.protocol.name)
        if rnum is None or (rnum != -1 and rnum != number):
            continue
        if rnum in (1, 58) and rule.protocol.icmp_type is not None and walk.icmp is not None:
            if icmp_type_number(rnum, rule.protocol.icmp_type) != walk.icmp:
                continue
        if not _port_matches(rule.protocol, number, walk.port_value):
            continue
        for p in rule.peers:
            if _sg_peer_matches(walk, p, address, peer, owner=sg):
                word = "from" if direction == "in" else "to"
                what = p.text if isinstance(p, ast.Cidr) else ("any" if isinstance(p, ast.AnyPeer) else p.name)
                return f"sg {sg.name} allows {rule.protocol.name} {word} {what}", rule.span
    return None


def _sg_peer_matches(walk: _Walk, peer, address, end: End | None, owner=None) -> bool:
    if isinstance(peer, ast.AnyPeer):
        return True
    if isinstance(peer, ast.Cidr):
        net = peer.net
        return net is not None and address is not None and net.version == address.version \
            and address in net
    name = peer.name
    if end is not None and end.kind == "service":
        return name == end.text
    sg = walk.model.get(name, "sg")
    if sg is None or end is None or end.sgs is None:
        return False
    if owner is not None and sg.vpc != owner.vpc:      # no SG references across regions
        vpcs = walk.model.vpcs
        if getattr(vpcs.get(sg.vpc), "region_name", None) != \
                getattr(vpcs.get(owner.vpc), "region_name", None):
            return False
        # between VPCs only a peering carries SG references: not a TGW (TGW guide, limits)
        if walk.via_tgw is not None or \
                frozenset((sg.vpc, owner.vpc)) not in walk.dp.peerings_between:
            return False
    return sg in end.sgs
