"""Hostile input: control characters in a model never reach the reader's terminal raw.

Compilers (rustc, clang) print a source line's control characters escaped; so
does vpcdsl, in diagnostics (text and JSON) and in what trace and dns print.
"""

import json
import subprocess
import sys

from vpcdsl.diagnostics import Diagnostic, escape_controls, render
from vpcdsl.span import Span

ESC_LINE = "  subnet s \x1b[2J\x07 10.0.0.0/24"


def _controls(text: str) -> list[str]:
    return [ch for ch in text if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f]


def test_escape_controls_shows_escapes_and_bidi_overrides():
    assert escape_controls("a\x1b[2Jb\x07\x9b") == "a\\x1b[2Jb\\x07\\x9b"
    assert escape_controls("x\u202ey") == "x\\u202ey"
    assert escape_controls("plain ascii, tabs aside") == "plain ascii, tabs aside"


def test_caret_stays_under_the_span_after_escaping():
    # The span is the ESC character (column 12); the caret covers its 4-character escape.
    d = Diagnostic("E002", "error", "unexpected character", Span("m.vpc", 1, 12, 1, 13), None)
    _, line, caret = render(d, ESC_LINE).splitlines()
    assert line == "  1 |   subnet s \\x1b[2J\\x07 10.0.0.0/24"
    assert caret.index("^") == line.index("\\x1b") and caret.count("^") == 4
    # A span after the escapes moves right by what the escapes added.
    d = Diagnostic("E101", "error", "bad", Span("m.vpc", 1, 18, 1, 29), None)
    _, line, caret = render(d, ESC_LINE).splitlines()
    assert line[caret.index("^"):caret.index("^") + 11] == "10.0.0.0/24"


def test_message_and_hint_are_escaped_too():
    d = Diagnostic("E002", "error", "bad \x1b]0;title\x07", Span("m.vpc", 1, 1, 1, 2), "hint \x1b[31m")
    text = render(d, "x")
    assert not _controls(text)
    assert "\\x1b]0;title\\x07" in text and "hint \\x1b[31m" in text


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "vpcdsl", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_check_prints_no_raw_control_character(tmp_path):
    model = tmp_path / "esc.vpc"
    model.write_text(f"region us-east-1\nvpc a {{\n  cidr 10.0.0.0/16\n{ESC_LINE}\n}}\n")
    text = _cli("check", str(model))
    assert text.returncode == 1 and "\\x1b[2J\\x07" in text.stdout
    assert not _controls(text.stdout + text.stderr)
    doc = _cli("check", "--json", str(model))
    assert not _controls(doc.stdout)
    json.loads(doc.stdout)


def test_version():
    out = _cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("vpcdsl ") and out.stdout.split()[1][0].isdigit()


def test_newlines_and_tabs_are_kept():
    assert escape_controls("a\tb\nc") == "a\tb\nc"
