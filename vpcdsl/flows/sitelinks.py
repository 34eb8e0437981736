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

`best` picks among the links of one gateway that carry an address, the way
AWS does (SEMANTICS.md, Hybrid; Site-to-Site VPN guide, "Route priority",
https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html; Direct
Connect guide, "Routing policies and BGP communities",
https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html),
step by step, each loser keeping the step it lost at (`Loss`):

1. links that are `down` carry nothing (`Choice.down` names them);
2. the longest prefix;
3. the kind: on a VGW (or a software VPN's instance) Direct Connect, then
   static VPN, then BGP VPN; on a TGW its route priority, static routes (a
   static VPN's) before Direct Connect gateway routes before BGP VPN routes
   (TGW guide, "Route evaluation order");
4. among Direct Connect links the higher local preference (communities
   7224:7100 low, 7224:7200 medium, 7224:7300 high; none counts as medium);
5. the shorter AS path: the site's AS once, plus its `prepend`;
6. the lower MED (`med N`, none counts as 0), compared only between paths from
   the same neighbouring AS (the site's `asn`; a site without one is its own);
7. what is left is equal: Direct Connect links, and BGP VPNs on a TGW with VPN
   ECMP support (`tgw NAME ... vpn-ecmp`), share the flows (ECMP,
   `Choice.ecmp`; a trace follows the link written first); otherwise a VGW, or a
   TGW without it, uses one connection at a time: the link written first*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..aws import NOT_INTERNET
from ..syntax import ast

KIND_RANK = {"dx": 0, "static-vpn": 1, "bgp-vpn": 2}          # a VGW's (and an instance's)
TGW_KIND_RANK = {"static-vpn": 0, "dx": 1, "bgp-vpn": 2}      # a TGW's route priority
KIND_WORDS = {"dx": "Direct Connect", "static-vpn": "static VPN", "bgp-vpn": "BGP VPN",
              "public-vif": "public VIF"}
LOCAL_PREF = {"7224:7100": 1, "7224:7200": 2, "7224:7300": 3}
LOCAL_PREF_WORDS = {1: "low", 2: "medium", 3: "high"}
DEFAULT_LOCAL_PREF = 2

_NOT_PUBLIC = NOT_INTERNET


@dataclass(frozen=True, slots=True)
class Announce:
    """One prefix a link carries, with the BGP attributes the path choice reads."""

    net: Any
    prepend: int
    local_pref: int
    span: Any                       # the `advertise`, or the link or site that implies it
    med: int = 0                    # `med N`; none written counts as 0
    community: str | None = None

    @property
    def as_path(self) -> int:
        """The AS path's length as AWS receives it: the site's AS, then each prepend."""
        return 1 + self.prepend


@dataclass(frozen=True, slots=True)
class Link:
    obj: Any                        # ast.Vpn or ast.DirectConnect
    site: ast.Site
    gateway: Any                    # VGW, TGW, instance, or None (a public VIF: AWS services)
    kind: str                       # dx, static-vpn, bgp-vpn, public-vif
    dxgw: ast.DxGateway | None      # the DX gateway a VIF goes through
    announced: tuple[Announce, ...]
    order: int                      # position in the file, for the last tie-break
    carrier: Any = None             # a VPN's `over` Direct Connect, when that one is down

    @property
    def node(self) -> str:
        return f"{'vpn' if isinstance(self.obj, ast.Vpn) else 'dx'}:{self.obj.name}"

    @property
    def words(self) -> str:
        return f"{KIND_WORDS[self.kind]} '{self.obj.name}'"

    @property
    def down(self) -> bool:
        """Written `down` (its tunnels or BGP session are down), or a VPN inside a Direct
        Connect that is: it carries no route."""
        return bool(getattr(self.obj, "down", False)) or self.carrier is not None

    @property
    def down_words(self) -> str:
        """The link in words, with why it is down when it is not itself written `down`."""
        if self.carrier is not None and not getattr(self.obj, "down", False):
            return f"{self.words} (inside Direct Connect '{self.carrier.name}', which is down)"
        return self.words

    @property
    def neighbour_as(self) -> str:
        """The neighbouring AS its paths come from, in words: the site's ASN, or the site
        itself when it has none written (MED is compared only within one)."""
        return f"AS {self.site.asn}" if self.site.asn is not None else f"site '{self.site.name}'"

    def carries(self, address) -> Announce | None:
        """The longest announced prefix holding ``address``."""
        best = None
        for a in self.announced:
            if a.net.version == address.version and address in a.net \
                    and (best is None or a.net.prefixlen > best.net.prefixlen):
                best = a
        return best


@dataclass(frozen=True, slots=True)
class Loss:
    """A link that carries the address but lost, and the step it lost at, in words from
    the winner's side (``higher local preference (high 7224:7300 vs low 7224:7100)``)."""

    link: Link
    announce: Announce
    step: int                       # 1 prefix, 2 kind, 3 local preference, 4 AS path, 5 MED, 6 tie
    words: str


@dataclass(frozen=True, slots=True)
class Choice:
    link: Link
    announce: Announce
    why: str                        # the step that set the winner apart from the runner-up
    losers: tuple[Loss, ...] = ()   # every other link up that carries it, the closest first
    down: tuple[Link, ...] = ()     # links that would carry it but are down
    ecmp: tuple[Link, ...] = ()     # with ``link``, the links flows are hashed across

    @property
    def explain(self) -> str:
        """Why this link and not each other that carries the prefix, in words."""
        parts = []
        if self.ecmp:
            parts.append(f"ECMP over {', '.join(lk.obj.name for lk in self.ecmp)}: flows are "
                         f"hashed across them; this trace follows {self.link.obj.name}")
        if self.down:
            parts.append(f"{_names(self.down)} {'is' if len(self.down) == 1 else 'are'} down: "
                         f"{self.link.words} carries it")
        parts += [f"over {loss.link.words}: {loss.words}" for loss in self.losers]
        return "; ".join(parts) or "the only route"


def _names(links) -> str:
    return ", ".join(lk.down_words for lk in links)


def link_lines(links) -> str:
    """Links in words, each with the line it is written on: `BGP VPN 'v' (line 9)`."""
    def one(lk) -> str:
        carrier = lk.carrier is not None and not getattr(lk.obj, "down", False)
        inside = f", inside Direct Connect '{lk.carrier.name}', which is down" if carrier else ""
        return f"{lk.words} (line {lk.obj.span.line}{inside})"
    return ", ".join(one(lk) for lk in links)


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """A prefix a route table (a VPC's propagating a VGW, a TGW's) would have learned, that
    only links marked `down` announce: AWS withdraws it
    (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html)."""

    net: Any
    via: str                     # what the route would have pointed to (the VGW, the link)
    links: tuple                 # the down Links announcing it
    span: Any                    # the first of them

    @property
    def words(self) -> str:
        several = len(self.links) > 1
        sites = ", ".join(dict.fromkeys(f"'{lk.site.name}'" for lk in self.links))
        return (f"route {self.net} -> {self.via} (propagated) was withdrawn: {link_lines(self.links)}, "
                f"the only {'links' if several else 'link'} announcing it, {'are' if several else 'is'} "
                f"down, so site {sites} is unreachable")


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
            a = Announce(adv.cidr.net, adv.prepend or 0,
                         LOCAL_PREF.get(adv.community or "", DEFAULT_LOCAL_PREF), adv.span,
                         adv.med or 0, adv.community)
            # an `advertise` of a prefix already announced sets its attributes on this link
            announced = tuple(x for x in announced if x.net != a.net) + (a,)
    over = model.get(obj.over.name, "dx") if isinstance(obj, ast.Vpn) and obj.over is not None else None
    carrier = over if over is not None and over.down else None
    return [Link(obj, site, gateway, kind, dxgw, announced, order, carrier) for gateway, dxgw in ends]


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
    """The link a gateway sends ``address`` over, among ``links`` (all on that gateway), by
    the steps of the module docstring; None when no link up carries it (`down_carriers`
    then says which are down)."""
    found = sorted(((lk, a) for lk in links if (a := lk.carries(address)) is not None),
                   key=lambda c: c[0].order)
    down = tuple(lk for lk, _ in found if lk.down)
    cands = [c for c in found if not c[0].down]
    if not cands:
        return None
    gateway = cands[0][0].gateway
    on_tgw = isinstance(gateway, ast.TransitGateway)
    rank = TGW_KIND_RANK if on_tgw else KIND_RANK
    losers: list[Loss] = []

    def keep(cands, step, key, words):
        """The candidates best by ``key`` (lower wins); the others lose at ``step``."""
        low = min(key(c) for c in cands)
        winner = next(c for c in cands if key(c) == low)
        losers.extend(Loss(lk, a, step, words(winner, (lk, a))) for lk, a in cands if key((lk, a)) != low)
        return [c for c in cands if key(c) == low]

    cands = keep(cands, 1, lambda c: -c[1].net.prefixlen,
                 lambda w, l: f"longest prefix ({w[1].net} over {l[1].net})")
    cands = keep(cands, 2, lambda c: rank.get(c[0].kind, 9),
                 lambda w, l: f"{KIND_WORDS[w[0].kind]} over {KIND_WORDS[l[0].kind]}")
    cands = keep(cands, 3, lambda c: -c[1].local_pref if c[0].kind == "dx" else 0,
                 lambda w, l: f"higher local preference ({_pref(w[1])} vs {_pref(l[1])})")
    cands = keep(cands, 4, lambda c: c[1].as_path,
                 lambda w, l: f"shorter AS path ({w[1].as_path} vs {l[1].as_path})")
    by_as: dict[str, list] = {}
    for c in cands:
        by_as.setdefault(c[0].neighbour_as, []).append(c)
    kept = []
    for group in by_as.values():
        kept += keep(group, 5, lambda c: c[1].med, lambda w, l: (
            f"lower MED ({w[1].med} vs {l[1].med}, both from {w[0].neighbour_as})"))
    cands = sorted(kept, key=lambda c: c[0].order)
    link, a = cands[0]
    shares = link.kind == "dx" or link.kind == "bgp-vpn" and on_tgw \
        and getattr(gateway, "vpn_ecmp", False)
    peers = [c for c in cands if c[1].med == a.med] if shares else [cands[0]]
    for lk, la in cands:
        if not any(lk is p for p, _ in peers):
            losers.append(Loss(lk, la, 6, _tie_words(link, a, lk, la, gateway)))
    losers.sort(key=lambda loss: (-loss.step, loss.link.order))    # the closest first
    ecmp = tuple(lk for lk, _ in peers) if len(peers) > 1 else ()
    runner_up = losers[0] if losers else None
    why = runner_up.words if runner_up is not None and not ecmp \
        else "ECMP" if ecmp else "the only route"
    if runner_up is not None and runner_up.step == 3:
        why = f"higher local preference than {runner_up.link.words}"
    return Choice(link, a, why, tuple(losers), down, ecmp)


def _pref(a: Announce) -> str:
    level = LOCAL_PREF_WORDS[a.local_pref]
    return f"{level} {a.community}" if a.community in LOCAL_PREF else f"{level}, no community"


def _tie_words(link: Link, a: Announce, other: Link, b: Announce, gateway) -> str:
    """Why ``link`` beats ``other`` when no attribute told them apart (or MEDs from two
    neighbouring ASes could not be compared): it was written first."""
    if a.med != b.med:
        return (f"written first (MED {a.med} and {b.med} are not compared: from "
                f"{link.neighbour_as} and {other.neighbour_as})")
    if isinstance(gateway, ast.TransitGateway):
        if link.kind == "static-vpn":
            return "written first (equal attributes; a static VPN's routes use one connection at a time)"
        return (f"written first (equal attributes; transit gateway '{gateway.name}' has no VPN "
                "ECMP support, `vpn-ecmp`, so it uses one VPN connection at a time)")
    what = "virtual private gateway" if isinstance(gateway, ast.VirtualPrivateGateway) else "gateway"
    return f"written first (equal attributes; a {what} uses one VPN connection at a time)"


def down_carriers(links: list[Link], address) -> tuple[Link, ...]:
    """The links among ``links`` that would carry ``address`` but are `down`."""
    return tuple(lk for lk in links if lk.down and lk.carries(address) is not None)
