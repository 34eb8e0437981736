"""A site named as a flow end is probed at a host of its first range of the flow's family.

A dual-stack site (`site office 192.168.0.0/16, 2001:db8:aa::/48`) sends and receives
IPv4 at its IPv4 probe host and IPv6 at its IPv6 one, whichever range is written first; a
site with no range of the flow's family is a FlowError with a hint, not a packet of the
other family. IPv6 reaches a VPC from a site over a Site-to-Site VPN only on a transit
gateway (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), as here: the
site's VPN is a TGW attachment carrying both families.
"""

from __future__ import annotations

import json
from ipaddress import ip_address, ip_network

import pytest

from vpcdsl.flows.flow import FlowError
from vpcdsl.flows.trace import Tracer
from vpcdsl.packetsets import PacketSet

from tracing import model

BODY = """
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
    in tcp 443 from 192.168.0.0/16
    in tcp 443 from 2001:db8:aa::/48
    in icmpv6 from 2001:db8:aa::/48
    in tcp 22  from 192.168.0.0/16
  }
  instance web-1 in app sg web
}
SITE
tgw core asn 64600 { attach a for att }
vpn office-vpn office <-> core bgp
"""
V4, V6 = "192.168.0.0/16", "2001:db8:aa::/48"


def _model(*cidrs: str):
    return model(BODY.replace("SITE", f"site office {', '.join(cidrs)} asn 65010"))


S2S_VPN = "https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html"
PROBE4, PROBE6 = ip_address("192.168.0.10"), ip_address("2001:db8:aa::a")
WEB4, WEB6 = ip_address("10.1.1.4"), ip_address("2600:1f18:1:101::4")
ORDERS = pytest.mark.parametrize("order", [(V4, V6), (V6, V4)], ids=["ipv4-first", "ipv6-first"])


def _ends(t):
    """(source, destination) of every hop's packet, forward then back."""
    return ([(ip_address(h.packet.src), ip_address(h.packet.dst)) for h in t.forward],
            [(ip_address(h.packet.src), ip_address(h.packet.dst)) for h in t.back])


def _one_family(t, client, server):
    forward, back = _ends(t)
    assert forward and set(forward) == {(client, server)}, t.table()
    assert back and set(back) == {(server, client)}, t.table()


@ORDERS
def test_from_a_dual_stack_site_ipv6_starts_at_its_ipv6_probe_and_ipv4_at_its_ipv4_one(order):
    """office -> web-1 over the TGW's VPN attachment, which carries both families
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html): icmpv6 from
    2001:db8:aa::a and its reply back to it, tcp 22 from 192.168.0.10 and back, whichever
    range the site lists first; no hop holds a packet of the other family."""
    m = _model(*order)
    six = m.trace("office", "web-1", "icmpv6")
    assert six.allowed, six.table()
    _one_family(six, PROBE6, WEB6)
    four = m.trace("office", "web-1", "tcp", 22)
    assert four.allowed, four.table()
    _one_family(four, PROBE4, WEB4)


@ORDERS
def test_to_a_dual_stack_site_each_family_goes_to_its_own_probe_host(order):
    """web-1 -> office: over IPv4 (tcp 443) to 192.168.0.10, over IPv6 (icmpv6, or tcp
    with the IPv6 family asked, as reach asks) to 2001:db8:aa::a, the response back over
    the VPN attachment (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(*order)
    four = m.trace("web-1", "office", "tcp", 443)
    assert four.allowed, four.table()
    _one_family(four, WEB4, PROBE4)
    for six in (m.trace("web-1", "office", "icmpv6"),
                next(Tracer(m).traces("web-1", "office", "tcp", 443, family=6))):
        assert six.allowed, six.table()
        _one_family(six, WEB6, PROBE6)
        assert [h.component for h in six.forward][-3:] == ["tgw:core", "vpn:office-vpn", "site:office"]


@ORDERS
def test_the_other_end_written_as_an_address_sets_the_family_of_the_site(order):
    """An IPv6 literal makes the flow IPv6 (`_family`), so the site by name is its IPv6
    probe; an IPv4 literal, its IPv4 one
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(*order)
    _one_family(m.trace("office", str(WEB6), "tcp", 443), PROBE6, WEB6)
    _one_family(m.trace("office", str(WEB4), "tcp", 443), PROBE4, WEB4)
    _one_family(m.trace(str(WEB6), "office", "tcp", 443), WEB6, PROBE6)


def test_the_probe_words_name_the_range_of_the_family():
    """The trace's hint says which host stands for the site and why: the first prefix, or
    the first IPv6 (IPv4) prefix when another family's is written first
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(V4, V6)
    assert ("site 'office' is probed at 2001:db8:aa::a, address 2001:db8:aa:: + 10 of its first "
            "IPv6 prefix 2001:db8:aa::/48") in m.trace("office", "web-1", "icmpv6").table()
    assert ("site 'office' is probed at 192.168.0.10, address 192.168.0.0 + 10 of its first "
            "prefix 192.168.0.0/16") in m.trace("office", "web-1", "tcp", 443).table()
    m = _model(V6, V4)
    assert "of its first IPv4 prefix 192.168.0.0/16" in m.trace("web-1", "office", "tcp", 443).table()


@pytest.mark.parametrize("flow", [("office", "web-1", "icmpv6"), ("web-1", "office", "icmpv6"),
                                  ("office", "2600:1f18:1:101::4", "tcp", 443)])
def test_an_ipv4_only_site_in_an_ipv6_flow_is_a_flow_error_with_a_hint(flow):
    """No IPv6 range, no IPv6 host to probe: an error, not an IPv4 packet sent to an IPv6
    address (a VPN carries IPv6 only between IPv6 ranges,
    https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(V4)
    with pytest.raises(FlowError) as exc:
        m.trace(*flow)
    assert str(exc.value) == "site 'office' has no IPv6 range, so it has no part in an IPv6 flow"
    assert exc.value.hint == ("its ranges are IPv4 (192.168.0.0/16): give it an IPv6 range "
                              "(`site NAME CIDR, IPV6-CIDR`) or trace it over IPv4")
    _one_family(m.trace("office", "web-1", "tcp", 22), PROBE4, WEB4)     # IPv4 as before


def test_an_ipv6_only_site_makes_a_flow_that_names_no_family_ipv6():
    """The converse: tcp names no family and the site has only IPv6 ranges, so the flow is
    IPv6 (it has no IPv4 host to start at); an IPv4 end or icmp makes it IPv4, which the site
    has no part in (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(V6)
    _one_family(m.trace("office", "web-1", "tcp", 443), PROBE6, WEB6)
    _one_family(m.trace("web-1", "office", "tcp", 443), WEB6, PROBE6)
    _one_family(m.trace("office", "web-1", "icmpv6"), PROBE6, WEB6)
    _one_family(next(Tracer(m).traces("office", "web-1", "tcp", 443, family=6)), PROBE6, WEB6)
    with pytest.raises(FlowError, match="site 'office' has no IPv4 range") as exc:
        m.trace("office", "web-1", "icmp")
    assert "such as 2001:db8:aa::a" in exc.value.hint
    with pytest.raises(FlowError, match="site 'office' has no IPv4 range"):
        next(Tracer(m).traces("office", "web-1", "tcp", 443, family=4))
    with pytest.raises(FlowError, match="different address families"):
        m.trace("office", str(WEB4), "tcp", 443)


def test_the_cli_traces_a_site_in_the_flows_family_and_says_the_error(capsys, tmp_path):
    """`vpcdsl trace FILE office web-1 icmpv6` starts at the site's IPv6 host; an IPv4-only
    site over IPv6 is an error with its hint, nothing traced
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    from vpcdsl.views.cli import main
    path = tmp_path / "office.vpc"
    path.write_text(BODY.replace("SITE", f"site office {V4}, {V6} asn 65010"), encoding="utf-8")
    assert main(["trace", str(path), "office", "web-1", "icmpv6", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["forward"][0]["packet"]["src"] == str(PROBE6)
    path.write_text(BODY.replace("SITE", f"site office {V4} asn 65010"), encoding="utf-8")
    code = main(["trace", str(path), "office", "web-1", "icmpv6"])
    out, err = capsys.readouterr()
    assert code != 0 and "site 'office' has no IPv6 range" in out + err
    assert "give it an IPv6 range" in out + err


@ORDERS
def test_reach_from_a_site_by_name_agrees_with_the_trace_from_its_probe_host(order):
    """Reach from `office` holds, per family, the requests of the site's probe host of that
    family, and each verdict is the trace's from that host's address: over IPv6 tcp 443 and
    icmpv6 allowed, tcp 22 (admitted only from IPv4) blocked by the group; over IPv4 tcp 22
    and 443 allowed (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    m = _model(*order)
    r = m.reach("office", "web-1")
    for family, probe, web in ((4, PROBE4, WEB4), (6, PROBE6, WEB6)):
        rows = [x for x in r.rows if x.family == family]
        assert rows
        host = PacketSet.box(family=family // 6, src=f"{probe}/{probe.max_prefixlen}")
        for x in rows:
            assert x.packets <= host, (family, x.words)
            assert ip_address(x.witness.forward[0].packet.src) == probe
        for protocol, port in (("tcp", 22), ("tcp", 443), ("icmpv6" if family == 6 else "icmp", None)):
            t = m.trace(str(probe), str(web), protocol, port)
            request = PacketSet.box(family=family // 6, protocol=protocol, src=f"{probe}/{probe.max_prefixlen}",
                                    dst=f"{web}/{web.max_prefixlen}",
                                    **({"dport": port} if port else {"icmp_type": 128 if family == 6 else 8}))
            assert request <= getattr(r, t.status)("web-1"), (family, protocol, port, t.status)
    assert _tcp(PROBE6, WEB6, 22) <= r.blocked("web-1")
    assert m.trace(str(PROBE6), "web-1", "tcp", 22).component == "sg:web"
    assert _tcp(PROBE6, WEB6, 443) <= r.allowed("web-1") and _tcp(PROBE4, WEB4, 22) <= r.allowed("web-1")


def test_reach_to_a_site_by_name_is_to_its_probe_host_of_each_family():
    """web-1 -> office: reach's IPv6 requests go to 2001:db8:aa::a, its IPv4 ones to
    192.168.0.10 (https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html)."""
    r = _model(V6, V4).reach("web-1", "office")
    for family, probe in ((4, PROBE4), (6, PROBE6)):
        rows = [x for x in r.rows if x.family == family]
        assert rows and all(ip_address(x.witness.forward[0].packet.dst) == probe for x in rows)
        assert all(x.packets <= PacketSet.box(family=family // 6, dst=f"{probe}/{probe.max_prefixlen}")
                   for x in rows)


def _tcp(src, dst, port):
    return PacketSet.box(family=src.version // 6, protocol="tcp", dport=port,
                         src=f"{src}/{src.max_prefixlen}", dst=f"{dst}/{dst.max_prefixlen}")
