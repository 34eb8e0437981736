"""The parse fast path (vpcdsl.syntax.lalr) must agree with Lark exactly.

It drives Lark's own tables, so on every input it either returns what Lark
returns (same AST, same literal diagnostics) or gives up where Lark raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput

from vpcdsl.syntax.grammar import build_parser
from vpcdsl.syntax.lalr import FastLalr, FastPathFailed
from vpcdsl.syntax.transform import AstBuilder

ROOT = Path(__file__).resolve().parent.parent
def _is_text(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:      # the fixture for undecodable input (E003): no text to parse
        return False
    return True


SOURCES = [p for p in sorted(ROOT.glob("examples/*.vpc")) + sorted((ROOT / "tests" / "fixtures").rglob("*.vpc"))
           if _is_text(p)]


@pytest.fixture(scope="module")
def parsers():
    builder = AstBuilder("t.vpc")
    lark = build_parser(transformer=builder)
    return lark, FastLalr(lark), builder


def _both(parsers, text):
    lark, fast, builder = parsers
    builder.diagnostics = []
    try:
        expected, lark_error = lark.parse(text), None
    except UnexpectedInput as exc:
        expected, lark_error = None, exc
    lark_diags, builder.diagnostics = builder.diagnostics, []
    try:
        got, fast_failed = fast.parse(text), False
    except FastPathFailed:
        got, fast_failed = None, True
    return expected, lark_error, lark_diags, got, fast_failed, builder.diagnostics


def _texts():
    out = []
    for path in SOURCES:
        try:
            out.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue
    return out


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_fast_path_agrees_with_lark_on_every_file(parsers, path):
    text = path.read_text(encoding="utf-8")
    expected, lark_error, lark_diags, got, fast_failed, fast_diags = _both(parsers, text)
    if lark_error is None:
        assert not fast_failed
        assert got == expected
        assert fast_diags == lark_diags
    else:
        assert fast_failed


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.sampled_from(_texts()), st.integers(0, 10_000), st.integers(0, 40),
       st.text(alphabet=" \n;{}->,:#abz019./@*\"[]", max_size=6))
def test_fast_path_agrees_with_lark_on_mutations(parsers, text, at, cut, insert):
    at %= len(text) + 1
    mutated = text[:at] + insert + text[at + cut:]
    expected, lark_error, lark_diags, got, fast_failed, fast_diags = _both(parsers, mutated)
    assert fast_failed == (lark_error is not None)
    if lark_error is None:
        assert got == expected
        assert fast_diags == lark_diags
