"""HTML for an exposure answer (`vpcdsl.analysis.exposure.Exposure`): the summary, then a
table of findings riskiest first (rank, source, target, packets, the gateway or link used,
the verdict), each verdict opening onto its witness's hop table (a ``<details>`` element:
no script needed). Escaped and deterministic as `vpcdsl.views.notebook.html_display` is;
past `ROWS` rows the rest are counted.
"""

from __future__ import annotations

from .html_display import details, more_rows, text, trace_table, wrap

__all__ = ["exposure_html", "ROWS"]

# Rows shown inline; `vpcdsl exposure` prints them all.
ROWS = 200
_STYLE = ("<style>.vpcdsl .intermittent{color:#b35c00;font-weight:bold}"
          ".vpcdsl summary{cursor:pointer}"
          ".vpcdsl .rank{font-weight:bold;padding:0 .3em;border-radius:3px}"
          ".vpcdsl .rank-any,.vpcdsl .rank-admin{background:#f8d7da;color:#842029}"
          ".vpcdsl .rank-database{background:#fff3cd;color:#664d03}"
          ".vpcdsl .rank-other,.vpcdsl .rank-icmp{background:#e2e3e5;color:#41464b}</style>")


def exposure_html(exposure) -> str:
    parts = [f"<p><b>exposure</b>: {text(exposure.summary())}</p>"]
    shown = exposure.findings[:ROWS]
    if shown:
        out = ["<table><tr><th>rank</th><th>from</th><th>to</th><th>packets</th><th>via</th>"
               "<th>verdict</th></tr>"]
        for f in shown:
            to = f"<code>{text(f.dst)}</code>" + (' <span class="muted">(subnet)</span>' if f.kind == "subnet" else "")
            out.append(f'<tr><td><span class="rank rank-{f.rank}">{f.rank.upper()}</span></td>'
                       f"<td><code>{text(f.src)}</code></td><td>{to}</td><td>{text(f.words)}</td>"
                       f"<td><code>{text(f.via)}</code></td>"
                       f"<td>{details(f.status.upper(), trace_table(f.witness), f.status)}</td></tr>")
        out.append("</table>")
        parts.append("".join(out))
        parts.append(more_rows(len(exposure.findings) - ROWS, "findings", "vpcdsl exposure"))
    else:
        parts.append("<p>nothing is exposed</p>")
    parts.append(f'<p class="muted">{text(exposure.family_words)}; a subnet stands for a probe: a host in it '
                 'with no security group</p>')
    for s, d, why in exposure.skipped:
        parts.append(f'<p class="muted">not answered: {text(s)} → {text(d)}: {text(why)}</p>')
    return wrap(_STYLE + "".join(parts))
