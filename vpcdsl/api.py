"""The public API, json-module style: `load`, `loads`, and each stage on its own.

>>> m = loads("vpc a {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n}")
>>> m.subnets["s"].zone
'us-east-1a'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Iterable

from .diagnostics import Diagnostic, VpcdslError, error, has_errors, sorted_diagnostics, without_ignored
from .gcpause import paused_gc
from .model.network import Model
from .model.resolve import resolve
from .span import Span
from .syntax import ast
from .syntax.parser import parse, parse_to_tree  # noqa: F401  (re-exported stage)

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
    paths = list(paths)
    sources: dict[str, str] = {}
    shown: dict[str, str] = {}  # undecodable files, decoded leniently to show where
    problems: list[Diagnostic] = []
    label = ", ".join(str(p) for p in paths)
    for path in paths:
        p = Path(path)
        try:
            is_dir = p.is_dir()
            files = sorted(f for f in p.glob("*.vpc") if f.is_file()) if is_dir else [p]
        except OSError as exc:  # e.g. a name too long to stat
            problems.append(_unreadable(p, exc.strerror or str(exc)))
            continue
        if is_dir and not files:
            problems.append(error("E004", f"directory '{p}' holds no .vpc file", _file_start(str(p)),
                                  "give a .vpc file, or a directory that holds some"))
        for f in files:
            try:
                data = f.read_bytes()
            except OSError as exc:
                problems.append(_unreadable(f, exc.strerror or str(exc)))
                continue
            try:
                # utf-8-sig: editors on Windows start UTF-8 files with a byte order mark.
                sources[str(f)] = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                problems.append(_not_utf8(str(f), data, exc))
                shown[str(f)] = data.decode("utf-8", errors="replace")
    model = compile_sources(sources, path=label, problems=problems)
    model.sources.update(shown)
    return model


def _file_start(name: str) -> Span:
    return Span(name, 1, 1, 1, 1)


def _unreadable(path: Path, reason: str) -> Diagnostic:
    return error("E004", f"cannot read '{path}': {reason}", _file_start(str(path)),
                 "check the path and its permissions")


def _not_utf8(name: str, data: bytes, exc: UnicodeDecodeError) -> Diagnostic:
    """Point at the first byte that is not UTF-8, by line and column."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    col = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
    return error("E004", f"'{name}' is not UTF-8 text (byte 0x{data[exc.start]:02x})",
                 Span(name, line, col, line, col + 1), "save the file as UTF-8")


def compile_sources(sources: dict[str, str], *, path: str, problems: Iterable[Diagnostic] = ()) -> Model:
    """Parse, resolve and check; never raises for bad input (see `Model.diagnostics`).

    ``problems`` are errors found before parsing (files that could not be read);
    like syntax errors, they stop the semantic checks.
    """
    with paused_gc():  # see vpcdsl.gcpause
        return _compile(sources, path, problems)


def _compile(sources: dict[str, str], path: str, problems: Iterable[Diagnostic]) -> Model:
    files: list[ast.File] = []
    diagnostics: list[Diagnostic] = list(problems)
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
    """Run every static check and evaluate expectations; diagnostics land on the model.

    Warnings silenced by a ``# vpcdsl: ignore CODE`` comment on their line are dropped.
    """
    from .analysis.expectations import evaluate
    from .checks import run_all

    model.diagnostics.extend(run_all(model))
    model.diagnostics = sorted_diagnostics(model.diagnostics)
    model.expectation_results = evaluate(model)
    model.diagnostics = without_ignored(sorted_diagnostics(model.diagnostics), model.sources)
    return model.diagnostics


def _finish(model: Model, strict: bool) -> Model:
    if strict and has_errors(model.diagnostics):
        raise VpcdslError(model.diagnostics, model.sources)
    return model
