"""How a Route 53 `Resolution` reads: one line and why (`resolution_text`), the answer
distribution as a table with bars and every candidate with why it won or lost
(`resolution_table`, `vpcdsl dns`), and the same as HTML (`resolution_html`: `%vpc dns`,
the explorer's DNS panel, `_repr_html_`). Every model string is escaped."""

from __future__ import annotations

import html as _html
from fractions import Fraction

from ..diagnostics import escape_controls

__all__ = ["resolution_text", "resolution_table", "resolution_html", "bar", "percent"]

BAR_WIDTH = 20
LISTED_ANSWERS = 12        # more possible answers than this: the table shows each record's share


def percent(p: Fraction) -> str:
    """``0.7`` for 7/10, ``0.333333`` for 1/3: the decimal, at most 6 places."""
    text = f"{float(p):.6f}".rstrip("0").rstrip(".")
    return text or "0"


def bar(p: Fraction, width: int = BAR_WIDTH) -> str:
    """A bar of ``width`` cells filled in proportion to ``p`` (eighths of a cell)."""
    eighths = round(p * width * 8)
    full, part = divmod(int(eighths), 8)
    return ("█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")).ljust(width)


def _where(span) -> str:
    return f"{span.file}:{span.line}" if span is not None and span.line > 0 else ""


def resolution_text(res) -> str:
    """The answer on one line, then why (with the deciding line), terminal-safe."""
    return escape_controls(str(res))


def _rows(res):
    """(label, probability, ttl) rows: the possible answers, or each value's share when there
    are too many answers to list."""
    if res.distribution and len(res.distribution) <= LISTED_ANSWERS:
        return "answer", [(", ".join(a.values), a.probability, a.ttl) for a in res.distribution]
    seen: dict[str, Fraction] = {}
    for c in res.candidates:
        seen[c.value] = max(seen.get(c.value, Fraction(0)), res.probability(c.value))
    return "record (probability it is in the answer)", [(v, p, res.ttl) for v, p in seen.items() if p > 0]


def _facts(res) -> str:
    facts = [res.status]
    if res.ttl is not None:
        facts.append(f"ttl {res.ttl} s" + (" (negative caching)" if not res.answers else ""))
    if res.policy:
        facts.append(f"policy {res.policy}")
    if res.possible_answers > 1:
        facts.append(f"{res.possible_answers} possible answers")
    return ", ".join(facts)


def resolution_table(res) -> str:
    """`vpcdsl dns`'s text: the answer and why, the status and TTL, the distribution with
    bars, and every candidate with why it won or lost."""
    lines = [resolution_text(res)]
    if res.client.place:
        lines.append(escape_controls(f"  client: {res.client.words}, {res.client.place}"))
    lines.append(escape_controls(f"  {_facts(res)}"))
    head, rows = _rows(res)
    if rows:
        width = max([len(head)] + [len(label) for label, _, _ in rows])
        lines.append(f"  {head.ljust(width)}  {'probability':<11}  exact")
        for label, p, _ in rows:
            lines.append(escape_controls(f"  {label.ljust(width)}  {percent(p):<11}  {str(p):<9}  {bar(p)}").rstrip())
    if res.candidates:
        lines.append("  candidates:")
        keys = [c.key or "" for c in res.candidates]
        kw = max(len(k) for k in keys)
        vw = max(len(c.value) for c in res.candidates)
        for key, c in zip(keys, res.candidates):
            verdict = "won " if c.chosen else "lost"
            where = f" [line {c.span.line}]" if c.span is not None and c.span.line > 0 else ""
            lead = f"{key.ljust(kw)}  " if kw else ""
            lines.append(escape_controls(f"    {verdict}  {lead}{c.value.ljust(vw)}  {percent(c.probability):<8} "
                                         f"{c.why}{where}"))
    return "\n".join(lines)


def _h(value) -> str:
    return _html.escape(escape_controls(str(value)), quote=True)


_STYLE = ("<style>.vpcdsl .dnsbar{display:inline-block;height:.8em;background:#4c78a8;vertical-align:middle}"
          ".vpcdsl .dnsbox{display:inline-block;width:10em;background:#eee}"
          ".vpcdsl table.dns td,.vpcdsl table.dns th{padding:1px 8px;text-align:left}"
          ".vpcdsl .lost{color:#888}</style>")


def _bar_html(p: Fraction) -> str:
    return (f'<span class="dnsbox"><span class="dnsbar" style="width:{float(p) * 100:.2f}%"></span></span>')


def resolution_html(res) -> str:
    """The answer, why, the distribution (a table with bars) and the candidates, as HTML."""
    from .notebook.html_display import STYLE
    answers = "".join(f"<li><code>{_h(a)}</code></li>" for a in res.answers) or \
        f"<li>no answer ({_h(res.status)})</li>"
    chain = (f"<p>CNAMEs followed: {' → '.join(f'<code>{_h(c)}</code>' for c in res.chain)}</p>"
             if res.chain else "")
    where = _where(res.span)
    out = [f"<p><b>{_h(res.fqdn)}</b> {_h(res.type)} from {_h(res.client.words)}"
           + (f' <span class="muted">({_h(res.client.place)})</span>' if res.client.place else "") + "</p>",
           f"<ul>{answers}</ul>{chain}<p>why: {_h(res.reason)}"
           + (f' <span class="muted">[{_h(where)}]</span>' if where else "") + "</p>",
           f'<p class="muted">{_h(_facts(res))}</p>']
    head, rows = _rows(res)
    if rows:
        out.append(f'<table class="dns"><tr><th>{_h(head)}</th><th>probability</th><th></th><th>TTL</th></tr>')
        for label, p, ttl in rows:
            out.append(f"<tr><td><code>{_h(label)}</code></td><td>{_h(percent(p))} ({_h(p)})</td>"
                       f"<td>{_bar_html(p)}</td><td>{_h(ttl if ttl is not None else '')}</td></tr>")
        out.append("</table>")
    if res.candidates:
        out.append('<table class="dns"><tr><th></th><th>key</th><th>value</th><th>probability</th>'
                   '<th>why</th></tr>')
        for c in res.candidates:
            cls = "" if c.chosen else ' class="lost"'
            out.append(f"<tr{cls}><td>{'won' if c.chosen else 'lost'}</td><td>{_h(c.key or '')}</td>"
                       f"<td><code>{_h(c.value)}</code></td><td>{_h(percent(c.probability))}</td>"
                       f"<td>{_h(c.why)}</td></tr>")
        out.append("</table>")
    return f'<div class="vpcdsl">{STYLE}{_STYLE}{"".join(out)}</div>'
