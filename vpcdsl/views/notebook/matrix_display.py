"""HTML for a reachability matrix (`vpcdsl.analysis.matrix.Matrix`): a heat-map table (rows
send, columns receive; the diagram's colours), each reaching cell opening onto its requests
and the hop table of a witness (a ``<details>`` element: no script needed). Ends are grouped
as `vpcdsl matrix` groups them; past `matrix_view.GRID_LIMIT` groups the text's pair list
stands in for the table. Escaped and deterministic as `html_display` is.
"""

from __future__ import annotations

from ..matrix_dot import FILL
from ..matrix_view import GRID_LIMIT, WORDS, breadth, group_cell, groups, matrix_text, short_service
from .html_display import details, more_rows, text, trace_table, wrap

__all__ = ["matrix_html", "WITNESSES"]

# Cells that carry a witness trace inline; the rest show their requests only.
WITNESSES = 200
_STYLE = ("<style>.vpcdsl summary{cursor:pointer}.vpcdsl td.mx{text-align:center;white-space:nowrap}"
          + "".join(f".vpcdsl.vpcdsl td.mx-{k}{{background:{c}{';color:#fff' if k == 'every' else ''}}}"
                    for k, c in FILL.items())
          + ".vpcdsl td.mx details[open]{text-align:left;white-space:normal;min-width:32em;"
            "background:#fff;color:#232f3e}</style>")


def matrix_html(m, witness=None) -> str:
    """The heat map of ``m``; ``witness(src, dst, status)`` traces a cell's witness (default
    `Matrix.witness`; at VPC level, a subnet pair's witness from one subnet matrix)."""
    gs = groups(m)
    n = len(m.ends)
    unit = {"subnet": "subnets", "instance": "instances", "vpc": "VPCs"}[m.level]
    parts = [f"<p><b>{text(m.level)} matrix</b>: {n:,} {unit}, {len(m.cells):,} reaching pair"
             f"{'' if len(m.cells) == 1 else 's'}"
             + (f", in {len(gs):,} groups of equal rows and columns (NAME +K: NAME and K more)" if len(gs) < n else "")
             + f'<br><span class="muted">{text(m.note)}</span></p>']
    if len(gs) > GRID_LIMIT:
        parts.append(f'<p class="muted">{len(gs):,} groups are too many columns for a table: the pairs '
                     f"that reach, as <code>vpcdsl matrix</code> prints them</p><pre>{text(matrix_text(m))}</pre>")
        return wrap(_STYLE + "".join(parts))
    witness = witness or _witnesses(m)
    out = ["<table><tr><th>from ↓ to →</th>",
           *(f'<th title="{text(g.label)}">{k}</th>' for k, g in enumerate(gs, 1)), "</tr>"]
    traced = 0
    for k, a in enumerate(gs, 1):
        out.append(f"<tr><th>{k} <code>{text(a.label)}</code></th>")
        for b in gs:
            masks = group_cell(m, a, b)
            kind = breadth(m, masks)
            if kind == "self":
                out.append('<td class="mx mx-self">—</td>')
                continue
            if kind == "nothing":
                out.append('<td class="mx mx-nothing" title="nothing reaches"></td>')
                continue
            allowed, intermittent = masks
            label = short_service(m, allowed) or "~" + short_service(m, intermittent)
            body = [f"<p><code>{text(a.label)}</code> → <code>{text(b.label)}</code>: {text(WORDS[kind])}</p>"]
            if allowed:
                body.append(f"<p>allowed: {text(m.service(allowed))}</p>")
            if intermittent:
                body.append(f"<p>intermittent: {text(m.service(intermittent))}</p>")
            if traced < WITNESSES:
                trace = witness(m.ends[a.first], m.ends[b.members[1] if a is b and len(b.members) > 1
                                                         and m.level != "vpc" else b.first],
                                "allowed" if allowed else "intermittent")
                traced += 1
                if trace is not None:
                    body.append(trace_table(trace))
            out.append(f'<td class="mx mx-{kind}">{details(text(label), "".join(body))}</td>')
        out.append("</tr>")
    out.append("</table>")
    parts.append("".join(out))
    legend = "  ".join(f'<span class="mx-key" style="background:{FILL[k]};border:1px solid #d5dbdb">&nbsp;&nbsp;&nbsp;</span> '
                       f"{text(WORDS[k])}" for k in ("every", "some", "mixed", "intermittent", "nothing"))
    parts.append(f'<p class="muted">{legend}<br>rows send, columns receive'
                 + ("; the diagonal: a VPC's subnets to each other" if m.level == "vpc" else "") + "</p>")
    reaching = sum(1 for a in gs for b in gs if breadth(m, group_cell(m, a, b)) not in ("self", "nothing"))
    parts.append(more_rows(reaching - WITNESSES, "cells without a witness inline", "m.witness(src, dst)"))
    for s, d, why in m.skipped:
        parts.append(f'<p class="muted">not answered: {text(s)} → {text(d)}: {text(why)}</p>')
    return wrap(_STYLE + "".join(parts))


def _witnesses(m):
    return m.witness
