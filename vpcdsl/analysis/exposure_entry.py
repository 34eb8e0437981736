"""Where a request from the internet first meets a rule: the target subnet's NACL, inbound.

Exposure traces each target from every cell of the internet for every packet class, and
most of those traces end at that NACL. A request from the internet reaches it by hops that
read only the target (`vpcdsl.flows.hops.internet`: the internet's forward, the internet
gateway's translation to the target's private address), and the NACL's inbound verdict reads
only the request's source address, protocol, port and ICMP type. So once one trace of a
target shows that path, a request the NACL denies is dropped there, inside the target's
neighbours, whatever else the target has: `EntryGate` decides it from the NACL's rules
instead of walking it. A request the NACL allows is traced as before.
"""

from __future__ import annotations

from ..flows.filters import nacl_verdict
from ..flows.flow import Trace
from ..syntax import ast


class EntryGate:
    """The inbound NACLs one tracer's internet requests meet first, and their verdicts on
    (source address, packet class), computed once per NACL."""

    def __init__(self, tracer, obj_of):
        self.tracer = tracer
        self._obj_of = obj_of        # a hop's component as its model object (exposure's)
        self._denies: dict[tuple, bool] = {}
        self._headers: dict[tuple, object] = {}    # (src, protocol, port) -> Header, NACL aside

    def first_nacl(self, t: Trace) -> ast.Nacl | None:
        """The custom NACL a trace from the internet meets right after the internet gateway
        (resolving hops aside), or None when its path starts otherwise (a default NACL, an
        end dropped before any filter, a site, a flow that is not the internet's)."""
        expected = ("internet", "igw")
        seen = 0
        for h in t.forward:
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
            return nacl if isinstance(nacl, ast.Nacl) and not nacl.default else None
        return None

    def denies(self, nacl: ast.Nacl, src: str, protocol: str, port) -> bool:
        """Whether ``nacl``'s inbound rules drop the request from address ``src`` of this
        protocol and port (or ICMP type), as the walk's NACL step decides it."""
        key = (id(nacl), src, protocol, port)
        hit = self._denies.get(key)
        if hit is None:
            tracer = self.tracer
            header = self._headers.get(key[1:])
            if header is None:
                header = self._headers[key[1:]] = tracer.request_header(src, protocol, port)
            rules = tracer.dp.nacl_rules(nacl, "in")
            hit = self._denies[key] = not nacl_verdict(nacl, "in", header, rules=rules).allowed
        return hit
