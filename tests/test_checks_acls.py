"""NACL and security group checks (E401, E402, W401, E404, E405, W402): edge cases.

The golden fixtures pin one case per code; these pin what must and must not
be reported around them.
"""

from __future__ import annotations

import pytest

import vpcdsl
from vpcdsl.checks import acls as filters
from vpcdsl.checks.acls import describe_rule

CODES = {"E401", "E402", "W401", "E404", "E405", "W402"}


def _compile(text: str):
    return vpcdsl.loads(text, filename="t.vpc", strict=False)


def found(text: str, codes=CODES) -> list[tuple[str, int, int]]:
    model = _compile(text)
    return [(d.code, d.span.line, d.span.col) for d in model.diagnostics if d.code in codes]


def messages(text: str, code: str) -> list[str]:
    return [d.message for d in _compile(text).diagnostics if d.code == code]


def nacl(*rules: str) -> str:
    body = "\n".join(f"    {r}" for r in rules)
    return (f"vpc prod {{\n  cidr 10.0.0.0/16\n  subnet db-a 10.0.20.0/24 az a\n"
            f"  nacl db for db-a {{\n{body}\n  }}\n}}\n")


# ---------------------------------------------------------------------------- rule numbers

@pytest.mark.parametrize("number, bad", [(0, True), (1, False), (32766, False), (32767, True),
                                         (40000, True)])
def test_rule_number_range(number, bad):
    got = found(nacl(f"in {number} allow tcp 443 from 0.0.0.0/0"), {"E401"})
    assert got == ([("E401", 5, 8)] if bad else [])


def test_duplicate_number_is_per_direction():
    text = nacl("in 100 allow tcp 443 from 0.0.0.0/0",
                "out 100 allow tcp 1024-65535 to 0.0.0.0/0")
    assert found(text) == []


def test_duplicate_number_points_at_the_second_and_names_the_first():
    text = nacl("in 100 allow tcp 443 from 10.0.0.0/16",
                "in 100 allow tcp 22 from 10.0.0.0/24")
    model = _compile(text)
    [d] = [d for d in model.diagnostics if d.code == "E402"]
    assert (d.span.line, d.span.col, d.span.end_col) == (6, 8, 11)
    assert "line 5" in d.hint and "allow tcp 443 from 10.0.0.0/16" in d.hint


def test_duplicates_are_not_also_reported_as_shadowed():
    text = nacl("in 100 allow tcp any from 0.0.0.0/0", "in 100 deny tcp 22 from 10.0.0.0/8")
    assert found(text) == [("E402", 6, 8)]


# ---------------------------------------------------------------------------- shadowing

def test_shadowing_uses_rule_numbers_not_file_order():
    text = nacl("in 200 deny tcp 22 from 10.0.0.0/8", "in 100 allow tcp any from 0.0.0.0/0")
    assert messages(text, "W401") == [
        "rule 200 (deny tcp 22 from 10.0.0.0/8) of network ACL 'db' is shadowed by rule 100 "
        "(allow tcp any from 0.0.0.0/0)"]
    assert found(text) == [("W401", 5, 5)]


def test_a_lower_number_written_later_is_not_shadowed():
    text = nacl("in 100 deny tcp 22 from 10.0.0.0/8", "in 200 allow tcp any from 0.0.0.0/0")
    assert found(text) == []


@pytest.mark.parametrize("earlier, later", [
    ("allow any from any", "deny udp 53 from 10.1.0.0/16"),
    ("allow any from 0.0.0.0/0", "deny 50 from 10.0.0.0/8"),
    ("allow tcp from 10.0.0.0/8", "deny tcp 443 from 10.1.0.0/16"),
    ("allow tcp 1024-65535 from 10.0.0.0/8", "deny tcp 2000-3000 from 10.0.0.0/8"),
    ("allow 6 443 from 10.0.0.0/8", "deny tcp 443 from 10.0.0.0/8"),
    ("allow icmp from 10.0.0.0/8", "deny icmp echo-request from 10.0.0.0/8"),
    ("allow icmp echo-request from 10.0.0.0/8", "deny icmp 8 from 10.0.0.0/8"),
    ("allow icmpv6 from ::/0", "deny icmpv6 echo-request from 2600:1f18::/32"),
    ("allow 50 from 10.0.0.0/8", "deny 50 from 10.0.0.0/16"),
])
def test_covered(earlier, later):
    assert found(nacl(f"in 100 {earlier}", f"in 200 {later}"), {"W401"}) == [("W401", 6, 5)]


@pytest.mark.parametrize("earlier, later", [
    ("allow tcp 443 from 0.0.0.0/0", "deny tcp 80 from 10.0.0.0/8"),           # other port
    ("allow tcp 1024-2000 from 0.0.0.0/0", "deny tcp 1500-2500 from 10.0.0.0/8"),  # partial range
    ("allow tcp from 0.0.0.0/0", "deny udp from 10.0.0.0/8"),                 # other protocol
    ("allow tcp from 0.0.0.0/0", "deny any from 10.0.0.0/8"),                 # narrower protocol
    ("allow tcp 443 from 0.0.0.0/0", "deny tcp from 10.0.0.0/8"),             # all ports later
    ("allow tcp from 10.0.0.0/16", "deny tcp from 10.0.0.0/8"),               # wider CIDR later
    ("allow tcp from 0.0.0.0/0", "deny tcp from ::/0"),                       # other family
    ("allow tcp from 0.0.0.0/0", "deny tcp from any"),                        # any = both families
    ("allow icmp echo-request from 0.0.0.0/0", "deny icmp echo-reply from 0.0.0.0/0"),
    ("allow icmp echo-request from 0.0.0.0/0", "deny icmp from 0.0.0.0/0"),
    ("allow 50 from 0.0.0.0/0", "deny 51 from 0.0.0.0/0"),
])
def test_not_covered(earlier, later):
    assert found(nacl(f"in 100 {earlier}", f"in 200 {later}"), {"W401"}) == []


def test_directions_do_not_shadow_each_other():
    text = nacl("in 100 allow any from 0.0.0.0/0", "out 200 deny tcp 22 to 10.0.0.0/8")
    assert found(text) == []


def test_each_shadowed_rule_names_the_first_rule_that_hides_it():
    text = nacl("in 100 allow tcp from 10.0.0.0/8", "in 200 allow any from 0.0.0.0/0",
                "in 300 deny tcp 22 from 10.1.0.0/16")
    assert messages(text, "W401") == [
        "rule 300 (deny tcp 22 from 10.1.0.0/16) of network ACL 'db' is shadowed by rule 100 "
        "(allow tcp from 10.0.0.0/8)"]


def test_same_action_hint_says_redundant():
    model = _compile(nacl("in 100 allow tcp from 10.0.0.0/8", "in 200 allow tcp 22 from 10.1.0.0/16"))
    [d] = [d for d in model.diagnostics if d.code == "W401"]
    assert "can be removed" in d.hint


def test_invalid_literals_are_never_shadowed_nor_shadowing():
    text = nacl("in 100 allow tcp from 10.0.0.300/8", "in 200 deny tcp 22 from 10.1.0.0/16",
                "in 300 deny tcp 70000 from 10.1.0.0/16")
    assert found(text) == []


def test_describe_rule():
    model = _compile(nacl("out 100 allow tcp any to any", "out 110 deny icmp echo-request to 10.0.0.0/8"))
    rules = model.get("db", "nacl").rules
    assert [describe_rule(r) for r in rules] == ["allow tcp any to any",
                                                 "deny icmp echo-request to 10.0.0.0/8"]


# ---------------------------------------------------------------------------- SG references

TWO_VPCS = """
vpc a region {ra} {{
  cidr 10.0.0.0/16
  subnet s-a 10.0.0.0/24 az a
  sg web {{ in tcp 443 from 10.0.0.0/16 }}
}}
vpc b region {rb} {{
  cidr 10.1.0.0/16
  subnet s-b 10.1.0.0/24 az a
  sg db {{ {rule} }}
}}
{extra}
"""


def sg_case(rule="in tcp 5432 from web", ra="us-east-1", rb="us-east-1", extra=""):
    return found(TWO_VPCS.format(ra=ra, rb=rb, rule=rule, extra=extra))


def test_reference_within_the_vpc_is_fine():
    assert sg_case(rule="in tcp 5432 from db") == []


def test_reference_across_same_region_peering_is_fine():
    assert sg_case(extra="peer p a -> b") == []
    assert sg_case(extra="peer p b -> a") == []


def test_reference_across_inter_region_peering():
    assert sg_case(rb="eu-west-1", extra="peer p a -> b") == [("E404", 10, 28)]


def test_reference_to_unpeered_vpc():
    assert sg_case() == [("E405", 10, 28)]
    assert sg_case(rb="eu-west-1") == [("E405", 10, 28)]


def test_outbound_reference_is_checked_too():
    assert sg_case(rule="out tcp 443 to web") == [("E405", 10, 26)]


def test_inbound_reference_through_a_shared_transit_gateway_is_fine():
    tgw = "tgw core { attach a; attach b }"
    assert sg_case(extra=tgw) == []
    # Transit Gateway SG referencing covers inbound rules only.
    assert sg_case(rule="out tcp 443 to web", extra=tgw) == [("E405", 10, 26)]


def test_unknown_and_prefix_list_peers_are_left_to_the_names_check():
    assert sg_case(rule="in tcp 443 from nothing-here") == []
    assert sg_case(rule="out tcp 443 to s3") == []


def test_out_none_with_outbound_rules():
    text = ("vpc v {\n  cidr 10.0.0.0/16\n  sg db {\n    out none\n    out tcp 443 to 10.0.0.0/16\n"
            "  }\n  sg quiet { in tcp 22 from 10.0.0.0/16; out none }\n}\n")
    model = _compile(text)
    [d] = [d for d in model.diagnostics if d.code == "W402"]
    assert (d.span.line, d.span.col, d.span.end_col) == (4, 5, 13)


def test_filters_check_survives_a_model_with_unresolved_names():
    model = _compile("vpc v {\n  cidr 10.0.0.0/16\n  sg a { in tcp 1 from b, c, 10.0.0.300/8 }\n}\n"
                     "peer p v -> nowhere\n")
    assert list(filters.check(model)) == []
