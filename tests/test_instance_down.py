"""`down` on an instance or NAT instance: stopped or failed, it sends, receives and forwards
nothing (LANGUAGE.md, `instance`; SEMANTICS.md, Instances that are down).

AWS: a stopped instance keeps its network interface but nothing answers on it and nothing
forwards through it ("Stop and start Amazon EC2 instances",
https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Stop_Start.html); a route to an
appliance's ENI is not withdrawn when the appliance fails, so traffic routed to it is lost
until the route changes ("Example routing options: routing for a middlebox appliance",
https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html#route-tables-appliance-routing);
a software VPN on an instance is as available as the instance ("Software Site-to-Site VPN"
in the Amazon VPC Connectivity Options whitepaper,
https://docs.aws.amazon.com/whitepapers/latest/aws-vpc-connectivity-options/software-vpn.html).

Each case is traced forward and its response back; reach, matrix and diff (the set engine)
are held to traces on models with down hosts.
"""

from __future__ import annotations

import random

import pytest

import vpcdsl
from vpcdsl.analysis.diff import diff
from vpcdsl.analysis.matrix import matrix
from vpcdsl.analysis.reach import reach
from vpcdsl.flows.trace import Tracer
from vpcdsl.views.cli import main

from tracing import check, hop, hops, line_of, model

APPLIANCE = """\
region eu-west-1
vpc v {
  cidr 10.0.0.0/16
  subnet a 10.0.1.0/24 az a
  subnet b 10.0.2.0/24 az a
  subnet fw 10.0.3.0/24 az a
  route-table ra for a { 10.0.2.0/24 -> fw-1 }
  route-table rb for b { 10.0.1.0/24 -> fw-1 }
  sg open { in any from 10.0.0.0/16 }
  instance fw-1 in fw sg open source-dest-check off
  instance a-1 in a sg open
  instance a-2 in a sg open
  instance b-1 in b sg open
}
"""


def _down(text: str, name: str) -> str:
    """``text`` with instance ``name`` (its statement line) marked `down`."""
    lines = text.splitlines(keepends=True)
    (i,) = [i for i, ln in enumerate(lines) if f"instance {name} in " in ln]
    lines[i] = lines[i].rstrip("\n") + " down\n"
    return "".join(lines)


# ---------------------------------------------------------------------------- the language

def test_down_parses_on_instances_and_nat_instances_and_defaults_to_up():
    m = model(_down(APPLIANCE, "fw-1") + "vpc w {\n  cidr 10.9.0.0/16\n  subnet p 10.9.0.0/24 az a\n"
              "  igw w-igw\n  route-table wp for p { 0.0.0.0/0 -> w-igw }\n"
              "  nat-instance n-1 in p source-dest-check off down\n  nat-instance n-2 in p\n"
              "  instance down in p\n}\n")
    assert m.instances["fw-1"].down is True
    assert m.instances["a-1"].down is False
    assert m.get("n-1").down is True and m.get("n-2").down is False
    # `down` is a keyword only among an instance's options: still a name elsewhere
    assert m.instances["down"].down is False
    dumped = {x["name"]: x for v in m.to_dict()["vpcs"] for x in v["members"] if "down" in x}
    assert (dumped["fw-1"]["down"], dumped["a-1"]["down"], dumped["n-1"]["down"]) == (True, False, True)


# ---------------------------------------------------------------------------- an appliance

def test_a_flow_routed_through_a_down_appliance_is_dropped_there_naming_it_and_its_line():
    text = _down(APPLIANCE, "fw-1")
    t = check(model(text), text, "a-1", "b-1", "tcp", 443, "blocked", "gateway", "instance:fw-1",
              at="instance fw-1")
    assert t.reason == f"instance fw-1 is down (line {line_of(text, 'instance fw-1')})"
    assert hops(t)[-2:] == [("route-table:ra", "forward"), ("instance:fw-1", "drop")]


def test_an_appliance_up_forwards_the_request_and_the_response_back():
    t = check(model(APPLIANCE), APPLIANCE, "a-1", "b-1", "tcp", 443, "allowed")
    assert hop(t, "instance:fw-1").action == "forward"
    back = hop(t, "instance:fw-1", back=True)
    assert (back.action, back.detail) == ("forward", "fw-1 forwards the response (source/dest check off)")
    # the response retraces the request: b's NACL out, fw's in, the box, fw's out, a's in
    assert [c for c, _ in hops(t, back=True)].index("instance:fw-1") == 2


def test_the_return_obligation_of_a_box_refuses_the_response_when_the_box_is_down():
    """The walk retraces the request, so a box on the way back was on the way there; the
    response's own check is still there (an appliance that fails between the two)."""
    from dataclasses import replace
    from vpcdsl.flows.hops import appliance

    m = model(APPLIANCE)
    tracer = Tracer(m)
    seen = []
    settle = appliance._back_through_appliance

    def failing(walk, ob):           # the box fails once the request has passed
        seen.append(ob.box.name)
        settle(walk, replace(ob, box=replace(ob.box, down=True)))

    appliance.ApplianceHop.settles[appliance.BackThroughAppliance] = failing
    try:
        t = tracer.trace("a-1", "b-1", "tcp", "443")
    finally:
        appliance.ApplianceHop.settles[appliance.BackThroughAppliance] = settle
    assert seen == ["fw-1"]
    assert (t.verdict, t.kind, t.component) == ("blocked", "gateway", "instance:fw-1"), t.table()
    assert t.back[-1].action == "drop" and t.back[-1].detail.startswith("instance fw-1 is down")
    assert not any(h.action == "drop" for h in t.forward)


def test_a_down_host_neither_receives_nor_sends_by_name_or_address():
    text = _down(APPLIANCE, "b-1")
    m = model(text)
    line = line_of(text, "instance b-1")
    for src, dst in (("a-1", "b-1"), ("b-1", "a-1"), ("a-1", "10.0.2.4"), ("fw-1", "b-1")):
        t = check(m, text, src, dst, "tcp", 22, "blocked", "gateway", "instance:b-1")
        assert t.reason == f"instance b-1 is down (line {line})"
    # the others still talk
    check(m, text, "a-1", "a-2", "tcp", 22, "allowed")


def test_expect_lines_about_a_down_appliance_pass_and_fail_as_traced(tmp_path):
    text = _down(APPLIANCE, "fw-1") + ("expect a-1 -> b-1 tcp 443 blocked by gateway\n"
                                       "expect a-1 -> a-2 tcp 22 allowed\n"
                                       "expect isolated a, b\n")
    path = tmp_path / "down.vpc"
    path.write_text(text, encoding="utf-8")
    assert main(["check", "-q", str(path)]) == 0
    path.write_text(text + "expect b-1 -> a-1 tcp 443 allowed\n", encoding="utf-8")
    assert main(["check", "-q", str(path)]) == 1


# ---------------------------------------------------------------------------- a NAT instance

NAT = """\
region eu-west-1
vpc w {
  cidr 10.20.0.0/16
  subnet pub 10.20.0.0/24 az a
  subnet app 10.20.1.0/24 az a
  igw w-igw
  route-table wp for pub { 0.0.0.0/0 -> w-igw }
  route-table wa for app { 0.0.0.0/0 -> w-nat }
  sg nat { in tcp from 10.20.0.0/16; in tcp 8443 from 0.0.0.0/0 }
  sg app { in tcp 443 from 0.0.0.0/0 }
  nat-instance w-nat in pub sg nat source-dest-check off forward 8443 -> w-app-1:443
  instance w-app-1 in app sg app
}
"""


def test_a_down_nat_instance_drops_what_its_route_sends_it_and_takes_no_port_forward():
    text = NAT.replace("forward 8443", "down forward 8443")
    m = model(text)
    t = check(m, text, "w-app-1", "internet", "tcp", 443, "blocked", "gateway", "nat-instance:w-nat",
              at="nat-instance w-nat")
    assert t.reason == f"NAT instance w-nat is down (line {line_of(text, 'nat-instance w-nat')})"
    check(m, text, "internet", "w-nat", "tcp", 8443, "blocked", "gateway", "nat-instance:w-nat")


def test_a_nat_instance_translates_the_response_back_as_a_hop():
    t = check(model(NAT), NAT, "w-app-1", "internet", "tcp", 443, "allowed")
    back = hop(t, "nat-instance:w-nat", back=True)
    assert (back.action, back.detail) == ("translate", "w-nat translates 10.20.0.4 back to 10.20.1.4")
    assert back.packet.dst == "10.20.1.4" and back.packet.port == "32768-60999"


def test_a_port_forward_to_a_down_instance_is_dropped_at_the_nat_instance():
    text = _down(NAT, "w-app-1")
    t = check(model(text), text, "internet", "w-nat", "tcp", 8443, "blocked", "gateway",
              "instance:w-app-1", at="instance w-app-1")
    assert t.reason == (f"port forward to 'w-app-1': instance w-app-1 is down "
                        f"(line {line_of(text, 'instance w-app-1')})")
    check(model(NAT), NAT, "internet", "w-nat", "tcp", 8443, "allowed")


# ---------------------------------------------------------------------------- a software VPN

VPN = """\
region eu-west-1
vpc hub {
  cidr 10.0.0.0/16
  subnet pub-a 10.0.0.0/24 az a
  subnet app-a 10.0.1.0/24 az a
  igw hub-igw
  route-table pub for pub-a { 0.0.0.0/0 -> hub-igw }
  route-table app for app-a { 172.16.0.0/16 -> csr-1 }
  sg vpn { in tcp 179 from 172.16.0.0/16; in any from 10.0.0.0/16; in any from 172.16.0.0/16 }
  sg app { in tcp 443 from 172.16.0.0/16 }
  instance csr-1 in pub-a sg vpn eip source-dest-check off
  instance app-1 in app-a sg app
}
site hq 172.16.0.0/16 asn 65001
vpn hq-vpn hq <-> csr-1 bgp
"""


def test_a_down_software_vpn_instance_cuts_the_site_off_both_ways():
    text = _down(VPN, "csr-1")
    m = model(text)
    line = line_of(text, "instance csr-1")
    # over BGP the site sees its session drop and has no route left into the VPC
    t = check(m, text, "hq", "app-1", "tcp", 443, "blocked", "route", "site:hq")
    assert t.reason == (f"site 'hq' cannot reach VPC 'hub': BGP VPN 'hq-vpn' (instance csr-1 is "
                        f"down (line {line})) is down, and it has no other VPN or Direct Connect there")
    # over a static VPN the site keeps sending into the tunnel, and the box drops it
    static = text.replace("hq <-> csr-1 bgp", "hq <-> csr-1 static 172.16.0.0/16")
    t = check(model(static), static, "hq", "app-1", "tcp", 443, "blocked", "gateway", "instance:csr-1")
    assert t.reason == f"instance csr-1 is down (line {line})"
    assert hops(t) == [("site:hq", "forward"), ("vpn:hq-vpn", "forward"), ("instance:csr-1", "drop")]
    t = check(m, text, "app-1", "hq", "tcp", 443, "blocked", "gateway", "instance:csr-1")
    assert hops(t)[-1] == ("instance:csr-1", "drop")
    # up, both directions pass and the box is a hop each way
    for src, dst in (("hq", "app-1"), ("app-1", "hq")):
        t = check(model(VPN), VPN, src, dst, "tcp", 443, "allowed")
        assert any(c == "instance:csr-1" for c, _ in hops(t, back=True)), t.table()


# ---------------------------------------------------------------------------- a load balancer

LB = """\
region eu-west-1
vpc v {
  cidr 10.0.0.0/16
  subnet a 10.0.1.0/24 az a
  subnet b 10.0.2.0/24 az b
  sg lb { in tcp 80 from 10.0.0.0/16 }
  sg web { in tcp 80 from lb }
  instance web-1 in a sg web
  instance web-2 in b sg web
  instance client in a
  lb alb application internal in a, b sg lb { listen http 80 -> web-1, web-2 }
}
"""


def test_a_load_balancer_skips_a_down_target_and_fails_when_all_are_down():
    text = _down(LB, "web-1")
    t = check(model(text), text, "client", "alb", "tcp", 80, "allowed")
    assert any(h.component == "instance:web-2" and h.action == "deliver" for h in t.forward), t.table()
    text = _down(text, "web-2")
    t = check(model(text), text, "client", "alb", "tcp", 80, "blocked", "lb")
    assert "instance web-2 is down" in t.reason


# ---------------------------------------------------------------------------- the set engine

def _oracle_rows(m, src: str) -> list[str]:
    """reach(src) against one trace per row's witness class: the disagreements."""
    tracer = Tracer(m)
    wrong = []
    for row in reach(m, src).rows:
        w = row.witness
        got = "allowed" if w.allowed else "intermittent" if w.intermittent else "blocked"
        if got != row.status:
            wrong.append(f"{src} -> {row.dst} {row.words}: witness {got}, row {row.status}")
    del tracer
    return wrong


@pytest.mark.parametrize("down", ["fw-1", "a-2", "b-1"])
@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_matrix_cells_agree_with_trace_with_a_down_host(down, level):
    """A down host shares its subnet and groups with an up one (a-2 beside a-1): the pair
    classes must still tell them apart."""
    from test_matrix import _oracle
    m = model(_down(APPLIANCE, down))
    mx = matrix(m, level)
    assert _oracle(m, mx) == []


def test_matrix_says_what_the_down_appliance_cuts():
    up, cut = matrix(model(APPLIANCE), "instance"), matrix(model(_down(APPLIANCE, "fw-1")), "instance")
    assert up.cell("a-1", "b-1").allowed and not cut.cell("a-1", "b-1")
    assert cut.cell("a-1", "a-2").allowed            # the same subnet needs no box


def test_reach_agrees_with_trace_and_names_the_down_instance():
    m = model(_down(APPLIANCE, "fw-1"))
    r = reach(m, "a-1", "b-1")
    assert [row.status for row in r.rows] == ["blocked"] * len(r.rows) and r.rows
    assert all(row.witness.reason.startswith("instance fw-1 is down") for row in r.rows)
    for src in ("a-1", "b-1", "fw-1", "10.0.1.0/24"):
        assert _oracle_rows(m, src) == []
    assert reach(model(APPLIANCE), "a-1", "b-1").rows[0].status == "allowed"


def test_reach_to_a_range_holding_a_down_host_blocks_that_host_only():
    m = model(_down(APPLIANCE, "a-2"))
    rows = reach(m, "b-1", "10.0.1.0/24").rows
    down = [r for r in rows if r.status == "blocked" and "a-2 is down" in r.witness.reason]
    assert down and all("10.0.1.5" in r.where for r in down), [(r.status, r.where) for r in rows]
    assert any(r.status == "allowed" for r in rows)


def test_diff_of_marking_the_appliance_down_closes_exactly_the_flows_through_it():
    from test_diff import _agree
    old, new = model(APPLIANCE), model(_down(APPLIANCE, "fw-1"))
    d = diff(old, new)
    closed = {(f.src, f.dst) for f in d.flows if f.change == "closed"}
    assert {("a-1", "b-1"), ("b-1", "a-1"), ("a-2", "b-1")} <= closed
    assert ("a-1", "a-2") not in closed
    assert not any(f.change == "opened" for f in d.flows)
    assert _agree(old, new, random.Random(12), 150) > 50
    assert _agree(model(VPN), model(_down(VPN, "csr-1")), random.Random(13), 60) > 10


# ---------------------------------------------------------------------------- a software VPN hub

HUB = """\
region eu-west-1
vpc hub {
  cidr 10.0.0.0/16
  subnet pub-a 10.0.0.0/24 az a
  igw hub-igw
  route-table pub for pub-a { 0.0.0.0/0 -> hub-igw }
  sg vpn { in tcp 179 from 172.16.0.0/16, 192.168.0.0/16 }
  instance csr in pub-a sg vpn eip source-dest-check off
}
site left  172.16.0.0/16  asn 65001
site right 192.168.0.0/16 asn 65002
vpn left-vpn  left  <-> csr bgp
vpn right-vpn right <-> csr bgp
"""


def test_an_instance_ending_two_sites_vpns_passes_traffic_between_them_both_ways():
    """A transit VPC's appliance routes between its tunnels itself; the VPC carries only the
    IPsec packets, so no route table, NACL or group of it meets the inner packet."""
    t = check(model(HUB), HUB, "left", "right", "tcp", 22, "allowed")
    assert [c for c, _ in hops(t)] == ["site:left", "vpn:left-vpn", "instance:csr", "instance:csr",
                                       "instance:csr", "vpn:right-vpn", "site:right"]
    assert hop(t, "instance:csr", last=True).detail == (
        "csr passes it from BGP VPN 'left-vpn' into BGP VPN 'right-vpn' (192.168.0.0/16)")
    assert hops(t, back=True) == [("vpn:right-vpn", "forward"), ("instance:csr", "forward"),
                                  ("vpn:left-vpn", "forward"), ("site:left", "deliver")]


def test_the_hub_needs_both_bgp_sessions():
    text = HUB.replace("from 172.16.0.0/16, 192.168.0.0/16", "from 172.16.0.0/16")
    t = check(model(text), text, "left", "right", "tcp", 22, "blocked", "gateway", "instance:csr")
    assert "BGP session of BGP VPN 'right-vpn' is down" in t.reason


def test_a_down_hub_takes_its_bgp_tunnels_down_and_drops_what_a_static_one_brings():
    text = _down(HUB, "csr")
    line = line_of(text, "instance csr")
    t = check(model(text), text, "left", "right", "tcp", 22, "blocked", "route", "site:left")
    assert t.reason == ("no VPN or Direct Connect gateway of site 'left' has a route to site "
                        f"'right' (BGP VPN 'left-vpn' (instance csr is down (line {line})) is down)")
    static = text.replace("left  <-> csr bgp", "left  <-> csr static 172.16.0.0/16")
    t = check(model(static), static, "left", "right", "tcp", 22, "blocked", "gateway", "instance:csr")
    assert t.reason == f"instance csr is down (line {line})"   # the site keeps sending: no BGP
