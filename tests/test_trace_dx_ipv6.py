"""IPv6 over a Direct Connect private VIF on a virtual private gateway (SEMANTICS.md, Hybrid).

AWS pages:

- DX guide, "Add a BGP peering to a virtual interface"
  (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html): "A
  virtual interface can support a single IPv4 BGP peering session and a single IPv6 BGP
  peering session ... IPv4 and IPv6 operate in dual-stack mode". A private VIF ends on a
  VGW, or on a DX gateway associated with VGWs, so the site's IPv6 crosses the VGW.
  The language writes no peering: a VIF is taken to have an IPv6 one whenever its site
  has an IPv6 range (the site's IPv6 CIDRs are what it announces over it), as for a
  transit VIF.
- Site-to-Site VPN guide, "IPv4 and IPv6 traffic"
  (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html): IPv6 inside a VPN's
  tunnels only on a transit gateway; a VPN on a VGW carries no IPv6 (a `gateway` drop at
  the VGW naming the VPN).

Routes: the VGW learns the site's IPv6 CIDRs over the VIF and a table with `propagate
VGW` gets them (or a static route to the VGW), as for IPv4; the response path is the
answering subnet's NACL out, its route table back to the VGW, the VGW's route over the
VIF (and the DX gateway), as for IPv4.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from vpcdsl.packetsets import PacketSet

from cli_runs import run_cli
from tracing import check, hop, hops, model

ADD_PEER = "https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html"
S2S_VPN = "https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html"

SITE6 = "2001:db8:aa::/48"
WEB6 = "2600:1f18:1:101::4"
CLIENT6 = "2001:db8:aa::10"

# web-1 admits the office's IPv6 and IPv4 on 443; the office's link is a private VIF on
# the VGW itself.
DX = """\
region eu-west-1
vpc a {
  cidr 10.1.0.0/16
  ipv6 2600:1f18:1:100::/56
  subnet app 10.1.1.0/24 az a ipv6 2600:1f18:1:101::/64
  vgw a-vgw
  route-table a-main main { propagate a-vgw }
  sg web {
    in tcp 443 from 2001:db8:aa::/48
    in tcp 443 from 192.168.0.0/16
    out any to ::/0
    out any to 0.0.0.0/0
  }
  instance web-1 in app sg web
}
site office 192.168.0.0/16, 2001:db8:aa::/48 asn 65010
dx office-dx office <-> a-vgw vif private vlan 100
"""
# The same VIF on a DX gateway the VGW is attached to.
DXGW = DX.replace("dx office-dx office <-> a-vgw vif private vlan 100",
                  "dxgw hub { attach a-vgw }\ndx office-dx office <-> hub vif private vlan 100")
# The same site over a BGP VPN on the VGW instead.
VPN = DX.replace("dx office-dx office <-> a-vgw vif private vlan 100",
                 "vpn office-vpn office <-> a-vgw bgp")


def _ipv6_everywhere(t, src, dst):
    for h in t.forward:
        assert (h.packet.src, h.packet.dst) == (src, dst)
    for h in t.back:
        assert (h.packet.src, h.packet.dst) == (dst, src)


# ---------------------------------------------------------------------------- VIF on the VGW

def test_a_sites_ipv6_crosses_the_vgw_over_a_private_vif_and_the_response_returns():
    """A private VIF with an IPv6 peering carries IPv6 in dual-stack mode
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html):
    site, VIF, VGW, the VPC; the response by the table's propagated IPv6 route back to the
    VGW, which sends it over the VIF it learned the /48 from. Untranslated both ways."""
    m = model(DX)
    t = check(m, DX, CLIENT6, "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)] == ["site:office", "dx:office-dx", "vgw:a-vgw",
                                       "nacl:a.default-nacl", "sg:web", "instance:web-1"]
    assert hop(t, "route-table:a-main", back=True).detail == \
        "return route 2001:db8:aa::/48 -> a-vgw (propagated from office-dx) matched"
    back = hop(t, "vgw:a-vgw", back=True)
    assert "over Direct Connect 'office-dx' (2001:db8:aa::/48: the only route)" in back.detail
    assert [c for c, _ in hops(t, back=True)][-3:] == ["vgw:a-vgw", "dx:office-dx", "site:office"]
    _ipv6_everywhere(t, CLIENT6, WEB6)


def test_a_vpc_reaches_the_sites_ipv6_over_the_private_vif():
    """The other direction (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html):
    the propagated IPv6 route sends the request to the VGW, the VGW over the VIF to the
    site; the site's response comes back over the VIF to the VGW and the instance."""
    m = model(DX)
    t = check(m, DX, "web-1", CLIENT6, "tcp", 443, "allowed")
    assert hop(t, "route-table:a-main").detail == \
        "route 2001:db8:aa::/48 -> a-vgw (propagated from office-dx) matched"
    assert [c for c, _ in hops(t)][-3:] == ["vgw:a-vgw", "dx:office-dx", "site:office"]
    assert [c for c, _ in hops(t, back=True)] == ["dx:office-dx", "vgw:a-vgw", "nacl:a.default-nacl",
                                                  "instance:web-1"]
    _ipv6_everywhere(t, WEB6, CLIENT6)


def test_a_static_ipv6_route_to_the_vgw_works_as_propagation_does():
    """A static route of the site's IPv6 prefix to the VGW instead of `propagate`: the VGW
    still sends it by what it learned over the VIF
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html)."""
    text = DX.replace("route-table a-main main { propagate a-vgw }",
                      "route-table a-main main { 2001:db8:aa::/48 -> a-vgw }")
    m = model(text)
    t = check(m, text, "web-1", CLIENT6, "tcp", 443, "allowed")
    assert hop(t, "route-table:a-main").detail == "route 2001:db8:aa::/48 -> a-vgw matched"
    t = check(m, text, CLIENT6, "web-1", "tcp", 443, "allowed")
    assert hop(t, "route-table:a-main", back=True).detail == \
        "return route 2001:db8:aa::/48 -> a-vgw matched"


def test_without_an_ipv6_route_back_the_response_is_dropped_at_the_route_table():
    """The response path's routes: a table with no propagation and only the IPv4 route to
    the VGW has no IPv6 route back, so the site's IPv6 request is delivered but its
    response is not (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html);
    IPv4 over the same VIF returns."""
    text = DX.replace("route-table a-main main { propagate a-vgw }",
                      "route-table a-main main { 192.168.0.0/16 -> a-vgw }")
    m = model(text)
    t = check(m, text, CLIENT6, "web-1", "tcp", 443, "blocked", "route", "route-table:a-main")
    assert "no return route" in t.reason and t.back[-1].component == "route-table:a-main"
    check(m, text, "192.168.0.10", "web-1", "tcp", 443, "allowed")


def test_the_answering_subnets_nacl_filters_the_ipv6_response_to_the_site():
    """The response path's filters: a NACL whose outbound rule passes only ports
    32768-65535 to the site's /48 lets some of the site's client ports through and not
    others, so the flow is intermittent, decided by the NACL on the way back
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html)."""
    text = DX.replace("  instance web-1 in app sg web\n", """\
  instance web-1 in app sg web
  nacl app-acl for app {
    in 100 allow tcp 443 from 2001:db8:aa::/48
    out 100 allow tcp 32768-65535 to 2001:db8:aa::/48
  }
""")
    m = model(text)
    t = m.trace(CLIENT6, "web-1", "tcp", 443)
    assert t.intermittent and not t.allowed, t.table()
    assert (t.kind, t.component) == ("nacl", "nacl:app-acl")
    assert [c for c, _ in hops(t)][-3:] == ["nacl:app-acl", "sg:web", "instance:web-1"]
    assert hops(t, back=True) == [("nacl:app-acl", "drop")]
    assert "ports 1024-32767" in t.back[0].detail
    r = m.reach(SITE6, "web-1")
    assert r.intermittent("web-1") & PacketSet.box(family=1) == _tcp6(SITE6, WEB6, 443)


def test_a_site_without_an_ipv6_range_gives_the_vgw_no_ipv6_route():
    """The VIF carries IPv6 when its site has an IPv6 range (the language writes no
    peering; https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html):
    with only an IPv4 range, the VGW learns no IPv6 prefix, so a static IPv6 route to it
    ends there, `route`."""
    text = DX.replace("site office 192.168.0.0/16, 2001:db8:aa::/48", "site office 192.168.0.0/16") \
        .replace("route-table a-main main { propagate a-vgw }",
                 "route-table a-main main { propagate a-vgw; 2001:db8:aa::/48 -> a-vgw }")
    m = model(text)
    t = check(m, text, "web-1", CLIENT6, "tcp", 443, "blocked", "route", "vgw:a-vgw")
    assert "has learned no route to 2001:db8:aa::10" in t.reason


# ---------------------------------------------------------------------------- via a DX gateway

def test_over_a_dx_gateway_the_sites_ipv6_reaches_the_vpc_and_returns():
    """A private VIF on a DX gateway the VGW is attached to
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html): site,
    VIF, DX gateway, VGW, the VPC; the response back through the DX gateway."""
    m = model(DXGW)
    t = check(m, DXGW, CLIENT6, "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:4] == ["site:office", "dx:office-dx", "dxgw:hub", "vgw:a-vgw"]
    assert hop(t, "route-table:a-main", back=True).detail == \
        "return route 2001:db8:aa::/48 -> a-vgw (propagated from office-dx) matched"
    assert [c for c, _ in hops(t, back=True)][-4:] == ["vgw:a-vgw", "dxgw:hub", "dx:office-dx", "site:office"]
    _ipv6_everywhere(t, CLIENT6, WEB6)


def test_over_a_dx_gateway_a_vpc_reaches_the_sites_ipv6():
    """The other direction through the DX gateway
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html)."""
    m = model(DXGW)
    t = check(m, DXGW, "web-1", CLIENT6, "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][-4:] == ["vgw:a-vgw", "dxgw:hub", "dx:office-dx", "site:office"]
    assert [c for c, _ in hops(t, back=True)][:3] == ["dx:office-dx", "dxgw:hub", "vgw:a-vgw"]
    _ipv6_everywhere(t, WEB6, CLIENT6)


# ---------------------------------------------------------------------------- a VPN on the VGW

def test_a_vpn_on_the_vgw_carries_no_ipv6_either_way_and_the_reason_names_it():
    """A Site-to-Site VPN on a VGW carries no IPv6
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html): both directions are
    dropped at the VGW (`gateway`), the reason naming the VPN; IPv4 over it passes."""
    m = model(VPN)
    for src, dst in ((CLIENT6, "web-1"), ("web-1", CLIENT6)):
        t = check(m, VPN, src, dst, "tcp", 443, "blocked", "gateway", "vgw:a-vgw")
        assert "carries no IPv6 over BGP VPN 'office-vpn'" in t.reason
        assert "transit gateway" in t.reason
    check(m, VPN, "192.168.0.10", "web-1", "tcp", 443, "allowed")
    check(m, VPN, "web-1", "192.168.0.10", "tcp", 443, "allowed")


def test_with_a_vif_and_a_vpn_on_the_vgw_ipv6_takes_the_vif_whatever_the_vpn_announces():
    """The VGW's path choice over IPv6 is among its VIFs only: a longer IPv6 prefix the
    site advertises over its VPN wins for nothing, since the VPN carries no IPv6
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), while the VIF does
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html). Over
    IPv4 the longer prefix over the VPN still wins."""
    text = DX + ("vpn office-vpn office <-> a-vgw bgp\n"
                 "advertise office 2001:db8:aa::/64 via office-vpn\n"
                 "advertise office 192.168.0.0/24 via office-vpn\n")
    m = model(text)
    t = check(m, text, "web-1", CLIENT6, "tcp", 443, "allowed")
    assert "over Direct Connect 'office-dx' (2001:db8:aa::/48: the only route)" in hop(t, "vgw:a-vgw").detail
    t = check(m, text, CLIENT6, "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t, back=True)][-2:] == ["dx:office-dx", "site:office"]
    t = check(m, text, "web-1", "192.168.0.10", "tcp", 443, "allowed")
    assert "over BGP VPN 'office-vpn'" in hop(t, "vgw:a-vgw").detail


def test_a_site_sends_ipv6_by_a_tgw_vpn_rather_than_its_vpn_on_the_vgw():
    """A site with a VPN on the VPC's VGW and a VPN on a TGW attached to the VPC learns IPv6
    routes only over the TGW's (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html),
    so its IPv6 goes by the TGW; its IPv4 by the VPN written first, on the VGW."""
    text = VPN.replace("  subnet app 10.1.1.0/24 az a ipv6 2600:1f18:1:101::/64\n",
                       "  subnet app 10.1.1.0/24 az a ipv6 2600:1f18:1:101::/64\n"
                       "  subnet att 10.1.15.0/28 az a ipv6 2600:1f18:1:1ff::/64\n") \
        .replace("route-table a-main main { propagate a-vgw }",
                 "route-table a-main main { propagate a-vgw; 2001:db8:aa::/48 -> core }") \
        + "tgw core asn 64600 { attach a for att }\nvpn office-tgw office <-> core bgp\n"
    m = model(text)
    t = check(m, text, CLIENT6, "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:office", "vpn:office-tgw", "tgw:core"]
    t = check(m, text, "192.168.0.10", "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:office", "vpn:office-vpn", "vgw:a-vgw"]


def test_cloudhub_relays_no_ipv6_over_a_vpn_on_the_vgw():
    """Between sites through one VGW (VPN CloudHub), IPv6 is dropped at the VGW where either
    link is a VPN (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), whichever
    way; IPv4 is relayed."""
    text = DX + ("site branch 172.16.0.0/16, 2001:db8:bb::/48 asn 65020\n"
                 "vpn branch-vpn branch <-> a-vgw bgp\n")
    m = model(text)
    for src, dst in ((CLIENT6, "2001:db8:bb::10"), ("2001:db8:bb::10", CLIENT6)):
        t = check(m, text, src, dst, "tcp", 443, "blocked", "gateway", "vgw:a-vgw")
        assert "carries no IPv6 over BGP VPN 'branch-vpn'" in t.reason
    check(m, text, "192.168.0.10", "172.16.0.10", "tcp", 443, "allowed")


# ---------------------------------------------------------------------------- reach, exposure

def _tcp6(src, dst, port) -> PacketSet:
    return PacketSet.box(family=1, protocol="tcp", dport=port, src=src, dst=dst)


@pytest.mark.parametrize("text", [DX, DXGW], ids=["vif-on-vgw", "vif-on-dxgw"])
def test_reach_and_exposure_agree_with_trace_over_the_private_vif(text):
    """`reach` from the site's IPv6 range to web-1 is exactly what its group admits over the
    VIF (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html);
    exposure's IPv6 finding from the office is the same set; every row's witness is what
    `trace` says of its flow, forward and return."""
    m = model(text)
    r = m.reach(SITE6, "web-1")
    six = PacketSet.box(family=1)
    assert r.allowed("web-1") & six == _tcp6(SITE6, WEB6, 443)
    assert not r.intermittent("web-1") & six
    rows = [x for x in r.rows if x.family == 6]
    assert [(x.status, x.via) for x in rows if x.status == "allowed"] == [("allowed", "dx:office-dx")]
    e = m.exposure("office")
    web = [f for f in e.findings if f.dst == "web-1" and f.family == 6]
    assert [(f.status, f.via, f.packets) for f in web] == [("allowed", "dx:office-dx", _tcp6(SITE6, WEB6, 443))]
    assert e.allowed("web-1", src="office") & six == r.allowed("web-1") & six
    for w in [x.witness for x in rows] + [web[0].witness]:
        src, _, dst, protocol, *port = w.flow.split()
        assert ip_address(src) in ip_network(SITE6)
        assert m.trace(src, dst, protocol, port[0] if port else None).to_dict() == w.to_dict()


def test_reach_from_the_vpc_to_the_sites_ipv6_range_agrees_with_trace():
    """web-1's group lets everything out: reach from web-1 to the office's /48 allows every
    TCP port over the VIF, and a trace of the witness says the same
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html)."""
    m = model(DXGW)
    r = m.reach("web-1", SITE6)
    rows = [x for x in r.rows if x.family == 6 and x.status == "allowed"]
    assert rows and {x.via for x in rows} == {"vgw:a-vgw"}        # its first gateway
    tcp = PacketSet.box(family=1, protocol="tcp", src=f"{WEB6}/128", dst=SITE6)
    assert tcp <= PacketSet.union(x.packets for x in rows)
    t = m.trace("web-1", CLIENT6, "tcp", 8080)
    assert t.allowed and [c for c, _ in hops(t)][-3:] == ["dxgw:hub", "dx:office-dx", "site:office"]


def test_a_vgw_vpn_gives_reach_no_ipv6_and_exposure_no_ipv6_finding():
    """Over a VPN on the VGW (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)
    reach's IPv6 rows from the site are all blocked at the VGW and exposure holds no IPv6
    finding from it, while the private VIF's model has one."""
    m = model(VPN)
    rows = [x for x in m.reach(SITE6, "web-1").rows if x.family == 6]
    assert rows and {(x.status, x.witness.component) for x in rows} == {("blocked", "vgw:a-vgw")}
    assert all("office-vpn" in x.witness.reason for x in rows)
    assert not [f for f in m.exposure("office").findings if f.family == 6]


def test_cli_reach_and_exposure_agree_over_the_private_vif(capsys, tmp_path):
    """`vpcdsl reach FILE 2001:db8:aa::/48 web-1 --json` and `vpcdsl exposure FILE --source
    office --json` name the same IPv6 requests over the VIF
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html), and
    `vpcdsl trace` of the exposure witness's flow prints that witness."""
    import json

    path = tmp_path / "dx.vpc"
    path.write_text(DXGW, encoding="utf-8")
    code, out, err = run_cli(capsys, "reach", path, SITE6, "web-1", "--json")
    assert code == 0 and err == "", err
    reach = [x for x in json.loads(out)["rows"] if x["family"] == "ipv6" and x["status"] == "allowed"]
    code, out, err = run_cli(capsys, "exposure", path, "--source", "office", "--json")
    assert code == 0 and err == "", err
    found = [f for f in json.loads(out)["findings"] if f["family"] == "ipv6" and f["dst"] == "web-1"]
    assert [(x["service"], x["via"]) for x in reach] == [(f["service"], f["via"]) for f in found] == \
        [("tcp 443", "dx:office-dx")]
    assert reach[0]["packets"] == found[0]["packets"]
    src, _, dst, protocol, port = found[0]["witness"]["flow"].split()
    code, traced, _ = run_cli(capsys, "trace", path, src, dst, f"{protocol}/{port}", "--json")
    assert code == 0 and json.loads(traced) == found[0]["witness"]


# A VIF through a DX gateway and a VPN on the VGW, a NACL with IPv6 and IPv4 rules cutting
# the site's ranges and ports: reach and trace on random concrete flows, both directions.
MIXED = DXGW.replace("  instance web-1 in app sg web\n", """\
  instance web-1 in app sg web
  nacl app-acl for app {
    in 90 deny tcp 443 from 2001:db8:aa:f000::/52
    in 100 allow any from 2001:db8:aa::/48
    in 110 allow any from 192.168.0.0/16
    out 100 allow tcp 40000-65535 to 2001:db8:aa:8000::/49
    out 110 allow any to 2001:db8:aa::/49
    out 120 allow any to 192.168.0.0/16
  }
""") + "vpn office-vpn office <-> a-vgw bgp\nadvertise office 2001:db8:aa:100::/56 via office-vpn\n"


def test_reach_agrees_with_trace_on_random_flows_over_the_vif_and_the_vpn():
    """Every random flow between web-1 and the office, IPv6 and IPv4, gets from `reach` the
    verdict `trace` gives it: IPv6 over the VIF through the DX gateway
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/add-peer-to-vif.html), never
    over the VPN (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), filtered by
    the NACL both ways."""
    import random

    from vpcdsl.packetsets import Packet

    m = model(MIXED)
    rng = random.Random(7)
    numbers = {"tcp": 6, "udp": 17}
    answers = {("site", 6): m.reach(SITE6, "web-1"), ("site", 4): m.reach("192.168.0.0/16", "web-1"),
               ("vpc", 6): m.reach("web-1", SITE6), ("vpc", 4): m.reach("web-1", "192.168.0.0/16")}
    web = {6: ip_address(WEB6), 4: ip_address("10.1.1.4")}
    seen = set()
    for _ in range(300):
        family = rng.choice([6, 6, 4])
        net = ip_network(SITE6 if family == 6 else "192.168.0.0/16")
        site = net[rng.randrange(1, net.num_addresses - 1)] if rng.random() < 0.6 else \
            rng.choice([net[16], net[0x100 << 64] if family == 6 else net[300],
                        net[0xf000 << 64] if family == 6 else net[9], net[0x8000 << 64] if family == 6 else net[2]])
        proto = rng.choice(["tcp", "udp"])
        port = rng.choice([443, 22, 8080, 40000, rng.randrange(65536)])
        side = rng.choice(["site", "vpc"])
        src, dst = (site, web[family]) if side == "site" else (web[family], site)
        t = m.trace(str(src), str(dst), proto, port)
        expected = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
        dst_end = "web-1" if side == "site" else (SITE6 if family == 6 else "192.168.0.0/16")
        got = answers[side, family].status_of(Packet(src, dst, numbers[proto], 33000, port), dst=dst_end)
        assert got == expected, f"{src} -> {dst} {proto} {port}: trace {expected}, reach {got}\n{t.table()}"
        seen.add((family, expected))
    assert {(6, "allowed"), (6, "blocked"), (6, "intermittent"), (4, "allowed")} <= seen
