"""Static checks: every AWS rule that needs no flow simulation.

Each module exposes ``check(model) -> Iterable[Diagnostic]`` and reads only
the model; `run_all` runs them in a fixed order (determinism).
"""

from __future__ import annotations

from importlib import import_module

from ..diagnostics import Diagnostic

MODULES = ("names", "addresses", "structure", "routing", "filters", "hybrid", "placement",
           "dns", "lb")


def run_all(model) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for name in MODULES:
        module = import_module(f"{__name__}.{name}")
        found.extend(module.check(model))
    return found
