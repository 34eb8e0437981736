"""The data-plane rules of SEMANTICS.md, one small model each, through `model.trace`.

Every test states the flow, the verdict, the kind of the blocking component
and the deciding line (`Trace.span`), found by a unique piece of the model's
text so that the models stay readable. Allowed flows also check their key
hops: translations, the return-path NACL rules, the routes taken.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.syntax import ast
from vpcdsl.flows.dataplane import ephemeral_range
from vpcdsl.flows.trace import FlowError, Trace

from tracing import check as expect, hop, hops, line_of, model

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.vpc"))


# ---------------------------------------------------------------------------- ephemeral ports

DB_NACL = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app 10.0.1.0/24 az a
  subnet db 10.0.2.0/24 az a
  nacl db-acl for db {
    in 100 allow tcp 5432 from 10.0.1.0/24
    out 100 allow tcp 1024-32767 to 10.0.1.0/24
  }
  sg dbsg { in tcp 5432 from 10.0.0.0/16 }
  instance linux-1 in app
  instance win-1 in app os windows
  instance old-1 in app ephemeral 1024-5000
  instance db-1 in db sg dbsg
}
"""


def test_nacl_allowing_only_1024_32767_out_blocks_a_linux_clients_response():
    m = model(DB_NACL)
    t = expect(m, DB_NACL, "linux-1", "db-1", "tcp", 5432, "blocked", "nacl", at="nacl db-acl")
    # the request got in; it is the response that fails, on all of Linux's range
    assert ("instance:db-1", "deliver") in hops(t)
    assert "32768-60999" in t.reason
    assert t.back[-1].component == "nacl:db-acl" and t.back[-1].action == "drop"
    assert t.back[-1].packet.port == "32768-60999"


def test_windows_client_range_is_49152_65535():
    m = model(DB_NACL)
    t = expect(m, DB_NACL, "win-1", "db-1", "tcp", 5432, "blocked", "nacl", at="nacl db-acl")
    assert "49152-65535" in t.reason


def test_ephemeral_override_fits_the_nacl():
    m = model(DB_NACL)
    t = expect(m, DB_NACL, "old-1", "db-1", "tcp", 5432, "allowed")
    back = hop(t, "nacl:db-acl", back=True)
    assert back.action == "allow" and back.packet.port == "1024-5000"
    assert back.span.line == line_of(DB_NACL, "out 100 allow")


PARTIAL = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app 10.0.1.0/24 az a
  subnet db 10.0.2.0/24 az a
  nacl db-acl for db {
    in 100 allow tcp 5432 from 10.0.1.0/24
    out 100 allow tcp 32768-50000 to 10.0.1.0/24
    out 200 deny tcp 50001-55000 to 10.0.1.0/24
    out 300 allow tcp 1024-65535 to 10.0.1.0/24
  }
  instance linux-1 in app
  instance db-1 in db sg dbsg
  sg dbsg { in tcp 5432 from 10.0.1.0/24 }
}
"""


def test_a_response_allowed_on_part_of_the_range_is_blocked_naming_the_failing_ports():
    m = model(PARTIAL)
    t = expect(m, PARTIAL, "linux-1", "db-1", "tcp", 5432, "blocked", "nacl", at="out 200 deny")
    assert "50001-55000" in t.reason
    assert "32768-49999" not in t.reason and "55001-60999" not in t.reason


INTERNET_CLIENT = """\
vpc a {
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  igw gw
  route-table public for pub { 0.0.0.0/0 -> gw }
  nacl edge for pub {
    in 100 allow tcp 443 from 0.0.0.0/0
    out 100 allow tcp 32768-65535 to 0.0.0.0/0
  }
  sg web { in tcp 443 from 0.0.0.0/0 }
  instance web-1 in pub sg web public-ip
}
"""


def test_an_internet_client_uses_1024_65535():
    m = model(INTERNET_CLIENT)
    t = expect(m, INTERNET_CLIENT, "internet", "web-1", "tcp", 443, "blocked", "nacl",
               at="nacl edge")
    assert "1024-32767" in t.reason and "1024-65535" in t.reason


def test_site_clients_default_to_1024_65535_and_may_override():
    m = model("site office 192.168.0.0/16\nsite hq 172.16.0.0/16 ephemeral 49152-65535\n")
    assert ephemeral_range(m.get("office", "site")) == (1024, 65535)
    assert ephemeral_range(m.get("hq", "site")) == (49152, 65535)


def test_nat_gateway_responses_come_back_to_1024_65535():
    text = """\
    vpc a {
      cidr 10.0.0.0/16
      subnet pub 10.0.0.0/24 az a
      subnet app 10.0.1.0/24 az a
      igw gw
      nat nat-a in pub
      route-table public for pub { 0.0.0.0/0 -> gw }
      route-table private for app { 0.0.0.0/0 -> nat-a }
      nacl edge for pub {
        out 100 allow any to 0.0.0.0/0
        in 100 allow tcp 32768-65535 from 0.0.0.0/0
        in 200 allow any from 10.0.0.0/16
      }
      instance app-1 in app
    }
    """
    m = model(text)
    t = expect(m, text, "app-1", "internet", "tcp", 443, "blocked", "nacl", at="nacl edge")
    assert "1024-32767" in t.reason and "1024-65535" in t.reason


# ---------------------------------------------------------------------------- addresses

RESERVED = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app 10.0.1.0/24 az a
  subnet db 10.0.2.0/28 az a
  sg open { in any from any }
  instance c in app sg open
  instance d in db sg open
}
"""


@pytest.mark.parametrize("address", ["10.0.2.0", "10.0.2.1", "10.0.2.3", "10.0.2.15"])
def test_reserved_addresses_of_a_subnet_hold_no_host(address):
    # network, VPC router (+1), future use (+3) and the last address are AWS's
    m = model(RESERVED)
    t = expect(m, RESERVED, "c", address, "tcp", 80, "blocked", "route", at="subnet db")
    assert address in t.reason and "reserved" in t.reason


def test_a_free_address_holds_no_host():
    m = model(RESERVED)
    t = expect(m, RESERVED, "c", "10.0.2.9", "tcp", 80, "blocked", "route", at="subnet db")
    assert "no host" in t.reason and "reserved" not in t.reason


def test_hosts_get_the_first_usable_address():
    m = model(RESERVED)
    t = expect(m, RESERVED, "c", "d", "tcp", 80, "allowed")
    assert t.forward[0].packet.src == "10.0.1.4" and t.forward[0].packet.dst == "10.0.2.4"
    assert expect(m, RESERVED, "c", "10.0.2.4", "tcp", 80, "allowed")


def test_a_full_subnet_leaves_an_instance_without_address():
    # a /28 has 16 - 5 = 11 usable addresses
    text = "vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/28 az a\n" + "".join(
        f" instance i{n} in s\n" for n in range(12)) + "}\n"
    m = model(text, valid=False)
    assert m.trace("i0", "i10", "tcp", 22).allowed
    with pytest.raises(FlowError):
        m.trace("i0", "i11", "tcp", 22)


def test_an_address_of_the_vpc_outside_every_subnet_is_dropped():
    m = model(RESERVED)
    t = expect(m, RESERVED, "c", "10.0.9.9", "tcp", 80, "blocked", "route", at="cidr 10.0.0.0/16")
    assert "no subnet" in t.reason


@pytest.mark.parametrize("dst, proto, port", [
    ("10.0.0.2", "udp", 53),              # Amazon DNS at the VPC base +2
    ("169.254.169.253", "udp", 53),       # Amazon DNS, link-local
    ("169.254.169.254", "tcp", 80),       # instance metadata
])
def test_amazon_dns_and_metadata_are_not_filtered(dst, proto, port):
    text = """\
    vpc a {
      cidr 10.0.0.0/16
      subnet app 10.0.1.0/24 az a
      nacl closed for app {
      }
      sg mute { out none }
      instance c in app sg mute
    }
    """
    assert model(text).trace("c", dst, proto, port).allowed


def test_multicast_has_no_route():
    m = model(RESERVED)
    expect(m, RESERVED, "c", "224.0.0.5", "udp", 5000, "blocked", "route")


# ---------------------------------------------------------------------------- internet gateway

IGW = """\
vpc a {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet pub 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  igw gw
  route-table public for pub {
    0.0.0.0/0 -> gw
    ::/0 -> gw
  }
  sg web { in tcp 443 from 0.0.0.0/0, ::/0 }
  instance with-ip in pub sg web public-ip
  instance no-ip in pub sg web
}
"""


def test_igw_translates_an_instance_with_a_public_ip_one_to_one():
    m = model(IGW)
    t = expect(m, IGW, "with-ip", "internet", "tcp", 443, "allowed")
    nat = hop(t, "igw:gw")
    assert nat.action == "translate" and nat.packet.src == "public-ip(with-ip)"
    assert nat.span.line == line_of(IGW, "0.0.0.0/0 -> gw")
    t = expect(m, IGW, "internet", "with-ip", "tcp", 443, "allowed")
    assert hop(t, "igw:gw").action == "translate"
    assert t.forward[-1].packet.dst == "10.0.0.4"
    # the response leaves by the route back to the IGW; the hop shows the response
    back = hop(t, "route-table:public", back=True)
    assert back.span.line == line_of(IGW, "0.0.0.0/0 -> gw")
    assert (back.packet.src, back.packet.dst, back.packet.port) == ("10.0.0.4", t.forward[-1].packet.src,
                                                                     "1024-65535")


def test_igw_drops_an_instance_without_public_ip_both_ways():
    m = model(IGW)
    t = expect(m, IGW, "no-ip", "internet", "tcp", 443, "blocked", "gateway", at="0.0.0.0/0 -> gw")
    assert "public" in t.reason
    expect(m, IGW, "internet", "no-ip", "tcp", 443, "blocked", "gateway", at="igw gw")


def test_igw_carries_ipv6_untranslated():
    m = model(IGW)
    t = expect(m, IGW, "internet", "2600:1f18:6c0:d900::5", "tcp", 443, "allowed")
    assert hop(t, "igw:gw").action == "forward"
    assert t.forward[-1].packet.dst == "2600:1f18:6c0:d900::5"


def test_ipv4_and_ipv6_routes_are_looked_up_apart():
    # 0.0.0.0/0 never matches IPv6, ::/0 never IPv4
    text = IGW.replace("    ::/0 -> gw\n", "")
    m = model(text)
    expect(m, text, "with-ip", "2606:4700::1111", "tcp", 443, "blocked", "route",
           at="route-table public")
    m = model(EIGW)
    expect(m, EIGW, "app-1", "8.8.8.8", "tcp", 443, "blocked", "route", at="route-table private")


def test_a_subnet_public_ip_setting_gives_instances_a_public_ip():
    text = IGW.replace("ipv6 2600:1f18:6c0:d900::/64", "ipv6 2600:1f18:6c0:d900::/64 public-ip")
    m = model(text)
    expect(m, text, "no-ip", "internet", "tcp", 443, "allowed")


# ---------------------------------------------------------------------------- egress-only IGW

EIGW = """\
vpc a {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet priv 10.0.2.0/24 az a ipv6 2600:1f18:6c0:d902::/64
  eigw egw
  route-table private for priv { ::/0 -> egw }
  sg app { in tcp 443 from ::/0 }
  instance app-1 in priv sg app
}
"""


def test_eigw_carries_outbound_ipv6():
    m = model(EIGW)
    t = expect(m, EIGW, "app-1", "2606:4700::1111", "tcp", 443, "allowed")
    assert hop(t, "eigw:egw").action == "forward"
    assert hop(t, "eigw:egw").span.line == line_of(EIGW, "::/0 -> egw")


def test_eigw_ipv6_flow_leaves_from_the_instances_ipv6_address():
    m = model(EIGW)
    t = m.trace("app-1", "2606:4700::1111", "tcp", 443)
    assert t.forward[0].packet.src == "2600:1f18:6c0:d902::4", t.table()


def test_eigw_inbound_to_an_instance_by_name_from_an_ipv6_host():
    m = model(EIGW)
    t = expect(m, EIGW, "2606:4700::1111", "app-1", "tcp", 443, "blocked", "gateway", at="eigw egw")
    assert t.forward[0].packet.dst == "2600:1f18:6c0:d902::4"


def test_ipv6_flows_between_subnets_match_ipv6_nacl_and_sg_rules():
    text = """\
    vpc a {
      cidr 10.1.0.0/16
      ipv6 2600:1f18:6c0:d900::/56
      subnet sa 10.1.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
      subnet sb 10.1.1.0/24 az a ipv6 2600:1f18:6c0:d901::/64
      nacl guard for sb {
        in 100 allow tcp 22 from 2600:1f18:6c0:d900::/64
        out 100 allow tcp 1024-65535 to 2600:1f18:6c0:d900::/64
      }
      sg v6 { in tcp 22 from 2600:1f18:6c0:d900::/64 }
      instance c in sa sg v6
      instance s in sb sg v6
    }
    """
    m = model(text)
    t = expect(m, text, "c", "2600:1f18:6c0:d901::4", "tcp", 22, "allowed")
    assert t.forward[0].packet.src == "2600:1f18:6c0:d900::4"
    assert hop(t, "nacl:guard").span.line == line_of(text, "in 100 allow")
    assert hop(t, "nacl:guard", back=True).span.line == line_of(text, "out 100 allow")
    # over IPv4 the same rules match nothing
    expect(m, text, "c", "s", "tcp", 22, "blocked", "nacl", at="nacl guard")


def test_eigw_carries_no_ipv4():
    text = EIGW.replace("::/0 -> egw }", "::/0 -> egw\n    0.0.0.0/0 -> egw }")
    m = model(text, valid=False)
    expect(m, text, "app-1", "8.8.8.8", "tcp", 443, "blocked", "gateway", at="0.0.0.0/0 -> egw")


def test_eigw_drops_inbound_initiated_ipv6():
    m = model(EIGW)
    expect(m, EIGW, "2606:4700::1111", "2600:1f18:6c0:d902::4", "tcp", 443, "blocked", "gateway",
           at="eigw egw")


def test_eigw_drops_inbound_initiated_ipv6_even_with_an_igw_in_the_vpc():
    text = EIGW.replace("  eigw egw\n", "  eigw egw\n  igw gw\n")
    m = model(text)
    expect(m, text, "2606:4700::1111", "2600:1f18:6c0:d902::4", "tcp", 443, "blocked", "gateway",
           at="::/0 -> egw")


# ---------------------------------------------------------------------------- NAT

NAT = """\
vpc a {
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  subnet priv-gw 10.0.1.0/24 az a
  subnet priv-box 10.0.2.0/24 az a
  subnet priv-on 10.0.3.0/24 az a
  subnet priv-pnat 10.0.4.0/24 az a
  igw gw
  nat nat-gw in pub
  nat pnat in pub private
  nat-instance nat-box in pub sg nat-sg source-dest-check off
  nat-instance nat-on in pub sg nat-sg
  route-table public for pub { 0.0.0.0/0 -> gw }
  route-table via-gw for priv-gw { 0.0.0.0/0 -> nat-gw }
  route-table via-box for priv-box { 0.0.0.0/0 -> nat-box }
  route-table via-on for priv-on { 0.0.0.0/0 -> nat-on }
  route-table via-pnat for priv-pnat { 0.0.0.0/0 -> pnat }
  sg nat-sg { in tcp 443 from 10.0.0.0/16 }
  sg app { in tcp 443 from 0.0.0.0/0 }
  instance app-gw in priv-gw sg app
  instance app-box in priv-box sg app
  instance app-on in priv-on sg app
  instance app-pnat in priv-pnat sg app
  instance app-gw-pub in priv-gw sg app public-ip
}
"""


def test_nat_gateway_translates_outbound():
    m = model(NAT)
    t = expect(m, NAT, "app-gw", "internet", "tcp", 443, "allowed")
    nat = hop(t, "nat:nat-gw")
    assert nat.action == "translate" and nat.packet.src == "10.0.0.4"   # its private address
    assert nat.span.line == line_of(NAT, "nat nat-gw")
    igw = hop(t, "igw:gw")        # the IGW maps the NAT's private address to its Elastic IP
    assert igw.action == "translate" and igw.packet.src == "public-ip(nat-gw)"
    assert t.forward[-1].packet.src == "public-ip(nat-gw)"
    assert t.back[-1].component == "instance:app-gw"


def test_nat_gateway_accepts_no_connection_from_the_internet():
    m = model(NAT)
    expect(m, NAT, "internet", "nat-gw", "tcp", 443, "blocked", "gateway", at="nat nat-gw")
    expect(m, NAT, "internet", "app-gw", "tcp", 443, "blocked", "gateway", at="igw gw")


def test_a_public_instance_behind_a_nat_route_cannot_answer_the_internet():
    # the request comes in through the IGW, the response would leave through the NAT gateway
    m = model(NAT)
    t = expect(m, NAT, "internet", "app-gw-pub", "tcp", 443, "blocked", "gateway",
               at="0.0.0.0/0 -> nat-gw")
    assert ("instance:app-gw-pub", "deliver") in hops(t)


def test_nat_gateway_translates_tcp_udp_icmp_only():
    m = model(NAT)
    expect(m, NAT, "app-gw", "internet", "udp", 53, "allowed")
    expect(m, NAT, "app-gw", "internet", "icmp", "echo-request", "allowed")
    expect(m, NAT, "app-gw", "internet", "47", None, "blocked", "gateway", at="nat nat-gw")


def test_nat_instance_with_source_dest_check_off_translates():
    m = model(NAT)
    t = expect(m, NAT, "app-box", "internet", "tcp", 443, "allowed")
    box = hop(t, "nat-instance:nat-box")
    assert box.action == "translate" and box.packet.src == "10.0.0.6"   # its private address
    assert hop(t, "igw:gw").packet.src == "public-ip(nat-box)"         # then the IGW's mapping
    assert hop(t, "sg:nat-sg").span.line == line_of(NAT, "sg nat-sg {")


def test_nat_instance_has_security_groups():
    m = model(NAT)
    expect(m, NAT, "app-box", "internet", "tcp", 80, "blocked", "sg", at="sg nat-sg {")
    expect(m, NAT, "internet", "nat-box", "tcp", 443, "blocked", "sg", at="sg nat-sg {")


def test_nat_instance_with_source_dest_check_on_drops():
    m = model(NAT)
    expect(m, NAT, "app-on", "internet", "tcp", 443, "blocked", "gateway", at="nat-instance nat-on")


def test_private_nat_gateway_toward_an_igw_is_dropped():
    m = model(NAT)
    t = expect(m, NAT, "app-pnat", "internet", "tcp", 443, "blocked", "gateway",
               at="route-table public")
    assert hop(t, "nat:pnat").packet.src == "10.0.0.5"     # its private address, no EIP
    assert "private NAT" in t.reason


# ---------------------------------------------------------------------------- peering

PEERS = """\
vpc a {
  cidr 10.1.0.0/16
  subnet sa 10.1.0.0/24 az a
  route-table ra for sa {
    10.2.0.0/16 -> ab
    10.3.0.0/16 -> ab
    0.0.0.0/0 -> ab
  }
  sg open-a { in any from 10.0.0.0/8 }
  instance ia in sa sg open-a
}
vpc b {
  cidr 10.2.0.0/16
  subnet sb 10.2.0.0/24 az a
  subnet pub-b 10.2.1.0/24 az a
  igw igw-b
  nat nat-b in pub-b
  route-table rb for sb {
    10.1.0.0/16 -> ab
    10.3.0.0/16 -> bc
    0.0.0.0/0 -> nat-b
  }
  route-table rpb for pub-b { 0.0.0.0/0 -> igw-b }
  endpoint s3-b gateway s3 for rb
  sg open-b { in any from 10.0.0.0/8 }
  instance ib in sb sg open-b
}
vpc c {
  cidr 10.3.0.0/16
  subnet sc 10.3.0.0/24 az a
  route-table rc for sc { 10.2.0.0/16 -> bc }
  sg open-c { in any from 10.0.0.0/8 }
  instance ic in sc sg open-c
}
peer ab a -> b
peer bc b -> c
"""


def test_peering_carries_traffic_with_routes_on_both_sides():
    m = model(PEERS)
    t = expect(m, PEERS, "ia", "ib", "tcp", 22, "allowed")
    assert hop(t, "route-table:ra").span.line == line_of(PEERS, "10.2.0.0/16 -> ab")
    assert hop(t, "peering:ab").action == "forward"
    back = hop(t, "route-table:rb", back=True)
    assert back.span.line == line_of(PEERS, "10.1.0.0/16 -> ab")
    request = t.forward[-1].packet
    assert (back.packet.src, back.packet.dst) == (request.dst, request.src)    # the response, not the request
    assert back.packet.port == "32768-60999"                                   # to the client's ephemeral range


def test_either_side_of_a_peering_may_start():
    m = model(PEERS)
    expect(m, PEERS, "ib", "ia", "tcp", 22, "allowed")    # b, the accepter, starts
    expect(m, PEERS, "ic", "ib", "tcp", 22, "allowed")
    expect(m, PEERS, "ib", "ic", "tcp", 22, "allowed")


def test_peering_is_not_transitive():
    m = model(PEERS)
    t = expect(m, PEERS, "ia", "ic", "tcp", 22, "blocked", "peering", at="10.3.0.0/16 -> ab")
    assert "transitive" in t.reason
    # c has no route to a at all
    expect(m, PEERS, "ic", "ia", "tcp", 22, "blocked", "route", at="route-table rc")


def test_a_peer_address_outside_every_subnet_is_dropped():
    m = model(PEERS)
    t = expect(m, PEERS, "ia", "10.2.9.9", "tcp", 22, "blocked", "route", at="vpc b")
    assert ("peering:ab", "forward") in hops(t)


def test_a_missing_return_route_blocks_the_flow():
    text = """\
    vpc a {
      cidr 10.1.0.0/16
      subnet sa 10.1.0.0/24 az a
      route-table ra for sa { 10.2.0.0/16 -> ab }
      sg open-a { in any from 10.0.0.0/8 }
      instance ia in sa sg open-a
    }
    vpc b {
      cidr 10.2.0.0/16
      subnet sb 10.2.0.0/24 az a
      route-table rb for sb { 10.9.0.0/16 -> blackhole }
      sg open-b { in any from 10.0.0.0/8 }
      instance ib in sb sg open-b
    }
    peer ab a -> b
    """
    m = model(text)
    t = expect(m, text, "ia", "ib", "tcp", 22, "blocked", "route", at="route-table rb")
    assert "return" in t.reason
    assert ("instance:ib", "deliver") in hops(t)          # the request arrived
    assert t.back and t.back[-1].action == "drop"


@pytest.mark.parametrize("dst", ["internet", "s3", "8.8.8.8"])
def test_no_edge_to_edge_through_a_peer(dst):
    # b's IGW, NAT gateway and s3 gateway endpoint serve b only
    m = model(PEERS)
    expect(m, PEERS, "ia", dst, "tcp", 443, "blocked", "peering", at="0.0.0.0/0 -> ab")


def test_the_peer_itself_uses_its_nat_and_endpoint():
    m = model(PEERS)
    t = expect(m, PEERS, "ib", "internet", "tcp", 443, "allowed")
    assert hop(t, "nat:nat-b").action == "translate"
    t = expect(m, PEERS, "ib", "s3", "tcp", 443, "allowed")
    assert hop(t, "gateway-endpoint:s3-b").span.line == line_of(PEERS, "endpoint s3-b")


def test_sg_references_work_across_same_region_peering():
    text = """\
    vpc a {
      cidr 10.1.0.0/16
      subnet sa 10.1.0.0/24 az a
      route-table ra for sa { 10.2.0.0/16 -> ab }
      sg client { }
      instance ia in sa sg client
      instance ja in sa
    }
    vpc b {
      cidr 10.2.0.0/16
      subnet sb 10.2.0.0/24 az a
      route-table rb for sb { 10.1.0.0/16 -> ab }
      sg db { in tcp 5432 from client }
      instance db-1 in sb sg db
    }
    peer ab a -> b
    """
    m = model(text)
    t = expect(m, text, "ia", "db-1", "tcp", 5432, "allowed")
    assert hop(t, "sg:db").span.line == line_of(text, "sg db {")
    expect(m, text, "ja", "db-1", "tcp", 5432, "blocked", "sg", at="sg db {")


def test_sg_references_do_not_work_across_inter_region_peering():
    text = """\
    vpc a region us-east-1 {
      cidr 10.1.0.0/16
      subnet sa 10.1.0.0/24 az a
      route-table ra for sa { 10.2.0.0/16 -> ab }
      sg client { }
      instance ia in sa sg client
    }
    vpc b region eu-west-1 {
      cidr 10.2.0.0/16
      subnet sb 10.2.0.0/24 az a
      route-table rb for sb { 10.1.0.0/16 -> ab }
      sg db { in tcp 5432 from client }
      instance db-1 in sb sg db
    }
    peer ab a -> b
    """
    m = model(text, valid=False)      # the checker reports the reference (E404)
    expect(m, text, "ia", "db-1", "tcp", 5432, "blocked", "sg", at="sg db {")


# ---------------------------------------------------------------------------- gateway endpoints

ENDPOINT = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app 10.0.1.0/24 az a
  subnet other 10.0.2.0/24 az a
  route-table private for app { 10.9.0.0/16 -> blackhole }
  route-table plain for other { 10.9.0.0/16 -> blackhole }
  endpoint s3-gw gateway s3 for private
  instance app-1 in app
  instance other-1 in other
}
"""


def test_gateway_endpoint_reaches_its_service_by_the_prefix_list_route():
    m = model(ENDPOINT)
    t = expect(m, ENDPOINT, "app-1", "s3", "tcp", 443, "allowed")
    rt = hop(t, "route-table:private")
    assert "prefix list" in rt.detail and rt.span.line == line_of(ENDPOINT, "endpoint s3-gw")
    assert hop(t, "gateway-endpoint:s3-gw").action == "forward"
    assert t.forward[-1].component == "service:s3"


def test_gateway_endpoint_serves_only_its_associated_tables_and_service():
    m = model(ENDPOINT)
    expect(m, ENDPOINT, "other-1", "s3", "tcp", 443, "blocked", "route", at="route-table plain")
    expect(m, ENDPOINT, "app-1", "dynamodb", "tcp", 443, "blocked", "route",
           at="route-table private")


# ---------------------------------------------------------------------------- route tables

ROUTES = """\
vpc a {
  cidr 10.0.0.0/16
  subnet front 10.0.0.0/24 az a
  subnet inspect 10.0.1.0/24 az a
  subnet back 10.0.2.0/24 az a
  subnet other 10.0.3.0/24 az a
  igw gw
  route-table rf for front {
    8.8.0.0/16 -> blackhole
    8.8.8.0/24 -> gw
    0.0.0.0/0 -> gw
    1.0.0.0/24 -> blackhole
    10.0.2.0/24 -> fw
  }
  route-table rb for back { 10.0.0.0/24 -> fw }
  sg any-in { in any from any }
  instance fw in inspect sg any-in source-dest-check off
  instance web in front sg any-in public-ip
  instance app in back sg any-in
  instance o in other sg any-in
}
"""


def test_longest_prefix_wins_whatever_the_order():
    m = model(ROUTES)
    t = expect(m, ROUTES, "web", "8.8.8.8", "udp", 53, "allowed")            # /24 beats /16
    assert hop(t, "route-table:rf").span.line == line_of(ROUTES, "8.8.8.0/24 -> gw")
    t = expect(m, ROUTES, "web", "1.1.1.1", "udp", 53, "allowed")            # /0 when nothing else
    assert hop(t, "route-table:rf").span.line == line_of(ROUTES, "0.0.0.0/0 -> gw")


def test_blackhole_route_drops():
    m = model(ROUTES)
    t = expect(m, ROUTES, "web", "8.8.4.4", "udp", 53, "blocked", "route", at="8.8.0.0/16")
    assert "blackhole" in t.reason
    expect(m, ROUTES, "web", "1.0.0.1", "udp", 53, "blocked", "route", at="1.0.0.0/24")


def test_no_route_is_blocked_by_route():
    m = model(ROUTES)
    expect(m, ROUTES, "o", "8.8.8.8", "udp", 53, "blocked", "route", at="vpc a")  # implicit main


def test_a_route_more_specific_than_local_sends_a_subnet_through_an_appliance():
    m = model(ROUTES)
    t = expect(m, ROUTES, "web", "app", "tcp", 8080, "allowed")
    assert hop(t, "route-table:rf").span.line == line_of(ROUTES, "10.0.2.0/24 -> fw")
    assert hop(t, "instance:fw").action == "forward"
    # other subnets still go by the local route
    t = expect(m, ROUTES, "web", "o", "tcp", 8080, "allowed")
    assert hop(t, "route-table:rf").span.line == line_of(ROUTES, "cidr 10.0.0.0/16")
    assert not any(c == "instance:fw" for c, _ in hops(t))


def test_an_appliance_with_source_dest_check_on_drops():
    text = ROUTES.replace("any-in source-dest-check off", "any-in")
    m = model(text, valid=False)
    expect(m, text, "web", "app", "tcp", 8080, "blocked", "gateway", at="instance fw")


def test_static_route_beats_a_propagated_one_of_the_same_prefix():
    text = """\
    vpc a {
      cidr 10.0.0.0/16
      subnet app 10.0.1.0/24 az a
      vgw vg
      route-table rt for app {
        192.168.0.0/16 -> blackhole
        propagate vg
      }
      instance app-1 in app
    }
    site office 192.168.0.0/16 asn 65010
    vpn office-vpn office <-> vg bgp
    """
    m = model(text, valid=False)
    expect(m, text, "app-1", "192.168.1.1", "tcp", 22, "blocked", "route", at="192.168.0.0/16 -> blackhole")


# ---------------------------------------------------------------------------- security groups

SGS = """\
vpc a {
  cidr 10.1.0.0/16
  subnet sa 10.1.0.0/24 az a
  subnet sb 10.1.1.0/24 az a
  sg client { }
  sg narrow { out tcp 5432 to 10.9.0.0/16 }
  sg closed { out none }
  sg web { in tcp 80 from client }
  sg ssh { in tcp 22 from 10.1.0.0/24 }
  sg mute {
    in tcp 22 from 10.1.0.0/24
    out none
  }
  instance c in sa sg client
  instance n in sa sg narrow
  instance shut in sa sg closed
  instance other in sa sg ssh
  instance multi in sb sg web, ssh
  instance mutebox in sb sg mute
  instance d1 in sa
  instance d2 in sb
  instance d3 in sb
}
"""


def test_sg_is_stateful_responses_pass_without_an_outbound_rule():
    m = model(SGS)
    t = expect(m, SGS, "c", "mutebox", "tcp", 22, "allowed")
    assert t.back[-1].component == "instance:c"
    expect(m, SGS, "mutebox", "c", "tcp", 22, "blocked", "sg", at="sg mute {")


def test_sg_allows_only_what_a_rule_allows():
    m = model(SGS)
    expect(m, SGS, "other", "multi", "tcp", 80, "blocked", "sg", at="sg web {")


def test_several_sgs_allow_their_union():
    m = model(SGS)
    t = expect(m, SGS, "c", "multi", "tcp", 80, "allowed")
    assert hop(t, "sg:web").span.line == line_of(SGS, "sg web {")
    t = expect(m, SGS, "c", "multi", "tcp", 22, "allowed")
    assert hop(t, "sg:ssh").span.line == line_of(SGS, "sg ssh {")
    expect(m, SGS, "c", "multi", "tcp", 443, "blocked", "sg")


def test_sg_reference_matches_members_of_the_referenced_sg():
    m = model(SGS)
    expect(m, SGS, "c", "multi", "tcp", 80, "allowed")       # c is in `client`
    expect(m, SGS, "d1", "multi", "tcp", 80, "blocked", "sg", at="sg web {")


def test_default_sg_admits_its_members_only():
    m = model(SGS)
    t = expect(m, SGS, "d1", "d2", "tcp", 3389, "allowed")
    assert "own members" in hop(t, "sg:a.default-sg", last=True).detail
    expect(m, SGS, "d2", "d3", "udp", 123, "allowed")
    expect(m, SGS, "other", "d2", "tcp", 22, "blocked", "sg", at="vpc a")


def test_default_egress_allows_all_and_out_none_removes_it():
    m = model(SGS)
    t = expect(m, SGS, "c", "multi", "tcp", 80, "allowed")
    assert "default egress" in hop(t, "sg:client").detail
    expect(m, SGS, "shut", "multi", "tcp", 22, "blocked", "sg", at="sg closed {")
    # explicit egress rules replace the default allow-all
    expect(m, SGS, "n", "multi", "tcp", 22, "blocked", "sg", at="sg narrow {")


# ---------------------------------------------------------------------------- network ACLs

NACLS = """\
vpc a {
  cidr 10.1.0.0/16
  subnet sa 10.1.0.0/24 az a
  subnet sb 10.1.1.0/24 az a
  nacl guard for sb {
    in 200 allow tcp 22 from 10.1.0.0/16
    in 100 deny tcp 22 from 10.1.0.0/24
    in 300 allow tcp 80 from 10.1.0.0/16
    out 100 allow tcp 1024-65535 to 10.1.0.0/16
    in 150 allow icmp from 10.1.0.0/16
    out 150 allow icmp to 10.1.0.0/16
  }
  sg open { in any from any }
  instance c in sa sg open
  instance s in sb sg open
  instance s2 in sb sg open
}
"""


def test_lower_numbered_deny_beats_a_higher_allow_written_first():
    m = model(NACLS)
    expect(m, NACLS, "c", "s", "tcp", 22, "blocked", "nacl", at="in 100 deny")


def test_nacl_allows_by_rule_and_checks_the_response_range():
    m = model(NACLS)
    t = expect(m, NACLS, "c", "s", "tcp", 80, "allowed")
    assert hop(t, "nacl:guard").span.line == line_of(NACLS, "in 300 allow")
    back = hop(t, "nacl:guard", back=True)
    assert back.span.line == line_of(NACLS, "out 100 allow") and back.packet.port == "32768-60999"


def test_nacl_icmp_echo_reply_comes_back():
    m = model(NACLS)
    t = expect(m, NACLS, "c", "s", "icmp", "echo-request", "allowed")
    back = hop(t, "nacl:guard", back=True)
    assert back.packet.port == "echo-reply" and back.span.line == line_of(NACLS, "out 150")


@pytest.mark.parametrize("src, dst, proto, port", [
    ("c", "s", "tcp", 443),     # inbound: nothing matches
    ("c", "s", "udp", 53),
    ("s", "c", "tcp", 22),      # outbound: 22 is not in 1024-65535
])
def test_custom_nacl_ends_in_an_implicit_deny(src, dst, proto, port):
    m = model(NACLS)
    t = expect(m, NACLS, src, dst, proto, port, "blocked", "nacl", at="nacl guard")
    assert "implicit deny" in t.reason


def test_default_nacl_allows_everything():
    m = model(NACLS)
    t = expect(m, NACLS, "s", "c", "icmp", "echo-request", "allowed")
    assert hop(t, "nacl:a.default-nacl").action == "allow"


def test_same_subnet_traffic_skips_the_nacl_and_route_table():
    m = model(NACLS)
    t = expect(m, NACLS, "s", "s2", "tcp", 443, "allowed")   # guard has no rule for 443
    assert not any(h.kind in ("nacl",) for h in t.forward + t.back)
    assert not any(c.startswith("route-table:") for c, _ in hops(t))


# ---------------------------------------------------------------------------- examples

def _sample_pairs(m, limit=40):
    ends = [i.name for i in m.members(ast.Instance)] + [n.name for n in m.members(ast.NatGateway)]
    ends += [s.name for s in m.members(ast.Subnet)][:3] + ["internet", "s3"] + list(m.sites)[:2]
    pairs = [(a, b) for a, b in itertools.product(ends, ends) if a != b]
    step = max(1, len(pairs) // limit)
    return pairs[::step]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_flows_never_crash(path):
    m = vpcdsl.load(path, strict=False)
    for src, dst in _sample_pairs(m):
        for proto, port in (("tcp", 443), ("udp", 53), ("icmp", "echo-request"), ("47", None)):
            try:
                t = m.trace(src, dst, proto, port)
            except FlowError:
                continue
            assert isinstance(t, Trace)
            assert t.verdict in ("allowed", "blocked")
            if t.verdict == "blocked":
                assert t.kind in ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")
                assert t.span is not None and t.span.line > 0, t.table()
            t.to_dict()
            t.table()
