"""Security groups: references to groups of other VPCs (E404, E405), `out none` beside
outbound rules (W402), and the lint of one group's own rules: W403 through `exposure_lint`,
a rule another already covers (W405), a rule naming a group nobody uses (W406)."""

from __future__ import annotations

from typing import Iterator

from ..aws import PREFIX_LISTS
from ..diagnostics import Diagnostic, Note, error, warning
from ..model.network import Model
from ..syntax import ast
from . import locate
from .exposure_lint import world_open_sg
from .lint_context import Context, name_span
from .rule_keys import TOP, address_block, describe_protocol, peer_text, protocol_covers, protocol_key


class SgLinks:
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


def check_sg(model: Model, sg: ast.SecurityGroup, links: SgLinks) -> Iterator[Diagnostic]:
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
                         own: ast.Vpc, theirs: ast.Vpc, links: SgLinks) -> Iterator[Diagnostic]:
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


def peer_key(model: Model, peer):
    """What an SG rule's peer stands for: ("any",), ("cidr", version, first, last),
    ("sg", name), ("pl", name); None when it does not resolve (the names check's)."""
    if isinstance(peer, ast.AnyPeer):
        return ("any",)
    if isinstance(peer, ast.Cidr):
        return None if peer.net is None else ("cidr",) + address_block(peer.net)
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
    return b[0] == "pl" and a[1] == 4 and a[2] == 0 and a[3] == TOP[4]


def _describe_permission(rule: ast.SgRule, peer) -> str:
    """``in tcp 443 from 10.0.0.0/16``: one peer of an SG rule, as written."""
    return " ".join((rule.direction, describe_protocol(rule.protocol),
                     "from" if rule.direction == "in" else "to", peer_text(peer)))


def lint_sg(model: Model, sg: ast.SecurityGroup, context: Context) -> Iterator[Diagnostic]:
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
    yield from world_open_sg(sg, permissions, context)
    yield from _covered_permissions(sg, permissions)
    yield from _unused_references(model, sg, permissions, context)


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
            remove = "this rule" if single else f"{peer_text(peer)} from this rule"
            yield warning(
                "W405", f"rule `{_describe_permission(rule, peer)}` of security group '{sg.name}' "
                        f"is covered by `{_describe_permission(other, other_peer)}`", span,
                f"a security group allows the union of its rules, so this one admits nothing "
                f"more: remove {remove}, or narrow the wider rule if it admits too much",
                [Note(f"`{_describe_permission(other, other_peer)}` admits everything it does",
                      other.span if len(other.peers) == 1 else other_peer.span)])
            break


def _unused_references(model: Model, sg: ast.SecurityGroup, permissions: list,
                       context: Context) -> Iterator[Diagnostic]:
    """W406: a rule naming a group no network interface uses admits (or lets out) nothing."""
    for rule, peer, _proto, key in permissions:
        if key[0] != "sg" or key[1] in context.sg_users:
            continue
        named = model.get(key[1], "sg")
        verb = "admits" if rule.direction == "in" else "lets"
        towards = "from" if rule.direction == "in" else "out to"
        notes = [] if named.default else [Note(f"security group '{named.name}' is defined here",
                                               name_span(named))]
        yield warning(
            "W406", f"security group '{sg.name}' {verb} {describe_protocol(rule.protocol)} {towards} "
                    f"security group '{named.name}', which no network interface uses: the rule "
                    f"matches nothing", peer.span,
            f"put '{named.name}' on the instances, load balancers or endpoints it stands for "
            f"(`sg {named.name}`), or remove the rule", notes)
