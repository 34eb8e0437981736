"""Load balancer and CloudFront checks (vpcdsl.checks.lb): what is reported, where, and what must not be."""

from __future__ import annotations

import pytest

import vpcdsl

# Public subnets in two AZs (a route to the IGW), private ones in two AZs.
VPC_HEAD = """\
region us-east-1
vpc shop {
  cidr 10.0.0.0/16
  subnet public-a  10.0.0.0/24  az a
  subnet public-b  10.0.1.0/24  az b
  subnet public-a2 10.0.2.0/24  az a
  subnet app-a     10.0.10.0/24 az a
  subnet app-b     10.0.11.0/24 az b
  igw shop-igw
  route-table public for public-a, public-b, public-a2 { 0.0.0.0/0 -> shop-igw }
  sg alb { in tcp 443 from 0.0.0.0/0 }
  instance web-1 in app-a
  instance web-2 in app-b
  instance bastion in public-a public-ip
"""
HEAD_LINES = VPC_HEAD.count("\n")


def check(lb: str, after: str = "", *, codes=("E7", "W7")):
    """Diagnostics for one `lb` (written inside VPC shop) and top-level text after the VPC.

    Returns (code, line relative to the lb's first line, col).
    """
    text = VPC_HEAD + "  " + lb + "\n}\n" + after
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    return [(d.code, d.span.line - HEAD_LINES, d.span.col) for d in model.diagnostics
            if d.code.startswith(codes)]


def diag(lb: str, after: str = "", code: str = ""):
    text = VPC_HEAD + "  " + lb + "\n}\n" + after
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    [d] = [d for d in model.diagnostics if d.code == code]
    return d


ALB = "lb web-alb application internet-facing in public-a, public-b sg alb { listen https 443 -> web-1:8080 }"


# ---------------------------------------------------------------------------- valid configurations

def test_language_reference_alb_is_clean():
    assert check(ALB) == []


@pytest.mark.parametrize("lb", [
    "lb n network in public-a { listen tcp 80 -> web-1; listen udp 53 -> web-1; listen tls 443 -> web-1; "
    "listen tcp_udp 5353 -> web-1 }",
    "lb c classic in public-a, public-b { listen http 80 -> web-1; listen https 443 -> web-1; "
    "listen tcp 25 -> web-1; listen ssl 465 -> web-1 }",
    "lb a application in public-a, public-b { listen http 80 -> web-1; listen https 443 -> web-1 }",
])
def test_supported_listener_protocols(lb):
    assert check(lb) == []


def test_nlb_in_one_az_with_security_groups_is_fine():
    assert check("lb n network internet-facing in public-a sg alb { listen tcp 443 -> web-1 }") == []


def test_alb_rules_on_listener_ports_are_fine():
    lb = """lb a application in public-a, public-b {
    listen http 80 -> web-1
    listen https 443 -> web-1:8080
    rule 443 path /api/* -> web-2:9000
    rule 443 host admin.example.com -> web-2
    rule 80 header X-Canary always -> web-2
    rule 80 method POST -> web-2
    rule 443 query version=beta -> web-2
    rule 443 source-ip 203.0.113.0/24 -> web-2
  }"""
    assert check(lb) == []


def test_internal_lb_in_private_subnets_is_fine():
    assert check("lb i application internal in app-a, app-b { listen http 80 -> web-1 }") == []


def test_default_scheme_is_internet_facing():
    assert [c for c, *_ in check("lb x network in app-a { listen tcp 80 -> web-1 }")] == ["W703"]


# ---------------------------------------------------------------------------- E707, E710

def test_alb_in_one_az_points_at_its_name():
    d = diag("lb one application in public-a { listen http 80 -> web-1 }", code="E707")
    assert (d.span.line - HEAD_LINES, d.span.col, d.span.end_col) == (1, 6, 9)
    assert "us-east-1a" in d.message and "'public-b' (us-east-1b)" in d.hint


def test_alb_with_an_unknown_subnet_is_not_also_e707():
    assert check("lb a application in public-a, public-x { listen http 80 -> web-1 }",
                 codes=("E2", "E7")) == [("E201", 1, 33)]


def test_lb_without_subnets():
    assert check("lb a network { listen tcp 80 -> web-1 }") == [("E710", 1, 6)]


def test_two_subnets_in_one_az():
    assert check("lb n network in public-a, public-a2 { listen tcp 80 -> web-1 }") == [("E710", 1, 29)]


def test_subnet_listed_twice():
    assert check("lb n network in public-a, public-a { listen tcp 80 -> web-1 }") == [("E710", 1, 29)]


def test_subnet_of_another_vpc_is_the_names_checks_e205():
    other = "vpc other {\n  cidr 10.9.0.0/16\n  subnet far-b 10.9.1.0/24 az b\n}\n"
    found = check("lb a application in public-a, far-b { listen http 80 -> web-1 }", other,
                  codes=("E2", "E7"))
    assert found == [("E205", 1, 33)]


# ---------------------------------------------------------------------------- E708

@pytest.mark.parametrize("lb,col", [
    ("lb a application in public-a, public-b { listen tcp 22 -> web-1 }", 51),
    ("lb n network in public-a { listen http 80 -> web-1 }", 37),
    ("lb c classic in public-a { listen udp 53 -> web-1 }", 37),
    ("lb c classic in public-a { listen tls 443 -> web-1 }", 37),
])
def test_listener_protocol_not_supported(lb, col):
    assert check(lb) == [("E708", 1, col)]


# ---------------------------------------------------------------------------- E709, E714

@pytest.mark.parametrize("kind", ["network", "classic"])
def test_rule_on_a_non_application_lb(kind):
    lb = f"lb x {kind} in public-a {{\n    listen tcp 443 -> web-1\n    rule 443 host api.example.com -> web-2\n  }}"
    assert check(lb) == [("E709", 3, 14)]


def test_rule_for_a_port_without_listener():
    lb = "lb a application in public-a, public-b {\n    listen https 443 -> web-1\n    rule 8443 path /x -> web-2\n  }"
    assert check(lb) == [("E714", 3, 10)]


# ---------------------------------------------------------------------------- E713

def test_two_listeners_on_one_port():
    lb = "lb a application in public-a, public-b {\n    listen http 80 -> web-1\n    listen https 80 -> web-2\n  }"
    assert check(lb) == [("E713", 3, 18)]


def test_tcp_and_udp_on_one_port_suggests_tcp_udp():
    lb = "lb n network in public-a {\n    listen tcp 53 -> web-1\n    listen udp 53 -> web-1\n  }"
    d = diag(lb, code="E713")
    assert "`listen tcp_udp 53 -> ...`" in d.hint


# ---------------------------------------------------------------------------- E715, E718

@pytest.mark.parametrize("origin", ["web-alb", "bastion", "static.example.org"])
def test_cdn_origins_that_serve(origin):
    assert check(ALB, f"cdn edge origin {origin} policy TLSv1.2_2021 ssl sni\n") == []


def test_cdn_origin_internal_lb():
    internal = "lb i application internal in app-a, app-b { listen http 80 -> web-1 }"
    found = check(internal, "cdn edge origin i\n")
    assert found == [("E715", 3, 17)]


def test_cdn_origin_instance_without_public_ip():
    d = diag(ALB, "cdn edge origin web-1\n", code="E715")
    assert "has no public IP" in d.message and "VPC origins" in d.hint


def test_cdn_origin_instance_in_a_public_ip_subnet_serves():
    text = VPC_HEAD.replace("subnet app-a     10.0.10.0/24 az a", "subnet app-a     10.0.10.0/24 az a public-ip")
    model = vpcdsl.loads(text + "}\ncdn edge origin web-1\n", filename="t.vpc", strict=False)
    assert [d for d in model.diagnostics if d.code.startswith("E7")] == []


def test_cdn_origin_of_the_wrong_kind_is_the_names_check():
    found = check(ALB, "cdn edge origin public-a\n", codes=("E2", "E7"))
    assert found == [("E204", 3, 17)]


@pytest.mark.parametrize("line,hint", [
    ("cdn edge origin web-alb policy tlsv1.2_2021", "case-sensitive: TLSv1.2_2021"),
    ("cdn edge origin web-alb policy TLSv1.2_2020 ssl sni", "did you mean"),
    ("cdn edge origin web-alb policy SSLv3 ssl sni", "`ssl dedicated-ip`"),
])
def test_security_policy_problems(line, hint):
    d = diag(ALB, line + "\n", code="E718")
    assert hint in d.hint
    assert (d.span.line - HEAD_LINES, d.span.col) == (3, 32)


@pytest.mark.parametrize("policy", ["SSLv3 ssl dedicated-ip", "TLSv1", "TLSv1.3_2025 ssl sni",
                                    "TLSv1.2_2025"])
def test_known_security_policies(policy):
    assert check(ALB, f"cdn edge origin web-alb policy {policy}\n") == []


# ---------------------------------------------------------------------------- W703

def test_internet_facing_lb_in_private_subnets():
    lb = "lb x application internet-facing in app-a, app-b { listen http 80 -> web-1 }"
    assert check(lb) == [("W703", 1, 39), ("W703", 1, 46)]


# ---------------------------------------------------------------------------- robustness

def test_broken_lbs_never_crash():
    lb = """lb x classic in nowhere, public-a, public-a, web-1 {
    listen tcp_udp 53 -> ghost
    listen tcp_udp 53 -> 10.0.0.99
    rule 9 method GET -> ghost
  }"""
    found = check(lb, "cdn e origin nowhere policy X\ncdn f origin x policy SSLv3 ssl sni\n")
    assert {"E708", "E709", "E710", "E713", "E718"} <= {c for c, *_ in found}
