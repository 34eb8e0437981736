"""Load balancer and CloudFront checks: subnets and AZs, listeners, rules, origins, policies.

Load balancers (E707-E710, E713, E714, W703) and the edge in front of them
(E715, E718); and targets whose security groups shut the load balancer out
(W407: a filter's finding, so in the filters' group, but it needs the
listeners). Names that do not resolve, or resolve to an object of another
VPC, are the names check's (E201/E204/E205); they are skipped here. A target
written without a port receives traffic on its listener's port.
"""

from __future__ import annotations

from typing import Iterator

from ..aws import CLOUDFRONT_SECURITY_POLICIES, LB_LISTENER_PROTOCOLS
from ..diagnostics import Diagnostic, Note, error, warning
from ..model.network import Model, describe
from ..span import Span
from ..syntax import ast
from . import locate
from .dns import has_public_ip, where
from .names import close_matches, did_you_mean
from .rule_keys import protocol_covers, protocol_key
from .sg_checks import peer_covers, peer_key

_TYPE_WORDS = {"application": "application load balancer", "network": "network load balancer",
               "classic": "classic load balancer"}
# What to use instead when a listener's protocol does not fit the load balancer type.
_PROTOCOL_ADVICE = {
    "application": "an application load balancer listens on http or https; for tcp, udp or tls "
                   "use a network load balancer",
    "network": "a network load balancer listens on tcp, udp, tls or tcp_udp; to route http or "
               "https requests use an application load balancer, or pass them through with `tcp` "
               "(`tls` to terminate TLS)",
    "classic": "a classic load balancer listens on http, https, tcp or ssl (its name for tls); for "
               "udp use a network load balancer",
}


def check(model: Model) -> Iterator[Diagnostic]:
    diags: list[Diagnostic] = []
    for lb in model.members(ast.LoadBalancer):
        _subnets(model, lb, diags)
        _listeners(model, lb, diags)
        _rules(model, lb, diags)
        _targets_admit(model, lb, diags)
    for cdn in model.cdns.values():
        _origin(model, cdn, diags)
        _security_policy(model, cdn, diags)
    return iter(diags)


def _name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


# ---------------------------------------------------------------------------- subnets and AZs

def _subnets(model: Model, lb: ast.LoadBalancer, diags: list[Diagnostic]) -> None:
    kind = _TYPE_WORDS[lb.type]
    if not lb.subnets:
        diags.append(error(
            "E710", f"{kind} '{lb.name}' has no subnets", _name_span(lb),
            "place it with `in SUBNET, ...`, one subnet per AZ"
            + (" in at least two AZs" if lb.type == "application" else "")))
        return
    complete = True          # every subnet resolved, in the LB's VPC, with an AZ
    by_name: dict[str, ast.Ref] = {}
    by_zone: dict[str, tuple[ast.Ref, ast.Subnet]] = {}
    for ref in lb.subnets:
        subnet = model.get(ref.name, "subnet")
        if subnet is None or subnet.vpc != lb.vpc:
            complete = False  # unknown or of another VPC: names reports E201/E204/E205
            continue
        first = by_name.setdefault(ref.name, ref)
        if first is not ref:
            diags.append(error(
                "E710", f"subnet '{ref.name}' is listed twice for {kind} '{lb.name}'", ref.span,
                "list each subnet once"))
            continue
        if not subnet.zone:
            complete = False  # E211 (no AZ) is reported by the structure checks
            continue
        seen = by_zone.setdefault(subnet.zone, (ref, subnet))
        if seen[0] is not ref:
            diags.append(error(
                "E710", f"subnets '{seen[0].name}' and '{ref.name}' of {kind} '{lb.name}' are both "
                        f"in {subnet.zone}", ref.span,
                "a load balancer takes one subnet per AZ; keep one of them, or move this one to "
                "another AZ"))
        _public_subnet(model, lb, ref, subnet, diags)
    if lb.type == "application" and complete and len(by_zone) == 1:
        (zone, (_ref, subnet)), = by_zone.items()
        diags.append(error(
            "E707", f"application load balancer '{lb.name}' has subnets in one AZ only ({zone})",
            _name_span(lb), _second_az_hint(model, lb, zone)))


def _second_az_hint(model: Model, lb: ast.LoadBalancer, zone: str) -> str:
    vpc = model.vpcs.get(lb.vpc)
    other = None
    if vpc is not None:
        other = next((s for s in vpc.of_type(ast.Subnet) if s.zone and s.zone != zone), None)
    advice = "an application load balancer needs subnets in at least two AZs; add a subnet of another AZ"
    if other is not None:
        advice += f", e.g. '{other.name}' ({other.zone})"
    return advice


def _public_subnet(model: Model, lb: ast.LoadBalancer, ref: ast.Ref, subnet: ast.Subnet,
                   diags: list[Diagnostic]) -> None:
    """W703: an internet-facing load balancer's nodes answer from the internet through an IGW."""
    if lb.scheme != "internet-facing":
        return
    table = model.route_table_of.get(subnet.name)
    if table is None:
        return
    for route in table.routes:
        if isinstance(route.target, ast.Ref) and model.get(route.target.name, "igw") is not None:
            return
    diags.append(warning(
        "W703", f"internet-facing {_TYPE_WORDS[lb.type]} '{lb.name}' is in subnet '{subnet.name}', "
                f"whose route table '{table.name}' has no route to an internet gateway",
        ref.span, "place internet-facing load balancers in public subnets (a route to the internet "
                  "gateway), or make it `internal`"))


# ---------------------------------------------------------------------------- listeners and rules

def _listeners(model: Model, lb: ast.LoadBalancer, diags: list[Diagnostic]) -> None:
    allowed = LB_LISTENER_PROTOCOLS.get(lb.type, ())
    kind = _TYPE_WORDS[lb.type]
    by_port: dict[int, ast.Listener] = {}
    for listener in lb.listeners:
        proto_span = Span(listener.span.file, listener.span.line, listener.span.col,
                          listener.span.line, listener.span.col + len(listener.protocol))
        if listener.protocol not in allowed:
            diags.append(error(
                "E708", f"{kind} '{lb.name}' cannot listen on {listener.protocol}", proto_span,
                _PROTOCOL_ADVICE[lb.type]))
        first = by_port.setdefault(listener.port, listener)
        if first is listener:
            continue
        port_span = locate(model, listener.span, r"\w+\s+(\d+)")
        pair = {first.protocol, listener.protocol}
        if lb.type == "network" and pair == {"tcp", "udp"}:
            hint = (f"for TCP and UDP on one port write a single listener: "
                    f"`listen tcp_udp {listener.port} -> ...`")
        else:
            hint = "a port takes one listener; merge their targets, or listen on another port"
        diags.append(error(
            "E713", f"{kind} '{lb.name}' already listens on port {listener.port} "
                    f"({first.protocol} at {where(first.span, port_span)})", port_span, hint))


def _rules(model: Model, lb: ast.LoadBalancer, diags: list[Diagnostic]) -> None:
    if not lb.rules:
        return
    ports = sorted({listener.port for listener in lb.listeners})
    for rule in lb.rules:
        if lb.type != "application":
            condition = locate(model, rule.span, r"\d+\s+([a-z-]+)")
            diags.append(error(
                "E709", f"{_TYPE_WORDS[lb.type]} '{lb.name}' cannot route on {rule.condition}: "
                        f"only application load balancers have rules", condition,
                "use an application load balancer for path, host, header, method, query or "
                "source-ip rules, or drop the rule and let the listener forward everything"))
        elif rule.port not in ports:
            listening = ", ".join(str(p) for p in ports)
            diags.append(error(
                "E714", f"rule for port {rule.port}, where application load balancer '{lb.name}' has "
                        f"no listener", locate(model, rule.span, r"\d+"),
                f"add `listen https {rule.port} -> ...`"
                + (f", or attach the rule to a listener's port ({listening})" if ports else "")))


# ---------------------------------------------------------------------------- targets' security groups

# The protocol from a load balancer to its targets, by listener protocol (TLS and HTTPS
# are TCP underneath; a TCP_UDP listener sends both).
_TARGET_PROTOCOLS = {"http": ("tcp",), "https": ("tcp",), "tcp": ("tcp",), "tls": ("tcp",),
                     "ssl": ("tcp",), "udp": ("udp",), "tcp_udp": ("tcp", "udp")}
_PROTOCOL_NUMBERS = {"tcp": 6, "udp": 17}


def _security_groups(model: Model, obj) -> list[ast.SecurityGroup]:
    """The groups on an instance or load balancer: written, else the VPC's default
    (none for a network load balancer), as the trace has them."""
    groups = [sg for ref in obj.sgs if (sg := model.get(ref.name, "sg")) is not None]
    if not obj.sgs and not (isinstance(obj, ast.LoadBalancer) and obj.type == "network"):
        default = model.default_sg.get(obj.vpc)
        groups = [default] if default is not None else []
    return groups


def _targets_admit(model: Model, lb: ast.LoadBalancer, diags: list[Diagnostic]) -> None:
    """W407: a target whose security groups admit its port neither from the load balancer's
    groups nor from all of its subnets (where its nodes, and their health checks, come from).

    Targets by name only (an address may be anything); each target and port once.
    """
    lb_groups = {sg.name for sg in _security_groups(model, lb)}
    subnets = [s for ref in lb.subnets if (s := model.get(ref.name, "subnet")) is not None
               and s.vpc == lb.vpc and s.cidr is not None and s.cidr.net is not None]
    if not subnets and not lb_groups:
        return
    # A listener this type cannot have (E708) takes no traffic to its targets.
    listeners = [x for x in lb.listeners if x.protocol in LB_LISTENER_PROTOCOLS.get(lb.type, ())]
    by_port = {listener.port: listener for listener in listeners}
    legs = [(listener, t) for listener in listeners for t in listener.targets]
    legs += [(by_port[rule.port], t) for rule in lb.rules if rule.port in by_port for t in rule.targets]
    seen: set[tuple] = set()
    for listener, target in legs:
        if not isinstance(target.ref, ast.Ref):
            continue
        instance = model.get(target.ref.name, "instance", "nat-instance")
        if instance is None or instance.vpc != lb.vpc:
            continue
        port = target.port if target.port is not None else listener.port
        for protocol in _TARGET_PROTOCOLS.get(listener.protocol, ()):
            if (instance.name, port, protocol) in seen:
                continue
            seen.add((instance.name, port, protocol))
            groups = _security_groups(model, instance)
            wanted = (_PROTOCOL_NUMBERS[protocol], (port, port), None)
            missing = _unadmitted(model, groups, wanted, lb_groups, subnets)
            if missing is None:
                continue
            diags.append(_not_admitted(lb, target, instance, groups, protocol, port, lb_groups,
                                       subnets, missing))


def _unadmitted(model: Model, groups: list, wanted, lb_groups: set[str], subnets: list):
    """None when the groups admit ``wanted`` from the LB's groups or from every one of its
    subnets; else the subnets they do not admit it from."""
    peers = []
    for sg in groups:
        if sg.default:
            peers.append(("sg", sg.name))      # the default group admits its own members
        for rule in sg.ingress:
            proto = protocol_key(rule.protocol)
            if proto is None or not protocol_covers(proto, wanted):
                continue
            peers += [k for p in rule.peers if (k := peer_key(model, p)) is not None]
    if any(("sg", name) in peers for name in lb_groups) or ("any",) in peers:
        return None
    missing = [s for s in subnets if not any(peer_covers(k, peer_key(model, s.cidr)) for k in peers)]
    return missing or None


def _not_admitted(lb: ast.LoadBalancer, target: ast.Target, instance, groups: list, protocol: str,
                  port: int, lb_groups: set[str], subnets: list, missing: list) -> Diagnostic:
    names = ", ".join(f"'{sg.name}'" for sg in groups) or "none"
    cidrs = ", ".join(s.cidr.text for s in missing)
    places = ", ".join(f"'{s.name}' ({s.cidr.text})" for s in missing)
    places = f"subnet{'s' if len(missing) > 1 else ''} {places}"
    if lb_groups:
        groups_text = ", ".join(f"'{n}'" for n in sorted(lb_groups))
        source = f"security group {groups_text}, nor from its {places}"
        fix = f"in {protocol} {port} from {sorted(lb_groups)[0]}"
    else:
        source = places
        fix = f"in {protocol} {port} from {cidrs}"
    written = [sg for sg in groups if not sg.default]
    where = f"security group '{written[0].name}'" if written else f"a security group on '{instance.name}'"
    hint = f"add `{fix}` to {where}"
    if not lb_groups:
        hint += ("; health checks come from the load balancer's own addresses even when it keeps "
                 "the client's")
    notes = [Note(f"security group '{sg.name}' of {describe(instance)}", _name_span(sg)) for sg in written]
    if not notes:
        notes = [Note(f"{describe(instance)} has {names}", _name_span(instance))]
    return warning(
        "W407", f"target '{instance.name}' of {_TYPE_WORDS[lb.type]} '{lb.name}' is not admitted on "
                f"{protocol} {port}: no inbound rule of its security groups ({names}) allows it from "
                f"the load balancer's {source}", target.span, hint, notes)


# ---------------------------------------------------------------------------- CloudFront

def _origin(model: Model, cdn: ast.Cdn, diags: list[Diagnostic]) -> None:
    if cdn.origin_is_domain:
        return
    origin = model.get(cdn.origin.name, "lb", "instance")
    if origin is None:
        return  # unknown, or not an lb or instance: the names check reports it
    if isinstance(origin, ast.LoadBalancer) and origin.scheme == "internal":
        reason, fix = "is internal", f"make '{origin.name}' internet-facing"
    elif isinstance(origin, ast.Instance) and not has_public_ip(model, origin):
        reason, fix = ("has no public IP",
                       f"give '{origin.name}' `public-ip` or `eip`, or put it behind an "
                       f"internet-facing load balancer")
    else:
        return
    diags.append(error(
        "E715", f"CloudFront distribution '{cdn.name}' cannot reach its origin: {describe(origin)} "
                f"{reason}", cdn.origin.span,
        f"CloudFront fetches from origins over the internet; {fix} (CloudFront VPC origins can "
        f"reach private ALBs, NLBs and instances, but vpcdsl does not model them)"))


def _security_policy(model: Model, cdn: ast.Cdn, diags: list[Diagnostic]) -> None:
    policy = cdn.policy
    if policy is None:
        return
    after_origin = Span(cdn.span.file, cdn.origin.span.end_line, cdn.origin.span.end_col,
                        cdn.span.end_line, cdn.span.end_col)
    span = locate(model, after_origin, r"\bpolicy\s+(\S+)")
    if policy not in CLOUDFRONT_SECURITY_POLICIES:
        exact = {p.lower(): p for p in CLOUDFRONT_SECURITY_POLICIES}.get(policy.lower())
        if exact is not None:
            hint = f"security policy names are case-sensitive: {exact}"
        else:
            matches = close_matches(policy, CLOUDFRONT_SECURITY_POLICIES, cutoff=0.5)
            hint = (did_you_mean(matches) if matches else
                    "CloudFront security policies: " + ", ".join(CLOUDFRONT_SECURITY_POLICIES)
                    + " (AWS recommends TLSv1.2_2021)")
        diags.append(error("E718", f"unknown CloudFront security policy '{policy}'", span, hint))
    elif policy == "SSLv3" and cdn.ssl == "sni":
        diags.append(error(
            "E718", f"CloudFront distribution '{cdn.name}' serves SNI clients, which never speak "
                    f"SSLv3", span,
            "SSLv3 needs `ssl dedicated-ip`; better, use TLSv1.2_2021 (SSLv3 is broken: POODLE)"))
