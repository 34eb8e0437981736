"""Transit gateway route lookups as hops: the table associated with the attachment a packet
enters by, peering attachments to the next TGW, and the same steps for the response, which
enters by the attachment the request left by (SEMANTICS.md, Transit gateways;
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html,
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-peering.html).

A *path* is what the request crossed: ((TGW, attachment it entered by), ...), one pair per
TGW, the second and later entered by a peering attachment. A TGW with only its default
route table words its hops as it always has; one with `route-table`s names the table.
"""

from __future__ import annotations

from ...syntax import ast
from .base import Walk

_MAX_TGWS = 8          # peerings followed before a path is called a loop


def _tables(walk: Walk, tgw):
    return walk.dp.tgw_tables.get(tgw.name)


def _what(tt, tgw, name: str, attachment: str) -> str:
    """A table as a reason names it."""
    if tt is None or not tt.named:
        return f"transit gateway '{tgw.name}'"
    return f"route table '{name}' of transit gateway '{tgw.name}' (associated with attachment " \
           f"'{attachment}')"


def _matched(tt, name: str, attachment: str) -> str:
    """What follows `tgw route X matched` in a hop."""
    if tt is None or not tt.named:
        return ""
    return f" in route table '{name}' (associated with attachment '{attachment}')"


def table_of(walk: Walk, tgw, attachment: str, back: bool = False):
    """(tables, table name, lookup) for a packet entering ``tgw`` by ``attachment``; no
    associated table blocks."""
    tt = _tables(walk, tgw)
    got = tt.table_for(attachment) if tt is not None else None
    if got is None:
        walk.block(f"tgw:{tgw.name}", "route", f"attachment '{attachment}' of transit gateway "
                   f"'{tgw.name}' is associated with no route table (`default-association off`, "
                   f"and no `route-table` of it associates '{attachment}'), so the transit "
                   f"gateway routes nothing that enters by it", tgw.span, back=back)
    return tt, got[0], got[1]


def tgw_route(walk: Walk, tgw, address, attachment: str):
    """The entry of the table associated with ``attachment`` for the request's ``address``;
    none or a blackhole blocks."""
    node = f"tgw:{tgw.name}"
    tt, name, table = table_of(walk, tgw, attachment)
    tentry = table.lookup(address) if address is not None else None
    what = _what(tt, tgw, name, attachment)
    if tentry is None:
        gone = table.withdrawn_for(address)
        walk.block(node, "route", f"no route in {what} matches {walk.dst_words()}"
                   + (f": {gone.words}" if gone else ""), gone.span if gone else tt.spans[name])
    if tentry.target == "blackhole":
        walk.block(node, "route", f"blackhole route {tentry.text} of {what} drops it", tentry.span)
    return tentry, _matched(tt, name, attachment)


def through(walk: Walk, tgw, attachment: str, address, *, named_target: bool):
    """From ``tgw`` entered by ``attachment`` to the TGW whose route leaves the TGWs, over
    peering attachments: (that TGW, its entry, the path). ``named_target``: a route whose
    target is no attachment blocks before its match is a hop (from a VPC)."""
    path: list = []
    for _ in range(_MAX_TGWS):
        node = f"tgw:{tgw.name}"
        if any(t is tgw for t, _ in path):
            walk.block(node, "route", f"routing loop: the packet comes back to transit gateway "
                       f"'{tgw.name}' over its peering attachments", path[-1][0].span)
        path.append((tgw, attachment))
        tentry, words = tgw_route(walk, tgw, address, attachment)
        if tentry.target is None and named_target:
            walk.block(node, "route", f"transit gateway route {tentry.text} names no attachment "
                       f"of '{tgw.name}'", tentry.span)
        walk.hop(node, "route", "forward", f"tgw route {tentry.text} matched{words}", tentry.span)
        if not isinstance(tentry.target, ast.TgwPeering):
            return tgw, tentry, tuple(path)
        link = _tables(walk, tgw).peers.get(tentry.target.name)
        walk.hop(node, "gateway", "forward", f"{tgw.name} sends it over peering attachment "
                 f"'{link.peering.name}' to transit gateway '{link.other.name}'", link.peering.span)
        tgw, attachment = link.other, link.peering.name
    walk.block(f"tgw:{tgw.name}", "route", f"routing loop: more than {_MAX_TGWS} transit "
               "gateways", tgw.span)


def back_through(walk: Walk, path: tuple, enters_by: str, address):
    """The response enters the last TGW of ``path`` by ``enters_by`` and goes back over each
    peering the request crossed: (the first TGW, its entry for ``address`` or None, the words
    naming that table, the span of that table, and the `_matched` words)."""
    for i in range(len(path) - 1, 0, -1):
        tgw, came_by = path[i]
        node = f"tgw:{tgw.name}"
        tt, name, table = table_of(walk, tgw, enters_by, back=True)
        back = table.lookup(address) if address is not None else None
        link = tt.peers.get(came_by)
        if back is None or back.target is not link.peering:
            got = "no route" if back is None else f"route {back.text}"
            walk.block(node, "route", f"no return route: {_what(tt, tgw, name, enters_by)} has "
                       f"{got} for {address}, not peering attachment '{came_by}' back to transit "
                       f"gateway '{link.other.name}'", back.span if back else tt.spans[name], back=True)
        walk.hop(node, "route", "forward", f"return tgw route {back.text} matched"
                 f"{_matched(tt, name, enters_by)}", back.span, back=True)
        walk.hop(node, "gateway", "forward", f"{tgw.name} sends the response over peering "
                 f"attachment '{came_by}' to transit gateway '{link.other.name}'",
                 link.peering.span, back=True)
        enters_by = came_by
    tgw = path[0][0]
    tt, name, table = table_of(walk, tgw, enters_by, back=True)
    back = table.lookup(address) if address is not None else None
    return tgw, back, _what(tt, tgw, name, enters_by), tt.spans[name], _matched(tt, name, enters_by)


__all__ = ["back_through", "table_of", "tgw_route", "through"]
