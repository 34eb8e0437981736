"""HTML for notebooks: a model (summary tables, diagnostics, diagram), diagnostics
with their source line and caret, a trace (verdict, hop table with the deciding
lines, the highlighted drawing) and a Route 53 answer.

Every model string is escaped twice over: control characters made visible
(`vpcdsl.diagnostics.escape_controls`) and HTML's specials replaced. Output is
deterministic: the same object gives the same HTML, byte for byte.
"""

from __future__ import annotations

import html as _html

from ...diagnostics import escape_controls, note_lines, render, source_line
from ..highlight import CSS_CLASS, highlight_css, highlight_html
from ...syntax import ast
from .inline_svg import zoom_box

__all__ = ["text", "wrap", "html_table", "more_rows", "details", "model_html", "diagnostic_html", "diagnostics_html", "trace_html",
           "resolution_html", "hop_rows", "STYLE"]

# `.vpcdsl.vpcdsl` outranks JupyterLab's right-aligned output tables
# (`:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon td`).
STYLE = """<style>
.vpcdsl table{border-collapse:collapse;font-size:12px;margin:4px 0}
.vpcdsl.vpcdsl th,.vpcdsl.vpcdsl td{border:1px solid #d5dbdb;padding:2px 6px;text-align:left;vertical-align:top;line-height:1.35}
.vpcdsl.vpcdsl td.where{white-space:nowrap}
.vpcdsl th{background:#f2f3f3}
.vpcdsl pre{margin:2px 0;padding:4px 6px;background:#fafafa;border-left:3px solid #879196;white-space:pre-wrap}
.vpcdsl .error pre{border-left-color:#d13212}.vpcdsl .warning pre{border-left-color:#ff9900}
.vpcdsl .sev-error{color:#d13212;font-weight:bold}.vpcdsl .sev-warning{color:#b35c00;font-weight:bold}
.vpcdsl .allowed{color:#1d8102;font-weight:bold}.vpcdsl .blocked{color:#d13212;font-weight:bold}
.vpcdsl tr.decider td{background:#fdebeb}
.vpcdsl .muted{color:#687078}
</style>"""

# The `.vpc` highlighter's classes, sent only with output that has a source line.
_HIGHLIGHT_STYLE = "<style>\n" + highlight_css(f".vpcdsl .{CSS_CLASS}") + f"""
.vpcdsl .{CSS_CLASS}{{background:none}}
.vpcdsl .{CSS_CLASS} .err{{border:none;outline:1px solid #f00}}
</style>"""


def text(value) -> str:
    """A model string made safe for HTML: control characters shown, specials escaped."""
    return _html.escape(escape_controls(str(value)), quote=True)


def wrap(body: str) -> str:
    style = STYLE + (_HIGHLIGHT_STYLE if f'class="{CSS_CLASS}"' in body else "")
    return f'<div class="vpcdsl">{style}{body}</div>'


# --------------------------------------------------------------------------- diagnostics

def _diagnostic_block(diag, source: str | None, sources: dict[str, str] | None = None) -> str:
    # The compiler-style text (location, message, source line, caret, notes, hint),
    # already free of control characters; the severity word coloured and the
    # source lines highlighted as a `.vpc` editor shows them. The highlighter
    # escapes control characters as `render` does, so the caret stays under its span.
    lines = [text(line) for line in render(diag, source, sources=sources).split("\n")]
    word = f"{diag.severity}[{diag.code}]"
    lines[0] = lines[0].replace(word, f'<span class="sev-{diag.severity}">{word}</span>', 1)
    raw = source_line(diag, source)
    at = 1
    if raw is not None:
        gutter = f"  {diag.span.line} | "
        lines[1] = f'{gutter}<span class="{CSS_CLASS}">{highlight_html(raw, inline=True)}</span>'
        at = 3
    indent = "  " + " " * len(str(diag.span.line)) + " " if raw is not None else "  "
    for note, note_raw in zip(diag.related, note_lines(diag, source, sources)):
        at += 1                                       # the `= note:` line
        if note_raw is not None:
            gutter = f"{indent}  {note.span.line} | "
            lines[at] = f'{gutter}<span class="{CSS_CLASS}">{highlight_html(note_raw, inline=True)}</span>'
            at += 2
    body = "\n".join(lines)
    return f'<div class="{diag.severity}"><pre>{body}</pre></div>'


def diagnostic_html(diag, source: str | None = None, sources: dict[str, str] | None = None) -> str:
    return wrap(_diagnostic_block(diag, source, sources))


def diagnostics_html(diagnostics, sources: dict[str, str] | None = None, *, limit: int = 50) -> str:
    """Each diagnostic with its source snippet; past ``limit``, a count of the rest."""
    sources = sources or {}
    diagnostics = list(diagnostics)
    blocks = [_diagnostic_block(d, sources.get(d.span.file), sources) for d in diagnostics[:limit]]
    if len(diagnostics) > limit:
        blocks.append(f'<p class="muted">… and {len(diagnostics) - limit} more '
                      f'(<code>vpcdsl check</code> prints them all)</p>')
    return wrap("".join(blocks))


# --------------------------------------------------------------------------- the model

def more_rows(left: int, what: str, command: str) -> str:
    """The line under a table cut short: how many ``what`` are left and who prints them all."""
    return (f'<p class="muted">… and {left} more {what} (<code>{text(command)}</code> prints them '
            f"all)</p>") if left > 0 else ""


def details(summary: str, body: str, cls: str | None = None) -> str:
    """A cell that opens onto ``body`` when its summary is clicked (no script needed)."""
    klass = f' class="{cls}"' if cls else ""
    return f"<details><summary{klass}>{summary}</summary>{body}</details>"


def html_table(head: list[str], rows: list[list[str]]) -> str:
    out = ["<table><tr>", *(f"<th>{h}</th>" for h in head), "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "".join(out)


_GATEWAYS = (ast.InternetGateway, ast.EgressOnlyInternetGateway, ast.NatGateway,
             ast.VirtualPrivateGateway, ast.GatewayEndpoint, ast.InterfaceEndpoint, ast.LoadBalancer)


def summary_tables(model) -> str:
    """VPCs, subnets and gateways of ``model`` as three small tables."""
    from ..report import status_line
    from ...cidrs import usable_hosts

    vpcs, subnets, gateways = [], [], []
    for vpc in model.vpcs.values():
        blocks = ", ".join(c.text if c.net is None else str(c.net) for c in vpc.cidrs + vpc.ipv6)
        own = list(vpc.of_type(ast.Subnet))
        vpcs.append([text(vpc.name), text(vpc.region_name), text(blocks), str(len(own))])
        for s in own:
            net = None if s.cidr is None else s.cidr.net
            rt = model.route_table_of.get(s.name)
            subnets.append([text(s.name), text(vpc.name), text(net or "?"), text(s.zone or "?"),
                            str(usable_hosts(net)) if net is not None else "?", text(rt.name if rt else "?")])
        for m in vpc.members:
            if isinstance(m, _GATEWAYS) and not getattr(m, "implicit", False):
                gateways.append([text(m.name), text(_kind_words(m)), text(vpc.name)])
    for tgw in model.tgws.values():
        gateways.append([text(tgw.name), text(_tgw_words(tgw)), "—"])
    links = [[text(link.name), text(_link_words(link)), text(link.site.name),
              text(link.target.name if link.target is not None else "AWS public services"),
              '<span class="blocked">down</span>' if link.down else "up"]
             for link in (*model.vpns.values(), *model.dxs.values())]
    instances = [[text(m.name), text(_kind_words(m)), text(m.subnet.name if m.subnet else "?")]
                 for m in model.members((ast.Instance, ast.NatInstance)) if getattr(m, "down", False)]
    parts = [f"<p><b>{text(model.path)}</b> · {text(status_line(model))}</p>"]
    if vpcs:
        parts.append(html_table(["VPC", "region", "CIDR blocks", "subnets"], vpcs))
    if subnets:
        parts.append(html_table(["subnet", "VPC", "CIDR", "AZ", "usable hosts", "route table"], subnets))
    if gateways:
        parts.append(html_table(["gateway", "kind", "VPC"], gateways))
    if links:
        parts.append(html_table(["link", "kind", "site", "to", "state"], links))
    if instances:
        parts.append(html_table(["down (sends, receives and forwards nothing)", "kind", "subnet"], instances))
    return "".join(parts)


def _tgw_words(tgw) -> str:
    """``transit gateway · route tables spokes, services · peering p1 · vpn-ecmp``."""
    words = ["transit gateway"]
    if tgw.route_tables:
        words.append("route tables " + ", ".join(rt.name for rt in tgw.route_tables))
    words += [f"peering {p.name} → {p.peer.name}" for p in tgw.peerings]
    words += [w for w, on in (("vpn-ecmp", tgw.vpn_ecmp), ("sg-referencing", tgw.sg_referencing)) if on]
    return " · ".join(words)


def _link_words(link) -> str:
    if isinstance(link, ast.Vpn):
        return "VPN" + (f" ({link.routing})" if link.routing else "") + \
            (f" over Direct Connect {link.over.name}" if link.over is not None else "")
    return f"Direct Connect, {link.vif} VIF"


def _kind_words(obj) -> str:
    from ..report import _WORDS
    return _WORDS.get(type(obj).__name__, type(obj).__name__)


def model_html(model, svg: str | None = None) -> str:
    """Summary tables, the diagnostics (snippet and caret) and the drawing."""
    parts = [summary_tables(model)]
    if model.diagnostics:
        parts.append(diagnostics_html(model.diagnostics, model.sources))
    if svg is not None:
        parts.append(zoom_box(svg))
    return wrap("".join(parts))


# --------------------------------------------------------------------------- traces

def _where(span) -> str:
    if span is None or span.line <= 0:
        return ""
    return text(f"{span.file}:{span.line}")


def hop_rows(trace) -> list[dict]:
    """The hop table as data: direction, step, component, action, detail, packet,
    the deciding line, and whether this hop decided a blocked verdict."""
    rows = []
    decider = None
    if trace.verdict == "blocked":
        hops = [*trace.forward, *trace.back]
        decider = next((h for h in reversed(hops) if h.action == "drop"), hops[-1] if hops else None)
    for title, hops in (("forward", trace.forward), ("return", trace.back)):
        for i, h in enumerate(hops, 1):
            rows.append({"direction": title, "step": i, "component": h.component, "action": h.action,
                         "detail": h.detail, "packet": str(h.packet),
                         "line": (f"{h.span.file}:{h.span.line}" if h.span is not None and h.span.line > 0
                                  else ""),
                         "decider": h is decider})
    return rows


def _short_line(where: str) -> str:
    """``three-tier.vpc:30`` with the whole path as its tooltip."""
    if not where:
        return ""
    path, _, line = where.rpartition(":")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return f'<span title="{text(where)}">{text(name)}:{text(line)}</span>'


def trace_table(trace) -> str:
    verdict = trace.verdict
    head = (f'<p><b>{text(trace.flow)}</b>: <span class="{verdict}">{verdict.upper()}</span>'
            + (f" by {text(trace.kind)} <code>{text(trace.component)}</code>" if trace.kind else "")
            + f"<br>{text(trace.reason)}"
            + (f'<br><span class="muted">hint: {text(trace.hint)}</span>' if trace.hint else "") + "</p>")
    out = [head, '<table class="vpcdsl-hops"><tr><th></th><th>#</th><th>hop</th><th>action</th>'
                 "<th>what happened</th><th>packet as it leaves</th><th>line</th></tr>"]
    for row in hop_rows(trace):
        cls = ' class="decider"' if row["decider"] else ""
        out.append(f"<tr{cls}><td>{'→' if row['direction'] == 'forward' else '←'}</td><td>{row['step']}</td>"
                   f"<td><code>{text(row['component'])}</code></td><td>{text(row['action'])}</td>"
                   f"<td>{text(row['detail'])}</td><td><code>{text(row['packet'])}</code></td>"
                   f"<td class=\"where\">{_short_line(row['line'])}</td></tr>")
    out.append("</table>")
    return "".join(out)


def trace_html(trace, svg: str | None = None) -> str:
    """Verdict, reason and hint; the hop table (the deciding hop marked); the drawing. A flow
    to a DNS name shows Route 53's answers and each one's trace too (`named_display`)."""
    from .named_display import flow_table
    return wrap(flow_table(trace) + (zoom_box(svg) if svg is not None else ""))


# --------------------------------------------------------------------------- Route 53

def resolution_html(res) -> str:
    """A Route 53 answer: `vpcdsl.views.dns_view.resolution_html` (the distribution with bars)."""
    from ..dns_view import resolution_html as html
    return html(res)
