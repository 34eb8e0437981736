"""Security groups and network ACLs: rule numbers, shadowed rules, SG references, and the
warnings a reviewer wants without writing an `expect`.

NACL rules are checked per ACL and direction: numbers in 1..32766 (E401),
unique (E402), and no rule hidden by lower-numbered ones, one or several
together (W401, named aerleon-style); a custom NACL must let back the
responses of the requests it admits (W404). SG rules may name groups of their
own VPC or of a same-region peered VPC only (E404, E405), should not repeat a
wider rule (W405) nor name a group nobody uses (W406). SSH, RDP, database
ports and every port open to the internet are W403, in SGs and NACLs. E403
and E406 are reported by the transformer. Every comparison is between the
rules of one NACL direction or one SG (AWS quotas keep them to a few dozen);
the model-wide facts they need are indexed once (`_Context`).
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterator

from ..aws import EPHEMERAL, NOT_INTERNET, PREFIX_LISTS
from ..protocols import ECHO_REPLY, ECHO_REQUEST, ICMP, PORTED, icmp_type_number, protocol_number
from ..diagnostics import Diagnostic, Note, error, warning
from ..model.network import Model, describe
from ..packetsets import PacketSet
from ..span import Span
from ..syntax import ast
from . import locate

NACL_MIN_RULE, NACL_MAX_RULE = 1, 32766   # VPC guide, vpc-network-acls

_DIRECTION_WORDS = {"in": "inbound", "out": "outbound"}


def check(model: Model) -> Iterator[Diagnostic]:
    links = _SgLinks(model)
    context = _Context(model)
    for vpc in model.vpcs.values():
        for member in vpc.members:
            if isinstance(member, ast.Nacl):
                yield from _check_nacl(model, member, context)
            elif isinstance(member, ast.SecurityGroup):
                yield from _check_sg(model, member, links)
                if not member.default:
                    yield from _lint_sg(model, member, context)


# ---------------------------------------------------------------------------- NACLs

def _check_nacl(model: Model, nacl: ast.Nacl, context: "_Context") -> Iterator[Diagnostic]:
    keyed: dict[str, list[tuple[ast.NaclRule, MatchKey]]] = {}
    for direction in ("in", "out"):
        first_with: dict[int, ast.NaclRule] = {}
        for rule in nacl.rules:
            if rule.direction != direction:
                continue
            if not NACL_MIN_RULE <= rule.number <= NACL_MAX_RULE:
                yield error(
                    "E401", f"rule number {rule.number} of network ACL '{nacl.name}' is outside "
                            f"{NACL_MIN_RULE}..{NACL_MAX_RULE}", _number_span(model, rule),
                    "AWS numbers NACL rules 1 to 32766 (32767 is the implicit deny); leave gaps "
                    "such as 100, 200, ... to insert rules later")
                continue
            first = first_with.get(rule.number)
            if first is not None:
                yield error(
                    "E402", f"network ACL '{nacl.name}' has two {_DIRECTION_WORDS[direction]} rules "
                            f"numbered {rule.number}", _number_span(model, rule),
                    f"rule {first.number} ({describe_rule(first)}) is at line {first.span.line}; "
                    f"a number is used once per direction: renumber one of them")
                continue
            first_with[rule.number] = rule
        ordered = sorted(first_with.values(), key=lambda r: r.number)
        keyed[direction] = [(rule, key) for rule in ordered if (key := match_key(rule)) is not None]
        yield from _shadowed(nacl, keyed[direction])
    if not nacl.default:
        rules = {direction: DirectionRules(keyed[direction]) for direction in keyed}
        yield from _world_open_nacl(model, nacl, rules["in"], context)
        yield from _missing_returns(model, nacl, rules, context)


def _shadowed(nacl: ast.Nacl, keyed: list[tuple[ast.NaclRule, "MatchKey"]]) -> Iterator[Diagnostic]:
    """W401 for each rule that lower-numbered rules of the same direction cover, alone or together.

    NACL quotas keep a direction to a few dozen rules, so the plain loop over
    earlier rules (aerleon's) is cheap. A rule one earlier rule covers names
    the first such rule; else the rules that together match all of it are
    found exactly, as packet sets (`_covered_together`). Rules with an invalid
    literal take part in neither role.
    """
    for i, (later, b) in enumerate(keyed):
        covering, overlapping = None, []
        for earlier, a in keyed[:i]:
            if _overlap(a, b):
                if covers(a, b):
                    covering = earlier
                    break
                overlapping.append((earlier, a))
        if covering is not None:
            hiders = [covering]
            message = (f"rule {later.number} ({describe_rule(later)}) of network ACL '{nacl.name}' "
                       f"is shadowed by rule {covering.number} ({describe_rule(covering)})")
            notes = [Note(f"rule {covering.number} ({describe_rule(covering)}) matches every packet "
                          f"rule {later.number} matches", covering.span)]
        else:
            hiders = _covered_together(overlapping, b)
            if not hiders:
                continue
            message = (f"rule {later.number} ({describe_rule(later)}) of network ACL '{nacl.name}' "
                       f"is shadowed by rules {_numbers(hiders)} together")
            notes = [Note(f"rule {r.number} ({describe_rule(r)}) matches part of it", r.span)
                     for r in hiders[:_MAX_NOTES]]
        if all(r.action == later.action for r in hiders):
            hint = (f"rules are evaluated from the lowest number and the first match "
                    f"decides: rule {later.number} never applies and can be removed")
        else:
            hint = (f"rules are evaluated from the lowest number and the first match "
                    f"decides: if rule {later.number} should win, number it below "
                    f"{hiders[0].number}; else remove it")
        yield warning("W401", message, later.span, hint, notes)


_MAX_NOTES = 6


def _numbers(rules) -> str:
    """``100, 110 and 120``"""
    numbers = [str(r.number) for r in rules]
    return numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]


def _covered_together(overlapping: list, key: "MatchKey") -> list[ast.NaclRule]:
    """Of the earlier rules that share packets with ``key`` (number order), those that
    together match every packet of it (each deciding some, first match winning), or []
    when some packet of it reaches none of them.

    Exact, with `vpcdsl.packetsets`; a cheap necessary condition first keeps
    the sets to the few rules it cannot rule out (every projection of the rule,
    on addresses, ports and protocols, must be covered by those of the earlier
    rules that overlap it).
    """
    if isinstance(key[2], str):
        return []       # an ICMP type name vpcdsl.protocols does not know compares only as itself
    overlapping = [(rule, k) for rule, k in overlapping if not isinstance(k[2], str)]
    if len(overlapping) < 2 or not _projections_covered(key, [k for _, k in overlapping]):
        return []
    remaining = _packets(key)
    if not remaining <= PacketSet.union(_packets(k) for _, k in overlapping):
        return []
    hiders = []
    for rule, k in overlapping:
        part = _packets(k)
        if not (remaining & part).is_empty():
            hiders.append(rule)
            remaining = remaining - part
            if remaining.is_empty():
                break
    return hiders


def _packets(key: "MatchKey") -> PacketSet:
    """The packets of a NACL match key. Its CIDR is put on the source: rules of one
    direction all match the same end, so which one does not change what covers what."""
    number, ports, icmp, addresses = key
    fields: dict = {"protocol": None if number == -1 else number}
    if addresses is not None:
        fields["family"] = 0 if addresses[0] == 4 else 1
        fields["src"] = (addresses[1], addresses[2])
    if number in PORTED and ports is not None:
        fields["dport"] = ports
    elif number in ICMP and icmp is not None:
        fields["icmp_type"] = icmp
    return PacketSet.box(**fields)


def _overlap(a: "MatchKey", b: "MatchKey") -> bool:
    """Whether two match keys share a packet (a quick test on each field)."""
    if a[0] != -1 and b[0] != -1:
        if a[0] != b[0]:
            return False
        if a[1] is not None and b[1] is not None and (a[1][1] < b[1][0] or b[1][1] < a[1][0]):
            return False
        if a[2] is not None and b[2] is not None and a[2] != b[2]:
            return False
    if a[3] is None or b[3] is None:
        return True
    return a[3][0] == b[3][0] and a[3][1] <= b[3][2] and b[3][1] <= a[3][2]


def _projections_covered(key: "MatchKey", others: list) -> bool:
    """A necessary condition for ``others`` to cover ``key`` together: on addresses, on
    ports (or ICMP types) and on protocols, their values cover the key's."""
    number, ports, icmp, addresses = key
    for family, low, high in ([(4, 0, _TOP[4]), (6, 0, _TOP[6])] if addresses is None else [addresses]):
        spans = [(0, _TOP[family]) if k[3] is None else (k[3][1], k[3][2])
                 for k in others if k[3] is None or k[3][0] == family]
        if not _interval_covered(low, high, spans):
            return False
    if number == -1:
        return any(k[0] == -1 for k in others) or len({k[0] for k in others}) == 256
    if number in PORTED or number in ICMP:
        want = (ports or (0, 65535)) if number in PORTED else ((icmp, icmp) if icmp is not None else (0, 255))
        axes = [_axis_of(k, number) for k in others]
        spans = [want if a is None else a for a in axes if a is not False]
        return _interval_covered(want[0], want[1], spans)
    return True


def _interval_covered(low: int, high: int, spans: list[tuple[int, int]]) -> bool:
    for lo, hi in sorted(spans):
        if lo > low:
            return False
        low = max(low, hi + 1)
        if low > high:
            return True
    return False


_TOP = {4: 2**32 - 1, 6: 2**128 - 1}


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
                axis = _axis_of(key, protocol)
                if axis is not False:
                    a = key[3]
                    entries.append((rule, axis) + ((0, 0, _TOP[6]) if a is None else a))
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
            hi = _TOP[family]
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


def _axis_of(key: "MatchKey", protocol: int):
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
        addresses = _block(rule.cidr.net)
    return proto + (addresses,)


def _block(net) -> tuple[int, int, int]:
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
                     "from" if rule.direction == "in" else "to", _peer_text(rule.cidr)))


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


def _peer_text(peer) -> str:
    if isinstance(peer, ast.AnyPeer):
        return "any"
    if isinstance(peer, ast.Ref):
        return peer.name
    return peer.text


def _number_span(model: Model, rule: ast.NaclRule):
    return locate(model, rule.span, r"\d+")


# ---------------------------------------------------------------------------- security groups

class _SgLinks:
    """Which VPCs may reference each other's security groups (peerings, TGW attachments)."""

    def __init__(self, model: Model):
        self.peerings: dict[frozenset[str], ast.Peering] = {}
        for p in model.peerings.values():
            a, b = p.requester.name, p.accepter.name
            if a != b and a in model.vpcs and b in model.vpcs:
                self.peerings.setdefault(frozenset((a, b)), p)
        self.tgws_of: dict[str, set[str]] = {}
        for tgw in model.tgws.values():
            for att in tgw.attachments:
                if att.vpc.name in model.vpcs:
                    self.tgws_of.setdefault(att.vpc.name, set()).add(tgw.name)


def _check_sg(model: Model, sg: ast.SecurityGroup, links: _SgLinks) -> Iterator[Diagnostic]:
    if sg.egress_none and any(r.direction == "out" for r in sg.rules):
        yield warning(
            "W402", f"security group '{sg.name}' has `out none` and outbound rules",
            locate(model, sg.span, r"(?:^|[{;])\s*(out\s+none)\b"),
            "outbound rules already replace the default allow-all egress: remove `out none`, "
            "or the `out` rules if the group should send nothing")
    own = model.vpcs.get(sg.vpc)
    if own is None:
        return
    for rule in sg.rules:
        for peer in rule.peers:
            if not isinstance(peer, ast.Ref):
                continue
            other = model.get(peer.name, "sg")
            if other is None or other.vpc == sg.vpc or other.vpc not in model.vpcs:
                continue
            yield from _cross_vpc_reference(model, sg, rule, peer, own, model.vpcs[other.vpc], links)


def _cross_vpc_reference(model: Model, sg: ast.SecurityGroup, rule: ast.SgRule, peer: ast.Ref,
                         own: ast.Vpc, theirs: ast.Vpc, links: _SgLinks) -> Iterator[Diagnostic]:
    cidrs = ", ".join(c.text for c in theirs.cidrs) or "its CIDR"
    peering = links.peerings.get(frozenset((own.name, theirs.name)))
    same_region = own.region_name == theirs.region_name
    if peering is not None:
        if not same_region:
            yield error(
                "E404", f"security group '{sg.name}' references security group '{peer.name}' of VPC "
                        f"'{theirs.name}' across inter-region peering '{peering.name}' "
                        f"('{own.name}' is in {own.region_name}, '{theirs.name}' in "
                        f"{theirs.region_name})", peer.span,
                f"security group references do not cross regions: allow the CIDR of VPC "
                f"'{theirs.name}' ({cidrs}) instead")
        return
    # Transit Gateway security group referencing (2024): inbound rules only, same region.
    if (rule.direction == "in" and same_region
            and links.tgws_of.get(own.name, set()) & links.tgws_of.get(theirs.name, set())):
        return
    hint = (f"a rule names security groups of its own VPC or of a same-region peered VPC: "
            f"peer '{own.name}' with '{theirs.name}', or allow the CIDR of VPC '{theirs.name}' "
            f"({cidrs})"
            if same_region else
            f"a rule names security groups of its own VPC or of a same-region peered VPC: "
            f"allow the CIDR of VPC '{theirs.name}' ({cidrs}) instead")
    yield error(
        "E405", f"security group '{sg.name}' (VPC '{own.name}') references security group "
                f"'{peer.name}' of VPC '{theirs.name}', which is not peered with it", peer.span, hint)


# ---------------------------------------------------------------------------- what the lint needs of the model

# Ports an architect never wants open to the internet (TCP): remote shells and databases.
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 1433: "MSSQL",
                   1521: "Oracle", 6379: "Redis", 27017: "MongoDB"}
_SHELL_PORTS = (22, 3389)
_TCP = 6
_ANY_PORT = (1024, 65535)       # every client's ephemeral ports (VPC guide, nacl-ephemeral-ports)
_PORT_NOUNS = {"in": ("inbound", "from"), "out": ("outbound", "to")}


def _ephemeral_ports(member) -> tuple[int, int]:
    """The ports a host's responses come back to: the trace's rule (flows.dataplane.ephemeral_range,
    SEMANTICS.md "Filters"), for the hosts a subnet holds."""
    if isinstance(member, ast.Instance):
        if member.ephemeral is not None:
            return member.ephemeral.low, member.ephemeral.high
        return EPHEMERAL[member.os or "linux"]
    if isinstance(member, ast.NatGateway):
        return EPHEMERAL["nat"]
    if isinstance(member, ast.LoadBalancer):
        return EPHEMERAL["elb"]
    return EPHEMERAL["linux"]           # a NAT instance, or a subnet's probe


class _Context:
    """Model-wide facts the lint asks per rule, indexed once: the clients in each subnet
    (their ephemeral ports), the instances each subnet holds, which security groups a network
    interface uses, and where the internet and the sites are."""

    def __init__(self, model: Model):
        self.model = model
        self.ports_in: dict[str, set[tuple[int, int]]] = {}       # subnet -> clients' ports
        self.instances_in: dict[str, list] = {}                   # subnet -> instances
        self.sg_users: dict[str, object] = {}                     # SG name -> first ENI using it
        for vpc in model.vpcs.values():
            default = model.default_sg.get(vpc.name)
            for m in vpc.members:
                if isinstance(m, (ast.Instance, ast.NatInstance, ast.NatGateway)):
                    self.ports_in.setdefault(m.subnet.name, set()).add(_ephemeral_ports(m))
                    if not isinstance(m, ast.NatGateway):
                        self.instances_in.setdefault(m.subnet.name, []).append(m)
                elif isinstance(m, ast.LoadBalancer):
                    for ref in m.subnets:
                        self.ports_in.setdefault(ref.name, set()).add(_ephemeral_ports(m))
                if isinstance(m, (ast.Instance, ast.NatInstance, ast.InterfaceEndpoint, ast.LoadBalancer)):
                    # As the trace (DataPlane.security_groups): no `sg` is the default SG,
                    # except on a network load balancer, which then has none.
                    names = [r.name for r in m.sgs]
                    if not names and not (isinstance(m, ast.LoadBalancer) and m.type == "network"):
                        names = [default.name] if default is not None else []
                    for name in names:
                        self.sg_users.setdefault(name, m)
        self._subnets: dict[int, list[tuple[int, int, str]]] = {4: [], 6: []}
        for subnet in model.subnets.values():
            for cidr in (subnet.cidr, subnet.ipv6):
                if cidr is not None and cidr.net is not None:
                    self._subnets[cidr.net.version].append(_block(cidr.net)[1:] + (subnet.name,))
        self._starts: dict[int, list[int]] = {}
        self._widest: dict[int, int] = {}
        for version, blocks in self._subnets.items():
            blocks.sort()
            self._starts[version] = [b[0] for b in blocks]
            self._widest[version] = max((b[1] - b[0] for b in blocks), default=0)
        # Where no internet host is: private and special blocks, and every VPC's blocks,
        # merged per family so that a block is looked up by bisection.
        blocks = [_block(n) for n in NOT_INTERNET]
        for vpc in model.vpcs.values():
            blocks += [_block(c.net) for c in vpc.cidrs + vpc.ipv6 if c.net is not None]
        self._not_internet = {4: _merged([b[1:] for b in blocks if b[0] == 4]),
                              6: _merged([b[1:] for b in blocks if b[0] == 6])}
        self._not_internet_starts = {f: [lo for lo, _ in v] for f, v in self._not_internet.items()}
        self._sites = [(_block(c.net), site) for site in model.sites.values() for c in site.cidrs
                       if c.net is not None]
        self._clients: dict[tuple, list[tuple[int, int]]] = {}
        low, high = EPHEMERAL["external"]
        every = set().union(*self.ports_in.values(), {EPHEMERAL["linux"]})
        every |= {(site.ephemeral.low, site.ephemeral.high) for _, site in self._sites if site.ephemeral}
        self._within_external = all(low <= lo and hi <= high for lo, hi in every)

    def subnets_overlapping(self, family: int, low: int, high: int) -> list[str]:
        """The subnets with an address in ``low..high`` (a sorted index: no scan of the model)."""
        blocks = self._subnets[family]
        i = bisect_right(self._starts[family], high)
        out = []
        while i > 0:
            i -= 1
            first, last, name = blocks[i]
            if first < low - self._widest[family]:
                break
            if last >= low:
                out.append(name)
        return out

    def client_ports(self, family: int, low: int, high: int) -> list[tuple[int, int]]:
        """The ephemeral ports of every client that may have an address in ``low..high``:
        the hosts of the subnets there (a subnet without hosts counts as the trace's Linux
        probe), the sites there, and 1024-65535 if the block reaches the internet.
        Merged into disjoint ranges."""
        key = (family, low, high)
        cached = self._clients.get(key)
        if cached is not None:
            return cached
        i = bisect_right(self._not_internet_starts[family], low) - 1
        internet = i < 0 or self._not_internet[family][i][1] < high
        if internet and self._within_external:
            return [EPHEMERAL["external"]]      # holds every other client's range
        ranges: set[tuple[int, int]] = set()
        for name in self.subnets_overlapping(family, low, high):
            ranges |= self.ports_in.get(name) or {EPHEMERAL["linux"]}
        for (version, first, last), site in self._sites:
            if version == family and first <= high and low <= last:
                eph = site.ephemeral
                ranges.add((eph.low, eph.high) if eph is not None else EPHEMERAL["external"])
        if internet:
            ranges.add(EPHEMERAL["external"])
        merged = self._clients[key] = _merged(ranges)
        return merged


def _subnets_of(model: Model, nacl: ast.Nacl) -> list[ast.Subnet]:
    """The subnets that really use ``nacl`` (the first NACL listing a subnet wins, E210)."""
    out = []
    for ref in nacl.subnets:
        subnet = model.subnets.get(ref.name)
        if subnet is not None and model.nacl_of.get(subnet.name) is nacl and subnet not in out:
            out.append(subnet)
    return out


def _is_world(key_addresses) -> bool:
    """`any`, 0.0.0.0/0 or ::/0."""
    return key_addresses is None or (key_addresses[1] == 0 and key_addresses[2] == _TOP[key_addresses[0]])


def _covers_ephemeral(ports) -> bool:
    """Whether a rule's ports hold a whole ephemeral range: then it also carries responses,
    and the NACL cannot tell requests from answers by it."""
    return ports is None or any(ports[0] <= lo and hi <= ports[1] for lo, hi in _EPHEMERAL_RANGES)


_EPHEMERAL_RANGES = tuple(sorted(set(EPHEMERAL.values())))


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


def _sensitive_in(ports) -> list[int]:
    """The SENSITIVE_PORTS in a TCP port range (None: every port)."""
    return [p for p in SENSITIVE_PORTS if ports is None or ports[0] <= p <= ports[1]]


def _port_names(ports: list[int]) -> str:
    """``SSH (tcp 22)``, or ``SSH 22, MySQL 3306 and RDP 3389``."""
    if len(ports) == 1:
        return f"{SENSITIVE_PORTS[ports[0]]} (tcp {ports[0]})"
    names = [f"{SENSITIVE_PORTS[p]} {p}" for p in sorted(ports)]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _exposure_hint(ports: list[int], everything: bool) -> str:
    if everything or len(ports) > 2:
        return ("open only the ports the service answers on (443 for a web server), and admit "
                "the rest from security groups or your own CIDRs")
    if all(p in _SHELL_PORTS for p in ports):
        return ("admit remote shells only from the addresses that need them (an office's CIDR, a "
                "bastion's security group), or use Session Manager or EC2 Instance Connect "
                "Endpoint, which need no open port")
    return ("a database answers its application tier: admit its clients' security group "
            "(`in tcp PORT from app`), never the internet")


# ---------------------------------------------------------------------------- W403 (NACLs)

def _world_open_nacl(model: Model, nacl: ast.Nacl, inbound: DirectionRules,
                     context: _Context) -> Iterator[Diagnostic]:
    """W403 for an inbound allow from the internet that decides SSH, RDP or a database port
    for subnets holding instances. A rule whose ports hold an ephemeral range (or every
    port) is left out: it is also the return path of outbound connections, and the
    instances' security groups are the place to look."""
    held = [(s, context.instances_in[s.name][0]) for s in _subnets_of(model, nacl)
            if context.instances_in.get(s.name)]
    if not held:
        return
    for rule, key in inbound.keyed:
        number, ports, _icmp, addresses = key
        if rule.action != "allow" or number != _TCP or _covers_ephemeral(ports) or not _is_world(addresses):
            continue
        families = (4, 6) if addresses is None else (addresses[0],)
        decided = [p for p in _sensitive_in(ports)
                   if any(rule in first_matches(inbound, _TCP, (p, p), f, 0, _TOP[f])[0]
                          for f in families)]
        if not decided:
            continue
        subnet, instance = held[0]
        where = f"subnet '{subnet.name}'" + (f" and {len(held) - 1} more" if len(held) > 1 else "")
        yield warning(
            "W403", f"rule {rule.number} of network ACL '{nacl.name}' admits {_port_names(decided)} "
                    f"from the whole internet ({_peer_text(rule.cidr)}) into {where}, where "
                    f"{describe(instance)} runs", rule.span,
            _exposure_hint(decided, False),
            [Note(f"{describe(instance)} is in subnet '{subnet.name}'", _name_span(instance))])


# ---------------------------------------------------------------------------- W404

def _missing_returns(model: Model, nacl: ast.Nacl, rules: dict[str, DirectionRules],
                     context: _Context) -> Iterator[Diagnostic]:
    """W404 for each request a custom NACL admits whose responses it does not let back.

    NACLs are stateless (SEMANTICS.md, Filters): an inbound allow of tcp 443 from
    C needs an outbound allow of tcp to C on the ephemeral ports of C's clients,
    reached before any deny; an outbound request needs the inbound return from
    the ports of this NACL's own subnets' hosts; an echo-request the echo-reply.
    Rules whose ports hold an ephemeral range (they carry responses themselves)
    and denies are not requests. Exact: `first_matches` over the other direction.
    """
    subnets = _subnets_of(model, nacl)
    if not subnets:
        return
    families = {4} | ({6} if any(s.ipv6 is not None for s in subnets) else set())
    own_ports = None
    asked: dict[tuple, object] = {}
    for direction, back in (("in", "out"), ("out", "in")):
        for rule, key in rules[direction].keyed:
            number, ports, icmp, addresses = key
            if rule.action != "allow":
                continue
            if number in PORTED and not _covers_ephemeral(ports):
                reply = None
            elif number in ICMP and icmp == ECHO_REQUEST[number]:
                reply = ECHO_REPLY[number]
            else:
                continue
            for family, low, high in _admitted(rules[direction], rule, key, families):
                if reply is not None:
                    needed = [(reply, reply)]
                elif direction == "in":
                    needed = context.client_ports(family, low, high)
                else:
                    if own_ports is None:
                        own_ports = sorted(set().union(*(context.ports_in.get(s.name) or {EPHEMERAL["linux"]}
                                                         for s in subnets)))
                    needed = own_ports
                query = (back, number, tuple(needed), family, low, high)
                if query not in asked:       # rules of one NACL often share a peer
                    asked[query] = _first_blocked(rules[back], number, needed, family, low, high)
                problem = asked[query]
                if problem is not None:
                    yield _missing_return(nacl, rule, back, reply, rules, *problem)
                    break


def _admitted(rules: DirectionRules, rule: ast.NaclRule, key: "MatchKey",
              families: set[int]) -> list[tuple[int, int, int]]:
    """The addresses (family, low, high) from or to which the rule of ``key`` admits some
    request itself: its block less what earlier rules decide first (a blocklist's deny
    before it takes those addresses out of the request, and so out of its responses)."""
    number, ports, icmp, addresses = key
    axis = (ports or (0, 65535)) if number in PORTED else (icmp, icmp)
    spans = [(4, 0, _TOP[4]), (6, 0, _TOP[6])] if addresses is None else [addresses]
    out = []
    for family, low, high in spans:
        if family not in families:
            continue
        left: list[tuple[int, int]] = []
        first_matches(rules, number, axis, family, low, high, before=rule.number, leftover=left)
        out += [(family, lo, hi) for lo, hi in _merged(left)]
    return out


def _merged(intervals) -> list[tuple[int, int]]:
    """Closed integer intervals, sorted, with overlapping and adjacent ones joined."""
    if len(intervals) < 2:
        return list(intervals)
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _first_blocked(back: DirectionRules, protocol: int, needed: list, family: int, low: int, high: int):
    """(ports, deciders, gap) of the first needed range the rules ``back`` do not allow
    entirely, or None."""
    for axis in needed:
        deciders, gap = first_matches(back, protocol, axis, family, low, high)
        if gap or any(r.action == "deny" for r in deciders):
            return axis, deciders, gap
    return None


def _missing_return(nacl: ast.Nacl, rule: ast.NaclRule, back: str, reply, rules: dict[str, DirectionRules],
                    axis, deciders: list, gap: bool) -> Diagnostic:
    peer = _peer_text(rule.cidr)
    proto = rule.protocol.name
    word, preposition = _PORT_NOUNS[back]
    towards = "to" if back == "out" else "from"
    if reply is not None:
        response = f"{proto} echo-reply {towards} {peer}"
        fix_match = f"{proto} echo-reply"
    else:
        response = f"{proto} {axis[0]}-{axis[1]} {towards} {peer}"
        fix_match = f"{proto} {_ANY_PORT[0]}-{_ANY_PORT[1]}"
    request = (f"admits {describe_protocol(rule.protocol)} from {peer}" if rule.direction == "in"
               else f"lets {describe_protocol(rule.protocol)} out to {peer}")
    denies = [r for r in deciders if r.action == "deny"]
    allows = [r for r in deciders if r.action == "allow"]
    if allows:
        problem = f"the {word} rules let back only part of the responses ({response})"
    elif gap:
        problem = f"no {word} rule lets the responses back ({response})"
    else:
        first = denies[0]
        problem = f"{word} rule {first.number} ({describe_rule(first)}) drops the responses ({response})"
    used = {r.number for r, _ in rules[back].keyed}
    number = _free_number(used, denies[0].number if denies else None)
    fix = f"{back} {number} allow {fix_match} {preposition} {peer}" if number is not None else None
    if fix is None:
        hint = (f"NACLs are stateless: the responses need a {word} allow numbered below rule "
                f"{denies[0].number}; renumber that rule to make room")
    else:
        hint = f"NACLs are stateless: add `{fix}`"
        if reply is None:
            hint += f" ({_ANY_PORT[0]}-{_ANY_PORT[1]} covers every client's ephemeral ports)"
        if denies:
            hint += f"; numbered below rule {denies[0].number}, which would drop them"
    if denies:
        # The deny may be a blocklist written for one direction: then the requests
        # from those addresses should be refused as well.
        d = denies[0]
        mirror_number = _free_number({r.number for r, _ in rules[rule.direction].keyed}, rule.number)
        if mirror_number is not None:
            mirror = (f"{rule.direction} {mirror_number} deny {describe_protocol(d.protocol)} "
                      f"{'from' if rule.direction == 'in' else 'to'} {_peer_text(d.cidr)}")
            hint += (f"; or, if rule {d.number} shuts those addresses out on purpose, refuse "
                     f"their requests too: `{mirror}`")
    dropped = "drops them" if not gap and not allows and len(denies) == 1 else "drops some of them"
    notes = [Note(f"rule {r.number} ({describe_rule(r)}) {dropped}", r.span) for r in denies]
    if not denies:   # what it lets back is worth showing only when nothing drops the rest
        notes = [Note(f"rule {r.number} ({describe_rule(r)}) lets back only part of them", r.span)
                 for r in allows]
    return warning(
        "W404", f"network ACL '{nacl.name}' {request} (rule {rule.number}), but {problem}",
        rule.span, hint, notes[:_MAX_NOTES])


def _free_number(used: set[int], below: int | None) -> int | None:
    """A rule number to give a new rule: the highest free multiple of 10 below ``below`` (else
    any free number below it), or after the last rule when nothing must come first."""
    if below is None:
        n = (max(used, default=0) // 10 + 1) * 10
        if not used:
            n = 100
        while n in used and n < 32766:
            n += 1
        return n if n <= 32766 else None
    for n in list(range((below - 1) // 10 * 10, 0, -10)) + list(range(below - 1, 0, -1)):
        if n not in used:
            return n
    return None


# ---------------------------------------------------------------------------- SG lint

def peer_key(model: Model, peer):
    """What an SG rule's peer stands for: ("any",), ("cidr", version, first, last),
    ("sg", name), ("pl", name); None when it does not resolve (the names check's)."""
    if isinstance(peer, ast.AnyPeer):
        return ("any",)
    if isinstance(peer, ast.Cidr):
        return None if peer.net is None else ("cidr",) + _block(peer.net)
    if peer.name in PREFIX_LISTS:
        return ("pl", peer.name)
    sg = model.get(peer.name, "sg")
    return None if sg is None else ("sg", sg.name)


def peer_covers(a, b) -> bool:
    """Every address of peer ``b`` is one of ``a``'s. A group's members count only under the
    same group or `any` (their IPv6 addresses too); a prefix list under 0.0.0.0/0 (AWS
    services' ranges are public IPv4)."""
    if a == ("any",) or a == b:
        return True
    if a[0] != "cidr":
        return False
    if b[0] == "cidr":
        return a[1] == b[1] and a[2] <= b[2] and b[3] <= a[3]
    return b[0] == "pl" and a[1] == 4 and a[2] == 0 and a[3] == _TOP[4]


def _describe_permission(rule: ast.SgRule, peer) -> str:
    """``in tcp 443 from 10.0.0.0/16``: one peer of an SG rule, as written."""
    return " ".join((rule.direction, describe_protocol(rule.protocol),
                     "from" if rule.direction == "in" else "to", _peer_text(peer)))


def _lint_sg(model: Model, sg: ast.SecurityGroup, context: _Context) -> Iterator[Diagnostic]:
    """W403, W405 and W406 for one security group: pairwise over its own rules only."""
    permissions = []       # (rule, peer, protocol key, peer key), one per peer, in source order
    for rule in sg.rules:
        proto = protocol_key(rule.protocol)
        if proto is None:
            continue
        for peer in rule.peers:
            key = peer_key(model, peer)
            if key is not None:
                permissions.append((rule, peer, proto, key))
    yield from _world_open_sg(sg, permissions, context)
    yield from _covered_permissions(sg, permissions)
    yield from _unused_references(model, sg, permissions, context)


def _world_open_sg(sg: ast.SecurityGroup, permissions: list, context: _Context) -> Iterator[Diagnostic]:
    for rule, peer, (number, ports, _icmp), key in permissions:
        if rule.direction != "in" or not (key == ("any",) or (key[0] == "cidr" and _is_world(key[1:]))):
            continue
        if number == -1:
            what, decided, everything = "every protocol and port", list(SENSITIVE_PORTS), True
        elif number == _TCP and (decided := _sensitive_in(ports)):
            everything = ports is None
            what = ("every TCP port" if everything else
                    _port_names(decided) if ports[0] == ports[1] else
                    f"tcp {ports[0]}-{ports[1]}, with {_port_names(decided)},")
        else:
            continue
        user = context.sg_users.get(sg.name)
        notes = [Note(f"security group '{sg.name}' is on {describe(user)}", _name_span(user))] if user else []
        yield warning(
            "W403", f"security group '{sg.name}' opens {what} to the whole internet "
                    f"({_peer_text(peer)})", peer.span, _exposure_hint(decided, everything), notes)


def _covered_permissions(sg: ast.SecurityGroup, permissions: list) -> Iterator[Diagnostic]:
    """W405: a peer of a rule that another rule (or peer) of the group already admits.

    A group allows the union of its rules, so the narrower one adds nothing. Of
    two equal ones the later is reported.
    """
    for i, (rule, peer, proto, key) in enumerate(permissions):
        for j, (other, other_peer, other_proto, other_key) in enumerate(permissions):
            if i == j or other.direction != rule.direction:
                continue
            if not (protocol_covers(other_proto, proto) and peer_covers(other_key, key)):
                continue
            if j > i and protocol_covers(proto, other_proto) and peer_covers(key, other_key):
                continue   # equal: the later one is the copy
            single = len(rule.peers) == 1
            span = rule.span if single else peer.span
            remove = "this rule" if single else f"{_peer_text(peer)} from this rule"
            yield warning(
                "W405", f"rule `{_describe_permission(rule, peer)}` of security group '{sg.name}' "
                        f"is covered by `{_describe_permission(other, other_peer)}`", span,
                f"a security group allows the union of its rules, so this one admits nothing "
                f"more: remove {remove}, or narrow the wider rule if it admits too much",
                [Note(f"`{_describe_permission(other, other_peer)}` admits everything it does",
                      other.span if len(other.peers) == 1 else other_peer.span)])
            break


def _unused_references(model: Model, sg: ast.SecurityGroup, permissions: list,
                       context: _Context) -> Iterator[Diagnostic]:
    """W406: a rule naming a group no network interface uses admits (or lets out) nothing."""
    for rule, peer, _proto, key in permissions:
        if key[0] != "sg" or key[1] in context.sg_users:
            continue
        named = model.get(key[1], "sg")
        verb = "admits" if rule.direction == "in" else "lets"
        towards = "from" if rule.direction == "in" else "out to"
        notes = [] if named.default else [Note(f"security group '{named.name}' is defined here",
                                               _name_span(named))]
        yield warning(
            "W406", f"security group '{sg.name}' {verb} {describe_protocol(rule.protocol)} {towards} "
                    f"security group '{named.name}', which no network interface uses: the rule "
                    f"matches nothing", peer.span,
            f"put '{named.name}' on the instances, load balancers or endpoints it stands for "
            f"(`sg {named.name}`), or remove the rule", notes)
