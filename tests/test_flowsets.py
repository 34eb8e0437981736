"""Flows over sets of packets (`vpcdsl.analysis.flowsets`): packet classes, exactness against tracing
every port, and `expect` over ranges, `any` and `isolated`."""

from __future__ import annotations

import vpcdsl
from vpcdsl.syntax import ast
from vpcdsl.analysis.flowsets import packet_classes

from tracing import line_of, model

NET = """\
vpc a {
  cidr 10.1.0.0/16
  subnet s1 10.1.1.0/24 az a
  subnet s2 10.1.2.0/24 az a
  nacl guard for s2 {
    in  100 deny  tcp 1050-1059 from any
    in  110 allow tcp 1000-1100 from 10.1.0.0/16
    in  120 allow icmp echo-request from 10.1.0.0/16
    in  130 allow 50 from 10.1.0.0/16
    out 100 allow any to any
  }
  sg wide { in tcp 1000-1100 from 10.1.0.0/16
    in icmp from 10.1.0.0/16
    in 50 from 10.1.0.0/16 }
  instance c in s1
  instance srv in s2 sg wide
}
vpc b {
  cidr 10.2.0.0/16
  subnet sb 10.2.1.0/24 az a
  instance far in sb
}
"""


def _protocol(name, low=None, high=None, icmp=None):
    ports = ast.PortRange(low, high, None) if low is not None else None
    return ast.Protocol(name, ports, icmp, None)


def test_classes_split_at_every_written_bound():
    m = model(NET)
    words = [c.words for c in packet_classes(m, _protocol("tcp", 990, 1110))]
    assert words == ["tcp 990-999", "tcp 1000-1049", "tcp 1050-1059", "tcp 1060-1100", "tcp 1101-1110"]
    every = [c.words for c in packet_classes(m, None)]
    assert "icmp echo-request" in every and "protocol 50" in every
    assert any(w.startswith("protocol ") and w != "protocol 50" for w in every)   # one unnamed protocol
    assert len([w for w in every if w.startswith("icmp")]) == 2                    # echo-request, another


def test_classes_are_exact_against_every_port():
    """One trace per class decides the class: reach (the one engine for sets of packets) agrees
    with a trace of every port, and each class is the same set as sympy has it."""
    from vpcdsl.packetsets import Packet
    from ipaddress import ip_address
    m = model(NET)
    for c in packet_classes(m, _protocol("tcp", 990, 1110)):
        interval = c.as_sympy()
        assert (int(interval.inf), int(interval.sup)) == c.ports
    answer = m.reach("c", "srv", "tcp/990-1110")
    src, dst = ip_address("10.1.1.4"), ip_address("10.1.2.4")
    for port in range(990, 1111):
        verdict = "allowed" if m.trace("c", "srv", "tcp", port).allowed else "blocked"
        assert answer.status_of(Packet(src, dst, 6, 33000, port)) == verdict, port
    assert answer.allowed().summary() == "10.1.1.4 -> 10.1.2.4: tcp 1000-1049, 1060-1100"


def test_expect_over_ranges_any_and_isolated():
    text = NET + """\
expect c -> srv tcp 1000-1049 allowed
expect c -> srv tcp 1000-1100 allowed
expect c -> srv tcp 1050-1059 blocked by nacl
expect far -> srv blocked by route
expect c -> srv blocked
expect isolated far, srv
expect isolated c, srv
expect 10.1.1.0/24 -> srv tcp 1000-1049 allowed
"""
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    found = {d.span.line: d for d in m.diagnostics if d.code in ("E901", "E903", "W900")}
    passed = ("c -> srv tcp 1000-1049 allowed", "tcp 1050-1059 blocked by nacl", "far -> srv blocked by route",
              "isolated far, srv")
    for needle in passed:
        assert line_of(text, needle) not in found, needle
    failed = found[line_of(text, "c -> srv tcp 1000-1100 allowed")]
    assert failed.code == "E901" and "blocked by nacl for tcp 1050-1059" in failed.message
    assert failed.hint.startswith("tcp 1050-1059:")
    assert "is allowed for icmp echo-request; tcp 1000-1049, 1060-1100; protocol 50, expected blocked" in \
        found[line_of(text, "expect c -> srv blocked")].message
    iso = found[line_of(text, "isolated c, srv")]
    assert "c -> srv is allowed for" in iso.message and "expected isolated" in iso.message
    assert line_of(text, "10.1.1.0/24 -> srv") not in found   # a CIDR end, piece by piece: passes


def test_blocked_with_a_vpc_end_needs_every_subnet_blocked():
    text = NET + """\
expect c -> a tcp 1055 blocked
expect far -> a tcp 1000 blocked
"""
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    found = {d.span.line: d for d in m.diagnostics if d.code == "E901"}
    # s2's NACL denies tcp 1055, but c's own subnet s1 receives it: VPC a is not blocked
    assert line_of(text, "expect c -> a tcp 1055 blocked") in found
    assert line_of(text, "expect far -> a tcp 1000 blocked") not in found      # no route at all
