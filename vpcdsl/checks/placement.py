"""Placement groups and instances: strategies, tenancy, enhanced networking, public IPs.

Cluster groups stay in one AZ (E601), spread groups hold at most 7 instances
per AZ (E602), partition groups at most 7 partitions (E603); an instance is
in one group at most (E604), with tenancy rules (E605-E607). W601: a cluster
member without enhanced networking; W602: a public IP nothing can route to.
"""

from __future__ import annotations

from typing import Iterator

from ..aws import MAX_DEDICATED_PARTITIONS, MAX_PARTITIONS_PER_AZ, MAX_SPREAD_PER_AZ
from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model, describe
from ..syntax import ast
from . import locate


def check(model: Model) -> Iterator[Diagnostic]:
    yield from _check_groups(model)
    yield from _check_public_ips(model)


# ---------------------------------------------------------------------------- placement groups

def _check_groups(model: Model) -> Iterator[Diagnostic]:
    first_group: dict[str, ast.PlacementGroup] = {}
    for group in model.placements.values():
        members: list[tuple[ast.PlacementMember, ast.Instance]] = []
        seen: set[str] = set()
        for member in group.members:
            obj = model.get(member.instance.name)
            if obj is None:
                continue  # unknown name: E201 (names check)
            if not isinstance(obj, ast.Instance):
                yield error(
                    "E608", f"placement group '{group.name}' lists {describe(obj)}",
                    member.instance.span, "placement groups hold EC2 instances only")
                continue
            if obj.name in seen:
                continue
            seen.add(obj.name)
            members.append((member, obj))
            first = first_group.setdefault(obj.name, group)
            if first is not group:
                yield error(
                    "E604", f"instance '{obj.name}' is in placement groups '{first.name}' and "
                            f"'{group.name}'", member.instance.span,
                    f"an instance is in at most one placement group: remove it from one "
                    f"('{first.name}' is at line {first.span.line})")
        yield from _check_tenancy(group, members)
        if group.strategy == "cluster":
            yield from _check_cluster(model, group, members)
        elif group.strategy == "spread":
            yield from _check_spread(model, group, members)
        else:
            yield from _check_partitions(model, group, members)
        if group.strategy != "partition":
            for member in group.members:
                if member.partition is not None:
                    yield error(
                        "E603", f"member '{member.instance.name}' of {group.strategy} placement "
                                f"group '{group.name}' names partition {member.partition}",
                        member.span, "only partition groups have partitions: drop "
                                     f"`@{member.partition}`")


def _check_tenancy(group: ast.PlacementGroup, members) -> Iterator[Diagnostic]:
    dedicated = []
    for member, inst in members:
        if inst.tenancy == "host":
            yield error(
                "E605", f"instance '{inst.name}' runs on a Dedicated Host and cannot be in "
                        f"placement group '{group.name}'", member.instance.span,
                f"Dedicated Host instances fit no placement group: remove '{inst.name}' from "
                f"'{group.name}', or change its tenancy")
        elif inst.tenancy == "dedicated":
            if group.strategy == "spread":
                yield error(
                    "E606", f"dedicated instance '{inst.name}' is in spread placement group "
                            f"'{group.name}'", member.instance.span,
                    "dedicated instances cannot use spread groups: use a partition group (at "
                    "most 2 partitions), or default tenancy")
            dedicated.append((member, inst))
    if (group.strategy == "partition" and dedicated and group.partitions is not None
            and group.partitions > MAX_DEDICATED_PARTITIONS):
        member, _ = dedicated[0]
        names = ", ".join(f"'{inst.name}'" for _, inst in dedicated)
        yield error(
            "E607", f"partition placement group '{group.name}' has {group.partitions} partitions "
                    f"and holds dedicated instances ({names})", member.instance.span,
            f"dedicated instances allow at most {MAX_DEDICATED_PARTITIONS} partitions: write "
            f"`partition {MAX_DEDICATED_PARTITIONS}`, or use default tenancy")


def _zone(model: Model, inst: ast.Instance) -> str:
    subnet = model.subnets.get(inst.subnet.name)
    return subnet.zone if subnet is not None else ""


def _check_cluster(model: Model, group: ast.PlacementGroup, members) -> Iterator[Diagnostic]:
    home: tuple[str, ast.Instance] | None = None
    for member, inst in members:
        if inst.network == "none":
            yield warning(
                "W601", f"instance '{inst.name}' in cluster placement group '{group.name}' has no "
                        f"enhanced networking", member.instance.span,
                "a cluster group is for low-latency, high-throughput traffic: give the instance "
                "`network ena` (up to 100 Gbps)")
        zone = _zone(model, inst)
        if not zone:
            continue
        if home is None:
            home = (zone, inst)
        elif zone != home[0]:
            yield error(
                "E601", f"instance '{inst.name}' is in {zone}, but cluster placement group "
                        f"'{group.name}' is in {home[0]} (instance '{home[1].name}')",
                member.instance.span,
                "a cluster group lives in one availability zone: place the instance in a subnet "
                f"of {home[0]}, or use a spread or partition group")


def _check_spread(model: Model, group: ast.PlacementGroup, members) -> Iterator[Diagnostic]:
    per_zone: dict[str, int] = {}
    for member, inst in members:
        zone = _zone(model, inst)
        if not zone:
            continue
        per_zone[zone] = per_zone.get(zone, 0) + 1
        if per_zone[zone] == MAX_SPREAD_PER_AZ + 1:
            total = sum(1 for _, i in members if _zone(model, i) == zone)
            yield error(
                "E602", f"spread placement group '{group.name}' has {total} instances in {zone}; "
                        f"at most {MAX_SPREAD_PER_AZ} per AZ", member.instance.span,
                f"spread the instances over more availability zones, or split the group "
                f"('{inst.name}' is the {MAX_SPREAD_PER_AZ + 1}th in {zone})")


def _check_partitions(model: Model, group: ast.PlacementGroup, members) -> Iterator[Diagnostic]:
    count = group.partitions
    if count is None:
        return
    if not 1 <= count <= MAX_PARTITIONS_PER_AZ:
        yield error(
            "E603", f"partition placement group '{group.name}' has {count} partitions",
            locate(model, group.span, r"\bpartition\s+(\d+)"),
            f"a partition group has 1 to {MAX_PARTITIONS_PER_AZ} partitions per availability zone")
    for member in group.members:
        if member.partition is not None and not 1 <= member.partition <= count:
            yield error(
                "E603", f"member '{member.instance.name}' is in partition {member.partition}, but "
                        f"placement group '{group.name}' has partitions 1..{count}",
                member.span, f"write `@1` to `@{count}`, or leave `@P` out to let EC2 choose")


# ---------------------------------------------------------------------------- public IPs

def _check_public_ips(model: Model) -> Iterator[Diagnostic]:
    to_igw: dict[str, bool] = {}
    for inst in model.instances.values():
        if inst.public_ip == "none":
            continue
        table = model.route_table_of.get(inst.subnet.name)
        if table is None:
            continue
        if table.name not in to_igw:
            to_igw[table.name] = _routes_to_igw(model, table)
        if to_igw[table.name]:
            continue
        vpc = model.vpcs.get(inst.vpc)
        igws = vpc.of_type(ast.InternetGateway) if vpc is not None else ()
        where = ("the VPC's main route table" if table.implicit else f"route table '{table.name}'")
        fix = (f"place it in a subnet that routes 0.0.0.0/0 to '{igws[0].name}'" if igws else
               f"add an `igw` to VPC '{inst.vpc}' and route 0.0.0.0/0 to it from {where}")
        yield warning(
            "W602", f"instance '{inst.name}' has a public IP, but subnet '{inst.subnet.name}' has "
                    f"no IPv4 route to an internet gateway ({where})",
            locate(model, inst.span, r"\b(public-ip|eip)\b"),
            f"the internet can never reach it: {fix}, or drop `{inst.public_ip}`")


def _routes_to_igw(model: Model, table: ast.RouteTable) -> bool:
    for route in table.routes:
        if (isinstance(route.dest, ast.Cidr) and route.dest.net is not None
                and route.dest.net.version == 4 and isinstance(route.target, ast.Ref)
                and model.get(route.target.name, "igw") is not None):
            return True
    return False
