"""Every name written in the model, resolved against the kinds its position accepts.

Reports unknown names (E201, with "did you mean"), names of the wrong kind
(E204), objects of another VPC where the same VPC is required (E205),
unknown prefix lists (E311) and unknown `by` component kinds (E902). Each
reference is looked at exactly once, so each problem is reported once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterator

from ..aws import PREFIX_LISTS, RESERVED, SERVICES
from ..diagnostics import Diagnostic, error
from ..model.network import KIND_OF, KIND_WORDS, SCOPED_KINDS, Model
from ..syntax import ast

# Route targets LANGUAGE.md accepts; a gateway endpoint is accepted here and
# reported by the routing checks (E302: its routes are added by association).
ROUTE_TARGETS = ("igw", "eigw", "nat", "nat-instance", "peering", "vgw", "tgw", "instance",
                 "gateway-endpoint")
# Route targets that must belong to the route table's own VPC (a peering's
# membership is E306, a TGW is regional).
SAME_VPC_TARGETS = frozenset(("igw", "eigw", "nat", "nat-instance", "vgw", "instance",
                              "gateway-endpoint"))
# What a flow end may name besides `internet`, a service or an address (LANGUAGE.md §4).
# Forward-only components (igw ... dxgw) are accepted too: a trace to one is blocked by
# `gateway` and says what the component does (docs/SEMANTICS.md, Gateways).
FLOW_END_KINDS = ("vpc", "subnet", "instance", "lb", "interface-endpoint", "nat", "nat-instance",
                  "site", "igw", "eigw", "vgw", "tgw", "gateway-endpoint", "peering", "dxgw")
BY_KINDS = ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")
# What people write for a `by` kind (AWS's long names, or a component instead of its kind).
_BY_ALIASES = {
    "security-group": "sg", "security-groups": "sg", "sgs": "sg",
    "acl": "nacl", "network-acl": "nacl", "nacls": "nacl",
    "routes": "route", "route-table": "route", "routing": "route", "blackhole": "route",
    "peer": "peering", "vpc-peering": "peering",
    "igw": "gateway", "eigw": "gateway", "nat": "gateway", "nat-instance": "gateway",
    "vgw": "gateway", "tgw": "gateway", "vpn": "gateway", "dx": "gateway",
    "vpce": "endpoint", "gateway-endpoint": "endpoint", "interface-endpoint": "endpoint",
    "load-balancer": "lb", "alb": "lb", "nlb": "lb", "elb": "lb", "clb": "lb", "listener": "lb",
}

# Beyond this many candidates a "did you mean" costs real time; it is computed
# for the first few such references only, so a broken 100k-line model stays fast.
_LARGE_POOL = 5000
_LARGE_POOL_BUDGET = 50


@dataclass(frozen=True, slots=True)
class Position:
    """Where a reference is written and what it may name.

    ``need`` completes "'x' is a security group; <need>"; with ``vpc`` set the
    object must belong to that VPC, and "<need> of VPC 'vpc'" is the E205 hint
    unless ``same_vpc_hint`` says better. ``extra`` are reserved names that are
    valid here (`internet`, services).
    """

    kinds: tuple[str, ...]
    need: str
    vpc: str | None = None
    same_vpc_hint: str | None = None
    extra: frozenset[str] = frozenset()
    same_vpc_kinds: frozenset[str] | None = None   # None: every accepted kind
    noun: str | None = None    # "unknown <noun> 'x'"; default: the kind, or "name"
    # Another check reports a model object of the wrong kind here with its own code
    # (E502, E505, E608): leave those to it, so that each problem is told once.
    kind_checked_by: str | None = None


def check(model: Model) -> Iterator[Diagnostic]:
    resolver = _Resolver(model)
    _check_vpcs(model, resolver)
    _check_top_level(model, resolver)
    _check_dns(model, resolver)
    _check_expectations(model, resolver)
    return iter(resolver.diags)


# ---------------------------------------------------------------------------- walks

def _check_vpcs(model: Model, r: "_Resolver") -> None:
    for vpc in model.vpcs.values():
        v = vpc.name

        def subnet_in(need: str, v=v) -> Position:
            return Position(("subnet",), need, v)

        sgs_of = Position(("sg",), "`sg` names security groups", v, noun="security group",
                          same_vpc_hint=f"a security group belongs to one VPC: attach one of VPC '{v}'")
        for m in vpc.members:
            if isinstance(m, ast.NatGateway):
                r.ref(m.subnet, subnet_in(f"NAT gateway '{m.name}' must be placed in a subnet"))
            elif isinstance(m, ast.NatInstance):
                r.ref(m.subnet, subnet_in(f"NAT instance '{m.name}' must be placed in a subnet"))
                r.refs(m.sgs, sgs_of)
                for fwd in m.forwards:
                    r.ref(fwd.instance, Position(
                        ("instance",), f"NAT instance '{m.name}' forwards ports to an instance"))
            elif isinstance(m, ast.Instance):
                r.ref(m.subnet, subnet_in(f"instance '{m.name}' must be placed in a subnet"))
                r.refs(m.sgs, sgs_of)
            elif isinstance(m, ast.RouteTable):
                _check_route_table(m, v, r)
            elif isinstance(m, ast.Nacl):
                r.refs(m.subnets, subnet_in(f"network ACL '{m.name}' is associated with subnets"))
            elif isinstance(m, ast.SecurityGroup):
                for rule in m.rules:
                    for peer in rule.peers:
                        if isinstance(peer, ast.Ref):
                            _check_sg_peer(peer, v, r)
            elif isinstance(m, ast.GatewayEndpoint):
                _check_gateway_service(m, r)
                r.refs(m.route_tables, Position(
                    ("route-table",), f"gateway endpoint '{m.name}' adds its routes to route tables", v))
            elif isinstance(m, ast.InterfaceEndpoint):
                r.refs(m.subnets, subnet_in(f"interface endpoint '{m.name}' is placed in subnets"))
                r.refs(m.sgs, sgs_of)
            elif isinstance(m, ast.LoadBalancer):
                _check_lb(m, v, r, sgs_of)


def _check_route_table(rt: ast.RouteTable, vpc: str, r: "_Resolver") -> None:
    r.refs(rt.subnets, Position(("subnet",), f"route table '{rt.name}' is associated with subnets", vpc))
    target = Position(
        ROUTE_TARGETS,
        "a route's target is a gateway, NAT, peering connection, VGW, transit gateway, instance "
        "or `blackhole`",
        vpc, same_vpc_kinds=SAME_VPC_TARGETS, noun="route target",
        same_vpc_hint=f"a route in VPC '{vpc}' can only use gateways, NATs and instances of VPC "
                      f"'{vpc}'; reach another VPC through a peering connection or a transit gateway")
    for route in rt.routes:
        if isinstance(route.dest, ast.Ref):
            _check_prefix_list(route.dest, r, "a route's destination is a CIDR or a prefix list")
        if isinstance(route.target, ast.Ref):
            r.ref(route.target, target)
    # A VGW of another VPC is the routing check's E307; suggestions still prefer this VPC's.
    r.refs(rt.propagations, Position(
        ("vgw",), f"route table '{rt.name}' propagates the routes of a virtual private gateway"),
        suggest_vpc=vpc)


def _check_prefix_list(ref: ast.Ref, r: "_Resolver", need: str) -> None:
    """A prefix-list name (`s3`, `dynamodb`); anything else is E311 (or E204 for a model object)."""
    if ref.name in PREFIX_LISTS:
        return
    obj = r.lookup_any(ref.name)
    if obj is not None:
        r.wrong_kind(ref, obj, need, f"the prefix lists are {_and_list(PREFIX_LISTS)}; or write a CIDR")
        return
    if ref.name in SERVICES:
        hint = (f"AWS-managed prefix lists exist for {_and_list(PREFIX_LISTS)} only; "
                f"write the CIDRs of '{ref.name}' instead")
    else:
        match = close_matches(ref.name, PREFIX_LISTS, cutoff=0.5)
        hint = (did_you_mean(match) if match
                else f"the prefix lists are {_and_list(PREFIX_LISTS)}; or write a CIDR")
    r.diags.append(error("E311", f"unknown prefix list '{ref.name}'", ref.span, hint))


def _check_sg_peer(ref: ast.Ref, vpc: str, r: "_Resolver") -> None:
    # SG references may cross a peering: the filters check validates that (E404/E405).
    if ref.name in PREFIX_LISTS:
        return
    if ref.name in SERVICES:
        _check_prefix_list(ref, r, "a security group rule's peer is a CIDR, `any`, a security "
                                   "group or a prefix list")
        return
    r.ref(ref, Position(
        ("sg",), "a security group rule's peer is a CIDR, `any`, a security group or a prefix list",
        noun="security group"), suggest_vpc=vpc)


def _check_gateway_service(ep: ast.GatewayEndpoint, r: "_Resolver") -> None:
    name = ep.service.name
    if name in PREFIX_LISTS:
        return
    if name in SERVICES:
        hint = (f"gateway endpoints exist only for {_and_list(PREFIX_LISTS)}; for '{name}' write "
                f"`endpoint {ep.name} interface {name} in SUBNET, ...`")
    else:
        match = close_matches(name, PREFIX_LISTS, cutoff=0.5)
        hint = (did_you_mean(match) + " " if match else "") + \
            f"gateway endpoints exist only for {_and_list(PREFIX_LISTS)}"
    r.diags.append(error("E204", f"gateway endpoint '{ep.name}' is for '{name}', which has no "
                                 f"gateway endpoint", ep.service.span, hint))


def _check_lb(lb: ast.LoadBalancer, vpc: str, r: "_Resolver", sgs_of: Position) -> None:
    r.refs(lb.subnets, Position(("subnet",), f"load balancer '{lb.name}' is placed in subnets", vpc))
    r.refs(lb.sgs, sgs_of)
    # An instance target (by ID) must be in the target group's VPC; an IP target may be in a
    # peered VPC (ELB guide, target-group-register-targets).
    target = Position(
        ("instance", "nat-instance"), f"load balancer '{lb.name}' forwards to instances or addresses",
        vpc, noun="target instance",
        same_vpc_hint=f"a load balancer targets instances of its own VPC ('{vpc}') by name; "
                      f"for an instance in a peered VPC write its IP address")
    for item in lb.listeners + lb.rules:
        for t in item.targets:
            if isinstance(t.ref, ast.Ref):
                r.ref(t.ref, target)


def _check_top_level(model: Model, r: "_Resolver") -> None:
    vpc_kind = ("vpc",)
    for p in model.peerings.values():
        need = f"peering connection '{p.name}' connects two VPCs"
        r.ref(p.requester, Position(vpc_kind, need))
        r.ref(p.accepter, Position(vpc_kind, need))
    for tgw in model.tgws.values():
        for att in tgw.attachments:
            attached = r.ref(att.vpc, Position(vpc_kind, f"transit gateway '{tgw.name}' attaches VPCs"))
            r.refs(att.subnets, Position(
                ("subnet",), "a transit gateway attachment uses subnets",
                attached.name if attached is not None else None))
        for route in (*tgw.routes, *(r for t in tgw.route_tables for r in t.routes)):
            if isinstance(route.target, ast.Ref):
                r.ref(route.target, Position(
                    ("vpc", "vpn", "dx", "dxgw", "tgw-peering"),
                    f"a route of transit gateway '{tgw.name}' points to an attached VPC, VPN, "
                    f"Direct Connect or Direct Connect gateway, a peering attachment, or `blackhole`",
                    noun="transit gateway route target"))
        for p in tgw.peerings:
            r.ref(p.peer, Position(("tgw",), f"peering attachment '{p.name}' connects transit gateway "
                                   f"'{tgw.name}' to another transit gateway"))
    site = ("site",)
    for vpn in model.vpns.values():
        r.ref(vpn.site, Position(site, f"VPN '{vpn.name}' connects a site"))
        r.ref(vpn.target, Position(("vgw", "tgw", "instance"),
                                   f"VPN '{vpn.name}' ends on a virtual private gateway, a transit "
                                   f"gateway or an instance (software VPN)", noun="VPN target",
                                   kind_checked_by="E502"))
        if vpn.over is not None:
            r.ref(vpn.over, Position(("dx",), f"VPN '{vpn.name}' runs over a Direct Connect connection"))
    for dxgw in model.dxgws.values():
        r.refs(dxgw.attachments, Position(
            ("vgw", "tgw"), f"Direct Connect gateway '{dxgw.name}' attaches virtual private gateways "
                            f"and transit gateways", noun="gateway", kind_checked_by="E505"))
    for dx in model.dxs.values():
        r.ref(dx.site, Position(site, f"Direct Connect '{dx.name}' connects a site"))
        if dx.target is not None:
            r.ref(dx.target, Position(("vgw", "dxgw"),
                                      f"Direct Connect '{dx.name}' ends on a virtual private gateway, a "
                                      f"Direct Connect gateway or `aws`",
                                      noun="Direct Connect target"))
    for adv in model.advertisements:
        r.ref(adv.site, Position(site, "`advertise` names the site that announces the CIDR"))
        if adv.via is not None:
            r.ref(adv.via, Position(("vpn", "dx"), "`via` names a VPN or Direct Connect link",
                                        noun="link"))
    for pg in model.placements.values():
        r.refs((m.instance for m in pg.members),
               Position(("instance",), f"placement group '{pg.name}' holds instances",
                        kind_checked_by="E608"))
    for cdn in model.cdns.values():
        if not cdn.origin_is_domain:
            r.ref(cdn.origin, Position(("lb", "instance"),
                                       f"CloudFront distribution '{cdn.name}' has a load balancer, an "
                                       f"instance or a domain name as its origin", noun="origin"))


_ALIAS = Position(("lb", "instance", "cdn"),
                  "an alias points to a load balancer, an instance or a CloudFront distribution",
                  noun="alias target")


def _check_dns(model: Model, r: "_Resolver") -> None:
    for zone in model.dns_zones:
        r.refs(zone.private_vpcs, Position(("vpc",), f"private zone '{zone.name}' is for VPCs"))
        checks = sorted({hc.name for hc in zone.health_checks})
        known = frozenset(checks)
        for record in zone.records:
            for entry in record.entries:
                if entry.value.kind == "name":
                    r.ref(ast.Ref(entry.value.text, entry.value.span), _ALIAS)
                if entry.health is not None and entry.health.name not in known:
                    match = close_matches(entry.health.name, checks)
                    hint = (did_you_mean(match) if match else
                            f"declare it in the zone: `health {entry.health.name} http ADDR:PORT [PATH]`")
                    r.diags.append(error(
                        "E201", f"unknown health check '{entry.health.name}' in zone '{zone.name}'",
                        entry.health.span, hint))


def _check_expectations(model: Model, r: "_Resolver") -> None:
    flow_end = Position(
        FLOW_END_KINDS,
        "a flow starts or ends at `internet`, a service, an address, or a VPC, subnet, instance, "
        "load balancer, NAT, interface endpoint or site",
        extra=frozenset(SERVICES) | {"internet"})
    for exp in model.expectations:
        if isinstance(exp, ast.ExpectFlow):
            ends = (exp.src, exp.dst)
        elif isinstance(exp, ast.ExpectIsolated):
            ends = exp.ends
        elif isinstance(exp, ast.ExpectDns):
            for value in exp.answers:
                if value.kind == "name":
                    r.ref(ast.Ref(value.text, value.span), _ALIAS)
            continue
        else:
            continue
        for i, end in enumerate(ends):
            if end.kind == "name":
                r.ref(ast.Ref(end.text, end.span), flow_end)
            elif end.kind == "public-ip":
                _check_public_ip_end(model, r, end, exp, starts=i == 0 or isinstance(exp, ast.ExpectIsolated))
        if isinstance(exp, ast.ExpectFlow):
            r.refs(exp.via, _VIA)
        if isinstance(exp, ast.ExpectFlow) and exp.by is not None and exp.by.name not in BY_KINDS:
            alias = _BY_ALIASES.get(exp.by.name.lower())
            match = [alias] if alias else close_matches(exp.by.name, BY_KINDS, cutoff=0.5)
            hint = (did_you_mean(match) + " " if match else "") + \
                f"`by` takes one of: {', '.join(BY_KINDS)}"
            r.diags.append(error("E902", f"'{exp.by.name}' is not a kind of network component",
                                 exp.by.span, hint))


# What `via` may name: what a request passes on its way (a hop's component).
VIA_KINDS = ("igw", "eigw", "nat", "nat-instance", "vgw", "route-table", "nacl", "sg", "instance",
             "gateway-endpoint", "interface-endpoint", "lb", "peering", "tgw", "tgw-peering",
             "site", "vpn", "dxgw", "dx", "cdn")
_VIA = Position(VIA_KINDS, "`via` names what the request passes: a gateway, link, peering, "
                "transit gateway, appliance, load balancer, route table or filter")


# What `public-ip(NAME)` may name (as `vpcdsl.flows.ends.PUBLIC_IP_KINDS`): what AWS maps a
# public IPv4 address of its own to.
PUBLIC_IP_END_KINDS = ("instance", "nat-instance", "nat", "lb")
_PUBLIC_IP_END = Position(
    PUBLIC_IP_END_KINDS,
    "`public-ip(NAME)` is the public IPv4 address of an instance, NAT instance, public NAT "
    "gateway or internet-facing load balancer NAME")


def _check_public_ip_end(model: Model, r: "_Resolver", end: ast.FlowEnd, exp, starts: bool) -> None:
    """`public-ip(NAME)` in an expectation: NAME names a kind with a public IPv4 address of its
    own and has one; and the end is a destination only (LANGUAGE.md §8, flow ends)."""
    obj = r.ref(end.ref, _PUBLIC_IP_END)
    name = end.ref.name
    if obj is None:
        return
    if starts:
        if isinstance(exp, ast.ExpectIsolated):
            hint = (f"isolation runs both ways and nothing starts at a public address: write "
                    f"`expect {name} -> X blocked` and `expect X -> {end.text} blocked` for each X, "
                    f"or list {name} itself")
        else:
            hint = (f"write `expect {name} -> ...`: {name}'s traffic to the internet leaves "
                    f"from {end.text} already (its internet gateway translates the source)")
        r.diags.append(error("E903", f"'{end.text}' cannot start a flow: it is where the "
                             f"internet reaches {name}", end.span, hint))
        return
    why = _no_public_ipv4(model, obj)
    if why is not None:
        r.diags.append(error("E903", f"'{end.text}' names no address: {why}", end.ref.span,
                             _no_public_ipv4_hint(obj)))


def _no_public_ipv4(model: Model, obj) -> str | None:
    """Why ``obj`` (of `PUBLIC_IP_END_KINDS`) has no public IPv4 address, or None if it has one."""
    word = f"{KIND_WORDS[KIND_OF[type(obj)]]} '{obj.name}'"
    if isinstance(obj, ast.Instance):
        subnet = model.get(obj.subnet.name, "subnet")
        if obj.public_ip == "none" and not (subnet is not None and subnet.public_ip):
            return f"{word} has no public IPv4 address"
    elif isinstance(obj, ast.NatGateway) and obj.private:
        return f"{word} is private: it has no Elastic IP"
    elif isinstance(obj, ast.LoadBalancer) and obj.scheme == "internal":
        return f"{word} is internal: its nodes have private addresses only"
    return None


def _no_public_ipv4_hint(obj) -> str:
    if isinstance(obj, ast.Instance):
        return (f"give '{obj.name}' `public-ip` or `eip` (or its subnet `public-ip`), or write "
                f"its name to reach its private address over a peering, TGW or VPN")
    if isinstance(obj, ast.LoadBalancer):
        return (f"make '{obj.name}' `internet-facing`, or write its name to reach it over a "
                f"peering, TGW or VPN")
    return f"a public NAT gateway (`nat {obj.name} in SUBNET`, without `private`) has an Elastic IP"


# ---------------------------------------------------------------------------- resolution

_RESERVED_HINTS = {
    "internet": "for every public address write 0.0.0.0/0 (and ::/0); to reach the internet, "
                "route to an internet gateway",
    "local": "every route table has its local routes already",
    "any": "`any` is not an object name here",
}


class _Resolver:
    """Looks names up, reports what does not fit, and computes "did you mean"."""

    def __init__(self, model: Model):
        self.model = model
        self.diags: list[Diagnostic] = []
        self._pools: dict[tuple, list[str]] = {}
        self._by_vpc: dict[tuple[str, str], list[str]] | None = None
        self._all: list[str] | None = None
        self._large_budget = _LARGE_POOL_BUDGET

    # -- lookups

    def lookup_any(self, name: str):
        """The object called ``name`` in any namespace (model first, then SGs, tables, NACLs)."""
        obj = self.model.objects.get(name)
        if obj is None:
            for kind in ("sg", "route-table", "nacl"):
                obj = self.model.scoped[kind].get(name)
                if obj is not None:
                    break
        return obj

    def refs(self, refs, pos: Position, **kw) -> None:
        for ref in refs:
            self.ref(ref, pos, **kw)

    def ref(self, ref: ast.Ref, pos: Position, *, suggest_vpc: str | None = None):
        """The object ``ref`` names if it fits ``pos``, else None (after reporting why)."""
        name = ref.name
        if name in pos.extra:
            return None
        obj = self.model.get(name, *pos.kinds)
        if obj is not None:
            kind = KIND_OF[type(obj)]
            owner = getattr(obj, "vpc", None)
            if (pos.vpc is not None and owner and owner != pos.vpc
                    and (pos.same_vpc_kinds is None or kind in pos.same_vpc_kinds)):
                hint = pos.same_vpc_hint or f"{pos.need} of VPC '{pos.vpc}'"
                self.diags.append(error(
                    "E205", f"{KIND_WORDS[kind]} '{name}' is in VPC '{owner}', not in VPC '{pos.vpc}'",
                    ref.span, hint))
                return None
            return obj
        if name in RESERVED:
            hint = _RESERVED_HINTS.get(name) or f"expected {self._expected(pos)}"
            self.diags.append(error("E204", f"'{name}' is a reserved word; {pos.need}", ref.span, hint))
            return None
        other = self.lookup_any(name)
        if other is not None and pos.kind_checked_by and self.model.objects.get(name) is other:
            return None
        if other is not None:
            # Stricter here: the name exists, so a look-alike is rarely what was meant.
            suggestion = self._suggest(name, pos, suggest_vpc, other_kinds=False, cutoff=0.8)
            hint = (did_you_mean(suggestion[0]) if suggestion
                    else f"expected {self._expected(pos)}")
            self.wrong_kind(ref, other, pos.need, hint)
            return None
        suggestion = self._suggest(name, pos, suggest_vpc, other_kinds=True)
        if suggestion is None:
            hint = f"expected {self._expected(pos)}"
        elif suggestion[1] is None:
            hint = did_you_mean(suggestion[0])
        else:
            hint = f"did you mean '{suggestion[0][0]}' ({_a(suggestion[1])})?"
        self.diags.append(error("E201", f"unknown {pos.noun or _noun(pos.kinds)} '{name}'",
                                ref.span, hint))
        return None

    def wrong_kind(self, ref: ast.Ref, obj, need: str, hint: str) -> None:
        self.diags.append(error("E204", f"'{ref.name}' is {_a(KIND_OF[type(obj)])}; {need}",
                                ref.span, hint))

    @staticmethod
    def _expected(pos: Position) -> str:
        words = [_a(k) for k in pos.kinds] + [f"`{e}`" for e in sorted(pos.extra) if e == "internet"]
        if pos.extra & set(SERVICES):
            words.append("a service (s3, dynamodb, ...)")
        where = ""
        if pos.vpc is not None and (pos.same_vpc_kinds is None or set(pos.kinds) <= pos.same_vpc_kinds):
            where = f" in VPC '{pos.vpc}'"
        return f"the name of {_or_list(words)}{where}"

    # -- "did you mean"

    def _suggest(self, name: str, pos: Position, suggest_vpc: str | None, other_kinds: bool,
                 cutoff: float = 0.6) -> tuple[list[str], str | None] | None:
        """The closest names: of an accepted kind in the same VPC, of an accepted kind, of any kind.

        Returns (names, kind) where kind is None when the names are of an accepted kind
        (else the kind of the first, the one suggested).
        """
        vpc = suggest_vpc or pos.vpc
        pools: list[tuple[list[str], bool]] = []
        if vpc is not None:
            pools.append((self._vpc_pool(vpc, pos.kinds), False))
        pools.append((self._kind_pool(pos.kinds, pos.extra), False))
        if other_kinds:
            pools.append((self._all_pool(), True))
        for pool, other in pools:
            if len(pool) > _LARGE_POOL:
                if self._large_budget <= 0:
                    continue
                self._large_budget -= 1
            # A name of another kind must be a closer look-alike to be worth suggesting.
            match = close_matches(name, pool, max(cutoff, 0.75) if other else cutoff)
            if match:
                if not other:
                    return match, None
                obj = self.lookup_any(match[0])
                return match, KIND_OF[type(obj)] if obj is not None else None
        return None

    def _kind_pool(self, kinds: tuple[str, ...], extra: frozenset[str]) -> list[str]:
        pool = self._pools.get((kinds, extra))
        if pool is None:
            # Implicit objects (`prod.main`, `prod.default-sg`) cannot be written: never suggest them.
            pool = [n for n in self.model.names_of(*kinds) if "." not in n] + sorted(extra)
            self._pools[(kinds, extra)] = pool
        return pool

    def _vpc_pool(self, vpc: str, kinds: tuple[str, ...]) -> list[str]:
        if self._by_vpc is None:
            self._by_vpc = {}
            for v in self.model.vpcs.values():
                for m in v.members:
                    if "." not in m.name:
                        self._by_vpc.setdefault((v.name, KIND_OF[type(m)]), []).append(m.name)
        out: list[str] = []
        for kind in kinds:
            out.extend(self._by_vpc.get((vpc, kind), ()))
        return out

    def _all_pool(self) -> list[str]:
        if self._all is None:
            names = set(self.model.objects)
            for kind in SCOPED_KINDS:
                names.update(self.model.scoped[kind])
            self._all = sorted(n for n in names if "." not in n)
        return self._all


# ---------------------------------------------------------------------------- wording

def close_matches(word: str, pool, cutoff: float = 0.6) -> list[str]:
    """The names of ``pool`` closest to ``word``: every one tied for the best score, at most 3.

    >>> close_matches("us-est-1", ["eu-west-1", "us-east-1", "us-west-1"])
    ['us-east-1', 'us-west-1']
    """
    best = difflib.get_close_matches(word, pool, n=3, cutoff=cutoff)
    if not best:
        return []
    top = difflib.SequenceMatcher(None, word, best[0]).ratio()
    return sorted(m for m in best if difflib.SequenceMatcher(None, word, m).ratio() == top)


def did_you_mean(matches: list[str]) -> str:
    """``did you mean 'a'?`` / ``did you mean 'a' or 'b'?``"""
    quoted = [f"'{m}'" for m in matches]
    return f"did you mean {_or_list(quoted)}?"


def _a(kind: str) -> str:
    """``an internet gateway``, ``a subnet``"""
    word = KIND_WORDS.get(kind, kind)
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def _noun(kinds: tuple[str, ...]) -> str:
    return KIND_WORDS[kinds[0]] if len(kinds) == 1 else "name"


def _or_list(items, conj: str = "or") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def _and_list(items) -> str:
    return _or_list(items, "and")
