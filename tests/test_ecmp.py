"""ECMP: which gateways spread flows over several links, and how a trace shows it.

- A TGW with VPN ECMP support (`tgw NAME ... vpn-ecmp`) spreads flows over BGP VPNs that
  announce a prefix with equal attributes; without it, or over static VPNs, it uses one
  VPN connection at a time (TGW guide, "How transit gateways work", Equal Cost Multipath
  routing: https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html;
  https://repost.aws/knowledge-center/vpn-configure-tunnel-preference).
- A VGW uses one VPN connection at a time (the link written first, vpcdsl's tie-break).
- Direct Connect links with equal attributes are active/active, flows hashed across them,
  on a VGW and on a TGW (DX guide, "Routing policies and BGP communities":
  https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html).
- On a TGW a static VPN's routes are static routes, before Direct Connect gateway routes,
  before BGP VPN routes (TGW guide, "Route evaluation order").
A trace follows the first of the ECMP links, deterministically, and says so.
"""

from __future__ import annotations

import json

from tracing import check, hop, hops, model

TGW = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  route-table main main { 172.16.0.0/12 -> hub }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
tgw hub asn 64600 vpn-ecmp { attach corp }
"""
ECMP_WORDS = "ECMP over vpn-a, vpn-b: flows are hashed across them; this trace follows vpn-a"


def both_ways(text):
    """The TGW's choice hop of app-1 -> hq, and of the response to hq -> app-1."""
    m = model(text)
    there = check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    back = check(m, text, "hq", "app-1", "tcp", 443, "allowed")
    return m, there, back, hop(there, "tgw:hub", last=True), hop(back, "tgw:hub", back=True, last=True)


def test_a_tgw_with_vpn_ecmp_spreads_flows_over_equal_bgp_vpns():
    text = TGW + "vpn vpn-a hq <-> hub bgp\nvpn vpn-b hq <-> hub bgp\n"
    m, there, back, forward, returning = both_ways(text)
    assert forward.detail == f"hub sends it over BGP VPN 'vpn-a' (172.16.0.0/16: {ECMP_WORDS})"
    assert returning.detail == f"hub sends the response over BGP VPN 'vpn-a' (172.16.0.0/16: {ECMP_WORDS})"
    assert "vpn:vpn-a" in [c for c, _ in hops(there)] and "vpn:vpn-b" not in [c for c, _ in hops(there)]
    assert m.tgws["hub"].vpn_ecmp is True
    # deterministic: the same trace, byte for byte
    again = model(text).trace("app-1", "hq", "tcp", 443)
    assert json.dumps(again.to_dict(), sort_keys=True) == json.dumps(there.to_dict(), sort_keys=True)


def test_without_vpn_ecmp_a_tgw_uses_one_vpn_at_a_time():
    text = (TGW + "vpn vpn-a hq <-> hub bgp\nvpn vpn-b hq <-> hub bgp\n").replace(" vpn-ecmp {", " {")
    m, there, back, forward, returning = both_ways(text)
    assert m.tgws["hub"].vpn_ecmp is False
    for h in (forward, returning):
        assert "ECMP" not in h.detail.replace("VPN ECMP support", "")
        assert ("over BGP VPN 'vpn-b': written first (equal attributes; transit gateway 'hub' has "
                "no VPN ECMP support, `vpn-ecmp`, so it uses one VPN connection at a time)") in h.detail


def test_ecmp_only_among_the_equal_best_paths():
    text = TGW + ("vpn vpn-a hq <-> hub bgp\nvpn vpn-b hq <-> hub bgp\nvpn vpn-c hq <-> hub bgp\n"
                  "advertise hq 172.16.0.0/16 via vpn-a prepend 2\n")
    _, there, _, forward, returning = both_ways(text)
    for h in (forward, returning):
        assert "over BGP VPN 'vpn-b' (172.16.0.0/16: ECMP over vpn-b, vpn-c: flows are hashed " \
               "across them; this trace follows vpn-b; over BGP VPN 'vpn-a': shorter AS path (1 vs 3))" \
               in h.detail
    # a MED apart breaks the tie: no ECMP
    text = text.replace("prepend 2\n", "prepend 2\nadvertise hq 172.16.0.0/16 via vpn-b med 20\n")
    _, _, _, forward, _ = both_ways(text)
    assert "over BGP VPN 'vpn-c' (" in forward.detail and "ECMP" not in forward.detail
    assert "over BGP VPN 'vpn-b': lower MED (0 vs 20, both from AS 65001)" in forward.detail


def test_static_vpns_use_one_connection_even_with_vpn_ecmp():
    text = TGW + "vpn vpn-a hq <-> hub static 172.16.0.0/16\nvpn vpn-b hq <-> hub static 172.16.0.0/16\n"
    _, _, _, forward, returning = both_ways(text)
    for h in (forward, returning):
        assert "over static VPN 'vpn-a'" in h.detail and "ECMP over" not in h.detail
        assert "written first (equal attributes; a static VPN's routes use one connection at a time)" \
            in h.detail


def test_a_vgw_uses_one_vpn_but_spreads_over_equal_direct_connects():
    text = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw
  route-table main main { propagate corp-vgw }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
dxgw gw asn 64513 { attach corp-vgw }
dx dx-1 hq <-> gw vif private vlan 101
dx dx-2 hq <-> gw vif private vlan 102
vpn vpn-a hq <-> corp-vgw bgp
"""
    m = model(text)
    there = check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    back = check(m, text, "hq", "app-1", "tcp", 443, "allowed")
    want = ("(172.16.0.0/16: ECMP over dx-1, dx-2: flows are hashed across them; this trace "
            "follows dx-1; over BGP VPN 'vpn-a': Direct Connect over BGP VPN)")
    assert want in hop(there, "vgw:corp-vgw").detail
    assert [c for c, _ in hops(there)][-3:] == ["dxgw:gw", "dx:dx-1", "site:hq"]
    # the site's request came over dx-1 (Direct Connect first); its response goes back by dx-1
    assert want in hop(back, "vgw:corp-vgw", back=True).detail
    # equal DX links on a TGW too, and Direct Connect before a BGP VPN there
    text = TGW + """\
dxgw core asn 64513 { attach hub }
dx dx-1 hq <-> core vif transit vlan 401
dx dx-2 hq <-> core vif transit vlan 402
vpn vpn-a hq <-> hub bgp
"""
    _, there, _, forward, returning = both_ways(text)
    for h in (forward, returning):
        assert "over Direct Connect 'dx-1' (172.16.0.0/16: ECMP over dx-1, dx-2" in h.detail
        assert "over BGP VPN 'vpn-a': Direct Connect over BGP VPN" in h.detail
    assert [c for c, _ in hops(there)][-4:] == ["tgw:hub", "dxgw:core", "dx:dx-1", "site:hq"]


def test_on_a_tgw_a_static_vpn_comes_before_direct_connect():
    text = TGW + """\
dxgw core asn 64513 { attach hub }
dx dx-1 hq <-> core vif transit vlan 401
vpn vpn-s hq <-> hub static 172.16.0.0/16
"""
    _, there, _, forward, returning = both_ways(text)
    for h in (forward, returning):
        assert h.detail.endswith("over static VPN 'vpn-s' (172.16.0.0/16: over Direct Connect "
                                 "'dx-1': static VPN over Direct Connect)")
    assert "vpn:vpn-s" in [c for c, _ in hops(there)]


def test_a_route_table_holds_only_the_links_that_propagate_into_it():
    # the VPC's table learns only vpn-b's routes: vpn-a, with a shorter AS path, is not in it
    text = TGW.replace("{ attach corp }", """{
  attach corp
  route-table spokes { associate corp; propagate vpn-b }
}""") + ("vpn vpn-a hq <-> hub bgp\nvpn vpn-b hq <-> hub bgp\n"
         "advertise hq 172.16.0.0/16 via vpn-b prepend 2\n")
    m = model(text)
    t = check(m, text, "app-1", "hq", "tcp", 443, "allowed")
    names = [c for c, _ in hops(t)]
    assert "vpn:vpn-b" in names and "vpn:vpn-a" not in names
    assert not any("vpn-a" in h.detail for h in t.forward)
