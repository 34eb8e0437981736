"""From parsed files to a Model: one namespace, AWS defaults, allocated subnets.

Resolution never stops at the first problem: duplicate and reserved names are
reported and the first definition wins; references are checked later by
`vpcdsl.checks.names`, so every stage can rely on `Model.get` returning None
for a name that does not resolve.
"""

from __future__ import annotations

from dataclasses import replace

from ..aws import DEFAULT_REGION, RESERVED
from ..cidrs import allocate, prefix_for_hosts
from ..diagnostics import Diagnostic, error
from ..span import Span
from ..syntax import ast
from .network import KIND_WORDS, SCOPED_KINDS, Model, kind_of

_TOP_LEVEL = {
    ast.Peering: "peerings", ast.TransitGateway: "tgws", ast.Site: "sites", ast.Vpn: "vpns",
    ast.DxGateway: "dxgws", ast.DirectConnect: "dxs", ast.PlacementGroup: "placements",
    ast.Cdn: "cdns",
}
_EXPECTATIONS = (ast.ExpectFlow, ast.ExpectIsolated, ast.ExpectDns, ast.ExpectValid)


def resolve(files: tuple[ast.File, ...], *, path: str, sources: dict[str, str]) -> Model:
    model = Model(path=path, files=files, sources=sources)
    diags = model.diagnostics
    names = _Namespace(model, diags)

    for file in files:
        region = DEFAULT_REGION
        for stmt in file.statements:
            if isinstance(stmt, ast.RegionStmt):
                region = stmt.name.name
            elif isinstance(stmt, ast.Vpc):
                vpc = _resolve_vpc(stmt, region, model, diags)
                if names.define(vpc):
                    model.vpcs[vpc.name] = vpc
                    for member in vpc.members:
                        names.define(member)
            elif isinstance(stmt, ast.TransitGateway):     # regional, as a VPC is
                stmt = replace(stmt, region_name=stmt.region.name if stmt.region else region)
                if names.define(stmt):
                    model.tgws[stmt.name] = stmt
                    for peering in stmt.peerings:     # both TGWs know it by this name
                        names.define(peering)
            elif isinstance(stmt, ast.Site):
                stmt = replace(stmt, region_name=region)
                if names.define(stmt):
                    model.sites[stmt.name] = stmt
            elif type(stmt) in _TOP_LEVEL:
                if names.define(stmt):
                    getattr(model, _TOP_LEVEL[type(stmt)])[stmt.name] = stmt
            elif isinstance(stmt, ast.Advertise):
                model.advertisements.append(stmt)
            elif isinstance(stmt, ast.DnsZone):
                model.dns_zones.append(stmt)
            elif isinstance(stmt, _EXPECTATIONS):
                model.expectations.append(stmt)
    return model


class _Namespace:
    """The model's one namespace; reports duplicates and reserved words."""

    def __init__(self, model: Model, diags: list[Diagnostic]):
        self.model = model
        self.diags = diags

    def define(self, obj) -> bool:
        name = obj.name
        span = _name_span(obj)
        if name in RESERVED:
            self.diags.append(error(
                "E203", f"'{name}' is reserved and cannot name "
                        f"{'an' if KIND_WORDS[kind_of(obj)][0] in 'aeiou' else 'a'} {KIND_WORDS[kind_of(obj)]}", span,
                "reserved words: " + ", ".join(sorted(RESERVED))))
            return False
        kind = kind_of(obj)
        table = self.model.scoped.get(kind, self.model.objects)
        first = table.get(name)
        if first is not None:
            if getattr(first, "span", None) is not None and first.span.line == 0:
                where = "by AWS"
            else:
                where = f"at {first.span}"
            self.diags.append(error(
                "E202", f"'{name}' is already defined as a {KIND_WORDS[kind_of(first)]}", span,
                f"first defined {where}; " + (
                    f"{KIND_WORDS[kind]} names must be unique in a model" if kind in SCOPED_KINDS
                    else "gateways, subnets, instances and the other objects of a model share one namespace")))
            return False
        table[name] = obj
        return True


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


def _resolve_vpc(vpc: ast.Vpc, current_region: str, model: Model,
                 diags: list[Diagnostic]) -> ast.Vpc:
    region = vpc.region.name if vpc.region else current_region
    name = vpc.name
    span = vpc.span
    implicit = Span(span.file, span.line, span.col, span.line, span.col + len(name))

    members = []
    written_main = None
    for m in vpc.members:  # the transformer has set each member's `vpc`
        if isinstance(m, ast.Subnet):
            m = replace(m, zone=_zone(m, region))
        if isinstance(m, ast.RouteTable) and m.main and written_main is None:
            written_main = m
        members.append(m)

    members = _allocate_subnets(vpc, members, diags)

    if written_main is None:
        main = ast.RouteTable(f"{name}.main", True, (), (), (), implicit, vpc=name, implicit=True)
        members.append(main)
    else:
        main = next(m for m in members if isinstance(m, ast.RouteTable) and m.name == written_main.name)
    nacl = ast.Nacl(f"{name}.default-nacl", (), (), implicit, vpc=name, default=True)
    sg = ast.SecurityGroup(f"{name}.default-sg", (), False, implicit, vpc=name, default=True)
    members += [nacl, sg]
    model.main_table[name] = main
    model.default_nacl[name] = nacl
    model.default_sg[name] = sg
    return replace(vpc, members=tuple(members), region_name=region)


def _zone(subnet: ast.Subnet, region: str) -> str:
    if subnet.az is None:
        return ""
    az = subnet.az.name
    if len(az) == 1 and az.isalpha():
        return region + az.lower()
    return az


def _allocate_subnets(vpc: ast.Vpc, members: list, diags: list[Diagnostic]) -> list:
    """Give `size /P` and `hosts N` subnets a CIDR: lowest aligned free block, primary first."""
    pending = [m for m in members if isinstance(m, ast.Subnet) and m.cidr is None]
    if not pending:
        return members
    blocks = [c.net for c in vpc.cidrs if c.net is not None and c.net.version == 4]
    taken = [m.cidr.net for m in members
             if isinstance(m, ast.Subnet) and m.cidr is not None and m.cidr.net is not None]
    chosen: dict[str, ast.Subnet] = {}
    for subnet in pending:
        if subnet.size is not None:
            prefix = subnet.size
            what = f"size /{prefix}"
            if not 16 <= prefix <= 28:  # AWS subnets are /16../28 (VPC guide, subnet-sizing)
                diags.append(error("E105", f"subnet '{subnet.name}' asks for /{prefix}", subnet.span,
                                   "subnets are /16 to /28"))
                continue
        else:
            prefix = prefix_for_hosts(subnet.hosts)
            what = f"hosts {subnet.hosts}"
            if prefix is None or prefix < 16:
                diags.append(error(
                    "E114", f"subnet '{subnet.name}' asks for {subnet.hosts} hosts", subnet.span,
                    "the largest subnet, a /16, has 65,531 usable addresses"))
                continue
            prefix = min(prefix, 28)  # AWS's smallest subnet is a /28 (11 usable addresses)
        if not blocks:
            continue  # E117 (no IPv4 block) is reported by the address checks
        net = allocate(prefix, blocks, taken)
        if net is None:
            diags.append(error(
                "E113", f"no free /{prefix} left in VPC '{vpc.name}' for subnet '{subnet.name}' ({what})",
                subnet.span, "add a secondary `cidr` block to the VPC, or ask for a smaller subnet"))
            continue
        taken.append(net)
        cidr = ast.Cidr(str(net), net, subnet.span)
        chosen[subnet.name] = replace(subnet, cidr=cidr, allocated=True)
    return [chosen.get(m.name, m) if isinstance(m, ast.Subnet) else m for m in members]
