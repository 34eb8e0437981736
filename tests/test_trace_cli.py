"""`vpcdsl trace`, expectations evaluated by `vpcdsl check`, and golden traces.

The golden traces are the traces of every concrete flow expectation of each
example (tests/golden/traces/<example>.trace.json); regenerate them with
UPDATE_GOLDEN=1 after an intended change and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from vpcdsl.syntax import ast
from vpcdsl.api import compile_sources
from vpcdsl.analysis.expectations import concrete, flow_args
from vpcdsl.flows.trace import NotSimulated
from cli_runs import run_cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.vpc"))
GOLDEN = ROOT / "tests" / "golden" / "traces"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


run = run_cli


@pytest.fixture
def three_tier(monkeypatch):
    monkeypatch.chdir(ROOT)
    return "examples/three-tier.vpc"


def test_trace_prints_the_hop_table_and_exits_0_when_allowed(three_tier, capsys):
    code, out, _ = run(capsys, "trace", three_tier, "web-1", "db-1", "tcp/5432")
    assert code == 0
    assert "verdict: ALLOWED" in out
    assert "nacl db in rule 100 allow  [examples/three-tier.vpc:31]" in out
    assert "return:" in out


def test_trace_exits_1_when_blocked_and_names_the_rule(three_tier, capsys):
    code, out, _ = run(capsys, "trace", three_tier, "ci-1", "db-1", "tcp/5432")
    assert code == 1
    assert "verdict: BLOCKED by nacl (nacl:db)" in out
    assert "[examples/three-tier.vpc:30]" in out


def test_trace_json_shape(three_tier, capsys):
    code, out, _ = run(capsys, "trace", "--json", three_tier, "web-1", "db-1", "tcp/5432")
    doc = json.loads(out)
    assert code == 0
    assert list(doc) == ["version", "flow", "verdict", "kind", "component", "reason", "forward", "return"]
    assert doc["version"] == 1 and doc["verdict"] == "allowed"
    for hop in doc["forward"] + doc["return"]:
        assert list(hop) == ["component", "kind", "action", "detail", "packet", "file", "line", "col"]
        assert set(hop["packet"]) == {"src", "dst", "protocol", "port"}
    assert doc["forward"][-1]["component"] == "instance:db-1"


def test_trace_unknown_name_gets_did_you_mean(three_tier, capsys):
    code, out, err = run(capsys, "trace", three_tier, "web1", "db-1", "tcp/5432")
    assert code == 2 and out == ""
    assert "unknown flow end 'web1'" in err and "did you mean 'web-1'?" in err
    assert "Traceback" not in err


def test_trace_did_you_mean_names_every_equally_close_end(three_tier, capsys):
    # 'db-2' is as close to the instance db-1 as to the subnet db-a: both are offered
    code, _, err = run(capsys, "trace", three_tier, "ci-1", "db-2", "tcp/5432")
    assert code == 2 and "did you mean 'db-1' or 'db-a'?" in err


@pytest.mark.parametrize("flow", ["tcp", "tcp/http", "bogus/1", "tcp/70000"])
def test_trace_bad_flow_is_a_usage_error(three_tier, capsys, flow):
    code, _, err = run(capsys, "trace", three_tier, "web-1", "db-1", flow)
    assert code == 2 and "error" in err and "Traceback" not in err


def test_trace_refuses_a_model_with_errors(tmp_path, capsys):
    bad = tmp_path / "bad.vpc"
    bad.write_text("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.1.0.0/24 az a\n}\n")
    code, _, err = run(capsys, "trace", str(bad), "s", "internet", "tcp/443")
    assert code == 2 and "E104" in err


def test_check_evaluates_concrete_expectations(tmp_path, capsys):
    path = tmp_path / "m.vpc"
    path.write_text(
        "vpc prod {\n cidr 10.0.0.0/16\n subnet a 10.0.1.0/24 az a\n subnet b 10.0.2.0/24 az a\n"
        " sg web { in tcp 443 from 0.0.0.0/0 }\n sg db { in tcp 5432 from web }\n"
        " instance web-1 in a sg web\n instance db-1 in b sg db\n}\n"
        "expect web-1 -> db-1 tcp 5432 allowed\n"
        "expect web-1 -> db-1 tcp 22 blocked by sg\n"
        "expect web-1 -> db-1 tcp 22 blocked by nacl\n"
        "expect web-1 -> db-1 tcp 1-100 blocked\n"
        "expect 10.0.1.0/24 -> db-1 tcp 1-100 blocked\n")
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert f"{path}:10: expect passed" in out
    assert f"{path}:11: expect passed" in out
    assert f"{path}:12: expect failed" in out and "verdict: BLOCKED by sg (sg:db)" in out
    assert f"{path}:13: expect passed" in out              # a port range, class by class
    assert f"{path}:14: expect passed" in out              # a CIDR end, piece by piece
    code, out, _ = run(capsys, "check", "--json", str(path))
    results = json.loads(out)["models"][0]["expectations"]
    assert [r["status"] for r in results] == ["passed", "passed", "failed", "passed", "passed"]
    assert results[2]["detail"]["verdict"] == "blocked" and results[2]["detail"]["kind"] == "sg"
    assert results[2]["detail"]["forward"][-1]["line"] == 6


def _example_traces(path: Path) -> list[dict]:
    # Compiled under its repository-relative name, so the goldens hold no absolute paths.
    name = f"examples/{path.name}"
    model = compile_sources({name: path.read_text(encoding="utf-8")}, path=name)
    out = []
    for exp in model.expectations:
        if isinstance(exp, ast.ExpectFlow) and concrete(exp.protocol):
            src, dst, proto, port = flow_args(exp)
            try:
                t = model.trace(src, dst, proto, port or None)
            except NotSimulated as exc:
                out.append({"line": exp.span.line, "not-simulated": str(exc)})
                continue
            out.append({"line": exp.span.line, **t.to_dict()})
    return out


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_golden_traces_of_the_examples(path):
    actual = json.dumps(_example_traces(path), indent=2) + "\n"
    golden = GOLDEN / f"{path.stem}.trace.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run with UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8")


def test_traces_are_deterministic():
    path = ROOT / "examples" / "three-tier.vpc"
    assert _example_traces(path) == _example_traces(path)


def test_trace_from_every_address_suggests_internet(three_tier, capsys):
    """0.0.0.0/0 holds the model's own private addresses too: a trace from it is refused
    with the hint that a host on the internet is written `internet`."""
    code, out, err = run(capsys, "trace", three_tier, "0.0.0.0/0 -> web-alb tcp/443")
    assert code == 2 and out == ""
    assert "for a host on the internet write `internet`" in err and "Traceback" not in err
