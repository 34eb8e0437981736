"""Expectations: `expect valid` is evaluated here; flow, isolation and DNS
expectations are reported `not-evaluated` (W900) until their analyses land."""

from __future__ import annotations

from . import ast
from .diagnostics import error, warning


def evaluate(model) -> list[dict]:
    results = []
    for exp in model.expectations:
        line = exp.span.line
        text = _source_line(model, exp.span)
        if isinstance(exp, ast.ExpectValid):
            errors = [d for d in model.diagnostics if d.severity == "error"]
            if errors:
                status, detail = "failed", f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
                model.diagnostics.append(error("E901", "expectation failed: the model has errors",
                                               exp.span, f"first: {errors[0].span}: {errors[0].message}"))
            else:
                status, detail = "passed", None
        else:
            status, detail = "not-evaluated", "this kind of expectation is not evaluated yet"
            model.diagnostics.append(warning(
                "W900", "expectation not evaluated yet", exp.span,
                "flow, isolation and DNS expectations are evaluated once their analyses land"))
        results.append({"file": exp.span.file, "line": line, "text": text, "status": status, "detail": detail})
    return results


def _source_line(model, span) -> str:
    src = model.sources.get(span.file, "")
    lines = src.splitlines()
    return lines[span.line - 1].strip() if 0 < span.line <= len(lines) else ""
