"""The walk's filter steps: a network ACL or the security groups of an end, at one hop.

Each step asks the pure functions of `vpcdsl.flows.filters` for the deciding rule and
records it as a hop, or blocks the walk. The far end is one address, or an AWS service's
ranges (`Ranges`): then the set is `cut` at the rules' CIDRs and every piece is decided, so
a rule covering all of the ranges matches and one covering some lets the flow through only
for those; the flow is blocked, naming a piece that fails (docs/SEMANTICS.md, Gateways).
"""

from __future__ import annotations

from ..protocols import ECHO_REPLY, ECHO_REQUEST
from ..syntax import ast
from .filters import Header, Match, Peer, Ranges, cut_bounds, nacl_port_split, nacl_verdict, rule_cidrs, \
    sg_verdict
from .flow import End


def header(walk, direction: str, remote, port: int | None = None, icmp: int | None = None) -> Header:
    """The packet as a filter of ``direction`` reads it: ``remote`` is the far end."""
    if direction == "in":
        return Header(walk.number, src=remote, port=port, icmp=icmp)
    return Header(walk.number, dst=remote, port=port, icmp=icmp)


def _per_piece(remote, rules, verdict) -> list:
    """[(piece, verdict(address))]: one address (piece None), or each piece of a set.

    After `cut`, each rule CIDR holds a piece whole or not at all, so the verdict of a
    piece depends only on which of the rules' CIDRs hold it: it is computed once per such
    signature (usually one: `0.0.0.0/0` holds all of a service's ranges) and shared.
    """
    if not isinstance(remote, Ranges):
        return [(None, verdict(remote))]
    cidrs = rule_cidrs(rules)
    pieces = cut_bounds(remote.blocks, cidrs)
    first, last = pieces[0][0], pieces[-1][1]
    spans = [(low, high) for low, high in ((int(n.network_address), int(n.broadcast_address))
                                            for n in cidrs if n.version == 4)
             if low <= last and first <= high]        # the rest hold no piece
    if not spans:                                     # no rule CIDR holds any piece
        result = verdict(pieces[0][2].network_address)
        return [(piece, result) for _, _, piece in pieces]
    by_signature: dict[tuple, object] = {}
    decided = []
    for at, _, piece in pieces:
        signature = tuple([lo <= at <= hi for lo, hi in spans])
        result = by_signature.get(signature)
        if result is None:
            result = by_signature[signature] = verdict(piece.network_address)
        decided.append((piece, result))
    return decided


def _once(walk, key: tuple, remote, decide):
    """``decide()``; over a service's ranges (one evaluation per piece) computed once per
    data plane for the same filter and header (`DataPlane.decided`)."""
    if isinstance(remote, Ranges):
        # a service's ranges are fixed by its name and region (hashing the blocks is slow)
        return walk.dp.decided((*key, remote.name, remote.region), decide)
    return decide()


def _rule_numbers(matches) -> str:
    numbers = sorted({m.rule.number for m in matches if m.rule is not None})
    return f"rule{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _share(remote, decided) -> str:
    """Which pieces of a set fail and which pass, for a reason (empty for one address)."""
    if not isinstance(remote, Ranges):
        return ""
    failing = [str(p) for p, m in decided if not m.allowed]
    passing = [str(p) for p, m in decided if m.allowed]
    text = f" for {failing[0]}" + (f" and {len(failing) - 1} more" if len(failing) > 1 else "")
    text += f" of {remote.words()}"
    if passing:
        shown = ", ".join(passing[:3]) + (f" and {len(passing) - 3} more" if len(passing) > 3 else "")
        text += f"; only {shown} {'pass' if len(passing) > 1 else 'passes'}"
    return text


# ---------------------------------------------------------------------------- network ACLs

def nacl_step(walk, subnet: ast.Subnet, direction: str, remote, port: int | None) -> None:
    """The request meets ``subnet``'s NACL in ``direction``."""
    nacl = walk.model.nacl_of.get(subnet.name)
    if nacl is None:
        return
    node = f"nacl:{nacl.name}"
    if nacl.default:
        walk.hop(node, "nacl", "allow", f"default NACL of VPC '{subnet.vpc}' allows all "
                 f"{'inbound' if direction == 'in' else 'outbound'} traffic")
        return
    rules = walk.dp.nacl_rules(nacl, direction)

    def decide():
        return _per_piece(remote, rules, lambda address: nacl_verdict(
            nacl, direction, header(walk, direction, address, port, walk.icmp), rules=rules))

    decided = _once(walk, ("nacl", subnet.vpc, nacl.name, direction, walk.number, port,
                           walk.icmp), remote, decide)
    for piece, match in decided:
        if match.allowed:
            continue
        at = _share(remote, decided)
        if match.rule is None:
            way = "inbound" if direction == "in" else "outbound"
            walk.block(node, "nacl", f"network ACL '{nacl.name}' has no {way} rule for "
                       f"{walk.packet}{at}: the implicit deny drops it", match.span)
        walk.block(node, "nacl", f"nacl {nacl.name} {match.reason}{at}", match.span)
    first = decided[0][1]
    if len(decided) == 1:
        walk.hop(node, "nacl", "allow", f"nacl {nacl.name} {first.reason}", first.span)
    else:
        walk.hop(node, "nacl", "allow", f"nacl {nacl.name} {direction} "
                 f"{_rule_numbers(m for _, m in decided)} allow {remote.words()}", first.span)


def nacl_response_step(walk, subnet: ast.Subnet, direction: str, remote, ports) -> None:
    """The response meets ``subnet``'s NACL in ``direction``, to every port of ``ports``
    (None: ICMP, whose echo request is answered by an echo reply)."""
    nacl = walk.model.nacl_of.get(subnet.name)
    if nacl is None:
        return
    node = f"nacl:{nacl.name}"
    if nacl.default:
        walk.hop(node, "nacl", "allow", f"default NACL of VPC '{subnet.vpc}' allows the "
                 f"{'inbound' if direction == 'in' else 'outbound'} response",
                 back=True)
        return
    rules = walk.dp.nacl_rules(nacl, direction)
    if ports is None:
        number = walk.number
        reply = ECHO_REPLY.get(number) if walk.icmp == ECHO_REQUEST.get(number) else walk.icmp

        def decide():
            return _per_piece(remote, rules, lambda address: nacl_verdict(
                nacl, direction, header(walk, direction, address, None, reply), rules=rules))

        decided = _once(walk, ("nacl-reply", subnet.vpc, nacl.name, direction, number, reply),
                        remote, decide)
        for piece, match in decided:
            if not match.allowed:
                at = _share(remote, decided)
                walk.block(node, "nacl", f"network ACL '{nacl.name}' drops the response{at} "
                           f"({match.reason})", match.span, back=True)
        first = decided[0][1]
        walk.hop(node, "nacl", "allow", f"nacl {nacl.name} {first.reason}" if len(decided) == 1
                 else f"nacl {nacl.name} {direction} {_rule_numbers(m for _, m in decided)} allow "
                 f"the response from {remote.words()}", first.span, back=True)
        return
    used: list[Match] = []

    def split():
        return _per_piece(remote, rules, lambda address: nacl_port_split(
            nacl, direction, header(walk, direction, address), ports, rules=rules))

    splits = _once(walk, ("nacl-ports", subnet.vpc, nacl.name, direction, walk.number, ports),
                   remote, split)
    for piece, (allowed, denied) in splits:
        if denied:
            failing = ", ".join(range_text(lo, hi) for lo, hi, _ in denied)
            first = denied[0][2]
            at = _share(remote, [(p, Match(None, "deny" if d else "allow", "", None))
                                 for p, (_, d) in splits])
            walk.block(node, "nacl", f"network ACL '{nacl.name}' blocks the response to ports "
                       f"{failing} of the client's {range_text(*ports)}{at} ({first.reason})",
                       first.span, back=True, partial=bool(allowed))
        used.extend(m for _, _, m in allowed)
    span = used[0].span if used else None
    what = f" from {remote.words()}" if isinstance(remote, Ranges) else ""
    walk.hop(node, "nacl", "allow", f"nacl {nacl.name} {direction} {_rule_numbers(used)} allow "
             f"ports {range_text(*ports)}{what}", span, back=True)


# ---------------------------------------------------------------------------- security groups

def sg_step(walk, end: End, direction: str, remote, peer: End | None) -> None:
    """``end``'s security groups filter the request in ``direction``; ``peer`` is the far end
    (None: SG references cannot match it)."""
    sgs = end.sgs or ()
    names = ", ".join(sg.name for sg in sgs)
    node = f"sg:{sgs[0].name}" if sgs else f"{end.kind}:{end.text}"
    if not sgs:
        if direction == "in":
            walk.block(node, "sg", f"{end.text} has no security group rule allowing it in")
        return
    other = _peer(walk, peer, sgs[0].vpc, direction)
    rules = [r for sg in sgs for r in sg.rules if r.direction == direction]

    def decide():
        return _per_piece(remote, rules, lambda address: sg_verdict(
            sgs, direction, header(walk, direction, address, walk.port_value, walk.icmp), other))

    seen_as = None if other is None else (
        other.vpc, other.references, other.service,
        None if other.groups is None else tuple(g.name for g in other.groups))
    decided = _once(walk, ("sg", sgs[0].vpc, tuple(sg.name for sg in sgs), direction,
                           walk.number, walk.port_value, walk.icmp, seen_as), remote, decide)
    word = "ingress" if direction == "in" else "egress"
    for piece, match in decided:
        if not match.allowed:
            at = _share(remote, decided)
            walk.block(node, "sg", f"no {word} rule of security group{'s' if len(sgs) > 1 else ''} "
                       f"{names} allows {walk.packet}{at}", sgs[0].span)
    match = decided[0][1]
    reasons = sorted({m.reason for _, m in decided})
    walk.hop(f"sg:{match.group}", "sg", "allow", "; ".join(reasons) if len(decided) > 1
             and len(reasons) > 1 else match.reason, match.span)


def _peer(walk, end: End | None, near: str, direction: str) -> Peer | None:
    """The other end as a security group of VPC ``near`` sees it (`DataPlane.peer`): after a
    middlebox forwarded the packet, no inbound SG reference matches its client."""
    if end is None:
        return None
    return walk.dp.peer(end.sgs, end.vpc, near, via_tgw=walk.via_tgw, inbound=direction == "in",
                        forwarded=direction == "in" and walk.forwarded_by is not None,
                        service=end.text if end.kind == "service" else None)


def range_text(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"
