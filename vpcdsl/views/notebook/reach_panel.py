"""The explorer's reach panel: for one end of the picked flow (the one picked last,
or the one its toggle names), what it can reach (``model.reach(end)``) and who can
reach it (``model.reach(None, end)``), a row per ends and verdict. A click on a
row shows the row's witness trace: its hop table below the lists, and the
witness drawn over the explorer's drawing (the overlay the flow's trace uses).

Computed lazily: only while the panel's tab is the one shown, once per end
(cached), with a "computing…" note while the engine runs. Rows are in the
engine's order (deterministic); blocked rows are listed when asked for. The
lists are ipywidgets ``Select``s (the browser sets an option's text as text,
not markup); every model string in the HTML parts goes through
`vpcdsl.views.notebook.html_display.text`.
"""

from __future__ import annotations

import ipywidgets as w

from ...diagnostics import escape_controls
from .html_display import STYLE, text, trace_table
from .panels import Panel

__all__ = ["ReachPanel"]

# Rows listed per direction; past it the rest are counted (`vpcdsl reach` prints them all).
ROWS = 200
# A list's height in lines, at least 2: the browser draws a <select> of size 1 as a closed
# drop-down, which shows a lone row as a blank box (no option is selected) until opened.
MIN_LINES = 2
_CSS = ("<style>.vpcdsl-reach-rows select{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;"
        "font-size:12px}</style>")
_DIRECTIONS = ("out", "in")


def _labels(rows, direction: str) -> list[str]:
    """The rows as the list shows them: padded columns (the other end, packets, via, verdict)."""
    cells = [(("→ " if direction == "out" else "← ") + (r.dst if direction == "out" else r.src),
              r.service + (f" ({r.where})" if r.where else ""), r.via, r.status.upper()) for r in rows]
    widths = [max((len(c[i]) for c in cells), default=0) for i in range(4)]
    return [escape_controls("  ".join(x.ljust(n) for x, n in zip(c, widths)).rstrip()) for c in cells]


class ReachPanel(Panel):
    """What the picked end reaches and who reaches it; a row's click shows its witness."""

    title = "reach"

    def __init__(self):
        self.side = w.ToggleButtons(options=("source", "destination"), value="source", description="reach of",
                                    style={"button_width": "112px"})
        self.blocked = w.Checkbox(value=False, description="blocked rows too", indent=False)
        self.status = w.HTML()
        self.heading = {d: w.HTML() for d in _DIRECTIONS}
        self.lists = {d: w.Select(options=[], value=None, rows=MIN_LINES, layout=w.Layout(width="100%"))
                      for d in _DIRECTIONS}
        for d in _DIRECTIONS:
            self.lists[d].add_class("vpcdsl-reach-rows")
        self.witness = w.HTML(layout=w.Layout(width="100%"))
        self.widget = w.VBox([w.HBox([self.side, self.blocked]), self.status,
                              self.heading["out"], self.lists["out"], self.heading["in"], self.lists["in"],
                              self.witness])
        self.end: str | None = None            # the end the lists are about
        self.reaches: dict[str, tuple] = {}    # end -> (Reach from it, Reach to it), or (message,)
        self.rows: dict[str, list] = {d: [] for d in _DIRECTIONS}   # the rows each list shows
        self.picked = None                     # the ReachRow whose witness is shown
        self._explorer = None
        self._seen: tuple[str, str] | None = None
        self._shown: tuple | None = None       # (end, blocked) the lists were filled for
        self._quiet = False
        self.side.observe(lambda _c: self._again(), names="value")
        self.blocked.observe(lambda _c: self._again(), names="value")
        for d in _DIRECTIONS:
            self.lists[d].observe(lambda c, d=d: self._clicked(d, c["new"]), names="value")

    # ------------------------------------------------------------------ explorer hooks

    def _attach(self, explorer) -> None:
        if self._explorer is None:
            self._explorer = explorer
            explorer.tabs.observe(lambda _c: self._again(), names="selected_index")

    def visible(self) -> bool:
        ex = self._explorer
        return ex is not None and self in ex.panels and ex.tabs.selected_index == ex.panels.index(self)

    def _again(self) -> None:
        if self._explorer is not None and not self._quiet:
            self._explorer.guarded(lambda: self.refresh(self._explorer))

    def refresh(self, explorer) -> None:
        self._attach(explorer)
        picked = (explorer.src.value, explorer.dst.value)
        if self._seen is not None and picked != self._seen:
            # The lists follow the end picked last (a dropdown or a click on the drawing).
            side = "source" if picked[0] != self._seen[0] else "destination"
            if side != self.side.value:
                self._quiet = True
                try:
                    self.side.value = side
                finally:
                    self._quiet = False
        self._seen = picked
        self.end = explorer.src.value if self.side.value == "source" else explorer.dst.value
        if self.picked is not None and (explorer.overlay is not self.picked.witness or not self.visible()):
            self._unpick()                     # the flow changed, or the tab was left: the flow's trace is drawn
        if not self.visible():
            return                             # computed when the tab is shown
        key = (self.end, self.blocked.value)
        if key == self._shown:
            return
        self._fill(self.end)
        self._shown = key

    # ------------------------------------------------------------------ the lists

    def answers(self, end: str) -> tuple:
        """``(model.reach(end), model.reach(None, end))`` for ``end``, or ``(message,)``
        when the engine cannot answer for it; computed once per end."""
        from ...analysis.named_ends import is_name
        from ...flows.flow import FlowError
        if end not in self.reaches and is_name(end):
            # Who reaches a DNS name depends on who asks Route 53 for it: each source resolves it.
            self.reaches[end] = (f"{end} is a DNS name: what reaches it depends on who asks Route 53 "
                                 f"(the flow tab traces the source to each answer; "
                                 f"`%vpc reach MODEL SRC {end}` asks reach per answer)",)
        if end not in self.reaches:
            model = self._explorer.model
            try:
                self.reaches[end] = (model.reach(end), model.reach(None, end))
            except FlowError as exc:
                self.reaches[end] = (str(exc) + (f" (hint: {exc.hint})" if exc.hint else ""),)
        return self.reaches[end]

    def _fill(self, end: str) -> None:
        self._unpick()
        if end not in self.reaches:
            self.status.value = (f'<div class="vpcdsl">{STYLE}<p class="muted">computing what {text(end)} '
                                 f"can reach and who can reach it…</p></div>")
            self._set_rows({d: [] for d in _DIRECTIONS})
            for d in _DIRECTIONS:
                self.heading[d].value = ""
        found = self.answers(end)
        if len(found) == 1:
            self.status.value = f'<div class="vpcdsl">{STYLE}<p class="muted">{text(found[0])}</p></div>'
            self._set_rows({d: [] for d in _DIRECTIONS})
            for d in _DIRECTIONS:
                self.heading[d].value = ""
            return
        self.status.value = (f'<div class="vpcdsl">{STYLE}{_CSS}<p class="muted">click a row for its witness '
                             f"trace: its hops, and its path over the drawing</p></div>")
        rows = {}
        for d, reach in zip(_DIRECTIONS, found):
            shown = [r for r in reach.rows if self.blocked.value or r.status != "blocked"]
            rows[d] = shown
            hidden = len(reach.rows) - len(shown)
            question = f"what {end} can reach" if d == "out" else f"who can reach {end}"
            notes = []
            if hidden:
                notes.append(f"{hidden} blocked, not listed")
            if len(shown) > ROWS:
                notes.append(f"the first {ROWS} listed; <code>vpcdsl reach</code> prints them all")
            notes += [f"not answered: {text(s)} → {text(t)}: {text(why)}" for s, t, why in reach.skipped]
            self.heading[d].value = (f'<div class="vpcdsl">{STYLE}<b>{text(question)}</b>: {len(shown)} '
                                     f"row{'' if len(shown) == 1 else 's'}"
                                     + "".join(f'<br><span class="muted">{n}</span>' for n in notes) + "</div>")
        self._set_rows(rows)

    def _set_rows(self, rows: dict[str, list]) -> None:
        self._quiet = True
        try:
            for d in _DIRECTIONS:
                self.rows[d] = rows[d][:ROWS]
                box = self.lists[d]
                box.value = None
                box.options = [(label, i) for i, label in enumerate(_labels(self.rows[d], d))]
                box.value = None
                box.rows = max(MIN_LINES, min(len(self.rows[d]), 10))
        finally:
            self._quiet = False

    # ------------------------------------------------------------------ a row's witness

    def _clicked(self, direction: str, index) -> None:
        if self._quiet or index is None or self._explorer is None:
            return
        self._explorer.guarded(lambda: self.pick(direction, index))

    def pick(self, direction: str, index: int) -> None:
        """Show row ``index`` of the ``direction`` list ("out": what the end reaches, "in":
        who reaches it): its witness's hop table, and the witness over the drawing.
        What a click on the row does."""
        row = self.rows[direction][index]
        self._quiet = True
        try:
            self.lists[direction].value = index
            other = self.lists["in" if direction == "out" else "out"]
            other.value = None
        finally:
            self._quiet = False
        self.picked = row
        t = row.witness
        self.witness.value = (f'<div class="vpcdsl">{STYLE}<p><b>witness</b> of {text(row.src)} → '
                              f"{text(row.dst)} {text(row.service)}"
                              + (f" ({text(row.where)})" if row.where else "")
                              + f': <span class="{row.status}">{row.status.upper()}</span></p>'
                              f"{trace_table(t)}</div>")
        self._explorer.show_overlay(t)

    def _unpick(self) -> None:
        if self.picked is None:
            return
        self.picked = None
        self.witness.value = ""
        self._quiet = True
        try:
            for d in _DIRECTIONS:
                self.lists[d].value = None
        finally:
            self._quiet = False
        ex = self._explorer
        if ex is not None and ex.overlay is not ex.trace:
            ex.show_overlay(ex.trace)
