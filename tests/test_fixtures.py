"""Golden fixtures: tests/fixtures/<case>.vpc beside its expected outputs.

- `<case>.diag.txt`: the rendered diagnostics (what `vpcdsl check` prints for them);
- `<case>.model.json`: the resolved model (`vpcdsl dump`).

Regenerate after an intended change with `UPDATE_GOLDEN=1 make test` and
review the diff. Fixtures are compiled under their bare file name so the
goldens do not depend on where the repository lives.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.api import compile_sources
from vpcdsl.diagnostics import CODES, render_all

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(FIXTURES.glob("*.vpc"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _compile(path: Path):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        # E004 fixtures hold bytes that are not UTF-8: read them as the CLI does,
        # from the fixture directory so that the golden names the bare file
        with contextlib.chdir(path.parent):
            return vpcdsl.load_paths([path.name])
    return compile_sources({path.name: text}, path=path.name)


def _golden(path: Path, actual: str):
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"missing golden {path.name}; run with UPDATE_GOLDEN=1 to create it")
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture(case: Path):
    model = _compile(case)
    diag = case.with_suffix(".diag.txt")
    dump = case.with_suffix(".model.json")
    assert diag.exists() or dump.exists() or UPDATE, f"{case.name} has no expected output"
    if diag.exists() or (UPDATE and not dump.exists()):
        _golden(diag, render_all(model.diagnostics, model.sources) + "\n")
    if dump.exists():
        _golden(dump, json.dumps(model.to_dict(), indent=2) + "\n")


# Codes no valid model produces, each with the test that makes it on purpose: W900 (a flow
# the walk does not simulate) is a safety net since issue 11 answers every expectation; the
# checks reject every end and route target that has no hop handler.
NO_FIXTURE = {"W900": "tests/test_reach_ipv6.py::test_a_flow_the_walk_cannot_simulate_is_w900"}


def test_every_code_has_a_fixture():
    """Each diagnostic code is produced by a fixture named after it, at a pinned line:col
    (here, or in fixtures/lint/ with its near miss: tests/test_lint.py), or is listed in
    NO_FIXTURE with the test that produces it."""
    missing = []
    for code in (c for c in CODES if c not in NO_FIXTURE):
        cases = list(FIXTURES.glob(f"{code.lower()}-*.vpc")) + list((FIXTURES / "lint").glob(f"{code.lower()}-*.vpc"))
        if not cases:
            missing.append(code)
            continue
        for case in cases:
            text = case.with_suffix(".diag.txt").read_text(encoding="utf-8")
            assert re.search(rf"^{re.escape(case.name)}:\d+:\d+: \w+\[{code}\]", text, re.M), (
                f"{case.name} does not produce {code}")
    assert not missing, f"codes without a fixture: {missing}"


def test_model_is_deterministic():
    for case in CASES[:20]:
        a = _compile(case)
        b = _compile(case)
        assert render_all(a.diagnostics, a.sources) == render_all(b.diagnostics, b.sources)
        if a.syntax_ok:
            assert json.dumps(a.to_dict()) == json.dumps(b.to_dict())
