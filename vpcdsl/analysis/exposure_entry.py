"""Where a request from the internet first meets rules: the target subnet's NACL, inbound,
then the target's security groups.

Exposure traces each target from every cell of the internet for every packet class, and
most of those traces end at one of these two filters. A request from the internet reaches
the NACL by hops that read only the target (`vpcdsl.flows.hops.internet`: the internet's
forward, the internet gateway's translation to the target's private address), and the
NACL's inbound verdict reads only the request's source address, protocol, port and ICMP
type. A request the NACL allows meets the target's security groups next, whose inbound
verdict reads the same (a source on the internet has no ENI, so no group reference matches
it: `vpcdsl.flows.filter_steps.sg_step`). So once one trace of a target shows that path, a
request either filter denies is dropped there, next to the target, whatever else the model
has: `EntryGate` decides it from the rules instead of walking it. A request both allow is
traced as before.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from ipaddress import ip_address

from ..flows.filters import nacl_verdict, rule_cidrs, sg_verdict
from ..flows.flow import Trace
from ..syntax import ast


@dataclass
class Entry:
    """The filters the internet's requests to one target node meet first: ``nacl`` (custom
    or default), then ``sgs`` once a trace showed them next (None until then; () when what
    follows the NACL is not a security group step, as for a subnet's probe)."""

    nacl: ast.Nacl
    sgs: tuple | None = None


class EntryGate:
    """The entries one tracer's internet requests meet, and their verdicts on (source
    address, packet class), computed once per NACL and once per set of groups."""

    def __init__(self, tracer, obj_of):
        self.tracer = tracer
        self._obj_of = obj_of        # a hop's component as its model object (exposure's)
        self._denies: dict[tuple, bool] = {}
        self._headers: dict[tuple, object] = {}    # (src, protocol, port) -> Header, filters aside
        self._bounds: dict[tuple, list[int]] = {}  # (filter, family) -> where its rules' CIDRs begin and end
        self._addresses: dict[str, tuple] = {}     # a source address's text -> (family, integer)

    def entry(self, t: Trace, dst: str) -> Entry | None:
        """The entry of target node ``dst`` that trace ``t`` (from the internet to it) shows,
        or None when its path does not start at the internet, its gateway and a NACL."""
        at = self._nacl_at(t)
        if at is None:
            return None
        got = Entry(at[1])
        self.learn(got, t, dst)
        return got

    def learn(self, entry: Entry, t: Trace, dst: str) -> None:
        """Fill in ``entry.sgs`` from a trace that passed its NACL: the groups of ``dst`` if
        the walk's next step is their inbound check, else ()."""
        at = self._nacl_at(t)
        if entry.sgs is not None or at is None or at[1] is not entry.nacl:
            return
        rest = [h for h in t.forward[at[0] + 1:] if h.action != "resolve"]
        if t.forward[at[0]].action != "allow" or not rest:
            return                                      # dropped there: what follows is unseen
        sgs = tuple(self.tracer.end(dst).sgs or ())
        shown = rest[0].kind == "sg" and rest[0].component.partition(":")[2] in {g.name for g in sgs}
        entry.sgs = sgs if shown else ()

    def _nacl_at(self, t: Trace):
        """(index in ``t.forward``, NACL) of the NACL hop right after the internet and its
        gateway, or None."""
        expected = ("internet", "igw")
        seen = 0
        for i, h in enumerate(t.forward):
            if h.action == "resolve":
                continue
            if seen < len(expected):
                head = h.component.partition(":")[0]
                if head != expected[seen] or h.action not in ("forward", "translate"):
                    return None
                seen += 1
                continue
            if h.kind != "nacl":
                return None
            nacl = self._obj_of(h.component)
            return (i, nacl) if isinstance(nacl, ast.Nacl) else None
        return None

    def denies(self, entry: Entry, src: str, protocol: str, port) -> bool:
        """Whether the entry's NACL (inbound rules), else its groups, drop the request from
        address ``src`` of this protocol and port (or ICMP type), as the walk's filter steps
        decide it."""
        if self._decide(("nacl", id(entry.nacl)), entry, src, protocol, port):
            return True
        return bool(entry.sgs) and self._decide(("sg", *map(id, entry.sgs)), entry, src, protocol, port)

    def _decide(self, which: tuple, entry: Entry, src: str, protocol: str, port) -> bool:
        # A filter reads the source address only through which of its rules' CIDRs hold it:
        # addresses between the same two bounds of those CIDRs share one verdict.
        address = self._addresses.get(src)
        if address is None:
            a = ip_address(src)
            address = self._addresses[src] = (a.version, int(a))
        bounds = self._bounds.get((which, address[0]))
        if bounds is None:
            rules = (self.tracer.dp.nacl_rules(entry.nacl, "in") if which[0] == "nacl"
                     else [r for g in entry.sgs for r in g.rules if r.direction == "in"])
            bounds = self._bounds[(which, address[0])] = sorted(
                {b for net in rule_cidrs(rules) if net.version == address[0]
                 for b in (int(net.network_address), int(net.broadcast_address) + 1)})
        key = (which, address[0], bisect_right(bounds, address[1]), protocol, port)
        hit = self._denies.get(key)
        if hit is None:
            header = self._headers.get((src, protocol, port))
            if header is None:
                header = self._headers[(src, protocol, port)] = self.tracer.request_header(src, protocol, port)
            if which[0] == "nacl":
                rules = self.tracer.dp.nacl_rules(entry.nacl, "in")
                verdict = nacl_verdict(entry.nacl, "in", header, rules=rules)
            else:
                verdict = sg_verdict(entry.sgs, "in", header, None)
            hit = self._denies[key] = not verdict.allowed
        return hit
