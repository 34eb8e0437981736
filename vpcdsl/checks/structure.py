"""How a model's objects fit together: one-per-VPC gateways, associations, peerings, regions, AZs.

Counts and associations per VPC (E206-E210, E215), peerings (E214, E310), and
where things are (E211-E213). Names that do not resolve are skipped here: the
names check reports them once.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..aws import REGIONS
from ..diagnostics import Diagnostic, error
from ..model.network import Model
from ..span import Span
from ..syntax import ast
from .names import close_matches, did_you_mean

# Local Zone AZ names: `us-west-2-lax-1a` (region, location code, letter). EC2
# guide, using-regions-availability-zones; a subnet may live in one.
_LOCAL_ZONE = re.compile(r"-[a-z]+-\d+[a-z]$")


def check(model: Model) -> Iterator[Diagnostic]:
    diags: list[Diagnostic] = []
    for vpc in model.vpcs.values():
        _one_per_vpc(vpc, diags)
        _route_table_associations(model, vpc, diags)
        _nacl_associations(model, vpc, diags)
        _availability_zones(vpc, diags)
    _peerings(model, diags)
    _regions(model, diags)
    return iter(diags)


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


def _where(span: Span, here: Span) -> str:
    """``line 12``, or ``t.vpc:12`` when the other place is in another file."""
    return f"line {span.line}" if span.file == here.file else f"{span.file}:{span.line}"


# ---------------------------------------------------------------------------- one per VPC

_ONE_PER_VPC = (
    (ast.InternetGateway, "E206", "internet gateway",
     "a VPC has at most one internet gateway; route every table to '{first}'"),
    (ast.EgressOnlyInternetGateway, "E207", "egress-only internet gateway",
     "a VPC has at most one egress-only internet gateway; route ::/0 to '{first}'"),
    (ast.VirtualPrivateGateway, "E215", "virtual private gateway",
     "a VPC has at most one virtual private gateway attached; end every VPN and Direct Connect "
     "on '{first}', or use a transit gateway"),
)


def _one_per_vpc(vpc: ast.Vpc, diags: list[Diagnostic]) -> None:
    for cls, code, word, advice in _ONE_PER_VPC:
        first = None
        for m in vpc.members:
            if not isinstance(m, cls):
                continue
            if first is None:
                first = m
                continue
            span = _name_span(m)
            diags.append(error(
                code, f"VPC '{vpc.name}' already has {word} '{first.name}'; '{m.name}' would be a second",
                span, f"'{first.name}' is at {_where(first.span, span)}; " + advice.format(first=first.name)))

    mains = [m for m in vpc.members if isinstance(m, ast.RouteTable) and m.main and not m.implicit]
    for extra in mains[1:]:
        span = _name_span(extra)
        diags.append(error(
            "E209", f"route table '{extra.name}' is marked `main`, but VPC '{vpc.name}' already has "
                    f"main route table '{mains[0].name}'",
            span, f"'{mains[0].name}' is at {_where(mains[0].span, span)}; a VPC has one main route "
                  f"table: remove `main` from one of them"))


# ---------------------------------------------------------------------------- associations

def _associations(model: Model, vpc: ast.Vpc, cls, code: str, word: str, advice: str,
                  diags: list[Diagnostic]) -> None:
    """A subnet associated with two tables (or NACLs) of its VPC: point at the second association."""
    first: dict[str, tuple[str, ast.Ref]] = {}
    for owner in vpc.members:
        if not isinstance(owner, cls):
            continue
        for ref in owner.subnets:
            subnet = model.get(ref.name, "subnet")
            if subnet is None or subnet.vpc != vpc.name:
                continue  # unknown (E201) or in another VPC (E205): reported by the names check
            seen = first.get(ref.name)
            if seen is None:
                first[ref.name] = (owner.name, ref)
            elif seen[0] != owner.name:
                diags.append(error(
                    code, f"subnet '{ref.name}' is associated with {word} '{seen[0]}' and with "
                          f"{word} '{owner.name}'",
                    ref.span, f"the first association is at {_where(seen[1].span, ref.span)}:"
                              f"{seen[1].span.col}; {advice}"))


def _route_table_associations(model: Model, vpc: ast.Vpc, diags: list[Diagnostic]) -> None:
    _associations(model, vpc, ast.RouteTable, "E208", "route table",
                  "a subnet uses exactly one route table: remove it from one `for` list", diags)


def _nacl_associations(model: Model, vpc: ast.Vpc, diags: list[Diagnostic]) -> None:
    _associations(model, vpc, ast.Nacl, "E210", "network ACL",
                  "a subnet has exactly one network ACL: remove it from one `for` list", diags)


# ---------------------------------------------------------------------------- peerings

def _peerings(model: Model, diags: list[Diagnostic]) -> None:
    seen: dict[frozenset[str], ast.Peering] = {}
    for p in model.peerings.values():
        a, b = p.requester.name, p.accepter.name
        if a not in model.vpcs or b not in model.vpcs:
            continue  # unknown VPC: E201 from the names check
        if a == b:
            diags.append(error(
                "E214", f"peering connection '{p.name}' peers VPC '{a}' with itself", p.accepter.span,
                "a peering connection joins two different VPCs; traffic inside one VPC uses its "
                "local route"))
            continue
        key = frozenset((a, b))
        first = seen.get(key)
        if first is None:
            seen[key] = p
            continue
        span = _name_span(p)
        diags.append(error(
            "E310", f"peering connection '{p.name}' duplicates '{first.name}' between VPCs "
                    f"'{a}' and '{b}'",
            span, f"'{first.name}' ({first.requester.name} -> {first.accepter.name}) is at "
                  f"{_where(first.span, span)}; two VPCs have at most one peering connection, "
                  f"in either direction: remove this one and route through '{first.name}'"))


# ---------------------------------------------------------------------------- regions and AZs

def _regions(model: Model, diags: list[Diagnostic]) -> None:
    for file in model.files:
        for stmt in file.statements:
            if isinstance(stmt, ast.RegionStmt):
                ref = stmt.name
            elif isinstance(stmt, (ast.Vpc, ast.TransitGateway)) and stmt.region is not None:
                ref = stmt.region
            else:
                continue
            if ref.name in REGIONS:
                continue
            match = close_matches(ref.name, sorted(REGIONS), cutoff=0.7)
            hint = (did_you_mean(match) if match
                    else "a region is written like us-east-1, eu-west-1 or ap-southeast-2")
            diags.append(error("E213", f"unknown region '{ref.name}'", ref.span, hint))


def _letters(last: str) -> str:
    return "a" if last == "a" else f"a to {last}"


def _availability_zones(vpc: ast.Vpc, diags: list[Diagnostic]) -> None:
    region = vpc.region_name
    last = REGIONS.get(region)
    for subnet in vpc.of_type(ast.Subnet):
        if subnet.az is None:
            diags.append(error(
                "E211", f"subnet '{subnet.name}' has no availability zone", _name_span(subnet),
                f"a subnet lives in exactly one AZ: write `subnet {subnet.name} CIDR az a` (a letter "
                f"of region {region}) or a full AZ name such as `az {region}a`"))
            continue
        if last is None:
            continue  # unknown region: E213
        zone = subnet.zone
        if zone.startswith(region):
            suffix = zone[len(region):]
            if len(suffix) == 1 and "a" <= suffix <= last:
                continue
            if _LOCAL_ZONE.fullmatch(suffix):
                continue
        written = subnet.az.name
        if len(written) == 1:
            message = f"availability zone '{written}' ({zone}) does not exist in region {region}"
        elif zone.startswith(region) and len(zone) == len(region) + 1:
            message = f"availability zone '{written}' does not exist in region {region}"
        else:
            message = f"availability zone '{written}' is not in region {region} of VPC '{vpc.name}'"
        diags.append(error(
            "E212", message, subnet.az.span,
            f"region {region} has AZs {_letters(last)}: write `az a` or `az {region}a`"))
