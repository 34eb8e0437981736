"""The legs of a walk through a load balancer or a NAT instance's port forward.

`LoadBalancerLegs` is mixed into the walk (`vpcdsl.flows.trace._Walk`): a listener
accepts the flow and the LB becomes the client of a leg to one of its targets;
a NAT instance's `forward` sends an internet flow on to an instance; an
interface endpoint reached by private DNS hands the flow to its service. The
methods use the walk's state and steps (`hop`, `block`, `_sg_check`,
`_route_from`, ...). The semantics are in `vpcdsl.flows.trace`'s docstring.
"""

from __future__ import annotations

from ipaddress import ip_network

from ...aws import EPHEMERAL
from ...syntax import ast
from ..flow import INTERNET_V4, INTERNET_V6, End, FlowError, Packet, Trace

# The transport protocols (IP protocol numbers) a listener accepts.
LISTENER_TRANSPORT = {"http": (6,), "https": (6,), "tcp": (6,), "tls": (6,), "ssl": (6,),
                      "udp": (17,), "tcp_udp": (6, 17)}
_MAX_LB_DEPTH = 2          # a load balancer may target one more load balancer, no deeper


class LoadBalancerLegs:
    """Load balancer, port-forward and endpoint-service legs of `vpcdsl.flows.trace._Walk`."""

    def _service_behind(self, end: End) -> None:
        """An interface endpoint reached through private DNS hands the flow to its service."""
        ep = end.obj
        self.hop(f"service:{ep.service.name}", "service", "deliver",
                 f"interface endpoint '{ep.name}' carries it to {ep.service.name} over PrivateLink",
                 ep.span)

    # ------------------------------------------------------------------ load balancers

    def _load_balancer(self, end: End) -> None:
        """A listener on the port accepts the flow and one target of it is reachable: the LB is
        the client of the target leg (its SGs, its nodes' ephemeral ports 1024-65535)."""
        lb = end.obj
        node = f"lb:{lb.name}"
        listener = self.dp.listeners.get(lb.name, {}).get(self.port_value) \
            if self.port_value is not None else None
        if listener is None:
            ports = ", ".join(f"{x.protocol} {x.port}" for x in lb.listeners) or "no port"
            what = f"port {self.port}" if self.port_value is not None else self.protocol
            self.block(node, "lb", f"load balancer '{lb.name}' has no listener on {what} (it "
                       f"listens on {ports})", lb.span)
        if self.number not in LISTENER_TRANSPORT.get(listener.protocol, ()):
            self.block(node, "lb", f"the {listener.protocol} listener on port {listener.port} of "
                       f"'{lb.name}' does not accept {self.protocol}", listener.span)
        targets, why, rule = self._lb_targets(lb, listener)
        self.hop(node, "lb", "allow", f"listener {listener.protocol} {listener.port} accepts it; "
                 f"{why}", rule.span if rule is not None else listener.span)
        if not targets:
            self.block(node, "lb", f"listener {listener.protocol} {listener.port} of '{lb.name}' "
                       "has no target", listener.span)
        legs = []
        for target in targets:
            leg = self._target_leg(end, listener, target)
            legs.append(leg)
            if leg[1].allowed:
                break
        *failed, last = legs
        for label, t in failed:
            self.hop(node, "lb", "skip", f"target {label} is unreachable: {t.reason}", t.span)
        label, t = last
        self.hops.extend(t.forward)
        self.back.extend(t.back)       # the target's response reaches the LB first
        if not t.allowed:
            self.block(node, "lb", f"no target of load balancer '{lb.name}' (listener "
                       f"{listener.protocol} {listener.port}) is reachable; the last, {label}: "
                       f"{t.reason}", t.span if t.span is not None else listener.span)

    def _lb_targets(self, lb, listener):
        """The targets a concrete flow goes to: those of the first `source-ip` rule holding the
        client's address, else the listener's own. Path, host, header, method and query rules
        are not taken: a concrete flow is a connection, not an HTTP request."""
        rules = self.dp.lb_rules.get((lb.name, listener.port), ())
        client = self.current_src_address()
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

    def _target_leg(self, lb_end: End, listener, target) -> tuple[str, Trace]:
        lb = lb_end.obj
        port = target.port if target.port is not None else listener.port
        name = target.ref.name if isinstance(target.ref, ast.Ref) else target.ref.text
        label = f"{name}:{port}"
        protocol = self.protocol if listener.protocol in ("udp", "tcp_udp") else "tcp"
        flow = f"{lb.name} -> {label} {protocol}"
        fail = None
        t_end = None
        if self.depth >= _MAX_LB_DEPTH:
            fail = "load balancers chained too deep"
        else:
            try:
                if isinstance(target.ref, ast.Ref):
                    t_end = self.tracer.end(target.ref.name, family=self._flow_family())
                elif target.ref.ip is None:
                    fail = f"'{target.ref.text}' is not an address"
                else:
                    t_end = self.tracer._address_end(str(target.ref.ip), target.ref.ip)
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
        preserve = lb.type == "network" and (isinstance(target.ref, ast.Ref) or self.number == 17)
        client = self.current_src_address() or (INTERNET_V4 if self._flow_family() == 4 else INTERNET_V6)
        leg_src = End(lb.name, "lb", client if preserve else lb_end.address, lb, lb_end.host,
                      lb_end.subnet, lb.vpc, lb_end.sgs, False,
                      self.client_ports if preserve else EPHEMERAL["elb"])
        walk = type(self)(self.tracer, leg_src, t_end, protocol, str(port), depth=self.depth + 1)
        return label, walk.run(flow)

    def _flow_family(self) -> int:
        address = self.dst.address if self.dst.address is not None else self.src.address
        return 6 if (address is not None and address.version == 6) or self.number == 58 else 4

    # ------------------------------------------------------------------ NAT instance port forwarding

    def _port_forward(self, box_end: End) -> bool:
        """Internet -> NAT instance EIP:PORT -> INSTANCE:PORT, for a `forward` that matches."""
        box = box_end.obj
        if self.port_value is None:
            return False
        fwd = next((f for f in box.forwards if f.port.low <= self.port_value <= f.port.high), None)
        if fwd is None:
            return False
        node = f"nat-instance:{box.name}"
        if box.source_dest_check:
            self.block(node, "gateway", f"NAT instance '{box.name}' forwards port {self.port} to "
                       f"'{fwd.instance.name}' only with its source/dest check off: it drops "
                       "traffic not addressed to itself", box.span)
        try:
            target = self.tracer.end(fwd.instance.name, family=self._flow_family())
        except FlowError as exc:
            self.block(node, "gateway", f"port forward to '{fwd.instance.name}': {exc}", fwd.span)
        if target.vpc != box.vpc or target.subnet is None:
            self.block(node, "gateway", f"NAT instance '{box.name}' forwards only to hosts of its "
                       f"VPC '{box.vpc}'", fwd.span)
        before = self.packet.dst
        self.port, self.port_value = str(fwd.to_port), fwd.to_port
        self.packet = Packet(self.packet.src, str(target.address), self.protocol, self.port)
        self.hop(node, "gateway", "translate", f"{box.name} forwards {before} port "
                 f"{fwd.port} to {fwd.instance.name}:{fwd.to_port}", fwd.span)
        self.dst = target
        self._sg_check(box_end, "out", peer_address=target.address, peer=target)
        self.return_routes.append((target.subnet, "forward", (box, self.current_src_address())))
        self._route_from(box_end.subnet, box.vpc)
        return True
