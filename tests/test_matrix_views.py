"""The matrix's views: `vpcdsl matrix` (golden text for three-tier at each level beside
tests/fixtures/matrix/, regenerated with ``UPDATE_GOLDEN=1``; JSON; usage errors), the
grouped text of a generated estate, the heat map's DOT (escaping, determinism), the HTML
display and ``%vpc matrix``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.matrix import Cell, matrix
from vpcdsl.views.matrix_dot import matrix_dot
from vpcdsl.views.matrix_view import groups, matrix_text, short_service
from vpcdsl.views.notebook.matrix_display import matrix_html
from cli_runs import check_golden, run_cli

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "fixtures" / "matrix"
LEVELS = ("subnet", "instance", "vpc")


def golden(name: str, actual: str) -> None:
    check_golden(HERE / name, actual)


_run = run_cli


@pytest.fixture(scope="module")
def three_tier():
    return vpcdsl.load(ROOT / "examples" / "three-tier.vpc")


@pytest.fixture(scope="module")
def estate(tmp_path_factory):
    """A generated estate of 214 subnets in 11 VPCs (benchmarks/generate.py, 3,000 lines)."""
    out = tmp_path_factory.mktemp("gen")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--lines", "3000",
                    "--out", str(out), "--no-tf"], check=True, capture_output=True)
    return vpcdsl.load(next(out.glob("*.vpc")))


@pytest.mark.parametrize("level", LEVELS)
def test_golden_text(level, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = _run(capsys, "matrix", "examples/three-tier.vpc", "--level", level)
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith(f"examples/three-tier.vpc: {level} matrix")
    assert matrix(vpcdsl.load(ROOT / "examples" / "three-tier.vpc"), level).note in out.splitlines()[0]
    golden(f"three-tier.{level}.txt", out)


def test_json_shape(capsys, monkeypatch, three_tier):
    monkeypatch.chdir(ROOT)
    code, out, _ = _run(capsys, "matrix", "examples/three-tier.vpc", "--level", "vpc", "--json")
    doc = json.loads(out)
    assert code == 0 and doc == matrix(three_tier, "vpc").to_dict()
    assert set(doc) == {"version", "level", "note", "ends", "services", "cells", "skipped"}
    assert doc["ends"] == ["prod", "shared"]
    for c in doc["cells"]:
        assert c["src"] in doc["ends"] and c["dst"] in doc["ends"] and len(c["pairs"]) == 2
        assert 0 <= c["allowed"] < len(doc["services"])


def test_usage_errors_are_one_line_and_exit_2(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    for argv, word in ((["--level", "region"], "unknown level 'region'"),
                       (["--format", "pdf"], "unknown format 'pdf'"),
                       (["--format", "png"], "PNG is not written to the terminal"),
                       (["--json", "--format", "dot"], "--json and --format")):
        code, out, err = _run(capsys, "matrix", "examples/three-tier.vpc", *argv)
        assert code == 2 and out == "" and word in err and "Traceback" not in err
        assert err.startswith("vpcdsl matrix: error: ") and "= hint:" in err
    code, _, err = _run(capsys, "matrix", "no-such-file.vpc")
    assert code == 2 and "E004" in err


def test_output_is_byte_identical_between_runs():
    runs = [subprocess.run([sys.executable, "-m", "vpcdsl", "matrix", "examples/hub-and-spoke.vpc", *extra],
                           cwd=ROOT, capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for extra in ([], ["--format", "dot"]) for seed in ("1", "2")]
    assert runs[0] == runs[1] and runs[2] == runs[3]


def test_dot_and_svg_files(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = _run(capsys, "matrix", "examples/three-tier.vpc", "--format", "dot")
    assert code == 0 and out.startswith("digraph matrix {") and "<TABLE" in out and "5432" in out
    assert "subnet ends are probes with no security group" in out
    svg = tmp_path / "m.svg"
    code, _, err = _run(capsys, "matrix", "examples/three-tier.vpc", "--format", "svg", "-o", str(svg))
    if code == 2 and "Graphviz" in err:
        pytest.skip("no Graphviz `dot`")
    assert code == 0 and svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def _hostile(m):
    """``m`` with its ends renamed to strings the grammar would refuse (NAME is
    [A-Za-z_][A-Za-z0-9_-]*): markup, DOT's own specials, control characters."""
    names = ['<b>x</b>', 'a&b "q"', "</TD></TR></TABLE>>", "\\N \\l", "esc\x1b[2J", "'; node [label=pwned]"]
    names = (names * (len(m.ends) // len(names) + 1))[:len(m.ends)]
    names = [f"{n}{k}" for k, n in enumerate(names)]
    return replace(m, ends=tuple(names), skipped=((names[0], names[1], "why <i>"),))


def test_dot_escapes_every_name(three_tier):
    plain = matrix_dot(matrix(three_tier, "subnet"))
    dot = matrix_dot(_hostile(matrix(three_tier, "subnet")), "a<b>.vpc")
    for raw in ("<b>x", '"q"', "\x1b"):
        assert raw not in dot
    assert dot.count("</TABLE>") == plain.count("</TABLE>") and "&lt;/TD&gt;&lt;/TR&gt;&lt;/TABLE&gt;&gt;2" in dot
    assert "&lt;b&gt;x&lt;/b&gt;0" in dot and "a&amp;b &quot;q&quot;1" in dot and "\\\\N \\\\l3" in dot
    try:
        import graphviz
        svg = graphviz.Source(dot).pipe(format="svg").decode("utf-8")
    except graphviz.ExecutableNotFound:
        pytest.skip("no Graphviz `dot`")
    assert "<b>" not in svg and "pwned" not in svg.split("<title>")[0]


def test_text_escapes_control_characters(three_tier):
    out = matrix_text(_hostile(matrix(three_tier, "subnet")))
    assert "\x1b" not in out and "esc\\x1b[2J4" in out


def test_html_escapes_and_is_deterministic(three_tier):
    m = matrix(three_tier, "instance")
    page = matrix_html(m)
    assert page == matrix_html(matrix(three_tier, "instance"))
    assert "<details>" in page and "tcp 5432" in page and "web-1 -&gt; db-1 tcp 5432" in page  # the witness
    assert m.note in page.replace("&#x27;", "'")
    # hostile names: no markup gets through (their witnesses cannot be traced, so none)
    bad = matrix_html(_hostile(m), witness=lambda s, d, status: None)
    assert "<b>x" not in bad and "&lt;b&gt;x&lt;/b&gt;" in bad and "\x1b" not in bad
    assert "why &lt;i&gt;" in bad


def test_html_at_vpc_level_has_subnet_witnesses(three_tier):
    page = matrix_html(matrix(three_tier, "vpc"))
    assert page.count("<details>") == 3 and page.count("vpcdsl-hops") == 3 and "subnets to each other" in page


def test_grouped_text_of_an_estate(estate):
    m = matrix(estate, "subnet")
    gs = groups(m)
    assert len(m.ends) > 40 and len(gs) < len(m.ends)
    assert sorted(i for g in gs for i in g.members) == list(range(len(m.ends)))
    # members of a group are exactly alike: rows and columns towards every other end
    for g in gs:
        for i in g.members[1:]:
            for x in range(len(m.ends)):
                if x not in (i, g.first):
                    assert m.cells.get((i, x)) == m.cells.get((g.first, x))
                    assert m.cells.get((x, i)) == m.cells.get((x, g.first))
    out = matrix_text(m)
    assert out == matrix_text(matrix(estate, "subnet"))
    lines = out.splitlines()
    assert "groups of equal rows and columns" in lines[1] and m.note in lines[0]
    assert len(lines) < 300 and max(len(x) for x in lines) < 200
    assert any(" +" in x and " -> " in x for x in lines)
    vpc = matrix_text(matrix(estate, "vpc")).splitlines()
    assert any(x.startswith(" 1 ") for x in vpc)          # the grid, one row per group


def test_short_service(three_tier):
    m = matrix(three_tier, "instance")
    every = (1 << len(m.classes)) - 1
    assert short_service(m, every) == "all"
    assert short_service(m, m.cell("web-1", "db-1").allowed) == "5432"
    assert short_service(m, 0) == ""


def test_model_matrix_is_the_engine(three_tier):
    assert three_tier.matrix("instance") == matrix(three_tier, "instance")


def test_magic_shows_the_heat_map_and_refuses_a_bad_level(three_tier):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    shell = InteractiveShell.instance()
    shell.display_formatter.active_types = ["text/plain", "text/html"]
    try:
        shell.run_line_magic("load_ext", "vpcdsl")
        shell.user_ns["tt"] = three_tier
        value = shell.run_line_magic("vpc", "matrix tt --level instance")
        data, _ = shell.display_formatter.format(value)
        assert "<details>" in data["text/html"] and "web-1" in data["text/html"]
        assert data["text/plain"] == matrix_text(value)
        with capture_output() as out:
            assert shell.run_line_magic("vpc", "matrix tt --level region") is None
        assert "invalid choice: 'region'" in out.outputs[0].data["text/plain"]
    finally:
        shell.user_ns.pop("tt", None)
        InteractiveShell.clear_instance()


def test_a_cell_absent_or_present_matches_the_grid(three_tier):
    m = matrix(three_tier, "subnet")
    row = next(x for x in matrix_text(m).splitlines() if x.startswith("5 db-a"))
    assert set(row.split()[2:]) == {"·", "—"}
    assert isinstance(m.cell("app-a", "db-a"), Cell)


def test_the_readme_example_is_what_the_command_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Every pair at once"):]
    start = section.index("```\nexamples/three-tier.vpc: subnet matrix") + len("```\n")
    shown = section[start:section.index("\n```", start)]
    code, out, _ = _run(capsys, "matrix", "examples/three-tier.vpc")
    assert code == 0 and out.rstrip("\n") == shown
