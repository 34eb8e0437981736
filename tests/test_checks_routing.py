"""Routing checks (E301-E309, W301, W302): what must be reported, and what must not."""

from __future__ import annotations

from pathlib import Path

import vpcdsl

ROUTING = ("E30", "W301", "W302")


def diags(text: str, *prefixes: str):
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    prefixes = prefixes or ROUTING
    return [d for d in model.diagnostics if d.code.startswith(prefixes)]


def codes(text: str, *prefixes: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in diags(text, *prefixes)]


# A VPC with a public and a private tier in two AZs, one NAT per AZ: clean.
BASE = """
vpc prod {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet public-a 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  subnet public-b 10.0.1.0/24 az b
  subnet app-a 10.0.10.0/24 az a ipv6 2600:1f18:6c0:d90a::/64
  subnet app-b 10.0.11.0/24 az b
  igw prod-igw
  eigw prod-eigw
  nat nat-a in public-a
  nat nat-b in public-b
  vgw prod-vgw
  route-table public for public-a, public-b {
    0.0.0.0/0 -> prod-igw
    ::/0 -> prod-igw
  }
  route-table private-a for app-a {
    0.0.0.0/0 -> nat-a
    ::/0 -> prod-eigw
    64:ff9b::/96 -> nat-a
    propagate prod-vgw
  }
  route-table private-b for app-b {
    0.0.0.0/0 -> nat-b
    10.0.0.0/8 -> prod-vgw
  }
  endpoint s3-gw gateway s3 for private-a, private-b
}
"""


def test_base_model_is_clean():
    model = vpcdsl.loads(BASE, filename="t.vpc", strict=False)
    assert model.diagnostics == []


def test_examples_have_no_routing_errors(examples_dir: Path):
    for path in sorted(examples_dir.glob("*.vpc")):
        model = vpcdsl.load(path, strict=False)
        errors = [d for d in model.diagnostics if d.code.startswith("E3") and d.severity == "error"]
        assert not errors, (path.name, errors)


def test_three_tier_example_warns_about_its_cross_az_nat(examples_dir: Path):
    model = vpcdsl.load(examples_dir / "three-tier.vpc", strict=False)
    found = [d for d in model.diagnostics if d.code.startswith(("W301", "W302"))]
    assert [(d.code, d.span.line) for d in found] == [("W302", 24)]
    assert "'app-b'" in found[0].message and "'app-a'" not in found[0].message


# ---------------------------------------------------------------------------- peering

PEERS = """
vpc a {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet a1 10.0.1.0/24 az a
  route-table rt-a for a1 { 10.1.0.0/16 -> ab }
}
vpc b {
  cidr 10.1.0.0/16
  ipv6 %s
  subnet b1 10.1.1.0/24 az a
  route-table rt-b for b1 { 10.0.0.0/16 -> ab }
}
peer ab a -> b
"""


def test_peering_both_sides_route_cleanly():
    assert codes(PEERS % "2600:1f18:6c0:da00::/56") == []


def test_peering_with_overlapping_ipv6():
    found = diags(PEERS % "2600:1f18:6c0:d900::/56")
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("E301", 14, 9)]
    assert "2600:1f18:6c0:d900::/56" in found[0].message


def test_route_through_someone_elses_peering():
    text = PEERS % "2600:1f18:6c0:da00::/56" + """
vpc c {
  cidr 10.2.0.0/16
  subnet c1 10.2.1.0/24 az a
  route-table rt-c for c1 { 10.0.0.0/16 -> ab }
}
"""
    assert codes(text) == [("E306", 19, 44)]


# ---------------------------------------------------------------------------- route tables

def table(routes: str, extra: str = "") -> str:
    """BASE plus a table `t` for a new subnet `spare` in AZ a."""
    return BASE.replace("  endpoint s3-gw", f"  subnet spare 10.0.20.0/24 az a\n{extra}"
                        f"  route-table t for spare {{\n{routes}\n  }}\n  endpoint s3-gw")


def line_of(text: str, needle: str) -> int:
    """The last line holding ``needle`` (test snippets are appended after BASE)."""
    return max(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_hand_written_endpoint_route():
    text = table("    s3 -> s3-gw")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [("E302", line_of(text, "s3 -> s3-gw"))]
    assert "`endpoint s3-gw gateway s3 for private-a, private-b, t`" in found[0].hint


def test_route_families():
    text = table("""    0.0.0.0/0 -> prod-eigw
    s3 -> prod-eigw
    ::/0 -> nat-a
    2600:1f18:6c0:aa00::/56 -> nat-a
    64:ff9b::/96 -> nat-a
    ::/0 -> prod-igw""")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [
        ("E303", line_of(text, "0.0.0.0/0 -> prod-eigw")),
        ("E303", line_of(text, "s3 -> prod-eigw")),
        ("E303", line_of(text, "::/0 -> nat-a")),
        ("E303", line_of(text, "aa00::/56 -> nat-a")),
        ("E304", line_of(text, "::/0 -> prod-igw")),
    ]


def test_route_to_unattached_tgw():
    text = table("    10.0.0.0/8 -> core") + "tgw core {\n}\n"
    assert [d.code for d in diags(text)] == ["E303"]
    attached = table("    10.0.0.0/8 -> core") + "tgw core {\n  attach prod for app-a, app-b\n}\n"
    assert diags(attached) == []


def test_duplicate_destinations():
    text = table("""    10.9.0.0/16 -> prod-vgw
    10.9.0.0/16 -> nat-a
    dynamodb -> nat-a
    dynamodb -> prod-igw""")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [
        ("E304", line_of(text, "10.9.0.0/16 -> nat-a")),
        ("E304", line_of(text, "dynamodb -> prod-igw")),
    ]
    assert f"line {line_of(text, '10.9.0.0/16 -> prod-vgw')}" in found[0].hint


def test_prefix_list_route_clashing_with_endpoint():
    text = BASE.replace("    propagate prod-vgw", "    propagate prod-vgw\n    s3 -> nat-a")
    found = diags(text)
    assert [d.code for d in found] == ["E304"]
    assert "gateway endpoint 's3-gw'" in found[0].message


def test_two_endpoints_for_one_service_on_one_table():
    text = BASE.replace("  endpoint s3-gw gateway s3 for private-a, private-b",
                        "  endpoint s3-gw gateway s3 for private-a, private-b\n"
                        "  endpoint s3-gw2 gateway s3 for private-b\n"
                        "  endpoint ddb gateway dynamodb for private-b")
    assert [(d.code, d.span.line) for d in diags(text)] == [("E304", line_of(text, "s3-gw2"))]


def test_routes_inside_the_vpc():
    extra = "  instance fw in public-a source-dest-check off\n"
    text = table("""    10.0.10.0/24 -> nat-a
    10.0.11.0/24 -> fw
    2600:1f18:6c0:d90a::/64 -> fw
    10.0.20.0/24 -> prod-igw
    10.0.30.0/24 -> fw
    10.0.0.0/16 -> fw
    2600:1f18:6c0:d900::/56 -> prod-eigw
    10.0.0.0/8 -> prod-vgw
    10.0.10.0/24 -> blackhole""", extra)
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [
        ("E305", line_of(text, "10.0.20.0/24 -> prod-igw")),
        ("E305", line_of(text, "10.0.30.0/24 -> fw")),
        ("E305", line_of(text, "10.0.0.0/16 -> fw")),
        ("E305", line_of(text, "d900::/56 -> prod-eigw")),
        ("E304", line_of(text, "10.0.10.0/24 -> blackhole")),
        ("E305", line_of(text, "10.0.10.0/24 -> blackhole")),
    ]


def test_unresolved_or_foreign_targets_are_left_to_the_names_check():
    text = table("    10.0.20.0/24 -> nowhere\n    0.0.0.0/0 -> other-igw") + """
vpc other {
  cidr 10.50.0.0/16
  igw other-igw
}
"""
    found = diags(text, "E")
    assert [d.code for d in found] == ["E201", "E205"]


def test_propagation_of_another_vpcs_vgw():
    text = BASE + """
vpc dev {
  cidr 10.30.0.0/16
  subnet dev-a 10.30.1.0/24 az a
  vgw dev-vgw
  route-table dev-rt for dev-a {
    propagate dev-vgw
    propagate prod-vgw
  }
}
"""
    assert codes(text) == [("E307", line_of(text, "propagate prod-vgw"), 15)]


# ---------------------------------------------------------------------------- transit gateways

TRANSIT = BASE + """
vpc shared {
  cidr 10.20.0.0/16
  subnet sh-a 10.20.1.0/24 az a
  subnet sh-b 10.20.2.0/24 az b
  subnet sh-a2 10.20.3.0/24 az a
}
vpc lonely {
  cidr 10.40.0.0/16
}
site office 192.168.0.0/16 asn 65010
site branch 192.169.0.0/16 asn 65020
vpn office-vpn office <-> core bgp
vpn branch-vpn branch <-> prod-vgw bgp
dxgw dgw { attach core }
dx office-dx office <-> dgw vif transit
"""


def test_tgw_routes_to_its_attachments_are_fine():
    text = TRANSIT + """
tgw core {
  attach prod for app-a, app-b
  attach shared for sh-a, sh-b
  route 10.0.0.0/16 -> prod
  route 192.168.0.0/16 -> office-vpn
  route 192.168.1.0/24 -> office-dx
  route 192.168.2.0/24 -> dgw
  route 10.99.0.0/16 -> blackhole
}
"""
    assert codes(text, "E30", "E5") == []


def test_tgw_routes_to_non_attachments():
    text = TRANSIT + """
tgw core {
  attach prod for app-a, app-b
  route 10.40.0.0/16 -> lonely
  route 192.169.0.0/16 -> branch-vpn
  route 10.20.0.0/16 -> sh-a
}
"""
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [
        ("E308", line_of(text, "-> lonely")),
        ("E308", line_of(text, "-> branch-vpn")),
    ]
    assert "attach lonely" in found[0].hint
    # A subnet is not an attachment kind at all: the names check's E204.
    assert [d.code for d in diags(text, "E204")] == ["E204"]


def test_tgw_attachment_problems():
    text = TRANSIT + """
tgw core {
  attach shared for sh-a, sh-b, sh-a2
  attach prod
  attach shared
}
"""
    found = diags(text)
    assert [(d.code, d.span.line, d.span.col) for d in found] == [
        ("E309", line_of(text, "attach shared for"), 33),
        ("E309", line_of(text, "attach prod") + 1, 10),
    ]
    assert "'sh-a' and 'sh-a2'" in found[0].message


def test_tgw_attachment_subnet_of_another_vpc_is_the_names_check():
    text = TRANSIT + "tgw core {\n  attach shared for sh-a, app-b\n}\n"
    assert codes(text) == []
    assert [d.code for d in diags(text, "E205")] == ["E205"]


# ---------------------------------------------------------------------------- NAT placement

def test_public_nat_in_private_subnet():
    text = BASE.replace("nat nat-a in public-a", "nat nat-a in app-a")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [("W301", line_of(text, "nat nat-a in app-a"))]
    assert "'public-a'" in found[0].hint


def test_private_nat_and_split_default_routes_are_fine():
    text = BASE.replace("nat nat-a in public-a", "nat nat-a in app-a private")
    assert diags(text) == []
    split = BASE.replace("    0.0.0.0/0 -> prod-igw\n", "    0.0.0.0/1 -> prod-igw\n    128.0.0.0/1 -> prod-igw\n")
    assert diags(split) == []


def test_nat_instance_placement():
    text = BASE.replace("  vgw prod-vgw", "  vgw prod-vgw\n  nat-instance ni in app-b source-dest-check off")
    assert [d.code for d in diags(text)] == ["W301"]


def test_nat_in_another_az():
    text = BASE.replace("0.0.0.0/0 -> nat-b", "0.0.0.0/0 -> nat-a")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [("W302", line_of(text, "route-table private-b") + 1)]
    assert "'app-b'" in found[0].message and "us-east-1a" in found[0].message


def test_main_table_users_count_for_nat_zones():
    text = """
vpc prod {
  cidr 10.0.0.0/16
  subnet public-a 10.0.0.0/24 az a
  subnet app-b 10.0.11.0/24 az b
  igw gw
  nat nat-a in public-a
  route-table public for public-a { 0.0.0.0/0 -> gw }
  route-table inner main { 0.0.0.0/0 -> nat-a }
}
"""
    assert codes(text) == [("W302", 9, 28)]


def test_route_to_an_associated_endpoint_is_only_e302():
    text = BASE.replace("    propagate prod-vgw", "    propagate prod-vgw\n    s3 -> s3-gw")
    assert [d.code for d in diags(text)] == ["E302"]
