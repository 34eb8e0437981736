"""Addresses and translations at the internet gateway, forward and back, and hop order on return.

AWS pages: VPC guide, "Enable internet access for a VPC using an internet gateway"
(an IGW performs one-to-one NAT of a public/Elastic IPv4 address to the instance's
private address; IPv6 addresses are global and not translated) and "Control subnet
traffic with network ACLs" (a NACL sees the private address, after translation).
"""

import vpcdsl

MODEL = """\
region us-east-1
vpc a {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet pub 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  subnet app 10.0.1.0/24 az a
  igw gw
  nat nat-a in pub
  route-table public for pub { 0.0.0.0/0 -> gw; ::/0 -> gw }
  route-table private for app { 0.0.0.0/0 -> nat-a }
  sg web { in tcp 22 from 203.0.113.0/24; in tcp 80 from 0.0.0.0/0; out any to 0.0.0.0/0 }
  instance b1 in pub sg web public-ip
  instance c1 in app sg web
}
"""


def _model(tmp_path):
    path = tmp_path / "m.vpc"
    path.write_text(MODEL)
    return vpcdsl.load(str(path))


def test_internet_never_reaches_a_private_ipv4_address(tmp_path):
    """Forward: internet -> 10.0.0.5 (b1's private address, b1 has a public IP) is blocked."""
    m = _model(tmp_path)
    private = str(m.dataplane.host("b1").address)
    t = m.trace("internet", private, "tcp", 80)
    assert not t.allowed and t.kind == "route" and "private address" in t.reason
    assert "write `internet -> b1`" in t.reason
    # An RFC 1918 address outside every VPC is no different.
    assert m.trace("internet", "10.200.0.9", "tcp", 80).kind == "route"


def test_internet_to_a_public_host_is_translated_before_the_nacl(tmp_path):
    """Forward: the internet sends to public-ip(b1); the IGW hop's packet (as it leaves the
    hop) and the NACL see the private address. Return: route table, then the IGW translating
    the source back to the public address, then the internet."""
    m = _model(tmp_path)
    t = m.trace("internet", "b1", "tcp", 80)
    assert t.allowed
    internet, igw, nacl = t.forward[:3]
    assert internet.packet.dst == "public-ip(b1)"
    assert igw.action == "translate" and igw.packet.dst == "10.0.0.5"
    assert nacl.kind == "nacl" and nacl.packet.dst == "10.0.0.5"
    kinds = [(h.kind, h.action) for h in t.back]
    assert kinds == [("nacl", "allow"), ("route", "forward"), ("gateway", "translate"),
                     ("host", "deliver")]
    assert t.back[2].packet.src == "public-ip(b1)" and t.back[1].packet.src == "10.0.0.5"


def test_outbound_through_the_igw_is_translated_back_before_the_nacl(tmp_path):
    """Return of b1 -> internet: the IGW translates public-ip(b1) back to 10.0.0.5 first;
    the NACL then sees the private address."""
    t = _model(tmp_path).trace("b1", "internet", "tcp", 443)
    assert t.allowed
    igw, nacl = t.back[:2]
    assert igw.action == "translate" and "back to 10.0.0.5" in igw.detail
    assert nacl.kind == "nacl" and nacl.packet.dst == "10.0.0.5"


def test_ipv6_is_reached_untranslated(tmp_path):
    """A VPC's IPv6 addresses are global: the private-address rule does not apply."""
    m = _model(tmp_path)
    t = m.trace("internet", "2600:1f18:6c0:d900::99", "tcp", 80)
    assert "private address" not in t.reason


def test_return_through_a_vgw_crosses_nacl_then_route_then_gateway():
    """VPN/DX return (VPC guide, network ACLs; Site-to-Site VPN guide): the response leaves
    the subnet through its NACL, then its route table sends it to the VGW."""
    m = vpcdsl.load("examples/hybrid-office.vpc")
    t = m.trace("172.16.20.5", "db-1", "tcp", 5432)
    assert [h.kind for h in t.back[:3]] == ["nacl", "route", "gateway"]
