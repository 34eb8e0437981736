"""Flows to and from on-premises sites (SEMANTICS.md, Hybrid): VGW and TGW, VPN and Direct
Connect, the VGW's path choice, CloudHub, public VIFs, software VPNs, edge-to-edge rules.

Each test writes a small model inline, traces one flow and checks the verdict, the kind
of the blocking component and the deciding line, found by a unique piece of the text.
"""

from __future__ import annotations

import ipaddress

import pytest

from vpcdsl.flows.sitelinks import best
from vpcdsl.flows.trace import FlowError

from tracing import check, hop, hops, line_of, model

VGW = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  subnet db 10.40.10.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw }
  route-table data for db { 172.16.0.0/16 -> corp-vgw }
  sg app { in tcp 443 from 172.16.0.0/12 }
  sg db { in tcp 5432 from 172.16.0.0/12 }
  instance app-1 in app sg app
  instance db-1 in db sg db
}
site hq 172.16.0.0/16, 203.0.113.0/28 asn 65001
site north 172.20.0.0/20 asn 65011
site lab 172.30.0.0/24
dxgw gw asn 64513 { attach corp-vgw }
dx dx-1 hq <-> gw vif private vlan 101
dx dx-2 hq <-> gw vif private vlan 201
dx hq-public hq <-> aws vif public vlan 301
vpn hq-vpn hq <-> corp-vgw bgp
vpn north-vpn north <-> corp-vgw bgp
vpn lab-vpn lab <-> corp-vgw static 172.30.0.0/24
advertise hq 172.16.0.0/16 via dx-1 community 7224:7100
advertise hq 172.16.0.0/16 via dx-2 community 7224:7300
advertise hq 172.16.50.0/24 via hq-vpn
advertise hq 203.0.113.0/28 via hq-public
"""


def test_a_vpc_reaches_a_site_through_its_vgw():
    m = model(VGW)
    t = check(m, VGW, "app-1", "north", "tcp", 443, "allowed")
    assert hop(t, "route-table:main").detail.endswith("(propagated from north-vpn) matched")
    assert "BGP VPN 'north-vpn'" in hop(t, "vgw:corp-vgw").detail
    assert hop(t, "vpn:north-vpn").action == "forward"
    assert t.forward[-1].component == "site:north" and t.forward[-1].action == "deliver"


def test_a_site_reaches_a_vpc_and_the_response_needs_a_route_back():
    m = model(VGW)
    t = check(m, VGW, "north", "app-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:north", "vpn:north-vpn", "vgw:corp-vgw"]
    back = hop(t, "route-table:main", back=True)
    assert "(propagated from north-vpn)" in back.detail
    # the data table routes only HQ back: a branch's request arrives, its response cannot leave
    t = check(m, VGW, "north", "db-1", "tcp", 5432, "blocked", "route", at="route-table data")
    assert "no return route" in t.reason and "corp-vgw" in t.reason


def test_the_vgw_prefers_the_longest_prefix_then_direct_connect_then_local_preference():
    m = model(VGW)
    t = check(m, VGW, "db-1", "172.16.20.5", "tcp", 443, "allowed")
    vgw = hop(t, "vgw:corp-vgw")
    # both DX links beat the BGP VPN; of the two, 7224:7300 (high) beats 7224:7100 (low)
    assert "Direct Connect 'dx-2'" in vgw.detail and "higher local preference" in vgw.detail
    assert vgw.span.line == 24                     # the advertise that set the preference
    assert [c for c, _ in hops(t)][-3:] == ["dxgw:gw", "dx:dx-2", "site:hq"]
    # a longer prefix announced over the VPN wins over both DX links
    t = check(m, VGW, "db-1", "172.16.50.9", "tcp", 443, "allowed")
    assert "longest prefix (172.16.50.0/24 over 172.16.0.0/16)" in hop(t, "vgw:corp-vgw").detail
    assert "vpn:hq-vpn" in [c for c, _ in hops(t)]


def test_path_choice_order():
    text = VGW.replace("advertise hq 172.16.0.0/16 via dx-1 community 7224:7100\n", "") \
              .replace("advertise hq 172.16.0.0/16 via dx-2 community 7224:7300\n", "") \
              .replace("dx dx-1 hq <-> gw vif private vlan 101\ndx dx-2 hq <-> gw vif private vlan 201\n", "") \
              + "vpn hq-static hq <-> corp-vgw static 172.16.0.0/16\n" \
              + "vpn hq-backup hq <-> corp-vgw bgp\nadvertise hq 172.16.0.0/16 via hq-vpn prepend 2\n"
    m = model(text)
    links = m.dataplane.links_on["corp-vgw"]
    addr = ipaddress.ip_address("172.16.9.9")
    choice = best(links, addr)
    assert choice.link.obj.name == "hq-static" and choice.why == "static VPN over BGP VPN"
    bgp = [lk for lk in links if lk.kind == "bgp-vpn"]
    choice = best(bgp, addr)               # hq-vpn prepends 2: the other BGP VPN wins
    assert choice.link.obj.name == "hq-backup" and "shorter AS path" in choice.why
    assert best(links, ipaddress.ip_address("192.0.2.1")) is None


def test_a_vgw_with_no_link_for_the_address_drops_it():
    text = VGW.replace("route-table data for db { 172.16.0.0/16 -> corp-vgw }",
                       "route-table data for db { 172.31.0.0/16 -> corp-vgw }")
    m = model(text)
    t = check(m, text, "db-1", "172.31.0.9", "tcp", 443, "blocked", "route", at="172.31.0.0/16 -> corp-vgw")
    assert "learned no route" in t.reason


def test_cloudhub_relays_between_bgp_sites_only():
    m = model(VGW)
    t = check(m, VGW, "north", "hq", "tcp", 22, "allowed")
    assert "VPN CloudHub" in hop(t, "vgw:corp-vgw").detail
    t = check(m, VGW, "north", "lab", "tcp", 22, "blocked", "gateway", at="vpn lab-vpn")
    assert "BGP only" in t.reason


def test_a_public_vif_carries_only_the_prefixes_the_site_announces():
    m = model(VGW)
    t = check(m, VGW, "203.0.113.5", "s3", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][1:] == ["dx:hq-public", "service:s3"]
    t = check(m, VGW, "172.16.1.1", "s3", "tcp", 443, "blocked", "route", at="dx hq-public")
    assert "203.0.113.0/28" in t.reason
    with pytest.raises(FlowError, match="no public VIF"):
        m.trace("north", "s3", "tcp/443")


def test_a_site_never_reaches_the_internet_through_a_vpc():
    m = model(VGW)
    t = check(m, VGW, "hq", "8.8.8.8", "tcp", 443, "blocked", "gateway", at="site hq")
    assert "edge-to-edge" in t.reason


def test_a_site_with_no_link_to_the_vpc_is_dropped_at_the_site():
    text = VGW + "site far 192.168.0.0/16 asn 65099\n"
    m = model(text, valid=False)        # W501-style warnings only; no link is fine
    assert not m.errors
    check(m, text, "far", "app-1", "tcp", 443, "blocked", "route", at="site far")


PEERED = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw
  route-table main main { propagate corp-vgw
    10.50.0.0/16 -> p }
  instance app-1 in app
}
vpc other {
  cidr 10.50.0.0/16
  subnet o 10.50.1.0/24 az a
  route-table om main { 10.40.0.0/16 -> p
    172.16.0.0/16 -> p }
  instance o-1 in o
}
peer p other -> corp
site hq 172.16.0.0/16 asn 65001
vpn hq-vpn hq <-> corp-vgw bgp
"""


def test_a_peered_vpc_cannot_use_the_vgw():
    m = model(PEERED)
    # no edge-to-edge routing: the peering delivers only addresses of corp, never its VGW's sites
    t = check(m, PEERED, "o-1", "hq", "tcp", 443, "blocked", "peering", at="172.16.0.0/16 -> p")
    assert "not transitive" in t.reason


TGW = """\
vpc spoke {
  cidr 10.1.0.0/16
  subnet app 10.1.1.0/24 az a
  subnet att 10.1.15.0/28 az a
  route-table main main { 0.0.0.0/0 -> core }
  sg web { in tcp 443 from 192.168.0.0/16 }
  instance web-1 in app sg web
}
site office 192.168.0.0/16 asn 65010
site dc 172.16.0.0/16 asn 65020
tgw core asn 64600 {
  attach spoke for att
}
vpn office-vpn office <-> core bgp
dxgw cdx { attach core }
dx dc-dx dc <-> cdx vif transit vlan 400
"""


def test_sites_reach_vpcs_through_a_transit_gateway_and_back():
    m = model(TGW)
    t = check(m, TGW, "office", "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:office", "vpn:office-vpn", "tgw:core"]
    assert "office-vpn" in hop(t, "tgw:core", back=True).detail
    t = check(m, TGW, "web-1", "office", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][-2:] == ["vpn:office-vpn", "site:office"]
    # Direct Connect through a transit VIF on a DX gateway attached to the TGW
    t = check(m, TGW, "dc", "web-1", "tcp", 443, "blocked", "sg", at="sg web {")
    assert [c for c, _ in hops(t)][1:4] == ["dx:dc-dx", "dxgw:cdx", "tgw:core"]


def test_a_static_only_attachment_leaves_the_tgw_no_route_back():
    text = TGW.replace("attach spoke for att", "attach spoke for att static-only")
    m = model(text)
    t = check(m, text, "web-1", "office", "tcp", 443, "blocked", "route")
    assert t.component == "tgw:core" and "not VPC 'spoke'" in t.reason


SOFTWARE = """\
vpc west {
  cidr 10.20.0.0/16
  subnet pub 10.20.0.0/24 az a
  subnet app 10.20.10.0/24 az a
  igw gw
  route-table rp for pub { 0.0.0.0/0 -> gw }
  route-table ra for app { 10.99.0.0/24 -> vpn-box }
  sg box { in udp 500 from any
    in udp 4500 from any
    in any from 10.20.0.0/16 }
  sg app { in tcp 8080 from 10.99.0.0/24 }
  instance vpn-box in pub sg box eip source-dest-check off
  instance app-1 in app sg app
}
site partner 10.99.0.0/24
vpn partner-vpn partner <-> vpn-box static 10.99.0.0/24
"""


def test_a_software_vpn_forwards_into_the_vpc_and_out_to_the_site():
    m = model(SOFTWARE)
    t = check(m, SOFTWARE, "partner", "app-1", "tcp", 8080, "allowed")
    assert "out of the tunnel" in hop(t, "instance:vpn-box").detail
    assert hop(t, "route-table:ra", back=True).span.line == line_of(SOFTWARE, "10.99.0.0/24 -> vpn-box")
    t = check(m, SOFTWARE, "app-1", "partner", "tcp", 22, "allowed")
    assert [c for c, _ in hops(t)][-2:] == ["vpn:partner-vpn", "site:partner"]


def test_a_software_vpn_needs_the_source_dest_check_off():
    text = SOFTWARE.replace(" source-dest-check off", "")
    m = model(text, valid=False)                      # W502 says so already
    assert not m.errors
    t = check(m, text, "partner", "app-1", "tcp", 8080, "blocked", "gateway", at="instance vpn-box")
    assert "source/dest check" in t.reason


V6 = """\
vpc corp {
  cidr 10.40.0.0/16
  ipv6 2600:1f18:1:100::/56
  subnet app 10.40.1.0/24 az a ipv6 2600:1f18:1:101::/64
  vgw corp-vgw
  route-table main main { 2001:db8::/32 -> corp-vgw }
  instance app-1 in app
}
site v6site 2001:db8::/32 asn 65030
vpn v6-vpn v6site <-> corp-vgw bgp
"""


def test_a_vgw_carries_no_ipv6():
    m = model(V6)
    t = check(m, V6, "app-1", "2001:db8::10", "tcp", 443, "blocked", "gateway", at="2001:db8::/32 -> corp-vgw")
    assert "no IPv6" in t.reason and t.component == "vgw:corp-vgw"


def test_a_bgp_software_vpn_needs_tcp_179_through_the_instances_filters():
    text = SOFTWARE.replace("vpn partner-vpn partner <-> vpn-box static 10.99.0.0/24",
                            "vpn partner-vpn partner <-> vpn-box bgp")
    text = text.replace("site partner 10.99.0.0/24", "site partner 10.99.0.0/24 asn 65099")
    m = model(text)
    t = check(m, text, "partner", "app-1", "tcp", 8080, "blocked", "gateway", at="sg box {")
    assert "BGP session of BGP VPN 'partner-vpn' is down" in t.reason and "TCP 179" in t.reason
    # the same VPC-bound traffic once the security group admits BGP from the site
    opened = text.replace("    in any from 10.20.0.0/16 }", "    in any from 10.20.0.0/16\n    in tcp 179 from 10.99.0.0/24 }")
    m = model(opened)
    t = check(m, opened, "partner", "app-1", "tcp", 8080, "allowed")
    assert "BGP session of BGP VPN 'partner-vpn' up" in t.forward[2].detail
    check(m, opened, "app-1", "partner", "tcp", 22, "allowed")


def test_a_bgp_software_vpn_needs_tcp_179_through_the_network_acl_too():
    text = SOFTWARE.replace("vpn partner-vpn partner <-> vpn-box static 10.99.0.0/24",
                            "vpn partner-vpn partner <-> vpn-box bgp")
    text = text.replace("    in any from 10.20.0.0/16 }", "    in any from 10.20.0.0/16\n    in tcp 179 from 10.99.0.0/24 }")
    text = text.replace("  instance app-1 in app sg app\n",
                        "  instance app-1 in app sg app\n"
                        "  nacl edge for pub {\n"
                        "    in 100 allow udp 500 from any\n"
                        "    in 110 allow udp 4500 from any\n"
                        "    in 120 allow any from 10.20.0.0/16\n"
                        "    out 100 allow any to any\n"
                        "  }\n")
    m = model(text)
    t = check(m, text, "partner", "app-1", "tcp", 8080, "blocked", "gateway", at="nacl edge")
    assert "network ACL 'edge' does not pass TCP 179" in t.reason


# ---------------------------------------------------------------------------- a site's probe host

PROBED = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw }
  sg app { in tcp 443 from 192.168.7.0/24 }
  instance app-1 in app sg app
}
site office 192.168.0.0/16 asn 65001
site tiny 198.51.100.8/29 asn 65002
vpn office-vpn office <-> corp-vgw bgp
vpn tiny-vpn tiny <-> corp-vgw bgp
"""


def test_a_site_by_name_is_probed_at_one_host_and_the_hint_says_which():
    """Site-to-Site VPN guide (a site is the customer network behind the customer
    gateway, many hosts): a site written by name stands for one probe host, the network
    address + 10 of its first prefix (its first host when the prefix is smaller); the
    trace's hint names it and how it was chosen, forward (site as source) and return
    (site as destination, where the response goes)."""
    m = model(PROBED)
    t = check(m, PROBED, "office", "app-1", "tcp", 443, "blocked", "sg")
    assert "192.168.0.10 -> 10.40.1.4" in t.reason
    assert t.hint == ("site 'office' is probed at 192.168.0.10, address 192.168.0.0 + 10 of its "
                      "first prefix 192.168.0.0/16; write an address of the site to trace another")
    assert "hint: site 'office' is probed at 192.168.0.10" in t.table()
    assert t.to_dict()["hint"] == t.hint
    assert check(m, PROBED, "192.168.7.20", "app-1", "tcp", 443, "allowed").hint is None
    t = check(m, PROBED, "app-1", "tiny", "tcp", 443, "allowed")
    assert str(t.back[-2].packet).startswith("198.51.100.9 -> 10.40.1.4")
    assert t.hint.startswith("site 'tiny' is probed at 198.51.100.9, the first host of its first "
                             "prefix 198.51.100.8/29")


def test_a_failed_expectation_on_a_site_names_its_probe_host():
    """Site-to-Site VPN guide: the expectation on `office` was decided for its probe host
    alone, so the E901 hint says which host that was and how to trace another."""
    text = PROBED + "expect office -> app-1 tcp 443 allowed\n"
    m = model(text, valid=False)
    [d] = [d for d in m.diagnostics if d.code == "E901"]
    assert "site 'office' is probed at 192.168.0.10" in d.hint
    assert d.hint.endswith("write an address of the site to trace another")
