"""Property: the walk and the pure filter functions agree with a slow reference evaluation.

Random models (two subnets with a custom NACL each, an instance with its own
security group in each) and random flows between the two instances. The
reference below is written apart from `vpcdsl.flows.filters`: rules as plain
tuples, NACLs by sorting and scanning, the response's port range decided at
every boundary port. Derandomized, a few seconds.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import vpcdsl
from vpcdsl.flows.filters import Header, nacl_verdict, sg_verdict

X, Y = ip_address("10.0.1.4"), ip_address("10.0.2.4")       # first usable host of each subnet
CLIENT_PORTS = (32768, 60999)                                 # a Linux client (the default)
CIDRS = ["10.0.1.0/24", "10.0.2.0/24", "10.0.0.0/16", "0.0.0.0/0", "192.168.0.0/16"]
PORTS = [(22, 22), (80, 80), (443, 443), (0, 1023), (1024, 65535), (32768, 40000),
         (50000, 65535)]

proto = st.one_of(st.tuples(st.sampled_from(["tcp", "udp"]), st.sampled_from(PORTS)),
                  st.tuples(st.sampled_from(["icmp", "any"]), st.none()))


@st.composite
def nacl_rules(draw):
    """[(direction, number, action, proto, ports, cidr)]"""
    rules = []
    for direction in ("in", "out"):
        numbers = draw(st.lists(st.integers(1, 200), max_size=5, unique=True))
        for n in numbers:
            name, ports = draw(proto)
            rules.append((direction, n, draw(st.sampled_from(["allow", "deny"])), name, ports,
                          draw(st.sampled_from(CIDRS + ["any"]))))
    return rules


@st.composite
def sg_rules(draw):
    """([(direction, proto, ports, peer)], out_none)"""
    rules = []
    for _ in range(draw(st.integers(0, 4))):
        name, ports = draw(proto)
        rules.append((draw(st.sampled_from(["in", "out"])), name, ports,
                      draw(st.sampled_from(CIDRS + ["any", "g1", "g2"]))))
    return rules, draw(st.booleans())


def _ports(ports) -> str:
    return "" if ports is None else f" {ports[0]}" if ports[0] == ports[1] else f" {ports[0]}-{ports[1]}"


def _text(n1, n2, g1, g2) -> str:
    lines = ["vpc a {", "  cidr 10.0.0.0/16", "  subnet s1 10.0.1.0/24 az a",
             "  subnet s2 10.0.2.0/24 az a"]
    for name, subnet, rules in (("n1", "s1", n1), ("n2", "s2", n2)):
        lines.append(f"  nacl {name} for {subnet} {{")
        for d, n, action, p, ports, cidr in rules:
            lines.append(f"    {d} {n} {action} {p}{_ports(ports)} {'from' if d == 'in' else 'to'} {cidr}")
        lines.append("  }")
    for name, (rules, out_none) in (("g1", g1), ("g2", g2)):
        body = [f"{d} {p}{_ports(ports)} {'from' if d == 'in' else 'to'} {peer}"
                for d, p, ports, peer in rules]
        if out_none and not any(d == "out" for d, *_ in rules):
            body.append("out none")
        lines.append(f"  sg {name} {{ {'; '.join(body)} }}")
    lines += ["  instance x in s1 sg g1", "  instance y in s2 sg g2", "}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- the reference

NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1}


def _proto_ok(rule_proto, ports, number, port) -> bool:
    if rule_proto != "any" and NUMBERS[rule_proto] != number:
        return False
    return ports is None or port is None or ports[0] <= port <= ports[1]


def _in(cidr, address) -> bool:
    return cidr == "any" or address in ip_network(cidr)


def ref_nacl(rules, direction, number, port, address) -> str:
    for d, n, action, p, ports, cidr in sorted(rules, key=lambda r: r[1]):
        if d == direction and _proto_ok(p, ports, number, port) and _in(cidr, address):
            return action
    return "deny"


def ref_nacl_range(rules, direction, number, low, high, address) -> bool:
    """Every port of low..high allowed: decided at each boundary of a rule's port range."""
    points = {low, high}
    for *_, ports, _cidr in rules:
        if ports is not None:
            points |= {p for p in (ports[0] - 1, ports[0], ports[1], ports[1] + 1) if low <= p <= high}
    return all(ref_nacl(rules, direction, number, p, address) == "allow" for p in points)


def ref_sg(group, rules_out_none, direction, number, port, address, peer_group) -> bool:
    rules, out_none = rules_out_none
    mine = [r for r in rules if r[0] == direction]
    if direction == "out" and not mine and not out_none:
        return True
    return any(_proto_ok(p, ports, number, port)
               and (peer == peer_group if peer in ("g1", "g2") else _in(peer, address))
               for _, p, ports, peer in mine)


def reference(n1, n2, g1, g2, protocol, port):
    """(verdict, kind) of x -> y as the docs/SEMANTICS.md flow order reads."""
    number = NUMBERS[protocol]
    if not ref_sg("g1", g1, "out", number, port, Y, "g2"):
        return "blocked", "sg"
    if ref_nacl(n1, "out", number, port, Y) != "allow" or ref_nacl(n2, "in", number, port, X) != "allow":
        return "blocked", "nacl"
    if not ref_sg("g2", g2, "in", number, port, X, "g1"):
        return "blocked", "sg"
    if number == 1:
        back = ref_nacl(n2, "out", 1, None, X) == "allow" and ref_nacl(n1, "in", 1, None, Y) == "allow"
    else:
        back = ref_nacl_range(n2, "out", number, *CLIENT_PORTS, X) \
            and ref_nacl_range(n1, "in", number, *CLIENT_PORTS, Y)
    return ("allowed", None) if back else ("blocked", "nacl")


@settings(max_examples=150, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(nacl_rules(), nacl_rules(), sg_rules(), sg_rules(),
       st.sampled_from(["tcp", "udp", "icmp"]), st.sampled_from([22, 80, 443, 5432, 33000]))
def test_trace_and_filters_agree_with_the_reference(n1, n2, g1, g2, protocol, port):
    text = _text(n1, n2, g1, g2)
    m = vpcdsl.loads(text, filename="p.vpc", strict=False)
    port = None if protocol == "icmp" else port
    t = m.trace("x", "y", protocol, port)
    assert (t.verdict, t.kind) == reference(n1, n2, g1, g2, protocol, port), text + t.table()
    # the pure functions alone, on the same model
    number = NUMBERS[protocol]
    nacl = m.get("n1", "nacl")
    got = nacl_verdict(nacl, "out", Header(number, dst=Y, port=port)).action
    assert got == ref_nacl(n1, "out", number, port, Y), text
    dp = m.dataplane
    sgs = dp.security_groups(m.get("y", "instance"))
    peer = dp.peer(dp.security_groups(m.get("x", "instance")), "a", "a")
    allowed = sg_verdict(sgs, "in", Header(number, src=X, port=port), peer).allowed
    assert allowed == ref_sg("g2", g2, "in", number, port, X, "g1"), text
