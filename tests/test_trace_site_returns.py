"""Site-to-site responses come back the way the request went, as hops (SEMANTICS.md,
Hybrid): over the answering site's link, through the gateway, over the client's link.

Site-to-Site VPN guide, "Providing secure communication between sites using VPN
CloudHub" (sites on one VGW over BGP reach each other through it) and the Transit
Gateway guide ("Transit gateway route tables": a VPN attachment's routes propagate; the
response needs the TGW's route back to the client's site).
"""

from __future__ import annotations

from pathlib import Path

import vpcdsl

from tracing import check, hops, model

EXAMPLES = Path(__file__).parent.parent / "examples"

TGW = """\
vpc hub {
  cidr 10.0.0.0/16
  subnet a 10.0.1.0/24 az a
}
site north 172.20.0.0/20 asn 65011
site south 172.21.0.0/20 asn 65012
tgw core { attach hub }
vpn north-vpn north <-> core bgp
vpn south-vpn south <-> core bgp
"""


def test_a_cloudhub_response_crosses_the_vgw_back_over_the_clients_vpn():
    m = vpcdsl.load(EXAMPLES / "hybrid-office.vpc")
    t = m.trace("branch-north", "branch-south", "tcp", 22)
    assert t.verdict == "allowed", t.table()
    assert hops(t, back=True) == [("vpn:south-vpn", "forward"), ("vgw:corp-vgw", "forward"),
                                  ("vpn:north-vpn", "forward"), ("site:branch-north", "deliver")]
    assert "relays the response (VPN CloudHub) over BGP VPN 'north-vpn'" in t.back[1].detail


def test_a_site_to_site_response_through_a_tgw_needs_its_route_back():
    m = model(TGW)
    t = check(m, TGW, "north", "south", "tcp", 22, "allowed")
    assert hops(t, back=True) == [("vpn:south-vpn", "forward"), ("tgw:core", "forward"),
                                  ("vpn:north-vpn", "forward"), ("site:north", "deliver")]
    assert t.back[1].detail == "tgw route 172.20.0.0/20 -> north-vpn (propagated) matched"


def test_without_a_tgw_route_back_the_response_is_dropped_at_the_tgw():
    text = TGW.replace("tgw core { attach hub }",
                       "tgw core { attach hub; route 172.20.0.0/20 -> blackhole }")
    m = model(text)
    t = check(m, text, "north", "south", "tcp", 22, "blocked", "route", "tgw:core",
              at="blackhole")
    assert t.reason == ("no return route: core has route 172.20.0.0/20 -> blackhole for "
                        "172.20.0.10, not a link to site 'north'")


def test_a_software_vpn_response_follows_the_packet_both_ways():
    """Site-to-Site VPN guide, "Software VPN" (an instance ends the tunnel, source/dest
    check off): the answering subnet's NACL out, its route to the instance, the box
    subnet's NACL in, the box, the tunnel; from the site: the tunnel, the box, then the
    VPC's NACLs."""
    from test_trace_hybrid import SOFTWARE
    m = model(SOFTWARE)
    t = check(m, SOFTWARE, "partner", "app-1", "tcp", 8080, "allowed")
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:west.default-nacl", "route-table:ra", "nacl:west.default-nacl", "instance:vpn-box",
        "vpn:partner-vpn", "site:partner"]
    t = check(m, SOFTWARE, "app-1", "partner", "tcp", 22, "allowed")
    assert [c for c, _ in hops(t, back=True)] == [
        "vpn:partner-vpn", "instance:vpn-box", "nacl:west.default-nacl", "nacl:west.default-nacl",
        "instance:app-1"]


def test_a_packet_routed_to_a_device_in_its_own_subnet_meets_no_nacl():
    """VPC guide, network ACLs: a NACL filters what enters and leaves its subnet. A client
    in the software VPN box's own subnet hands the packet to the box without leaving the
    subnet, so that subnet's NACL does not see the inner packet (only the tunnel's, which
    the model does not hold)."""
    from test_trace_hybrid import SOFTWARE
    text = SOFTWARE.replace("  instance app-1 in app sg app\n", """\
  instance app-1 in app sg app
  instance pub-1 in pub sg app
  nacl pub-acl for pub {
    in 100 allow any from any
    out 100 deny any to 10.99.0.0/24
    out 200 allow any to any
  }
""").replace("route-table rp for pub { 0.0.0.0/0 -> gw }",
             "route-table rp for pub { 0.0.0.0/0 -> gw; 10.99.0.0/24 -> vpn-box }")
    m = model(text)
    t = check(m, text, "pub-1", "partner", "tcp", 22, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["sg:app", "route-table:rp", "sg:box"]
    # from another subnet the packet enters the box's subnet (its NACL in sees it) and
    # leaves it only inside the tunnel: the outbound deny does not apply either
    t = check(m, text, "app-1", "partner", "tcp", 22, "allowed")
    assert [h.detail.split()[2] for h in t.forward if h.component == "nacl:pub-acl"] == ["in"]
