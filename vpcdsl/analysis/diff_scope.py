"""Which pairs of ends a change can affect: the bound that makes `vpcdsl diff`'s behavioural
half incremental (``change_scope(old, new, objects) -> Scope``), as differential network
verification does. The pairs outside the scope are not traced: their verdicts cannot change.

A trace between two ends reads the state of the VPCs the ends sit in (and of a load
balancer's targets), of what links them, and of no other VPC unless that VPC carries
traffic for others (*transit*). So each object the structural diff names, and each fact it
cannot see (an address the data plane assigns in order, the groups on an interface), maps
to ends, in both models:

* **An end itself** (an instance, load balancer or interface endpoint added, removed,
  renamed or changed; a moved address; other groups on its interface): that end. An
  instance that forwards for others (a route target, a software VPN, a NAT instance's
  port forward) counts as a change to its VPC.
* **A security group**: the ends whose interfaces carry it (its default use included); a
  carrier that is not an end of its own (a NAT instance) makes it a change to its VPC.
  A reference to a group matches the other end's own groups (`vpcdsl.flows.filters`), so a
  change of an instance's groups is local to the pairs with that instance.
* **A network ACL**: the ends in its subnets when each of them holds only instances that are
  ends (no NAT, load balancer, endpoint, appliance or TGW attachment), else its VPC.
* **Anything else in a VPC** (the VPC, subnets, route tables, gateways, NAT gateways and
  instances, endpoints, load balancers) and **a peering** (both its VPCs): every end in
  the VPC.
* **Ends that stand on others**: a load balancer with a target in scope (or in a VPC a
  change sits in), and the AWS service of an interface endpoint in scope (private DNS hands
  the service's requests to the endpoint, through its groups and subnets).
* **Source order** (it decides assigned addresses and the first of several associations):
  a VPC whose members stand in another order is changed; other tables in another order
  are not bounded.
* **Nothing**: placement groups, CloudFront, Route 53 zones, records and health checks and
  expectations (a trace reads none of them).
* **The whole computation**: a transit gateway, a site, a VPN, Direct Connect or an
  advertisement; a VPC-wide change in a transit VPC (a TGW route sends it a block outside
  its own, a route elsewhere sends it traffic for another block or targets its
  components, or it holds a software VPN); any change in a VPC whose blocks overlap
  another VPC's.

Wherever a change sits, a VPC with public IPv4 blocks adds the internet (its pieces are
cut around that VPC's addresses), one overlapping a site's CIDRs adds that site, and a
VPC-wide change in a VPC with a virtual private gateway adds every site (sites reach each
other through it). IPv6 VPC blocks are public too, but the internet end stands for none of
their addresses (`reach`'s IPv6 internet is the public space without the VPCs' and sites'
blocks), and what the internet reaches in the VPC is its ends' pairs, in scope already: a
dual-stack VPC adds the internet only where its IPv6 blocks differ between the models.

One refinement keeps the costly ends out: the internet and the sites stand for many
address pieces. When an instance is in scope only through changed NACL or SG *rules* (a
rule added, removed or edited: first-match and union semantics change only the packets
such a rule matches), on filters that sit only at ends' own interfaces, and no changed
rule's block meets that outside end's addresses (a group reference never matches it; an
IPv6 block inside a VPC's IPv6 blocks in both models never meets the internet's), the
pairs of the instance with that outside end keep their verdicts.
`tests/test_diff_incremental.py` holds the scope to the whole computation on many changes.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from ..aws import MULTICAST, NOT_INTERNET, RESERVED_IPV4
from ..model.network import KIND_OF
from ..syntax import ast
from .diff_objects import ObjectChange, inventory, multiset_changes, object_shape, shape_key

__all__ = ["Scope", "change_scope"]

# Kinds whose change may reach any pair (their effect is not bounded here).
_WHOLE = frozenset({"tgw", "site", "vpn", "dxgw", "dx", "advertise"})
# Kinds no trace reads.
_NO_FLOW = frozenset({"placement", "cdn", "dns-zone", "health-check", "record", "expect"})
_ENDS = (ast.Instance, ast.LoadBalancer, ast.InterfaceEndpoint)
_OTHER = "other"                       # a reason that no refinement can discount


@dataclass(frozen=True)
class Scope:
    """The ends whose pairs a change can affect (None: every pair), and for some of them
    the outside ends (internet, sites) their pairs with which it cannot."""

    ends: frozenset[str] | None
    quiet: dict[str, frozenset[str]] = field(default_factory=dict)
    why: tuple[str, ...] = ()          # what put the scope where it is, in words

    @property
    def whole(self) -> bool:
        return self.ends is None

    def touches(self, src: str, dst: str) -> bool:
        """Whether the pair's verdicts can differ between the models."""
        if self.ends is None:
            return True
        return (src in self.ends and dst not in self.quiet.get(src, ())) or \
            (dst in self.ends and src not in self.quiet.get(dst, ()))


# ---------------------------------------------------------------------------- one model

class _Facts:
    """What the scope reads of one model, indexed once."""

    def __init__(self, model):
        self.model = model
        dp = self.dp = model.dataplane
        self.inventory = inventory(model)
        self.ends_in: dict[str, set[str]] = {}
        for vpc in model.vpcs.values():
            self.ends_in[vpc.name] = {m.name for m in vpc.members if isinstance(m, _ENDS)}
        self.sites = set(model.sites)
        # Interfaces: each host's addresses and groups, by name.
        self.hosts: dict[str, tuple] = {}
        self.carriers: dict[str, set[str]] = {}
        self.host_vpc: dict[str, str] = {}
        for name, hosts in dp.hosts.items():
            obj = hosts[0].obj
            groups = tuple(g.name for g in dp.security_groups(obj)) if hasattr(obj, "sgs") else ()
            self.hosts[name] = (tuple((str(h.address), str(h.ipv6), h.subnet.name) for h in hosts), groups)
            self.host_vpc[name] = obj.vpc
            for g in groups:
                self.carriers.setdefault(g, set()).add(name)
        self.forwarders = self._forwarders()
        attached = {s.name for byvpc in dp.tgw_attachments.values() for att in byvpc.values() for s in att.subnets}
        busy = set(attached)
        for name, hosts in dp.hosts.items():
            obj = hosts[0].obj
            if not isinstance(obj, ast.Instance) or name in self.forwarders:
                busy.update(h.subnet.name for h in hosts)
        self.busy_subnets = busy                 # subnets some flow may cross for others
        self.nacl_subnets: dict[str, set[str]] = {}
        for subnet, nacl in model.nacl_of.items():
            self.nacl_subnets.setdefault(nacl.name, set()).add(subnet)
        self.subnet_ends: dict[str, set[str]] = {}
        for name, hosts in dp.hosts.items():
            if isinstance(hosts[0].obj, _ENDS):
                for h in hosts:
                    self.subnet_ends.setdefault(h.subnet.name, set()).add(name)
        self.lb_targets = self._lb_targets()
        self.blocks = {v.name: [c.net for c in (*v.cidrs, *v.ipv6) if c.net is not None]
                       for v in model.vpcs.values()}
        self.transit = self._transit()
        self.hybrid = {v for v in dp.vgw_of} | {self.host_vpc.get(n, "") for n in self._vpn_instances()}

    def _vpn_instances(self) -> set[str]:
        out = set()
        for vpn in self.model.vpns.values():
            target = self.model.get(vpn.target.name)
            if isinstance(target, (ast.Instance, ast.NatInstance)):
                out.add(target.name)
        return out

    def _forwarders(self) -> set[str]:
        """Instances that carry traffic for others: route targets, software VPNs, port
        forwards' targets."""
        out = self._vpn_instances()
        for table in self.model.members(ast.RouteTable):
            for route in table.routes:
                if isinstance(route.target, ast.Ref) and \
                        isinstance(self.model.get(route.target.name), (ast.Instance, ast.NatInstance)):
                    out.add(route.target.name)
        for nat in self.model.members(ast.NatInstance):
            out.update(f.instance.name for f in nat.forwards)
        return out

    def _lb_targets(self) -> dict[str, tuple[set[str], set[str | None]]]:
        """Per load balancer: the instances it targets, and the VPCs of its address targets
        (None where no VPC holds one)."""
        out = {}
        for lb in self.model.members(ast.LoadBalancer):
            names, vpcs = set(), set()
            for target in [t for li in lb.listeners for t in li.targets] + [t for r in lb.rules for t in r.targets]:
                if isinstance(target.ref, ast.Ref):
                    names.add(target.ref.name)
                    obj = self.model.get(target.ref.name)
                    vpcs.add(getattr(obj, "vpc", None) if obj is not None else None)
                else:
                    vpc = self.dp.vpc_at(target.ref.ip) if target.ref.ip is not None else None
                    vpcs.add(vpc.name if vpc is not None else None)
            out[lb.name] = (names, vpcs)
        return out

    def _transit(self) -> set[str]:
        """VPCs that may carry traffic with neither end in them."""
        out = {self.host_vpc.get(n, "") for n in self._vpn_instances()}
        for lookup in (t for tables in self.dp.tgw_tables.values() for t in tables.tables.values()):
            for entry in _entries(lookup):
                if isinstance(entry.target, ast.Vpc) and not self._within(entry.dest, entry.target.name):
                    out.add(entry.target.name)
        for vpc in self.model.vpcs.values():
            for table in vpc.of_type(ast.RouteTable):
                lookup = self.dp.routes.get(table.name)
                for entry in _entries(lookup) if lookup is not None else ():
                    target = entry.target
                    if isinstance(target, ast.Peering):
                        sides = {target.requester.name, target.accepter.name}
                        for other in (sides - {vpc.name} if vpc.name in sides else sides):
                            if not self._within(entry.dest, other):
                                out.add(other)
                    elif getattr(target, "vpc", vpc.name) not in ("", vpc.name):
                        out.add(target.vpc)
        return out

    def _within(self, dest, vpc: str) -> bool:
        """Whether a route's destination lies inside the blocks of ``vpc``."""
        if isinstance(dest, str):
            return False
        return any(net.version == dest.version and dest.subnet_of(net) for net in self.blocks.get(vpc, ()))

    def vpc_of(self, obj) -> str | None:
        return getattr(obj, "vpc", None) or None


def _entries(lookup):
    for levels in lookup.index.levels.values():
        for _, bucket in levels:
            yield from bucket.values()
    yield from lookup.prefix_lists.values()


# ---------------------------------------------------------------------------- addresses

def _public_nets() -> list:
    """The internet end's IPv4 blocks (`reach.public_blocks`), as integer ranges."""
    from .reach import public_blocks
    return sorted((int(b.network_address), int(b.broadcast_address)) for b in public_blocks() if b.version == 4)


_NON_INTERNET = tuple(n for n in (*NOT_INTERNET, *MULTICAST, RESERVED_IPV4))


def _meets_internet(net, held=()) -> bool:
    """Whether a block holds an address the internet end stands for. IPv6: every block
    outside the non-internet ranges and outside ``held`` (IPv6 VPC blocks, which `reach`'s
    internet leaves out) does."""
    if net is None:
        return True
    if net.version == 6:
        return not any(n.version == 6 and net.subnet_of(n) for n in (*_NON_INTERNET, *held))
    low, high = int(net.network_address), int(net.broadcast_address)
    public = _PUBLIC.get("v4")
    if public is None:
        public = _PUBLIC["v4"] = _public_nets()
    i = bisect_left(public, (low, low))
    return any(a <= high and low <= b for a, b in public[max(0, i - 1):i + 1])


_PUBLIC: dict[str, list] = {}


def _meets(net, nets) -> bool:
    return net is None or any(n.version == net.version and net.overlaps(n) for n in nets)


def _overlapping(facts: _Facts) -> tuple[set[str], dict[str, set[str]]]:
    """VPCs whose blocks overlap another VPC's, and per VPC the sites whose CIDRs overlap
    its blocks (a sweep over the blocks sorted by their first address)."""
    spans = []
    for vpc, nets in facts.blocks.items():
        spans += [(n.version, int(n.network_address), int(n.broadcast_address), "vpc", vpc) for n in nets]
    for site in facts.model.sites.values():
        spans += [(c.net.version, int(c.net.network_address), int(c.net.broadcast_address), "site", site.name)
                  for c in site.cidrs if c.net is not None]
    spans.sort()
    vpcs: set[str] = set()
    sites: dict[str, set[str]] = {}
    for i, (version, low, high, kind, name) in enumerate(spans):
        for other in spans[i + 1:]:
            if other[0] != version or other[1] > high:
                break
            pair = {(kind, name), (other[3], other[4])}
            kinds = sorted(k for k, _ in pair)
            if kinds == ["vpc", "vpc"] and name != other[4]:
                vpcs.update((name, other[4]))
            elif kinds == ["site", "vpc"]:
                vpc = name if kind == "vpc" else other[4]
                site = other[4] if kind == "vpc" else name
                sites.setdefault(vpc, set()).add(site)
    return vpcs, sites


# ---------------------------------------------------------------------------- rules

def _nacl_rule_blocks(a: ast.Nacl, b: ast.Nacl) -> list | None:
    """The blocks of the rules one NACL has and the other has not (as number and body),
    or None where the NACLs differ in more than rules."""
    if not _same_but(a, b, "rules"):
        return None
    return _changed_blocks(a.rules, b.rules, lambda r: [r.cidr.net if isinstance(r.cidr, ast.Cidr) else None])


def _sg_rule_blocks(a: ast.SecurityGroup, b: ast.SecurityGroup) -> list | None:
    """`_nacl_rule_blocks` for a security group: a group reference has no block (it never
    matches the internet or a site). None where more than rules differ, for a default
    group, or where outbound rules appear or vanish (no outbound rule: all allowed)."""
    if not _same_but(a, b, "rules") or a.default or b.default or bool(a.egress) != bool(b.egress):
        return None

    def blocks(rule):
        return [p.net if isinstance(p, ast.Cidr) else None for p in rule.peers if not isinstance(p, ast.Ref)]
    return _changed_blocks(a.rules, b.rules, blocks)


def _same_but(a, b, name: str) -> bool:
    return type(a) is type(b) and [f for f in object_shape(a) if f[0] != name] == \
        [f for f in object_shape(b) if f[0] != name]


def _changed_blocks(xs, ys, blocks) -> list:
    """The blocks of the rules only one side has (`multiset_changes`), added then removed."""
    removed, added = multiset_changes(xs, ys)
    return [net for rule in added + removed for net in blocks(rule)]


# ---------------------------------------------------------------------------- the scope

class _Builder:
    def __init__(self, old, new):
        self.sides = (_Facts(old), _Facts(new))
        self.ends: dict[str, list] = {}          # end -> reasons (_OTHER or a list of blocks)
        self.vpcs: set[str] = set()              # VPC-wide changes
        self.located: set[str] = set()           # VPCs a change sits in
        self.whole: list[str] = []
        self.why: list[str] = []

    def end(self, name: str, reason=_OTHER) -> None:
        self.ends.setdefault(name, []).append(reason)

    def vpc(self, name: str | None, why: str) -> None:
        if not name:
            self.whole.append(f"{why}: in no VPC")
            return
        if name not in self.vpcs:
            self.vpcs.add(name)
            self.why.append(f"{why}: every end in VPC {name}")

    def host(self, name: str, why: str, reason=_OTHER) -> None:
        """An interface changed: the end, or the VPC of a host that is not an end or that
        forwards for others."""
        for f in self.sides:
            obj = f.model.get(name)
            if obj is None:
                continue
            if isinstance(obj, _ENDS) and name not in f.forwarders:
                self.end(name, reason)
                self.located.add(obj.vpc)
            else:
                self.vpc(obj.vpc, why)

    def change(self, c: ObjectChange) -> None:
        kind = c.kind
        if kind in _NO_FLOW:
            return
        if kind in _WHOLE or kind not in _LOCAL:
            self.whole.append(f"{kind} {c.name} {c.change}")
            return
        found = [(f, f.inventory.get((kind, n))) for f in self.sides for n in {c.name, c.old_name} if n]
        objs = [(f, o) for f, o in found if o is not None]
        what = f"{kind} {c.name} {c.change}"
        if kind == "vpc":
            for _, o in objs:
                self.vpc(o.name, what)
        elif kind == "peering":
            for _, o in objs:
                self.vpc(o.requester.name, what)
                self.vpc(o.accepter.name, what)
        elif kind == "instance":
            for _, o in objs:
                self.host(o.name, what)
        elif kind == "sg":
            blocks = _sg_rule_blocks(objs[0][1], objs[1][1]) if c.change == "changed" and len(objs) == 2 else None
            for f, o in objs:
                for carrier in f.carriers.get(o.name, ()):
                    self.host(carrier, what, _OTHER if blocks is None else blocks)
        elif kind == "nacl":
            blocks = _nacl_rule_blocks(objs[0][1], objs[1][1]) if c.change == "changed" and len(objs) == 2 else None
            subnets = {(f, s) for f, o in objs for s in f.nacl_subnets.get(o.name, ())}
            if any(s in f.busy_subnets for f, s in subnets) or len(objs) != 2:
                for _, o in objs:
                    self.vpc(o.vpc, what)
            else:
                for f, s in subnets:
                    for e in f.subnet_ends.get(s, ()):
                        self.end(e, _OTHER if blocks is None else blocks)
                for _, o in objs:
                    self.located.add(o.vpc)
        else:
            for _, o in objs:
                self.vpc(o.vpc, what)

    def interfaces(self) -> None:
        """Addresses the data plane assigns and groups on interfaces: facts no object shape
        holds (an instance added before others in its subnet moves their addresses)."""
        a, b = self.sides
        for name in a.hosts.keys() | b.hosts.keys():
            if a.hosts.get(name) != b.hosts.get(name):
                self.host(name, f"the interfaces of {name} moved")

    def order(self) -> None:
        """Where objects both models have stand in another order: source order decides
        addresses, the first of several associations and peerings, so a VPC whose members
        move is changed, and other moves are not bounded."""
        a, b = self.sides
        for name in a.model.vpcs.keys() & b.model.vpcs.keys():
            keys = [[(KIND_OF.get(type(m)), m.name) for m in f.model.vpcs[name].members] for f in self.sides]
            both = set(keys[0]) & set(keys[1])
            if [k for k in keys[0] if k in both] != [k for k in keys[1] if k in both]:
                self.vpc(name, "members moved")
        for table in ("peerings", "tgws", "sites", "vpns", "dxgws", "dxs"):
            names = [list(getattr(f.model, table)) for f in self.sides]
            both = set(names[0]) & set(names[1])
            if [n for n in names[0] if n in both] != [n for n in names[1] if n in both]:
                self.whole.append(f"{table} moved")
        ads = [[shape_key(x) for x in f.model.advertisements] for f in self.sides]
        if [x for x in ads[0] if x in ads[1]] != [x for x in ads[1] if x in ads[0]]:
            self.whole.append("advertisements moved")

    def build(self) -> Scope:
        a, b = self.sides
        overlap = [_overlapping(f) for f in self.sides]
        located = self.located | self.vpcs
        for vpc in sorted(self.vpcs):
            if vpc in a.transit or vpc in b.transit:
                self.whole.append(f"VPC {vpc} carries traffic for others (transit)")
            if vpc in a.hybrid or vpc in b.hybrid:
                for f in self.sides:
                    for s in f.sites:
                        self.end(s)
        for vpc in sorted(located):
            if any(vpc in vs for vs, _ in overlap):
                self.whole.append(f"VPC {vpc} overlaps another VPC's blocks")
            v6 = [{n for n in f.blocks.get(vpc, ()) if n.version == 6} for f in self.sides]
            if any(_meets_internet(n) for f in self.sides for n in f.blocks.get(vpc, ()) if n.version == 4) \
                    or any(_meets_internet(n) for n in v6[0] ^ v6[1]):
                self.end("internet")
            for _, sites in overlap:
                for s in sites.get(vpc, ()):
                    self.end(s)
        if self.whole:
            return Scope(None, why=tuple(dict.fromkeys(self.whole)))
        for f in self.sides:
            for vpc in self.vpcs:
                for e in f.ends_in.get(vpc, ()):
                    self.end(e)
        # Load balancers read their targets' interfaces, subnets and VPCs.
        for f in self.sides:
            for lb, (names, vpcs) in f.lb_targets.items():
                if names & self.ends.keys() or None in vpcs or vpcs & located:
                    self.end(lb)
        # A request to a service may be handed to an interface endpoint (private DNS).
        for f in self.sides:
            for ep in f.model.members(ast.InterfaceEndpoint):
                if ep.name in self.ends:
                    self.end(ep.service.name)
        # IPv6 VPC blocks both models have: no address of them is the internet's.
        held = set.intersection(*({n for blocks in f.blocks.values() for n in blocks if n.version == 6}
                                  for f in self.sides))
        quiet = {}
        for name, reasons in self.ends.items():
            if _OTHER in reasons or not all(isinstance(f.model.get(name), ast.Instance) for f in self.sides):
                continue
            nets = [n for blocks in reasons for n in blocks]
            outside = set()
            if not any(_meets_internet(n, held) for n in nets):
                outside.add("internet")
            for f in self.sides:
                for site in f.model.sites.values():
                    if not any(_meets(n, [c.net for c in site.cidrs if c.net is not None]) for n in nets):
                        outside.add(site.name)
            # A site only one model has, or whose CIDRs differ, is in scope itself.
            quiet[name] = frozenset(outside)
        return Scope(frozenset(self.ends), quiet, tuple(self.why))


_LOCAL = frozenset({"vpc", "subnet", "igw", "eigw", "nat", "nat-instance", "vgw", "route-table", "nacl", "sg",
                    "instance", "gateway-endpoint", "interface-endpoint", "lb", "peering"})


def change_scope(old, new, objects) -> Scope:
    """The pairs of ends whose verdicts ``objects`` (the structural diff of ``old`` and
    ``new``) can change (see the module docstring).

    >>> import vpcdsl
    >>> from vpcdsl.analysis.diff_objects import object_changes
    >>> a = vpcdsl.loads("vpc v {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n"
    ...                  " sg g { in tcp 22 from 10.0.0.0/8 }\\n instance i in s sg g\\n instance j in s\\n}")
    >>> b = vpcdsl.loads(a.sources[a.path].replace("tcp 22", "tcp 443"))
    >>> scope = change_scope(a, b, object_changes(a, b))
    >>> sorted(scope.ends), scope.touches("j", "i"), scope.touches("internet", "i")
    (['i'], True, False)
    """
    builder = _Builder(old, new)
    for c in objects:
        builder.change(c)
    builder.interfaces()
    builder.order()
    return builder.build()
