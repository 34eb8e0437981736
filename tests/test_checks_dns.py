"""Route 53 checks (vpcdsl.checks.dns): what is reported, where, and what must not be."""

from __future__ import annotations

import pytest

import vpcdsl

# A VPC with an internet-facing ALB, an instance without public IP (web-1), one
# with a public IP (bastion) and one in an IPv6 subnet (v6-host).
BASE = """\
region us-east-1
vpc shop {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet public-a 10.0.0.0/24  az a
  subnet public-b 10.0.1.0/24  az b ipv6 2600:1f18:6c0:d901::/64
  subnet app-a    10.0.10.0/24 az a
  igw shop-igw
  route-table public for public-a, public-b { 0.0.0.0/0 -> shop-igw }
  sg alb { in tcp 443 from 0.0.0.0/0 }
  instance web-1 in app-a
  instance bastion in public-a public-ip
  instance v6-host in public-b eip
  lb web-alb application internet-facing in public-a, public-b sg alb {
    listen https 443 -> web-1:8080
  }
}
cdn shop-cdn origin web-alb policy TLSv1.2_2021 ssl sni
"""
BASE_LINES = BASE.count("\n")


def dns(body: str, zone: str = "dns example.com", extra: str = ""):
    """Diagnostics of the DNS range for a zone written after BASE: (code, line in zone, col)."""
    text = BASE + f"{zone} {{\n  {body}\n}}\n{extra}"
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    return [(d.code, d.span.line - BASE_LINES - 1, d.span.col) for d in model.diagnostics
            if d.code[1] == "7"]


def only(found):
    return sorted({code for code, _line, _col in found})


def messages(body: str, code: str, **kw) -> list:
    text = BASE + f"{kw.get('zone', 'dns example.com')} {{\n  {body}\n}}\n"
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    return [d for d in model.diagnostics if d.code == code]


# ---------------------------------------------------------------------------- valid zones

def test_language_reference_zone_is_clean():
    body = """\
  health hc-blue http 203.0.113.10:80 /health down
  www   A simple     203.0.113.10
  api   A weighted   { 70 blue -> web-alb; 30 green -> 198.51.100.7; 0 old -> 198.51.100.9 }
  pay   A failover   { primary -> web-alb health hc-blue; secondary -> 198.51.100.8 }
  app   A latency    { us-east-1 -> web-alb; eu-west-1 -> 198.51.100.20 }
  shop  A geolocation { DE -> 198.51.100.30; continent EU -> 198.51.100.31; default -> web-alb }
  near  A geoproximity { us-east-1 bias 20 -> web-alb; coords 48.86 2.35 bias -10 -> 198.51.100.40 }
  files A multivalue { 192.0.2.1 health hc-blue; 192.0.2.2; 192.0.2.3 }
  vip   A ip-based   { 198.51.100.0/24 -> 192.0.2.50; default -> 192.0.2.51 }
  mail  MX simple    "10 mx.example.com\""""
    assert dns(body) == []


def test_every_record_type_with_a_fitting_value_is_clean():
    body = """\
  @      A     simple shop-cdn
  @      AAAA  simple shop-cdn
  @      MX    simple "10 mx1.example.com", "20 mx2.example.com"
  @      TXT   simple "v=spf1 include:amazonses.com -all"
  @      CAA   simple "0 issue \\"amazon.com\\""
  @      NS    simple ns-1.awsdns-01.org
  _sip._tcp SRV simple "10 5 5060 sip.example.com"
  www    CNAME simple example.com
  alb    CNAME simple web-alb
  v6     AAAA  simple 2001:db8::10
  host   AAAA  simple v6-host
  ssh    A     simple bastion
  10     PTR   simple host.example.com
  _dmarc TXT   simple "v=DMARC1; p=reject"
  sec    DS    simple "12345 13 2 1F987CC6583E92DF0890718C42"
  svc    HTTPS simple "1 . alpn=h2"
  *      A     simple web-alb"""
    assert dns(body) == []


def test_weights_and_biases_at_their_limits_are_clean():
    assert dns("api A weighted { 255 a -> web-alb; 0 b -> 198.51.100.7 }") == []
    assert dns("near A geoproximity { us-east-1 bias 99 -> web-alb; eu-west-1 bias -99 -> 192.0.2.1 }") == []


def test_records_of_one_set_may_be_split_across_statements():
    body = """\
  pay A failover { primary -> web-alb }
  pay A failover { secondary -> 198.51.100.8 }
  api A weighted { 70 blue -> web-alb }
  api A weighted { 30 green -> 198.51.100.7 }"""
    assert dns(body) == []


def test_same_set_identifier_under_other_names_is_fine():
    body = """\
  api A weighted { 70 blue -> web-alb; 30 green -> 198.51.100.7 }
  app A weighted { 70 blue -> web-alb; 30 green -> 198.51.100.7 }
  app AAAA weighted { 70 blue -> web-alb; 30 green -> 2001:db8::1 }"""
    assert dns(body) == []


def test_unknown_alias_target_is_left_to_the_names_check():
    found = dns("www A simple web-albb")
    assert found == []
    model = vpcdsl.loads(BASE + "dns example.com {\n  www A simple web-albb\n}\n", filename="t.vpc",
                         strict=False)
    assert [d.code for d in model.errors] == ["E201"]


# ---------------------------------------------------------------------------- E701, E702

@pytest.mark.parametrize("weight", ["256", "-1", "1.5"])
def test_weight_outside_range_or_fractional(weight):
    assert dns(f"api A weighted {{ {weight} blue -> web-alb; 30 green -> 198.51.100.7 }}") == [
        ("E701", 1, 20)]


@pytest.mark.parametrize("bias", ["100", "-100", "2.5"])
def test_bias_outside_range_or_fractional(bias):
    assert dns(f"near A geoproximity {{ us-east-1 bias {bias} -> web-alb }}") == [("E702", 1, 40)]


# ---------------------------------------------------------------------------- E703

def test_lower_case_type_says_upper_case():
    [d] = messages("www a simple 203.0.113.10", "E703")
    assert (d.span.col, d.hint) == (7, "record types are upper-case: A")


def test_unknown_type_suggests_close_types():
    [d] = messages("www CNAM simple example.org", "E703")
    assert "'CNAME'" in d.hint


def test_alias_type_of_other_providers_explains_route53_alias():
    [d] = messages("@ ALIAS simple web-alb", "E703")
    assert "no ALIAS type" in d.hint


def test_expect_dns_record_type_is_checked():
    found = dns("www A simple 203.0.113.10", extra="expect dns www.example.com aaaa -> 2001:db8::1\n")
    assert found == [("E703", 3, 28)]


# ---------------------------------------------------------------------------- E704

def test_cname_at_apex():
    assert dns("@ CNAME simple shop.example.net") == [("E704", 1, 3)]


def test_cname_below_apex_and_alias_at_apex_are_fine():
    assert dns("www CNAME simple shop.example.net\n  @ A simple web-alb") == []


# ---------------------------------------------------------------------------- E705

def test_duplicate_health_check_name():
    body = "health hc http 203.0.113.10:80 /health\n  health hc http 203.0.113.11:80 /health"
    assert dns(body) == [("E705", 2, 10)]


def test_duplicate_health_check_names_in_two_zones_are_fine():
    text = BASE + ("dns example.com {\n  health hc http 203.0.113.10:80\n}\n"
                   "dns example.org {\n  health hc http 203.0.113.10:80\n}\n")
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert [d for d in model.diagnostics if d.code.startswith(("E7", "W7"))] == []


def test_duplicate_set_identifier_across_records_of_the_set():
    found = dns("api A weighted { 70 blue -> web-alb }\n  api A weighted { 30 blue -> 198.51.100.7 }")
    assert found == [("E705", 2, 23)]


def test_duplicate_latency_region():
    assert dns("app A latency { us-east-1 -> web-alb; us-east-1 -> 192.0.2.1 }") == [("E705", 1, 41)]


def test_duplicate_geolocation_location():
    found = dns("shop A geolocation { continent EU -> web-alb; continent EU -> 192.0.2.1; "
                "default -> 192.0.2.2; default -> 192.0.2.3 }")
    assert found == [("E705", 1, 59), ("E705", 1, 98)]


def test_duplicate_ip_based_cidr_points_at_the_cidr():
    found = dns("vip A ip-based { 198.51.100.0/24 -> 192.0.2.50; 203.0.113.0/24, 198.51.100.0/24 -> "
                "192.0.2.51 }")
    assert found == [("E705", 1, 67)]


# ---------------------------------------------------------------------------- E706

def test_failover_without_secondary_points_at_the_record():
    assert dns("pay A failover { primary -> web-alb }") == [("E706", 1, 3)]


def test_failover_with_two_secondaries():
    found = dns("pay A failover { primary -> web-alb; secondary -> 192.0.2.1; secondary -> 192.0.2.2 }")
    assert found == [("E706", 1, 64)]


# ---------------------------------------------------------------------------- E711

def test_public_record_to_instance_without_public_ip():
    assert dns("admin A simple web-1") == [("E711", 1, 18)]


def test_private_zone_may_answer_with_a_private_instance():
    assert dns("admin A simple web-1", zone="dns corp.internal private for shop") == []


def test_instance_with_public_ip_lb_and_cdn_are_alias_targets():
    assert dns("a A simple bastion\n  b A simple web-alb\n  c A simple shop-cdn") == []


def test_instance_in_a_public_ip_subnet_has_a_public_ip():
    text = BASE.replace("subnet public-a 10.0.0.0/24  az a", "subnet public-a 10.0.0.0/24  az a public-ip")
    text = text.replace("instance bastion in public-a public-ip", "instance bastion in public-a")
    model = vpcdsl.loads(text + "dns example.com {\n  ssh A simple bastion\n}\n", filename="t.vpc",
                         strict=False)
    assert [d for d in model.diagnostics if d.code[1] == "7"] == []


# ---------------------------------------------------------------------------- E712

@pytest.mark.parametrize("key,hint", [
    ("de", "country codes are upper-case: DE"),
    ("EU", "write `continent EU`"),
    ("Germany", "two-letter ISO 3166-1"),
    ("continent eu", "continent codes are upper-case: EU"),
    ("continent XX", "Route 53 continents"),
    ("state CA", "write the state as US-CA"),
    ("state us-ca", "state codes are upper-case: US-CA"),
])
def test_geolocation_locations(key, hint):
    [d] = messages(f"shop A geolocation {{ {key} -> 192.0.2.1 }}", "E712")
    assert hint in d.hint


def test_valid_geolocation_locations():
    assert dns("shop A geolocation { DE -> 192.0.2.1; continent AF -> 192.0.2.2; "
               "state US-NY -> 192.0.2.3; default -> web-alb }") == []


def test_latency_region_did_you_mean():
    [d] = messages("app A latency { us-est-1 -> web-alb }", "E712")
    assert d.message == "unknown region 'us-est-1'"
    assert "'us-east-1'" in d.hint


def test_local_zone_group_is_a_geoproximity_location_not_a_latency_region():
    assert dns("near A geoproximity { us-west-2-lax-1 -> web-alb }") == []
    assert only(dns("app A latency { us-west-2-lax-1 -> web-alb }")) == ["E712"]


@pytest.mark.parametrize("coords", ["91 0", "0 -181", "48.861 2.35"])
def test_bad_coordinates(coords):
    assert dns(f"near A geoproximity {{ coords {coords} -> web-alb }}") == [("E712", 1, 32)]


def test_expect_dns_clients_are_checked():
    extra = ("expect dns www.example.com from eu-west-9 -> web-alb\n"
             "expect dns www.example.com from de -> web-alb\n"
             "expect dns www.example.com from continent EU -> web-alb\n"
             "expect dns www.example.com from coords 100 0 -> web-alb\n")
    found = dns("www A simple web-alb", extra=extra)
    assert [f for f in found if f[0] == "E712"] == [("E712", 3, 33), ("E712", 4, 33), ("E712", 6, 40)]


def test_lower_case_country_as_client_is_told_to_upper_case():
    text = BASE + "expect dns www.example.com from de -> 192.0.2.1\n"
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    [d] = [d for d in model.diagnostics if d.code == "E712"]
    assert d.hint == "country codes are upper-case: DE"


# ---------------------------------------------------------------------------- E716

@pytest.mark.parametrize("record,col", [
    ("v4 A simple 2001:db8::1", 15),
    ("v6 AAAA simple 192.0.2.1", 18),
    ("w A simple www.example.org", 14),
    ('q A simple "192.0.2.1"', 14),
    ("c CNAME simple 192.0.2.1", 18),
    ("c CNAME simple a.example.org, b.example.org", 33),
    ("m MX simple mail.example.com", 15),
    ('m MX simple "mail.example.com"', 15),
    ('s SRV simple "10 5 sip.example.com"', 16),
    ("t TXT simple web-alb", 16),
    ("m A multivalue { web-alb; 192.0.2.1 }", 20),
    ("s A simple web-alb, 192.0.2.1", 14),
    ("h AAAA simple bastion", 17),
])
def test_values_that_do_not_fit_the_type(record, col):
    assert dns(record) == [("E716", 1, col)]


def test_several_instances_in_one_simple_record_are_fine():
    assert dns("ssh A simple bastion, v6-host") == []


# ---------------------------------------------------------------------------- E717

def test_mixed_policies_for_one_name_and_type():
    assert dns("api A simple 192.0.2.1\n  api A weighted { 1 a -> web-alb }") == [("E717", 2, 3)]


def test_two_simple_records_for_one_name_and_type():
    assert dns("www A simple 192.0.2.1\n  WWW A simple 192.0.2.2") == [("E717", 2, 3)]


def test_cname_beside_other_records():
    [d] = messages("www CNAME simple example.org\n  www TXT simple \"hello\"", "E717")
    assert (d.span.line - BASE_LINES - 1, d.span.col) == (1, 3)
    assert "TXT" in d.message


def test_different_types_of_one_name_are_fine():
    assert dns("www A simple 192.0.2.1\n  www AAAA simple 2001:db8::1\n  www TXT simple \"x\"") == []


# ---------------------------------------------------------------------------- W701, W702

def test_tcp_health_check_with_path():
    assert dns("health hc tcp 203.0.113.10:443 /health") == [("W701", 1, 34)]


@pytest.mark.parametrize("host", ["10.0.10.25", "192.168.1.1", "127.0.0.1", "[fd00::1]"])
def test_health_check_on_unreachable_address(host):
    found = dns(f"health hc http {host}:80 /health")
    assert [code for code, *_ in found] == ["W702"]


@pytest.mark.parametrize("host", ["203.0.113.10", "198.51.100.1", "api.example.org", "[2600:1f18::10]"])
def test_health_check_on_public_or_named_endpoint_is_fine(host):
    assert dns(f"health hc https {host}:443 /health") == []


# ---------------------------------------------------------------------------- robustness

def test_broken_zone_never_crashes():
    body = """\
  health hc tcp 10.0.0.1:22 /x
  health hc tcp 10.0.0.1:22 /x
  @ CNAME simple nowhere
  x AAAA weighted { 300 a -> missing health nohc; 1.5 a -> 192.0.2.1 }
  y TXT failover { primary -> x; primary -> y }
  w FOO simple 192.0.2.1
  z A geoproximity { coords 999 999 bias 1000 -> web-1 }
  z A latency { mars-1 -> web-1 }"""
    found = dns(body)
    assert {"E701", "E703", "E704", "E705", "E706", "E712", "E717", "W701", "W702"} <= set(only(found))
