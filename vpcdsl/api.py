"""The public API, json-module style: `load`, `loads`, and each stage on its own.

>>> m = loads("vpc a {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n}")
>>> m.subnets["s"].zone
'us-east-1a'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Iterable

from . import ast
from .diagnostics import Diagnostic, VpcdslError, error, has_errors, sorted_diagnostics
from .model import Model
from .parse import parse, parse_to_tree  # noqa: F401  (re-exported stage)
from .resolve import resolve
from .span import Span

__all__ = ["load", "loads", "load_paths", "parse", "parse_to_tree", "compile", "check"]


def loads(text: str, *, filename: str = "<string>", strict: bool = True) -> Model:
    """Compile .vpc text. Raises `VpcdslError` on errors unless ``strict=False``."""
    return _finish(compile_sources({filename: text}, path=filename), strict)


def load(path_or_file: str | os.PathLike | IO[str], *, strict: bool = True) -> Model:
    """Compile a .vpc file, an open text file, or a directory of .vpc files (one model)."""
    if hasattr(path_or_file, "read"):
        name = getattr(path_or_file, "name", "<stream>")
        return loads(path_or_file.read(), filename=str(name), strict=strict)
    return _finish(load_paths([path_or_file]), strict)


def load_paths(paths: Iterable[str | os.PathLike]) -> Model:
    """One model from files and directories; unreadable files become E004 diagnostics."""
    sources: dict[str, str] = {}
    problems: list[Diagnostic] = []
    label = ", ".join(str(p) for p in paths)
    for path in paths:
        p = Path(path)
        files = sorted(p.glob("*.vpc")) if p.is_dir() else [p]
        if p.is_dir() and not files:
            problems.append(error("E004", f"directory '{p}' holds no .vpc file", Span(str(p), 0, 0, 0, 0)))
        for f in files:
            try:
                sources[str(f)] = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                problems.append(error("E004", f"cannot read '{f}': {reason}", Span(str(f), 0, 0, 0, 0),
                                      "check the path, and that the file is UTF-8 text"))
    model = compile_sources(sources, path=label)
    model.diagnostics[:0] = problems
    if problems:
        model.syntax_ok = False
    return model


def compile_sources(sources: dict[str, str], *, path: str) -> Model:
    """Parse, resolve and check; never raises for bad input (see `Model.diagnostics`)."""
    files: list[ast.File] = []
    diagnostics: list[Diagnostic] = []
    for name in sorted(sources):
        file, diags = parse(sources[name], name)
        diagnostics.extend(diags)
        if file is not None:
            files.append(file)
    syntax_ok = not has_errors(diagnostics) and len(files) == len(sources)
    if not syntax_ok:
        # Semantic checks on half a model would only add noise to the syntax errors.
        model = Model(path=path, files=tuple(files), sources=dict(sources))
        model.syntax_ok = False
        model.diagnostics = sorted_diagnostics(diagnostics)
        return model
    model = resolve(tuple(files), path=path, sources=dict(sources))
    model.diagnostics[:0] = diagnostics
    check(model)
    return model


compile = compile_sources  # noqa: A001  (the stage's name in the pipeline)


def check(model: Model) -> list[Diagnostic]:
    """Run every static check and evaluate expectations; diagnostics land on the model."""
    from .checks import run_all
    from .expect import evaluate

    model.diagnostics.extend(run_all(model))
    model.diagnostics = sorted_diagnostics(model.diagnostics)
    model.expectation_results = evaluate(model)
    model.diagnostics = sorted_diagnostics(model.diagnostics)
    return model.diagnostics


def _finish(model: Model, strict: bool) -> Model:
    if strict and has_errors(model.diagnostics):
        raise VpcdslError(model.diagnostics, model.sources)
    return model
