"""A reachability matrix as a heat map: Graphviz DOT with one HTML-like table (rows send,
columns receive, each cell coloured by how much gets through and labelled with a short
service), a legend, and the matrix's note as the caption.

Ends are gathered into groups as the text gathers them (`matrix_view.groups`); past
`SMALL` groups the cells are colour only, their services in each cell's tooltip. Every
model string goes through `vpcdsl.views.escaping.html`; the same matrix gives the same DOT.
"""

from __future__ import annotations

import graphviz

from .escaping import html, plain
from .matrix_view import BREADTHS, WORDS, between_members, breadth, group_cell, groups, short_service
from .palette import FONT, INK, SITE

__all__ = ["FILL", "matrix_dot", "matrix_graph"]

# Cell colours by breadth: nothing grey, intermittent amber, some ports light green, every
# request deep green (readable in greyscale too: lighter means less gets through).
FILL = {"every": "#1D8102", "some": "#A8D995", "mixed": "#E8D36A", "intermittent": "#F5B453",
        "nothing": "#F2F3F3", "self": "#FFFFFF"}
_TEXT = {"every": "#FFFFFF"}
# Up to this many groups a cell carries its service as text; past it, colour only.
SMALL = 40
_NAMED_COLUMNS = 16      # up to this many columns a header names its end, not only its number


def _cell(m, masks, kind: str, tooltip: str, small: bool) -> str:
    fill = FILL[kind]
    if kind == "self":
        body = "—"
    elif not small or masks is None:
        body = " "
    else:
        allowed, intermittent = masks
        body = short_service(m, allowed) or ("~" + short_service(m, intermittent))
        if allowed and intermittent:
            body += " ~"
        words = body.split(" ")
        if len(body) > 8 and len(words) > 1:     # two lines keep the column narrow
            half = (len(words) + 1) // 2
            body = " ".join(words[:half]) + "\n" + " ".join(words[half:])
    size = ' WIDTH="40"' if small else ' WIDTH="9" HEIGHT="9" FIXEDSIZE="TRUE"'
    colour = _TEXT.get(kind, INK)
    return (f'<TD BGCOLOR="{fill}" TITLE="{html(tooltip)}" TOOLTIP="{html(tooltip)}"{size}>'
            f'<FONT COLOR="{colour}" POINT-SIZE="{9 if small else 5}">{"<BR/>".join(html(x) for x in body.split(chr(10)))}'
            "</FONT></TD>")


def _words(m, src: str, dst: str, masks, between=None) -> str:
    if masks == "self":
        return f"{src}: itself"
    parts = []
    if masks is not None and masks[0]:
        parts.append(m.service(masks[0]))
    if masks is not None and masks[1]:
        parts.append("intermittent: " + m.service(masks[1]))
    out = f"{src} -> {dst}: " + ("; ".join(parts) if parts else "nothing")
    if between is not None:
        out += "; between members: " + (m.service(between[0]) or "intermittent " + m.service(between[1]))
    return out


def _header(k: int, label: str, named: bool, small: bool) -> str:
    if small and not named:
        return f'<TD TITLE="{html(label)}" TOOLTIP="{html(label)}"><FONT POINT-SIZE="9"><B>{k}</B></FONT></TD>'
    if not named:
        digits = "<BR/>".join(str(k))
        return f'<TD TITLE="{html(label)}" TOOLTIP="{html(label)}"><FONT POINT-SIZE="7">{digits}</FONT></TD>'
    lines = "<BR/>".join(html(piece) for piece in _pieces(label))
    return (f'<TD VALIGN="BOTTOM" TITLE="{html(label)}" TOOLTIP="{html(label)}">'
            f'<FONT POINT-SIZE="9"><B>{k}</B><BR/>{lines}</FONT></TD>')


def _pieces(label: str, width: int = 9) -> list[str]:
    """A column's name broken at hyphens into lines of about ``width`` characters, so that
    narrow columns stay narrow."""
    out: list[str] = []
    for word in label.replace("-", "-\n").split("\n"):
        if out and len(out[-1]) + len(word) <= width:
            out[-1] += word
        else:
            out.append(word)
    return out


def matrix_dot(m, path: str | None = None) -> str:
    """The heat map of ``m`` as DOT text (see the module docstring)."""
    gs = groups(m)
    small = len(gs) <= SMALL
    named = len(gs) <= _NAMED_COLUMNS
    title = f"{path}: " if path else ""
    title += f"{m.level} matrix, {len(m.ends):,} ends"
    if len(gs) < len(m.ends):
        title += f" in {len(gs):,} groups (NAME +K: NAME and K more with equal rows and columns)"
    rows = [f'<TR><TD COLSPAN="{len(gs) + 1}" ALIGN="LEFT" BORDER="0"><FONT POINT-SIZE="12"><B>{html(title)}</B>'
            '</FONT></TD></TR>',
            '<TR><TD ALIGN="RIGHT" VALIGN="BOTTOM"><FONT POINT-SIZE="8">from ↓ · to →</FONT></TD>'
            + "".join(_header(k, g.label, named, small) for k, g in enumerate(gs, 1)) + "</TR>"]
    used = set()
    for k, a in enumerate(gs, 1):
        cells = []
        for b in gs:
            masks = group_cell(m, a, b)
            kind = breadth(m, masks)
            used.add(kind)
            between = between_members(m, a) if a is b else None
            cells.append(_cell(m, masks, kind, _words(m, a.label, b.label, masks, between), small))
        rows.append(f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{k}  {html(a.label)}</FONT></TD>'
                    + "".join(cells) + "</TR>")
    table = ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" COLOR="#D5DBDB">'
             + "".join(rows) + "</TABLE>>")
    legend = _legend(m, used, small)
    caption = m.note + ("; the diagonal: a VPC's subnets to each other" if m.level == "vpc" else "")
    g = graphviz.Digraph("matrix", graph_attr={"fontname": FONT, "fontsize": "10", "label": plain(caption),
                                               "labelloc": "b", "labeljust": "l", "rankdir": "TB",
                                               "nodesep": "0.3", "ranksep": "0.2", "fontcolor": SITE},
                         node_attr={"fontname": FONT, "shape": "plaintext", "margin": "0"})
    g.node("matrix", table)
    g.node("legend", legend)
    g.edge("matrix", "legend", style="invis")
    return g.source


def _legend(m, used: set, small: bool) -> str:
    keys = [k for k in (*BREADTHS, "self") if k in used or k in ("every", "nothing")]
    cells = "".join(f'<TD BGCOLOR="{FILL[k]}" WIDTH="16" HEIGHT="12" FIXEDSIZE="TRUE" BORDER="1" COLOR="#D5DBDB">'
                    f'<FONT POINT-SIZE="7">{"—" if k == "self" else " "}</FONT></TD>'
                    f'<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{html(WORDS[k])}   </FONT></TD>' for k in keys)
    hint = ("rows send, columns receive; cell text: “443” TCP ports, “u53” UDP ports,\n"
            "“tcp”, “udp”, “icmp” every port or type, “ping” ICMP echo, “other” the other protocols, "
            "“all” every request, “~” intermittent" if small else "rows send, columns receive; hover over a cell (SVG) for its requests")
    if small and m.ipv6_from is not None:
        hint += ";\n“v6:” before the IPv6 requests of a cell (“v6:22”), “v4:all” every IPv4 request"
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
            '<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="1"><TR>'
            + cells + "</TR></TABLE></TD></TR>"
            f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9">{"<BR/>".join(html(x) for x in hint.split(chr(10)))}</FONT></TD></TR>'
            "</TABLE>>")


def matrix_graph(m, path: str | None = None) -> graphviz.Source:
    """The heat map as a `graphviz.Source` (``.pipe(format="svg")``)."""
    return graphviz.Source(matrix_dot(m, path))
