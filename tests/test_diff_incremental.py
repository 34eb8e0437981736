"""The incremental `vpcdsl diff` (only the pairs of ends a change can affect are traced,
`vpcdsl.analysis.diff_scope`) against the whole computation (`diff(..., incremental=False)`,
every pair traced in both models): for single changes to every example and to small
generated estates — one NACL rule, SG rule, route or instance deleted, a rule's port or
action edited, a rule added, an instance's groups or subnet changed — the flow changes must
be equal, change for change, packet for packet, witness for witness. Then the scope rules
themselves on small inline models.

Each model gets a seeded sample of its changes, one of each kind first
(``VPCDSL_ORACLE=all`` runs every change found: minutes). The whole computation's OLD side
is the same for every change of one model, so its `reach` and `matrix` answers are kept
for the model's sake of time; NEW is computed afresh both ways.
"""

from __future__ import annotations

import os
import random
import re
import sys
from pathlib import Path

import pytest

import vpcdsl
import vpcdsl.analysis.diff_flows as diff_flows
from vpcdsl.analysis.diff import DiffError, diff
from vpcdsl.analysis.diff_objects import model_shape, object_changes
from vpcdsl.analysis.diff_scope import change_scope
from vpcdsl.syntax import ast

from tracing import model

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate  # noqa: E402

EVERY = os.environ.get("VPCDSL_ORACLE") == "all"
PER_MODEL = 7


# ---------------------------------------------------------------------------- changes

def _offset(text: str, line: int, col: int) -> int:
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[:line - 1]) + col - 1


def _cut(text: str, span) -> tuple[int, int]:
    return _offset(text, span.line, span.col), _offset(text, span.end_line, span.end_col)


def _delete(text: str, span) -> str:
    """The text without the item at ``span``: its line when it stands alone there, else the
    item and a `;` beside it."""
    a, b = _cut(text, span)
    start, end = text.rfind("\n", 0, a) + 1, text.find("\n", b)
    end = len(text) if end < 0 else end
    if not (text[start:a] + text[b:end]).strip():
        return text[:start] + text[end + 1:]
    after = re.match(r"\s*;", text[b:])
    if after:
        return text[:a] + text[b + after.end():]
    before = re.search(r";\s*$", text[:a])
    return text[:before.start()] + text[b:] if before else text[:a] + text[b:]


def _edit(text: str, span, pattern: str, replace) -> str | None:
    a, b = _cut(text, span)
    piece, n = re.subn(pattern, replace, text[a:b], count=1)
    return text[:a] + piece + text[b:] if n else None


def changes(m) -> list[tuple[str, str]]:
    """(what, text) for single changes to a one-file model's text."""
    (path, text), = m.sources.items()
    out: list[tuple[str, str | None]] = []
    for vpc in m.vpcs.values():
        sgs = [g.name for g in vpc.of_type(ast.SecurityGroup) if not g.default]
        subnets = [s.name for s in vpc.of_type(ast.Subnet)]
        for nacl in vpc.of_type(ast.Nacl):
            for r in nacl.rules:
                out.append((f"delete nacl {nacl.name} {r.direction} {r.number}", _delete(text, r.span)))
                out.append((f"flip nacl {nacl.name} {r.direction} {r.number}",
                            _edit(text, r.span, r"\b(allow|deny)\b",
                                  lambda x: "deny" if x.group(1) == "allow" else "allow")))
                out.append((f"port nacl {nacl.name} {r.direction} {r.number}",
                            _edit(text, r.span, r"\b(tcp|udp)\s+(\d+)", lambda x: f"{x.group(1)} {int(x.group(2)) + 1}")))
            if nacl.rules:
                first = nacl.rules[0]
                out.append((f"add nacl {nacl.name} rule",
                            _edit(text, first.span, r"^", f"{first.direction} 1 deny tcp 22 from 0.0.0.0/0; ")))
        for sg in vpc.of_type(ast.SecurityGroup):
            for r in sg.rules:
                out.append((f"delete sg {sg.name} rule {r.span.line}", _delete(text, r.span)))
                out.append((f"port sg {sg.name} rule {r.span.line}",
                            _edit(text, r.span, r"\b(tcp|udp)\s+(\d+)", lambda x: f"{x.group(1)} {int(x.group(2)) + 1}")))
            if sg.rules:
                out.append((f"add sg {sg.name} rule",
                            _edit(text, sg.rules[0].span, r"^", "in tcp 3389 from 10.0.0.0/8; ")))
        for table in vpc.of_type(ast.RouteTable):
            for r in table.routes:
                out.append((f"delete route {table.name} {r.span.line}", _delete(text, r.span)))
        for inst in vpc.of_type(ast.Instance):
            out.append((f"delete instance {inst.name}", _delete(text, inst.span)))
            others = [g for g in sgs if g not in {x.name for x in inst.sgs}]
            if inst.sgs and others:
                out.append((f"groups of {inst.name}", _edit(text, inst.span, rf"\b{re.escape(inst.sgs[0].name)}\b",
                                                             others[0])))
            move = [s for s in subnets if s != inst.subnet.name]
            if move:
                out.append((f"move {inst.name}", _edit(text, inst.span, rf"\bin\s+{re.escape(inst.subnet.name)}\b",
                                                       f"in {move[0]}")))
    for p in m.peerings.values():
        out.append((f"delete peering {p.name}", _delete(text, p.span)))
    return [(what, t) for what, t in out if t is not None and t != text]


def _sample(found: list, seed: int) -> list:
    if EVERY:
        return found
    rng = random.Random(seed)
    rng.shuffle(found)
    picked, kinds = [], set()
    for what, t in found:                     # one of each kind first
        kind = what.split()[0] + " " + what.split()[1]
        if kind not in kinds:
            kinds.add(kind)
            picked.append((what, t))
    rest = [c for c in found if c not in picked]
    return (picked + rest)[:PER_MODEL]


def _flows(d) -> list[tuple]:
    return [(f.src, f.dst, f.node, f.change, f.packets, f.service, str(f.witness), f.exposure, f.new_end,
             f.before.to_dict() if f.before is not None else None,
             f.after.to_dict() if f.after is not None else None) for f in d.flows]


def _remembered(fn, base):
    """``fn`` (reach or matrix) with its answers about ``base`` kept: the same question of
    the same model has the same answer."""
    kept = {}

    def ask(m, *args, **kwargs):
        if m is not base:
            return fn(m, *args, **kwargs)
        key = (args, tuple((k, tuple(sorted(v)) if isinstance(v, (list, set, frozenset)) else v)
                           for k, v in sorted(kwargs.items())))
        if key not in kept:
            kept[key] = fn(m, *args, **kwargs)
        return kept[key]
    return ask


BASES = [pytest.param(p, id=p.stem) for p in sorted((ROOT / "examples").glob("*.vpc"))] + \
    [pytest.param(("generated", lines, seed), id=f"generated-{lines}-{seed}") for lines, seed in ((100, 1), (150, 2))]


def _base(which):
    if isinstance(which, Path):
        return vpcdsl.load(which, strict=False)
    _, lines, seed = which
    _, text = generate(lines, seed=seed)
    return vpcdsl.loads(text, filename=f"generated-{lines}-{seed}.vpc", strict=False)


@pytest.mark.parametrize("which", BASES)
def test_the_incremental_diff_equals_the_whole_one_for_single_changes(which, monkeypatch):
    old = _base(which)
    monkeypatch.setattr(diff_flows, "reach", _remembered(diff_flows.reach, old))
    monkeypatch.setattr(diff_flows, "matrix", _remembered(diff_flows.matrix, old))
    (path, _), = old.sources.items()
    found = changes(old)
    assert len(found) >= 10, "the model offers too few changes to test"
    bounded = compared = 0
    for what, text in _sample(found, seed=len(found)):
        new = vpcdsl.loads(text, filename=path, strict=False)
        if model_shape(new) == model_shape(old):
            continue
        try:
            whole = diff(old, new, incremental=False)
        except DiffError:
            continue                       # the change made the model invalid
        part = diff(old, new)
        compared += 1
        assert _flows(part) == _flows(whole), what
        assert (part.ends_added, part.ends_removed, part.objects) == \
            (whole.ends_added, whole.ends_removed, whole.objects), what
        # Every pair is counted once: compared or listed as not answered. The pairs not
        # traced are unchanged, and only pairs traced are listed.
        assert part.pairs + len(part.skipped) == whole.pairs + len(whole.skipped), what
        assert set(part.skipped) <= set(whole.skipped), what
        if part.traced is not None and part.traced < part.pairs:
            bounded += 1
    assert compared >= 4, "too few changes compiled"
    assert bounded >= 1, "no change had a bounded scope: the test would test nothing"


# ---------------------------------------------------------------------------- the rules

TWO = """
region eu-west-1
vpc a {
  cidr 10.0.0.0/16
  subnet sa 10.0.1.0/24 az a
  subnet sb 10.0.2.0/24 az a
  igw igw-a
  route-table ra for sa, sb { 0.0.0.0/0 -> igw-a }
  nacl na for sa { in 100 allow tcp 22 from 10.0.0.0/16; in 200 allow tcp 1024-65535 from 0.0.0.0/0
                   out 100 allow any to 0.0.0.0/0 }
  sg g { in tcp 22 from 10.0.0.0/8 }
  sg h { in tcp 443 from 0.0.0.0/0 }
  instance x in sa sg g public-ip
  instance y in sb sg h public-ip
}
vpc b {
  cidr 10.9.0.0/16
  subnet sc 10.9.1.0/24 az a
  sg k { in any from 10.0.0.0/8 }
  instance z in sc sg k
}
"""


def _scope(a: str, b: str):
    old, new = model(a), model(b)
    return change_scope(old, new, object_changes(old, new))


def test_a_private_rule_edit_scopes_its_carriers_and_spares_their_internet_pairs():
    s = _scope(TWO, TWO.replace("in tcp 22 from 10.0.0.0/8", "in tcp 2222 from 10.0.0.0/8"))
    assert s.ends == {"x"} and s.quiet == {"x": frozenset({"internet"})}
    assert s.touches("y", "x") and s.touches("x", "z") and not s.touches("internet", "x")
    assert not s.touches("y", "z")


def test_a_public_rule_edit_keeps_the_internet_pairs():
    s = _scope(TWO, TWO.replace("in tcp 443 from 0.0.0.0/0", "in tcp 444 from 0.0.0.0/0"))
    assert s.ends == {"y"} and s.touches("internet", "y")


def test_a_nacl_on_plain_subnets_scopes_the_ends_in_them():
    s = _scope(TWO, TWO.replace("in 100 allow tcp 22 from 10.0.0.0/16", "in 100 allow tcp 23 from 10.0.0.0/16"))
    assert s.ends == {"x"} and not s.touches("internet", "x")


def test_a_route_table_change_scopes_its_vpc():
    s = _scope(TWO, TWO.replace("{ 0.0.0.0/0 -> igw-a }", "{ }"))
    assert s.ends == {"x", "y"} and s.touches("internet", "x")


def test_an_instance_moved_or_regrouped_scopes_itself():
    assert _scope(TWO, TWO.replace("instance z in sc sg k", "instance z in sc sg k type t3.micro")).ends == {"z"}
    s = _scope(TWO, TWO.replace("instance x in sa sg g", "instance x in sa sg h"))
    assert s.ends == {"x"} and s.touches("internet", "x")


def test_an_instance_added_before_others_moves_their_addresses():
    s = _scope(TWO, TWO.replace("  instance x in sa", "  instance w in sa sg g\n  instance x in sa"))
    assert s.ends == {"w", "x"}


def test_changes_no_trace_reads_scope_nothing():
    text = TWO + "\nplacement p cluster { x }\n"
    s = _scope(TWO, text)
    assert s.ends == frozenset()
    d = diff(model(TWO), model(text))
    assert d.objects and not d.flows and d.traced == 0 and d.pairs > 0
    assert f"0 traced in both models: the change cannot reach the other {d.pairs}" in d.text()


TRANSIT = """
region eu-west-1
vpc spoke {
  cidr 10.1.0.0/16
  subnet s1 10.1.1.0/24 az a
  route-table r1 for s1 { 0.0.0.0/0 -> tgw }
  instance i1 in s1
}
vpc inspect {
  cidr 10.2.0.0/16
  subnet s2 10.2.1.0/24 az a
  nacl n2 for s2 { in 100 allow any from 0.0.0.0/0; out 100 allow any to 0.0.0.0/0 }
  route-table r2 for s2 { 10.1.0.0/16 -> tgw }
  instance i2 in s2
}
tgw tgw {
  attach spoke
  attach inspect
  route 0.0.0.0/0 -> inspect
}
"""


def test_a_vpc_a_tgw_route_sends_others_traffic_to_is_the_whole_computation():
    s = _scope(TRANSIT, TRANSIT.replace("in 100 allow any from 0.0.0.0/0", "in 100 allow tcp 443 from 0.0.0.0/0"))
    assert s.whole and any("transit" in w for w in s.why)


def test_a_tgw_change_is_the_whole_computation():
    assert _scope(TRANSIT, TRANSIT.replace("  route 0.0.0.0/0 -> inspect\n", "")).whole


def test_a_peering_scopes_both_its_vpcs():
    peered = TWO + "peer ab a -> b\n"
    s = _scope(TWO, peered)
    assert s.ends >= {"x", "y", "z"}


def test_a_change_of_order_alone_traces_every_pair():
    moved = TWO.replace("  sg g { in tcp 22 from 10.0.0.0/8 }\n  sg h { in tcp 443 from 0.0.0.0/0 }\n",
                        "  sg h { in tcp 443 from 0.0.0.0/0 }\n  sg g { in tcp 22 from 10.0.0.0/8 }\n")
    d = diff(model(TWO), model(moved))
    assert not d.objects and not d.same_behaviour and d.traced is None      # every pair traced


def test_members_in_another_order_change_their_vpc():
    moved = TWO.replace("  instance x in sa sg g public-ip\n  instance y in sb sg h public-ip\n",
                        "  instance y in sb sg h public-ip\n  instance x in sa sg g public-ip\n")
    s = _scope(TWO, moved + "\nplacement p cluster { x }\n")
    assert s.ends == {"x", "y"}
