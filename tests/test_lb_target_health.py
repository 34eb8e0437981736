"""Load balancer targets marked `down` (failing the load balancer's health check): the
syntax, the trace (a down target is sent nothing; with every target down the load
balancer fails open), and Route 53's evaluate-target-health on an alias to the load
balancer.

AWS pages: ALB guide, target-group-health-checks.html ("If a target group contains only
unhealthy registered targets, the load balancer routes requests to all those targets");
NLB guide, target-group-health-checks.html (the same fail-open); Route 53 guide,
resource-record-sets-values-alias.html, "Evaluate target health" (an ALB or NLB is
unhealthy when any target group holds only unhealthy targets).
"""

from __future__ import annotations

import vpcdsl
from vpcdsl.syntax import ast

from tracing import model

NET = """\
vpc p {
  cidr 10.0.0.0/16
  subnet a 10.0.1.0/24 az a
  subnet b 10.0.2.0/24 az b
  sg alb { in tcp 80 from 10.0.0.0/16 }
  sg web { in tcp 80 from alb; in tcp 8080 from alb }
  instance client in a
  instance web-1 in a sg web
  instance web-2 in b sg web
  lb one-down application internal in a, b sg alb {
    listen http 80 -> web-1 down, web-2
  }
  lb all-down application internal in a, b sg alb {
    listen http 80 -> web-1:8080 down, 10.0.2.4:80 down
  }
}
dns example.com {
  app A failover { primary -> all-down; secondary -> one-down }
}
"""


def test_down_parses_after_a_name_a_port_and_an_address():
    m = model(NET)
    one = m.get("one-down", "lb").listeners[0].targets
    assert [(t.ref.name, t.port, t.down) for t in one] == [("web-1", None, True), ("web-2", None, False)]
    both = m.get("all-down", "lb").listeners[0].targets
    assert [t.down for t in both] == [True, True] and both[0].port == 8080 and both[1].port == 80
    assert isinstance(both[1].ref, ast.Addr)
    text = "[2001:db8::5]:443 down"
    lb = vpcdsl.loads(NET.replace("10.0.2.4:80 down", text), strict=False).get("all-down", "lb")
    assert lb.listeners[0].targets[1].down


def test_a_down_target_is_sent_nothing_forward_and_the_response_returns():
    m = model(NET)
    t = m.trace("client", "one-down", "tcp/80")
    assert t.allowed
    skip = [h for h in t.forward if h.action == "skip"]
    assert len(skip) == 1 and "target web-1 is down" in skip[0].detail and skip[0].span.line == 11
    assert t.forward[-1].component == "instance:web-2"                 # not web-1, listed first
    assert any(h.component == "lb:one-down" for h in t.back)          # the response comes back by the LB
    assert t.back[-1].component == "instance:client"


def test_every_target_down_fails_open():
    m = model(NET)
    t = m.trace("client", "all-down", "tcp/80")
    assert t.allowed
    assert any("fails open" in h.detail for h in t.forward)
    assert t.forward[-1].component == "instance:web-1"


def test_route53_skips_an_alias_to_an_lb_whose_target_group_is_all_down():
    m = model(NET)
    r = m.resolve("app.example.com")
    assert r.answers == ("one-down",)
    lost = next(c for c in r.candidates if c.value == "all-down")
    assert not lost.chosen and "every target of listener http 80 of load balancer 'all-down' is down" in lost.why


def test_the_only_up_target_blocked_blocks_the_flow_and_reach_agrees():
    # web-1 (down) would let the flow in; web-2 (up) does not: the LB does not fall back
    # to a down target while another is healthy
    text = NET.replace('sg web { in tcp 80 from alb; in tcp 8080 from alb }',
                       'sg web { in tcp 80 from alb; in tcp 8080 from alb }\n  sg closed { in tcp 22 from 10.0.0.0/16 }') \
              .replace("instance web-2 in b sg web", "instance web-2 in b sg closed")
    m = model(text)
    t = m.trace("client", "one-down", "tcp/80")
    assert not t.allowed and "web-2:80" in t.reason and "security group closed" in t.reason
    rows = m.reach("client", "one-down").rows
    assert {r.status for r in rows} == {"blocked"}
