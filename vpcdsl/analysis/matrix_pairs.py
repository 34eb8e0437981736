"""The pair classes of `vpcdsl.analysis.matrix`: what a trace reads of one end (`MatrixEnd`)
and the key of a pair (`PairFacts.key`): pairs with equal keys get equal verdicts, so one
walk per key decides them all. One `PairFacts` per address family: over IPv6 the facts are
read at the ends' IPv6 addresses (route tables' IPv6 routes, NACL and group rules' IPv6
blocks); a route to an internet or egress-only gateway sends the request across the internet
into the destination's VPC by its internet gateway, as the walk does (every IPv6 VPC block is
public: `vpcdsl.flows.hops.internet.to_outside`), so the key reads that path (`_over_internet`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address

from ..aws import NOT_INTERNET_V4
from ..flows.filters import rule_cidrs
from ..syntax import ast

__all__ = ["MatrixEnd", "PairFacts", "PairKeys", "DROPPED", "nacl_rules"]

DROPPED = ("dropped",)
_INTERNET = (ast.InternetGateway, ast.EgressOnlyInternetGateway)
_ADDRESS = {4: IPv4Address, 6: IPv6Address}
_BITS = {4: 32, 6: 128}


@dataclass(frozen=True)
class MatrixEnd:
    """What a trace reads of one matrix end in one address family."""

    name: str
    address: int                     # its address of the family
    subnet: ast.Subnet
    vpc: str
    nacl: object
    sgs: tuple | None
    ports: tuple | None
    table: object                    # its subnet's RouteLookup (None: no route table)
    local: tuple                     # the end's own filters, for `_groups` and the key
    block: tuple[int, int]           # the VPC block holding its address (first, last)
    family: int = 4

    @classmethod
    def of(cls, tracer, obj, family: int = 4) -> MatrixEnd:
        end = tracer.end(obj.name) if family == 4 else tracer.end(obj.name, family=6)
        subnet = end.subnet
        nacl = tracer.model.nacl_of.get(subnet.name)
        sgs = end.sgs if isinstance(obj, ast.Instance) else None
        ports = end.ephemeral
        own = (tuple(id(g) for g in sgs or ()), ports, end.kind, end.problem)
        address = int(end.address)
        vpc = tracer.model.vpcs[end.vpc]
        blocks = vpc.cidrs if family == 4 else vpc.ipv6
        home = subnet.cidr if family == 4 else subnet.ipv6
        net = next((c.net for c in blocks if c.net is not None and end.address in c.net), home.net)
        return cls(obj.name, address, subnet, end.vpc, nacl, sgs, ports, tracer.dp.route_table_of(subnet),
                   own, (int(net.network_address), int(net.broadcast_address)), family)


class PairFacts:
    """The key of a pair of one address family: equal keys, equal verdicts (see
    `vpcdsl.analysis.matrix`).

    Every fact about an address is cached per VPC block where no route, NACL or group block
    cuts the VPC block (the fact is then the same for each of its addresses), else per address.
    """

    def __init__(self, tracer, family: int = 4):
        self.tracer = tracer
        self.family = family
        self._address = _ADDRESS[family]
        self._bounds: dict[tuple, list[int]] = {}
        self._cache: dict[tuple, object] = {}
        self._signatures: dict[tuple, int] = {}
        self.nacls_on_path: dict[tuple, tuple] = {}       # key -> NACLs between the ends' own

    def key(self, s: MatrixEnd, d: MatrixEnd) -> tuple:
        if s.subnet is d.subnet:
            return ("same", s.local, d.local, self._sees(s, d), self._sees(d, s))
        forward = self._route(s.table, d)
        if self._dropped(forward, d):
            return DROPPED
        back = self._route(d.table, s)
        there, home = _path(forward), _path(back)
        if there is not None and home is not None:
            return (s.vpc == d.vpc, there, home, s.local, d.local, self._sees(s, d), self._sees(d, s))
        if self.family == 6 and forward is not None and isinstance(forward.target, _INTERNET):
            return self._over_internet(s, d, forward.target, back)
        if forward is not None and isinstance(forward.target, ast.TransitGateway):
            got = self._through_tgw(s, d, forward.target, back)
            if got is not None:
                return got
        return ("pair", s.name, d.name)

    def _through_tgw(self, s: MatrixEnd, d: MatrixEnd, tgw, back) -> tuple | None:
        """The key of a pair whose request goes to a transit gateway that hands it to the
        destination's VPC: what `vpcdsl.flows.hops.transit_gateway` reads, with the two
        attachment subnets (the sender's AZ's and the one it leaves by) standing for
        themselves only through their NACLs' view of both addresses, their route tables'
        targets for both, and whether they are the ends' own subnets. None where the TGW
        sends it elsewhere (a site, another VPC): the pair is then its own class."""
        dp = self.tracer.dp
        attached = dp.tgw_attachments.get(tgw.name, {})
        # the request is looked up in the table associated with the sender's VPC attachment,
        # the response in the one associated with the destination's (`tgw_tables`)
        table = dp.tgw_table(tgw.name, s.vpc)
        here, where = attached.get(s.vpc), attached.get(d.vpc)
        enter = here.subnet_in(s.subnet.zone) if here is not None else None
        entry = self._route(table, d)
        if enter is None or entry is None or entry.target == "blackhole":
            return DROPPED                        # refused at the TGW, whatever the class
        if not isinstance(entry.target, ast.Vpc) or entry.target.name != d.vpc or where is None:
            return None
        out = where.subnet_in(enter.zone) or (where.subnets[0] if where.subnets else None)
        if out is None:
            return DROPPED
        answer = self._route(dp.tgw_table(tgw.name, d.vpc), s)
        home = None if answer is None else "blackhole" if answer.target == "blackhole" else \
            "home" if isinstance(answer.target, ast.Vpc) and (
                answer.target.name == s.vpc or dp.vpc_holds(answer.target.name, self._address(s.address))) \
            else ("elsewhere", id(answer.target))
        attachments = tuple((self._target(dp.route_table_of(x), e), self._nacl_signature(
                             self.tracer.model.nacl_of.get(x.name), e)) for x in (enter, out) for e in (s, d))
        key = ("tgw", id(tgw), s.vpc == d.vpc, s.subnet is enter, d.subnet is out, enter is out,
               home, _target_of(back), attachments, s.local, d.local, self._sees(s, d), self._sees(d, s))
        # The attachment subnets' NACLs filter this path too (`_groups`).
        self.nacls_on_path.setdefault(key, tuple(self.tracer.model.nacl_of.get(x.name) for x in (enter, out)))
        return key

    def view(self, end: MatrixEnd, other: MatrixEnd) -> tuple[tuple, bool]:
        """What `key` reads of ``other`` through ``end``'s own route table and filters, as
        one tuple, with ``end`` either side of the pair: of the route the table picks for
        ``other``'s address, what `_path` keeps, whether it goes to a transit gateway or (over
        IPv6) to an internet or egress-only gateway of ``end``'s VPC, whether it is the
        internet gateway of ``end``'s VPC (the route back `_over_internet` reads), whether it
        drops the request (`_dropped`); `_sees`; whether the two share a VPC and whether
        ``end``'s VPC honours references from ``other``'s. And whether that holds for every
        address of ``other``'s block (no route, NACL or group block cuts it, and `_drops`
        says so)."""
        forward = self._route(end.table, other)
        memo = ("dropped", id(forward), other.block)
        dropped = self._cache.get(memo)
        uniform = True
        if dropped is None:
            dropped, uniform = self._drops(forward, other)
            if uniform:
                self._cache[memo] = dropped
        sees = self._sees(end, other)
        if uniform:
            low, high = other.block
            for cut in (("route", id(end.table)) if end.table is not None else None, ("nacl", id(end.nacl)),
                        ("sg", end.local[0]) if end.sgs else None):
                bounds = self._bounds.get(cut) if cut is not None else None
                if bounds is not None and bisect_right(bounds, low) != bisect_right(bounds, high):
                    uniform = False
                    break
        dp = self.tracer.dp
        target = None if forward is None else forward.target
        kind = "tgw" if isinstance(target, ast.TransitGateway) else \
            "internet" if self.family == 6 and isinstance(target, _INTERNET) else None
        return (_path(forward), kind, kind == "internet" and target.vpc == end.vpc,
                forward is not None and target is dp.igw_of.get(end.vpc), dropped, sees,
                end.vpc == other.vpc, dp.references_honoured(other.vpc, end.vpc)), uniform

    def _over_internet(self, s: MatrixEnd, d: MatrixEnd, gateway, back) -> tuple:
        """The key of an IPv6 pair whose request leaves by ``gateway`` (internet or egress-only:
        both forward it alike) and enters the destination's VPC by its internet gateway
        (`_dropped` keeps the pairs whose VPC has none). The walk reads whether the gateway is
        of the sender's VPC (it carries only that VPC's addresses), whether the route back
        from the destination's subnet is that internet gateway (any other target drops the
        response), and each end's own filters (the sender's egress may name the
        destination's groups where their VPCs peer; no inbound reference matches over the
        internet). Which gateways they are the walk does not read, so pairs across VPCs
        built alike share a class."""
        dp = self.tracer.dp
        returns = back is not None and back.target is dp.igw_of.get(d.vpc)
        return ("internet", gateway.vpc == s.vpc, returns, dp.references_honoured(d.vpc, s.vpc),
                s.local, d.local, self._sees(s, d), self._sees(d, s))

    def _target(self, table, other: MatrixEnd):
        return _target_of(self._route(table, other))

    def _where(self, key: tuple, cuts, other: MatrixEnd) -> tuple:
        """The cache key of a fact about ``other``'s address under the blocks ``cuts`` names:
        its VPC block where no block cuts it, else the piece between two cuts holding it (every
        address of a piece is in the same blocks: the same longest prefix, the same rules)."""
        bounds = self._bounds.get(key)
        if bounds is None:
            bounds = self._bounds[key] = sorted({x for low, high in cuts() for x in (low, high + 1)})
        low, high = other.block
        if bisect_right(bounds, low) == bisect_right(bounds, high):
            return key + ("block", low)
        return key + ("piece", bisect_right(bounds, other.address))

    def _route(self, table, other: MatrixEnd):
        if table is None:
            return None
        where = self._where(("route", id(table)), lambda: _route_blocks(table, self.family), other)
        got = self._cache.get(where, False)
        if got is False:
            got = self._cache[where] = table.lookup(self._address(other.address))
        return got

    def _dropped(self, entry, other: MatrixEnd) -> bool:
        """Whether a request to ``other``'s private address dies on the route out whatever its
        class or filters: no route, a blackhole, or an internet gateway (reached straight or
        through NAT gateways), which routes no private address (docs/SEMANTICS.md, Gateways).
        Over IPv6 every VPC address is public: an internet or egress-only gateway hands the
        request to the internet, which carries it to ``other``'s VPC (`_over_internet`); it
        dies only where that VPC has no internet gateway to let it in."""
        memo = ("dropped", id(entry), other.block)
        got = self._cache.get(memo)
        if got is None:
            got, uniform = self._drops(entry, other)
            if uniform:
                self._cache[memo] = got
        return got

    def _drops(self, entry, other: MatrixEnd) -> tuple[bool, bool]:
        """`_dropped`, and whether the answer holds for every address of ``other``'s block."""
        if self.family == 6:
            if entry is not None and isinstance(entry.target, _INTERNET):
                return other.vpc not in self.tracer.dp.igw_of, True
            return entry is None or entry.target in ("blackhole", None), True
        if not _private(other.block):
            return False, True
        uniform = True
        for _ in range(4):
            if entry is None or entry.target in ("blackhole", None):
                return True, uniform
            if isinstance(entry.target, ast.InternetGateway):
                return True, uniform
            if not isinstance(entry.target, ast.NatGateway):
                return False, uniform
            host = self.tracer.dp.host(entry.target.name)
            table = self.tracer.dp.route_table_of(host.subnet) if host is not None else None
            if table is None:
                return False, uniform
            uniform = uniform and self._where(("route", id(table)), lambda: _route_blocks(table, 4),
                                              other)[2] == "block"
            entry = self._route(table, other)
        return False, uniform

    def _sees(self, end: MatrixEnd, other: MatrixEnd):
        """How ``end``'s own filters treat ``other``'s address: the rules of its NACL whose
        block holds it, in order, without their numbers and blocks (two addresses that the
        same rules match are treated alike by every packet), and which piece of the blocks
        its groups name holds it."""
        sig = self._nacl_signature(end.nacl, other)
        if not end.sgs:
            return sig
        rules = [r for g in end.sgs for r in g.rules]
        where = self._where(("sg", end.local[0]), lambda: _rule_blocks(rules, self.family), other)
        bounds = self._bounds[where[:2]]
        return sig, where[2:] if where[2] == "block" else bisect_right(bounds, other.address)

    def _nacl_signature(self, nacl, other: MatrixEnd) -> int:
        """The NACL rules whose block holds ``other``'s address, in order, numbers and blocks
        left out, as a small number (equal rules, equal number)."""
        rules = nacl_rules(nacl)
        where = self._where(("nacl", id(nacl)), lambda: _rule_blocks(rules, self.family), other)
        sig = self._cache.get(where)
        if sig is None:
            compiled = self._cache.get(("nacl-rules", id(nacl)))
            if compiled is None:
                compiled = self._cache["nacl-rules", id(nacl)] = _compiled(rules, self.family)
            at = other.address
            matching = tuple(view for low, high, view in compiled if low <= at <= high)
            sig = self._cache[where] = self._signatures.setdefault(
                (nacl is None or nacl.default, matching), len(self._signatures))
        return sig


_PAIR, _ALONE = object(), object()


class PairKeys:
    """`PairFacts.key` of every pair of ``ends``, computed once per set of facts it reads.

    A key reads of the sender its class (route table, NACL, groups, own filters, VPC), of
    the receiver its class, whether they share a subnet, and the two ends' views of each
    other (`PairFacts.view`: the route each one's table picks for the other's address,
    whether it drops there, how its filters see it). The views are tabled once per row class
    (route table, NACL, groups) and receiver, and computed once per VPC block where the
    block is uncut (`PairFacts.view` says), else per end: about R x B views for R row classes
    and B VPC blocks, plus R x (the ends of cut blocks). Each pair then costs one small tuple
    and one dictionary look-up; the key itself is computed once per distinct tuple. Where
    the key reads more than that (a route to a transit gateway reads the sender's zone and
    which subnets attach) it is computed pair by pair, as `PairFacts.key` does; a pair that
    is its own class gets its names.
    """

    def __init__(self, facts: PairFacts, ends: list[MatrixEnd]):
        self.facts = facts
        self.ends = ends
        self.names = [e.name for e in ends]
        self.subnets = [e.subnet for e in ends]
        rows: dict[tuple, int] = {}
        classes: dict[tuple, int] = {}
        reps: list[MatrixEnd] = []
        self.row: list[int] = []
        self.cls: list[int] = []
        for e in ends:
            r = rows.setdefault((id(e.table), id(e.nacl), e.local[0], e.vpc), len(rows))
            if r == len(reps):
                reps.append(e)
            self.row.append(r)
            self.cls.append(classes.setdefault(e.local, len(classes)))
        groups: dict[tuple, list[int]] = {}
        for k, e in enumerate(ends):
            groups.setdefault((e.vpc, e.block), []).append(k)
        interned: dict[tuple, int] = {}
        self.views: list[list[int]] = []              # row class -> end -> view number
        for rep in reps:
            vector = [0] * len(ends)
            for members in groups.values():
                value, uniform = facts.view(rep, ends[members[0]])
                vector[members[0]] = number = interned.setdefault(value, len(interned))
                for k in members[1:]:
                    if not uniform:
                        number = interned.setdefault(facts.view(rep, ends[k])[0], len(interned))
                    vector[k] = number
            self.views.append(vector)
        self._memo: dict[tuple, object] = {}         # facts read -> slot, _PAIR or _ALONE
        self._slots: dict[tuple, int] = {}
        self.keys: list[tuple] = []                  # slot -> key

    def row_slots(self, i: int, cols) -> list[int]:
        """The keys of the pairs from end ``i`` to each end of ``cols``, in order, as slots of
        `keys`: equal keys, equal slots, numbered in the order they first come."""
        names, subnets, cls, row, views = self.names, self.subnets, self.cls, self.row, self.views
        memo = self._memo
        ci, mine, sub = cls[i], views[row[i]], subnets[i]
        seen = [v[i] for v in views]                  # row class -> its view of end i
        out = []
        for j in cols:
            m = (ci, cls[j], mine[j], seen[row[j]], subnets[j] is sub)
            k = memo.get(m)
            if k is None:
                k = self._first(m, i, j)
            if k is _PAIR:
                k = self._slot(("pair", names[i], names[j]))
            elif k is _ALONE:
                k = self._slot(self.facts.key(self.ends[i], self.ends[j]))
            out.append(k)
        return out

    def _slot(self, key: tuple) -> int:
        got = self._slots.get(key)
        if got is None:
            got = self._slots[key] = len(self.keys)
            self.keys.append(key)
        return got

    def _first(self, m: tuple, i: int, j: int):
        s, d = self.ends[i], self.ends[j]
        k = self.facts.key(s, d)
        forward = self.facts._route(s.table, d)
        if k[0] != "same" and forward is not None and isinstance(forward.target, ast.TransitGateway):
            got = _ALONE                              # reads the sender's zone, the attachments
        elif k[0] == "pair":
            got = _PAIR
        else:
            got = self._slot(k)
        self._memo[m] = got
        return got


def _compiled(rules, family: int) -> list[tuple[int, int, tuple]]:
    """`nacl_view` of ``rules`` ready for many addresses of ``family``: per rule that can
    hold one, in evaluation order, its block's first and last address and its view."""
    out = []
    for r in sorted(rules, key=lambda r: (r.direction, r.number)):
        if isinstance(r.cidr, ast.AnyPeer):
            low, high = 0, 2 ** _BITS[family] - 1
        elif r.cidr.net is not None and r.cidr.net.version == family:
            low, high = int(r.cidr.net.network_address), int(r.cidr.net.broadcast_address)
        else:
            continue
        out.append((low, high, (r.direction, r.action, r.protocol.name,
                                (r.protocol.ports.low, r.protocol.ports.high) if r.protocol.ports is not None
                                else None, r.protocol.icmp_type)))
    return out


def _target_of(entry):
    """What of a route the walk goes by: its target (the local route is one for every table)."""
    if entry is None:
        return None
    return entry.target if isinstance(entry.target, str) else id(entry.target)


def _route_blocks(table, family: int):
    bits = _BITS[family]
    for length, bucket in table.index.levels.get(family, ()):
        for start in bucket:
            yield start, start + 2 ** (bits - length) - 1


def _rule_blocks(rules, family: int):
    for net in rule_cidrs(rules):
        if net.version == family:
            yield int(net.network_address), int(net.broadcast_address)


@lru_cache(maxsize=None)
def _private(block: tuple[int, int]) -> bool:
    low, high = block
    return any(int(n.network_address) <= low and high <= int(n.broadcast_address) for n in NOT_INTERNET_V4)


def nacl_rules(nacl) -> tuple:
    return () if nacl is None or nacl.default else nacl.rules


def _path(entry):
    """What of a route the key needs, where its facts decide the path: ``local`` for the
    VPC's local route, the peering for a peering route; None for any other route."""
    if entry is None:
        return None
    if entry.target == "local":
        return "local"
    if isinstance(entry.target, ast.Peering):
        return id(entry.target)
    return None
