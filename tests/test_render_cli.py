"""`vpcdsl render` and `vpcdsl.views.export`: formats, options, exit codes, atomic writes, no Graphviz.

Rendering to SVG, PNG and PDF needs Graphviz's `dot` (`make test` installs it;
without it those tests fail, never skip); DOT output and every error path do not. The missing-`dot` path
runs with PATH pointing at an empty directory, in-process and through
``python -m vpcdsl`` in a subprocess.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import vpcdsl
from vpcdsl.views.cli import main, parse_trace_spec
from vpcdsl.views.export import GraphvizNotFound, RenderError, export, format_of
from cli_runs import run_cli

ROOT = Path(__file__).resolve().parent.parent
THREE_TIER = ROOT / "examples" / "three-tier.vpc"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

WITH_ERRORS = """\
vpc a {
  cidr 10.0.0.0/16
  subnet s 10.1.0.0/24 az a
}
"""


run = run_cli


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture
def three_tier(monkeypatch):
    monkeypatch.chdir(ROOT)
    return "examples/three-tier.vpc"


@pytest.fixture
def no_dot(monkeypatch, tmp_path):
    """PATH is an empty directory: Graphviz's `dot` cannot be found."""
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


# ---------------------------------------------------------------- formats


def test_without_output_prints_dot_on_stdout(three_tier, capsys):
    code, out, err = run(capsys, "render", three_tier)
    assert code == 0 and err == ""
    assert "digraph" in out.split("{", 1)[0]
    assert out.rstrip().endswith("}")
    for name in ("public-a", "app-a", "db-a"):
        assert name in out


def test_dot_file_is_the_stdout_text_and_byte_identical_across_runs(three_tier, capsys, tmp_path):
    _, stdout_dot, _ = run(capsys, "render", three_tier)
    first, second = tmp_path / "a.dot", tmp_path / "b.dot"
    assert run(capsys, "render", three_tier, "-o", first)[0] == 0
    assert run(capsys, "render", three_tier, "--output", second)[0] == 0
    assert first.read_bytes() == second.read_bytes() == stdout_dot.encode("utf-8")
    assert files_in(tmp_path) == ["a.dot", "b.dot"]  # no temporary file left behind


def test_dot_on_stdout_is_utf8_whatever_the_terminal_encoding(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    proc = subprocess.run([sys.executable, "-m", "vpcdsl", "render", str(THREE_TIER)], capture_output=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert main(["render", str(THREE_TIER), "-o", str(tmp_path / "x.dot")]) == 0
    assert proc.stdout == (tmp_path / "x.dot").read_bytes()
    assert "→".encode("utf-8") in proc.stdout


def test_dot_output_equals_the_python_api(three_tier, capsys):
    from vpcdsl.views.render import dot_source
    _, out, _ = run(capsys, "render", three_tier, "--level", "vpc")
    assert out == dot_source(vpcdsl.load(THREE_TIER), level="vpc")


def test_svg_parses_as_xml_and_shows_every_subnet(three_tier, capsys, tmp_path):
    out = tmp_path / "three-tier.svg"
    code, stdout, err = run(capsys, "render", three_tier, "-o", out)
    assert (code, stdout, err) == (0, "", "")
    root = ET.fromstring(out.read_bytes())
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    model = vpcdsl.load(THREE_TIER)
    for name, subnet in model.subnets.items():
        assert name in text
        assert str(subnet.cidr.net) in text
    assert files_in(tmp_path) == ["three-tier.svg"]


def test_png_has_the_png_magic_bytes(three_tier, capsys, tmp_path):
    out = tmp_path / "three-tier.png"
    assert run(capsys, "render", three_tier, "-o", out)[0] == 0
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_pdf_and_an_upper_case_suffix(three_tier, capsys, tmp_path):
    out = tmp_path / "THREE-TIER.PDF"
    assert run(capsys, "render", three_tier, "-o", out)[0] == 0
    assert out.read_bytes().startswith(b"%PDF-")


def test_svg_replaces_an_existing_file(three_tier, capsys, tmp_path):
    out = tmp_path / "net.svg"
    out.write_text("old")
    assert run(capsys, "render", three_tier, "-o", out)[0] == 0
    assert out.read_bytes().lstrip().startswith((b"<?xml", b"<svg"))


def test_written_file_gets_the_usual_permissions(three_tier, capsys, tmp_path):
    out = tmp_path / "net.dot"
    assert run(capsys, "render", three_tier, "-o", out)[0] == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.svg.txt"])
def test_unknown_output_format_is_a_usage_error(three_tier, capsys, tmp_path, name):
    code, out, err = run(capsys, "render", three_tier, "-o", tmp_path / name)
    assert code == 2 and out == ""
    assert "cannot tell the output format" in err and ".svg, .png, .pdf, .dot" in err
    assert files_in(tmp_path) == []


def test_format_of():
    assert [format_of(p) for p in ("a.svg", "b.PNG", "c.d/e.pdf", "x.dot")] == ["svg", "png", "pdf", "dot"]
    with pytest.raises(RenderError):
        format_of("a.gif")


# ---------------------------------------------------------------- options


def test_levels_change_the_drawing(three_tier, capsys):
    outputs = {}
    for level in ("region", "vpc", "subnet", "instance"):
        code, out, err = run(capsys, "render", three_tier, "--level", level)
        assert code == 0 and err == ""
        outputs[level] = out
    assert outputs["region"] != outputs["subnet"] != outputs["instance"]
    assert "web-1" in outputs["instance"]


def test_cli_choices_are_the_renderer_s():
    # The CLI keeps its own copy so `vpcdsl check` need not import the renderer.
    from vpcdsl.views import cli, render
    assert cli.LEVELS == render.LEVELS
    assert render.ROUTE_STYLES == ("labels", "edges")


def test_default_level_is_subnet(three_tier, capsys):
    assert run(capsys, "render", three_tier)[1] == run(capsys, "render", three_tier, "--level", "subnet")[1]


def test_unknown_level_is_a_usage_error(three_tier, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["render", three_tier, "--level", "az"])
    assert exc.value.code == 2
    assert "invalid choice: 'az'" in capsys.readouterr().err


def test_routes_as_edges_change_the_drawing(three_tier, capsys):
    _, labels, _ = run(capsys, "render", three_tier, "--routes", "labels")
    code, edges, _ = run(capsys, "render", three_tier, "--routes", "edges")
    assert code == 0 and edges != labels


def test_focus_draws_a_neighbourhood(three_tier, capsys):
    _, full, _ = run(capsys, "render", three_tier)
    code, focused, err = run(capsys, "render", three_tier, "--focus", "db-a")
    assert code == 0 and err == ""
    assert focused != full and "db-a" in focused


def test_unknown_focus_is_a_usage_error(three_tier, capsys):
    code, out, err = run(capsys, "render", three_tier, "--focus", "no-such-thing")
    assert code == 2 and out == ""
    assert "no-such-thing" in err and "Traceback" not in err


# ---------------------------------------------------------------- --trace


def test_trace_overlay_renders_a_blocked_flow_and_exits_0(three_tier, capsys):
    _, plain, _ = run(capsys, "render", three_tier)
    code, traced, err = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432")
    assert code == 0 and err == ""
    assert traced != plain


def test_trace_repeated_overlays_several_flows(three_tier, capsys):
    _, one, _ = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432")
    code, two, err = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432",
                         "--trace", "web-1 -> db-1 tcp/5432")
    assert code == 0 and err == ""
    assert "trace__blocked1 " in two and "<B>1.1</B>" in two and "<B>2.1</B>" in two and "<B>1.1</B>" not in one
    assert "trace__blocked1 " in one and "<B>1</B>" in one
    code, _, err = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432", "--trace", "ci-1 -> nope tcp/1")
    assert code == 2 and "nope" in err and "Traceback" not in err


@pytest.mark.parametrize("spec", ["ci-1 db-1 tcp/5432", "ci-1->db-1 tcp/5432", "  ci-1 ->  db-1   tcp 5432 "])
def test_trace_spec_spellings_give_the_same_drawing(three_tier, capsys, spec):
    _, expected, _ = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432")
    code, out, _ = run(capsys, "render", three_tier, "--trace", spec)
    assert code == 0 and out == expected


@pytest.mark.parametrize("spec", ["", "ci-1 -> db-1", "ci-1 -> tcp/5432", "ci-1 -> db-1 -> x tcp/5432",
                                  "a b c d e", "-> ci-1 db-1 tcp/5432"])
def test_bad_trace_spec_is_a_usage_error_with_a_hint(capsys, tmp_path, spec):
    # Reported before the model is read: the file does not even exist.
    code, out, err = run(capsys, "render", tmp_path / "missing.vpc", "--trace", spec)
    assert code == 2 and out == ""
    assert "cannot read --trace" in err
    assert 'hint: write it as "SRC -> DST PROTO/PORT"' in err


def test_unknown_trace_end_is_a_usage_error_with_did_you_mean(three_tier, capsys, tmp_path):
    out_file = tmp_path / "x.dot"
    code, out, err = run(capsys, "render", three_tier, "--trace", "ci1 -> db-1 tcp/5432", "-o", out_file)
    assert code == 2 and out == ""
    assert "unknown flow end 'ci1'" in err and "did you mean 'ci-1'?" in err
    assert not out_file.exists()


@pytest.mark.parametrize("flow", ["bogus/1", "tcp/70000", "tcp"])
def test_bad_trace_protocol_is_a_usage_error(three_tier, capsys, flow):
    code, out, err = run(capsys, "render", three_tier, "--trace", f"ci-1 -> db-1 {flow}")
    assert code == 2 and out == "" and "error" in err and "Traceback" not in err


def test_parse_trace_spec():
    assert parse_trace_spec("web-1 -> db-1 tcp/5432") == ("web-1", "db-1", "tcp/5432")
    assert parse_trace_spec("internet->web-1 tcp 443") == ("internet", "web-1", "tcp", "443")
    assert parse_trace_spec("10.0.0.5 -> 10.1.0.0/24 icmp") == ("10.0.0.5", "10.1.0.0/24", "icmp")
    assert parse_trace_spec("web-1 db-1") is None
    assert parse_trace_spec("web-1 -> db-1 -> x tcp/1") is None


# ---------------------------------------------------------------- exit codes


def test_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "render", tmp_path / "nope.vpc", "-o", tmp_path / "x.svg")
    assert code == 2 and out == ""
    assert "E004" in err
    assert files_in(tmp_path) == []


def test_model_with_errors_exits_1_with_the_diagnostics(capsys, tmp_path):
    src = tmp_path / "bad.vpc"
    src.write_text(WITH_ERRORS)
    code, out, err = run(capsys, "render", src, "-o", tmp_path / "bad.dot")
    assert code == 1 and out == ""
    assert "error[E104]" in err and "has errors; fix them first" in err
    assert files_in(tmp_path) == ["bad.vpc"]


def test_unwritable_output_directory_exits_2(three_tier, capsys, tmp_path):
    code, out, err = run(capsys, "render", three_tier, "-o", tmp_path / "no" / "such" / "dir.dot")
    assert code == 2 and out == ""
    assert "cannot write" in err and "Traceback" not in err


# ---------------------------------------------------------------- no Graphviz


@pytest.mark.parametrize("suffix", ["svg", "png", "pdf"])
def test_without_dot_rendering_exits_2_naming_the_debian_package(three_tier, capsys, tmp_path, no_dot, suffix):
    out = tmp_path / f"net.{suffix}"
    code, stdout, err = run(capsys, "render", three_tier, "-o", out)
    assert code == 2 and stdout == ""
    assert "Debian package `graphviz`" in err and "apt-get install graphviz" in err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert not out.exists()
    assert files_in(tmp_path) == ["empty-path"]


def test_without_dot_a_failed_render_keeps_the_old_file(three_tier, capsys, tmp_path, no_dot):
    out = tmp_path / "net.svg"
    out.write_bytes(b"old")
    assert run(capsys, "render", three_tier, "-o", out)[0] == 2
    assert out.read_bytes() == b"old"
    assert files_in(tmp_path) == ["empty-path", "net.svg"]


def test_without_dot_dot_output_still_works(three_tier, capsys, tmp_path, no_dot):
    out = tmp_path / "net.dot"
    assert run(capsys, "render", three_tier, "-o", out)[0] == 0
    code, stdout, _ = run(capsys, "render", three_tier)
    assert code == 0 and out.read_text(encoding="utf-8") == stdout


def test_without_dot_a_traced_dot_is_a_usage_error(three_tier, capsys, tmp_path, no_dot):
    # a traced drawing's DOT is laid out: it takes `dot`, and says so
    from vpcdsl.views import layout, overlay_dot
    layout.cache_clear()                 # a layout made earlier in this process would need no `dot`
    overlay_dot.measure.cache_clear()
    out = tmp_path / "net.dot"
    for argv in (["-o", out], []):
        code, stdout, err = run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432", *argv)
        assert code == 2 and stdout == "" and "Traceback" not in err
        assert "DOT of a traced diagram" in err and "Debian package `graphviz`" in err and "leave out the trace" in err
    assert not out.exists()


def test_traced_png_and_its_dot_render_the_same(three_tier, capsys, tmp_path):
    assert run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432", "-o", tmp_path / "t.svg")[0] == 0
    assert run(capsys, "render", three_tier, "--trace", "ci-1 -> db-1 tcp/5432", "-o", tmp_path / "t.dot")[0] == 0
    again = subprocess.run(["neato", "-n2", "-Tsvg", str(tmp_path / "t.dot")], capture_output=True, timeout=120)
    assert again.returncode == 0 and again.stdout == (tmp_path / "t.svg").read_bytes()


def test_without_dot_in_a_subprocess(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    proc = subprocess.run([sys.executable, "-m", "vpcdsl", "render", str(THREE_TIER), "-o", str(tmp_path / "n.png")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("vpcdsl render: error: cannot render PNG: Graphviz's `dot` program is not on PATH")
    assert "Debian package `graphviz`" in lines[0]
    assert lines[1].startswith("  = hint: install it: `sudo apt-get install graphviz`")
    assert len(lines) == 2
    assert files_in(tmp_path) == ["bin"]


def test_python_export_raises_graphviz_not_found(tmp_path, no_dot):
    model = vpcdsl.load(THREE_TIER)
    with pytest.raises(GraphvizNotFound) as exc:
        export(model, tmp_path / "net.png")
    # Also graphviz's own exception, for code written against the graphviz package.
    assert isinstance(exc.value, graphviz.ExecutableNotFound)
    assert "graphviz" in str(exc.value) and "apt-get install graphviz" in exc.value.hint
    assert files_in(tmp_path) == ["empty-path"]
    assert export(model, tmp_path / "net.dot") == tmp_path / "net.dot"


# ---------------------------------------------------------------- atomic writes


def test_a_failing_write_leaves_no_file_behind(three_tier, capsys, tmp_path, monkeypatch):
    import vpcdsl.views.export as export_module

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_module.os, "replace", broken_replace)
    out = tmp_path / "net.dot"
    code, _, err = run(capsys, "render", three_tier, "-o", out)
    assert code == 2 and "cannot write" in err and "No space left on device" in err
    assert files_in(tmp_path) == []


def test_a_crashing_render_leaves_no_file_behind(tmp_path, monkeypatch):
    import vpcdsl.views.render as render_module

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(render_module, "dot_source", boom)
    monkeypatch.setattr(render_module, "diagram", boom)
    model = vpcdsl.load(THREE_TIER)
    for name in ("net.dot", "net.svg"):
        with pytest.raises(RuntimeError, match="boom"):
            export(model, tmp_path / name)
    assert files_in(tmp_path) == []


def test_a_failing_dot_is_a_render_error(tmp_path, monkeypatch):
    """`dot` itself fails (here: a fake `dot` that exits 1): one clear error, no file."""
    fake = tmp_path / "bin"
    fake.mkdir()
    script = fake / "dot"
    script.write_text("#!/bin/sh\necho 'Error: something broke' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(fake))
    out = tmp_path / "net.svg"
    with pytest.raises(RenderError, match="something broke"):
        export(vpcdsl.load(THREE_TIER), out)
    assert not out.exists() and files_in(tmp_path) == ["bin"]


# ---------------------------------------------------------------- the README


def _readme_diagrams() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Diagrams"):readme.index("## Python")]


def _readme_render_commands() -> list[list[str]]:
    """The arguments of every `vpcdsl render` line of the README's Diagrams section."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", _readme_diagrams(), re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:2] == ["vpcdsl", "render"]:
                commands.append(words[1:words.index(">")] if ">" in words else words[1:])
    return commands


README_COMMANDS = _readme_render_commands()


def test_readme_shows_render_commands_and_images():
    assert len(README_COMMANDS) >= 5
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", _readme_diagrams())
    assert "docs/images/three-tier.png" in images
    for image in images:
        assert (ROOT / image).read_bytes().startswith(PNG_MAGIC), image


@pytest.mark.parametrize("argv", README_COMMANDS, ids=[" ".join(a) for a in README_COMMANDS])
def test_readme_render_commands_work(argv, three_tier, capsys, tmp_path):
    argv = list(argv)
    if "-o" in argv:
        i = argv.index("-o") + 1
        argv[i] = str(tmp_path / argv[i])
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert files_in(tmp_path) == ([Path(argv[argv.index("-o") + 1]).name] if "-o" in argv else [])


def test_readme_python_export_example(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = vpcdsl.load(THREE_TIER)
    export(model, "net.png", level="vpc", trace=model.trace("ci-1", "db-1", "tcp/5432"))
    assert (tmp_path / "net.png").read_bytes().startswith(PNG_MAGIC)
