"""`exposure` over IPv6 from on-premises sites: a site's IPv6 ranges are asked about like
the IPv6 internet (every address piece and packet class, `vpcdsl.analysis.exposure_ipv6`),
and the answers agree with `reach` from the site's range and with `trace` on each witness.

AWS pages (docs/SEMANTICS.md, Hybrid): a Site-to-Site VPN carries IPv6 inside its tunnels
only on a transit gateway, never on a virtual private gateway
(https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html); Direct Connect carries
IPv6 over private and transit virtual interfaces with an IPv6 BGP peering
(https://docs.aws.amazon.com/directconnect/latest/UserGuide/WorkingWithVirtualInterfaces.html).
Small inline models with hand-computed answers; golden text in tests/fixtures/exposure/
(regenerated with ``UPDATE_GOLDEN=1``).
"""

from __future__ import annotations

import json
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from vpcdsl.analysis.exposure import exposure
from vpcdsl.packetsets import PacketSet

from cli_runs import check_golden
from tracing import model

ROOT = Path(__file__).resolve().parent.parent
S2S_VPN = "https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html"

# web-1 (2600:1f18:1:101::4) admits the site's IPv6 on 443, a /56 of it on 8443, SSH only
# from its IPv4 range; db-1 (::5) only the site's IPv4. No internet gateway: only the
# office reaches anything, over its VPN attachment of the transit gateway.
TGW = """
region eu-west-1
vpc a {
  cidr 10.1.0.0/16
  ipv6 2600:1f18:1:100::/56
  subnet app 10.1.1.0/24 az a ipv6 2600:1f18:1:101::/64
  subnet att 10.1.15.0/28 az a ipv6 2600:1f18:1:1ff::/64
  route-table a-main main {
    192.168.0.0/16   -> core
    2001:db8:aa::/48 -> core
  }
  sg web {
    in tcp 443  from 192.168.0.0/16
    in tcp 443  from 2001:db8:aa::/48
    in tcp 8443 from 2001:db8:aa:100::/56
    in tcp 22   from 192.168.0.0/16
  }
  sg db { in tcp 5432 from 192.168.0.0/16 }
  instance web-1 in app sg web
  instance db-1  in app sg db
}
site office 192.168.0.0/16, 2001:db8:aa::/48 asn 65010
tgw core asn 64600 { attach a for att }
vpn office-vpn office <-> core bgp
"""
# The same VPC behind a virtual private gateway.
VGW = (TGW.replace("route-table a-main main {\n    192.168.0.0/16   -> core\n    2001:db8:aa::/48 -> core\n  }",
                   "vgw a-vgw\n  route-table a-main main { propagate a-vgw }")
       .replace("tgw core asn 64600 { attach a for att }\n", "")
       .replace("office-vpn office <-> core", "office-vpn office <-> a-vgw"))
SITE = "2001:db8:aa::/48"
WEB6, DB6 = "2600:1f18:1:101::4", "2600:1f18:1:101::5"
APP_PROBE = "2600:1f18:1:101:ffff:ffff:ffff:fffe"
IPV6 = PacketSet.box(family=1)


def _v6(e, src="office"):
    return [f for f in e.findings if f.src == src and f.family == 6]


def _tcp6(src, dst, port) -> PacketSet:
    return PacketSet.box(family=1, protocol="tcp", dport=port, src=src, dst=dst)


def _retrace(m, witness):
    """The witness's flow traced again, as `vpcdsl trace` would from its text."""
    src, _, dst, protocol, *port = witness.flow.split()
    return m.trace(src, dst, protocol, port[0] if port else None)


@pytest.fixture(scope="module")
def tgw():
    m = model(TGW)
    return m, m.exposure()


def test_a_tgw_vpn_site_reaches_a_dual_stack_instance_over_ipv6(tgw):
    """A VPN attachment of a transit gateway carries the site's IPv6
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html): web-1 gets 443 from the
    whole /48 and 8443 from its /56, each a finding of its own, ranked OTHER."""
    m, e = tgw
    web = [f for f in _v6(e) if f.dst == "web-1"]
    assert [(f.rank, f.status, f.via, f.where, f.words) for f in web] == [
        ("other", "allowed", "vpn:office-vpn", "", "tcp 443 (IPv6)"),
        ("other", "allowed", "vpn:office-vpn", "from 2001:db8:aa:100::/56",
         "tcp 8443 (IPv6, from 2001:db8:aa:100::/56)")]
    assert web[0].packets == _tcp6(SITE, WEB6, 443)
    assert web[1].packets == _tcp6("2001:db8:aa:100::/56", WEB6, 8443)
    assert e.allowed("web-1", src="office") & IPV6 == _tcp6(SITE, WEB6, 443) | _tcp6("2001:db8:aa:100::/56", WEB6, 8443)
    assert not e.intermittent(src="office") & IPV6
    assert e.skipped == ()


def test_the_witness_goes_over_the_vpn_and_tgw_and_its_response_comes_back_the_same_way(tgw):
    """Forward: site, its VPN, the transit gateway, the VPC; return: the VPC's route to the
    TGW, the TGW's route to the VPN attachment, the site. IPv6 end to end, untranslated
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m, e = tgw
    [w] = [f.witness for f in _v6(e) if f.dst == "web-1" and not f.where]
    assert w.flow == "2001:db8:aa::1 -> web-1 tcp 443" and w.verdict == "allowed"
    forward = [h.component for h in w.forward]
    assert forward[:3] == ["site:office", "vpn:office-vpn", "tgw:core"] and forward[-2:] == ["sg:web", "instance:web-1"]
    back = [h.component for h in w.back]
    assert back[-3:] == ["tgw:core", "vpn:office-vpn", "site:office"] and w.back[-1].action == "deliver"
    assert "2001:db8:aa::/48 -> office-vpn" in w.back[-3].detail
    for h in w.forward:
        assert (h.packet.src, h.packet.dst) == ("2001:db8:aa::1", WEB6)
    for h in w.back:
        assert (h.packet.src, h.packet.dst) == (WEB6, "2001:db8:aa::1")


def test_a_security_group_admitting_only_the_sites_ipv4_blocks_it_over_ipv6(tgw):
    """db-1's group and web-1's SSH rule name the site's IPv4 range only: over the same VPN
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html) their IPv6 is blocked by
    the group, so db-1 has an IPv4 DATABASE finding and no IPv6 one, and web-1's IPv6
    findings hold no SSH."""
    m, e = tgw
    assert [(f.rank, f.family) for f in e.of(dst="db-1")] == [("database", 4)]
    assert not any(f.packets & _tcp6(SITE, WEB6, 22) for f in _v6(e))
    t = m.trace("2001:db8:aa::10", "db-1", "tcp", 5432)
    assert (t.verdict, t.kind, t.component) == ("blocked", "sg", "sg:db")
    r = m.reach(SITE, "db-1")
    assert not r.allowed("db-1") & IPV6
    assert _tcp6(SITE, DB6, 5432) <= r.blocked("db-1")


def test_a_subnet_probe_is_open_to_the_sites_ipv6(tgw):
    """The probe has no group and the default NACL allows all: every IPv6 request from the
    site (every packet class of IPv6: TCP, UDP, ICMPv6, other protocols; protocol 1 is
    IPv4's ICMP) reaches it over the TGW's VPN attachment
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), ranked ANY."""
    m, e = tgw
    [f] = [f for f in _v6(e) if f.dst == "app"]
    assert (f.rank, f.kind, f.status, f.via) == ("any", "subnet", "allowed", "vpn:office-vpn")
    every = PacketSet.box(family=1, src=SITE, dst=APP_PROBE)
    assert f.packets == every - PacketSet.box(family=1, protocol=1)
    assert {x.dst for x in _v6(e)} == {"app", "att", "web-1"}


def test_a_vgw_vpn_gives_no_ipv6_findings_because_the_vgw_carries_no_ipv6():
    """A Site-to-Site VPN on a virtual private gateway carries no IPv6
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html): the same groups admit
    the site's /48, yet nothing is reached over IPv6; IPv4 still is. Why: every IPv6 request
    is blocked at the VGW (`gateway`), as reach and trace say."""
    m = model(VGW)
    e = m.exposure()
    assert _v6(e) == [] and e.skipped == ()
    assert {(f.dst, f.family) for f in e.findings} == {("app", 4), ("att", 4), ("web-1", 4), ("db-1", 4)}
    assert "IPv4, and IPv6 from the internet and office;" in e.table()       # asked, not reached
    t = m.trace("2001:db8:aa::10", "web-1", "tcp", 443)
    assert (t.verdict, t.kind, t.component) == ("blocked", "gateway", "vgw:a-vgw")
    assert "carries no IPv6" in t.reason
    r = m.reach(SITE, "web-1")
    rows = [x for x in r.rows if x.family == 6]
    assert rows and {(x.status, x.witness.component) for x in rows} == {("blocked", "vgw:a-vgw")}


def test_a_transit_vif_carries_the_sites_ipv6():
    """Direct Connect carries IPv6 over a transit virtual interface with an IPv6 BGP peering
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/WorkingWithVirtualInterfaces.html):
    through the DX gateway to the TGW, web-1's IPv6 findings are the VPN's, by the DX link."""
    text = TGW.replace("vpn office-vpn office <-> core bgp",
                       "dxgw cdx { attach core }\ndx office-dx office <-> cdx vif transit vlan 400")
    e = model(text).exposure("office")
    web = [f for f in _v6(e) if f.dst == "web-1"]
    assert [(f.via, f.packets) for f in web] == [
        ("dx:office-dx", _tcp6(SITE, WEB6, 443)), ("dx:office-dx", _tcp6("2001:db8:aa:100::/56", WEB6, 8443))]
    assert [h.component for h in web[0].witness.back][-3:] == ["dxgw:cdx", "dx:office-dx", "site:office"]


def test_a_private_vif_on_a_vgw_carries_the_sites_ipv6():
    """A private virtual interface on a VGW carries IPv6 with an IPv6 BGP peering
    (https://docs.aws.amazon.com/directconnect/latest/UserGuide/WorkingWithVirtualInterfaces.html);
    only the VPN on a VGW does not (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    text = VGW.replace("vpn office-vpn office <-> a-vgw bgp", "dx office-dx office <-> a-vgw vif private vlan 100")
    e = model(text).exposure("office")
    assert [f.packets for f in _v6(e) if f.dst == "web-1"][:1] == [_tcp6(SITE, WEB6, 443)]


def test_exposure_agrees_with_reach_from_the_sites_range_and_with_trace_on_each_witness(tgw):
    """Per target, exposure's IPv6 from the office is reach's from the office's IPv6 range,
    allowed and intermittent; each witness is what `trace` says of its flow, forward and
    return (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m, e = tgw
    for name, _ in e.targets:
        r = m.reach(SITE, name)
        for status in ("allowed", "intermittent"):
            assert getattr(e, status)(name, src="office") & IPV6 == getattr(r, status)(name) & IPV6, (name, status)
    for f in _v6(e):
        again = _retrace(m, f.witness)
        assert again.to_dict() == f.witness.to_dict() and again.status == f.status
        first = f.witness.forward[0].packet
        assert ip_address(first.src) in ip_network(SITE)
    assert exposure(m, coarse=False).to_dict() == e.to_dict()        # reach's way for IPv4 too


def test_reach_from_a_site_by_name_over_ipv6_is_its_ipv6_probe_hosts_part(tgw):
    """`vpcdsl reach FILE office` traces the site's probe host; over IPv6 that host should be
    one of its IPv6 range (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html),
    whose requests exposure's findings hold."""
    m, e = tgw
    rows = [x for x in m.reach("office", "web-1").rows if x.family == 6]
    probe = ip_address(rows[0].witness.forward[0].packet.src)
    assert probe in ip_network(SITE)
    mine = e.allowed("web-1", src="office") & PacketSet.box(family=1, src=f"{probe}/128")
    assert PacketSet.union(x.packets for x in rows if x.status == "allowed") == mine


def test_a_site_with_only_ipv6_ranges_is_asked_over_ipv6_alone():
    """No IPv4 range: nothing to ask over IPv4 (and no note that its addresses are another's);
    its /48 reaches web-1 on 443 over the TGW's VPN attachment
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = model(TGW.replace("site office 192.168.0.0/16, 2001:db8:aa::/48", "site office 2001:db8:aa::/48"))
    e = m.exposure("office")
    assert e.skipped == () and {f.family for f in e.findings} == {6}
    assert [f.packets for f in e.findings if f.dst == "web-1"][0] == _tcp6(SITE, WEB6, 443)
    assert e.table().splitlines()[-1] == ("(IPv4, and IPv6 from office; a subnet stands for a probe: "
                                          "a host in it with no security group)")


def _run(capsys, *argv):
    from vpcdsl.views.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_source_site_json_and_trace_agree(tgw, capsys, tmp_path):
    """`vpcdsl exposure FILE --source office --json` says `ipv6` of the site's IPv6 findings,
    and `vpcdsl trace` of each witness's flow prints that witness
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    path = tmp_path / "tgw.vpc"
    path.write_text(TGW, encoding="utf-8")
    code, out, err = _run(capsys, "exposure", str(path), "--source", "office", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["sources"] == ["office"]
    six = [f for f in doc["findings"] if f["family"] == "ipv6"]
    assert [(f["dst"], f["service"], f["where"]) for f in six] == [
        ("app", "tcp any port; udp any port; icmpv6 any; every other protocol", ""),
        ("att", "tcp any port; udp any port; icmpv6 any; every other protocol", ""),
        ("web-1", "tcp 443", ""), ("web-1", "tcp 8443", "from 2001:db8:aa:100::/56")]
    for f in six:
        src, _, dst, protocol, *port = f["witness"]["flow"].split()
        code, traced, _ = _run(capsys, "trace", str(path), src, dst, "/".join([protocol, *port]), "--json")
        assert code == 0 and json.loads(traced) == f["witness"]
    assert out == _run(capsys, "exposure", str(path), "--source", "office", "--json")[1]
    code, out, _ = _run(capsys, "exposure", str(path), "--source", "internet")
    assert code == 0 and "nothing is exposed" in out and "(IPv4, and IPv6 from the internet;" in out


def test_golden_text(tgw):
    check_golden(ROOT / "tests" / "fixtures" / "exposure" / "site-ipv6.txt", tgw[1].table() + "\n")
