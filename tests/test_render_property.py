"""Property tests for the later stages: any model that compiles draws and traces without crashing.

The models are the examples (and, for drawing, the fixtures) with a few
random edits (`test_property.mutated`), so they meet unknown names, duplicates, clashing
CIDRs and half-written statements. Whatever the model, `dot_source` gives
DOT at every level, Graphviz lays it out, and tracing a flow between any two
of its names either gives a verdict or raises `FlowError` (never another
exception), and that trace draws as an overlay.
"""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import vpcdsl
from vpcdsl.views.render import LEVELS, dot_source
from vpcdsl.flows.trace import FlowError

from test_property import EXAMPLE_SEEDS, PROFILE, mutated

FLOWS = ("tcp/22", "tcp/443", "udp/53", "icmp", "tcp/5432")


def _model(text: str) -> vpcdsl.Model:
    return vpcdsl.loads(text, filename="f.vpc", strict=False)


@pytest.mark.slow
@settings(max_examples=250, **PROFILE)
@given(mutated())
def test_every_model_draws_at_every_level(text):
    model = _model(text)
    for level in LEVELS:
        src = dot_source(model, level=level)
        assert src.startswith("digraph vpcdsl {\n") and src.endswith("}\n")
        assert src == dot_source(model, level=level)           # deterministic


@pytest.mark.slow
@settings(max_examples=25, **PROFILE)
@given(mutated(EXAMPLE_SEEDS))
def test_graphviz_lays_out_every_model(text):
    src = dot_source(_model(text))
    proc = subprocess.run(["dot", "-Tplain"], input=src, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Error" not in proc.stderr and "syntax error" not in proc.stderr, proc.stderr


@pytest.mark.slow
@settings(max_examples=250, **PROFILE)
@given(mutated(EXAMPLE_SEEDS, max_edits=2), st.data())
def test_any_flow_traces_or_says_why_not_and_draws(text, data):
    model = _model(text)
    if model.errors:                  # `vpcdsl trace` refuses models with errors; so does this
        return
    names = sorted({*model.objects, "internet"})
    src = data.draw(st.sampled_from(names))
    dst = data.draw(st.sampled_from(names + ["8.8.8.8", "10.0.0.5", "s3"]))
    flow = data.draw(st.sampled_from(FLOWS))
    try:
        trace = model.trace(src, dst, flow)
    except FlowError as exc:
        assert str(exc)
        return
    assert trace.verdict in ("allowed", "blocked")
    if trace.verdict == "blocked":
        assert trace.kind and trace.reason
    assert "digraph vpcdsl" in dot_source(model, trace=trace)
