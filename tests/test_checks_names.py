"""The names check: every reference resolved against the kinds its position accepts.

E201 unknown name (with "did you mean"), E204 wrong kind, E205 another VPC's
object, E311 unknown prefix list, E902 unknown `by` kind. Valid references of
every position must produce none of them.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.checks.names import close_matches

CODES = {"E201", "E204", "E205", "E311", "E902"}
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.vpc"))


def names_diags(text: str):
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert model.syntax_ok, model.diagnostics
    return [d for d in model.diagnostics if d.code in CODES]


def codes(text: str):
    return [(d.code, d.span.line, d.span.col) for d in names_diags(text)]


def one(text: str, code: str):
    found = names_diags(text)
    assert [d.code for d in found] == [code], found
    return found[0]


PROD = """\
vpc prod {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet public-a 10.0.0.0/24  az a
  subnet public-b 10.0.1.0/24  az b
  subnet app-a    10.0.10.0/24 az a
  subnet app-b    10.0.11.0/24 az b
  igw prod-igw
  eigw prod-eigw
  vgw prod-vgw
  nat nat-a in public-a
  sg web { in tcp 80 from 10.0.0.0/16 }
  instance web-1 in app-a sg web
  route-table public for public-a, public-b { 0.0.0.0/0 -> prod-igw }
%s
}

vpc shared {
  cidr 10.20.0.0/16
  subnet tools-a 10.20.0.0/24 az a
  igw shared-igw
  eigw shared-eigw
  vgw shared-vgw
  nat shared-nat in tools-a
  nat-instance shared-nati in tools-a
  sg tools { in any from 10.0.0.0/16 }
  instance ci-1 in tools-a sg tools
  route-table tools for tools-a { 0.0.0.0/0 -> shared-igw }
  endpoint shared-s3 gateway s3 for tools
}

peer prod-shared prod -> shared
"""


def prod(body: str, tail: str = "") -> str:
    return PROD % body + tail


# ---------------------------------------------------------------------------- clean models

@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_have_no_name_errors(path):
    assert names_diags(path.read_text(encoding="utf-8").replace("\r\n", "\n")) == []


def test_every_position_accepts_its_kinds():
    text = prod("""
  subnet lz 10.0.30.0/24 az us-east-1-bos-1a
  nat-instance nat-i in public-b sg web source-dest-check off
  route-table private for app-a, app-b {
    0.0.0.0/0 -> nat-a
    ::/0 -> prod-eigw
    10.20.0.0/16 -> prod-shared
    10.30.0.0/16 -> hub
    10.40.0.0/16 -> web-1
    10.50.0.0/16 -> nat-i
    192.168.0.0/16 -> prod-vgw
    dynamodb -> blackhole
    propagate prod-vgw
  }
  nacl app for app-a, app-b { in 100 allow any from any }
  sg api { in tcp 443 from tools, s3, dynamodb, web, api, 10.0.0.0/8, any }
  instance web-2 in app-b
  endpoint s3-gw gateway s3 for private, public
  endpoint ddb gateway dynamodb
  endpoint ssm-ep interface ssm in app-a, app-b sg web private-dns
  lb alb application internet-facing in public-a, public-b sg web {
    listen http 80 -> web-1:8080, nat-i, 10.0.10.20:80
    rule 80 path /api/* -> web-2:8080
  }
""", """
tgw hub asn 64600 {
  attach prod for app-a, app-b
  attach shared static-only
  route 10.99.0.0/16 -> blackhole
  route 10.20.0.0/16 -> shared
  route 192.168.0.0/16 -> office-vpn2
  route 172.16.0.0/16 -> gw1
  route 172.17.0.0/16 -> dx2
}
site office 192.168.0.0/16 asn 65010
vpn office-vpn office <-> prod-vgw bgp over dx1
vpn office-vpn2 office <-> hub static 192.168.0.0/16
vpn soft office <-> web-1 bgp
dxgw gw1 asn 64700 { attach hub }
dx dx1 office <-> prod-vgw vif private vlan 100
dx dx2 office <-> gw1 vif transit
dx dx3 office <-> aws vif public
advertise office 192.168.0.0/16 via dx1 prepend 2
advertise office 192.168.0.0/16 via office-vpn
placement pg spread { web-1, web-2 }
cdn edge origin alb policy TLSv1.2_2021
cdn edge2 origin www.example.com
dns example.com {
  health hc-blue http 203.0.113.10:80 /health
  www A simple alb
  api A weighted { 70 blue -> alb health hc-blue; 30 green -> edge }
}
dns internal.example.com private for prod, shared {
  db A simple web-1
}
expect internet -> alb tcp 80 allowed
expect web-1 -> s3 tcp 443 allowed by endpoint
expect app-a -> office tcp 22 blocked by route
expect ci-1 -> 10.0.10.5 tcp 22 blocked by sg
expect isolated prod, shared, nat-a, ssm-ep, lz, nat-i
expect dns www.example.com -> alb
""")
    assert names_diags(text) == []


# ---------------------------------------------------------------------------- E201

def test_unknown_subnet_suggests_the_close_name():
    d = one(prod("  instance web-2 in ap-b sg web"), "E201")
    assert (d.span.line, d.span.col, d.span.end_col) == (15, 21, 25)
    assert d.message == "unknown subnet 'ap-b'"
    assert d.hint == "did you mean 'app-b'?"


def test_suggestion_prefers_the_same_vpc():
    # `tools-b` is close to `tools-a` (shared) and to `tools-c` (prod): prod's comes first.
    text = prod("  subnet tools-c 10.0.40.0/24 az c\n  instance web-2 in tools-b")
    assert one(text, "E201").hint == "did you mean 'tools-c'?"


def test_equally_close_names_are_all_suggested():
    assert close_matches("us-est-1", ["eu-west-1", "us-east-1", "us-west-1"]) == ["us-east-1", "us-west-1"]
    text = prod("  instance web-2 in app-c")
    assert one(text, "E201").hint == "did you mean 'app-a' or 'app-b'?"


def test_no_close_match_says_what_is_expected():
    d = one(prod("  instance web-2 in zzz"), "E201")
    assert d.hint == "expected the name of a subnet in VPC 'prod'"


def test_a_close_name_of_another_kind_is_suggested_with_its_kind():
    d = one(prod("  instance web-2 in prod-igx"), "E201")
    assert d.hint == "did you mean 'prod-igw' (an internet gateway)?"


def test_implicit_objects_are_never_suggested():
    # `prod.main` and `prod.default-sg` cannot be written; they must not be offered.
    d = one(prod("  instance web-2 in app-a sg prod-default"), "E201")
    assert "." not in d.hint


def test_unknown_route_target_and_vpc():
    found = codes(prod("  route-table private for app-a { 0.0.0.0/0 -> nat-b }",
                       "peer p2 prod -> sharde\n"))
    assert found == [("E201", 15, 48), ("E201", 33, 17)]


def test_each_unknown_reference_is_reported_once():
    # app-x is named by a route table, a NACL, an LB and an endpoint: one E201 per reference.
    text = prod("""
  route-table private for app-x { 10.1.0.0/16 -> blackhole }
  nacl n for app-x { in 100 allow any from any }
  endpoint e interface ssm in app-x
  lb l network internal in app-x { listen tcp 80 -> web-1 }
""")
    assert [(c, line) for c, line, _ in codes(text)] == [
        ("E201", 16), ("E201", 17), ("E201", 18), ("E201", 19)]


def test_unknown_health_check_is_scoped_to_its_zone():
    text = prod("", """
dns a.example.com {
  health hc-a http 203.0.113.10:80
  www A failover { primary -> 203.0.113.10 health hc-a; secondary -> 203.0.113.11 health hc-b }
}
dns b.example.com {
  health hc-b http 203.0.113.20:80
  www A failover { primary -> 203.0.113.20 health hc-b; secondary -> 203.0.113.21 health hc-a }
}
""")
    found = names_diags(text)
    assert [(d.code, d.span.line) for d in found] == [("E201", 36), ("E201", 40)]
    assert found[0].message == "unknown health check 'hc-b' in zone 'a.example.com'"
    assert found[0].hint == "did you mean 'hc-a'?"


def test_unknown_alias_target_and_flow_end():
    text = prod("", """
dns example.com { www A simple web-alb }
expect internet -> web-alb tcp 443 allowed
expect isolated prod, nobody
""")
    found = codes(text)
    assert found == [("E201", 34, 32), ("E201", 35, 20), ("E201", 36, 23)]


# ---------------------------------------------------------------------------- E204

def test_wrong_kind_names_both_sides():
    d = one(prod("  nat nat-b in web"), "E204")
    assert d.message == "'web' is a security group; NAT gateway 'nat-b' must be placed in a subnet"
    assert d.hint == "expected the name of a subnet in VPC 'prod'"


@pytest.mark.parametrize("body, tail", [
    ("  route-table private for app-a { 0.0.0.0/0 -> app-b }", ""),
    ("  endpoint ssm-ep interface ssm in app-a\n"
     "  route-table private for app-a { 0.0.0.0/0 -> ssm-ep }", ""),
    ("  instance web-2 in app-a sg prod-igw", ""),
    ("  lb l network internal in app-a { listen tcp 80 -> web }", ""),
    ("  route-table private for prod-igw { 10.1.0.0/16 -> blackhole }", ""),
    ("", "cdn edge origin prod-igw\n"),
    ("", "dns example.com { www A simple app-a }\n"),
    ("", "expect web-1 -> public tcp 80 allowed\n"),
    ("", "peer p2 prod -> tools-a\n"),
    ("", "tgw hub { attach app-a }\n"),
    ("", "site office 192.168.0.0/16\nvpn v office <-> web bgp\n"),
])
def test_wrong_kind(body, tail):
    one(prod(body, tail), "E204")


def test_reserved_words():
    d = one(prod("  route-table private for app-a { 10.1.0.0/16 -> local }"), "E204")
    assert d.message.startswith("'local' is a reserved word")
    d = one(prod("  sg api { in tcp 443 from internet }"), "E204")
    assert "0.0.0.0/0" in d.hint


def test_gateway_endpoint_only_for_s3_and_dynamodb():
    d = one(prod("  endpoint e gateway ec2"), "E204")
    assert d.message == "gateway endpoint 'e' is for 'ec2', which has no gateway endpoint"
    assert "interface ec2" in d.hint
    assert one(prod("  endpoint e gateway s33"), "E204").hint.startswith("did you mean 's3'?")


def test_gateway_endpoint_as_route_target_is_left_to_routing():
    text = prod("  endpoint s3-gw gateway s3\n"
                "  route-table private for app-a { s3 -> s3-gw }")
    assert names_diags(text) == []


def test_wrong_kinds_another_check_owns_are_not_repeated():
    # VPN targets (E502), DX gateway attachments (E505) and placement members (E608).
    text = prod("", """
site office 192.168.0.0/16
vpn v office <-> prod-igw bgp
dxgw g { attach prod-igw }
placement pg cluster { prod-igw }
""")
    assert names_diags(text) == []
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert {"E502", "E505", "E608"} <= {d.code for d in model.diagnostics}


def test_by_kind():
    d = one(prod("", "expect web-1 -> ci-1 tcp 22 blocked by security-group\n"), "E902")
    assert d.hint.startswith("did you mean 'sg'?")
    assert one(prod("", "expect web-1 -> ci-1 tcp 22 blocked by nacll\n"), "E902").hint.startswith(
        "did you mean 'nacl'?")
    for kind in ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb"):
        assert names_diags(prod("", f"expect web-1 -> ci-1 tcp 22 blocked by {kind}\n")) == []


# ---------------------------------------------------------------------------- E205

@pytest.mark.parametrize("body, tail", [
    ("  route-table private for app-a, tools-a { 10.1.0.0/16 -> blackhole }", ""),
    ("  nacl n for tools-a { in 100 allow any from any }", ""),
    ("  nat nat-b in tools-a", ""),
    ("  nat-instance nat-b in app-a sg tools", ""),
    ("  instance web-2 in tools-a", ""),
    ("  instance web-2 in app-a sg web, tools", ""),
    ("  lb l network internal in app-a, tools-a { listen tcp 80 -> web-1 }", ""),
    ("  lb l network internal in app-a sg tools { listen tcp 80 -> web-1 }", ""),
    ("  lb l network internal in app-a { listen tcp 80 -> ci-1 }", ""),
    ("  endpoint e gateway s3 for tools", ""),
    ("  endpoint e interface ssm in tools-a", ""),
    ("  endpoint e interface ssm in app-a sg tools", ""),
    ("  route-table private for app-a { 0.0.0.0/0 -> shared-igw }", ""),
    ("  route-table private for app-a { ::/0 -> shared-eigw }", ""),
    ("  route-table private for app-a { 0.0.0.0/0 -> shared-nat }", ""),
    ("  route-table private for app-a { 0.0.0.0/0 -> shared-nati }", ""),
    ("  route-table private for app-a { 10.9.0.0/16 -> shared-vgw }", ""),
    ("  route-table private for app-a { 10.9.0.0/16 -> ci-1 }", ""),
    ("  route-table private for app-a { s3 -> shared-s3 }", ""),
    ("", "tgw hub { attach prod for app-a, tools-a }\n"),
])
def test_object_of_another_vpc(body, tail):
    d = one(prod(body, tail), "E205")
    assert "is in VPC 'shared', not in VPC 'prod'" in d.message or \
        "is in VPC 'prod', not in VPC 'shared'" in d.message


def test_another_vpc_is_fine_where_the_language_allows_it():
    # SG rules may name a peered VPC's SG (filters check it); a VPN, a TGW route and a
    # peering route name objects outside the VPC; an LB may target a peered address.
    text = prod("""
  sg api { in tcp 443 from tools }
  route-table private for app-a {
    10.20.0.0/16 -> prod-shared
    10.30.0.0/16 -> hub
    10.20.0.10/32 -> blackhole
  }
  lb l network internal in app-a { listen tcp 80 -> 10.20.0.10:80 }
""", """
tgw hub { attach prod; attach shared }
site office 192.168.0.0/16
vpn soft office <-> ci-1 bgp
""")
    assert names_diags(text) == []


def test_propagating_another_vpcs_vgw_is_left_to_routing():
    text = prod("  route-table private for app-a { propagate shared-vgw }")
    assert names_diags(text) == []
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert "E307" in {d.code for d in model.diagnostics}


def test_route_target_message_and_hint():
    d = one(prod("  route-table private for app-a { 0.0.0.0/0 -> shared-igw }"), "E205")
    assert d.message == "internet gateway 'shared-igw' is in VPC 'shared', not in VPC 'prod'"
    assert "peering connection or a transit gateway" in d.hint


# ---------------------------------------------------------------------------- E311

def test_prefix_lists():
    d = one(prod("  route-table private for app-a { dynamo -> prod-igw }"), "E311")
    assert (d.message, d.hint) == ("unknown prefix list 'dynamo'", "did you mean 'dynamodb'?")
    d = one(prod("  sg api { out tcp 443 to glacier }"), "E311")
    assert "s3 and dynamodb" in d.hint
    # A model object as a destination is the wrong kind, not an unknown list.
    d = one(prod("  route-table private for app-a { web-1 -> prod-igw }"), "E204")
    assert d.message.startswith("'web-1' is an instance")


# ---------------------------------------------------------------------------- robustness

def test_unresolved_everything_never_crashes():
    text = """
vpc v region nowhere-1 {
  subnet s size /24
  nat n in x
  nat-instance ni in y sg z
  route-table rt main for a, b { 10.0.0.0/8 -> c; q -> d; propagate e }
  nacl nn for f { in 100 allow tcp 22 from 10.0.0.0/8 }
  sg g { in tcp 22 from h, 10.0.0.0/8; out any to i }
  instance in1 in j sg k ip 10.0.0.9
  endpoint ep gateway l for m
  endpoint ep2 interface n in o sg p
  lb lb1 application in q sg r { listen http 80 -> s, t:80; rule 80 path /x -> u }
}
peer pp v -> w
tgw t1 { attach x for y; route 10.0.0.0/8 -> z }
vpn vp a <-> b bgp over c
dxgw dg { attach d }
dx d1 e <-> f vif private
advertise g 10.0.0.0/8 via h
placement pg cluster { i }
cdn cd origin j
dns example.com private for k { www A weighted { 1 a -> l health m } }
expect n -> o blocked by p
expect isolated q, r
expect dns www.example.com -> s
"""
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert model.syntax_ok
    assert len([d for d in model.diagnostics if d.code == "E201"]) >= 30


def test_a_typo_in_a_large_model_is_fast():
    subnets = "\n".join(f"  subnet s{i} 10.{i // 256}.{i % 256}.0/24 az a" for i in range(4000))
    text = f"vpc big {{\n  cidr 10.0.0.0/8\n{subnets}\n" + \
        "\n".join(f"  instance i{i} in s{i}x" for i in range(60)) + "\n}\n"
    start = time.perf_counter()
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert len([d for d in model.diagnostics if d.code == "E201"]) == 60
    assert time.perf_counter() - start < 20
