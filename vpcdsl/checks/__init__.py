"""Static checks: every AWS rule that needs no flow simulation.

Each module exposes ``check(model) -> Iterable[Diagnostic]`` and reads only
the model; `run_all` runs them in a fixed order (determinism).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import import_module

from ..diagnostics import Diagnostic
from ..span import Span

MODULES = ("names", "addresses", "structure", "routing", "tgw_checks", "acls", "hybrid",
           "placement", "dns", "lb")


def run_all(model) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        found.extend(module.check(model))
    return found


def locate(model, within: Span, pattern: str) -> Span:
    """The span of the first match of ``pattern`` inside ``within`` (its group 1 if it has one).

    The AST keeps one span per node; a diagnostic about one token of it (a
    NACL rule's number, an `asn`) finds that token again in the source text.
    Matches never cross a line; without a match the whole span is returned.
    """
    lines = _lines(model.sources.get(within.file, ""))
    regex = _regex(pattern)
    for line in range(max(within.line, 1), min(within.end_line, len(lines)) + 1):
        text = lines[line - 1]
        start = within.col - 1 if line == within.line else 0
        end = within.end_col - 1 if line == within.end_line else len(text)
        m = regex.search(text, start, max(end, start))
        if m:
            g = 1 if regex.groups else 0
            return Span(within.file, line, m.start(g) + 1, line, m.end(g) + 1)
    return within


@lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    return text.splitlines()


@lru_cache(maxsize=64)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)
