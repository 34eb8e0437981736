"""BGP path selection, step by step, as AWS documents it, and the trace naming each step.

A VGW picks among the links that announce a prefix: the longest prefix, then Direct
Connect, then static VPN, then BGP VPN, then (Direct Connect) the higher local
preference, then the shorter AS path, then the lower MED between paths from the same
neighbouring AS, then one link at a time (Site-to-Site VPN guide, "Route tables and
route priority": https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html;
Direct Connect guide, "Routing policies and BGP communities":
https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html).
Each test traces both directions: a VPC's request to the site, and the site's request
whose response the VGW sends back by the same choice.
"""

from __future__ import annotations

import ipaddress

import pytest

import vpcdsl
from vpcdsl.diagnostics import render
from vpcdsl.flows.sitelinks import best

from tracing import check, hop, hops, model

BASE = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
dxgw gw asn 64513 { attach corp-vgw }
"""


def vgw_hop(m, text, dst="hq"):
    """The VGW's hop of app-1 -> ``dst`` and of the response to ``dst`` -> app-1."""
    there = check(m, text, "app-1", dst, "tcp", 443, "allowed")
    back = check(m, text, dst if dst == "hq" else "hq", "app-1", "tcp", 443, "allowed")
    return hop(there, "vgw:corp-vgw"), hop(back, "vgw:corp-vgw", back=True), there, back


def test_the_lower_med_wins_between_paths_from_the_same_as():
    text = BASE + """\
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b hq <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via vpn-a med 100
advertise hq 172.16.0.0/16 via vpn-b med 50
"""
    m = model(text)
    forward, back, there, _ = vgw_hop(m, text)
    for h in (forward, back):
        assert "over BGP VPN 'vpn-b'" in h.detail
        assert "over BGP VPN 'vpn-a': lower MED (50 vs 100, both from AS 65001)" in h.detail
    assert forward.span.line == 14                      # the advertise that set the MED
    assert "vpn:vpn-b" in [c for c, _ in hops(there)]
    # turned round, the other link wins
    flipped = text.replace("med 100", "med 10")
    forward, back, _, _ = vgw_hop(model(flipped), flipped)
    assert "over BGP VPN 'vpn-a' (" in forward.detail and "lower MED (10 vs 50" in forward.detail
    assert "over BGP VPN 'vpn-a' (" in back.detail


def test_the_as_path_is_compared_before_the_med():
    text = BASE + """\
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b hq <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via vpn-a prepend 2 med 10
advertise hq 172.16.0.0/16 via vpn-b med 500
"""
    forward, back, _, _ = vgw_hop(model(text), text)
    for h in (forward, back):
        assert "over BGP VPN 'vpn-b' (" in h.detail
        assert "over BGP VPN 'vpn-a': shorter AS path (1 vs 3)" in h.detail


def test_prepending_makes_the_path_longer_by_its_count():
    text = BASE + """\
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b hq <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via vpn-a prepend 1
advertise hq 172.16.0.0/16 via vpn-b prepend 3
"""
    forward, _, _, _ = vgw_hop(model(text), text)
    assert "over BGP VPN 'vpn-a' (" in forward.detail
    assert "over BGP VPN 'vpn-b': shorter AS path (2 vs 4)" in forward.detail


def test_med_is_not_compared_between_paths_from_two_neighbouring_ases():
    # two sites announce one prefix (a data centre and its DR copy): MED 10 from AS 65002
    # does not beat MED 90 from AS 65001; with all else equal the link written first wins
    text = BASE + """\
site dr 172.16.0.0/16 asn 65002
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b dr <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via vpn-a med 90
advertise dr 172.16.0.0/16 via vpn-b med 10
"""
    m = model(text, valid=False)                 # E507: CloudHub sites overlap, on purpose
    choice = best(m.dataplane.links_on["corp-vgw"], ipaddress.ip_address("172.16.3.3"))
    assert choice.link.obj.name == "vpn-a"
    assert choice.explain == ("over BGP VPN 'vpn-b': written first (MED 90 and 10 are not "
                              "compared: from AS 65001 and AS 65002)")
    # the same two sites with one ASN: the MEDs are compared
    same = text.replace("asn 65002", "asn 65001")
    choice = best(model(same, valid=False).dataplane.links_on["corp-vgw"],
                  ipaddress.ip_address("172.16.3.3"))
    assert choice.link.obj.name == "vpn-b" and "lower MED (10 vs 90, both from AS 65001)" in choice.explain


def test_local_preference_is_compared_before_the_as_path():
    text = BASE + """\
dx dx-1 hq <-> gw vif private vlan 101
dx dx-2 hq <-> gw vif private vlan 201
advertise hq 172.16.0.0/16 via dx-1 community 7224:7100
advertise hq 172.16.0.0/16 via dx-2 community 7224:7300 prepend 3
"""
    forward, back, there, _ = vgw_hop(model(text), text)
    for h in (forward, back):
        assert "over Direct Connect 'dx-2' (" in h.detail
        assert ("over Direct Connect 'dx-1': higher local preference (high 7224:7300 vs low "
                "7224:7100)") in h.detail
    assert [c for c, _ in hops(there)][-3:] == ["dxgw:gw", "dx:dx-2", "site:hq"]


def test_every_other_link_is_named_with_the_step_it_lost_at():
    text = BASE + """\
dx dx-1 hq <-> gw vif private vlan 101
dx dx-2 hq <-> gw vif private vlan 201
vpn vpn-s hq <-> corp-vgw static 172.16.0.0/16
vpn vpn-b hq <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via dx-1 community 7224:7300
advertise hq 172.16.50.0/24 via vpn-b
"""
    m = model(text)
    forward, back, _, _ = vgw_hop(m, text)
    want = ("over Direct Connect 'dx-1' (172.16.0.0/16: "
            "over Direct Connect 'dx-2': higher local preference (high 7224:7300 vs medium, no community); "
            "over static VPN 'vpn-s': Direct Connect over static VPN; "
            "over BGP VPN 'vpn-b': Direct Connect over BGP VPN)")
    assert want in forward.detail and want in back.detail
    # a longer prefix beats every other step
    t = check(m, text, "app-1", "172.16.50.9", "tcp", 443, "allowed")
    detail = hop(t, "vgw:corp-vgw").detail
    assert detail.startswith("corp-vgw sends it over BGP VPN 'vpn-b' (172.16.50.0/24: ")
    for other in ("Direct Connect 'dx-1'", "Direct Connect 'dx-2'", "static VPN 'vpn-s'"):
        assert f"over {other}: longest prefix (172.16.50.0/24 over 172.16.0.0/16)" in detail
    t = check(m, text, "172.16.50.9", "app-1", "tcp", 443, "allowed")
    assert hop(t, "vgw:corp-vgw", back=True).detail.startswith(
        "corp-vgw sends the response over BGP VPN 'vpn-b' (172.16.50.0/24: ")


def test_static_vpn_before_bgp_vpn_and_the_only_route():
    text = BASE + """\
vpn vpn-s hq <-> corp-vgw static 172.16.0.0/16
vpn vpn-b hq <-> corp-vgw bgp
"""
    forward, back, _, _ = vgw_hop(model(text), text)
    assert "over static VPN 'vpn-s' (172.16.0.0/16: over BGP VPN 'vpn-b': static VPN over BGP VPN)" \
        in forward.detail
    text = BASE + "vpn vpn-b hq <-> corp-vgw bgp\n"
    forward, back, _, _ = vgw_hop(model(text), text)
    assert forward.detail.endswith("over BGP VPN 'vpn-b' (172.16.0.0/16: the only route)")


def test_a_vgw_uses_one_vpn_at_a_time_the_one_written_first():
    """Equal BGP VPNs on a VGW: no ECMP, one tunnel at a time
    (https://repost.aws/knowledge-center/vpn-configure-tunnel-preference)."""
    text = BASE + """\
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b hq <-> corp-vgw bgp
"""
    forward, back, _, _ = vgw_hop(model(text), text)
    for h in (forward, back):
        assert "over BGP VPN 'vpn-a' (172.16.0.0/16: over BGP VPN 'vpn-b': written first (equal " \
               "attributes; a virtual private gateway uses one VPN connection at a time))" in h.detail
        assert "ECMP" not in h.detail


def test_the_runner_up_step_is_the_choice_why():
    text = BASE + """\
vpn vpn-a hq <-> corp-vgw bgp
vpn vpn-b hq <-> corp-vgw bgp
vpn vpn-s hq <-> corp-vgw static 172.16.0.0/16
advertise hq 172.16.0.0/16 via vpn-a med 7
"""
    links = model(text).dataplane.links_on["corp-vgw"]
    bgp = [lk for lk in links if lk.kind == "bgp-vpn"]
    choice = best(bgp, ipaddress.ip_address("172.16.1.1"))
    assert choice.link.obj.name == "vpn-b" and choice.why.startswith("lower MED (0 vs 7")
    choice = best(links, ipaddress.ip_address("172.16.1.1"))
    assert choice.link.obj.name == "vpn-s" and choice.why == "static VPN over BGP VPN"
    assert [loss.link.obj.name for loss in choice.losers] == ["vpn-a", "vpn-b"]


# ---------------------------------------------------------------------------- the language

def test_med_parses_with_the_other_options_in_any_order():
    m = vpcdsl.loads(BASE + "vpn v hq <-> corp-vgw bgp\n"
                     "advertise hq 172.16.0.0/16 med 40 via v prepend 1 community 7224:7200\n",
                     filename="t.vpc", strict=False)
    adv = m.advertisements[0]
    assert (adv.med, adv.via.name, adv.prepend, adv.community) == (40, "v", 1, "7224:7200")
    assert vpcdsl.loads(BASE, filename="t.vpc").sites["hq"] is not None


# ---------------------------------------------------------------------------- checks

CHECKED = BASE + """\
vpn vpn-s hq <-> corp-vgw static 172.16.0.0/16
vpn vpn-b hq <-> corp-vgw bgp
dx dx-p hq <-> aws vif public vlan 300
"""


def diagnostics(extra: str, codes=("E520", "E521", "W520", "W521", "W522")):
    text = CHECKED + extra
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    return text, [d for d in m.diagnostics if d.code in codes]


def test_e520_an_advertisement_over_a_static_vpn():
    text, found = diagnostics("advertise hq 172.16.0.0/16 via vpn-s med 50\n")
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("E520", 14, 32)]
    out = render(found[0], text)
    assert out.splitlines()[0].startswith("t.vpc:14:32: error[E520]") or "t.vpc:14:32" in out
    assert "advertise hq 172.16.0.0/16 via vpn-s med 50" in out and "^^^^^" in out
    assert "make VPN 'vpn-s' `bgp`" in out


def test_e521_a_med_outside_four_octets():
    _, found = diagnostics("advertise hq 172.16.0.0/16 via vpn-b med 4294967296\n")
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("E521", 14, 42)]
    _, found = diagnostics("advertise hq 172.16.0.0/16 via vpn-b med 4294967295\n")
    assert found == []


def test_w520_a_local_preference_community_where_aws_does_not_read_it():
    _, found = diagnostics("advertise hq 172.16.0.0/16 via vpn-b community 7224:7300\n"
                           "advertise hq 172.16.0.0/16 via dx-p community 7224:7100\n")
    assert [(d.code, d.span.line) for d in found] == [("W520", 14), ("W520", 15)]
    assert "not on a VPN" in found[0].message and "not on a public VIF" in found[1].message
    _, found = diagnostics("dx dx-1 hq <-> gw vif private vlan 101\n"
                           "advertise hq 172.16.0.0/16 via dx-1 community 7224:7300\n")
    assert found == []


def test_w521_a_med_on_every_link_alike():
    _, found = diagnostics("advertise hq 172.16.0.0/16 med 5\n")
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("W521", 14, 32)]
    assert "vpn-s, vpn-b, dx-p" in found[0].hint


@pytest.mark.parametrize("routing, codes", [("static 172.16.0.0/16", ["W522"]), ("bgp", [])])
def test_w522_vpn_ecmp_with_only_static_vpns(routing, codes):
    text = BASE.replace("  vgw corp-vgw asn 64512\n", "").replace("propagate corp-vgw", "172.16.0.0/16 -> hub") \
        + f"tgw hub asn 64600 vpn-ecmp {{ attach corp }}\nvpn v hq <-> hub {routing}\n"
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    found = [d for d in m.diagnostics if d.code == "W522"]
    assert [d.code for d in found] == codes
    if found:
        assert (found[0].span.line, found[0].span.col) == (10, 19)     # under `vpn-ecmp`
