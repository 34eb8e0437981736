"""NAT gateways and the other forward-only components: translations both ways, NAT64, and
what each does when a flow names it as its destination.

AWS pages: VPC guide, "NAT gateways" (a NAT gateway translates the source of traffic its
VPC starts and translates the response back; it accepts no connection to its own private
or Elastic IP), "DNS64 and NAT64" (IPv6 traffic to 64:ff9b::/96 leaves as IPv4 to the
embedded address), "Internet gateways", "Egress-only internet gateways", "Gateway
endpoints", Transit Gateway guide and Site-to-Site VPN guide (TGWs and VGWs route between
attachments; neither is a host).
"""

import pytest

from vpcdsl.flows.flow import FlowError

from tracing import check, hop, line_of, model

NAT = """\
region us-east-1
vpc prod {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:aa00::/56
  subnet pub 10.0.0.0/24 az a ipv6 2600:1f18:6c0:aa00::/64
  subnet app 10.0.1.0/24 az a ipv6 2600:1f18:6c0:aa01::/64
  subnet tgw-a 10.0.2.0/28 az a
  igw gw
  eigw egw
  vgw prod-vgw asn 64512
  nat nat-a in pub
  endpoint s3-ep gateway s3 for private
  route-table public for pub { 0.0.0.0/0 -> gw }
  route-table private for app { 0.0.0.0/0 -> nat-a; 64:ff9b::/96 -> nat-a; ::/0 -> egw }
  nacl pub-nacl for pub {
    in  90  allow tcp 80 from 10.0.0.0/16
    in  100 allow tcp 443 from 10.0.0.0/16
    in  110 allow tcp 1024-65535 from 0.0.0.0/0
    in  120 allow icmp from 0.0.0.0/0
    in  130 allow icmpv6 from ::/0
    in  140 allow tcp 443 from 2600:1f18:6c0:aa00::/56
    out 100 allow tcp 443 to 0.0.0.0/0
    out 110 allow tcp 32768-60999 to 10.0.0.0/16
    out 120 allow icmp to 0.0.0.0/0
    out 130 allow icmpv6 to ::/0
    out 140 allow tcp 32768-60999 to 2600:1f18:6c0:aa00::/56
  }
  sg app { out tcp 443 to 0.0.0.0/0; out tcp 443 to ::/0; out tcp 80 to 10.0.0.0/16; out icmpv6 to ::/0 }
  instance app-1 in app sg app
  instance pub-1 in pub sg app
}
tgw hub { attach prod for tgw-a }
"""


@pytest.fixture(scope="module")
def m():
    return model(NAT)


def test_nat_translates_the_source_and_the_response_back(m):
    """Forward: the NAT replaces the client's address with its own private address, which
    its subnet's NACL sees; the IGW maps that to the NAT's Elastic IP (VPC guide, "NAT
    gateways": a public NAT gateway's traffic is translated to the Elastic IP by the
    internet gateway). Return: the IGW maps the Elastic IP back before the NAT's subnet
    NACL in sees the response, the NAT translates the destination back to the client (a
    hop), then the NAT's NACL out and the client's NACL in see it. No NACL sees an
    Elastic IP, either way."""
    t = check(m, NAT, "app-1", "198.51.100.7", "tcp", 443, "allowed")
    nat = hop(t, "nat:nat-a")
    assert nat.action == "translate" and nat.packet.src == "10.0.0.4"
    assert hop(t, "nacl:pub-nacl", last=True).packet.src == "10.0.0.4"
    igw = hop(t, "igw:gw")
    assert igw.action == "translate" and igw.packet.src == "public-ip(nat-a)"
    assert igw.detail == "gw translates 10.0.0.4 to public-ip(nat-a)"
    back = [(h.component, h.action, h.packet.dst) for h in t.back]
    assert back == [
        ("igw:gw", "translate", "10.0.0.4"),
        ("nacl:pub-nacl", "allow", "10.0.0.4"),
        ("nat:nat-a", "translate", "10.0.1.4"),
        ("nacl:pub-nacl", "allow", "10.0.1.4"),
        ("nacl:prod.default-nacl", "allow", "10.0.1.4"),
        ("instance:app-1", "deliver", "10.0.1.4")]
    assert t.back[2].packet.port == "32768-60999"      # the client's own ports again
    assert t.back[1].packet.port == "1024-65535"       # the NAT's ports on the outside


@pytest.mark.parametrize("src", ["app-1", "pub-1"])
def test_a_nat_gateway_accepts_no_connection_to_its_own_address(m, src):
    """Forward: from another subnet and from the NAT's own subnet, a connection to the NAT's
    private address is dropped at the NAT (`gateway`), at the NAT's line; nothing returns."""
    t = check(m, NAT, src, "nat-a", "tcp", 80, "blocked", "gateway", "nat:nat-a",
              at="nat nat-a in pub")
    assert "accepts no connection to its own address 10.0.0.4" in t.reason
    assert t.back == ()


def test_a_nat_gateway_accepts_no_connection_from_the_internet(m):
    """Forward: the internet to the NAT's Elastic IP is dropped (`gateway`)."""
    t = check(m, NAT, "internet", "nat-a", "tcp", 80, "blocked", "gateway", "nat:nat-a")
    assert t.forward[0].packet.dst == "public-ip(nat-a)"


def test_nat64_translates_both_addresses_and_back(m):
    """DNS64/NAT64: IPv6 to 64:ff9b::c633:6407 leaves the NAT as IPv4 to 198.51.100.7 from
    the NAT's private address (the IGW maps it to the Elastic IP); the NAT's subnet NACL sees IPv4 (its IPv4 rules), the client's
    subnet IPv6. The response is translated back to both IPv6 addresses at the NAT."""
    t = check(m, NAT, "app-1", "64:ff9b::c633:6407", "tcp", 443, "allowed")
    nat = hop(t, "nat:nat-a")
    assert (nat.packet.src, nat.packet.dst) == ("10.0.0.4", "198.51.100.7")
    assert hop(t, "igw:gw").packet.src == "public-ip(nat-a)"
    out = hop(t, "nacl:pub-nacl", last=True)
    assert "out rule 100" in out.detail and out.packet.dst == "198.51.100.7"
    back = hop(t, "nat:nat-a", back=True)
    assert back.action == "translate" and "NAT64" in back.detail
    assert (back.packet.src, back.packet.dst) == ("64:ff9b::c633:6407", "2600:1f18:6c0:aa01::4")
    assert t.back[-1].packet.dst == "2600:1f18:6c0:aa01::4"


def test_nat64_turns_an_icmpv6_echo_into_an_icmp_echo(m):
    """ICMPv6 echo becomes ICMP echo (RFC 7915): the NAT's subnet NACL matches its ICMP
    rule (in 120 / out 120) and the response is ICMPv6 again at the client."""
    t = check(m, NAT, "app-1", "64:ff9b::c633:6407", "icmpv6", None, "allowed")
    assert hop(t, "nat:nat-a").packet.protocol == "icmp"
    assert "out rule 120" in hop(t, "nacl:pub-nacl", last=True).detail
    assert "in rule 120" in hop(t, "nacl:pub-nacl", back=True).detail
    assert hop(t, "nat:nat-a", back=True).packet.protocol == "icmpv6"
    assert t.back[-1].packet.protocol == "icmpv6"


def test_ipv6_outside_the_nat64_prefix_is_not_translated():
    """A NAT gateway translates IPv6 only to 64:ff9b::/96 (the route check E303 stops
    `::/0 -> nat`; a more specific IPv6 route to a NAT is dropped at the NAT)."""
    text = NAT.replace("64:ff9b::/96 -> nat-a", "2001:db8::/32 -> nat-a")
    t = check(model(text, valid=False), text, "app-1", "2001:db8::7", "tcp", 443, "blocked",
              "gateway", "nat:nat-a")
    assert "egress-only internet gateway" in t.reason


@pytest.mark.parametrize("dst, node, words", [
    ("gw", "igw:gw", "owns no address that accepts a connection"),
    ("egw", "eigw:egw", "nothing connects to it"),
    ("prod-vgw", "vgw:prod-vgw", "no address of it in the VPC accepts a connection"),
    ("hub", "tgw:hub", "accept no connection"),
    ("s3-ep", "gateway-endpoint:s3-ep", "is a route target, not an address"),
])
def test_forward_only_components_are_no_destination(m, dst, node, words):
    """Forward: a flow to an IGW, EIGW, VGW, TGW or gateway endpoint is blocked (`gateway`)
    at the component's line with what it does instead; nothing returns."""
    t = m.trace("app-1", dst, "tcp", 80)
    assert (t.verdict, t.kind, t.component) == ("blocked", "gateway", node), t.table()
    assert words in t.reason
    assert t.span.line == line_of(NAT, {"gw": "igw gw", "egw": "eigw egw", "prod-vgw": "vgw prod",
                                         "hub": "tgw hub", "s3-ep": "endpoint s3-ep"}[dst])
    assert t.back == ()


def test_forward_only_components_start_no_flow(m):
    with pytest.raises(FlowError, match="originates no traffic"):
        m.trace("gw", "app-1", "tcp", 80)


def test_an_expectation_may_name_a_gateway_and_learns_it_is_blocked():
    """`expect app-1 -> gw tcp 80 blocked by gateway` checks clean; `allowed` fails (E901)
    with the gateway's reason."""
    ok = model(NAT + "expect app-1 -> gw tcp 80 blocked by gateway\n")
    assert not [d for d in ok.diagnostics if d.severity == "error"]
    bad = model(NAT + "expect app-1 -> gw tcp 80 allowed\n", valid=False)
    failed = [d for d in bad.diagnostics if d.code == "E901"]
    assert len(failed) == 1 and "only forwards" in failed[0].message + (failed[0].hint or "")
