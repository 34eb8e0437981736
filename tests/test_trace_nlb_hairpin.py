"""NLB hairpinning with client IP preservation.

AWS page: Elastic Load Balancing, Network Load Balancers guide, "Target groups for your
Network Load Balancers — Client IP preservation": with client IP preservation on, a target
that connects through its own NLB and is picked as the target of that connection times out
(NAT loopback / hairpinning is not supported): the target sees its own address as the
source and answers itself, so the response never reaches the NLB. With several targets the
connection fails only when the NLB picks the client, which makes the flow intermittent.
"""

import pytest

from tracing import check, line_of, model

HAIRPIN = """\
vpc game {
  cidr 10.1.0.0/16
  subnet app-a 10.1.10.0/24 az a
  subnet app-b 10.1.11.0/24 az b
  sg web { in tcp 80 from 10.1.0.0/16; out tcp 80 to 10.1.0.0/16 }
  instance web-1 in app-a sg web
  instance web-2 in app-a sg web
  instance client-1 in app-a sg web
  lb solo network internal in app-a { listen tcp 80 -> web-1 }
  lb pair network internal in app-a { listen tcp 80 -> web-1, web-2 }
  lb by-ip network internal in app-a { listen tcp 80 -> 10.1.10.4:80 }
  lb alb application internal in app-a, app-b sg web { listen http 80 -> web-1 }
}
"""


@pytest.fixture(scope="module")
def m():
    return model(HAIRPIN)


def test_a_sole_target_connecting_through_its_own_nlb_times_out(m):
    """Forward: web-1 -> solo, whose only target is web-1, is blocked `by lb` at the target,
    naming the hairpin; nothing returns."""
    t = check(m, HAIRPIN, "web-1", "solo", "tcp", 80, "blocked", "lb", "lb:solo",
              at="lb solo network")
    assert "answers itself directly, so the connection times out" in t.reason
    assert "intermittent" not in t.reason
    assert t.back == ()


def test_with_several_targets_the_hairpin_is_intermittent_and_names_the_target(m):
    """Forward: web-1 -> pair (web-1, web-2) is blocked: it fails whenever web-1 is picked."""
    t = check(m, HAIRPIN, "web-1", "pair", "tcp", 80, "blocked", "lb", "lb:pair",
              at="lb pair network")
    assert "intermittent" in t.reason and "whenever the NLB picks web-1" in t.reason
    assert "web-2 also targets" in t.reason


def test_another_client_reaches_the_same_nlb(m):
    """Forward and return: a client that is no target of the NLB is served by web-1."""
    t = check(m, HAIRPIN, "client-1", "pair", "tcp", 80, "allowed")
    assert t.forward[-1].component == "instance:web-1"
    assert t.back[-1].component == "instance:client-1"


def test_ip_targets_over_tcp_see_the_nlb_so_no_hairpin(m):
    """An IP target over TCP sees the NLB's own address (no client IP preservation): the
    response goes back to the NLB, so the connection works."""
    t = check(m, HAIRPIN, "web-1", "by-ip", "tcp", 80, "allowed")
    assert t.forward[-1].packet.src != t.forward[0].packet.src


def test_an_alb_proxies_so_no_hairpin(m):
    """An ALB opens its own connection to the target: web-1 -> alb -> web-1 works."""
    check(m, HAIRPIN, "web-1", "alb", "tcp", 80, "allowed")
