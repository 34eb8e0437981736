"""HTML for a model diff (`vpcdsl.analysis.diff.ModelDiff`): the headline, a table of the
objects changed with their lines in OLD and NEW, the ends added and removed, and a table
of the flows whose verdict changed, each row opening onto its witness's hop tables in
NEW and OLD (``<details>``: no script). Escaped and deterministic as
`vpcdsl.views.notebook.html_display` is; past `ROWS` flows the rest are counted.
"""

from __future__ import annotations

from .html_display import details, html_table, more_rows, text, trace_table, wrap

__all__ = ["diff_html", "ROWS"]

# Flow rows shown inline; `vpcdsl diff` prints them all.
ROWS = 200
_STYLE = ("<style>.vpcdsl .opened,.vpcdsl .degraded{color:#d13212;font-weight:bold}"
          ".vpcdsl .closed,.vpcdsl .fixed{color:#b35c00;font-weight:bold}"
          ".vpcdsl summary{cursor:pointer}</style>")


def _code(value) -> str:
    return f"<code>{text(value)}</code>"


def _where(span) -> str:
    return text(f"{span.file}:{span.line}") if span is not None and span.line > 0 else ""


def diff_html(d) -> str:
    parts = [f"<p><b>{text(d.old_path)}</b> → <b>{text(d.new_path)}</b><br>{text(d.headline())}</p>"]
    if d.objects:
        rows = []
        for o in d.objects:
            name = f"{o.old_name} → {o.name}" if o.change == "renamed" else o.name
            fields = "<br>".join(text(x.text) for x in o.details)
            rows.append([text(o.change), text(o.kind), _code(name), fields,
                         _where(o.old), _where(o.new)])
        parts.append(html_table(["change", "kind", "name", "what", "OLD", "NEW"], rows))
    if d.ends_added or d.ends_removed:
        ends = [f"+ {_code(e)}" for e in d.ends_added] + [f"− {_code(e)}" for e in d.ends_removed]
        parts.append(f"<p>ends: {', '.join(ends)}</p>")
    if d.same_behaviour:
        parts.append("<p>flows: the models resolve to the same network; nothing to trace</p>")
    elif not d.flows:
        parts.append(f"<p>flows: no request changes its verdict ({d.pairs} pairs of ends compared)</p>")
    else:
        out = ["<table><tr><th>from</th><th>to</th><th>packets</th><th>change</th><th>via</th>"
               "<th>witness</th></tr>"]
        for f in d.flows[:ROWS]:
            traces = "".join(f"<p>in {side}:</p>{trace_table(t)}"
                             for side, t in (("NEW", f.after), ("OLD", f.before)) if t is not None)
            witness = text(f.trace.flow if f.trace is not None else f.witness)
            to = f.dst + (f" ({f.node} node)" if f.node else "")
            out.append(f"<tr><td>{_code(f.src)}</td><td>{_code(to)}</td><td>{text(f.service)}</td>"
                       f'<td><span class="{f.change}">{text(f.words)}</span>'
                       f"{' (new end)' if f.new_end else ''}</td><td>{_code(f.via)}</td>"
                       f"<td>{details(witness, traces)}</td></tr>")
        out.append("</table>")
        parts.append("".join(out))
        parts.append(more_rows(len(d.flows) - ROWS, "flows", "vpcdsl diff"))
    for side, s, dst, why in d.skipped:
        parts.append(f'<p class="muted">not compared ({text(side)}): {text(s)} → {text(dst)}: {text(why)}</p>')
    return wrap(_STYLE + "".join(parts))
