"""Security groups and network ACLs: rule numbers, shadowed rules, SG references.

NACL rules are checked per ACL and direction: numbers in 1..32766 (E401),
unique (E402), and no rule hidden by a lower-numbered one (W401, named
aerleon-style). SG rules may name groups of their own VPC or of a same-region
peered VPC only (E404, E405). E403 and E406 are reported by the transformer.
"""

from __future__ import annotations

from typing import Iterator

from ..protocols import ICMP, PORTED, icmp_type_number, protocol_number
from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model
from ..syntax import ast
from . import locate

NACL_MIN_RULE, NACL_MAX_RULE = 1, 32766   # VPC guide, vpc-network-acls

_DIRECTION_WORDS = {"in": "inbound", "out": "outbound"}


def check(model: Model) -> Iterator[Diagnostic]:
    links = _SgLinks(model)
    for vpc in model.vpcs.values():
        for member in vpc.members:
            if isinstance(member, ast.Nacl):
                yield from _check_nacl(model, member)
            elif isinstance(member, ast.SecurityGroup):
                yield from _check_sg(model, member, links)


# ---------------------------------------------------------------------------- NACLs

def _check_nacl(model: Model, nacl: ast.Nacl) -> Iterator[Diagnostic]:
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
        yield from _shadowed(nacl, sorted(first_with.values(), key=lambda r: r.number))


def _shadowed(nacl: ast.Nacl, ordered: list[ast.NaclRule]) -> Iterator[Diagnostic]:
    """W401 for each rule that a lower-numbered rule of the same direction fully covers.

    NACL quotas keep a direction to a few dozen rules, so the plain loop over
    earlier rules (aerleon's) is cheap; each hidden rule names the first rule
    that hides it. Rules with an invalid literal take part in neither role.
    """
    keyed = [(rule, key) for rule in ordered if (key := match_key(rule)) is not None]
    for i, (later, b) in enumerate(keyed):
        for earlier, a in keyed[:i]:
            if covers(a, b):
                if earlier.action == later.action:
                    hint = (f"rules are evaluated from the lowest number and the first match "
                            f"decides: rule {later.number} never applies and can be removed")
                else:
                    hint = (f"rules are evaluated from the lowest number and the first match "
                            f"decides: if rule {later.number} should win, number it below "
                            f"{earlier.number}; else remove it")
                yield warning(
                    "W401", f"rule {later.number} ({describe_rule(later)}) of network ACL "
                            f"'{nacl.name}' is shadowed by rule {earlier.number} "
                            f"({describe_rule(earlier)})", later.span, hint)
                break


# What a NACL rule matches, as plain values: (protocol, ports, icmp type, addresses).
# protocol -1 is every protocol; ports (low, high) or None for every port; the ICMP
# type or None for every type; addresses (version, first, last) or None for `any`.
MatchKey = tuple[int, "tuple[int, int] | None", "int | str | None", "tuple[int, int, int] | None"]


def match_key(rule: ast.NaclRule) -> MatchKey | None:
    """The packets ``rule`` matches, or None when a literal in it is invalid."""
    proto = rule.protocol
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
    if isinstance(rule.cidr, ast.AnyPeer):
        addresses = None
    elif rule.cidr.net is None:
        return None
    else:
        net = rule.cidr.net
        addresses = (net.version, int(net.network_address), int(net.broadcast_address))
    return number, ports, icmp, addresses


def covers(a: MatchKey, b: MatchKey) -> bool:
    """Every packet of match key ``b`` is also matched by ``a``."""
    if a[0] != -1:
        if a[0] != b[0]:
            return False
        if a[1] is not None and (b[1] is None or b[1][0] < a[1][0] or b[1][1] > a[1][1]):
            return False
        if a[2] is not None and a[2] != b[2]:
            return False
    if a[3] is None:
        return True
    return b[3] is not None and a[3][0] == b[3][0] and a[3][1] <= b[3][1] and b[3][2] <= a[3][2]


def _icmp_type(protocol: int, text: str) -> int | str:
    number = icmp_type_number(protocol, text)
    return text.lower() if number is None else number   # an unknown name compares as itself


def describe_rule(rule: ast.NaclRule) -> str:
    """``deny tcp 22 from 10.0.0.0/8``: a NACL rule as written, without its number."""
    proto = rule.protocol
    words = [rule.action, proto.name]
    if proto.ports is not None:
        words.append(str(proto.ports))
    elif proto.any_ports:
        words.append("any")
    elif proto.icmp_type is not None:
        words.append(proto.icmp_type)
    words.append("from" if rule.direction == "in" else "to")
    words.append("any" if isinstance(rule.cidr, ast.AnyPeer) else rule.cidr.text)
    return " ".join(words)


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
