"""Exposure over IPv6: what the IPv6 internet and each site's IPv6 ranges reach, and whose
address pieces a source is (`source_pieces`, both families).

Reach's way, every piece and packet class (`vpcdsl.analysis.reach.pair_rows`): IPv6 has
no shortcut of `vpcdsl.analysis.exposure`'s. A target is asked about when it has an IPv6
address; a site when it has an IPv6 range. The trace decides which link carries it: a
transit gateway's VPN or Direct Connect attachment does, and so does a Direct Connect
private VIF on a virtual private gateway (directly or through a DX gateway); a VPN on a
virtual private gateway does not (docs/SEMANTICS.md, Hybrid).
"""

from __future__ import annotations

from ipaddress import ip_address

from ..flows.flow import FlowError, NotSimulated
from ..packetsets import PacketSet
from .exposure_ranks import rank_of
from .flowsets import packet_classes
from .reach import Side, class_packets, end_sides, families, in_family, pair_rows

__all__ = ["ipv6_findings", "ipv6_sources", "source_pieces"]


def source_pieces(model, tracer, src: str, family: int = 4) -> list[Side]:
    """The address pieces of ``family`` that are a source's own, in address order: for the
    internet, public addresses no VPC or site holds; for a site, its CIDRs' addresses no VPC
    holds (and, where sites overlap, the ones the trace gives this site)."""
    if src == "internet":
        sides = end_sides(model, tracer, "internet", family)
    else:
        seen, sides = set(), []
        for c in model.sites[src].cidrs:
            if c.net is not None and c.net.version == family:
                for s in end_sides(model, tracer, str(c.net), family):
                    if s.addresses not in seen:
                        seen.add(s.addresses)
                        sides.append(s)
    site = model.sites.get(src)
    kept = []
    for s in sides:
        end = tracer.address_end(s.text, ip_address(s.text))
        if (site is None and end.kind == "internet") or (site is not None and end.obj is site):
            kept.append(s)
    kept.sort(key=lambda s: s.addresses)
    return kept


def ipv6_sources(model, names) -> list[str]:
    """The sources among ``names`` asked about over IPv6: none unless a subnet has an IPv6
    block (no target has an IPv6 address), else the internet and each site with an IPv6 CIDR."""
    if 6 not in families(model):
        return []
    return [n for n in names if n == "internet"
            or any(c.net is not None and c.net.version == 6 for c in model.sites[n].cidrs)]


def ipv6_findings(model, tracer, targets, names):
    """What each IPv6 source among ``names`` reaches on each target with an IPv6 address:
    ``(rank, src, dst, kind, row)`` per allowed or intermittent `ReachRow` (ranked by its
    classes whole, addresses aside, as IPv4's findings), and ``(src, dst, why)`` per pair or
    part no trace could answer."""
    sources = ipv6_sources(model, names)
    if not sources:
        return [], []
    classes = [(c, class_packets(model, c, 6)) for c in packet_classes(model, None, 6)]
    asked = [(name, kind) for name, kind, _ in targets if in_family(tracer, name, 6)]
    found, skipped = [], []
    for src in sources:
        # The internet's pieces are reach's own; a site's are those no VPC or other site holds.
        sides = None if src == "internet" else source_pieces(model, tracer, src, 6)
        if sides == []:
            skipped.append((src, "*", "IPv6: every address of it is a VPC's or another site's"))
            continue
        for name, kind in asked:
            try:
                rows, unanswered = pair_rows(model, tracer, src, name, classes, None, 6, src_sides=sides)
            except (FlowError, NotSimulated) as exc:
                skipped.append((src, name, f"IPv6: {exc}"))
                continue
            skipped.extend((src, name, f"IPv6: part of it: {exc}") for exc in unanswered)
            for r in rows:
                if r.status != "blocked":
                    svc = PacketSet.union(c_set for _, c_set in classes if not r.packets.isdisjoint(c_set))
                    found.append((rank_of(svc), src, name, kind, r))
    return found, skipped
