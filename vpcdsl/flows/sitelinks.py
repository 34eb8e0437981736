"""The hybrid links of a model: which VPN or Direct Connect carries a prefix, and which wins.

A *link* is a Site-to-Site VPN or a Direct Connect virtual interface between a
site and an AWS gateway: a VGW (a VPN on it, a private VIF on it or on a DX
gateway attached to it), a TGW (a VPN on it, a transit VIF on a DX gateway
attached to it), an instance (a software VPN) or AWS's public services (a
public VIF). Each link carries the prefixes its site announces over it:

- a static VPN: exactly its `static` CIDRs;
- a BGP link (a BGP VPN or a private or transit VIF): the site's CIDRs, plus
  every `advertise SITE CIDR` for that link (`via LINK`) or for all of the
  site's links (no `via`), with its AS-path prepending and community;
- a public VIF: the prefixes advertised over it, else the site's public CIDRs.

`best` picks among the links of one gateway that carry an address, the way a
VGW does (SEMANTICS.md, Hybrid): the longest prefix, then Direct Connect,
then static VPN, then BGP VPN; among Direct Connect links the higher local
preference (communities 7224:7100 low, 7224:7200 medium, 7224:7300 high; none
counts as medium*), then the shortest AS path. MED is not modelled (the
language has no way to write one); remaining ties go to the link written
first*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..aws import NOT_INTERNET
from ..syntax import ast

KIND_RANK = {"dx": 0, "static-vpn": 1, "bgp-vpn": 2}
KIND_WORDS = {"dx": "Direct Connect", "static-vpn": "static VPN", "bgp-vpn": "BGP VPN",
              "public-vif": "public VIF"}
LOCAL_PREF = {"7224:7100": 1, "7224:7200": 2, "7224:7300": 3}
DEFAULT_LOCAL_PREF = 2

_NOT_PUBLIC = NOT_INTERNET


@dataclass(frozen=True, slots=True)
class Announce:
    """One prefix a link carries, with the BGP attributes the path choice reads."""

    net: Any
    prepend: int
    local_pref: int
    span: Any                       # the `advertise`, or the link or site that implies it


@dataclass(frozen=True, slots=True)
class Link:
    obj: Any                        # ast.Vpn or ast.DirectConnect
    site: ast.Site
    gateway: Any                    # VGW, TGW, instance, or None (a public VIF: AWS services)
    kind: str                       # dx, static-vpn, bgp-vpn, public-vif
    dxgw: ast.DxGateway | None      # the DX gateway a VIF goes through
    announced: tuple[Announce, ...]
    order: int                      # position in the file, for the last tie-break

    @property
    def node(self) -> str:
        return f"{'vpn' if isinstance(self.obj, ast.Vpn) else 'dx'}:{self.obj.name}"

    @property
    def words(self) -> str:
        return f"{KIND_WORDS[self.kind]} '{self.obj.name}'"

    def carries(self, address) -> Announce | None:
        """The longest announced prefix holding ``address``."""
        best = None
        for a in self.announced:
            if a.net.version == address.version and address in a.net \
                    and (best is None or a.net.prefixlen > best.net.prefixlen):
                best = a
        return best


@dataclass(frozen=True, slots=True)
class Choice:
    link: Link
    announce: Announce
    why: str                        # what decided among the candidates, in words


def build_links(model) -> list[Link]:
    """Every link of the model whose ends resolve, in source order."""
    links = []
    for order, obj in enumerate((*model.vpns.values(), *model.dxs.values())):
        site = model.get(obj.site.name, "site")
        if site is None:
            continue
        if isinstance(obj, ast.Vpn):
            gateway = model.get(obj.target.name, "vgw", "tgw", "instance", "nat-instance")
            if gateway is None or obj.routing is None:
                continue
            kind = "static-vpn" if obj.routing == "static" else "bgp-vpn"
            links.extend(_links(model, obj, site, [(gateway, None)], kind, order))
            continue
        if obj.vif == "public":
            links.append(Link(obj, site, None, "public-vif", None, _public(model, obj, site), order))
            continue
        target = model.get(obj.target.name, "vgw", "dxgw") if obj.target is not None else None
        if target is None:
            continue
        if isinstance(target, ast.DxGateway):
            want = ast.TransitGateway if obj.vif == "transit" else ast.VirtualPrivateGateway
            ends = [(g, target) for ref in target.attachments
                    if isinstance(g := model.get(ref.name, "vgw", "tgw"), want)]
        else:
            ends = [(target, None)] if obj.vif == "private" else []
        links.extend(_links(model, obj, site, ends, "dx", order))
    return links


def _links(model, obj, site, ends, kind, order) -> list[Link]:
    if kind == "static-vpn":
        announced = tuple(Announce(c.net, 0, DEFAULT_LOCAL_PREF, c.span)
                          for c in obj.static_cidrs if c.net is not None)
    else:
        announced = tuple(Announce(c.net, 0, DEFAULT_LOCAL_PREF, site.span)
                          for c in site.cidrs if c.net is not None)
        for adv in model.advertisements:
            if adv.site.name != site.name or adv.cidr.net is None:
                continue
            if adv.via is not None and adv.via.name != obj.name:
                continue
            a = Announce(adv.cidr.net, adv.prepend or 0, LOCAL_PREF.get(adv.community or "", DEFAULT_LOCAL_PREF),
                         adv.span)
            # an `advertise` of a prefix already announced sets its attributes on this link
            announced = tuple(x for x in announced if x.net != a.net) + (a,)
    return [Link(obj, site, gateway, kind, dxgw, announced, order) for gateway, dxgw in ends]


def _public(model, obj, site) -> tuple[Announce, ...]:
    advertised = tuple(Announce(a.cidr.net, a.prepend or 0, DEFAULT_LOCAL_PREF, a.span)
                       for a in model.advertisements
                       if a.site.name == site.name and a.cidr.net is not None
                       and (a.via is None or a.via.name == obj.name) and is_public(a.cidr.net))
    if advertised:
        return advertised
    return tuple(Announce(c.net, 0, DEFAULT_LOCAL_PREF, site.span)
                 for c in site.cidrs if c.net is not None and is_public(c.net))


def is_public(net) -> bool:
    return not any(net.version == n.version and net.subnet_of(n) for n in _NOT_PUBLIC)


def best(links: list[Link], address) -> Choice | None:
    """The link a gateway sends ``address`` over, among ``links`` (all on that gateway)."""
    found = [(link, a) for link in links if (a := link.carries(address)) is not None]
    if not found:
        return None

    def key(item):
        link, a = item
        lp = -a.local_pref if link.kind == "dx" else 0
        return (-a.net.prefixlen, KIND_RANK.get(link.kind, 9), lp, a.prepend, link.order)

    found.sort(key=key)
    link, a = found[0]
    why = _why(found, key)
    return Choice(link, a, why)


def _why(found, key) -> str:
    """Which step of the path choice set the winner apart from the runner-up."""
    if len(found) == 1:
        return "the only route"
    (l1, a1), (l2, a2) = found[0], found[1]
    k1, k2 = key(found[0]), key(found[1])
    if k1[0] != k2[0]:
        return f"longest prefix ({a1.net} over {a2.net})"
    if k1[1] != k2[1]:
        return f"{KIND_WORDS[l1.kind]} over {KIND_WORDS[l2.kind]}"
    if k1[2] != k2[2]:
        return f"higher local preference than {l2.words}"
    if k1[3] != k2[3]:
        return f"shorter AS path than {l2.words} (prepended {a2.prepend})"
    return f"written before {l2.words}"
