"""A site named as a flow end is probed at a host of its first range of the flow's family.

A dual-stack site (`site office 192.168.0.0/16, 2001:db8:aa::/48`) sends IPv4 from its
IPv4 range and IPv6 from its IPv6 range, whichever is written first; a site with no range
of the family has no part in such a flow. IPv6 reaches a VPC from a site over a
Site-to-Site VPN only on a transit gateway
(https://docs.aws.amazon.com/vpn/latest/s2svpn/ipv4-ipv6.html), as here.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from vpcdsl.flows.trace import Tracer

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


@pytest.mark.parametrize("order", [(V4, V6), (V6, V4)])
def test_a_site_sends_ipv6_from_its_ipv6_range_and_ipv4_from_its_ipv4_range(order):
    """Forward and return, in both families, whichever range the site lists first."""
    m = _model(*order)
    six = m.trace("office", "web-1", "icmpv6")
    assert six.allowed, six.table()
    assert ip_address(six.forward[0].packet.src) == ip_address("2001:db8:aa::a")
    assert six.back and ip_address(six.back[-1].packet.dst) == ip_address("2001:db8:aa::a")
    four = m.trace("office", "web-1", "tcp", 22)
    assert four.allowed, four.table()
    assert ip_address(four.forward[0].packet.src) == ip_address("192.168.0.10")
    assert ip_address(four.back[-1].packet.dst) == ip_address("192.168.0.10")


def test_the_probe_words_name_the_range_of_the_family():
    m = _model(V4, V6)
    assert "first IPv6 prefix 2001:db8:aa::/48" in m.trace("office", "web-1", "icmpv6").table()
    assert "of its first prefix 192.168.0.0/16" in m.trace("office", "web-1", "tcp", 443).table()


def test_a_site_as_the_destination_of_an_ipv6_flow_is_a_host_of_its_ipv6_range():
    """web-1 -> office over IPv6: to the site's IPv6 probe host, back from it."""
    m = _model(V4, V6)
    t = next(Tracer(m).traces("web-1", "office", "tcp", 443, family=6))
    assert ip_address(t.forward[0].packet.dst) in ip_network(V6), t.table()
    assert t.allowed, t.table()


def test_a_site_with_no_ipv6_range_has_no_part_in_an_ipv6_flow():
    m = _model(V4)
    t = m.trace("office", "web-1", "icmpv6")
    assert not t.allowed
    assert "site 'office' has no IPv6 range, so it has no part in an IPv6 flow" in t.table()


def test_reach_from_a_site_by_name_over_ipv6_agrees_with_its_traces():
    """Per class, reach's IPv6 verdicts from `office` are those of the trace from the
    site's IPv6 probe host: tcp 443 allowed, tcp 22 (admitted only from IPv4) blocked."""
    m = _model(V6, V4)
    rows = [r for r in m.reach("office", "web-1").rows if r.family == 6]
    assert rows
    for r in rows:
        w = r.witness
        assert ip_address(w.forward[0].packet.src) == ip_address("2001:db8:aa::a")
        assert w.status == r.status
    allowed = {r.service for r in rows if r.status == "allowed"}
    assert any("tcp 443" in s for s in allowed) and not any("tcp 22" in s for s in allowed)
