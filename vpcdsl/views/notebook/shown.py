"""What the magics display: a compiled cell (`ModelView`) and a usage message
(`Message`), each with deterministic ``text/plain`` beside its HTML."""

from __future__ import annotations

import hashlib

from ...diagnostics import escape_controls
from .html_display import STYLE, diagnostics_html, summary_tables, text
from .inline_svg import zoom_box

__all__ = ["ModelView", "Message"]


class ModelView:
    """A model as a ``%%vpc`` cell shows it: its diagnostics first (snippet and
    caret), then the summary and the drawing at the cell's level.

    The drawing carries the SHA-256 of its DOT text (``data-dot-sha256``), which is
    what a notebook test pins: the SVG body depends on Graphviz's version.
    """

    def __init__(self, model, *, draw: bool = True, **options):
        self.model, self.draw, self.options = model, draw, options

    def _drawing(self) -> str:
        from .rich import display_level
        from ..export import render_bytes
        from ..render import dot_source
        model = self.model
        if not self.draw or not model.syntax_ok:
            return ""
        options = dict(self.options)
        options.setdefault("level", display_level(model))
        try:
            dot = dot_source(model, **options)
            svg = render_bytes(model, "svg", **options).decode("utf-8")
        except Exception as exc:  # noqa: BLE001  (a display never raises: it says why)
            hint = getattr(exc, "hint", None)
            return f"<p>(no drawing: {text(exc)}{'; ' + text(hint) if hint else ''})</p>"
        sha = hashlib.sha256(dot.encode("utf-8")).hexdigest()
        return f'<div data-dot-sha256="{sha}">{zoom_box(svg)}</div>'

    def _repr_html_(self) -> str:
        model = self.model
        parts = []
        if model.diagnostics:
            parts.append(diagnostics_html(model.diagnostics, model.sources))
        parts.append(f'<div class="vpcdsl">{STYLE}{summary_tables(model)}</div>')
        parts.append(self._drawing())
        return "".join(parts)

    def __repr__(self) -> str:
        body = self.model.diagnostics.render() + "\n" if self.model.diagnostics else ""
        return escape_controls(body + self.model.summary())

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))


class Message:
    """A magic's answer when it cannot do what was asked: what, and a hint."""

    def __init__(self, message: str, hint: str | None = None, *, severity: str = "error"):
        self.message, self.hint, self.severity = message, hint, severity

    def __repr__(self) -> str:
        out = f"{self.severity}: {self.message}"
        if self.hint:
            out += f"\n  = hint: {self.hint}"
        return escape_controls(out)

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))

    def _repr_html_(self) -> str:
        hint = f'<br><span class="muted">hint: {text(self.hint)}</span>' if self.hint else ""
        return (f'<div class="vpcdsl">{STYLE}<div class="{self.severity}"><pre>'
                f'<span class="sev-{self.severity}">{self.severity}</span>: {text(self.message)}{hint}'
                f"</pre></div></div>")
