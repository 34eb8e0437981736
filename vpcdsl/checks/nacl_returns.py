"""W404: the requests a custom NACL admits whose responses it does not let back (NACLs are
stateless), with the rule that would fix it, numbered where it takes effect."""

from __future__ import annotations

from typing import Iterator

from ..aws import EPHEMERAL
from ..diagnostics import Diagnostic, Note, warning
from ..model.network import Model
from ..protocols import ECHO_REPLY, ECHO_REQUEST, ICMP, PORTED
from ..syntax import ast
from .lint_context import MAX_NOTES, Context, covers_ephemeral, merged_intervals, subnets_of
from .rule_keys import (TOP, DirectionRules, MatchKey, describe_protocol, describe_rule,
                        first_matches, peer_text)

_ANY_PORT = (1024, 65535)       # every client's ephemeral ports (VPC guide, nacl-ephemeral-ports)
_PORT_NOUNS = {"in": ("inbound", "from"), "out": ("outbound", "to")}


def missing_returns(model: Model, nacl: ast.Nacl, rules: dict[str, DirectionRules],
                     context: Context) -> Iterator[Diagnostic]:
    """W404 for each request a custom NACL admits whose responses it does not let back.

    NACLs are stateless (SEMANTICS.md, Filters): an inbound allow of tcp 443 from
    C needs an outbound allow of tcp to C on the ephemeral ports of C's clients,
    reached before any deny; an outbound request needs the inbound return from
    the ports of this NACL's own subnets' hosts; an echo-request the echo-reply.
    Rules whose ports hold an ephemeral range (they carry responses themselves)
    and denies are not requests. Exact: `first_matches` over the other direction.
    """
    subnets = subnets_of(model, nacl)
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
            if number in PORTED and not covers_ephemeral(ports):
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
    spans = [(4, 0, TOP[4]), (6, 0, TOP[6])] if addresses is None else [addresses]
    out = []
    for family, low, high in spans:
        if family not in families:
            continue
        left: list[tuple[int, int]] = []
        first_matches(rules, number, axis, family, low, high, before=rule.number, leftover=left)
        out += [(family, lo, hi) for lo, hi in merged_intervals(left)]
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
    peer = peer_text(rule.cidr)
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
                      f"{'from' if rule.direction == 'in' else 'to'} {peer_text(d.cidr)}")
            hint += (f"; or, if rule {d.number} shuts those addresses out on purpose, refuse "
                     f"their requests too: `{mirror}`")
    dropped = "drops them" if not gap and not allows and len(denies) == 1 else "drops some of them"
    notes = [Note(f"rule {r.number} ({describe_rule(r)}) {dropped}", r.span) for r in denies]
    if not denies:   # what it lets back is worth showing only when nothing drops the rest
        notes = [Note(f"rule {r.number} ({describe_rule(r)}) lets back only part of them", r.span)
                 for r in allows]
    return warning(
        "W404", f"network ACL '{nacl.name}' {request} (rule {rule.number}), but {problem}",
        rule.span, hint, notes[:MAX_NOTES])


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
