"""W401: NACL rules hidden by lower-numbered rules of the same direction, by one earlier
rule or by several together (exact, as packet sets), each named aerleon-style."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Note, warning
from ..packetsets import PacketSet
from ..protocols import ICMP, PORTED
from ..syntax import ast
from .lint_context import MAX_NOTES
from .rule_keys import TOP, MatchKey, axis_of, covers, describe_rule


def shadowed(nacl: ast.Nacl, keyed: list[tuple[ast.NaclRule, "MatchKey"]]) -> Iterator[Diagnostic]:
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
                     for r in hiders[:MAX_NOTES]]
        if all(r.action == later.action for r in hiders):
            hint = (f"rules are evaluated from the lowest number and the first match "
                    f"decides: rule {later.number} never applies and can be removed")
        else:
            hint = (f"rules are evaluated from the lowest number and the first match "
                    f"decides: if rule {later.number} should win, number it below "
                    f"{hiders[0].number}; else remove it")
        yield warning("W401", message, later.span, hint, notes)


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
    for family, low, high in ([(4, 0, TOP[4]), (6, 0, TOP[6])] if addresses is None else [addresses]):
        spans = [(0, TOP[family]) if k[3] is None else (k[3][1], k[3][2])
                 for k in others if k[3] is None or k[3][0] == family]
        if not _interval_covered(low, high, spans):
            return False
    if number == -1:
        return any(k[0] == -1 for k in others) or len({k[0] for k in others}) == 256
    if number in PORTED or number in ICMP:
        want = (ports or (0, 65535)) if number in PORTED else ((icmp, icmp) if icmp is not None else (0, 255))
        axes = [axis_of(k, number) for k in others]
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
