"""`vpcdsl plan` and `Model.plan` (issue 11, part 10): free space as minimal CIDR lists,
utilisation, usable hosts, where a new subnet fits, and the sympy sizing formula.

Hand-computed answers on the models in tests/fixtures/plan/; golden text and HTML
beside them (tests/fixtures/plan/*.txt, *.html), regenerated with ``UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import doctest
import json
import os
import random
import subprocess
import sys
from ipaddress import collapse_addresses, ip_network
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vpcdsl
from vpcdsl.analysis import plan as plan_module
from vpcdsl.analysis.plan import PlanError, free_cidrs, parse_size, size_for_hosts, size_for_prefix
from vpcdsl.cidrs import prefix_for_hosts, usable_hosts
from vpcdsl.views.cli import main
from cli_runs import check_golden, run_cli

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "fixtures" / "plan"


def nets(*texts):
    return tuple(ip_network(t) for t in texts)


def golden(name: str, actual: str) -> None:
    check_golden(HERE / name, actual)


run = run_cli


@pytest.fixture(scope="module")
def lab():
    return vpcdsl.load(HERE / "lab.vpc")


@pytest.fixture(scope="module")
def three_tier():
    return vpcdsl.load(ROOT / "examples" / "three-tier.vpc")


# ---------------------------------------------------------------------------- free space, by hand

def test_free_space_is_the_fewest_aligned_blocks_of_each_gap(lab):
    primary, secondary = lab.plan().vpcs[0].blocks
    # 10.0.0.0/24 holds .16/28, .64/26 and .192/27: the gaps are .0-.15, .32-.63, .128-.191, .224-.255
    assert primary.free == nets("10.0.0.0/28", "10.0.0.32/27", "10.0.0.128/26", "10.0.0.224/27")
    assert secondary.free == nets("10.0.1.32/27")
    assert (primary.role, secondary.role) == ("primary", "secondary")
    assert primary.largest_free == ip_network("10.0.0.128/26")


def test_utilisation_is_allocated_addresses_over_the_block(lab):
    vpc = lab.plan().vpcs[0]
    primary, secondary = vpc.blocks
    assert (primary.allocated, primary.total, primary.utilisation) == (16 + 64 + 32, 256, 43.75)
    assert (secondary.allocated, secondary.total, secondary.utilisation) == (32, 64, 50.0)
    assert (vpc.allocated, vpc.total, vpc.utilisation) == (144, 320, 45.0)


def test_usable_hosts_per_subnet_leave_aws_five_out(lab):
    uses = {s.name: s.usable for b in lab.plan().vpcs[0].blocks for s in b.subnets}
    assert uses == {"a1": 11, "b1": 59, "a2": 27, "c1": 27}


def test_the_address_map_interleaves_subnets_and_free_blocks_in_address_order(lab):
    rows = lab.plan().vpcs[0].blocks[0].rows()
    assert [(str(net), s.name if s else "free") for net, s in rows] == [
        ("10.0.0.0/28", "free"), ("10.0.0.16/28", "a1"), ("10.0.0.32/27", "free"),
        ("10.0.0.64/26", "b1"), ("10.0.0.128/26", "free"), ("10.0.0.192/27", "a2"),
        ("10.0.0.224/27", "free")]


def test_ipv6_blocks_are_planned_by_64s(three_tier):
    prod = three_tier.plan("prod").vpcs[0]
    six = prod.blocks[-1]
    assert six.role == "ipv6" and six.cidr == ip_network("2600:1f18:6c0:d900::/56")
    assert six.free[:2] == nets("2600:1f18:6c0:d901::/64", "2600:1f18:6c0:d902::/63")
    assert six.free[-1] == ip_network("2600:1f18:6c0:d980::/57") and len(six.free) == 8
    assert six.usage == "1 of 256 /64s" and [s.usable for s in six.subnets] == [None]


def test_three_tier_prod_free_space(three_tier):
    primary = three_tier.plan("prod").vpcs[0].blocks[0]
    assert primary.free == nets("10.0.2.0/23", "10.0.4.0/22", "10.0.8.0/23", "10.0.12.0/22",
                                "10.0.16.0/22", "10.0.21.0/24", "10.0.22.0/23", "10.0.24.0/21",
                                "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17")
    assert primary.allocated == 5 * 256 and round(primary.utilisation, 4) == 1.9531


def test_free_cidrs_clips_overlapping_and_protruding_subnets():
    block = ip_network("10.0.0.0/24")
    base = int(block.network_address)
    taken = sorted([(base - 16, base + 15), (base + 32, base + 95), (base + 64, base + 79),
                    (base + 240, base + 300)])
    free, used = free_cidrs(block, taken)
    assert free == nets("10.0.0.16/28", "10.0.0.96/27", "10.0.0.128/26", "10.0.0.192/27", "10.0.0.224/28")
    assert used == 16 + 64 + 16


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1023), st.integers(24, 32)), max_size=25))
def test_free_cidrs_cover_exactly_the_unallocated_addresses_with_the_fewest_blocks(picks):
    block = ip_network("10.8.0.0/22")
    base = int(block.network_address)
    subnets = []
    for offset, prefix in picks:
        size = 1 << (32 - prefix)
        start = (offset // size) * size
        subnets.append((base + start, base + start + size - 1))
    subnets.sort()
    free, used = free_cidrs(block, subnets)
    taken = {a for lo, hi in subnets for a in range(lo, hi + 1)}
    covered = [a for n in free for a in range(int(n.network_address), int(n.broadcast_address) + 1)]
    assert sorted(covered) == sorted(set(range(base, base + 1024)) - taken)   # exact, no overlap
    assert len(covered) == len(set(covered))
    assert used == len(taken)
    assert list(collapse_addresses(free)) == list(free)      # no two blocks merge: minimal
    assert list(free) == sorted(free)


# ---------------------------------------------------------------------------- new subnets

def test_each_az_gets_a_distinct_block_in_turn_and_the_vpc_its_first(lab):
    fits = lab.plan(hosts=20).vpcs[0].fits                     # 20 hosts: a /27 (27 usable)
    assert [(f.zone, str(f.cidr)) for f in fits] == [
        ("eu-west-1a", "10.0.0.32/27"), ("eu-west-1b", "10.0.0.128/27"),
        ("eu-west-1c", "10.0.0.160/27"), ("", "10.0.0.32/27")]


def test_no_room_names_the_largest_free_block_left(lab):
    plan = lab.plan(size="/26")
    fits = plan.vpcs[0].fits
    assert fits[0].cidr == ip_network("10.0.0.128/26")
    assert [f.cidr for f in fits[1:3]] == [None, None]
    assert fits[1].largest_free == ip_network("10.0.0.32/27")   # the /26 went to eu-west-1a
    assert fits[3].cidr == ip_network("10.0.0.128/26") and not plan.fits
    assert "eu-west-1b  no room (largest free block 10.0.0.32/27)" in plan.text()


def test_a_secondary_block_takes_what_the_primary_cannot():
    model = vpcdsl.loads("vpc v {\n cidr 10.0.0.0/24\n cidr 10.0.4.0/24\n"
                         " subnet a 10.0.0.0/25 az a\n subnet b 10.0.0.128/26 az b\n}\n")
    fits = model.plan(size=25).vpcs[0].fits
    assert [(f.zone, str(f.cidr)) for f in fits] == [
        ("us-east-1a", "10.0.4.0/25"), ("us-east-1b", "10.0.4.128/25"), ("", "10.0.4.0/25")]
    assert model.plan(size=26).vpcs[0].fits[0].cidr == ip_network("10.0.0.192/26")   # primary first


def test_a_full_vpc_has_no_room_and_no_free_block():
    plan = vpcdsl.load(HERE / "full.vpc").plan("full", size=28)
    block = plan.vpcs[0].blocks[0]
    assert block.free == () and block.utilisation == 100.0 and block.largest_free is None
    assert all(f.cidr is None and f.largest_free is None for f in plan.vpcs[0].fits)
    assert "no room (no free address left)" in plan.text() and not plan.fits


def test_fits_use_the_allocation_rule_of_the_compiler(lab):
    """The block `plan` offers is the one a `size /P` subnet written next would be given."""
    text = (HERE / "lab.vpc").read_text(encoding="utf-8").replace(
        "  subnet c1", "  subnet new size /27 az a\n  subnet c1")
    allocated = vpcdsl.loads(text).subnets["new"].cidr.net
    assert lab.plan(size=27).vpcs[0].fits[-1].cidr == allocated


def test_ipv6_fits_are_the_next_free_64s(three_tier):
    fits = three_tier.plan("prod", hosts=300).vpcs[0].fits
    assert [str(f.ipv6) for f in fits] == ["2600:1f18:6c0:d901::/64", "2600:1f18:6c0:d902::/64",
                                           "2600:1f18:6c0:d901::/64"]
    assert all(f.ipv6 is None for f in three_tier.plan("shared", hosts=300).vpcs[0].fits)


# ---------------------------------------------------------------------------- sizing with sympy

def _brute_force(hosts: int) -> int | None:
    """The longest prefix whose subnet has at least ``hosts`` usable addresses, by trying each."""
    return next((p for p in range(32, -1, -1) if 2 ** (32 - p) - 5 >= hosts), None)


def _sample() -> list[int]:
    edges = {n for k in range(3, 18) for n in (2 ** k - 6, 2 ** k - 5, 2 ** k - 4)}
    rng = random.Random(11)
    return sorted(n for n in edges | set(range(1, 13)) | {65530, 65531, 65532, 69999, 70000}
                  | set(rng.sample(range(1, 70001), 20)) if 1 <= n <= 70000)


@pytest.mark.parametrize("hosts", _sample())
def test_sympys_answer_is_the_brute_force_answer(hosts):
    sizing = size_for_hosts(hosts)
    expected = _brute_force(hosts)
    assert sizing.prefix == expected == prefix_for_hosts(hosts)
    assert sizing.usable == 2 ** (32 - expected) - 5 >= hosts
    assert sizing.log_argument == hosts + 5
    # the printed bound is sympy's, truncated: its integer part is the prefix
    assert int(sizing.bound.split(".")[0]) == expected
    aws = min(max(expected, 16), 28) if expected >= 16 else None
    assert sizing.subnet == aws


def test_brute_force_agrees_with_the_integer_arithmetic_everywhere():
    """The integer check size_for_hosts relies on (vpcdsl.cidrs.prefix_for_hosts), for every N."""
    assert all(prefix_for_hosts(n) == _brute_force(n) for n in range(1, 70001))


def test_the_formula_is_printed_with_its_solution():
    assert size_for_hosts(300).formula == (
        "usable(p) = 2**(32 - p) - 5 ≥ 300  →  p ≤ 32 - log2(305) ≈ 23.74  →  /23 (507 usable)")
    assert size_for_hosts(251).formula == (
        "usable(p) = 2**(32 - p) - 5 ≥ 251  →  p ≤ 32 - log2(256) = 24  →  /24 (251 usable)")
    assert size_for_hosts(252).bound == "23.99"      # truncated, never rounded up to the next prefix
    assert size_for_prefix(23).formula == "usable(23) = 2**(32 - 23) - 5 = 507  →  /23 (507 usable)"


def test_aws_bounds_are_said():
    small = size_for_hosts(3)
    assert (small.prefix, small.subnet, small.subnet_usable) == (29, 28, 11)
    assert "smaller than AWS allows  →  /28 (11 usable)" in small.formula
    assert "smallest subnet" in small.note
    assert (size_for_hosts(11).prefix, size_for_hosts(11).note) == (28, None)
    assert size_for_hosts(65531).subnet == 16 and size_for_hosts(65531).note is None
    big = size_for_hosts(65532)
    assert big.prefix == 15 and big.subnet is None and "more than a /16's 65,531" in big.note
    assert "larger than AWS's largest subnet, a /16" in big.formula


def test_latex_shows_the_inequality_and_its_solution():
    latex = size_for_hosts(300).latex
    assert latex.startswith("$") and latex.endswith("$")
    assert r"2^{32 - p} - 5 \geq 300" in latex and r"\log_{2} 305 \approx 23.74" in latex
    assert r"/23\ (507\ \text{usable})" in latex


@pytest.mark.parametrize("prefix", range(16, 29))
def test_size_for_prefix_agrees_with_usable_hosts(prefix):
    assert size_for_prefix(prefix).usable == usable_hosts(ip_network(f"10.0.0.0/{prefix}"))


@pytest.mark.parametrize("text", ["/15", "29", "/32", "abc", "/", "-24", "24.5"])
def test_sizes_aws_does_not_allow_are_refused_with_a_hint(text):
    with pytest.raises(PlanError) as info:
        parse_size(text)
    assert "/16" in info.value.hint and "/28" in info.value.hint


def test_sizes_are_read_with_or_without_the_slash():
    assert parse_size("/24") == parse_size("24") == parse_size(24) == 24


@pytest.mark.parametrize("hosts", [0, -3, True, 2.5])
def test_hosts_must_be_a_positive_whole_number(hosts):
    with pytest.raises(PlanError):
        size_for_hosts(hosts)


def test_unknown_vpc_and_both_sizes_are_plan_errors(three_tier):
    with pytest.raises(PlanError) as info:
        three_tier.plan("prd")
    assert str(info.value) == f"no VPC called 'prd' in {three_tier.path}"
    assert info.value.hint == "did you mean 'prod'?"
    with pytest.raises(PlanError):
        three_tier.plan(hosts=3, size=24)


# ---------------------------------------------------------------------------- output

@pytest.mark.parametrize("name, argv", [
    ("three-tier", ["examples/three-tier.vpc", "--hosts", "300"]),
    ("hub-and-spoke", ["examples/hub-and-spoke.vpc", "--size", "/25"]),
    ("lab", ["tests/fixtures/plan/lab.vpc", "--hosts", "20"]),
])
def test_golden_text(name, argv, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "plan", *argv)
    assert err == ""
    golden(f"{name}.txt", out)
    assert code == (1 if name == "hub-and-spoke" else 0)    # spoke-c has no /25 left


def test_json_output(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(capsys, "plan", "--json", "tests/fixtures/plan/lab.vpc", "--size", "/26")
    doc = json.loads(out)
    assert code == 1
    assert list(doc) == ["version", "path", "sizing", "vpcs"] and doc["version"] == 1
    assert doc["sizing"]["subnet"] == 26 and doc["sizing"]["usable"] == 59
    (vpc,) = doc["vpcs"]
    assert vpc["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert vpc["ipv4"] == {"total": 320, "allocated": 144, "free_addresses": 176, "utilisation": 45.0,
                           "largest_free": "10.0.0.128/26"}
    primary = vpc["blocks"][0]
    assert primary["free"] == ["10.0.0.0/28", "10.0.0.32/27", "10.0.0.128/26", "10.0.0.224/27"]
    assert primary["subnets"][0] == {"name": "a1", "cidr": "10.0.0.16/28", "zone": "eu-west-1a",
                                     "usable": 11, "allocated": False}
    assert vpc["fits"][1] == {"zone": "eu-west-1b", "cidr": None, "largest_free": "10.0.0.32/27",
                              "ipv6": None}
    assert vpc["fits"][-1]["zone"] is None


def test_output_is_deterministic_across_processes():
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outs.append([subprocess.run([sys.executable, "-m", "vpcdsl", "plan", *extra,
                                     "examples/hub-and-spoke.vpc", "--hosts", "200"],
                                    capture_output=True, cwd=ROOT, env=env).stdout
                     for extra in ([], ["--json"])])
    assert outs[0] == outs[1] and all(outs[0])


# ---------------------------------------------------------------------------- the command's exit codes

@pytest.mark.parametrize("argv, code, said", [
    (["examples/three-tier.vpc"], 0, "vpc prod (us-east-1)"),
    (["examples/three-tier.vpc", "--vpc", "shared", "--size", "24"], 0, "us-east-1a  10.20.1.0/24"),
    (["tests/fixtures/plan/full.vpc", "--vpc", "full", "--size", "/28"], 1, "no room"),
    (["examples/three-tier.vpc", "--hosts", "70000"], 1, "larger than AWS's largest subnet"),
])
def test_exit_codes_of_answers(argv, code, said, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    got, out, err = run(capsys, "plan", *argv)
    assert (got, err) == (code, "") and said in out


@pytest.mark.parametrize("argv, first, hint", [
    (["examples/three-tier.vpc", "--vpc", "prd"], "no VPC called 'prd'", "did you mean 'prod'?"),
    (["examples/three-tier.vpc", "--size", "/31"], "/31 is not a size AWS allows for a subnet", "/16"),
    (["examples/three-tier.vpc", "--size", "big"], "cannot read the size 'big'", "/28"),
    (["examples/three-tier.vpc", "--hosts", "many"], "cannot read --hosts 'many'", "--hosts 300"),
    (["examples/three-tier.vpc", "--hosts", "0"], "a subnet holds at least 1 host", "--hosts 300"),
])
def test_usage_errors_are_one_line_with_a_hint_and_exit_2(argv, first, hint, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "plan", *argv)
    lines = err.splitlines()
    assert code == 2 and out == "" and len(lines) == 2
    assert lines[0].startswith("vpcdsl plan: error: ") and first in lines[0]
    assert lines[1].startswith("  = hint: ") and hint in lines[1]


def test_hosts_and_size_together_are_a_usage_error(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        main(["plan", "examples/three-tier.vpc", "--hosts", "3", "--size", "24"])
    assert info.value.code == 2 and "not allowed with" in capsys.readouterr().err


def test_a_model_with_errors_prints_its_diagnostics_as_check_does(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = "tests/fixtures/e104-subnet-outside-vpc.vpc"
    code, out, err = run(capsys, "plan", path)
    _, checked, _ = run(capsys, "check", path)
    assert code == 2 and out == ""
    diagnostics = err.rsplit("\n", 2)[0]
    assert "error[E104]" in diagnostics and diagnostics in checked
    assert err.splitlines()[-1] == f"vpcdsl plan: {path} has errors; fix them first (`vpcdsl check`)"
    code, _, err = run(capsys, "plan", "no-such-file.vpc")
    assert code == 2 and "E004" in err


# ---------------------------------------------------------------------------- Python, Jupyter

def test_planning_without_a_size_loads_no_sympy():
    code = ("import sys, vpcdsl; m = vpcdsl.load('examples/three-tier.vpc'); m.plan().text(); "
            "print('sympy' in sys.modules); m.plan(hosts=3); print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_module_doctests():
    assert doctest.testmod(plan_module).failed == 0


def test_rich_display_is_a_table_per_vpc_and_the_formula_in_latex(three_tier):
    from IPython.core.formatters import DisplayFormatter
    plan = three_tier.plan(hosts=300)
    data, _ = DisplayFormatter().format(plan)
    assert data["text/plain"] == plan.text()
    assert data["text/latex"] == plan.sizing.latex
    html = data["text/html"]
    assert html.count("<th>block</th>") == 2 and "<th>new /23</th>" in html
    assert "<td><code>10.0.2.0/23</code></td><td><span class=\"muted\">free</span>" in html
    golden("three-tier.plan.html", html)
    assert "text/latex" not in DisplayFormatter().format(three_tier.plan())[0]


def test_rich_display_escapes_and_cuts_long_maps():
    from vpcdsl.views.notebook.plan_display import MAP_ROWS
    empty = vpcdsl.loads("", filename="<b>&.vpc").plan()
    assert "&lt;b&gt;&amp;.vpc: no VPC to plan" in empty._repr_html_()
    subnets = "\n".join(f" subnet n{i} 10.0.{i}.0/25 az a" for i in range(MAP_ROWS))
    big = vpcdsl.loads(f"vpc v {{\n cidr 10.0.0.0/16\n{subnets}\n}}\n").plan()
    rows = len(big.vpcs[0].blocks[0].rows())
    assert f"… and {rows - MAP_ROWS:,} more rows" in big._repr_html_()


def test_the_line_magic():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "vpcdsl")
        shell.run_cell("%%vpc lab --no-diagram\n" + (HERE / "lab.vpc").read_text(encoding="utf-8"))
        plan = shell.run_line_magic("vpc", "plan lab --hosts 20")
        assert plan.vpcs[0].fits[0].cidr == ip_network("10.0.0.32/27")
        assert shell.run_line_magic("vpc", "plan lab --vpc lab --size /26").sizing.subnet == 26
        message = shell.run_line_magic("vpc", "plan lab --vpc nope")
        assert "no VPC called 'nope'" in repr(message) and "hint" in repr(message)
        assert "/31 is not a size" in repr(shell.run_line_magic("vpc", "plan lab --size /31"))
    finally:
        shell.user_ns.pop("lab", None)
        InteractiveShell.clear_instance()


def test_the_readme_example_is_what_the_command_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Planning address space"):readme.index("## Diagrams")]
    start = section.index("```\nnew subnet:") + len("```\n")
    shown = section[start:section.index("\n```", start)]
    code, out, _ = run(capsys, "plan", "examples/hub-and-spoke.vpc", "--vpc", "spoke-c", "--hosts", "40")
    assert code == 0 and out.rstrip("\n") == shown
