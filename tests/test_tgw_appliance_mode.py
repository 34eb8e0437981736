"""Appliance mode on a transit gateway VPC attachment: stateful appliances in a hub VPC.

AWS Transit Gateway guide, "Example: Appliance in a shared services VPC"
https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-appliance-scenario.html and
"Availability Zones" https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-az-overview:
a transit gateway keeps traffic in the Availability Zone it entered the TGW in; a flow
between two VPCs in different AZs through an appliance VPC therefore reaches the appliance
VPC in one AZ one way and in the other AZ the other way, and a stateful appliance that sees
only the response drops it. With appliance mode on the appliance VPC's attachment the TGW
uses one network interface of that attachment for both directions of the flow, so both
reach the same appliance. vpcdsl takes the request's AZ for both.
"""

from __future__ import annotations

import vpcdsl
from vpcdsl.analysis.matrix import matrix

from test_matrix import _oracle
from test_reach import _agree
from tracing import check, line_of, model

HUB = """\
region us-east-1
vpc spoke-a {
  cidr 10.1.0.0/16
  subnet a-1 10.1.1.0/24 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  sg a-sg { in tcp 443 from 10.0.0.0/8 }
  instance a-web in a-1 sg a-sg
}
vpc spoke-b {
  cidr 10.2.0.0/16
  subnet b-a 10.2.1.0/24 az a
  subnet b-b 10.2.2.0/24 az b
  route-table b-main main { 0.0.0.0/0 -> core }
  sg b-sg { in tcp 443 from 10.0.0.0/8 }
  instance b-api in b-b sg b-sg
  instance b-near in b-a sg b-sg
}
vpc inspect {
  cidr 10.9.0.0/16
  subnet i-tgw-a 10.9.0.0/28 az a
  subnet i-tgw-b 10.9.0.16/28 az b
  subnet i-fw-a 10.9.1.0/24 az a
  subnet i-fw-b 10.9.2.0/24 az b
  route-table i-tgw-a for i-tgw-a { 0.0.0.0/0 -> fw-a }
  route-table i-tgw-b for i-tgw-b { 0.0.0.0/0 -> fw-b }
  route-table i-fw for i-fw-a, i-fw-b { 0.0.0.0/0 -> core }
  sg fw-sg { in any from 10.0.0.0/8 }
  instance fw-a in i-fw-a sg fw-sg source-dest-check off
  instance fw-b in i-fw-b sg fw-sg source-dest-check off
}
tgw core {
  attach spoke-a
  attach spoke-b
  attach inspect for i-tgw-a, i-tgw-b
  route-table spokes {
    associate spoke-a, spoke-b
    0.0.0.0/0 -> inspect
  }
  route-table firewall {
    associate inspect
    propagate spoke-a, spoke-b
  }
}
"""
ON = HUB.replace("attach inspect for i-tgw-a, i-tgw-b", "attach inspect for i-tgw-a, i-tgw-b appliance-mode")


def test_without_appliance_mode_a_flow_across_azs_is_dropped_on_its_way_back():
    m = model(HUB)
    t = check(m, HUB, "a-web", "b-api", "tcp", 443, "blocked", "gateway", "tgw:core",
              at="attach inspect for")
    assert t.back[-1].action == "drop"                  # the request got through
    assert t.forward[-1].detail == "delivered to b-api"
    assert "asymmetric path through stateful appliance 'fw-a'" in t.reason
    assert "the response (from us-east-1b) enters VPC 'inspect' at attachment subnet i-tgw-b, " \
           "not at i-tgw-a (us-east-1a)" in t.reason
    assert "route 0.0.0.0/0 -> fw-b" in t.reason and "appliance-mode" in t.reason
    # the return direction's own request: b-api in AZ b, a-web's answer from AZ a
    t = check(m, HUB, "b-api", "a-web", "tcp", 443, "blocked", "gateway", "tgw:core")
    assert "stateful appliance 'fw-b'" in t.reason and "(from us-east-1a)" in t.reason


def test_with_appliance_mode_both_directions_use_the_requests_az():
    m = model(ON)
    for src, dst, fw in (("a-web", "b-api", "fw-a"), ("b-api", "a-web", "fw-b")):
        t = check(m, ON, src, dst, "tcp", 443, "allowed")
        mode = [h for h in t.back if h.detail.startswith("appliance mode on attachment 'inspect'")]
        assert len(mode) == 1 and f"returns through '{fw}'" in mode[0].detail, t.table()
        assert mode[0].span.line == line_of(ON, "appliance-mode")
        assert any(h.component == f"instance:{fw}" and "forwards the response" in h.detail
                   for h in t.back), t.table()


def test_one_az_needs_no_appliance_mode():
    m = model(HUB)
    t = check(m, HUB, "a-web", "b-near", "tcp", 443, "allowed")
    assert not any("appliance" in h.detail for h in t.back), t.table()


def test_one_appliance_behind_both_attachment_subnets_sees_both_directions():
    text = HUB.replace("route-table i-tgw-b for i-tgw-b { 0.0.0.0/0 -> fw-b }",
                       "route-table i-tgw-b for i-tgw-b { 0.0.0.0/0 -> fw-a }")
    m = model(text)
    t = check(m, text, "a-web", "b-api", "tcp", 443, "allowed")
    assert any("sends it to 'fw-a' all the same" in h.detail for h in t.back), t.table()


def test_appliance_mode_parses_with_static_only_in_either_order():
    for flags in ("appliance-mode static-only", "static-only appliance-mode"):
        m = model(HUB.replace("attach inspect for i-tgw-a, i-tgw-b", f"attach inspect for i-tgw-a, i-tgw-b {flags}"))
        att = m.tgws["core"].attachments[2]
        assert att.appliance_mode and att.static_only


def test_reach_and_matrix_agree_with_trace_through_the_appliance():
    for text in (HUB, ON):
        m = vpcdsl.loads(text, filename="hub.vpc", strict=False)
        assert _agree(m, ["a-web", "b-api"], 120, seed=5) >= 100
        for level in ("instance", "subnet"):
            assert _oracle(m, matrix(m, level)) == []
    assert not matrix(model(HUB), "instance").allowed("a-web", "b-api")
    assert matrix(model(ON), "instance").allowed("a-web", "b-api")
