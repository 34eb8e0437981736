"""Direct Connect gateways (SEMANTICS.md, Hybrid: DX gateways).

AWS Direct Connect User Guide, "Direct Connect gateways" and "Virtual private gateway
associations": a private VIF on a DX gateway reaches every VGW associated with it (in
any region, any account), the routes the site announces over BGP propagate into the
route tables of those VPCs that enable propagation of their VGW, and a DX gateway does
not carry traffic between the VGWs associated with it (VPC to VPC through it is not
supported: use peering or a transit gateway).
"""

from __future__ import annotations

from tracing import check, hop, hops, model

DXGW = """\
region us-east-1
vpc a {
  cidr 10.1.0.0/16
  subnet a1 10.1.1.0/24 az a
  vgw vga
  route-table rta main { propagate vga }
  sg open { in any from any; out any to any }
  instance ia in a1 sg open
}
region eu-west-1
vpc b {
  cidr 10.2.0.0/16
  subnet b1 10.2.1.0/24 az a
  vgw vgb
  route-table rtb main { propagate vgb; 10.1.0.0/16 -> vgb }
  sg openb { in any from any; out any to any }
  instance ib in b1 sg openb
}
site dc 192.168.0.0/16 asn 65000
dxgw hub asn 64512 { attach vga, vgb }
dx link dc <-> hub vif private
"""


def test_a_private_vif_on_a_dx_gateway_propagates_into_tables_that_propagate_the_vgw():
    """DX guide, Direct Connect gateways: the site's BGP routes reach the VPC's table
    through the VGW's route propagation; the site's request and its response both pass."""
    m = model(DXGW)
    t = check(m, DXGW, "dc", "ia", "tcp", 22, "allowed")
    assert [c for c, _ in hops(t)][:4] == ["site:dc", "dx:link", "dxgw:hub", "vgw:vga"]
    back = hop(t, "route-table:rta", back=True)
    assert back.detail == "return route 192.168.0.0/16 -> vga (propagated from link) matched"
    assert back.span.line == 6                       # the `propagate vga` line decides
    assert [c for c, _ in hops(t, back=True)][-3:] == ["dxgw:hub", "dx:link", "site:dc"]


def test_a_vpc_reaches_the_site_over_the_vif_on_its_dx_gateway():
    """The same rule forward: the VPC's request is routed by the propagated route."""
    m = model(DXGW)
    t = check(m, DXGW, "ib", "dc", "tcp", 443, "allowed")
    route = hop(t, "route-table:rtb")
    assert "192.168.0.0/16 -> vgb (propagated from link)" in route.detail
    assert [c for c, _ in hops(t)][-4:] == ["vgw:vgb", "dxgw:hub", "dx:link", "site:dc"]
    assert [c for c, _ in hops(t, back=True)][:3] == ["dx:link", "dxgw:hub", "vgw:vgb"]


def test_without_propagation_the_site_has_no_route_back():
    """The VGW learns the routes, but a table without `propagate` does not see them."""
    text = DXGW.replace("route-table rta main { propagate vga }", "route-table rta main { }")
    m = model(text)
    t = check(m, text, "dc", "ia", "tcp", 22, "blocked", "route", "route-table:rta")
    assert "no return route" in t.reason


def test_vgws_on_one_dx_gateway_do_not_reach_each_other():
    """DX guide, Virtual private gateway associations: a DX gateway does not route
    between the VGWs associated with it, even with a static route to the other VPC."""
    m = model(DXGW)
    t = check(m, DXGW, "ib", "ia", "tcp", 22, "blocked", "route", "vgw:vgb",
              at="10.1.0.0/16 -> vgb")
    assert "Direct Connect gateway 'hub' does not carry traffic between the virtual " \
           "private gateways attached to it ('vgb' and 'vga')" in t.reason
    assert "peering or a transit gateway" in t.reason
    # and the other way round: a's table has no route to b at all
    t = check(m, DXGW, "ia", "ib", "tcp", 22, "blocked", "route", "route-table:rta")
