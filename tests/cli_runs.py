"""Helpers shared by the tests of commands: `vpcdsl` run in-process, and golden files.

A golden file lives beside its inputs under tests/fixtures/; ``UPDATE_GOLDEN=1``
rewrites it from the actual output (then review the diff).
"""

from __future__ import annotations

import os
from pathlib import Path

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def run_cli(capsys, *argv):
    """``vpcdsl ARGV`` in-process: (exit code, stdout, stderr)."""
    from vpcdsl.views.cli import main
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_golden(path: Path, actual: str) -> None:
    """``actual`` equals the golden file at ``path`` (written first with UPDATE_GOLDEN=1)."""
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1 to create it"
    assert actual == path.read_text(encoding="utf-8")
