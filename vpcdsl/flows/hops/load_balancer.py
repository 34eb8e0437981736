"""Through a load balancer: a listener accepts the flow and the LB is the client of a leg
to one of its targets, tried in order until one is reachable (semantics in
`vpcdsl.flows.trace`'s docstring)."""

from __future__ import annotations

from ipaddress import ip_network

from ...aws import EPHEMERAL
from ...syntax import ast
from ..flow import INTERNET_V4, INTERNET_V6, End, FlowError, Trace
from .base import HopHandler, Walk

# The transport protocols (IP protocol numbers) a listener accepts.
LISTENER_TRANSPORT = {"http": (6,), "https": (6,), "tcp": (6,), "tls": (6,), "ssl": (6,),
                      "udp": (17,), "tcp_udp": (6, 17)}
_MAX_LB_DEPTH = 2          # a load balancer may target one more load balancer, no deeper


class LoadBalancerHop(HopHandler):
    # Not a route target; the target leg's response is that leg's own walk.
    components = (ast.LoadBalancer,)

    def receive(self, walk: Walk, end: End) -> bool:
        _load_balancer(walk, end)
        return True


def _load_balancer(walk: Walk, end: End) -> None:
    """A listener on the port accepts the flow and one target of it is reachable: the LB is
    the client of the target leg (its SGs, its nodes' ephemeral ports 1024-65535)."""
    lb = end.obj
    node = f"lb:{lb.name}"
    listener = walk.dp.listeners.get(lb.name, {}).get(walk.port_value) \
        if walk.port_value is not None else None
    if listener is None:
        ports = ", ".join(f"{x.protocol} {x.port}" for x in lb.listeners) or "no port"
        what = f"port {walk.port}" if walk.port_value is not None else walk.protocol
        walk.block(node, "lb", f"load balancer '{lb.name}' has no listener on {what} (it "
                   f"listens on {ports})", lb.span)
    if walk.number not in LISTENER_TRANSPORT.get(listener.protocol, ()):
        walk.block(node, "lb", f"the {listener.protocol} listener on port {listener.port} of "
                   f"'{lb.name}' does not accept {walk.protocol}", listener.span)
    targets, why, rule = _lb_targets(walk, lb, listener)
    walk.hop(node, "lb", "allow", f"listener {listener.protocol} {listener.port} accepts it; "
             f"{why}", rule.span if rule is not None else listener.span)
    if not targets:
        walk.block(node, "lb", f"listener {listener.protocol} {listener.port} of '{lb.name}' "
                   "has no target", listener.span)
    targets = _healthy_targets(walk, lb, node, targets)
    _hairpin(walk, lb, node, targets)
    legs = []
    for target in targets:
        leg = _target_leg(walk, end, listener, target)
        legs.append(leg)
        if leg[1].allowed:
            break
    *failed, last = legs
    for label, t in failed:
        walk.hop(node, "lb", "skip", f"target {label} is unreachable: {t.reason}", t.span)
    label, t = last
    walk.hops.extend(t.forward)
    walk.back.extend(t.back)       # the target's response reaches the LB first
    if not t.allowed:
        walk.block(node, "lb", f"no target of load balancer '{lb.name}' (listener "
                   f"{listener.protocol} {listener.port}) is reachable; the last, {label}: "
                   f"{t.reason}", t.span if t.span is not None else listener.span)


def _target_label(target) -> str:
    name = target.ref.name if isinstance(target.ref, ast.Ref) else target.ref.text
    return f"{name}:{target.port}" if target.port is not None else name


def _healthy_targets(walk: Walk, lb, node: str, targets):
    """The targets a load balancer sends to: those not `down` (failing its health check);
    when every target of the group is down, all of them, as ELB fails open (ALB guide,
    https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html;
    NLB guide, target-group-health-checks.html: the same fail-open)."""
    down = [t for t in targets if t.down]
    if not down:
        return targets
    if len(down) == len(targets):
        walk.hop(node, "lb", "allow", f"every target of load balancer '{lb.name}' is down (fails its "
                 "health check), so the load balancer fails open and sends to all of them", down[0].span)
        return targets
    for t in down:
        walk.hop(node, "lb", "skip", f"target {_target_label(t)} is down (fails the health check of "
                 f"load balancer '{lb.name}'): it is sent nothing", t.span)
    return tuple(t for t in targets if not t.down)


def _preserves_client_ip(walk: Walk, lb, target) -> bool:
    """An NLB keeps the client's address for instance targets, and for UDP to any target."""
    return lb.type == "network" and (isinstance(target.ref, ast.Ref) or walk.number == 17)


def _hairpin(walk: Walk, lb, node: str, targets) -> None:
    """A target that connects through its own NLB with the client's address kept, and is
    picked for that connection, times out: it sees its own address as the source and
    answers itself directly (NLB guide, client IP preservation: hairpinning is not
    supported). With several targets the flow is intermittent, so blocked."""
    client = walk.current_src_address()
    if walk.translated or client is None or walk.src.host is None:
        return
    own = [t for t in targets if _preserves_client_ip(walk, lb, t)
           and isinstance(t.ref, ast.Ref) and t.ref.name == walk.src.host.obj.name]
    if not own:
        return
    target = own[0]
    why = (f"{walk.src.text} is a target of network load balancer '{lb.name}', which keeps "
           f"the client's address ({client}): when the NLB picks {walk.src.text} for this "
           "connection, the target sees its own address as the source and answers itself "
           "directly, so the connection times out (hairpinning is not supported with client "
           "IP preservation)")
    if len(targets) > 1:
        others = ", ".join(t.ref.name if isinstance(t.ref, ast.Ref) else t.ref.text
                           for t in targets if t is not target)
        why += (f"; with {others} also targets, the flow is intermittent: it fails whenever "
                f"the NLB picks {walk.src.text}")
    walk.block(node, "lb", why + "; register the targets by IP address (then a TCP target "
               "sees the NLB's address) or connect to the other targets directly", target.span,
               partial=len(targets) > 1)


def _lb_targets(walk: Walk, lb, listener):
    """The targets a concrete flow goes to: those of the first `source-ip` rule holding the
    client's address, else the listener's own. Path, host, header, method and query rules
    are not taken: a concrete flow is a connection, not an HTTP request."""
    rules = walk.dp.lb_rules.get((lb.name, listener.port), ())
    client = walk.current_src_address()
    for rule in rules:
        if rule.condition != "source-ip" or client is None:
            continue
        try:
            net = ip_network(rule.value, strict=False)
        except ValueError:
            continue
        if net.version == client.version and client in net:
            return rule.targets, f"rule source-ip {rule.value} picks its targets", rule
    if rules:
        return listener.targets, ("the listener's default targets apply (rules on path, "
                                  "host, header, method or query need an HTTP request, "
                                  "which a concrete flow does not carry)"), None
    return listener.targets, "it goes to the listener's targets", None

def _target_leg(walk: Walk, lb_end: End, listener, target) -> tuple[str, Trace]:
    lb = lb_end.obj
    port = target.port if target.port is not None else listener.port
    name = target.ref.name if isinstance(target.ref, ast.Ref) else target.ref.text
    label = f"{name}:{port}"
    protocol = walk.protocol if listener.protocol in ("udp", "tcp_udp") else "tcp"
    flow = f"{lb.name} -> {label} {protocol}"
    fail = None
    t_end = None
    if walk.depth >= _MAX_LB_DEPTH:
        fail = "load balancers chained too deep"
    else:
        try:
            if isinstance(target.ref, ast.Ref):
                t_end = walk.tracer.end(target.ref.name, family=walk.flow_family())
            elif target.ref.ip is None:
                fail = f"'{target.ref.text}' is not an address"
            else:
                t_end = walk.tracer.address_end(str(target.ref.ip), target.ref.ip)
        except FlowError as exc:
            fail = str(exc)
        if t_end is not None and t_end.kind in ("internet", "service", "site", "multicast",
                                                "broadcast", "aws-local"):
            fail = f"{label} is not a private address of an AWS network: load balancer " \
                   "targets are instances or private addresses"
    if fail is not None:
        return label, Trace(flow, "blocked", "lb", f"lb:{lb.name}", fail, (), (), target.span)
    # An NLB keeps the client's address for instance targets (and for UDP): the target's SG
    # and NACLs see the client, and its response goes to the client's ports.
    preserve = _preserves_client_ip(walk, lb, target)
    client = walk.current_src_address() or (INTERNET_V4 if walk.flow_family() == 4 else INTERNET_V6)
    leg_src = End(lb.name, "lb", client if preserve else lb_end.address, lb, lb_end.host,
                  lb_end.subnet, lb.vpc, lb_end.sgs, False,
                  walk.client_ports if preserve else EPHEMERAL["elb"])
    return label, walk.leg(leg_src, t_end, protocol, str(port)).run(flow)
