"""`down` on a `vpn` or `dx`: path selection skips it, a trace shows the failover, and a site
whose only link is down is unreachable, with the reason, both ways.

AWS withdraws the routes of a VPN whose tunnels are down, or of a Direct Connect VIF whose
BGP session is down, and sends over the next-best link that announces the prefix
(Site-to-Site VPN guide, "Route tables and route priority":
https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html; Direct Connect
guide, active/active and active/passive connections:
https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html).
The set engine (reach, diff) agrees with traces on such models.
"""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from vpcdsl.analysis.diff import diff
from vpcdsl.analysis.reach import reach
from vpcdsl.packetsets import Packet

from tracing import check, hop, hops, model

VGW = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
site north 172.20.0.0/20 asn 65011
dxgw gw asn 64513 { attach corp-vgw }
dx dx-1 hq <-> gw vif private vlan 101
vpn vpn-backup hq <-> corp-vgw bgp
vpn north-vpn north <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via vpn-backup prepend 2 med 100
"""
TGW = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  route-table main main { 172.16.0.0/12 -> hub }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
tgw hub asn 64600 { attach corp }
vpn vpn-a hq <-> hub bgp
vpn vpn-b hq <-> hub bgp
advertise hq 172.16.0.0/16 via vpn-b prepend 1
"""


def down(text: str, line_start: str) -> str:
    """``text`` with the line starting ``line_start`` marked `down`."""
    out = [ln + " down" if ln.startswith(line_start) else ln for ln in text.splitlines()]
    assert out != text.splitlines(), line_start
    return "\n".join(out) + "\n"


def test_down_parses_on_vpn_and_dx_and_defaults_to_up():
    m = model(down(down(VGW, "dx dx-1"), "vpn north-vpn"))
    assert m.dxs["dx-1"].down and m.vpns["north-vpn"].down and not m.vpns["vpn-backup"].down
    m = model("site hq 172.16.0.0/16\nvpn v hq <-> gw static 172.16.0.0/16 down\n"
              "vpc a {\n  cidr 10.0.0.0/16\n  vgw gw\n}\n")
    assert m.vpns["v"].down and m.vpns["v"].static_cidrs[0].text == "172.16.0.0/16"
    assert not model(VGW).dxs["dx-1"].down


def test_with_direct_connect_up_the_vgw_prefers_it():
    m = model(VGW)
    t = check(m, VGW, "app-1", "hq", "tcp", 443, "allowed")
    assert "over Direct Connect 'dx-1' (172.16.0.0/16: over BGP VPN 'vpn-backup': Direct Connect " \
           "over BGP VPN)" in hop(t, "vgw:corp-vgw").detail


def test_a_down_direct_connect_fails_over_to_the_vpn_both_ways():
    text = down(VGW, "dx dx-1")
    m = model(text)
    t = check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    assert hop(t, "vgw:corp-vgw").detail == (
        "corp-vgw sends it over BGP VPN 'vpn-backup' (172.16.0.0/16: Direct Connect 'dx-1' is down: "
        "BGP VPN 'vpn-backup' carries it)")
    assert [c for c, _ in hops(t)][-2:] == ["vpn:vpn-backup", "site:hq"]
    # the site's own request: it sends over the VPN, and the VGW answers over it too
    t = check(m, text, "hq", "app-1", "tcp", 443, "allowed")
    first = [h for h in t.forward if h.component == "site:hq"][1]
    assert first.detail == "Direct Connect 'dx-1' is down: site 'hq' sends it over BGP VPN 'vpn-backup'"
    assert [c for c, _ in hops(t)][2:4] == ["vpn:vpn-backup", "vgw:corp-vgw"]
    assert "over BGP VPN 'vpn-backup' (172.16.0.0/16: Direct Connect 'dx-1' is down" \
        in hop(t, "vgw:corp-vgw", back=True).detail
    assert [c for c, _ in hops(t, back=True)][-3:] == ["vgw:corp-vgw", "vpn:vpn-backup", "site:hq"]


def test_a_site_whose_only_link_is_down_is_unreachable_with_the_reason():
    text = down(down(VGW, "dx dx-1"), "vpn vpn-backup")
    m = model(text)
    # AWS withdraws the down links' routes: the route table has none left (not the VGW)
    t = check(m, text, "app-1", "hq", "tcp", 443, "blocked", "route", "route-table:main",
              at="vpn vpn-backup")
    assert t.reason == ("no route in 'main' matches 172.16.0.10: route 172.16.0.0/16 -> corp-vgw "
                        "(propagated) was withdrawn: BGP VPN 'vpn-backup' (line 13), Direct Connect "
                        "'dx-1' (line 12), the only links announcing it, are down, so site 'hq' is "
                        "unreachable")
    assert not any(h.component == "vgw:corp-vgw" for h in t.forward)
    t = check(m, text, "hq", "app-1", "tcp", 443, "blocked", "route", "site:hq", at="dx dx-1")
    assert t.reason == ("site 'hq' cannot reach VPC 'corp': Direct Connect 'dx-1', BGP VPN "
                        "'vpn-backup' are down, and it has no other VPN or Direct Connect there")
    # the other site is untouched
    check(m, text, "app-1", "north", "tcp", 443, "allowed")


def test_cloudhub_skips_a_down_link_and_says_why_it_has_no_route():
    text = down(VGW, "vpn north-vpn")
    m = model(text)
    t = check(m, text, "hq", "north", "tcp", 22, "blocked", "route", "site:hq")
    assert "no VPN or Direct Connect gateway of site 'hq' has a route to site 'north'" in t.reason
    t = check(m, text, "north", "hq", "tcp", 22, "blocked", "route", "site:north")
    assert t.reason.endswith("(BGP VPN 'north-vpn' is down)")
    check(model(VGW), VGW, "north", "hq", "tcp", 22, "allowed")


def test_a_down_public_vif_carries_nothing():
    text = VGW.replace("site hq 172.16.0.0/16", "site hq 172.16.0.0/16, 203.0.113.0/28") \
        + "dx hq-public hq <-> aws vif public vlan 301 down\n"
    m = model(text)
    t = check(m, text, "203.0.113.5", "s3", "tcp", 443, "blocked", "route", "dx:hq-public")
    assert t.reason == ("public VIF 'hq-public' is down: site 'hq' has no public VIF up to AWS "
                        "public services")
    up = text.replace(" vlan 301 down", " vlan 301")
    check(model(up), up, "203.0.113.5", "s3", "tcp", 443, "allowed")


def test_a_tgw_fails_over_to_the_next_vpn_and_says_so():
    m = model(TGW)
    t = check(m, TGW, "app-1", "hq", "tcp", 443, "allowed")
    assert "vpn:vpn-a" in [c for c, _ in hops(t)]
    text = down(TGW, "vpn vpn-a")
    m = model(text)
    t = check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    assert hop(t, "tgw:hub", last=True).detail == (
        "hub sends it over BGP VPN 'vpn-b' (172.16.0.0/16: BGP VPN 'vpn-a' is down: BGP VPN "
        "'vpn-b' carries it)")
    assert [c for c, _ in hops(t)][-2:] == ["vpn:vpn-b", "site:hq"]
    t = check(m, text, "hq", "app-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][1:4] == ["site:hq", "vpn:vpn-b", "tgw:hub"]
    assert "vpn:vpn-b" in [c for c, _ in hops(t, back=True)]


def test_a_tgw_site_whose_only_link_is_down_is_unreachable_both_ways():
    text = down(down(TGW, "vpn vpn-a"), "vpn vpn-b")
    m = model(text)
    t = check(m, text, "app-1", "hq", "tcp", 443, "blocked", "route", "tgw:hub", at="vpn vpn-a")
    assert t.reason == ("no route in transit gateway 'hub' matches 172.16.0.10: route "
                        "172.16.0.0/16 -> vpn-a, vpn-b (propagated) was withdrawn: BGP VPN 'vpn-a' "
                        "(line 10), BGP VPN 'vpn-b' (line 11), the only links announcing it, are "
                        "down, so site 'hq' is unreachable")
    t = check(m, text, "hq", "app-1", "tcp", 443, "blocked", "route", "site:hq")
    assert "BGP VPN 'vpn-a', BGP VPN 'vpn-b' are down" in t.reason


# ---------------------------------------------------------------------------- the set engine

def _agrees(m, src: str, dst: str) -> int:
    """Every row of reach(src, dst): its witness's verdict is the row's, and a fresh trace
    of a packet of it agrees; the rows checked."""
    rows = reach(m, src, dst).rows
    assert rows
    for row in rows:
        w = row.witness
        got = "allowed" if w.allowed else "intermittent" if w.intermittent else "blocked"
        assert got == row.status, (src, dst, row.words, w.table())
    return len(rows)


@pytest.mark.parametrize("text", [VGW, down(VGW, "dx dx-1"), down(down(VGW, "dx dx-1"), "vpn vpn-backup"),
                                  TGW, down(TGW, "vpn vpn-a"), down(down(TGW, "vpn vpn-a"), "vpn vpn-b")],
                         ids=["vgw-up", "vgw-dx-down", "vgw-all-down", "tgw-up", "tgw-a-down", "tgw-all-down"])
def test_reach_agrees_with_trace_on_med_and_down_models(text):
    from test_reach import _agree
    m = model(text)
    for src, dst in (("app-1", "hq"), ("hq", "app-1"), ("app-1", "172.16.0.0/16")):
        _agrees(m, src, dst)
    # random concrete flows from the VPC and from the site, traced and looked up in reach
    assert _agree(m, ["app-1", "hq"], 80, seed=len(text)) > 40
    cut = text.count(" down\n") == 2
    https = Packet(IPv4Address("172.16.0.10"), IPv4Address("10.40.1.4"), 6, 33000, 443)
    assert reach(m, "hq", "app-1").status_of(https) == ("blocked" if cut else "allowed")


def test_reach_names_the_link_that_carries_it_after_failover():
    via = {r.via for r in reach(model(VGW), "hq", "app-1").rows}
    assert via == {"dx:dx-1"}
    via = {r.via for r in reach(model(down(VGW, "dx dx-1")), "hq", "app-1").rows}
    assert via == {"vpn:vpn-backup"}


def test_diff_of_marking_the_direct_connect_down():
    old = model(VGW)
    failover = model(down(VGW, "dx dx-1"))
    # the VPN takes over: nothing that was allowed closes
    assert not [f for f in diff(old, failover).flows if f.change == "closed"]
    cut = model(down(down(VGW, "dx dx-1"), "vpn vpn-backup"))
    d = diff(old, cut)
    closed = {(f.src, f.dst) for f in d.flows if f.change == "closed"}
    assert ("app-1", "hq") in closed and ("hq", "app-1") in closed
    assert not any(f.change == "opened" for f in d.flows)
    # north still reaches the VPC; only its CloudHub flows to hq close
    assert ("north", "app-1") not in closed and ("north", "hq") in closed


def test_a_vpn_inside_a_down_direct_connect_is_down_too():
    """`vpn ... over DX`: the tunnels run inside that circuit, so they fall with it."""
    text = down(VGW, "dx dx-1").replace("site hq 172.16.0.0/16", "site hq 172.16.0.0/16, 203.0.113.0/28") \
        .replace("vpn vpn-backup hq <-> corp-vgw bgp", "vpn vpn-backup hq <-> corp-vgw bgp over hq-public") \
        + "dx hq-public hq <-> aws vif public vlan 301\n"
    m = model(text)
    assert not m.dataplane.links_on["corp-vgw"][0].down
    check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    cut = down(text, "dx hq-public")
    m = model(cut)
    t = check(m, cut, "app-1", "hq", "tcp", 443, "blocked", "route", "route-table:main")
    assert ("BGP VPN 'vpn-backup' (line 13, inside Direct Connect 'hq-public', which is down), "
            "Direct Connect 'dx-1' (line 12), the only links announcing it, are down") in t.reason
    t = check(m, cut, "hq", "app-1", "tcp", 443, "blocked", "route", "site:hq")
    assert "BGP VPN 'vpn-backup' (inside Direct Connect 'hq-public', which is down)" in t.reason


# ------------------------------------------------------------ withdrawn routes (issue 12)
# AWS withdraws the BGP routes of a VPN whose tunnels are down and of a VIF whose session is
# down: they leave the VGW's and TGW's route tables, and so every VPC route table that
# propagates the VGW (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html,
# https://docs.aws.amazon.com/vpc/latest/userguide/WorkWithRouteTables.html#EnableDisableRouteProp).
# A static route is not withdrawn.

def test_a_prefix_only_down_links_announce_is_not_propagated():
    text = down(down(VGW, "dx dx-1"), "vpn vpn-backup")
    table = model(text).dataplane.routes["main"]
    assert table.lookup(IPv4Address("172.16.0.10")) is None
    assert table.lookup(IPv4Address("172.20.0.10")).text == \
        "172.20.0.0/20 -> corp-vgw (propagated from north-vpn)"
    assert [str(w.net) for w in table.withdrawn] == ["172.16.0.0/16"]
    # up, both links' routes are there
    up = model(VGW).dataplane.routes["main"].lookup(IPv4Address("172.16.0.10"))
    assert up.text == "172.16.0.0/16 -> corp-vgw (propagated from vpn-backup, dx-1)"


def test_a_static_route_to_the_vgw_stays_and_blocks_at_the_vgw():
    text = down(down(VGW, "dx dx-1"), "vpn vpn-backup").replace(
        "{ propagate corp-vgw }", "{ propagate corp-vgw\n 172.16.0.0/16 -> corp-vgw }")
    m = model(text)
    t = check(m, text, "app-1", "hq", "tcp", 443, "blocked", "route", "vgw:corp-vgw")
    assert "route 172.16.0.0/16 -> corp-vgw matched" in hop(t, "route-table:main").detail
    assert "are down, so site 'hq' is unreachable" in t.reason


STATIC_BACK = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
vpn vpn-static hq <-> corp-vgw static 172.16.1.0/24
vpn vpn-bgp hq <-> corp-vgw bgp down
"""


def test_the_response_to_an_address_only_a_down_link_announced_has_no_route_back():
    """The request goes over the static VPN (up), but only the down BGP VPN announced the
    client's /16: its route is withdrawn, so the response has no route back, saying why."""
    m = model(STATIC_BACK)
    t = check(m, STATIC_BACK, "172.16.5.10", "app-1", "tcp", 443, "blocked", "route",
              "route-table:main", at="vpn vpn-bgp")
    assert t.back and "route 172.16.0.0/16 -> corp-vgw (propagated) was withdrawn: BGP VPN " \
        "'vpn-bgp' (line 11), the only link announcing it, is down" in t.reason
    # the static VPN's own prefix is propagated and answers both ways
    check(m, STATIC_BACK, "172.16.1.10", "app-1", "tcp", 443, "allowed")
    check(m, STATIC_BACK, "app-1", "172.16.1.10", "tcp", 443, "allowed")
    t = check(m, STATIC_BACK, "app-1", "172.16.5.10", "tcp", 443, "blocked", "route", "route-table:main")
    assert "was withdrawn: BGP VPN 'vpn-bgp' (line 11)" in t.reason


def test_the_tgw_route_hop_names_the_links_that_announce_it():
    t = check(model(TGW), TGW, "app-1", "hq", "tcp", 443, "allowed")
    assert "tgw route 172.16.0.0/16 -> vpn-a, vpn-b (propagated) matched" in \
        [h.detail for h in t.forward]
    text = down(TGW, "vpn vpn-a")
    t = check(model(text), text, "app-1", "hq", "tcp", 443, "allowed")
    assert "tgw route 172.16.0.0/16 -> vpn-b (propagated) matched" in [h.detail for h in t.forward]
    t = check(model(text), text, "hq", "app-1", "tcp", 443, "allowed")
    assert "return tgw route 172.16.0.0/16 -> vpn-b (propagated) matched" in [h.detail for h in t.back]
