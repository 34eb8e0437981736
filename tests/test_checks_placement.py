"""Placement group and instance checks (E601-E608, W601, W602): edge cases."""

from __future__ import annotations

import pytest

import vpcdsl
from vpcdsl.checks import placement

CODES = {"E601", "E602", "E603", "E604", "E605", "E606", "E607", "E608", "W601", "W602"}

VPC = """
vpc hpc {
  cidr 10.0.0.0/16
  subnet a 10.0.0.0/24 az a
  subnet b 10.0.1.0/24 az b
  subnet c 10.0.2.0/24 az c
{instances}
}
"""


def model_of(instances: str, groups: str):
    text = VPC.replace("{instances}", instances) + groups
    return vpcdsl.loads(text, filename="t.vpc", strict=False)


def found(instances: str, groups: str, codes=CODES) -> list[tuple[str, int, int]]:
    model = model_of(instances, groups)
    return [(d.code, d.span.line, d.span.col) for d in model.diagnostics if d.code in codes]


def nodes(n: int, subnet: str = "a", prefix: str = "n", extra: str = "") -> str:
    return "\n".join(f"  instance {prefix}{i} in {subnet}{extra}" for i in range(1, n + 1))


LAST = VPC.count("\n")  # the line of the first group when the instances take one line


# ---------------------------------------------------------------------------- cluster

def test_cluster_in_one_az_is_fine():
    assert found(nodes(3), "placement g cluster { n1, n2, n3 }") == []


def test_cluster_across_azs_reports_each_stray_member():
    inst = "  instance n1 in a\n  instance n2 in b\n  instance n3 in c\n  instance n4 in a"
    model = model_of(inst, "placement g cluster { n1, n2, n3, n4 }")
    got = [(d.code, d.span.col) for d in model.diagnostics if d.code in CODES]
    assert got == [("E601", 27), ("E601", 31)]
    assert [d.message for d in model.diagnostics if d.code == "E601"][0] == (
        "instance 'n2' is in us-east-1b, but cluster placement group 'g' is in us-east-1a "
        "(instance 'n1')")


def test_cluster_member_without_enhanced_networking():
    inst = "  instance n1 in a network none\n  instance n2 in a network intel-82599"
    assert [c for c, _, _ in found(inst, "placement g cluster { n1, n2 }")] == ["W601"]


# ---------------------------------------------------------------------------- spread

def test_spread_seven_per_az_is_fine():
    inst = nodes(7, "a") + "\n" + nodes(7, "b", prefix="m")
    members = ", ".join([f"n{i}" for i in range(1, 8)] + [f"m{i}" for i in range(1, 8)])
    assert found(inst, f"placement g spread {{ {members} }}") == []


def test_spread_eighth_in_one_az_reported_once():
    inst = nodes(10, "a")
    members = ", ".join(f"n{i}" for i in range(1, 11))
    model = model_of(inst, f"placement g spread {{ {members} }}")
    [d] = [d for d in model.diagnostics if d.code in CODES]
    assert d.code == "E602" and "10 instances in us-east-1a" in d.message
    assert d.span.col == len("placement g spread { n1, n2, n3, n4, n5, n6, n7, ") + 1


def test_spread_listing_an_instance_twice_counts_it_once():
    inst = nodes(7, "a")
    members = ", ".join(f"n{i}" for i in range(1, 8)) + ", n1"
    assert found(inst, f"placement g spread {{ {members} }}") == []


# ---------------------------------------------------------------------------- partition

@pytest.mark.parametrize("count, bad", [(0, True), (1, False), (7, False), (8, True)])
def test_partition_count(count, bad):
    got = found(nodes(1), f"placement g partition {count} {{ n1 }}")
    assert got == ([("E603", LAST + 1, 23)] if bad else [])


@pytest.mark.parametrize("member, bad", [("n1@1", False), ("n1@3", False), ("n1@0", True),
                                         ("n1@4", True)])
def test_partition_member(member, bad):
    got = found(nodes(1), f"placement g partition 3 {{ {member} }}")
    assert got == ([("E603", LAST + 1, 27)] if bad else [])


def test_partition_number_in_a_cluster_group():
    assert found(nodes(1), "placement g cluster { n1@1 }") == [("E603", LAST + 1, 23)]


# ---------------------------------------------------------------------------- membership, tenancy

def test_instance_in_two_groups_reported_at_the_second():
    got = found(nodes(2), "placement g cluster { n1, n2 }\nplacement h spread { n2 }")
    assert got == [("E604", LAST + 3, 22)]


def test_dedicated_host_in_any_group():
    for strategy in ("cluster", "spread", "partition 2"):
        got = found("  instance n1 in a tenancy host", f"placement g {strategy} {{ n1 }}")
        assert [c for c, _, _ in got] == ["E605"]


def test_dedicated_instances():
    inst = "  instance n1 in a tenancy dedicated\n  instance n2 in a tenancy dedicated"
    assert found(inst, "placement g cluster { n1, n2 }") == []
    assert found(inst, "placement g partition 2 { n1@1, n2@2 }") == []
    assert [c for c, _, _ in found(inst, "placement g spread { n1, n2 }")] == ["E606", "E606"]
    # One E607 per group, at its first dedicated member.
    assert found(inst, "placement g partition 3 { n1, n2 }") == [("E607", LAST + 2, 27)]


def test_member_that_is_not_an_instance():
    assert found(nodes(1), "placement g cluster { n1, a }") == [("E608", LAST + 1, 27)]


def test_unknown_member_is_left_to_the_names_check():
    assert found(nodes(1), "placement g cluster { n1, ghost }") == []


def test_bandwidth_of_the_enhanced_networking_interface():
    inst = ("  instance n1 in a\n  instance n2 in a network intel-82599\n"
            "  instance n3 in a network none")
    model = model_of(inst, "")
    assert [model.instances[n].bandwidth_gbps for n in ("n1", "n2", "n3")] == [100, 10, None]


# ---------------------------------------------------------------------------- public IPs

PUBLIC = """
vpc prod {
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  subnet app 10.0.1.0/24 az a
  subnet edge 10.0.2.0/24 az a
  igw gw
  route-table public for pub { 0.0.0.0/0 -> gw }
  route-table partial for edge { 203.0.113.0/24 -> gw }
%s
}
"""


@pytest.mark.parametrize("instance, warned", [
    ("instance i in pub public-ip", False),
    ("instance i in pub eip", False),
    ("instance i in edge eip", False),          # some internet addresses route to the IGW
    ("instance i in app", False),               # no public IP
    ("instance i in app public-ip", True),      # the implicit main table has local routes only
    ("instance i in app os linux eip", True),
])
def test_public_ip_needs_a_route_to_the_igw(instance, warned):
    model = vpcdsl.loads(PUBLIC % instance, filename="t.vpc", strict=False)
    got = [d for d in model.diagnostics if d.code == "W602"]
    assert bool(got) == warned
    if got:
        assert "main route table" in got[0].message
        word = "eip" if "eip" in instance else "public-ip"
        assert got[0].span.col == instance.index(word) + 1


def test_placement_check_survives_unresolved_names():
    model = vpcdsl.loads("vpc v {\n  cidr 10.0.0.0/16\n  instance x in nowhere public-ip\n}\n"
                         "placement g partition 2 { x@1, ghost@9 }\n", filename="t.vpc", strict=False)
    assert [d.code for d in placement.check(model)] == ["E603"]
