"""Fuzzing: mutants of the examples are answered with diagnostics, never a traceback.

Hypothesis mutates each example (lines deleted, duplicated or swapped, tokens replaced
by other tokens of the file, numbers and CIDRs changed, random bytes — control
characters and non-UTF-8 included — inserted, the file truncated) and runs `check`,
`trace`, `render` (DOT) and `dump` through the command line's entry point, in process.
Each must return an exit code (0, 1 or 2) and print no Python traceback. Bounded:
derandomized, a fixed number of examples per command, no deadline.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from vpcdsl.views.cli import main

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.vpc"))
SOURCES = {p.name: p.read_bytes() for p in EXAMPLES}
TOKEN = re.compile(rb"[A-Za-z0-9_.:/-]+")
FLOWS = ["web-1 -> db-1 tcp/5432", "internet -> web-1 tcp/443", "app-1 -> hq tcp/22",
         "10.0.0.5 -> 10.1.0.5 udp/53"]


@st.composite
def mutants(draw) -> bytes:
    name = draw(st.sampled_from(sorted(SOURCES)))
    lines = SOURCES[name].split(b"\n")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, max(len(lines) - 1, 0)))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "token", "number", "bytes",
                                     "truncate"]))
        if not lines:
            break
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "token":
            tokens = TOKEN.findall(SOURCES[name])
            found = list(TOKEN.finditer(lines[i]))
            if found and tokens:
                m = draw(st.sampled_from(found))
                new = draw(st.sampled_from(tokens))
                lines[i] = lines[i][:m.start()] + new + lines[i][m.end():]
        elif kind == "number":
            digits = list(re.finditer(rb"\d+", lines[i]))
            if digits:
                m = draw(st.sampled_from(digits))
                new = str(draw(st.sampled_from([0, 1, 7, 32, 33, 255, 256, 65535, 65536,
                                                2 ** 32, 10 ** 30]))).encode()
                lines[i] = lines[i][:m.start()] + new + lines[i][m.end():]
        elif kind == "bytes":
            junk = draw(st.binary(min_size=1, max_size=6) | st.sampled_from(
                [b"\x1b[2J", b"\x00", b"\xff\xfe", b"{", b"}", b"\"", b"->", b"\t", b"\r"]))
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + junk + lines[i][at:]
        else:
            lines = lines[:i]
    return b"\n".join(lines)


def _answers(capsys, argv) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:          # argparse usage errors exit 2
        code = exc.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in out, err[-2000:]


COMMON = settings(max_examples=150, derandomize=True, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.function_scoped_fixture,
                                         HealthCheck.too_slow])


@pytest.mark.parametrize("command", ["check", "trace", "render", "dump"])
def test_every_mutant_gets_an_answer(command, tmp_path, capsys):
    @COMMON
    @given(source=mutants(), flow=st.sampled_from(FLOWS))
    def run(source: bytes, flow: str) -> None:
        path = tmp_path / "mutant.vpc"
        path.write_bytes(source)
        argv = {"check": ["check", str(path)], "trace": ["trace", str(path), flow],
                "render": ["render", str(path)], "dump": ["dump", str(path)]}[command]
        _answers(capsys, argv)

    run()
