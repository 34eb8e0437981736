"""Security groups and network ACLs: rule numbers, shadowed rules, SG references, and the
warnings a reviewer wants without writing an `expect`. This module runs them (`check`)
and checks NACL rule numbers itself; the rest lives beside it:

NACL rules are checked per ACL and direction: numbers in 1..32766 (E401),
unique (E402), here; no rule hidden by lower-numbered ones, one or several
together (W401, named aerleon-style: `nacl_shadowing`); a custom NACL must let
back the responses of the requests it admits (W404, `nacl_returns`). SG rules
may name groups of their own VPC or of a same-region peered VPC only (E404,
E405), should not repeat a wider rule (W405) nor name a group nobody uses
(W406): `sg_checks`. SSH, RDP, database ports and every port open to the
internet are W403, in SGs and NACLs (`exposure_lint`). E403 and E406 are
reported by the transformer. Every comparison is between the rules of one NACL
direction or one SG (AWS quotas keep them to a few dozen), through the match
keys of `rule_keys`; the model-wide facts they need are indexed once
(`lint_context.Context`).
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model.network import Model
from ..syntax import ast
from . import locate
from .exposure_lint import SENSITIVE_PORTS, world_open_nacl
from .lint_context import Context
from .nacl_returns import missing_returns
from .nacl_shadowing import shadowed
from .rule_keys import (DirectionRules, MatchKey, ProtocolKey, covers, describe_protocol, describe_rule,
                        first_matches, match_key, protocol_covers, protocol_key)
from .sg_checks import SgLinks, check_sg, lint_sg, peer_covers, peer_key

# Importable from here as before the split (lb, tests).
__all__ = ["check", "NACL_MIN_RULE", "NACL_MAX_RULE", "SENSITIVE_PORTS", "DirectionRules", "MatchKey",
           "ProtocolKey", "covers", "describe_protocol", "describe_rule", "first_matches", "match_key",
           "protocol_covers", "protocol_key", "peer_covers", "peer_key"]

NACL_MIN_RULE, NACL_MAX_RULE = 1, 32766   # VPC guide, vpc-network-acls

_DIRECTION_WORDS = {"in": "inbound", "out": "outbound"}


def check(model: Model) -> Iterator[Diagnostic]:
    links = SgLinks(model)
    context = Context(model)
    for vpc in model.vpcs.values():
        for member in vpc.members:
            if isinstance(member, ast.Nacl):
                yield from _check_nacl(model, member, context)
            elif isinstance(member, ast.SecurityGroup):
                yield from check_sg(model, member, links)
                if not member.default:
                    yield from lint_sg(model, member, context)


# ---------------------------------------------------------------------------- NACLs

def _check_nacl(model: Model, nacl: ast.Nacl, context: Context) -> Iterator[Diagnostic]:
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
        yield from shadowed(nacl, keyed[direction])
    if not nacl.default:
        rules = {direction: DirectionRules(keyed[direction]) for direction in keyed}
        yield from world_open_nacl(model, nacl, rules["in"], context)
        yield from missing_returns(model, nacl, rules, context)


def _number_span(model: Model, rule: ast.NaclRule):
    return locate(model, rule.span, r"\d+")
