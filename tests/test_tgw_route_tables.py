"""Transit gateway route tables: associations, propagations, static routes, the default table.

AWS Transit Gateway guide:
- "Transit gateway route tables" https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html
  (each attachment is associated with one route table; a packet is routed by the table
  associated with the attachment it arrives by; attachments propagate routes into tables;
  static routes win over propagated ones);
- "Default route table association / propagation" (a TGW option, on by default:
  https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html);
- "Example: Isolated VPCs" https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-isolated.html
  and "Example: Isolated VPCs with shared services"
  https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-isolated-shared.html;
- "Security group referencing" (inbound rules only, same Region, off by default on the TGW):
  https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html
"""

from __future__ import annotations

import vpcdsl
from vpcdsl.flows.trace import Tracer

from vpcdsl.analysis.matrix import matrix

from test_matrix import _oracle
from test_reach import _agree
from tracing import check, line_of, model

SHARED = """\
region us-east-1
vpc shared {
  cidr 10.0.0.0/16
  subnet sh-a 10.0.1.0/24 az a
  route-table sh-main main { 10.0.0.0/8 -> core }
  sg dir { in tcp 389 from 10.0.0.0/8 }
  instance dc-1 in sh-a sg dir
}
vpc spoke-a {
  cidr 10.1.0.0/16
  subnet a-1 10.1.1.0/24 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  sg a-web { in tcp 443 from 10.0.0.0/8 }
  instance a-web in a-1 sg a-web
}
vpc spoke-b {
  cidr 10.2.0.0/16
  subnet b-1 10.2.1.0/24 az a
  route-table b-main main { 0.0.0.0/0 -> core }
  sg b-api { in tcp 443 from 10.0.0.0/8 }
  instance b-api in b-1 sg b-api
}
tgw core {
  attach shared
  attach spoke-a
  attach spoke-b
  route-table spokes {
    associate spoke-a, spoke-b
    propagate shared
  }
  route-table services {
    associate shared
    propagate spoke-a, spoke-b
  }
}
"""


def _detail(t, needle: str, back: bool = False) -> str:
    found = [h.detail for h in (t.back if back else t.forward) if needle in h.detail]
    assert found, t.table()
    return found[0]


# ---------------------------------------------------------------------------- shared services

def test_spoke_to_spoke_is_blocked_by_the_spokes_table_naming_it_and_its_line():
    m = model(SHARED)
    t = check(m, SHARED, "a-web", "b-api", "tcp", 443, "blocked", "route", "tgw:core",
              at="route-table spokes {")
    assert t.reason == ("no route in route table 'spokes' of transit gateway 'core' (associated "
                        "with attachment 'spoke-a') matches 10.2.1.4")
    check(m, SHARED, "b-api", "a-web", "tcp", 443, "blocked", "route", "tgw:core",
          at="route-table spokes {")


def test_spoke_to_shared_goes_by_the_spokes_table_and_returns_by_the_services_table():
    m = model(SHARED)
    t = check(m, SHARED, "a-web", "dc-1", "tcp", 389, "allowed")
    assert _detail(t, "tgw route") == ("tgw route 10.0.0.0/16 -> shared (propagated) matched in "
                                       "route table 'spokes' (associated with attachment 'spoke-a')")
    # the propagated route's line is the `propagate` that brought it
    routes = [h for h in t.forward if h.detail.startswith("tgw route")]
    assert routes[0].span.line == line_of(SHARED, "propagate shared")
    back = _detail(t, "return tgw route", back=True)
    assert back == ("return tgw route 10.1.0.0/16 -> spoke-a (propagated) matched in route table "
                    "'services' (associated with attachment 'shared')")


def test_shared_to_each_spoke_is_allowed_both_ways():
    m = model(SHARED.replace("sg a-web { in tcp 443 from 10.0.0.0/8 }",
                             "sg a-web { in tcp 443 from 10.0.0.0/8; in tcp 22 from 10.0.0.0/16 }"))
    t = m.trace("dc-1", "a-web", "tcp", 22)
    assert t.allowed, t.table()
    assert "route table 'services'" in _detail(t, "tgw route")
    assert "route table 'spokes'" in _detail(t, "return tgw route", back=True)


def test_a_response_that_its_table_cannot_route_is_blocked_on_the_way_back():
    """services propagates only spoke-a: spoke-b reaches dc-1, the answer has no route home."""
    text = SHARED.replace("propagate spoke-a, spoke-b", "propagate spoke-a")
    m = model(text)
    t = check(m, text, "b-api", "dc-1", "tcp", 389, "blocked", "route", "tgw:core",
              at="route-table services {")
    assert t.reason == ("no return route: route table 'services' of transit gateway 'core' "
                        "(associated with attachment 'shared') has no route for 10.2.1.4")
    assert t.back and t.back[-1].action == "drop"


def test_a_static_route_and_a_blackhole_in_a_table():
    text = SHARED.replace("    propagate shared\n", "    propagate shared\n    10.2.0.0/16 -> spoke-b\n"
                          "    10.2.9.0/24 -> blackhole\n")
    text = text.replace("subnet b-1 10.2.1.0/24 az a", "subnet b-1 10.2.1.0/24 az a\n  subnet b-9 10.2.9.0/24 az a\n"
                        "  instance api-9 in b-9 sg b-api")
    m = model(text)
    t = check(m, text, "a-web", "b-api", "tcp", 443, "blocked", "route", "tgw:core",
              at="route-table spokes {")       # the answer: spokes has no route to spoke-a
    assert "return tgw route" not in t.table()
    assert _detail(t, "tgw route") == ("tgw route 10.2.0.0/16 -> spoke-b matched in route table "
                                       "'spokes' (associated with attachment 'spoke-a')")
    t = check(m, text, "a-web", "api-9", "tcp", 443, "blocked", "route", "tgw:core",
              at="10.2.9.0/24 -> blackhole")
    assert "blackhole route 10.2.9.0/24 -> blackhole of route table 'spokes'" in t.reason


# ---------------------------------------------------------------------------- the default table

def test_a_tgw_without_route_tables_traces_as_it_always_has():
    text = SHARED[:SHARED.index("  route-table spokes")] + "}\n"
    m = model(text)
    t = m.trace("a-web", "b-api", "tcp", 443)
    assert t.allowed, t.table()
    assert _detail(t, "tgw route") == "tgw route 10.2.0.0/16 -> spoke-b (propagated) matched"
    assert _detail(t, "return tgw route", back=True) == \
        "return tgw route 10.1.0.0/16 -> spoke-a (propagated) matched"


def test_unassociated_attachments_use_the_default_table_and_it_gets_every_propagation():
    """spoke-b is associated with no named table: the default one (every VPC propagated)."""
    text = SHARED.replace("associate spoke-a, spoke-b", "associate spoke-a")
    m = model(text)
    t = m.trace("b-api", "a-web", "tcp", 443)
    assert _detail(t, "tgw route") == ("tgw route 10.1.0.0/16 -> spoke-a (propagated) matched in "
                                       "route table 'default' (associated with attachment 'spoke-b')")
    # spoke-a's table has no route to spoke-b: the response is dropped there
    assert t.verdict == "blocked" and "route table 'spokes'" in t.reason, t.table()


def test_default_association_off_leaves_an_attachment_without_a_table():
    text = SHARED.replace("tgw core {", "tgw core {\n  default-association off").replace(
        "associate spoke-a, spoke-b", "associate spoke-a")
    m = model(text)
    t = check(m, text, "b-api", "dc-1", "tcp", 389, "blocked", "route", "tgw:core",
              at="tgw core {")
    assert "attachment 'spoke-b' of transit gateway 'core' is associated with no route table" in t.reason


def test_default_propagation_off_leaves_the_default_table_with_its_static_routes_only():
    text = SHARED.replace("tgw core {", "tgw core {\n  default-propagation off\n  route 10.1.0.0/16 -> spoke-a")
    text = text.replace("associate spoke-a, spoke-b", "associate spoke-a")
    m = model(text)
    dp = Tracer(m).dp
    default = dp.tgw_tables["core"].tables["default"]
    assert [e.text for e in _entries(default)] == ["10.1.0.0/16 -> spoke-a"]
    t = m.trace("b-api", "dc-1", "tcp", 389)
    assert t.verdict == "blocked" and "route table 'default'" in t.reason, t.table()


def test_a_route_table_named_default_adds_to_the_default_table():
    text = SHARED[:SHARED.index("  route-table spokes")] + \
        "  route-table default {\n    10.2.0.0/16 -> blackhole\n  }\n}\n"
    m = model(text)
    check(m, text, "a-web", "b-api", "tcp", 443, "blocked", "route", "tgw:core",
          at="10.2.0.0/16 -> blackhole")
    assert m.trace("a-web", "dc-1", "tcp", 389).allowed


def _entries(lookup):
    for levels in lookup.index.levels.values():
        for _, bucket in levels:
            yield from bucket.values()


# ---------------------------------------------------------------------------- isolated VPCs, VPN

ISOLATED = """\
region us-east-1
vpc a {
  cidr 10.1.0.0/16
  subnet a-1 10.1.1.0/24 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  sg a-sg { in tcp 22 from 10.0.0.0/8; in tcp 22 from 192.168.0.0/16 }
  instance host-a in a-1 sg a-sg
}
vpc b {
  cidr 10.2.0.0/16
  subnet b-1 10.2.1.0/24 az a
  route-table b-main main { 0.0.0.0/0 -> core }
  sg b-sg { in tcp 22 from 10.0.0.0/8; in tcp 22 from 192.168.0.0/16 }
  instance host-b in b-1 sg b-sg
}
site office 192.168.0.0/16 asn 65010
vpn office-vpn office <-> core bgp
tgw core {
  attach a
  attach b
  route-table vpcs {
    associate a, b
    propagate office-vpn
  }
  route-table vpn {
    associate office-vpn
    propagate a, b
  }
}
"""


def test_isolated_vpcs_reach_the_vpn_and_not_each_other():
    m = model(ISOLATED)
    check(m, ISOLATED, "host-a", "host-b", "tcp", 22, "blocked", "route", "tgw:core",
          at="route-table vpcs {")
    t = check(m, ISOLATED, "office", "host-a", "tcp", 22, "allowed")
    assert "route table 'vpn' (associated with attachment 'office-vpn')" in _detail(t, "tgw route")
    assert "route table 'vpcs' (associated with attachment 'a')" in \
        _detail(t, "return tgw route", back=True)
    t = check(m, ISOLATED, "host-a", "office", "tcp", 22, "allowed")
    assert "route table 'vpcs'" in _detail(t, "tgw route")
    assert "route table 'vpn'" in _detail(t, "return tgw route", back=True)


def test_a_vpn_whose_table_does_not_hold_the_vpc_cannot_reach_it():
    text = ISOLATED.replace("propagate a, b", "propagate a")
    m = model(text)
    check(m, text, "office", "host-b", "tcp", 22, "blocked", "route", "tgw:core", at="route-table vpn {")
    t = m.trace("host-b", "office", "tcp", 22)         # out by vpcs, back by vpn: no route home
    assert t.verdict == "blocked" and "route table 'vpn'" in t.reason, t.table()


# ---------------------------------------------------------------------------- reach agrees

def test_reach_agrees_with_trace_on_a_route_table_model():
    m = vpcdsl.loads(SHARED, filename="rt.vpc", strict=False)
    checked = _agree(m, ["a-web", "b-api", "dc-1"], 120, seed=3)
    m2 = vpcdsl.loads(ISOLATED, filename="iso.vpc", strict=False)
    checked += _agree(m2, ["host-a", "host-b", "office"], 120, seed=4)
    assert checked >= 250


def test_every_matrix_cell_through_route_tables_agrees_with_trace():
    for text in (SHARED, ISOLATED, SHARED.replace("propagate spoke-a, spoke-b", "propagate spoke-a")):
        m = model(text)
        for level in ("instance", "subnet"):
            mx = matrix(m, level)
            assert mx.ends and _oracle(m, mx) == []
    mx = matrix(model(SHARED), "instance")
    assert not mx.allowed("a-web", "b-api") and mx.allowed("a-web", "dc-1")


# ---------------------------------------------------------------------------- diagnostics

def _codes(text: str) -> list[tuple[str, int]]:
    m = model(text, valid=False)
    return [(d.code, d.span.line) for d in m.diagnostics if d.code[1:3] in ("31", "30") or d.code == "W307"]


def test_unknown_and_non_attachment_names_in_a_table_are_e313():
    text = SHARED.replace("propagate shared", "propagate shared, nowhere").replace(
        "associate shared", "associate shared, site-x") + "site site-x 192.168.0.0/16\n"
    got = _codes(text)
    assert ("E313", line_of(text, "propagate shared, nowhere")) in got
    assert ("E313", line_of(text, "associate shared, site-x")) in got


def test_an_attachment_associated_twice_is_e314():
    text = SHARED.replace("associate shared", "associate shared, spoke-a")
    m = model(text, valid=False)
    d = next(d for d in m.diagnostics if d.code == "E314")
    assert d.span.line == line_of(text, "associate shared, spoke-a")
    assert "route table 'spokes' and again with 'services'" in d.message
    rendered = m.diagnostics.render() if hasattr(m.diagnostics, "render") else str(d)
    assert rendered


def test_a_table_without_associations_is_w306_and_a_route_to_another_tgws_vpc_is_e308():
    text = SHARED + """\
vpc far {
  cidr 10.7.0.0/16
  subnet f-1 10.7.1.0/24 az a
}
tgw edge { attach far }
"""
    text = text.replace("  route-table services {", "  route-table unused {\n    10.7.0.0/16 -> far\n  }\n"
                        "  route-table services {")
    got = _codes(text)
    assert ("W306", line_of(text, "route-table unused {")) in got
    assert ("E308", line_of(text, "10.7.0.0/16 -> far")) in got


# ---------------------------------------------------------------------------- SG referencing

REFS = SHARED.replace("sg dir { in tcp 389 from 10.0.0.0/8 }", "sg dir { in tcp 389 from a-web }")


def test_a_group_reference_across_a_tgw_matches_only_with_sg_referencing_on():
    m = model(REFS, valid=False)
    t = check(m, REFS, "a-web", "dc-1", "tcp", 389, "blocked", "sg", at="sg dir {")
    d = next(d for d in m.diagnostics if d.code == "W307")
    assert d.span.line == line_of(REFS, "sg dir {") and "sg-referencing on" in d.hint
    on = REFS.replace("tgw core {", "tgw core {\n  sg-referencing on")
    m = model(on)
    assert not [d for d in m.diagnostics if d.code == "W307"]
    t = check(m, on, "a-web", "dc-1", "tcp", 389, "allowed")
    assert "a-web" in _detail(t, "sg dir")
    # the response needs no rule (stateful); an outbound reference is not honoured over a TGW
    out = on.replace("sg a-web { in tcp 443 from 10.0.0.0/8 }",
                     "sg a-web { in tcp 443 from 10.0.0.0/8; out tcp 389 to dir }")
    check(model(out, valid=False), out, "a-web", "dc-1", "tcp", 389, "blocked", "sg")


# ---------------------------------------------------------------------------- the diagram

def test_the_diagram_draws_each_route_table_and_each_attachments_table():
    m = model(SHARED)
    dot = m.diagram().source
    assert dot == model(SHARED).diagram().source            # deterministic
    for row in ("route table spokes", "associated: spoke-a, spoke-b", "propagates: shared",
                "route table services", "propagates: spoke-a, spoke-b"):
        assert row in dot
    assert "route table default" not in dot                 # nothing uses or fills it
    assert "attachment\\na-1\\nroute table spokes" in dot
    assert "attachment\\nsh-a\\nroute table services" in dot
    plain = model(SHARED[:SHARED.index("  route-table spokes")] + "}\n").diagram().source
    assert "route table spokes" not in plain and "Transit gateway\\ncore" in plain


def test_diff_answers_through_route_tables():
    """Dropping a propagation closes shared-to-spoke-b both ways (the request, and the
    response of spoke-b's own requests), and nothing else."""
    from vpcdsl.analysis.diff import diff
    old = model(SHARED)
    new = model(SHARED.replace("propagate spoke-a, spoke-b", "propagate spoke-a"))
    d = diff(old, new, incremental=False)
    assert [o.kind for o in d.objects] == ["tgw"]
    closed = sorted((f.src, f.dst, f.service) for f in d.flows if f.change == "closed")
    assert closed == [("b-api", "dc-1", "tcp 389"), ("dc-1", "b-api", "tcp 443")]
    assert not [f for f in d.flows if f.change != "closed"]
    why = next(f for f in d.flows if f.src == "b-api").after.reason
    assert "route table 'services'" in why
    inc = diff(old, new)                       # the incremental diff traces only what can change
    assert sorted((f.src, f.dst, f.service) for f in inc.flows if f.change == "closed") == closed


def test_reach_and_matrix_agree_with_trace_on_group_references_across_a_tgw():
    on = REFS.replace("tgw core {", "tgw core {\n  sg-referencing on")
    for text in (REFS, on):
        m = model(text, valid=False)
        assert _agree(m, ["a-web", "b-api", "dc-1"], 100, seed=2) >= 200
        for level in ("instance", "subnet"):
            assert _oracle(m, matrix(m, level)) == []
    assert not matrix(model(REFS, valid=False), "instance").allowed("a-web", "dc-1")
    assert matrix(model(on), "instance").allowed("a-web", "dc-1")


# ---------------------------------------------------------------------------- DX gateways, sites

HYBRID = """\
region us-east-1
vpc app {
  cidr 10.1.0.0/16
  subnet a-1 10.1.1.0/24 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  sg app-sg { in tcp 22 from 172.16.0.0/12; in tcp 22 from 192.168.0.0/16 }
  instance app-1 in a-1 sg app-sg
}
site dc 172.16.0.0/16 asn 65020
site office 192.168.0.0/16 asn 65010
dxgw cdx { attach core }
dx dc-dx dc <-> cdx vif transit vlan 400
vpn office-vpn office <-> core bgp
tgw core {
  attach app
  route-table vpcs {
    associate app
    propagate cdx, office-vpn
  }
  route-table onprem {
    associate cdx, office-vpn
    propagate app, cdx, office-vpn
  }
}
"""


def test_a_dx_gateway_attachment_is_looked_up_in_its_own_table_both_ways():
    m = model(HYBRID)
    t = check(m, HYBRID, "dc", "app-1", "tcp", 22, "allowed")
    assert "route table 'onprem' (associated with attachment 'cdx')" in _detail(t, "tgw route")
    assert "route table 'vpcs' (associated with attachment 'app')" in _detail(t, "return tgw route", back=True)
    t = check(m, HYBRID, "app-1", "dc", "tcp", 22, "allowed")
    assert "route table 'vpcs'" in _detail(t, "tgw route")
    assert "route table 'onprem' (associated with attachment 'cdx')" in \
        _detail(t, "return tgw route", back=True)


def test_sites_reach_each_other_by_the_tables_of_the_links_they_enter_by():
    m = model(HYBRID)
    assert m.trace("office", "dc", "tcp", 22).allowed
    text = HYBRID.replace("propagate app, cdx, office-vpn", "propagate app, office-vpn")
    m = model(text)
    t = m.trace("office", "dc", "tcp", 22)           # onprem has no route to the data centre
    assert t.verdict == "blocked" and t.kind == "route", t.table()
    assert "no VPN or Direct Connect gateway of site 'office' has a route to site 'dc'" in t.reason
    text = HYBRID.replace("propagate app, cdx, office-vpn", "propagate cdx, office-vpn")
    m = model(text)
    t = check(m, text, "app-1", "dc", "tcp", 22, "blocked", "route", "tgw:core",
              at="route-table onprem {")              # dc's answer enters by cdx: no route to app
    assert t.back[-1].action == "drop" and "route table 'onprem'" in t.reason
