"""HTML for a reach answer (`vpcdsl.analysis.reach.Reach`): a table of ends, packets, the
gateway used and the verdict, each row opening onto its witness's hop table (a
``<details>`` element: no script needed). Escaped and deterministic as
`vpcdsl.views.notebook.html_display` is; past `ROWS` rows the rest are counted.
"""

from __future__ import annotations

from .html_display import details, more_rows, text, trace_table, wrap

__all__ = ["reach_html", "ROWS"]

# Rows shown inline; `vpcdsl reach` prints them all.
ROWS = 200
_STYLE = ("<style>.vpcdsl .intermittent{color:#b35c00;font-weight:bold}"
          ".vpcdsl summary{cursor:pointer}</style>")


def _question(reach) -> str:
    if reach.src is not None and reach.dst is not None:
        return f"what {reach.src} can send to {reach.dst}"
    if reach.src is not None:
        return f"what {reach.src} can reach"
    return f"who can reach {reach.dst}"


def reach_html(reach) -> str:
    shown = [r for r in reach.rows if r.status != "blocked"]
    blocked = len(reach.rows) - len(shown)
    parts = [f"<p><b>{text(_question(reach))}</b>: {len(shown)} row{'' if len(shown) == 1 else 's'}"
             + (f' <span class="muted">({blocked} blocked, <code>reach.table(blocked=True)</code> '
                f"lists them)</span>" if blocked else "") + "</p>"]
    if shown:
        out = ["<table><tr><th>from</th><th>to</th><th>packets</th><th>via</th><th>verdict</th></tr>"]
        for r in shown[:ROWS]:
            out.append(f"<tr><td><code>{text(r.src)}</code></td><td><code>{text(r.dst)}</code></td>"
                       f"<td>{text(r.service)}</td><td><code>{text(r.via)}</code></td>"
                       f"<td>{details(r.status.upper(), trace_table(r.witness), r.status)}</td></tr>")
        out.append("</table>")
        parts.append("".join(out))
        parts.append(more_rows(len(shown) - ROWS, "rows", "vpcdsl reach"))
    for s, d, why in reach.skipped:
        parts.append(f'<p class="muted">not answered: {text(s)} → {text(d)}: {text(why)}</p>')
    return wrap(_STYLE + "".join(parts))
