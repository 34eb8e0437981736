"""Transit gateway route tables, as the flow engine reads them (SEMANTICS.md, Transit gateways).

A TGW has route tables, each *associated* with attachments: a packet entering the TGW by an
attachment (a VPC, a VPN, a DX gateway, a peering) is looked up in the table associated with
that attachment, and one attachment has at most one table. Attachments *propagate* their
routes into tables: a VPC its blocks, a VPN or DX gateway the prefixes its sites announce; a
peering propagates nothing (static routes only).
https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html

The *default* route table is the one a `tgw` block's own `attach` and `route` items describe
(and a `route-table default { ... }` adds to): with default association on (AWS's default,
`default-association off` turns it off) every attachment that no `route-table` associates is
associated with it; with default propagation on (`default-propagation off`) every attachment
but a `static-only` VPC attachment and a peering propagates into it. A TGW whose block has no
`route-table` is exactly the single-table TGW of before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..syntax import ast
from .sitelinks import Withdrawn

DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class PeerLink:
    """A peering attachment as one of its two TGWs sees it."""

    peering: ast.TgwPeering
    here: ast.TransitGateway
    other: ast.TransitGateway


@dataclass
class TgwTables:
    """One TGW's route tables, associations and peering attachments."""

    tgw: ast.TransitGateway
    tables: dict[str, Any] = field(default_factory=dict)       # name -> RouteLookup, default first
    spans: dict[str, Any] = field(default_factory=dict)        # name -> where it is written
    associated: dict[str, str] = field(default_factory=dict)   # attachment name -> table name
    peers: dict[str, PeerLink] = field(default_factory=dict)   # peering attachment name -> link
    named: bool = False              # the block writes route tables: traces name them

    def table_for(self, attachment: str):
        """(table name, RouteLookup) a packet entering by ``attachment`` is looked up in, or
        None when no table is associated with it."""
        name = self.associated.get(attachment)
        return None if name is None else (name, self.tables[name])

    def words(self, name: str) -> str:
        """How a trace names table ``name``: nothing for a TGW with only its default table
        (its traces read as they always have), else ` in route table 'NAME'`."""
        return f" in route table '{name}'" if self.named else ""


def link_attachment(link) -> str:
    """The attachment a VPN or Direct Connect link reaches a TGW by: its DX gateway's for a
    transit VIF, else the VPN's own."""
    return link.dxgw.name if link.dxgw is not None else link.obj.name


def build_tgw_tables(model, links, attachments: dict[str, dict], lookup_of, entry_of,
                     withdrawn_of=Withdrawn) -> dict[str, TgwTables]:
    """Every TGW's tables. ``attachments``: TGW name -> {VPC name -> TgwAttach};
    ``lookup_of(owner)`` makes an empty RouteLookup, ``entry_of(dest, target, origin, span,
    text)`` a RouteEntry (`vpcdsl.flows.dataplane`, which calls this)."""
    learned: dict[str, dict[str, list]] = {}       # TGW -> attachment -> [(net, Link)]
    every: dict[str, list] = {}                     # TGW -> [(net, Link)], in link order
    for link in links:                # a VPN on the TGW, a transit VIF on its DX gateway
        if isinstance(link.gateway, ast.TransitGateway):
            nets = [(a.net, link) for a in link.announced]
            learned.setdefault(link.gateway.name, {}).setdefault(link_attachment(link), []).extend(nets)
            every.setdefault(link.gateway.name, []).extend(nets)
    peers = _peer_links(model)
    out: dict[str, TgwTables] = {}
    for tgw in model.tgws.values():
        attached = attachments.get(tgw.name, {})
        tt = out[tgw.name] = TgwTables(tgw, named=bool(tgw.route_tables))
        tt.peers = peers.get(tgw.name, {})
        on_links = learned.get(tgw.name, {})
        default = tt.tables[DEFAULT] = lookup_of(tgw)
        tt.spans[DEFAULT] = tgw.span
        for block in tgw.route_tables:
            if block.name not in tt.tables:
                tt.tables[block.name] = lookup_of(block)
                tt.spans[block.name] = block.span
        # Propagations first (as the single table always had them), then static routes.
        pending: dict[str, dict] = {name: {} for name in tt.tables}   # table -> net -> [(Link, span)]
        if tgw.default_propagation:
            for att in attached.values():
                if not att.attachment.static_only:
                    _propagate_vpc(default, att, entry_of)
            _gather(pending[DEFAULT], every.get(tgw.name, ()))
        for block in tgw.route_tables:
            table = tt.tables[block.name]
            for ref in block.propagations:
                if ref.name in attached:
                    _propagate_vpc(table, attached[ref.name], entry_of, ref.span)
                else:
                    _gather(pending[block.name], on_links.get(ref.name, ()), ref.span)
        for name, nets in pending.items():
            _propagate_links(tt.tables[name], nets, entry_of, withdrawn_of)
        _static(model, default, tgw.routes, attached, tt.peers, entry_of)
        for block in tgw.route_tables:
            _static(model, tt.tables[block.name], block.routes, attached, tt.peers, entry_of)
        for block in tgw.route_tables:
            for ref in block.associations:
                tt.associated.setdefault(ref.name, block.name)
        if tgw.default_association:
            for name in (*attached, *on_links, *tt.peers, *_link_names(model, tgw)):
                tt.associated.setdefault(name, DEFAULT)
    return out


def _propagate_vpc(table, att, entry_of, span=None) -> None:
    """``att``'s VPC blocks into ``table``; ``span``: the `propagate` that asks (else the
    attachment, for the default table)."""
    vpc = att.vpc
    for c in vpc.cidrs + vpc.ipv6:
        if c.net is not None:
            table.add(entry_of(c.net, vpc, "propagated", span or att.attachment.span,
                               f"{c.net} -> {vpc.name} (propagated)"))


def _gather(nets: dict, learned, span=None) -> None:
    """Add ``learned`` [(net, Link)] to ``nets`` {net: [(Link, span)]}: what one table
    learns from its link attachments, every link announcing a prefix together."""
    for net, link in learned:
        got = nets.setdefault(net, [])
        if all(lk is not link for lk, _ in got):
            got.append((link, span or link.obj.span))


def _propagate_links(table, nets: dict, entry_of, withdrawn_of) -> None:
    """One propagated route per prefix, naming every link up that announces it (the TGW
    picks among them: `vpcdsl.flows.hops.private_gateway.tgw_choice`). A prefix that only
    links marked `down` announce is withdrawn (AWS removes a down VPN's or VIF's BGP routes,
    https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html): no route, but
    the table remembers why."""
    for net, got in nets.items():
        up = [(lk, span) for lk, span in got if not lk.down]
        if not up:
            down = tuple(lk for lk, _ in got)
            table.withdrawn.append(withdrawn_of(net, ", ".join(dict.fromkeys(lk.obj.name for lk in down)),
                                                down, down[0].obj.span))
            continue
        names = ", ".join(dict.fromkeys(lk.obj.name for lk, _ in up))
        first, span = up[0]
        table.add(entry_of(net, first.obj, "propagated", span, f"{net} -> {names} (propagated)"))


def _static(model, table, routes, attached, peers, entry_of) -> None:
    for route in routes:
        net = route.cidr.net
        if net is None:
            continue
        if isinstance(route.target, ast.Blackhole):
            target, word = "blackhole", "blackhole"
        else:
            word = route.target.name
            target = attached[word].vpc if word in attached else \
                peers[word].peering if word in peers else model.get(word, "vpn", "dx", "dxgw")
        table.add(entry_of(net, target, "static", route.span, f"{net} -> {word}"))


def _link_names(model, tgw) -> list[str]:
    """The VPN and DX gateway attachments of ``tgw``, whether or not they announce anything."""
    names = [v.name for v in model.vpns.values() if v.target.name == tgw.name]
    names += [d.name for d in model.dxgws.values() if any(r.name == tgw.name for r in d.attachments)]
    return names


def _peer_links(model) -> dict[str, dict[str, PeerLink]]:
    """TGW name -> {peering attachment name -> PeerLink}, both sides of each `peering`."""
    out: dict[str, dict[str, PeerLink]] = {}
    for tgw in model.tgws.values():
        for p in tgw.peerings:
            other = model.tgws.get(p.peer.name)
            if other is None or other is tgw:
                continue
            out.setdefault(tgw.name, {}).setdefault(p.name, PeerLink(p, tgw, other))
            out.setdefault(other.name, {}).setdefault(p.name, PeerLink(p, other, tgw))
    return out



def associations(model, tgw) -> dict[str, list[str]]:
    """Table name -> the attachments associated with it, from the model alone (what the
    diagram shows): explicit associations first wins, the rest to the default table when
    default association is on."""
    out: dict[str, list[str]] = {DEFAULT: []}
    taken: set[str] = set()
    for block in tgw.route_tables:
        names = out.setdefault(block.name, [])
        for ref in block.associations:
            if ref.name not in taken:
                taken.add(ref.name)
                names.append(ref.name)
    if tgw.default_association:
        peers = list(_peer_links(model).get(tgw.name, {}))
        vpcs = [a.vpc.name for a in tgw.attachments if a.vpc.name in model.vpcs]
        for name in dict.fromkeys((*vpcs, *_link_names(model, tgw), *peers)):
            if name not in taken:
                out[DEFAULT].append(name)
    return out


__all__ = ["DEFAULT", "PeerLink", "TgwTables", "associations", "build_tgw_tables", "link_attachment"]
