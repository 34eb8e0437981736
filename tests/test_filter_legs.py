"""Which filter, in which direction, sees which packet on each leg (SEMANTICS.md, Audit:
each filter), forward and back, for the legs the TGW tests do not cover.

AWS pages: VPC guide, "Control subnet traffic with network access control lists" (a NACL
filters traffic entering and leaving its subnet, statelessly; traffic within a subnet
is not filtered), "Security groups" (stateful: a response passes whatever the rules
say), "Internet gateways" (the one-to-one NAT happens at the gateway, so the subnet sees
the private address), Peering guide ("Update your route tables": a route each way),
ELB guide ("Network ACLs for your load balancer": the LB's subnet NACL sees client and
target traffic; the target sees the LB node as client).
"""

from __future__ import annotations

import pytest

from tracing import model

M = """\
vpc a {
  cidr 10.0.0.0/16
  subnet web 10.0.1.0/24 az a
  subnet web2 10.0.3.0/24 az b
  subnet db 10.0.2.0/24 az a
  igw gw
  route-table pub for web, web2 { 0.0.0.0/0 -> gw; 10.1.0.0/16 -> ab }
  nacl web-nacl for web, web2 {
    in 100 allow tcp 443 from 0.0.0.0/0
    in 110 allow tcp 1024-65535 from 10.0.0.0/8
    in 120 allow tcp 8080 from 10.0.0.0/16
    in 130 allow tcp 1024-65535 from 0.0.0.0/0
    out 100 allow tcp 5432 to 10.0.2.0/24
    out 110 allow tcp 1024-65535 to 0.0.0.0/0
    out 120 allow tcp 8080 to 10.0.0.0/8
    out 130 allow tcp 22 to 10.1.0.0/16
  }
  nacl db-nacl for db {
    in 100 allow tcp 5432 from 10.0.1.0/24
    out 100 allow tcp 1024-65535 to 10.0.1.0/24
  }
  sg web { in tcp 443 from 0.0.0.0/0; in tcp 8080 from lb; out tcp 5432 to db; out tcp 8080 to 10.0.0.0/8; out tcp 22 to 10.1.0.0/16 }
  sg db { in tcp 5432 from web }
  sg lb { in tcp 443 from 0.0.0.0/0; out tcp 8080 to 10.0.0.0/8 }
  instance web-1 in web sg web public-ip
  instance web-2 in web2 sg web
  instance db-1 in db sg db
  lb front application internet-facing in web, web2 sg lb {
    listen https 443 -> web-2:8080
  }
}
vpc b {
  cidr 10.1.0.0/16
  subnet bs 10.1.1.0/24 az a
  route-table brt for bs { 10.0.0.0/16 -> ab }
  sg b { in tcp 22 from 10.0.1.0/24 }
  instance b-1 in bs sg b
}
peer ab a -> b
"""


@pytest.fixture(scope="module")
def m():
    return model(M)



def nacls(hops):
    """(NACL, direction, rule number, source, destination) of each NACL hop."""
    out = []
    for h in hops:
        if h.component.startswith("nacl:") and " rule " in h.detail:
            words = h.detail.split()
            i = words.index("rule")
            out.append((h.component, words[i - 1], int(words[i + 1]), h.packet.src, h.packet.dst))
    return out


def test_between_subnets_the_senders_nacl_out_then_the_receivers_in_and_back(m):
    t = m.trace("web-1", "db-1", "tcp", 5432)
    assert t.verdict == "allowed"
    assert nacls(t.forward) == [("nacl:web-nacl", "out", 100, "10.0.1.4", "10.0.2.4"),
                                ("nacl:db-nacl", "in", 100, "10.0.1.4", "10.0.2.4")]
    assert nacls(t.back) == [("nacl:db-nacl", "out", 100, "10.0.2.4", "10.0.1.4"),
                             ("nacl:web-nacl", "in", 110, "10.0.2.4", "10.0.1.4")]
    assert [h.component for h in t.back if h.component.startswith("sg:")] == []   # stateful


def test_a_nacl_sees_the_private_address_of_a_public_host_both_ways(m):
    t = m.trace("internet", "web-1", "tcp", 443)
    assert t.verdict == "allowed"
    assert nacls(t.forward) == [("nacl:web-nacl", "in", 100, "198.51.100.1", "10.0.1.4")]
    assert nacls(t.back) == [("nacl:web-nacl", "out", 110, "10.0.1.4", "198.51.100.1")]
    assert [h.component for h in t.back] == ["nacl:web-nacl", "route-table:pub", "igw:gw",
                                             "internet"]


def test_over_a_peering_the_return_leaves_by_nacl_route_table_then_the_peering(m):
    t = m.trace("web-1", "b-1", "tcp", 22)
    assert t.verdict == "allowed"
    assert [h.component for h in t.back] == ["nacl:b.default-nacl", "route-table:brt",
                                             "peering:ab", "nacl:web-nacl", "instance:web-1"]
    assert nacls(t.back) == [("nacl:web-nacl", "in", 110, "10.1.1.4", "10.0.1.4")]


def test_the_lb_subnet_nacl_sees_the_client_then_the_target_leg_and_both_responses(m):
    t = m.trace("internet", "front", "tcp", 443)
    assert t.verdict == "allowed"
    assert nacls(t.forward) == [
        ("nacl:web-nacl", "in", 100, "198.51.100.1", "10.0.1.5"),   # client -> LB node
        ("nacl:web-nacl", "out", 110, "10.0.1.5", "10.0.3.4"),      # LB node -> target
        ("nacl:web-nacl", "in", 110, "10.0.1.5", "10.0.3.4")]       # into the target's subnet
    assert nacls(t.back) == [
        ("nacl:web-nacl", "out", 110, "10.0.3.4", "10.0.1.5"),
        ("nacl:web-nacl", "in", 110, "10.0.3.4", "10.0.1.5"),
        ("nacl:web-nacl", "out", 110, "10.0.1.5", "198.51.100.1")]
    assert [h.component for h in t.forward if h.component.startswith("sg:")] == [
        "sg:lb", "sg:lb", "sg:web"]                                  # LB in, LB out, target in


def test_within_a_subnet_no_nacl_is_crossed():
    text = M.replace("instance db-1 in db sg db", "instance db-1 in web sg db")
    t = model(text).trace("web-1", "db-1", "tcp", 5432)
    assert [h.component for h in t.forward][:2] == ["sg:web", "subnet:web"]
    assert nacls(t.forward) == [] and nacls(t.back) == []
