"""`matrix` and the behavioural `diff` over IPv6: hand-computed cells on a small dual-stack
model (forward and return, a pair open over IPv6 only, a subnet without IPv6), the matrix
against `reach` and `trace` pair by pair and family by family on examples/dual-stack.vpc
and a generated dual-stack estate, the text, JSON and heat map, golden text and JSON for
the dual-stack example beside tests/fixtures/matrix/ (``UPDATE_GOLDEN=1`` regenerates them),
and `vpcdsl diff` finding a change that opens IPv6 only (``--fail-on-new-exposure`` where
it exposes an instance to the internet).

AWS rules (docs/SEMANTICS.md): a NACL's 0.0.0.0/0 never matches IPv6, so each family has its
own rules; a security group that names another group matches that group's members by
either address; an end without an IPv6 address takes no part in IPv6 flows; an internet
gateway forwards IPv6 untranslated, so an instance with an IPv6 address is reachable from
the internet where its filters allow it
(https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html,
https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.diff import diff
from vpcdsl.analysis.diff_flows import erase
from vpcdsl.analysis.flowsets import packet_classes
from vpcdsl.analysis.matrix import matrix
from vpcdsl.flows.flow import FlowError, NotSimulated
from vpcdsl.flows.trace import Tracer
from vpcdsl.packetsets import PacketSet
from vpcdsl.views.matrix_dot import matrix_dot
from vpcdsl.views.matrix_view import breadth, group_cell, groups, matrix_text, short_service

from cli_runs import check_golden, run_cli
from tracing import model

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "dual-stack.vpc"
HERE = Path(__file__).parent / "fixtures" / "matrix"

# web and db are dual-stack, old has no IPv6 block. db's NACL lets web in over IPv6 only
# (tcp 5432 from web's IPv6 block) and old over IPv4 only; its responses go out to IPv6
# clients and to old; it sends tcp 443 to IPv6 addresses and takes their responses back.
SMALL = """
region us-east-1
vpc app {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:aa00::/56
  subnet web 10.0.1.0/24 az a ipv6 2600:1f18:aa00:1::/64
  subnet db  10.0.2.0/24 az a ipv6 2600:1f18:aa00:2::/64
  subnet old 10.0.3.0/24 az a
  igw gw
  route-table rt for web, db, old {
    0.0.0.0/0 -> gw
    ::/0 -> gw
  }
  nacl db-acl for db {
    in  100 allow tcp 5432 from 2600:1f18:aa00:1::/64
    in  110 allow tcp 5432 from 10.0.3.0/24
    in  120 allow tcp 32768-60999 from ::/0
    out 100 allow tcp 32768-60999 to ::/0
    out 110 allow tcp 32768-60999 to 10.0.3.0/24
    out 120 allow tcp 443 to ::/0
  }
  sg web-sg { in tcp 22 from ::/0 }
  sg db-sg { in tcp 5432 from web-sg; in tcp 5432 from 10.0.3.0/24 }
  instance w in web sg web-sg
  instance d in db sg db-sg
  instance o in old sg web-sg
}
"""
# Before the change: db's NACL lacks the IPv6 rule for web, web-sg admits SSH from the VPC's
# IPv4 block only.
OLD = SMALL.replace("    in  100 allow tcp 5432 from 2600:1f18:aa00:1::/64\n", "") \
    .replace("in tcp 22 from ::/0", "in tcp 22 from 10.0.0.0/16")


def tcp(*ports, family: int) -> PacketSet:
    return PacketSet.union(PacketSet.box(family=family, protocol="tcp", dport=p) for p in ports)


V4, V6 = PacketSet.box(family=0), PacketSet.box(family=1)


@pytest.fixture(scope="module")
def small():
    return model(SMALL)


@pytest.fixture(scope="module")
def example():
    return vpcdsl.load(EXAMPLE)


# ---------------------------------------------------------------------------- by hand

def test_the_subnet_matrix_by_hand(small):
    """Probes (no SG, Linux ephemeral ports 32768-60999). web -> db: in 100 admits tcp 5432
    from web's IPv6 block, in 120 the IPv6 requests to 32768-60999; out 100 lets every
    response back (forward and return over IPv6); over IPv4 no rule holds 10.0.1.0/24.
    old -> db: IPv4 tcp 5432 (in 110, out 110). db -> web: out 120 and out 100 over IPv6,
    the responses back by in 120; over IPv4 out has nothing for web. db -> old: out 110
    lets tcp 32768-60999 out, but no inbound rule takes the responses (in 110 is 5432
    only): nothing. web and old have the default NACL: every IPv4 request, and no IPv6
    (old has no IPv6 address)."""
    mx = matrix(small, "subnet")
    assert mx.ends == ("web", "db", "old") and mx.ipv6 == (1, 1, 0)
    assert mx.families == (4, 6) and mx.ipv6_from == len(mx.classes)
    assert mx.allowed("web", "db") == tcp(5432, (32768, 60999), family=1)
    assert mx.allowed("old", "db") == tcp(5432, family=0)
    assert mx.allowed("db", "web") == tcp(443, (32768, 60999), family=1)
    assert not mx.allowed("db", "old") and mx.cell("db", "old") is None
    assert mx.allowed("web", "old") == mx.allowed("old", "web") == mx.packets(mx.family_mask(4))
    assert not any(mx.intermittent(s, d) for s in mx.ends for d in mx.ends if s != d)
    # A pair is asked about IPv6 only where both ends have an IPv6 address.
    assert mx.asked("web", "db") == mx.family_mask(4) | mx.family_mask(6)
    assert mx.asked("web", "old") == mx.family_mask(4)


def test_the_instance_matrix_by_hand(small):
    """w -> d: db-sg admits tcp 5432 from web-sg's members, by either address; the NACL
    only over IPv6: open over IPv6 while closed over IPv4 (the matrix said closed before it
    asked IPv6). o -> d: over IPv4 (db-sg's 10.0.3.0/24 and in 110). web-sg admits SSH
    from ::/0 only, so nothing reaches w or o (o has no IPv6; d's NACL sends no tcp 22)."""
    mx = matrix(small, "instance")
    assert mx.ends == ("w", "d", "o") and mx.ipv6 == (1, 1, 0)
    assert set(mx.cells) == {(0, 1), (2, 1)}
    assert mx.allowed("w", "d") == tcp(5432, family=1)
    assert mx.allowed("o", "d") == tcp(5432, family=0)
    text = matrix_text(mx)
    assert "  w -> d: tcp 5432 (IPv6)\n  o -> d: tcp 5432" in text
    t = mx.witness("w", "d")                  # the IPv6 class's trace, by the IPv6 addresses
    assert t.allowed and "2600:1f18:aa00:2::" in t.reason + str(t.to_dict())
    blocked = mx.witness("w", "d", "blocked")
    assert blocked is not None and not blocked.allowed


def test_words_breadths_and_short_services(small):
    mx = matrix(small, "subnet")
    gs = groups(mx)
    cell = {(a.label, b.label): group_cell(mx, a, b) for a in gs for b in gs}
    # web -> old asks IPv4 only, and every IPv4 request gets through: every request.
    assert breadth(mx, cell["web", "old"]) == "every"
    assert breadth(mx, cell["web", "db"]) == "some"
    assert short_service(mx, cell["web", "old"][0]) == "v4:all"
    assert short_service(mx, cell["web", "db"][0]) == "v6:5432,32768…"
    assert short_service(mx, mx.family_mask(4) | mx.family_mask(6)) == "all"
    assert short_service(mx, mx.family_mask(6)) == "v6:all"
    text = matrix_text(mx)
    assert "IPv6 too where both ends have an IPv6 address" in text.splitlines()[0]
    assert "  web -> old: every request\n" in text
    assert "  web -> db: tcp 5432, 32768-60999 (IPv6)\n" in text
    vpc = matrix(small, "vpc")
    assert vpc.ipv6 == (2,)
    assert "app -> app: every IPv4 request; tcp 443, 5432, 32768-60999 (IPv6) (5 of 6 subnet pairs)" in matrix_text(vpc)


def test_json_has_a_row_per_family(small):
    d = matrix(small, "subnet").to_dict()
    assert d["families"] == ["ipv4", "ipv6"]
    rows = {(c["src"], c["dst"], c["family"]): d["services"][c["allowed"]] for c in d["cells"]}
    assert rows == {("web", "db", "ipv6"): "tcp 5432, 32768-60999", ("web", "old", "ipv4"): d["services"][1],
                    ("db", "web", "ipv6"): "tcp 443, 32768-60999", ("old", "web", "ipv4"): d["services"][1],
                    ("old", "db", "ipv4"): "tcp 5432"}


def test_an_ipv4_only_matrix_has_no_ipv6_part():
    """three-tier has one subnet with an IPv6 block: no pair to ask about IPv6, so its
    matrices (and their goldens) are IPv4's alone."""
    m = vpcdsl.load(ROOT / "examples" / "three-tier.vpc")
    for level in ("subnet", "instance", "vpc"):
        mx = matrix(m, level)
        assert mx.ipv6_from is None and mx.families == (4,) and not mx.ipv6_classes
        assert "families" not in mx.to_dict() and "IPv6" not in matrix_text(mx)


# ---------------------------------------------------------------------------- against trace and reach

def _oracle(m, mx) -> list[str]:
    """Every cell of ``mx``, both families, against one trace per pair and packet class."""
    tracer = Tracer(m)
    wrong = []
    for family, first in ((4, 0), (6, mx.ipv6_from)):
        classes = packet_classes(m, None, family)
        for s in mx.ends:
            for d in mx.ends:
                if s == d or mx.asked(s, d) & mx.family_mask(family) == 0:
                    continue
                cell = mx.cell(s, d)
                allowed, intermittent = (cell.allowed, cell.intermittent) if cell else (0, 0)
                for k, c in enumerate(classes):
                    bit = first + k
                    try:
                        t = tracer.trace(s, d, c.protocol, c.probe or None, family=family)
                    except (FlowError, NotSimulated):
                        assert any(x[:2] == (s, d) for x in mx.skipped), (s, d)
                        break
                    want = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
                    got = "allowed" if allowed >> bit & 1 else "intermittent" if intermittent >> bit & 1 \
                        else "blocked"
                    if want != got:
                        wrong.append(f"{s} -> {d} IPv{family} {c.words}: trace {want}, matrix {got}")
    return wrong


@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_every_cell_agrees_with_trace_in_both_families(small, example, level):
    for m in (small, example):
        mx = matrix(m, level)
        assert mx.ipv6_from is not None
        assert _oracle(m, mx) == []


@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_the_dual_stack_example_agrees_with_reach_for_every_pair_and_family(example, level):
    """reach's rows of each pair, addresses erased, per family, are the matrix's cell."""
    mx = matrix(example, level)
    for s in mx.ends:
        for d in mx.ends:
            if s == d:
                continue
            r = example.reach(s, d)
            for family, box in ((4, V4), (6, V6)):
                assert erase(r.allowed() & box, "src", "dst") == mx.allowed(s, d) & box, (s, d, family)
                assert erase(r.intermittent() & box, "src", "dst") == mx.intermittent(s, d) & box, (s, d, family)
                assert any(row.family == 6 for row in r.rows) == bool(mx.asked(s, d) & mx.family_mask(6))


def test_a_dual_stack_estate_agrees_with_trace_and_keeps_its_pair_classes():
    """The dual-stack twin of a generated estate: one walk per pair class in each family,
    so the classes stay far fewer than the pairs; a sample of pairs against trace."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import dual_stack
    _, text = dual_stack.generate_dual_stack(1000)
    m = vpcdsl.loads(text, filename="est.vpc", strict=False)
    mx = matrix(m, "subnet")
    n, v6 = len(mx.ends), sum(mx.ipv6)
    assert v6 > 10
    assert mx.pair_classes * 20 < n * (n - 1) + v6 * (v6 - 1)
    sample = mx.ends[::7]
    small = type(mx)(mx.level, mx.ends, mx.classes, mx.cells, mx.skipped, model=m,
                     ipv6_classes=mx.ipv6_classes, ipv6=mx.ipv6)
    tracer = Tracer(m)
    for s in sample:
        for d in sample:
            if s == d:
                continue
            for family, first in ((4, 0), (6, small.ipv6_from)):
                if not small.asked(s, d) & small.family_mask(family):
                    continue
                for k, c in enumerate(packet_classes(m, None, family)):
                    t = tracer.trace(s, d, c.protocol, c.probe or None, family=family)
                    cell = small.cell(s, d)
                    got = cell is not None and cell.allowed >> (first + k) & 1
                    assert bool(got) == t.allowed, (s, d, family, c.words)


# ---------------------------------------------------------------------------- views and goldens

@pytest.mark.parametrize("level", ["subnet", "instance", "vpc"])
def test_golden_text_and_json(level, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run_cli(capsys, "matrix", "examples/dual-stack.vpc", "--level", level)
    assert code == 0
    check_golden(HERE / f"dual-stack.{level}.txt", out)
    code, out, _ = run_cli(capsys, "matrix", "examples/dual-stack.vpc", "--level", level, "--json")
    assert code == 0 and json.loads(out)["families"] == ["ipv4", "ipv6"]
    check_golden(HERE / f"dual-stack.{level}.json", out)


def test_the_heat_map_marks_ipv6(small):
    dot = matrix_dot(matrix(small, "subnet"))
    assert ">v6:5432,32768…<" in dot and ">v4:all<" in dot and "(IPv6)" in dot
    assert "IPv6 too where both ends have an IPv6 address" in dot
    assert "“v6:” before the IPv6 requests of a cell" in dot         # the legend says so


def test_an_ipv4_only_heat_map_has_no_ipv6_legend():
    dot = matrix_dot(matrix(model((ROOT / "examples" / "three-tier.vpc").read_text()), "subnet"))
    assert "v6:" not in dot


# ---------------------------------------------------------------------------- diff

def test_diff_finds_what_opens_over_ipv6_only():
    """NEW adds db's IPv6 rule for web (w -> d tcp 5432 over IPv6, no IPv4 change) and moves
    web-sg's SSH from 10.0.0.0/16 to ::/0: SSH between w and o closes over IPv4, and w is
    newly reachable from the IPv6 internet (it has no public IPv4 address)."""
    d = diff(model(OLD), model(SMALL))
    got = {(c.src, c.dst, c.change): c for c in d.flows}
    assert set(got) == {("w", "d", "opened"), ("w", "o", "closed"), ("o", "w", "closed"),
                        ("internet", "w", "opened")}
    wd = got["w", "d", "opened"]
    assert wd.packets == tcp(5432, family=1) and wd.service == "tcp 5432 (IPv6)" and not wd.exposure
    assert wd.after.allowed and not wd.before.allowed           # witnesses traced over IPv6
    assert wd.witness.src.version == 6
    assert got["w", "o", "closed"].service == "tcp 22"
    exposed = got["internet", "w", "opened"]
    assert exposed.exposure and exposed.service == "tcp 22 (IPv6)" and exposed.packets <= V6
    assert d.exposure_gained and [c.dst for c in d.exposures] == ["w"]
    assert diff(model(OLD), model(SMALL), incremental=False).flows == d.flows


def test_the_command_fails_on_an_ipv6_only_exposure(tmp_path, capsys):
    old, new = tmp_path / "old.vpc", tmp_path / "new.vpc"
    old.write_text(OLD, encoding="utf-8")
    new.write_text(SMALL, encoding="utf-8")
    code, out, _ = run_cli(capsys, "diff", old, new, "--fail-on-new-exposure")
    assert code == 1 and "+ internet -> w: tcp 22 (IPv6) newly allowed via igw:gw" in out
    assert "+ w -> d: tcp 5432 (IPv6) newly allowed" in out
    # Opening IPv6 between two instances only is a change, not an exposure.
    inner = tmp_path / "inner.vpc"
    inner.write_text(OLD.replace("    in  110 allow tcp 5432 from 10.0.3.0/24\n",
                                 "    in  100 allow tcp 5432 from 2600:1f18:aa00:1::/64\n"
                                 "    in  110 allow tcp 5432 from 10.0.3.0/24\n"), encoding="utf-8")
    code, out, _ = run_cli(capsys, "diff", old, inner, "--fail-on-new-exposure")
    assert code == 0 and "+ w -> d: tcp 5432 (IPv6) newly allowed" in out and "no new exposure" in out


# ---------------------------------------------------------------------------- diff scope

def _scope(old_text: str, new_text: str):
    from vpcdsl.analysis.diff_objects import object_changes
    from vpcdsl.analysis.diff_scope import change_scope
    old, new = model(old_text), model(new_text)
    return old, new, change_scope(old, new, object_changes(old, new))


DB_RULE = "    in  100 allow tcp 5432 from 2600:1f18:aa00:1::/64\n"


@pytest.mark.parametrize("old_text, new_text, internet", [
    # A NACL rule naming web's IPv6 block: no internet address is in it (reach's IPv6
    # internet leaves the VPCs' blocks out), so d's internet pairs keep their verdicts.
    (SMALL.replace(DB_RULE, ""), SMALL, "quiet"),
    # A route table of the dual-stack VPC: its ends' pairs are in scope (the internet's
    # with them too), but not the internet with every other end.
    (SMALL, SMALL.replace("    ::/0 -> gw\n", ""), "its ends"),
    # An IPv6 block of the VPC changes: the internet's IPv6 addresses change with it.
    (SMALL, SMALL.replace("ipv6 2600:1f18:aa00::/56", "ipv6 2600:1f18:aa00::/56\n  ipv6 2600:1f18:bb00::/56"),
     "every end"),
    # A rule open to ::/0 meets the internet.
    (OLD, OLD.replace("in tcp 22 from 10.0.0.0/16", "in tcp 22 from ::/0"), "its ends"),
])
def test_a_dual_stack_vpc_puts_the_internet_in_scope_only_where_it_can_change(old_text, new_text, internet):
    old, new, scope = _scope(old_text, new_text)
    assert scope.ends is not None
    assert ("internet" in scope.ends) == (internet == "every end")
    assert scope.touches("internet", "d" if "5432 from 2600" in old_text + new_text else "w") == \
        (internet != "quiet")
    part, whole = diff(old, new), diff(old, new, incremental=False)
    assert part.flows == whole.flows and part.ends_added == whole.ends_added
