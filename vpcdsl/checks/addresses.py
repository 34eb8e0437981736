"""Address checks: VPC blocks, subnet blocks, instance addresses, site overlaps (E1xx, W1xx, W303).

The rules are SEMANTICS.md "Addresses" (VPC guide: vpc-cidr-blocks, subnet-sizing).
Literals that did not parse (``net`` is None) were reported by the transformer and
are skipped here; so are references that do not resolve (the names check's job).
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network
from typing import Iterator

from ..aws import (BENCHMARK, RFC1918, DOCKER_BRIDGE, IPV6_SUBNET_PREFIX, IPV6_VPC_PREFIX, LINK_LOCAL, MAX_IPV4_BLOCKS,
                   SUBNET_MAX_PREFIX, SUBNET_MIN_PREFIX, VPC_MAX_PREFIX, VPC_MIN_PREFIX,
                   restricted_secondary_ranges)
from ..cidrs import allocate, find_overlaps, first_usable, reserved_reason
from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model
from ..span import Span
from ..syntax import ast

# Suggesting a free block costs a scan of the VPC's subnets; a broken model with
# thousands of misplaced subnets gets suggestions for the first few only.
_SUGGESTIONS_PER_VPC = 10

_RFC1918, _BENCHMARK = RFC1918, BENCHMARK


def check(model: Model) -> Iterator[Diagnostic]:
    diags: list[Diagnostic] = []
    for vpc in model.vpcs.values():
        blocks4, blocks6 = _check_vpc_blocks(vpc, diags)
        _check_subnets(vpc, blocks4, blocks6, diags)
        _check_instances(model, vpc, diags)
    _check_sites(model, diags)
    return iter(diags)


def vpc_blocks(vpc: ast.Vpc) -> tuple[list[IPv4Network], list[IPv6Network]]:
    """The VPC's valid IPv4 (`cidr`) and IPv6 (`ipv6`) blocks, of the right family, in source order."""
    v4 = [c.net for c in vpc.cidrs if c.net is not None and c.net.version == 4]
    v6 = [c.net for c in vpc.ipv6 if c.net is not None and c.net.version == 6]
    return v4, v6


# ---------------------------------------------------------------------------- VPC blocks

def _check_vpc_blocks(vpc: ast.Vpc, diags: list[Diagnostic]) -> tuple[list[ast.Cidr], list[ast.Cidr]]:
    """E103, E107, E108, E109, E111, E116, E117, W101, W303; returns the usable blocks."""
    name = vpc.name
    if not vpc.cidrs:
        diags.append(error(
            "E117", f"VPC '{name}' has no IPv4 block", _name_span(vpc),
            "every VPC needs a primary IPv4 block of /16 to /28: add `cidr 10.0.0.0/16` "
            "(IPv6-only VPCs do not exist)"))
    blocks4: list[ast.Cidr] = []
    for c in vpc.cidrs:
        if c.net is None:
            continue
        if c.net.version != 4:
            diags.append(error(
                "E111", f"VPC '{name}': `cidr` takes an IPv4 block, and {c.net} is IPv6", c.span,
                f"write IPv6 blocks with `ipv6 {c.net}`; the VPC still needs an IPv4 `cidr`"))
            continue
        blocks4.append(c)
    blocks6: list[ast.Cidr] = []
    for c in vpc.ipv6:
        if c.net is None:
            continue
        if c.net.version != 6:
            diags.append(error(
                "E111", f"VPC '{name}': `ipv6` takes an IPv6 block, and {c.net} is IPv4", c.span,
                f"write IPv4 blocks with `cidr {c.net}`"))
            continue
        blocks6.append(c)

    for c in blocks4:
        net = c.net
        if not VPC_MIN_PREFIX <= net.prefixlen <= VPC_MAX_PREFIX:
            hint = ("the largest VPC block is a /16 (65,536 addresses); use several /16 blocks "
                    f"(up to {MAX_IPV4_BLOCKS})" if net.prefixlen < VPC_MIN_PREFIX
                    else "the smallest VPC block is a /28 (16 addresses)")
            diags.append(error("E103", f"VPC '{name}' block {net} is a /{net.prefixlen}; "
                                       f"VPC blocks are /{VPC_MIN_PREFIX} to /{VPC_MAX_PREFIX}",
                               c.span, hint))
        if net.overlaps(LINK_LOCAL):
            diags.append(error(
                "E109", f"VPC '{name}' block {net} {_link_local(net)}", c.span,
                "AWS keeps link-local addresses for the instance metadata service and the Amazon "
                "DNS server; choose a private block such as 10.0.0.0/16"))
        if net.overlaps(DOCKER_BRIDGE):
            diags.append(warning(
                "W303", f"VPC '{name}' block {net} clashes with {DOCKER_BRIDGE}, which some AWS "
                        f"services use (Docker's default bridge in Cloud9, SageMaker)", c.span,
                "the VPC guide advises against 172.17.0.0/16; choose another range"))

    if len(blocks4) > MAX_IPV4_BLOCKS:
        extra = blocks4[MAX_IPV4_BLOCKS]
        diags.append(error(
            "E108", f"VPC '{name}' has {len(blocks4)} IPv4 blocks; AWS allows {MAX_IPV4_BLOCKS} per VPC "
                    f"by default", extra.span,
            "merge blocks into larger ones, or raise the 'IPv4 CIDR blocks per VPC' quota "
            "(Service Quotas, up to 50)"))

    _check_block_overlaps(name, blocks4, diags)
    _check_block_overlaps(name, blocks6, diags)
    _check_restricted_secondaries(vpc, blocks4, diags)

    for c in blocks6:
        if c.net.prefixlen != IPV6_VPC_PREFIX:
            diags.append(warning(
                "W101", f"VPC '{name}' IPv6 block {c.net} is a /{c.net.prefixlen}; Amazon-provided "
                        f"VPC blocks are /{IPV6_VPC_PREFIX}", c.span,
                "other sizes come only from an IPAM pool or your own addresses (BYOIP); "
                f"otherwise write a /{IPV6_VPC_PREFIX}"))
    return blocks4, blocks6


def _check_block_overlaps(name: str, blocks: list[ast.Cidr], diags: list[Diagnostic]) -> None:
    """E107: each later block (in source order) once, naming the first block it overlaps."""
    reported: set[int] = set()
    pairs = sorted((min(i, j), max(i, j)) for i, j in find_overlaps((c.net, i) for i, c in enumerate(blocks)))
    for first, later in pairs:
        if later in reported:
            continue
        reported.add(later)
        a, b = blocks[first], blocks[later]
        which = "primary block" if first == 0 and b.net.version == 4 else "block"
        diags.append(error(
            "E107", f"VPC '{name}' block {b.net} overlaps its {which} {a.net}", b.span,
            f"the blocks of a VPC must not overlap ({a.net} is at line {a.span.line}); "
            f"remove {b.net} or choose a block outside {a.net}"))


def _check_restricted_secondaries(vpc: ast.Vpc, blocks4: list[ast.Cidr], diags: list[Diagnostic]) -> None:
    """E116: the VPC guide's "IPv4 CIDR block association restrictions" table."""
    if not blocks4 or vpc.cidrs[0] is not blocks4[0]:
        return  # the written primary is invalid: no rule to apply
    primary = blocks4[0].net
    restricted = restricted_secondary_ranges(primary)
    home = _range_of(primary)
    where = f" (in {home})" if home != str(primary) else ""
    for c in blocks4[1:]:
        bad = next((r for r in restricted if c.net.overlaps(r)), None)
        if bad is None:
            continue
        diags.append(error(
            "E116", f"VPC '{vpc.name}' secondary block {c.net} is in {bad}, which AWS does not "
                    f"associate with primary block {primary}{where}", c.span,
            f"with a primary in {home}, choose secondaries from {_permitted(primary)}"))


def _range_of(primary: IPv4Network) -> str:
    for rng in _RFC1918 + (_BENCHMARK,):
        if primary.subnet_of(rng):
            return str(rng)
    return "a public range or 100.64.0.0/10"


def _permitted(primary: IPv4Network) -> str:
    for rng in _RFC1918:
        if primary.subnet_of(rng):
            extra = " (outside 172.31.0.0/16)" if rng == _RFC1918[1] else ""
            return f"{rng}{extra}, 100.64.0.0/10 or a public range"
    return "100.64.0.0/10 or a public range"


# ---------------------------------------------------------------------------- subnets

def _check_subnets(vpc: ast.Vpc, blocks4: list[ast.Cidr], blocks6: list[ast.Cidr],
                   diags: list[Diagnostic]) -> None:
    """E104, E105, E106, E109, E111, E112, W102."""
    name = vpc.name
    nets4 = [c.net for c in blocks4]
    nets6 = [c.net for c in blocks6]
    bounds4 = [_bounds(n) for n in nets4]
    bounds6 = [_bounds(n) for n in nets6]
    subnets = [s for s in vpc.members if isinstance(s, ast.Subnet)]
    placed: list[tuple[object, tuple[int, ast.Subnet, ast.Cidr]]] = []
    free = _FreeBlocks(subnets, nets4, bounds4, nets6)

    for index, s in enumerate(subnets):
        c = s.cidr
        if c is not None and c.net is not None:
            net = c.net
            if net.version != 4:
                diags.append(error(
                    "E111", f"subnet '{s.name}' CIDR {net} is IPv6; a subnet's first block is IPv4",
                    c.span, f"write the IPv4 block first and the IPv6 one after `ipv6`: "
                            f"`subnet {s.name} 10.x.x.x/24 az ... ipv6 {net}`"))
            elif _check_subnet_v4(vpc, s, c, nets4, bounds4, free, diags):
                placed.append((net, (index, s, c)))
        v6 = s.ipv6
        if v6 is not None and v6.net is not None:
            net = v6.net
            if net.version != 6:
                diags.append(error(
                    "E111", f"subnet '{s.name}': `ipv6` takes an IPv6 block, and {net} is IPv4",
                    v6.span, "the subnet's IPv4 block is written right after its name"))
                continue
            if not nets6:
                diags.append(error(
                    "E112", f"subnet '{s.name}' has IPv6 block {net} but VPC '{name}' has no IPv6 block",
                    v6.span, f"add the VPC's block first: `ipv6 {_supernet(net, IPV6_VPC_PREFIX)}` in "
                             f"VPC '{name}'"))
            elif not _within(net, bounds6):
                other = free.v6(max(net.prefixlen, IPV6_SUBNET_PREFIX))
                hint = f"use a /64 of {_list(nets6)}" + (f", e.g. {other}" if other else "")
                diags.append(error(
                    "E112", f"subnet '{s.name}' IPv6 block {net} is outside VPC '{name}' ({_list(nets6)})",
                    v6.span, hint))
            if net.prefixlen != IPV6_SUBNET_PREFIX:
                diags.append(warning(
                    "W102", f"subnet '{s.name}' IPv6 block {net} is a /{net.prefixlen}; subnet IPv6 "
                            f"blocks are /{IPV6_SUBNET_PREFIX}", v6.span,
                    "other sizes need an IPAM pool or your own addresses (BYOIP); otherwise write a /64"))
            placed.append((net, (index, s, v6)))

    _check_subnet_overlaps(placed, free, diags)


def _check_subnet_v4(vpc: ast.Vpc, s: ast.Subnet, c: ast.Cidr, nets4: list[IPv4Network],
                     bounds4: list[tuple[int, int]], free: "_FreeBlocks",
                     diags: list[Diagnostic]) -> bool:
    """E105, E109, E104 for a subnet's IPv4 block; False when it lies outside the VPC."""
    net = c.net
    if not s.allocated and not SUBNET_MIN_PREFIX <= net.prefixlen <= SUBNET_MAX_PREFIX:
        diags.append(error(
            "E105", f"subnet '{s.name}' {net} is a /{net.prefixlen}; subnets are "
                    f"/{SUBNET_MIN_PREFIX} to /{SUBNET_MAX_PREFIX}", c.span,
            "the largest subnet is a /16 (65,531 usable addresses)" if net.prefixlen < SUBNET_MIN_PREFIX
            else "the smallest subnet is a /28 (11 usable addresses)"))
    if not nets4:
        return True  # no valid IPv4 block: E117, E111 or E101 is reported for the VPC
    if _within(net, bounds4):
        return True
    if net.prefixlen < SUBNET_MIN_PREFIX:
        return False  # E105 says it: no /16..28 block is too small for a subnet this large
    if net.overlaps(LINK_LOCAL):
        diags.append(error(
            "E109", f"subnet '{s.name}' {net} {_link_local(net)}", c.span,
            "AWS keeps link-local addresses for the instance metadata service and the Amazon DNS "
            "server; choose a block inside the VPC's blocks"))
        return False
    other = free.v4(max(net.prefixlen, SUBNET_MIN_PREFIX))
    secondary = _secondary_for(net, nets4)
    options = []
    if other is not None:
        options.append(f"use a free block of the VPC such as {other}")
    if secondary is not None and len(nets4) < MAX_IPV4_BLOCKS:
        options.append(f"add `cidr {secondary}` to VPC '{vpc.name}' as a secondary block")
    hint = ", or ".join(options) if options else f"a subnet must lie inside one of {_list(nets4)}"
    where = f"VPC '{vpc.name}' ({_list(nets4)})"
    # Aligned blocks nest or are disjoint: a subnet that meets a block without lying in it holds it.
    if any(b.subnet_of(net) for b in nets4):
        message = f"subnet '{s.name}' {net} is larger than its block of {where}"
    else:
        message = f"subnet '{s.name}' {net} is outside {where}"
    diags.append(error("E104", message, c.span, hint))
    return False


def _check_subnet_overlaps(placed, free: "_FreeBlocks", diags: list[Diagnostic]) -> None:
    """E106: each later subnet (in source order) once, naming the first one it overlaps."""
    partner: dict[tuple[int, int], tuple[int, ast.Subnet, ast.Cidr]] = {}
    for a, b in find_overlaps(placed):
        first, later = (a, b) if a[0] < b[0] else (b, a)
        if first[0] == later[0]:
            continue
        key = (later[0], later[2].net.version)
        if key not in partner or first[0] < partner[key][0]:
            partner[key] = first
    index = {(i, c.net.version): (i, s, c) for _net, (i, s, c) in placed}
    for key in sorted(partner):
        _i, s, c = index[key]
        _j, other, oc = partner[key]
        hint = f"subnet '{other.name}' is at line {other.span.line}; subnets of a VPC must not overlap"
        if c.net.version == 4 and not s.allocated:
            spare = free.v4(c.net.prefixlen)
            if spare is not None:
                hint += f"; {spare} is free"
        diags.append(error(
            "E106", f"subnet '{s.name}' {c.net} overlaps subnet '{other.name}' {oc.net}", c.span, hint))


class _FreeBlocks:
    """Free aligned blocks of a VPC for "use ... instead" hints, each suggested once.

    The used blocks are collected on the first request only, and a VPC gets
    a few suggestions at most, so a correct model pays nothing for them.
    """

    def __init__(self, subnets: list[ast.Subnet], nets4: list, bounds4: list, nets6: list):
        self._subnets = subnets
        self._nets4, self._bounds4, self._nets6 = nets4, bounds4, nets6
        self._taken4: list | None = None
        self._taken6: list | None = None
        self._budget = _SUGGESTIONS_PER_VPC

    def v4(self, prefix: int):
        if self._taken4 is None:
            self._taken4 = [s.cidr.net for s in self._subnets
                            if s.cidr is not None and s.cidr.net is not None and s.cidr.net.version == 4
                            and _within(s.cidr.net, self._bounds4)]
        return self._take(prefix, self._nets4, self._taken4)

    def v6(self, prefix: int):
        if self._taken6 is None:
            self._taken6 = [s.ipv6.net for s in self._subnets
                            if s.ipv6 is not None and s.ipv6.net is not None and s.ipv6.net.version == 6]
        return self._take(prefix, self._nets6, self._taken6)

    def _take(self, prefix: int, blocks: list, taken: list):
        if self._budget <= 0 or not blocks:
            return None
        self._budget -= 1
        net = allocate(prefix, blocks, taken)
        if net is not None:
            taken.append(net)
        return net


def _secondary_for(net: IPv4Network, blocks: list[IPv4Network]):
    """A block that would hold ``net`` as a secondary: its /16, else itself, if it overlaps nothing."""
    candidate = _supernet(net, VPC_MIN_PREFIX) if net.prefixlen >= VPC_MIN_PREFIX else None
    for option in (candidate, net):
        if option is None or option.prefixlen < VPC_MIN_PREFIX or option.prefixlen > VPC_MAX_PREFIX:
            continue
        if option.overlaps(LINK_LOCAL):
            return None
        if not any(option.overlaps(b) for b in blocks):
            primary = blocks[0]
            if any(option.overlaps(r) for r in restricted_secondary_ranges(primary)):
                return None
            return option
    return None


# ---------------------------------------------------------------------------- instances

def _check_instances(model: Model, vpc: ast.Vpc, diags: list[Diagnostic]) -> None:
    """E110 (outside its subnet or reserved), E111 (IPv6 without a subnet block), E115 (taken)."""
    used: dict[object, ast.Instance] = {}
    for inst in vpc.members:
        if not isinstance(inst, ast.Instance) or inst.ip is None or inst.ip.ip is None:
            continue
        ip = inst.ip.ip
        span = inst.ip.span
        subnet = model.get(inst.subnet.name, "subnet")
        if subnet is not None and subnet.vpc == vpc.name:
            if not _instance_address_ok(inst, ip, span, subnet, diags):
                continue
        first = used.get(ip)
        if first is not None:
            diags.append(error(
                "E115", f"instance '{inst.name}' address {ip} is already used by instance '{first.name}'",
                span, f"instance '{first.name}' is at line {first.span.line}; every interface in a VPC "
                      f"needs its own address"))
        else:
            used[ip] = inst


def _instance_address_ok(inst: ast.Instance, ip, span: Span, subnet: ast.Subnet,
                         diags: list[Diagnostic]) -> bool:
    if ip.version == 4:
        block = subnet.cidr
        if block is None or block.net is None or block.net.version != 4:
            return True  # nothing to check against (reported elsewhere)
    else:
        block = subnet.ipv6
        if block is None:
            diags.append(error(
                "E111", f"instance '{inst.name}' address {ip} is IPv6, but subnet '{subnet.name}' has "
                        f"no IPv6 block", span,
                f"give subnet '{subnet.name}' an `ipv6` block, or write an IPv4 address"))
            return False
        if block.net is None or block.net.version != 6:
            return True
    net = block.net
    start, end = _bounds(net)
    value = int(ip)
    if start <= value <= end and 4 <= value - start and value != end:
        return True
    usable = f"usable addresses of {net} are {first_usable(net)} to {type(ip)(end - 1)}"
    if not start <= value <= end:
        diags.append(error(
            "E110", f"instance '{inst.name}' address {ip} is outside its subnet '{subnet.name}' ({net})",
            span, usable))
        return False
    reason = reserved_reason(net, ip)
    if reason is not None:
        diags.append(error(
            "E110", f"instance '{inst.name}' cannot use {ip} in subnet '{subnet.name}' ({net}): "
                    f"it is {reason}",
            span, "AWS reserves the first four and the last address of every subnet; " + usable))
        return False
    return True


# ---------------------------------------------------------------------------- sites

def _check_sites(model: Model, diags: list[Diagnostic]) -> None:
    """E119: a site reached over a VPN or Direct Connect overlaps a VPC on the other end."""
    links: list[tuple[str, ast.Ref, list[str]]] = []
    for vpn in model.vpns.values():
        target = model.get(vpn.target.name, "vgw", "tgw", "instance")
        links.append((f"VPN '{vpn.name}'", vpn.site, _vpcs_behind(model, target)))
    for dx in model.dxs.values():
        if dx.target is None or dx.vif == "public":
            continue
        target = model.get(dx.target.name, "vgw", "dxgw")
        links.append((f"Direct Connect '{dx.name}'", dx.site, _vpcs_behind(model, target)))
    reported: set[tuple[str, int, str]] = set()
    blocks_of: dict[str, list] = {}
    for link, site_ref, vpc_names in links:
        site = model.get(site_ref.name, "site")
        if site is None:
            continue
        for vpc_name in vpc_names:
            vpc = model.vpcs.get(vpc_name)
            if vpc is None:
                continue
            blocks = blocks_of.get(vpc_name)
            if blocks is None:
                v4, v6 = vpc_blocks(vpc)
                blocks = blocks_of[vpc_name] = v4 + v6
            for i, c in enumerate(site.cidrs):
                if c.net is None or (site.name, i, vpc_name) in reported:
                    continue
                clash = next((b for b in blocks if b.version == c.net.version and b.overlaps(c.net)), None)
                if clash is None:
                    continue
                reported.add((site.name, i, vpc_name))
                diags.append(error(
                    "E119", f"site '{site.name}' {c.net} overlaps VPC '{vpc_name}' ({clash}), which it "
                            f"reaches over {link}", c.span,
                    "routes to the site would be shadowed by the VPC's local route; renumber one side, "
                    "or translate the site's addresses (NAT) before they reach AWS"))


def _vpcs_behind(model: Model, target) -> list[str]:
    """The VPCs a VPN or Direct Connect reaches through its AWS end (VGW, TGW, DX gateway, instance)."""
    if target is None:
        return []
    if isinstance(target, (ast.VirtualPrivateGateway, ast.Instance)):
        return [target.vpc] if target.vpc else []
    if isinstance(target, ast.TransitGateway):
        return list(dict.fromkeys(a.vpc.name for a in target.attachments))
    if isinstance(target, ast.DxGateway):
        out: list[str] = []
        for ref in target.attachments:
            out.extend(_vpcs_behind(model, model.get(ref.name, "vgw", "tgw")))
        return list(dict.fromkeys(out))
    return []


# ---------------------------------------------------------------------------- wording

def _bounds(net) -> tuple[int, int]:
    """First and last address of ``net`` as integers (ipaddress's own tests are slow in bulk)."""
    start = int(net.network_address)
    return start, start + (1 << (net.max_prefixlen - net.prefixlen)) - 1


def _within(net, bounds: list[tuple[int, int]]) -> bool:
    """Whether ``net`` lies inside one of ``bounds`` (same family assumed)."""
    start, end = _bounds(net)
    return any(lo <= start and end <= hi for lo, hi in bounds)


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


def _link_local(net) -> str:
    if net.subnet_of(LINK_LOCAL):
        return f"is link-local ({LINK_LOCAL})"
    return f"contains link-local addresses ({LINK_LOCAL})"


def _supernet(net, prefix: int):
    return net.supernet(new_prefix=prefix) if net.prefixlen > prefix else net


def _list(nets) -> str:
    return ", ".join(str(n) for n in nets)
