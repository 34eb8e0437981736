"""What a NACL or SG rule matches, as plain values: match keys, coverage between them,
the rules described as written, and the first-match sweep over one NACL direction
(`first_matches`), exact. The rest of the ACL checks compare rules through these.
"""

from __future__ import annotations

from ..protocols import ICMP, PORTED, icmp_type_number, protocol_number
from ..syntax import ast

TOP = {4: 2**32 - 1, 6: 2**128 - 1}   # the last address of each family


class DirectionRules:
    """One NACL direction's valid rules in number order, each rule's match of a protocol
    worked out once (`first_matches` asks per protocol, many times per NACL)."""

    __slots__ = ("keyed", "_of")

    def __init__(self, keyed: list[tuple[ast.NaclRule, "MatchKey"]]):
        self.keyed = keyed
        self._of: dict[int, list] = {}

    def of(self, protocol: int) -> list[tuple]:
        """(rule, axis, family or 0 for both, low, high) of each rule matching ``protocol``."""
        entries = self._of.get(protocol)
        if entries is None:
            entries = self._of[protocol] = []
            for rule, key in self.keyed:
                axis = axis_of(key, protocol)
                if axis is not False:
                    a = key[3]
                    entries.append((rule, axis) + ((0, 0, TOP[6]) if a is None else a))
        return entries


def first_matches(rules: DirectionRules, protocol: int, axis, family: int, low: int, high: int, *,
                  before: int | None = None, leftover: list | None = None) -> tuple[list[ast.NaclRule], bool]:
    """Which rules (numbered below ``before``, if given) decide the packets of ``protocol``
    with ports (or ICMP types) in ``axis`` and addresses ``low..high`` of ``family``, first
    match winning; and whether some of those packets match none of them (the implicit deny).

    Exact: ``axis`` (None for a protocol without ports or types) is cut at the
    bounds of the rules that touch the query, and each piece's addresses are
    swept in rule order, each rule taking what is left of its block (a 1-D sweep
    per class). ``leftover`` collects the address intervals no rule takes, piece
    by piece.

    >>> tcp = ast.Protocol("tcp", None, None, None)
    >>> deny, allow = ast.NaclRule("in", 90, "deny", tcp, None, None), ast.NaclRule("in", 100, "allow", tcp, None, None)
    >>> rules = DirectionRules([(deny, (6, (22, 22), None, (4, 0, 99))), (allow, (6, None, None, (4, 50, 200)))])
    >>> found, gap = first_matches(rules, 6, (20, 30), 4, 0, 200)
    >>> [r.number for r in found], gap
    ([90, 100], True)
    """
    relevant = []
    for entry in rules.of(protocol):
        rule, rule_axis, fam, lo, hi = entry
        if before is not None and rule.number >= before:
            break
        if fam and fam != family:
            continue
        if not fam:
            hi = TOP[family]
        if hi < low or lo > high:
            continue
        if axis is not None and rule_axis is not None and (rule_axis[1] < axis[0] or rule_axis[0] > axis[1]):
            continue
        if not relevant and lo <= low and high <= hi and (
                axis is None or rule_axis is None or (rule_axis[0] <= axis[0] and axis[1] <= rule_axis[1])):
            return [rule], False    # the first rule that touches the query takes all of it
        relevant.append((rule, rule_axis, max(lo, low), min(hi, high)))
    if not relevant:
        if leftover is not None:
            leftover.append((low, high))
        return [], True
    if axis is None:
        pieces = [None]
    else:
        bounds = {axis[0], axis[1] + 1}
        for _, rule_axis, _, _ in relevant:
            if rule_axis is not None:
                if axis[0] < rule_axis[0] <= axis[1]:
                    bounds.add(rule_axis[0])
                if axis[0] <= rule_axis[1] < axis[1]:
                    bounds.add(rule_axis[1] + 1)
        cuts = sorted(bounds)
        pieces = [(a, b - 1) for a, b in zip(cuts, cuts[1:])]
    deciders: dict[int, ast.NaclRule] = {}
    gap = False
    for piece in pieces:
        remaining = [(low, high)]
        for rule, rule_axis, lo, hi in relevant:
            if piece is not None and rule_axis is not None and not rule_axis[0] <= piece[0] <= rule_axis[1]:
                continue   # the pieces are cut at the rule's bounds: inside it, or outside
            rest = []
            for x, y in remaining:
                if hi < x or lo > y:
                    rest.append((x, y))
                    continue
                deciders.setdefault(id(rule), rule)
                if x < lo:
                    rest.append((x, lo - 1))
                if hi < y:
                    rest.append((hi + 1, y))
            remaining = rest
            if not remaining:
                break
        if remaining:
            gap = True
            if leftover is not None:
                leftover.extend(remaining)
    return sorted(deciders.values(), key=lambda r: r.number), gap


def axis_of(key: "MatchKey", protocol: int):
    """The ports (or ICMP types) of ``protocol`` a rule matches: an interval, None for all of
    them, False when the rule does not match the protocol (or names an unknown ICMP type)."""
    number, ports, icmp, _ = key
    if number == -1:
        return None
    if number != protocol:
        return False
    if protocol in PORTED:
        return ports
    if protocol in ICMP:
        if icmp is None:
            return None
        return False if isinstance(icmp, str) else (icmp, icmp)
    return None


# What a NACL rule matches, as plain values: (protocol, ports, icmp type, addresses).
# protocol -1 is every protocol; ports (low, high) or None for every port; the ICMP
# type or None for every type; addresses (version, first, last) or None for `any`.
MatchKey = tuple[int, "tuple[int, int] | None", "int | str | None", "tuple[int, int, int] | None"]


# What a rule's protocol part matches: (protocol, ports, icmp type), as in MatchKey.
ProtocolKey = tuple[int, "tuple[int, int] | None", "int | str | None"]


def protocol_key(proto: ast.Protocol) -> ProtocolKey | None:
    """The protocol, ports and ICMP type a NACL or SG rule matches; None for an invalid literal."""
    number = protocol_number(proto.name)
    if number is None:
        return None
    ports = icmp = None
    if number in PORTED and proto.ports is not None:
        if not 0 <= proto.ports.low <= proto.ports.high <= 65535:
            return None
        ports = (proto.ports.low, proto.ports.high)
    elif number in ICMP and proto.icmp_type is not None:
        icmp = _icmp_type(number, proto.icmp_type)
    return number, ports, icmp


def match_key(rule: ast.NaclRule) -> MatchKey | None:
    """The packets ``rule`` matches, or None when a literal in it is invalid."""
    proto = protocol_key(rule.protocol)
    if proto is None:
        return None
    if isinstance(rule.cidr, ast.AnyPeer):
        addresses = None
    elif rule.cidr.net is None:
        return None
    else:
        addresses = address_block(rule.cidr.net)
    return proto + (addresses,)


def address_block(net) -> tuple[int, int, int]:
    return net.version, int(net.network_address), int(net.broadcast_address)


def protocol_covers(a: ProtocolKey, b: ProtocolKey) -> bool:
    """Every (protocol, port, type) of ``b`` is also one of ``a``."""
    if a[0] == -1:
        return True
    if a[0] != b[0]:
        return False
    if a[1] is not None and (b[1] is None or b[1][0] < a[1][0] or b[1][1] > a[1][1]):
        return False
    return a[2] is None or a[2] == b[2]


def covers(a: MatchKey, b: MatchKey) -> bool:
    """Every packet of match key ``b`` is also matched by ``a``."""
    if not protocol_covers(a[:3], b[:3]):
        return False
    if a[3] is None:
        return True
    return b[3] is not None and a[3][0] == b[3][0] and a[3][1] <= b[3][1] and b[3][2] <= a[3][2]


def _icmp_type(protocol: int, text: str) -> int | str:
    number = icmp_type_number(protocol, text)
    return text.lower() if number is None else number   # an unknown name compares as itself


def describe_rule(rule: ast.NaclRule) -> str:
    """``deny tcp 22 from 10.0.0.0/8``: a NACL rule as written, without its number."""
    return " ".join((rule.action, describe_protocol(rule.protocol),
                     "from" if rule.direction == "in" else "to", peer_text(rule.cidr)))


def describe_protocol(proto: ast.Protocol) -> str:
    """``tcp 22``, ``tcp any``, ``icmp echo-request``, ``any``: a rule's protocol as written."""
    words = [proto.name]
    if proto.ports is not None:
        words.append(str(proto.ports))
    elif proto.any_ports:
        words.append("any")
    elif proto.icmp_type is not None:
        words.append(proto.icmp_type)
    return " ".join(words)


def peer_text(peer) -> str:
    if isinstance(peer, ast.AnyPeer):
        return "any"
    if isinstance(peer, ast.Ref):
        return peer.name
    return peer.text
