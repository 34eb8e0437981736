"""Network ACLs on the legs of a transit gateway, and the hops of hybrid returns.

AWS pages: Transit Gateway guide, "Network ACLs for transit gateways" (docs/SEMANTICS.md,
NACLs and TGW attachments). Instances and attachment in different subnets: the instance
subnet's outbound rules see instance→TGW traffic and its inbound rules TGW→instance
traffic; the attachment subnet's inbound rules see instance→TGW traffic and its outbound
rules TGW→instance traffic. Instances in the attachment subnet: its outbound and inbound
rules see instance→TGW traffic, neither sees TGW→instance traffic. Every packet that
crosses a VPC attachment follows this, request or response, whatever the other side
(another VPC, a VPN attachment, a Direct Connect gateway attachment).

Each NACL here allows everything, with its own rule number per direction, so the hops
(`in rule N` / `out rule N`) say exactly which NACL and which direction met the packet.
"""

from __future__ import annotations

import re

import pytest

from tracing import check, hops, line_of, model

MODEL = """\
vpc a {
  cidr 10.1.0.0/16
  subnet app 10.1.1.0/24 az a
  subnet att 10.1.15.0/28 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  nacl app-acl for app {
    in 110 allow any from any
    out 120 allow any to any
  }
  nacl att-acl for att {
    in 130 allow any from any
    out 140 allow any to any
  }
  sg web { in tcp 443 from 10.0.0.0/8; in tcp 443 from 192.168.0.0/16; in tcp 443 from 172.16.0.0/16 }
  instance web-1 in app sg web
}
vpc b {
  cidr 10.2.0.0/16
  subnet shared 10.2.15.0/28 az a
  route-table b-main main { 0.0.0.0/0 -> core }
  nacl shared-acl for shared {
    in 150 allow any from any
    out 160 allow any to any
  }
  sg db { in tcp 443 from 10.0.0.0/8; in tcp 443 from 192.168.0.0/16; in tcp 443 from 172.16.0.0/16 }
  instance db-1 in shared sg db
}
site office 192.168.0.0/16 asn 65010
site dc 172.16.0.0/16 asn 65020
tgw core asn 64600 {
  attach a for att
  attach b for shared
}
vpn office-vpn office <-> core bgp
dxgw cdx { attach core }
dx dc-dx dc <-> cdx vif transit vlan 400
"""

_NACL = re.compile(r"^nacl (\S+) (in|out) rules? ")


def nacls(t, back: bool = False) -> list[str]:
    """The NACLs a packet met, in order, each as `NAME in` or `NAME out`."""
    found = []
    for h in t.back if back else t.forward:
        if h.kind == "nacl":
            m = _NACL.match(h.detail)
            assert m, h.detail
            found.append(f"{m[1]} {m[2]}")
    return found


# Request and response of each flow: (src, dst, request's NACLs, response's NACLs).
# web-1 and its attachment are in different subnets (app, att); db-1 is in its attachment
# subnet (shared).
LEGS = [
    # VPC <-> VPC
    ("web-1", "db-1", ["app-acl out", "att-acl in"], ["shared-acl out", "shared-acl in",
                                                       "att-acl out", "app-acl in"]),
    ("db-1", "web-1", ["shared-acl out", "shared-acl in", "att-acl out", "app-acl in"],
     ["app-acl out", "att-acl in"]),
    # site -> VPC over a VPN attachment
    ("office", "web-1", ["att-acl out", "app-acl in"], ["app-acl out", "att-acl in"]),
    ("office", "db-1", [], ["shared-acl out", "shared-acl in"]),
    # VPC -> site over a VPN attachment
    ("web-1", "office", ["app-acl out", "att-acl in"], ["att-acl out", "app-acl in"]),
    ("db-1", "office", ["shared-acl out", "shared-acl in"], []),
    # Direct Connect through a DX gateway attachment, both ways
    ("dc", "web-1", ["att-acl out", "app-acl in"], ["app-acl out", "att-acl in"]),
    ("dc", "db-1", [], ["shared-acl out", "shared-acl in"]),
    ("web-1", "dc", ["app-acl out", "att-acl in"], ["att-acl out", "app-acl in"]),
    ("db-1", "dc", ["shared-acl out", "shared-acl in"], []),
]


@pytest.mark.parametrize("src, dst, request_nacls, response_nacls", LEGS,
                         ids=[f"{s}->{d}" for s, d, _, _ in LEGS])
def test_each_packet_across_a_tgw_attachment_meets_the_nacls_the_tgw_guide_names(
        src, dst, request_nacls, response_nacls):
    """TGW guide, "Network ACLs for transit gateways", both cases, request and response:
    instance→TGW traffic meets the instance subnet's outbound and the attachment subnet's
    inbound rules (both of one NACL when they are one subnet); TGW→instance traffic meets
    the attachment subnet's outbound and the instance subnet's inbound rules (none when
    they are one subnet), whether the other side is a VPC, a VPN or a DX attachment."""
    m = model(MODEL)
    t = check(m, MODEL, src, dst, "tcp", 443, "allowed")
    assert nacls(t) == request_nacls, t.table()
    assert nacls(t, back=True) == response_nacls, t.table()


def test_a_tgw_response_leaves_by_nacl_route_table_attachment_then_the_tgw():
    """TGW guide, "Network ACLs for transit gateways" and "Transit gateway route tables":
    the response crosses the answering subnet's NACL, its route table, the attachment
    subnet's NACL, the TGW's route, and enters the client's VPC at its attachment."""
    m = model(MODEL)
    t = check(m, MODEL, "web-1", "db-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:shared-acl", "route-table:b-main", "nacl:shared-acl", "tgw:core", "tgw:core",
        "nacl:att-acl", "nacl:app-acl", "instance:web-1"]
    assert "return tgw route 10.1.0.0/16 -> a" in t.back[3].detail
    assert "hands the response to VPC 'a' at attachment subnet att" in t.back[4].detail
    assert t.back[4].span.line == line_of(MODEL, "attach a for att")
    # the packet as it leaves each hop: the response to the client's whole port range
    assert all(str(h.packet) == "10.2.15.4 -> 10.1.1.4 tcp 32768-60999" for h in t.back)


def test_a_response_to_a_site_leaves_by_nacl_route_table_tgw_then_the_vpn():
    """TGW guide, "Network ACLs for transit gateways"; Site-to-Site VPN guide (a VPN
    attachment carries the TGW's traffic to the customer gateway): NACL, route table,
    attachment NACL, TGW route, then the VPN as a hop of its own."""
    m = model(MODEL)
    t = check(m, MODEL, "office", "web-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:4] == ["site:office", "vpn:office-vpn", "tgw:core",
                                          "tgw:core"]
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:app-acl", "route-table:a-main", "nacl:att-acl", "tgw:core", "vpn:office-vpn",
        "site:office"]
    assert "carries the response to site 'office'" in t.back[4].detail


def test_a_response_over_direct_connect_passes_the_dx_gateway_then_the_link():
    """Direct Connect guide, transit virtual interfaces to a DX gateway associated with a
    TGW: the response leaves the TGW through the DX gateway, then the DX connection."""
    m = model(MODEL)
    t = check(m, MODEL, "dc", "db-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:dc", "dx:dc-dx", "dxgw:cdx"]
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:shared-acl", "route-table:b-main", "nacl:shared-acl", "tgw:core", "dxgw:cdx",
        "dx:dc-dx", "site:dc"]


def test_a_sites_response_comes_over_the_link_then_the_tgw_into_the_vpc():
    """TGW guide, "Network ACLs for transit gateways": a site's response over the VPN is
    TGW→instance traffic: the VPN, the TGW's route, its attachment, then the NACLs."""
    m = model(MODEL)
    t = check(m, MODEL, "web-1", "office", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t, back=True)] == [
        "vpn:office-vpn", "tgw:core", "tgw:core", "nacl:att-acl", "nacl:app-acl",
        "instance:web-1"]
    assert "carries the response from site 'office'" in t.back[0].detail
    t = check(m, MODEL, "db-1", "dc", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t, back=True)] == [
        "dx:dc-dx", "dxgw:cdx", "tgw:core", "tgw:core", "instance:db-1"]
    assert str(t.back[0].packet) == "172.16.0.10 -> 10.2.15.4 tcp 32768-60999"


# ---------------------------------------------------------------------------- wrong direction

WRONG_WAY = MODEL.replace("""\
  nacl att-acl for att {
    in 130 allow any from any
    out 140 allow any to any
  }""", """\
  nacl att-acl for att {
    in 100 allow tcp 443 from 192.168.0.0/16
    out 100 allow tcp 1024-65535 to 192.168.0.0/16
    out 200 deny any to any
    in 200 allow any from 10.1.0.0/16
  }""")

RIGHT_WAY = WRONG_WAY.replace("""\
    in 100 allow tcp 443 from 192.168.0.0/16
    out 100 allow tcp 1024-65535 to 192.168.0.0/16""", """\
    out 100 allow tcp 443 to 10.1.1.0/24
    in 100 allow tcp 1024-65535 from 10.1.1.0/24""")


def test_a_site_request_is_not_seen_by_the_attachment_subnets_inbound_rules():
    """TGW guide, "Network ACLs for transit gateways": a site's request reaches the VPC as
    TGW→instance traffic, which the attachment subnet's outbound rules see, never its
    inbound ones; rules written the other way round block it (forward), and the response
    (instance→TGW) meets the inbound rules (return)."""
    m = model(WRONG_WAY)
    t = check(m, WRONG_WAY, "office", "web-1", "tcp", 443, "blocked", "nacl", "nacl:att-acl",
              at="out 200 deny any to any")
    assert "out rule 200" in t.reason
    m = model(RIGHT_WAY)
    t = check(m, RIGHT_WAY, "office", "web-1", "tcp", 443, "allowed")
    assert nacls(t) == ["att-acl out", "app-acl in"]
    assert "out rule 100" in t.forward[4].detail
    assert nacls(t, back=True) == ["app-acl out", "att-acl in"]
    assert "in rule 100 allow" in t.back[2].detail


IN_ATTACHMENT = MODEL.replace("""\
  nacl shared-acl for shared {
    in 150 allow any from any
    out 160 allow any to any
  }""", """\
  nacl shared-acl for shared {
    in 100 allow tcp 443 from 10.0.0.0/8
    in 110 allow tcp 1024-65535 from 10.1.0.0/16
    out 100 allow any to any
  }""")


def test_in_the_attachment_subnet_the_inbound_rules_read_the_instances_own_address():
    """TGW guide, "Network ACLs for transit gateways", instances in the attachment subnet:
    instance→TGW traffic meets the subnet's outbound rules by destination and its inbound
    rules by source, the instance itself; TGW→instance traffic meets neither. So the
    response of db-1 needs an inbound rule from db-1's own subnet (return), and the
    request from web-1, TGW→instance traffic, passes no rule of it (forward)."""
    m = model(IN_ATTACHMENT)
    t = check(m, IN_ATTACHMENT, "web-1", "db-1", "tcp", 443, "blocked", "nacl",
              "nacl:shared-acl")
    assert nacls(t) == ["app-acl out", "att-acl in"]
    assert [c for c, _ in hops(t, back=True)] == ["nacl:shared-acl", "route-table:b-main",
                                                  "nacl:shared-acl"]
    assert t.back[-1].action == "drop" and "implicit deny" in t.reason
    fixed = IN_ATTACHMENT.replace("in 110 allow tcp 1024-65535 from 10.1.0.0/16",
                                  "in 110 allow tcp 1024-65535 from 10.2.15.0/28")
    t = check(model(fixed), fixed, "web-1", "db-1", "tcp", 443, "allowed")
    assert nacls(t, back=True) == ["shared-acl out", "shared-acl in", "att-acl out", "app-acl in"]
    # as the sender, db-1's request meets the inbound rules by its own address too (rule
    # 110, for a port no SG of web-1 admits)
    t = check(model(fixed), fixed, "db-1", "web-1", "tcp", 1024, "blocked", "sg", "sg:web")
    assert nacls(t) == ["shared-acl out", "shared-acl in", "att-acl out", "app-acl in"]
    assert "in rule 110" in t.forward[3].detail


# ---------------------------------------------------------------------------- through a VGW

VGW = """\
vpc corp {
  cidr 10.40.0.0/16
  subnet app 10.40.1.0/24 az a
  vgw corp-vgw asn 64512
  route-table main main { propagate corp-vgw; 172.16.0.0/16 -> corp-vgw }
  nacl app-acl for app {
    in 110 allow any from any
    out 120 allow any to any
  }
  sg app { in tcp 443 from 172.16.0.0/12 }
  instance app-1 in app sg app
}
site hq 172.16.0.0/16 asn 65001
site north 172.20.0.0/20 asn 65011
dxgw gw asn 64513 { attach corp-vgw }
dx dx-1 hq <-> gw vif private vlan 101
vpn north-vpn north <-> corp-vgw bgp
advertise hq 172.16.0.0/16 via dx-1
"""


def test_a_response_through_a_vgw_leaves_by_nacl_route_table_vgw_then_the_link():
    """Site-to-Site VPN guide and Direct Connect guide (private VIF to a DX gateway with a
    VGW); VPC guide, network ACLs: the response crosses the subnet's NACL, its route table,
    the VGW, then the VPN tunnel or the DX gateway and connection that carry it."""
    m = model(VGW)
    t = check(m, VGW, "north", "app-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:3] == ["site:north", "vpn:north-vpn", "vgw:corp-vgw"]
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:app-acl", "route-table:main", "vgw:corp-vgw", "vpn:north-vpn", "site:north"]
    assert nacls(t) == ["app-acl in"] and nacls(t, back=True) == ["app-acl out"]
    t = check(m, VGW, "hq", "app-1", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][:4] == ["site:hq", "dx:dx-1", "dxgw:gw", "vgw:corp-vgw"]
    assert [c for c, _ in hops(t, back=True)] == [
        "nacl:app-acl", "route-table:main", "vgw:corp-vgw", "dxgw:gw", "dx:dx-1", "site:hq"]


def test_a_sites_response_comes_over_the_link_then_the_vgw_into_the_subnet():
    """Site-to-Site VPN guide; VPC guide, network ACLs: forward the VGW sends the request
    over the link, which is a hop; the site's response comes back over that link, through
    the VGW, then the subnet's inbound rules."""
    m = model(VGW)
    t = check(m, VGW, "app-1", "north", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)][-3:] == ["vgw:corp-vgw", "vpn:north-vpn", "site:north"]
    assert [c for c, _ in hops(t, back=True)] == [
        "vpn:north-vpn", "vgw:corp-vgw", "nacl:app-acl", "instance:app-1"]
    assert "hands the response to VPC 'corp'" in t.back[1].detail
    assert nacls(t, back=True) == ["app-acl in"]
