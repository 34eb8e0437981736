"""Helpers shared by the trace tests: inline models and checks of one flow.

A test writes a small model inline, traces one flow and checks the verdict,
the kind of the blocking component (and the component) and the deciding line
(`Trace.span`), found by a unique piece of the model's text so that the
models stay readable.
"""

from __future__ import annotations

import textwrap

import vpcdsl
from vpcdsl.flows.trace import Trace


def model(text: str, *, valid: bool = True) -> vpcdsl.Model:
    """Compile an inline model; ``valid`` asserts it has no error diagnostics."""
    m = vpcdsl.loads(textwrap.dedent(text), filename="t.vpc", strict=False)
    if valid:
        errors = [f"{d.code} {d.span.line}: {d.message}" for d in m.diagnostics
                  if d.severity == "error"]
        assert not errors, errors
    return m


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one line of ``text`` containing ``needle``."""
    hits = [i for i, ln in enumerate(textwrap.dedent(text).splitlines(), 1) if needle in ln]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def check(m: vpcdsl.Model, text: str, src: str, dst: str, proto: str, port, verdict: str,
          kind: str | None = None, component: str | None = None, at: str | None = None) -> Trace:
    """Trace one flow; check verdict, kind, component and deciding line (``at``: a needle)."""
    t = m.trace(src, dst, proto, port)
    assert t.verdict == verdict, t.table()
    assert t.kind == kind, t.table()
    if component is not None:
        assert t.component == component, t.table()
    if verdict == "blocked":
        assert t.span is not None and t.span.line > 0, f"no deciding line\n{t.table()}"
    if at is not None:
        assert t.span is not None and t.span.line == line_of(text, at), t.table()
    return t


def hops(t: Trace, back: bool = False) -> list[tuple[str, str]]:
    """(component, action) of every hop on the way there (or back)."""
    return [(h.component, h.action) for h in (t.back if back else t.forward)]


def hop(t: Trace, component: str, back: bool = False, last: bool = False):
    """The first (or last) hop of ``component`` on the way there (or back)."""
    found = [h for h in (t.back if back else t.forward) if h.component == component]
    assert found, f"no hop {component}\n{t.table()}"
    return found[-1] if last else found[0]
