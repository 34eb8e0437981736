"""Between two VPCs over their public addresses: out by one VPC's internet (or egress-only)
gateway, across the internet, in by the other VPC's internet gateway; forward and back.

AWS pages:
- VPC guide, "Enable internet access for a VPC using an internet gateway"
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html): an
  instance needs a globally unique address (a public IPv4 address, an Elastic IP address,
  or an IPv6 address); the internet gateway does the one-to-one NAT of a public IPv4
  address to the private one and back; IPv6 addresses are not translated.
- VPC guide, "Enable outbound IPv6 traffic using an egress-only internet gateway"
  (https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html):
  IPv6 addresses are globally unique and public; the gateway is stateful, forwarding the
  instances' traffic out and the responses back, and lets no connection in.
- VPC guide, "NAT gateways" (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html):
  a public NAT gateway's traffic leaves by the internet gateway from its Elastic IP.
- VPC guide, security group rules: a rule that references a group matches the members'
  private addresses, not their public or Elastic IP addresses.

IPv6: a host's address is public, so a route ::/0 to an internet or egress-only gateway
carries a request to another VPC's host, which its VPC's internet gateway lets in
untranslated. IPv4: another VPC's host is reached at its public address, written
`public-ip(NAME)`; its internet gateway translates it to the private one, and its filters
see the client's public address (the NAT gateway's Elastic IP behind a NAT), which
vpcdsl does not invent: only a rule covering every public IPv4 address is known to match.
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network

import pytest

from vpcdsl.analysis.flowsets import packet_classes
from vpcdsl.analysis.matrix import matrix
from vpcdsl.analysis.reach import public_blocks
from vpcdsl.flows.trace import FlowError, Tracer
from vpcdsl.packetsets import Packet

from tracing import check, hop, hops, line_of, model

TEXT = """\
region eu-west-1
vpc a {
  cidr 10.1.0.0/16
  ipv6 2a05:d018:1:a100::/56
  subnet pub-a 10.1.0.0/24 az a ipv6 2a05:d018:1:a100::/64
  subnet priv-a 10.1.1.0/24 az a ipv6 2a05:d018:1:a101::/64
  igw igw-a
  eigw eigw-a
  nat nat-a in pub-a
  route-table pub for pub-a { 0.0.0.0/0 -> igw-a; ::/0 -> igw-a; 10.2.0.0/16 -> ab }
  route-table priv for priv-a { 0.0.0.0/0 -> nat-a; ::/0 -> eigw-a }
  sg client { in tcp 22 from 10.1.0.0/16 }
  instance a-1 in pub-a sg client public-ip
  instance a-2 in priv-a sg client
  instance a-3 in pub-a sg client
}
vpc b {
  cidr 10.2.0.0/16
  ipv6 2a05:d018:2:b100::/56
  subnet pub-b 10.2.0.0/24 az a ipv6 2a05:d018:2:b100::/64
  igw igw-b
  route-table pubb for pub-b { 0.0.0.0/0 -> igw-b; ::/0 -> igw-b; 10.1.0.0/16 -> ab }
  sg web {
    in tcp 443 from 0.0.0.0/0
    in tcp 443 from ::/0
    in tcp 8443 from client
    in tcp 9443 from 10.1.0.0/16
    in tcp 9443 from 2a05:d018:1:a100::/56
  }
  instance b-1 in pub-b sg web public-ip
  instance b-2 in pub-b sg web
}
vpc c {
  cidr 10.3.0.0/16
  ipv6 2a05:d018:3:c100::/56
  subnet only-c 10.3.0.0/24 az a ipv6 2a05:d018:3:c100::/64
  eigw eigw-c
  route-table rc for only-c { ::/0 -> eigw-c }
  sg open { in tcp 443 from ::/0 }
  instance c-1 in only-c sg open
}
peer ab a -> b
"""


@pytest.fixture(scope="module")
def m():
    return model(TEXT)


def _v6(m, src, dst, port):
    """An IPv6 flow between two named instances (`family=6`)."""
    return Tracer(m).trace(src, dst, "tcp", port, family=6)


def _line(t, component, back=False):
    return hop(t, component, back).span.line


# ---------------------------------------------------------------------------- IPv6 through the IGWs

def test_ipv6_leaves_by_one_igw_and_enters_the_other_vpc_by_its_igw_untranslated(m):
    t = _v6(m, "a-1", "b-1", 443)
    assert t.allowed, t.table()
    assert hops(t) == [("sg:client", "allow"), ("nacl:a.default-nacl", "allow"),
                       ("route-table:pub", "forward"), ("igw:igw-a", "forward"),
                       ("internet", "forward"), ("igw:igw-b", "forward"),
                       ("nacl:b.default-nacl", "allow"), ("sg:web", "allow"),
                       ("instance:b-1", "deliver")]
    a1, b1 = (str(m.dataplane.host(n).ipv6) for n in ("a-1", "b-1"))
    assert {(h.packet.src, h.packet.dst) for h in t.forward} == {(a1, b1)}     # never translated
    assert "leaves VPC 'a' by igw-a to the internet" in hop(t, "internet").detail
    assert "enters VPC 'b' by igw-b" in hop(t, "igw:igw-b").detail
    assert _line(t, "route-table:pub") == line_of(TEXT, "route-table pub for")
    assert _line(t, "internet") == line_of(TEXT, "subnet pub-b")        # where b-1's address is public
    assert _line(t, "igw:igw-b") == line_of(TEXT, "igw igw-b")
    assert hop(t, "sg:web").detail == "sg web allows tcp from ::/0"
    # Back: b's NACL out, its route ::/0 to igw-b (the way in), then a's NACL in.
    assert hops(t, back=True) == [("nacl:b.default-nacl", "allow"), ("route-table:pubb", "forward"),
                                  ("nacl:a.default-nacl", "allow"), ("instance:a-1", "deliver")]
    assert _line(t, "route-table:pubb", back=True) == line_of(TEXT, "route-table pubb")
    assert {(h.packet.src, h.packet.dst) for h in t.back} == {(b1, a1)}


def test_the_receivers_filters_see_the_senders_own_ipv6_address(m):
    """The source is untranslated, so b's rule for a's IPv6 block matches it; a reference to
    a's group does not (it came over the internet, not the peering)."""
    assert _v6(m, "a-1", "b-1", 9443).allowed
    t = _v6(m, "a-1", "b-1", 8443)
    assert t.kind == "sg" and t.component == "sg:web", t.table()


def test_an_ipv6_response_needs_the_route_back_to_the_igw_it_came_in_by():
    text = TEXT.replace("route-table pubb for pub-b { 0.0.0.0/0 -> igw-b; ::/0 -> igw-b;",
                        "eigw eigw-b\n  route-table pubb for pub-b { 0.0.0.0/0 -> igw-b; ::/0 -> eigw-b;")
    t = _v6(model(text), "a-1", "b-1", 443)
    assert t.kind == "gateway" and t.component == "route-table:pubb", t.table()
    assert t.back[-1].action == "drop" and "inbound-initiated traffic is dropped" in t.reason
    assert t.span.line == line_of(text, "route-table pubb")


def test_the_receivers_nacl_filters_the_ipv6_request_and_its_response():
    rules = """  nacl bn for pub-b {
    in  100 allow tcp 443 from 2a05:d018:1:a100::/64
    out 100 allow tcp 32768-60999 to 2a05:d018:1:a100::/64
  }
  instance b-1"""
    text = TEXT.replace("  instance b-1", rules, 1)
    m6 = model(text)
    t = _v6(m6, "a-1", "b-1", 443)
    assert t.allowed, t.table()
    assert ("nacl:bn", "allow") in hops(t) and ("nacl:bn", "allow") in hops(t, back=True)
    # a-2 (in priv-a, out by the EIGW) is outside both rules: its request is dropped there.
    t = _v6(m6, "a-2", "b-1", 443)
    assert t.kind == "nacl" and t.component == "nacl:bn" and not t.back, t.table()
    text = text.replace("out 100 allow tcp 32768-60999 to 2a05:d018:1:a100::/64",
                        "out 100 allow tcp 32768-40000 to 2a05:d018:1:a100::/64")
    t = _v6(model(text), "a-1", "b-1", 443)
    assert t.kind == "nacl" and t.intermittent and t.back[-1].component == "nacl:bn", t.table()


def test_ipv6_out_by_an_egress_only_gateway_reaches_another_vpc_and_the_response_returns(m):
    t = _v6(m, "a-2", "b-1", 443)
    assert t.allowed, t.table()
    assert [c for c, _ in hops(t)][2:6] == ["route-table:priv", "eigw:eigw-a", "internet", "igw:igw-b"]
    assert "leaves VPC 'a' by eigw-a to the internet" in hop(t, "internet").detail
    assert hops(t, back=True)[:2] == [("nacl:b.default-nacl", "allow"), ("route-table:pubb", "forward")]


def test_a_vpc_with_only_an_egress_only_gateway_lets_no_ipv6_connection_in(m):
    t = _v6(m, "a-1", "c-1", 443)
    assert t.kind == "gateway" and t.component == "eigw:eigw-c", t.table()
    assert t.span.line == line_of(TEXT, "eigw eigw-c")
    assert "drops inbound-initiated IPv6 traffic" in t.reason
    # ... while c-1 goes out by it to a's host, and the response comes back through it.
    t = _v6(m, "c-1", "b-1", 443)
    assert t.allowed, t.table()


# ---------------------------------------------------------------------------- IPv4 through public addresses

def test_ipv4_to_a_public_ip_is_translated_at_both_igws_and_back(m):
    t = check(m, TEXT, "a-1", "public-ip(b-1)", "tcp", 443, "allowed")
    assert [c for c, _ in hops(t)] == ["sg:client", "nacl:a.default-nacl", "route-table:pub", "igw:igw-a",
                                       "internet", "igw:igw-b", "nacl:b.default-nacl", "sg:web",
                                       "instance:b-1"]
    a1, b1 = (str(m.dataplane.host(n).address) for n in ("a-1", "b-1"))
    out, into = hop(t, "igw:igw-a"), hop(t, "igw:igw-b")
    assert out.detail == f"igw-a translates {a1} to public-ip(a-1)"
    assert into.detail == f"enters VPC 'b' by igw-b: igw-b translates public-ip(b-1) to {b1}"
    assert _line(t, "igw:igw-b") == line_of(TEXT, "igw igw-b")
    assert _line(t, "internet") == line_of(TEXT, "instance b-1")     # where its public IP is written
    # b's filters see a-1's public address, its private one never.
    assert (hop(t, "sg:web").packet.src, hop(t, "sg:web").packet.dst) == ("public-ip(a-1)", b1)
    assert [c for c, _ in hops(t, back=True)] == ["nacl:b.default-nacl", "route-table:pubb", "igw:igw-b",
                                                  "igw:igw-a", "nacl:a.default-nacl", "instance:a-1"]
    back = {h.component: h for h in t.back}
    assert back["route-table:pubb"].detail == "return route 0.0.0.0/0 -> igw-b matched"
    assert (back["igw:igw-a"].packet.src, back["igw:igw-a"].packet.dst) == ("public-ip(b-1)", a1)
    assert (back["nacl:a.default-nacl"].packet.src, back["nacl:a.default-nacl"].packet.dst) == \
        ("public-ip(b-1)", a1)


def test_the_receivers_groups_see_the_public_address_not_the_private_block_or_group(m):
    """b's rule for a's private block, and its reference to a's group (honoured over the
    peering), match neither a public address nor an Elastic IP."""
    for port in (9443, 8443):
        check(m, TEXT, "a-1", "public-ip(b-1)", "tcp", port, "blocked", "sg", "sg:web")
        check(m, TEXT, "a-1", "b-1", "tcp", port, "allowed")          # over the peering
    t = check(m, TEXT, "a-1", "public-ip(b-1)", "tcp", 9443, "blocked", "sg")
    assert "any public IPv4 address" in t.reason


def test_a_public_address_matches_only_rules_covering_every_public_address():
    """A NACL rule for part of the public space may not hold b-1's public address, which
    AWS picks: the response is blocked, naming the part that fails (the request too)."""
    rules = """  nacl an for pub-a {
    in  100 allow tcp 1024-65535 from 52.0.0.0/8
    out 100 allow any to 0.0.0.0/0
  }
  instance a-1"""
    text = TEXT.replace("  instance a-1", rules, 1)
    t = check(model(text), text, "a-1", "public-ip(b-1)", "tcp", 443, "blocked", "nacl", "nacl:an")
    assert t.back[-1].component == "nacl:an" and "public-ip(b-1)" in t.reason, t.table()
    text = text.replace("from 52.0.0.0/8", "from 0.0.0.0/0")
    check(model(text), text, "a-1", "public-ip(b-1)", "tcp", 443, "allowed")


def test_behind_a_nat_gateway_the_receiver_sees_the_nats_elastic_ip(m):
    t = check(m, TEXT, "a-2", "public-ip(b-1)", "tcp", 443, "allowed")
    nat = str(m.dataplane.host("nat-a").address)
    assert hop(t, "igw:igw-a").detail == f"igw-a translates {nat} to public-ip(nat-a)"
    assert hop(t, "sg:web").packet.src == "public-ip(nat-a)"
    back = [c for c, _ in hops(t, back=True)]
    assert back[:4] == ["nacl:b.default-nacl", "route-table:pubb", "igw:igw-b", "igw:igw-a"]
    assert "nat:nat-a" in back and back[-1] == "instance:a-2"


def test_ipv4_needs_a_public_address_on_each_side(m):
    # The sender's: a-3 has none, so igw-a drops it.
    check(m, TEXT, "a-3", "public-ip(b-1)", "tcp", 443, "blocked", "gateway", "igw:igw-a",
          at="route-table pub for")
    # The receiver's private address is on no internet: the trace says what to write.
    assert m.trace("a-1", "b-1", "tcp", 443).allowed      # over the peering; without it:
    text = TEXT.replace("; 10.2.0.0/16 -> ab }", " }", 1)
    t = check(model(text), text, "a-1", "b-1", "tcp", 443, "blocked", "gateway", "igw:igw-a")
    assert "private address of VPC 'b'" in t.reason and "public-ip(b-1)" in t.reason
    with pytest.raises(FlowError, match="no public IPv4 address"):
        m.trace("a-1", "public-ip(b-2)", "tcp", 443)
    with pytest.raises(FlowError, match="starts no flow"):
        m.trace("public-ip(b-1)", "a-1", "tcp", 443)


def test_the_internet_reaches_a_public_ip_as_it_reaches_the_host(m):
    by_name, by_address = m.trace("internet", "b-1", "tcp", 443), m.trace("internet", "public-ip(b-1)", "tcp", 443)
    assert by_name.allowed and by_address.allowed
    assert [h.detail for h in by_name.forward[1:]] == [h.detail for h in by_address.forward[1:]]
    check(m, TEXT, "internet", "public-ip(nat-a)", "tcp", 443, "blocked", "gateway", "nat:nat-a")


# ---------------------------------------------------------------------------- the symbolic engines agree

def test_the_matrix_and_reach_agree_with_trace_over_the_internet(m):
    """Every IPv6 cell of the instance matrix against one trace per packet class (pairs across
    VPCs go over the internet), and reach's IPv6 answer for a pair."""
    mx = matrix(m, "instance")
    tracer = Tracer(m)
    classes = packet_classes(m, None, 6)
    crossing = 0
    for s in mx.ends:
        for d in mx.ends:
            if s == d or not mx.asked(s, d) & mx.family_mask(6):
                continue
            cell = mx.cell(s, d)
            for k, c in enumerate(classes):
                t = tracer.trace(s, d, c.protocol, c.probe or None, family=6)
                crossing += any(h.component == "internet" for h in t.forward)
                got = cell is not None and cell.allowed >> (mx.ipv6_from + k) & 1
                assert bool(got) == t.allowed, (s, d, c.words, t.table())
    assert crossing
    assert mx.allowed("a-1", "b-1") & mx.allowed("a-2", "b-1")
    rows = [r for r in m.reach("a-1", "b-1").rows if r.family == 6 and r.status == "allowed"]
    assert rows and {r.via for r in rows} == {"igw:igw-a"}


# ---------------------------------------------------------------------------- the IPv6 internet

def test_the_ipv6_internet_is_the_global_unicast_space(m):
    """RFC 4291 2.4 and the IANA IPv6 address space registry: global unicast is 2000::/3, where
    every AWS IPv6 block lies. reach's internet (and so exposure's) is that space, plus the
    NAT64 prefix as a destination; an address outside both is no internet host."""
    assert public_blocks(6) == [ip_network("2000::/3")]
    answer = m.reach("internet", "b-1")
    rows = [r for r in answer.rows if r.family == 6 and r.status == "allowed"]
    assert rows and all(ip_address(r.witness.forward[0].packet.src) in ip_network("2000::/3")
                        for r in rows)
    b1 = str(m.dataplane.host("b-1").ipv6)
    assert answer.status_of(Packet(ip_address("2a00:1450::1"), ip_address(b1), 6, 33000, 443), dst="b-1") == "allowed"
    assert answer.status_of(Packet(ip_address("4000::1"), ip_address(b1), 6, 33000, 443), dst="b-1") is None
    t = Tracer(m).trace("a-1", "4000::1", "tcp", 443)
    assert t.kind == "gateway" and "not on the internet" in t.reason
    with pytest.raises(FlowError, match="not inside a VPC"):
        m.trace("::3", "b-1", "tcp", 443)
