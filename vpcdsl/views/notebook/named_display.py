"""HTML for a flow to a DNS name (`vpcdsl.analysis.named_ends.NamedTrace`) and for
reach to one (`NamedReach`): what Route 53 answered the source and why, each
possible answer with its probability (a bar), the flow end traced for it and
its verdict, which opens onto that answer's hop table; then the deciding
answer's hop table (the first blocked one, else the first). Escaped and
deterministic as `vpcdsl.views.notebook.html_display` is.
"""

from __future__ import annotations

from .html_display import details, text, trace_table, wrap

__all__ = ["flow_table", "named_trace_table", "named_reach_html", "dns_header"]

_STYLE = ("<style>.vpcdsl .dnsbar{display:inline-block;height:.8em;background:#4c78a8;vertical-align:middle}"
          ".vpcdsl .dnsbox{display:inline-block;width:8em;background:#eee}"
          ".vpcdsl .intermittent{color:#b35c00;font-weight:bold}.vpcdsl summary{cursor:pointer}</style>")


def _bar(p) -> str:
    return f'<span class="dnsbox"><span class="dnsbar" style="width:{float(p) * 100:.2f}%"></span></span>'


def _probability(p) -> str:
    from ...analysis.named_ends import probability_words
    return text(probability_words(p))


def dns_header(named) -> str:
    """Who asked Route 53 for the name, what it answered and why (one paragraph)."""
    r = named.resolution
    chain = (f"<br>CNAMEs followed: {' → '.join(f'<code>{text(c)}</code>' for c in r.chain)}"
             if r.chain else "")
    note = ""
    if sum(leg.probability for leg in named.legs) != 1:
        note = ('<br><span class="muted">a probability is that of Route 53\'s response holding the '
                "value; a response holds several, and the client connects to one of them</span>")
    return (f"<p>dns: <code>{text(named.name)}</code> {text(named.rtype)} from {text(r.client.words)}: "
            f"{', '.join(f'<code>{text(a)}</code>' for a in r.answers)} ({text(r.reason)})"
            f'<br><span class="muted">{text(named.asked)}</span>{chain}{note}</p>')


def _answers_table(named, traces) -> str:
    out = ["<table><tr><th>#</th><th>answer</th><th>probability</th><th></th><th>traced to</th>"
           "<th>verdict</th></tr>"]
    for i, (leg, t) in enumerate(zip(named.legs, traces), 1):
        status = "intermittent" if t.intermittent else t.verdict
        how = f'<br><span class="muted">{text(leg.how)}</span>' if leg.how else ""
        out.append(f"<tr><td>{i}</td><td><code>{text(leg.answer)}</code></td>"
                   f"<td>{_probability(leg.probability)}</td><td>{_bar(leg.probability)}</td>"
                   f"<td><code>{text(leg.end)}</code>{how}</td>"
                   f"<td>{details(status.upper(), trace_table(t), status)}</td></tr>")
    out.append("</table>")
    return "".join(out)


def named_trace_table(trace) -> str:
    """A flow to a DNS name: verdict over every answer, the DNS answer, the answers table
    and the deciding answer's hop table."""
    named, traces = trace.named, trace.traces
    verdict = trace.verdict
    head = (f'<p><b>{text(trace.flow)}</b>: <span class="{verdict}">{verdict.upper()}</span>'
            + (' <span class="intermittent">(intermittent)</span>' if trace.intermittent else "")
            + (f" by {text(trace.kind)} <code>{text(trace.component)}</code>" if trace.kind else "")
            + f"<br>{text(trace.reason)}"
            + (f'<br><span class="muted">hint: {text(trace.hint)}</span>' if trace.hint else "") + "</p>")
    decider = next((i for i, t in enumerate(traces) if not t.allowed), 0)
    leg = named.legs[decider]
    which = ("the answer" if len(traces) == 1 else
             f"answer {decider + 1} of {len(traces)}{' (the first blocked)' if not traces[decider].allowed else ''}")
    return (_STYLE + head + dns_header(named) + _answers_table(named, traces)
            + f"<p><b>{text(which)}</b>: <code>{text(leg.answer)}</code> traced to "
              f"<code>{text(leg.end)}</code></p>" + trace_table(traces[decider]))


def flow_table(trace) -> str:
    """The hop table of any trace: a flow to a DNS name shows its answers too."""
    if getattr(trace, "named", None) is not None and getattr(trace, "traces", ()):
        return named_trace_table(trace)
    return trace_table(trace)


def named_reach_html(reach) -> str:
    """Reach from a source to a DNS name: the DNS answer, then each answer's reach table."""
    from .reach_display import reach_html
    named = reach.named
    parts = [_STYLE, f"<p><b>what {text(reach.src)} can send to {text(reach.dst)}</b></p>", dns_header(named)]
    for i, (leg, answer) in enumerate(zip(named.legs, reach.answers), 1):
        how = f' <span class="muted">({text(leg.how)})</span>' if leg.how else ""
        parts.append(f"<p>answer {i} of {len(named.legs)}: <code>{text(leg.answer)}</code>, probability "
                     f"{_probability(leg.probability)} {_bar(leg.probability)} → "
                     f"<code>{text(leg.end)}</code>{how}</p>")
        parts.append(reach_html(answer))
    return wrap("".join(parts))
