"""BGP attributes that cannot act as written: on a link without BGP, out of range, or the
same on every path so they decide nothing.

- E520: an `advertise ... via` a static VPN: a static VPN runs no BGP, so it carries
  only its `static` CIDRs and none of an advertisement's attributes (`med`, `prepend`,
  `community`) reach AWS (Site-to-Site VPN guide, "Static and dynamic routing",
  https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html).
- E521: a `med` outside 0..4294967295 (MULTI_EXIT_DISC is a four-octet attribute,
  RFC 4271 §4.3).
- W520: a local-preference community (7224:7100, 7224:7200, 7224:7300) where AWS does
  not read it: over a VPN, or over a public VIF (DX guide, "Routing policies and BGP
  communities", https://docs.aws.amazon.com/directconnect/latest/UserGuide/routing-and-bgp.html:
  they act on private and transit VIFs).
- W521: a `med` with no `via` on a site with several links: every path from the site
  gets the same MED, which then tells none of them apart.
- W522: `vpn-ecmp` on a TGW whose VPNs all use static routing: ECMP spreads flows over
  BGP VPNs with equal attributes only; a static VPN's routes use one connection at a
  time (TGW guide, "VPN ECMP support";
  https://repost.aws/knowledge-center/vpn-configure-tunnel-preference).
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model, describe
from ..syntax import ast
from . import locate

LOCAL_PREF_COMMUNITIES = ("7224:7100", "7224:7200", "7224:7300")
MED_MAX = 2 ** 32 - 1


def check(model: Model) -> Iterator[Diagnostic]:
    for adv in model.advertisements:
        yield from _check_advertisement(model, adv)
    yield from _check_vpn_ecmp(model)


def _check_advertisement(model: Model, adv: ast.Advertise) -> Iterator[Diagnostic]:
    site = model.get(adv.site.name, "site")
    link = model.get(adv.via.name, "vpn", "dx") if adv.via is not None else None
    if isinstance(link, ast.Vpn) and link.routing == "static":
        yield error(
            "E520", f"site '{adv.site.name}' advertises {adv.cidr.text} over static VPN "
                    f"'{link.name}', which runs no BGP", adv.via.span,
            f"a static VPN carries exactly its `static` CIDRs and no BGP attributes: list "
            f"{adv.cidr.text} there, or make VPN '{link.name}' `bgp`")
    if adv.med is not None and not 0 <= adv.med <= MED_MAX:
        yield error(
            "E521", f"MED {adv.med} is outside 0..{MED_MAX}", locate(model, adv.span, r"\bmed\s+(\d+)"),
            "MED is a four-octet BGP attribute; a lower one is preferred")
    if adv.community in LOCAL_PREF_COMMUNITIES and link is not None:
        where = "a VPN" if isinstance(link, ast.Vpn) else \
            "a public VIF" if getattr(link, "vif", "") == "public" else None
        if where is not None:
            yield warning(
                "W520", f"community {adv.community} over {describe(link)} sets no local "
                        f"preference: AWS reads it on private and transit VIFs only, not on {where}",
                locate(model, adv.span, r"\bcommunity\s+(\S+)"),
                "to prefer one VPN over another use `prepend` (a longer AS path loses) or "
                "`med` (between paths from the same AS)")
    if adv.med is not None and adv.via is None and site is not None:
        links = [lk for lk in (*model.vpns.values(), *model.dxs.values())
                 if lk.site.name == site.name]
        if len(links) > 1:
            yield warning(
                "W521", f"`med {adv.med}` without `via` gives every link of site '{site.name}' "
                        "the same MED, so it tells none of them apart",
                locate(model, adv.span, r"\bmed\s+(\d+)"),
                f"add `via LINK` to set the MED of one link "
                f"({', '.join(lk.name for lk in links)}); the lower MED wins")


def _check_vpn_ecmp(model: Model) -> Iterator[Diagnostic]:
    for tgw in model.tgws.values():
        if not getattr(tgw, "vpn_ecmp", False):
            continue
        vpns = [v for v in model.vpns.values() if v.target.name == tgw.name]
        if vpns and all(v.routing == "static" for v in vpns):
            yield warning(
                "W522", f"transit gateway '{tgw.name}' has `vpn-ecmp`, but its VPNs "
                        f"({', '.join(v.name for v in vpns)}) use static routing",
                locate(model, tgw.span, r"\b(vpn-ecmp)\b"),
                "ECMP spreads flows over BGP VPNs that announce a prefix with equal "
                "attributes; make the VPNs `bgp`, or drop `vpn-ecmp`")
