"""A transit gateway with route tables drawn as a panel: one section per route table (its
associations, propagations and static routes), the TGW's options, and the words its
attachment and peering edges carry. A TGW with only its default route table and AWS's
default options is drawn as the plain box `vpcdsl.views.outside` always drew."""

from __future__ import annotations

import textwrap

from ..flows.tgw_tables import DEFAULT, associations
from ..syntax import ast
from .escaping import html
from .labels import MAX_PANEL_ROWS, html_table, net_text, table_row
from .palette import NETWORK

__all__ = ["attachment_words", "drawn_as_panel", "tgw_panel"]


def drawn_as_panel(model, tgw: ast.TransitGateway) -> bool:
    """Whether ``tgw`` has route tables, a peering (on either side) or options to show."""
    peered = any(p.peer.name == tgw.name for t in model.tgws.values() for p in t.peerings)
    return bool(tgw.route_tables or tgw.peerings or peered or tgw.sg_referencing
                or not tgw.default_association or not tgw.default_propagation)


def _options(tgw: ast.TransitGateway) -> list[str]:
    words = [f"ASN {tgw.asn}"] if tgw.asn is not None else []
    words += ["SG referencing on"] if tgw.sg_referencing else []
    words += ["default association off"] if not tgw.default_association else []
    words += ["default propagation off"] if not tgw.default_propagation else []
    return words


def tgw_panel(model, tgw: ast.TransitGateway) -> str:
    """The HTML label: a head, then per route table its name and what it holds."""
    rows = [table_row(f"<B>Transit gateway {html(tgw.name)}</B>", color="white", align="CENTER")]
    options = _options(tgw)
    if options:
        rows.append(table_row(html(" · ".join(options)), size=8, color="white"))
    assoc = associations(model, tgw)
    tables = [DEFAULT] + [b.name for b in tgw.route_tables if b.name != DEFAULT]
    body: list[str] = []
    for name in dict.fromkeys(tables):
        blocks = [b for b in tgw.route_tables if b.name == name]
        routes = list(tgw.routes) if name == DEFAULT else []
        routes += [r for b in blocks for r in b.routes]
        props = [r.name for b in blocks for r in b.propagations]
        if name == DEFAULT and tgw.default_propagation:
            props = ["every VPC, VPN and DX gateway attachment" + (
                " not static-only" if any(a.static_only for a in tgw.attachments) else "")] + props
        if name == DEFAULT and not assoc[DEFAULT] and not routes and not blocks:
            continue                   # nothing uses or fills it
        body.append(table_row(f"<B>route table {html(name)}</B>", size=9, color="white"))
        for label, names in (("associated", assoc.get(name, [])), ("propagates", props)):
            for line in textwrap.wrap(f"{label}: " + (", ".join(names) or "none"), 44):
                body.append(table_row(html(line), size=8, color="white"))
        for r in routes:
            target = "blackhole" if isinstance(r.target, ast.Blackhole) else r.target.name
            body.append(table_row(html(f"{net_text(r.cidr)} → {target}"), size=8, color="white"))
    if len(body) > MAX_PANEL_ROWS * 2:
        more = len(body) - MAX_PANEL_ROWS * 2 + 1
        body = body[:MAX_PANEL_ROWS * 2 - 1] + [table_row(f"+{more} more rows", size=8, color="white")]
    return html_table(rows + body, color=NETWORK, fill=NETWORK)


def attachment_words(model, tgw: ast.TransitGateway, vpc: str) -> list[str]:
    """What a VPC attachment's edge adds for a TGW drawn as a panel: its route table, and
    appliance mode."""
    att = next((a for a in tgw.attachments if a.vpc.name == vpc), None)
    words = []
    if tgw.route_tables:
        table = next((t for t, names in associations(model, tgw).items() if vpc in names), None)
        words.append(f"route table {table}" if table else "no route table")
    if att is not None and att.appliance_mode:
        words.append("appliance mode")
    return words
