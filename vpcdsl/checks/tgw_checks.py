"""Transit gateway route tables, peering attachments and SG referencing (SEMANTICS.md, Transit
gateways): E313 (an association or propagation names no attachment of the TGW), E314 (an
attachment associated with two route tables), E315 (propagation of a peering attachment,
which carries static routes only), E316 (a peering attachment that cannot be), W306 (a
route table no attachment is associated with), W307 (a security group rule names a group
of a VPC reached through a TGW whose SG referencing is off).
Route targets that are no attachment of the TGW are E308 (`vpcdsl.checks.routing`).

AWS pages: https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html,
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html,
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html (security group
referencing).
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model, describe
from ..syntax import ast
from . import locate


def check(model: Model) -> Iterator[Diagnostic]:
    peerings = _peerings_of(model)
    for tgw in model.tgws.values():
        yield from _check_peerings(model, tgw)
        names = attachment_names(model, tgw, peerings.get(tgw.name, {}))
        yield from _check_tables(model, tgw, names, peerings.get(tgw.name, {}))
    yield from _check_sg_referencing(model)


def _peerings_of(model: Model) -> dict[str, dict[str, ast.TgwPeering]]:
    """TGW name -> {peering attachment name -> the `peering`}, on both of its TGWs."""
    out: dict[str, dict[str, ast.TgwPeering]] = {}
    for tgw in model.tgws.values():
        for p in tgw.peerings:
            if model.get(p.name, "tgw-peering") is not p or p.peer.name not in model.tgws:
                continue
            out.setdefault(tgw.name, {}).setdefault(p.name, p)
            out.setdefault(p.peer.name, {}).setdefault(p.name, p)
    return out


def attachment_names(model: Model, tgw: ast.TransitGateway, peerings: dict) -> list[str]:
    """What ``tgw`` is attached to, by the names its route tables use: VPCs, VPNs ending on
    it, DX gateways attached to it, its peering attachments."""
    names = [a.vpc.name for a in tgw.attachments if a.vpc.name in model.vpcs]
    names += [v.name for v in model.vpns.values() if v.target.name == tgw.name]
    names += [d.name for d in model.dxgws.values() if any(r.name == tgw.name for r in d.attachments)]
    names += list(peerings)
    return list(dict.fromkeys(names))


def _check_peerings(model: Model, tgw: ast.TransitGateway) -> Iterator[Diagnostic]:
    seen: dict[frozenset, ast.TgwPeering] = {}
    for other in model.tgws.values():
        for p in other.peerings:
            if other.name < tgw.name:
                seen.setdefault(frozenset((other.name, p.peer.name)), p)
    for p in tgw.peerings:
        peer = model.get(p.peer.name, "tgw")
        if peer is None:
            continue                       # unknown: the names check reports it
        if peer is tgw:
            yield error("E316", f"transit gateway '{tgw.name}' peers with itself", p.peer.span,
                        "a peering attachment connects two transit gateways: name the other one")
            continue
        pair = frozenset((tgw.name, peer.name))
        first = seen.get(pair)
        if first is not None and first is not p:
            yield error("E316", f"transit gateways '{tgw.name}' and '{peer.name}' are peered twice",
                        p.peer.span, f"two transit gateways have one peering attachment between "
                        f"them (the first is '{first.name}' at line {first.span.line}); route both "
                        f"ways over it")
            continue
        seen[pair] = p


def _check_tables(model: Model, tgw: ast.TransitGateway, names: list[str],
                  peerings: dict) -> Iterator[Diagnostic]:
    valid = set(names)
    listed = ", ".join(f"'{n}'" for n in names[:6]) + (", ..." if len(names) > 6 else "")
    have = f"its attachments are {listed}" if names else \
        f"transit gateway '{tgw.name}' has no attachments yet"
    associated: dict[str, tuple[str, ast.Ref]] = {}
    tables: dict[str, ast.TgwRouteTable] = {}
    for block in tgw.route_tables:
        first = tables.get(block.name)
        if first is not None and block.name != "default":
            yield error("E314", f"transit gateway '{tgw.name}' has two route tables named "
                        f"'{block.name}'", locate(model, block.span, r"\b(" + _word(block.name) + r")\b"),
                        f"the first is at line {first.span.line}; merge their items")
        tables.setdefault(block.name, block)
        for word, refs in (("associates", block.associations), ("propagates", block.propagations)):
            for ref in refs:
                if ref.name not in valid:
                    obj = model.get(ref.name)
                    what = f"{describe(obj)}, which is not one of its attachments" if obj is not None \
                        else f"'{ref.name}', which names nothing"
                    hint = f"attach it (`attach {ref.name}`), or name an attachment; {have}" \
                        if isinstance(obj, ast.Vpc) else have
                    yield error("E313", f"route table '{block.name}' of transit gateway "
                                f"'{tgw.name}' {word} {what}", ref.span, hint)
                    continue
                if word == "propagates" and ref.name in peerings:
                    yield error("E315", f"route table '{block.name}' of transit gateway "
                                f"'{tgw.name}' propagates peering attachment '{ref.name}'",
                                ref.span, "a peering attachment carries static routes only: write "
                                f"`CIDR -> {ref.name}` for each block of the peer's side")
                    continue
                if word == "associates":
                    first_ref = associated.get(ref.name)
                    if first_ref is not None:
                        other = first_ref[0]
                        again = f"twice with route table '{other}'" if other == block.name else \
                            f"with route table '{other}' and again with '{block.name}'"
                        yield error("E314", f"attachment '{ref.name}' of transit gateway "
                                    f"'{tgw.name}' is associated {again}", ref.span,
                                    f"an attachment is associated with one route table (the "
                                    f"first association is at line {first_ref[1].span.line}); "
                                    f"keep one, and propagate it into the others instead")
                        continue
                    associated[ref.name] = (block.name, ref)
    for name, block in tables.items():
        if name == "default":
            continue
        if not any(b.associations for b in tgw.route_tables if b.name == name):
            yield warning("W306", f"route table '{name}' of transit gateway '{tgw.name}' is "
                          f"associated with no attachment: no packet is looked up in it",
                          locate(model, block.span, r"\b(" + _word(name) + r")\b"),
                          f"add `associate ATTACHMENT` to it; {have}")


def _word(name: str) -> str:
    return "".join("\\" + c if not c.isalnum() and c != "_" else c for c in name)


def _check_sg_referencing(model: Model) -> Iterator[Diagnostic]:
    """W307: an inbound rule naming a group of another VPC that shares only TGWs with SG
    referencing off with it (neither peered nor attached to one with it on): the flow engine
    matches it to nothing."""
    if not model.tgws:
        return
    tgws_of: dict[str, list[ast.TransitGateway]] = {}
    for tgw in model.tgws.values():
        for att in tgw.attachments:
            tgws_of.setdefault(att.vpc.name, []).append(tgw)
    peered = {frozenset((p.requester.name, p.accepter.name)) for p in model.peerings.values()}
    for sg in model.members(ast.SecurityGroup):
        for rule in sg.rules:
            if rule.direction != "in":
                continue
            for peer in rule.peers:
                other = model.get(peer.name, "sg") if isinstance(peer, ast.Ref) else None
                if other is None or other.vpc == sg.vpc or frozenset((sg.vpc, other.vpc)) in peered:
                    continue
                shared = [t for t in tgws_of.get(sg.vpc, ()) if t in tgws_of.get(other.vpc, ())]
                if not shared or any(t.sg_referencing for t in shared):
                    continue
                yield warning("W307", f"security group '{sg.name}' names group '{other.name}' of "
                              f"VPC '{other.vpc}', reached through transit gateway "
                              f"'{shared[0].name}', whose security group referencing is off: "
                              f"the rule matches no packet", peer.span,
                              f"write `sg-referencing on` in transit gateway '{shared[0].name}' "
                              f"(AWS leaves it off by default), or allow the CIDR of VPC '{other.vpc}'")
