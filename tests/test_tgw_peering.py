"""Transit gateway peering attachments: two TGWs, in one Region or two, static routes only.

AWS Transit Gateway guide, "Transit gateway peering attachments"
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html: you can peer intra-Region and
inter-Region transit gateways; to route between them add a static route to the TGW route
table that points to the peering attachment (each side adds its own); peering attachments
do not propagate routes. A packet that enters a TGW by the peering attachment is looked up in
the route table associated with it ("Transit gateway route tables",
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html).
"""

from __future__ import annotations

import vpcdsl

from test_reach import _agree
from tracing import check, line_of, model

PEERED = """\
region us-east-1
vpc east {
  cidr 10.1.0.0/16
  subnet e-1 10.1.1.0/24 az a
  route-table e-main main { 0.0.0.0/0 -> tgw-east }
  sg e-sg { in tcp 443 from 10.0.0.0/8 }
  instance e-web in e-1 sg e-sg
}
tgw tgw-east asn 64601 {
  attach east
  peering east-west -> tgw-west
  route 10.2.0.0/16 -> east-west
}
region eu-west-1
vpc west {
  cidr 10.2.0.0/16
  subnet w-1 10.2.1.0/24 az a
  route-table w-main main { 0.0.0.0/0 -> tgw-west }
  sg w-sg { in tcp 443 from 10.0.0.0/8 }
  instance w-api in w-1 sg w-sg
}
tgw tgw-west asn 64602 {
  attach west
  route 10.1.0.0/16 -> east-west
}
"""


def _details(t, back: bool = False) -> list[str]:
    return [f"{h.component} {h.detail}" for h in (t.back if back else t.forward) if h.component.startswith("tgw:")]


def test_across_regions_through_both_tgws_there_and_back():
    m = model(PEERED)
    t = check(m, PEERED, "e-web", "w-api", "tcp", 443, "allowed")
    assert _details(t) == [
        "tgw:tgw-east tgw-east takes it from VPC 'east' at attachment subnet e-1",
        "tgw:tgw-east tgw route 10.2.0.0/16 -> east-west matched",
        "tgw:tgw-east tgw-east sends it over peering attachment 'east-west' to transit gateway 'tgw-west'",
        "tgw:tgw-west tgw route 10.2.0.0/16 -> west (propagated) matched",
        "tgw:tgw-west tgw-west hands it to VPC 'west' at attachment subnet w-1",
    ]
    assert _details(t, back=True) == [
        "tgw:tgw-west return tgw route 10.1.0.0/16 -> east-west matched",
        "tgw:tgw-west tgw-west sends the response over peering attachment 'east-west' to transit gateway 'tgw-east'",
        "tgw:tgw-east return tgw route 10.1.0.0/16 -> east (propagated) matched",
        "tgw:tgw-east tgw-east hands the response to VPC 'east' at attachment subnet e-1",
    ]
    t = check(m, PEERED, "w-api", "e-web", "tcp", 443, "allowed")     # and the other way
    assert "tgw:tgw-west tgw route 10.1.0.0/16 -> east-west matched" in _details(t)


def test_without_the_far_sides_static_route_the_response_is_dropped_there():
    text = PEERED.replace("  route 10.1.0.0/16 -> east-west\n", "")
    m = model(text)
    t = check(m, text, "e-web", "w-api", "tcp", 443, "blocked", "route", "tgw:tgw-west",
              at="tgw tgw-west asn 64602 {")
    assert t.reason == ("no return route: transit gateway 'tgw-west' has no route for 10.1.1.4, "
                        "not peering attachment 'east-west' back to transit gateway 'tgw-east'")
    assert t.back[-1].action == "drop"
    # forward from west: no route at all
    check(m, text, "w-api", "e-web", "tcp", 443, "blocked", "route", "tgw:tgw-west")


def test_the_table_associated_with_the_peering_routes_what_enters_by_it():
    text = PEERED.replace("  route 10.1.0.0/16 -> east-west\n", """\
  route 10.1.0.0/16 -> east-west
  route-table from-east {
    associate east-west
    10.2.0.0/16 -> blackhole
  }
""")
    m = model(text)
    t = check(m, text, "e-web", "w-api", "tcp", 443, "blocked", "route", "tgw:tgw-west",
              at="10.2.0.0/16 -> blackhole")
    assert "route table 'from-east' of transit gateway 'tgw-west' (associated with attachment " \
           "'east-west')" in t.reason


def test_peering_within_one_region():
    text = PEERED.replace("region eu-west-1\n", "")
    m = model(text)
    check(m, text, "e-web", "w-api", "tcp", 443, "allowed")
    check(m, text, "w-api", "e-web", "tcp", 443, "allowed")


def test_reach_agrees_with_trace_over_a_peering():
    m = vpcdsl.loads(PEERED, filename="peer.vpc", strict=False)
    assert _agree(m, ["e-web", "w-api"], 150, seed=7) >= 150


# ---------------------------------------------------------------------------- diagnostics

def _diags(text: str, code: str):
    return [d for d in model(text, valid=False).diagnostics if d.code == code]


def test_a_table_cannot_propagate_a_peering_e315():
    text = PEERED.replace("  route 10.1.0.0/16 -> east-west\n", """\
  route-table all {
    associate west
    propagate east-west
  }
""")
    [d] = _diags(text, "E315")
    assert d.span.line == line_of(text, "propagate east-west")
    assert "static routes only" in d.hint


def test_peering_with_itself_or_twice_is_e316_and_an_unknown_peer_a_name_error():
    text = PEERED.replace("  peering east-west -> tgw-west\n", "  peering east-west -> tgw-west\n"
                          "  peering loop -> tgw-east\n").replace(
        "  attach west\n", "  attach west\n  peering west-east -> tgw-east\n  peering nowhere -> tgw-north\n")
    got = {(d.code, d.span.line) for d in model(text, valid=False).diagnostics}
    assert ("E316", line_of(text, "peering loop -> tgw-east")) in got
    assert ("E316", line_of(text, "peering west-east -> tgw-east")) in got
    assert any(line == line_of(text, "peering nowhere -> tgw-north") and code.startswith("E2")
               for code, line in got), got


def test_a_route_to_a_peering_of_another_tgw_is_e308():
    text = PEERED + """\
tgw tgw-third {
  peering third-west -> tgw-west
  route 10.1.0.0/16 -> east-west
}
"""
    [d] = _diags(text, "E308")
    assert d.span.line == PEERED.count("\n") + 3      # tgw-third's route, not tgw-west's
    assert "tgw-third" in d.message and "east-west" in d.message


def test_the_diagram_draws_the_peering_and_both_tgws_tables():
    dot = model(PEERED).diagram().source
    assert "peering east-west\\nstatic routes" in dot
    assert "10.2.0.0/16 → east-west" in dot and "10.1.0.0/16 → east-west" in dot


# ------------------------------------------------- a site across a peering (issue 12)
# A site's VPN on one TGW reaches a VPC attached to the peer TGW when both sides route it:
# the site's TGW a static route to the VPC's block over the peering, the far TGW one to the
# site's prefix (peering attachments propagate nothing; each side adds its own static route,
# https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html).

SITE = PEERED.replace("from 10.0.0.0/8", "from 10.0.0.0/8, 172.16.0.0/12").replace(
    "  route 10.2.0.0/16 -> east-west\n}",
    "  route 10.2.0.0/16 -> east-west\n}\nsite hq 172.16.0.0/16 asn 65001\nvpn hq-vpn hq <-> tgw-east bgp", 1
).replace("  route 10.1.0.0/16 -> east-west\n",
          "  route 10.1.0.0/16 -> east-west\n  route 172.16.0.0/16 -> east-west\n")


def test_a_site_reaches_a_vpc_across_the_peering_and_the_response_returns():
    m = model(SITE)
    t = check(m, SITE, "hq", "w-api", "tcp", 443, "allowed")
    assert _details(t) == [
        "tgw:tgw-east tgw route 10.2.0.0/16 -> east-west matched",
        "tgw:tgw-east tgw-east sends it over peering attachment 'east-west' to transit gateway 'tgw-west'",
        "tgw:tgw-west tgw route 10.2.0.0/16 -> west (propagated) matched",
        "tgw:tgw-west tgw-west hands it to VPC 'west' at attachment subnet w-1",
    ]
    assert _details(t, back=True) == [
        "tgw:tgw-west return tgw route 172.16.0.0/16 -> east-west matched",
        "tgw:tgw-west tgw-west sends the response over peering attachment 'east-west' to transit gateway 'tgw-east'",
        "tgw:tgw-east return tgw route 172.16.0.0/16 -> hq-vpn (propagated) matched",
    ]
    assert [h.component for h in t.back][-2:] == ["vpn:hq-vpn", "site:hq"]
    # the other way, and the site's own TGW's VPC, as before
    check(m, SITE, "w-api", "hq", "tcp", 443, "allowed")
    check(m, SITE, "hq", "e-web", "tcp", 443, "allowed")


def test_without_the_far_tgws_route_to_the_site_the_response_is_dropped_there():
    text = SITE.replace("  route 172.16.0.0/16 -> east-west\n", "")
    m = model(text)
    t = check(m, text, "hq", "w-api", "tcp", 443, "blocked", "route", "tgw:tgw-west")
    assert t.back and "no return route: transit gateway 'tgw-west' has no route for 172.16.0.10" in t.reason
    t = check(m, text, "w-api", "hq", "tcp", 443, "blocked", "route", "tgw:tgw-west")
    assert t.reason == "no route in transit gateway 'tgw-west' matches 172.16.0.10"


def test_without_the_sites_tgw_route_over_the_peering_the_request_stops_there():
    text = SITE.replace("  route 10.2.0.0/16 -> east-west\n", "")
    m = model(text)
    t = check(m, text, "hq", "w-api", "tcp", 443, "blocked", "route", "tgw:tgw-east")
    assert t.reason == "no route in transit gateway 'tgw-east' matches 10.2.1.4"
    t = check(m, text, "w-api", "hq", "tcp", 443, "blocked", "route", "tgw:tgw-east")
    assert t.back and "not peering attachment 'east-west' back to transit gateway 'tgw-west'" in t.reason


def test_reach_agrees_with_trace_for_a_site_across_the_peering():
    for text in (SITE, SITE.replace("  route 172.16.0.0/16 -> east-west\n", "")):
        m = model(text)
        assert _agree(m, ["hq", "w-api", "e-web"], 60, seed=7) > 30
