"""The structure check: one-per-VPC gateways, associations, peerings, regions and AZs.

E206/E207/E215 (second IGW, EIGW, VGW), E208/E210 (a subnet in two route tables
or NACLs), E209 (two main tables), E214/E310 (peering with itself, twice), E211
(no AZ), E212 (AZ outside the region), E213 (unknown region).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.api import compile_sources

CODES = {"E206", "E207", "E208", "E209", "E210", "E211", "E212", "E213", "E214", "E215", "E310"}
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.vpc"))


def structure_diags(text: str, codes=CODES):
    model = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert model.syntax_ok, model.diagnostics
    return [d for d in model.diagnostics if d.code in codes]


def found(text: str, codes=CODES):
    return [(d.code, d.span.line, d.span.col) for d in structure_diags(text, codes)]


def vpc(body: str, name: str = "prod", cidr: str = "10.0.0.0/16", region: str = "") -> str:
    region = f" region {region}" if region else ""
    return f"vpc {name}{region} {{\n  cidr {cidr}\n{body}\n}}\n"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_are_structurally_sound(path):
    assert structure_diags(path.read_text(encoding="utf-8").replace("\r\n", "\n")) == []


# ---------------------------------------------------------------------------- one per VPC

def test_second_and_third_internet_gateway():
    text = vpc("  igw a\n  igw b\n  igw c")
    diags = structure_diags(text)
    assert [(d.code, d.span.line, d.span.col, d.span.end_col) for d in diags] == [
        ("E206", 4, 7, 8), ("E206", 5, 7, 8)]
    assert diags[0].message == "VPC 'prod' already has internet gateway 'a'; 'b' would be a second"
    assert diags[0].hint.startswith("'a' is at line 3;")


def test_one_gateway_of_each_kind_per_vpc_is_fine():
    text = vpc("  igw a\n  eigw b\n  vgw c", "one") + vpc("  igw d\n  eigw e\n  vgw f", "two", "10.1.0.0/16")
    assert structure_diags(text) == []


def test_second_egress_only_and_virtual_private_gateway():
    assert found(vpc("  eigw a\n  eigw b\n  vgw c\n  vgw d")) == [("E207", 4, 8), ("E215", 6, 7)]


def test_the_first_gateway_in_another_file_is_named_with_its_file():
    # A directory is one model; a VPC cannot span files, but the hint format must hold.
    model = compile_sources({"a.vpc": vpc("  igw a\n  igw b")}, path="dir")
    d = next(d for d in model.diagnostics if d.code == "E206")
    assert d.hint.startswith("'a' is at line 3;")


# ---------------------------------------------------------------------------- route tables

def test_subnet_in_two_route_tables_points_at_the_second_association():
    text = vpc("""  subnet a 10.0.0.0/24 az a
  subnet b 10.0.1.0/24 az a
  route-table one for a, b { 10.1.0.0/16 -> blackhole }
  route-table two for b { 10.2.0.0/16 -> blackhole }""")
    diags = structure_diags(text)
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("E208", 6, 23)]
    assert diags[0].message == "subnet 'b' is associated with route table 'one' and with route table 'two'"
    assert diags[0].hint.startswith("the first association is at line 5:26;")


def test_a_subnet_listed_twice_by_one_table_is_not_two_associations():
    text = vpc("  subnet a 10.0.0.0/24 az a\n  route-table one for a, a { 10.1.0.0/16 -> blackhole }")
    assert structure_diags(text) == []


def test_unknown_or_foreign_subnets_are_left_to_the_names_check():
    text = vpc("  subnet a 10.0.0.0/24 az a\n"
               "  route-table one for a, zz, x { 10.1.0.0/16 -> blackhole }\n"
               "  route-table two for zz, x { 10.2.0.0/16 -> blackhole }") + \
        vpc("  subnet x 10.1.0.0/24 az a", "other", "10.1.0.0/16")
    assert found(text, CODES | {"E201", "E205"}) == [
        ("E201", 4, 26), ("E205", 4, 30), ("E201", 5, 23), ("E205", 5, 27)]


def test_two_main_route_tables():
    text = vpc("""  subnet a 10.0.0.0/24 az a
  route-table one main { 10.1.0.0/16 -> blackhole }
  route-table two main for a { 10.2.0.0/16 -> blackhole }
  route-table three main { 10.3.0.0/16 -> blackhole }""")
    diags = structure_diags(text)
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("E209", 5, 15), ("E209", 6, 15)]
    assert "main route table 'one'" in diags[0].message


def test_one_main_table_and_the_implicit_one_are_fine():
    assert structure_diags(vpc("  route-table one main { 10.1.0.0/16 -> blackhole }")) == []
    assert structure_diags(vpc("  subnet a 10.0.0.0/24 az a")) == []


# ---------------------------------------------------------------------------- NACLs

def test_subnet_in_two_nacls():
    text = vpc("""  subnet a 10.0.0.0/24 az a
  nacl one for a { in 100 allow any from any }
  nacl two for a { in 100 allow any from any }""")
    assert found(text) == [("E210", 5, 16)]


def test_nacls_of_distinct_subnets_are_fine():
    text = vpc("""  subnet a 10.0.0.0/24 az a
  subnet b 10.0.1.0/24 az a
  nacl one for a { in 100 allow any from any }
  nacl two for b { in 100 allow any from any }""")
    assert structure_diags(text) == []


# ---------------------------------------------------------------------------- peerings

TWO = vpc("  subnet a 10.0.0.0/24 az a", "a") + vpc("  subnet b 10.1.0.0/24 az a", "b", "10.1.0.0/16") + \
    vpc("  subnet c 10.2.0.0/24 az a", "c", "10.2.0.0/16")


def test_peering_with_itself():
    diags = structure_diags(TWO + "peer loop a -> a\n")
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("E214", 13, 16)]


@pytest.mark.parametrize("second", ["peer p2 a -> b", "peer p2 b -> a"])
def test_duplicate_peering_either_direction(second):
    diags = structure_diags(TWO + f"peer p1 a -> b\n{second}\n")
    assert [(d.code, d.span.line, d.span.col, d.span.end_col) for d in diags] == [("E310", 14, 6, 8)]
    assert "'p1' (a -> b) is at line 13" in diags[0].hint


def test_distinct_peerings_are_fine():
    assert structure_diags(TWO + "peer p1 a -> b\npeer p2 b -> c\npeer p3 c -> a\n") == []


def test_peering_of_unknown_vpcs_is_left_to_the_names_check():
    assert found(TWO + "peer p1 a -> zz\npeer p2 zz -> a\npeer p3 zz -> zz\n",
                 CODES | {"E201"}) == [("E201", 13, 14), ("E201", 14, 9), ("E201", 15, 9), ("E201", 15, 15)]


# ---------------------------------------------------------------------------- regions and AZs

def test_unknown_region_statement_and_vpc_region():
    text = "region eu-wset-1\n" + vpc("  subnet a 10.0.0.0/24 az a") + \
        vpc("  subnet b 10.1.0.0/24 az a", "dr", "10.1.0.0/16", "mars-1")
    diags = structure_diags(text)
    assert [(d.code, d.span.line, d.span.col) for d in diags] == [("E213", 1, 8), ("E213", 6, 15)]
    assert diags[0].hint == "did you mean 'eu-west-1'?"
    assert "us-east-1" in diags[1].hint


def test_subnet_without_az():
    diags = structure_diags(vpc("  subnet a 10.0.0.0/24\n  subnet b size /24"))
    assert [(d.code, d.span.line, d.span.col, d.span.end_col) for d in diags] == [
        ("E211", 3, 10, 11), ("E211", 4, 10, 11)]
    assert "az a" in diags[0].hint


@pytest.mark.parametrize("az, ok", [
    ("a", True), ("f", True), ("A", True), ("us-east-1c", True), ("us-east-1-bos-1a", True),
    ("g", False), ("us-east-1g", False), ("eu-west-1a", False), ("us-east-2a", False),
    ("us-east-1", False), ("us-east-1ab", False),
])
def test_availability_zones_of_us_east_1(az, ok):
    diags = structure_diags(vpc(f"  subnet s 10.0.0.0/24 az {az}"))
    assert [d.code for d in diags] == ([] if ok else ["E212"])
    if not ok:
        assert (diags[0].span.line, diags[0].span.col) == (3, 27)
        assert diags[0].hint == "region us-east-1 has AZs a to f: write `az a` or `az us-east-1a`"


def test_az_letters_follow_the_vpc_region():
    text = "region eu-west-1\n" + vpc("  subnet a 10.0.0.0/24 az c\n  subnet b 10.0.1.0/24 az d") + \
        vpc("  subnet c 10.1.0.0/24 az d", "west", "10.1.0.0/16", "us-west-2")
    assert found(text) == [("E212", 5, 27)]


def test_no_az_check_in_an_unknown_region():
    assert found(vpc("  subnet a 10.0.0.0/24 az z", region="nowhere-1")) == [("E213", 1, 17)]
