"""Which address pieces of a range end one trace decides together (for `reach`).

A range end (`internet`, a CIDR) is cut into pieces by every CIDR the model
writes (`vpcdsl.analysis.cidrpieces`), so each piece is uniform for every rule;
but most rules are nowhere near a given path. `path_view(trace, address)` says
what the components a trace went through see of another address of the same
end: the NACL rules whose block holds it (in order, numbers and blocks left
out), the piece of each security group's blocks, the route each route table
and TGW route table picks, and the VPC, subnet, host or site holding it. A piece whose view
equals the traced piece's takes the same path and gets the same verdict, so
the trace stands for it. A path through a component whose view this does not
capture (a load balancer, an appliance, a VPN) gives None: such pieces are
traced one by one, as before.
"""

from __future__ import annotations

from bisect import bisect_right
from ipaddress import IPv4Address

from ..aws import NOT_INTERNET_V4
from ..flows.filters import rule_cidrs
from ..flows.ends import LINK_LOCAL_SERVICES
from ..flows.flow import FlowError, NotSimulated, Trace
from ..syntax import ast

# Components that read no address of their own on the way (they translate, or deliver).
_BLIND = ("igw", "nat", "internet")


class PathViews:
    """`path_view` for one model and tracer, with its per-rule caches."""

    def __init__(self, tracer, fixed_end: str):
        self.tracer = tracer
        self.dp = tracer.dp
        self.model = tracer.model
        self._nacls = {n.name: n for n in self.model.nacl_of.values() if n is not None}
        self._bounds: dict[tuple, list[int]] = {}
        self._views: dict = {}
        self._paths: dict[tuple, tuple] = {}
        self._groups: dict[str, ast.SecurityGroup] = {}
        end = tracer.end(fixed_end)
        self._fixed_groups = tuple(end.sgs or ())
        self._ends = {f"{end.kind}:{end.text}", f"instance:{end.text}", f"subnet:{end.text}"}

    def view(self, t: Trace, address: int) -> tuple | None:
        """What ``t``'s components see of ``address`` (module docstring), or None."""
        path = self.path_of(t)
        return None if path is None else self.view_on(path, address)

    def view_on(self, path: tuple, address: int) -> tuple:
        """What the components of ``path`` (a `path_of`) see of ``address``."""
        key = (id(path), address)             # paths are interned: many traces share one
        got = self._views.get(key)
        if got is None:
            nacls, tables, tgws, groups = path
            at = IPv4Address(address)
            parts = [self._where(at)]
            parts += [self._nacl_view(self._nacls[n], address) for n in nacls]
            parts += [id(self.dp.routes[name].lookup(at)) for name in tables]
            parts += [tuple(id(t.lookup(at)) for t in self.dp.tgw_tables[name].tables.values())
                      for name in tgws]       # every route table of the TGW
            parts += [self._piece(("sg", n), self._groups[n].rules, address) for n in groups]
            got = self._views[key] = tuple(parts)
        return got

    def _where(self, at) -> tuple:
        """The VPC, subnet, host and site holding an address, whether it is private, and what
        kind of end it is (a host, a link-local service, a VPC's DNS): where it is decides
        delivery (and the same-subnet case)."""
        got = self._views.get(("where", at))
        if got is None:
            vpc = self.dp.vpc_at(at)
            try:
                kind = self.tracer.address_end(str(at), at).kind
            except (FlowError, NotSimulated) as exc:
                kind = ("unanswered", str(exc))
            got = self._views[("where", at)] = (
                id(vpc), id(self.dp.subnet_at(vpc.name, at)) if vpc is not None else None,
                id(self.dp.host_at.get(at)), id(self.dp.site_at(at)), any(at in n for n in NOT_INTERNET_V4),
                kind, LINK_LOCAL_SERVICES.get(at), self.dp.amazon_dns.get(at))
        return got

    def path_of(self, t: Trace) -> tuple | None:
        """The components of ``t`` whose view of an address decides its path, interned; None
        when it went through one whose view this does not capture."""
        key = id(t)
        got = self._views.get(key)
        if got is None:
            path = self._components(t)
            path = self._paths.setdefault(path, path) if path is not None else None
            got = self._views[key] = (t, path)    # t kept: its id stays its own
        return got[1]

    def _components(self, t: Trace):
        nacls, tables, tgws, groups = {}, {}, {}, {g.name: g for g in self._fixed_groups}
        for h in (*t.forward, *t.back):
            kind, _, name = h.component.partition(":")
            if kind == "nacl" and name in self._nacls:
                nacls[name] = self._nacls[name]
            elif kind == "route-table" and name in self.dp.routes:
                tables[name] = True
            elif kind == "tgw" and name in self.dp.tgw_routes:
                tgws[name] = True
            elif kind == "sg":
                sg = self.model.get(name, "sg")
                if sg is None or name not in groups:
                    return None          # a group of another device: its other groups unseen
            elif kind in _BLIND or h.component in self._ends:
                continue
            else:
                return None
        self._groups.update(groups)
        return tuple(nacls), tuple(sorted(tables)), tuple(sorted(tgws)), tuple(sorted(groups))

    def _nacl_view(self, nacl, address: int) -> tuple:
        if nacl.default:
            return ("default",)
        piece = self._piece(("nacl", id(nacl)), nacl.rules, address)
        key = ("nacl-view", id(nacl), piece)
        got = self._views.get(key)
        if got is None:
            got = self._views[key] = nacl_view(nacl.rules, IPv4Address(address))
        return got

    def _piece(self, key: tuple, rules, address: int) -> int:
        bounds = self._bounds.get(key)
        if bounds is None:
            bounds = self._bounds[key] = sorted({x for net in rule_cidrs(rules) if net.version == 4
                                                 for x in (int(net.network_address),
                                                           int(net.broadcast_address) + 1)})
        return bisect_right(bounds, address)


def nacl_view(rules, at) -> tuple:
    """How NACL ``rules`` see the address ``at`` (IPv4 or IPv6): the rules whose block holds
    it, in evaluation order, numbers and blocks left out. Two addresses with equal views are
    treated alike by every packet (the first match is the same rule's action)."""
    return tuple((r.direction, r.action, r.protocol.name,
                  (r.protocol.ports.low, r.protocol.ports.high) if r.protocol.ports is not None else None,
                  r.protocol.icmp_type)
                 for r in sorted(rules, key=lambda r: (r.direction, r.number))
                 if isinstance(r.cidr, ast.AnyPeer) or
                 (r.cidr.net is not None and r.cidr.net.version == at.version and at in r.cidr.net))


__all__ = ["PathViews", "nacl_view"]
