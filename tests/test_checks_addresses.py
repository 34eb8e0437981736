"""Address checks (E1xx, W1xx, W303): what must be reported, and what must not."""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcdsl

CODES = ("E10", "E11", "W10", "W303")


def diags(text: str, *prefixes: str):
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    prefixes = prefixes or CODES
    return [d for d in model.diagnostics if d.code.startswith(prefixes)]


def codes(text: str, *prefixes: str) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in diags(text, *prefixes)]


def vpc(body: str, head: str = "vpc a {") -> str:
    return head + "\n" + body.strip("\n") + "\n}\n"


# ---------------------------------------------------------------------------- VPC blocks

def test_examples_have_no_address_findings(examples_dir: Path):
    for path in sorted(examples_dir.glob("*.vpc")):
        model = vpcdsl.load(path, strict=False)
        found = [d for d in model.diagnostics if d.code.startswith(CODES)]
        assert not found, (path.name, found)


def test_valid_secondaries_are_quiet():
    text = vpc("""
  cidr 10.0.0.0/16
  cidr 10.1.0.0/16
  cidr 100.64.0.0/16
  cidr 10.3.0.0/28
  cidr 203.0.113.0/24
  subnet s1 10.1.0.0/24 az a
  subnet s2 100.64.5.0/24 az b
""")
    assert codes(text) == []


def test_vpc_block_size_bounds():
    assert codes(vpc("cidr 10.0.0.0/15")) == [("E103", 2, 6)]
    assert codes(vpc("cidr 10.0.0.0/29")) == [("E103", 2, 6)]
    assert codes(vpc("cidr 10.0.0.0/28")) == []


def test_five_blocks_are_fine_six_are_not():
    five = "\n".join(f"cidr 10.{i}.0.0/16" for i in range(5))
    assert codes(vpc(five)) == []
    six = five + "\ncidr 10.9.0.0/16"
    assert codes(vpc(six)) == [("E108", 7, 6)]


def test_overlapping_blocks_reported_once_per_later_block():
    text = vpc("""
  cidr 10.0.0.0/16
  cidr 10.0.0.0/17
  cidr 10.0.128.0/17
""")
    found = diags(text)
    assert [(d.code, d.span.line) for d in found] == [("E107", 3), ("E107", 4)]
    assert "primary block 10.0.0.0/16" in found[0].message


@pytest.mark.parametrize("primary, secondary, bad", [
    ("10.0.0.0/16", "172.16.0.0/16", True),
    ("10.0.0.0/16", "192.168.0.0/20", True),
    ("10.0.0.0/16", "198.19.0.0/16", True),
    ("10.0.0.0/16", "10.8.0.0/16", False),
    ("172.20.0.0/16", "172.31.0.0/16", True),      # the default VPC range, restricted
    ("172.20.0.0/16", "172.21.0.0/16", False),
    ("192.168.0.0/20", "10.0.0.0/16", True),
    ("198.19.0.0/16", "192.168.0.0/16", True),
    ("198.19.0.0/16", "100.64.0.0/16", False),
    ("203.0.113.0/24", "10.0.0.0/16", True),
    ("203.0.113.0/24", "198.19.0.0/16", True),
    ("100.64.0.0/16", "198.51.100.0/24", False),
])
def test_secondary_restrictions(primary, secondary, bad):
    found = codes(vpc(f"cidr {primary}\ncidr {secondary}"), "E116")
    assert found == ([("E116", 3, 6)] if bad else [])


def test_link_local_and_docker_bridge():
    assert codes(vpc("cidr 169.254.0.0/16")) == [("E109", 2, 6)]
    found = diags(vpc("cidr 172.17.0.0/16"))
    assert [(d.code, d.severity) for d in found] == [("W303", "warning")]
    # A neighbour of the Docker bridge is fine.
    assert codes(vpc("cidr 172.18.0.0/16")) == []


def test_vpc_without_ipv4():
    assert codes(vpc("ipv6 2600:1f18:6c0:d900::/56")) == [("E117", 1, 5)]
    # An invalid literal is reported once, by the transformer, not again as E117.
    assert codes(vpc("cidr 10.0.0.300/16")) == [("E101", 2, 6)]
    # An IPv6 block in `cidr` is the wrong family, not a missing block.
    assert codes(vpc("cidr 2600:1f18:6c0:d900::/56")) == [("E111", 2, 6)]


def test_ipv6_sizes():
    assert codes(vpc("cidr 10.0.0.0/16\nipv6 2600:1f18:6c0:d900::/56")) == []
    assert codes(vpc("cidr 10.0.0.0/16\nipv6 2600:1f18:6c0::/52")) == [("W101", 3, 6)]


# ---------------------------------------------------------------------------- subnets

def test_subnet_outside_names_vpc_and_suggests():
    found = diags(vpc("""
  cidr 10.0.0.0/16
  subnet good 10.0.0.0/24 az a
  subnet bad 10.1.0.0/24 az a
"""))
    assert [(d.code, d.span.line, d.span.col) for d in found] == [("E104", 4, 14)]
    d = found[0]
    assert d.message == "subnet 'bad' 10.1.0.0/24 is outside VPC 'a' (10.0.0.0/16)"
    assert "10.0.1.0/24" in d.hint and "cidr 10.1.0.0/16" in d.hint


def test_subnet_holding_a_whole_block():
    # Aligned blocks nest or are disjoint, so a subnet meeting a block it is not inside holds it.
    found = diags(vpc("""
  cidr 10.0.0.0/17
  cidr 10.0.128.0/17
  subnet both 10.0.0.0/16 az a
"""))
    assert [(d.code, d.span.line) for d in found] == [("E104", 4)]
    assert "is larger than its block of VPC 'a' (10.0.0.0/17, 10.0.128.0/17)" in found[0].message
    # Larger than any subnet may be: E105 alone.
    found = diags(vpc("""
  cidr 10.0.0.0/16
  cidr 10.1.0.0/16
  subnet twoblocks 10.0.0.0/15 az b
"""))
    assert [(d.code, d.span.line) for d in found] == [("E105", 4)]


def test_subnet_in_secondary_block_is_inside():
    assert codes(vpc("""
  cidr 10.0.0.0/16
  cidr 10.1.0.0/16
  subnet s 10.1.2.0/24 az a
""")) == []


def test_subnet_sizes():
    assert codes(vpc("cidr 10.0.0.0/16\nsubnet s 10.0.0.0/28 az a")) == []
    assert codes(vpc("cidr 10.0.0.0/16\nsubnet s 10.0.0.0/16 az a")) == []
    assert codes(vpc("cidr 10.0.0.0/16\nsubnet s 10.0.0.0/29 az a")) == [("E105", 3, 10)]


def test_allocated_subnets_are_never_flagged():
    text = vpc("""
  cidr 10.0.0.0/24
  subnet fixed 10.0.0.0/26 az a
  subnet s1 size /26 az a
  subnet s2 hosts 20 az b
  subnet s3 size /28 az c
""")
    assert codes(text) == []
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert str(model.subnets["s1"].cidr.net) == "10.0.0.64/26"


def test_size_outside_range_is_e105_not_e113():
    assert codes(vpc("cidr 10.0.0.0/16\nsubnet s size /12 az a"), "E1") == [("E105", 3, 8)]


def test_overlaps_name_the_first_subnet_in_source_order():
    found = diags(vpc("""
  cidr 10.0.0.0/16
  subnet big 10.0.0.0/20 az a
  subnet x 10.0.1.0/24 az a
  subnet y 10.0.2.0/24 az b
  subnet z 10.0.1.128/25 az b
"""))
    assert [(d.code, d.span.line) for d in found] == [("E106", 4), ("E106", 5), ("E106", 6)]
    assert all("subnet 'big'" in d.message for d in found)
    assert "line 3" in found[0].hint


def test_overlap_reported_once_when_the_big_subnet_comes_last():
    found = diags(vpc("""
  cidr 10.0.0.0/16
  subnet x 10.0.1.0/24 az a
  subnet y 10.0.2.0/24 az b
  subnet big 10.0.0.0/20 az a
"""))
    assert [(d.code, d.span.line) for d in found] == [("E106", 5)]
    assert "subnet 'x'" in found[0].message


def test_subnet_ipv6():
    ok = vpc("""
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet s 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d9ff::/64
""")
    assert codes(ok) == []
    assert codes(vpc("""
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet s 10.0.0.0/24 az a ipv6 2600:1f18:6c0:da00::/64
  subnet t 10.0.1.0/24 az a ipv6 2600:1f18:6c0:d900::/60
  subnet u 10.0.2.0/24 az a ipv6 2600:1f18:6c0:d900::/64
""")) == [("E112", 4, 34), ("W102", 5, 34), ("E106", 6, 34)]
    assert codes(vpc("""
  cidr 10.0.0.0/16
  subnet s 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
""")) == [("E112", 3, 34)]


def test_link_local_subnet_outside_the_vpc():
    assert codes(vpc("cidr 10.0.0.0/16\nsubnet s 169.254.0.0/24 az a")) == [("E109", 3, 10)]


# ---------------------------------------------------------------------------- instances

@pytest.mark.parametrize("ip, reason", [
    ("10.0.1.0", "network address"),
    ("10.0.1.1", "VPC router"),
    ("10.0.1.2", "DNS"),
    ("10.0.1.3", "future use"),
    ("10.0.1.255", "last address"),
])
def test_reserved_instance_addresses(ip, reason):
    found = diags(vpc(f"cidr 10.0.0.0/16\nsubnet s 10.0.1.0/24 az a\ninstance i in s ip {ip}"))
    assert [d.code for d in found] == ["E110"]
    assert reason in found[0].message and found[0].span.line == 4


def test_usable_instance_addresses():
    text = vpc("""
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet s 10.0.1.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  instance first in s ip 10.0.1.4
  instance last in s ip 10.0.1.254
  instance six in s ip 2600:1f18:6c0:d900::4
""")
    assert codes(text) == []


def test_ipv6_instance_address_reserved_and_outside():
    text = vpc("""
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet s 10.0.1.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  instance a1 in s ip 2600:1f18:6c0:d900::1
  instance a2 in s ip 2600:1f18:6c0:d901::10
""")
    assert codes(text) == [("E110", 5, 23), ("E110", 6, 23)]


def test_instance_outside_subnet():
    found = diags(vpc("cidr 10.0.0.0/16\nsubnet s 10.0.1.0/24 az a\ninstance i in s ip 10.0.2.10"))
    assert [d.code for d in found] == ["E110"]
    assert "outside its subnet 's' (10.0.1.0/24)" in found[0].message


def test_duplicate_address_only_within_one_vpc():
    text = """
vpc a {
  cidr 10.0.0.0/16
  subnet s 10.0.1.0/24 az a
  instance i1 in s ip 10.0.1.10
  instance i2 in s ip 10.0.1.10
}
vpc b {
  cidr 10.0.0.0/16
  subnet t 10.0.1.0/24 az a
  instance i3 in t ip 10.0.1.10
}
"""
    assert codes(text) == [("E115", 6, 23)]


def test_instance_with_unknown_subnet_does_not_crash():
    found = diags(vpc("cidr 10.0.0.0/16\ninstance i in nowhere ip 10.0.1.10"), "E")
    assert [d.code for d in found] == ["E201"]


# ---------------------------------------------------------------------------- sites

HYBRID = """
vpc prod {
  cidr 10.0.0.0/16
  subnet app-a 10.0.1.0/24 az a
  vgw prod-vgw
}
vpc other {
  cidr 10.50.0.0/16
  subnet o-a 10.50.1.0/24 az a
}
vpc spoke {
  cidr 172.16.0.0/16
  subnet sp-a 172.16.1.0/24 az a
}
tgw core {
  attach spoke for sp-a
  attach other for o-a
}
"""


def test_site_over_vpn_to_vgw_overlapping():
    text = HYBRID + "site office 10.0.128.0/20\nvpn v office <-> prod-vgw bgp\n"
    found = diags(text, "E119")
    assert [(d.span.line, d.span.col) for d in found] == [(19, 13)]
    assert "VPC 'prod'" in found[0].message and "VPN 'v'" in found[0].message


def test_site_over_vpn_to_tgw_checks_every_attached_vpc():
    text = HYBRID + "site office 172.16.0.0/12, 10.50.0.0/24\nvpn v office <-> core bgp\n"
    found = diags(text, "E119")
    assert sorted(d.message.split("overlaps ")[1].split(" ")[1] for d in found) == ["'other'", "'spoke'"]


def test_site_over_direct_connect_gateway():
    text = HYBRID + ("site dc 10.0.0.0/8\ndxgw gw { attach prod-vgw }\n"
                     "dx link dc <-> gw vif private\n")
    assert [d.code for d in diags(text, "E119")] == ["E119"]
    public = HYBRID + "site dc 10.0.0.0/8\ndx link dc <-> aws vif public\n"
    assert diags(public, "E119") == []


def test_site_without_overlap_is_quiet():
    text = HYBRID + "site office 192.168.0.0/16\nvpn v office <-> prod-vgw bgp\n"
    assert diags(text, "E119") == []
