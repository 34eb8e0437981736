"""The per-model structures the flow engine reads: addresses, route lookup, filters.

Built once per model (`Model.dataplane`) so a trace never rescans the model:
route tables become longest-prefix-match tables (one dict per prefix length,
longest first), NACLs become their rules in number order, and every host
(instance, NAT, endpoint and load-balancer interface) gets its private
address: the written `ip`, else the lowest usable address of its subnet that
no written `ip` takes, in source order. Addresses find their VPC, subnet and
site by the same kind of prefix index; each transit gateway gets its route
table (attachments' blocks propagated unless `static-only`, VPN and transit-VIF
site routes propagated, static routes over propagated ones) and its
attachment subnets per AZ; interface endpoints with private DNS are indexed
by (VPC, service), load balancers' listeners by port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import Any, Iterable

from ..gcpause import paused_gc
from ..model.ports import ephemeral_range  # noqa: F401  (flows import it from here)
from ..syntax import ast
from .filters import Peer
from .sitelinks import Link, Withdrawn, build_links
from .tgw_tables import DEFAULT as DEFAULT_TGW_TABLE, TgwTables, build_tgw_tables

IPV4_ANY = ip_network("0.0.0.0/0")
IPV6_ANY = ip_network("::/0")

# Route precedence at equal prefix length: static beats endpoint prefix-list
# routes, which beat propagated ones (VPC guide, route-table priority).
ORIGIN_RANK = {"local": 0, "static": 1, "endpoint": 2, "propagated": 3}


@dataclass(frozen=True, slots=True)
class RouteEntry:
    """One route of a table, as the lookup sees it."""

    dest: Any                   # an ip_network, or a prefix-list name (str)
    target: Any                 # the target object, "local", "blackhole", or None (unresolved)
    origin: str                 # local static endpoint propagated
    span: Any                   # where it was written (the endpoint's line for endpoint routes)
    text: str                   # `0.0.0.0/0 -> nat-a`


class PrefixIndex:
    """Longest-prefix match from addresses to values; the first value added for a prefix wins
    unless `put` is given a better one."""

    __slots__ = ("levels",)

    def __init__(self):
        self.levels: dict[int, list[tuple[int, dict[int, Any]]]] = {}

    def _bucket(self, net) -> dict[int, Any]:
        levels = self.levels.setdefault(net.version, [])
        for length, bucket in levels:
            if length == net.prefixlen:
                return bucket
        bucket = {}
        levels.append((net.prefixlen, bucket))
        levels.sort(key=lambda lb: -lb[0])
        return bucket

    def add(self, net, value) -> None:
        self._bucket(net).setdefault(int(net.network_address), value)

    def put(self, net, value, better) -> None:
        """Store `value` for `net` unless a value already there is not worse (`better(new, old)`)."""
        bucket = self._bucket(net)
        key = int(net.network_address)
        current = bucket.get(key)
        if current is None or better(value, current):
            bucket[key] = value

    def lookup(self, address):
        value = int(address)
        width = address.max_prefixlen
        for length, bucket in self.levels.get(address.version, ()):
            found = bucket.get(value >> (width - length) << (width - length))
            if found is not None:
                return found
        return None


def _outranks(new: RouteEntry, old: RouteEntry) -> bool:
    return ORIGIN_RANK[new.origin] < ORIGIN_RANK[old.origin]


@dataclass
class RouteLookup:
    """Longest-prefix match for one route table, IPv4 and IPv6 apart; for one prefix,
    static routes win over prefix-list and propagated ones (ORIGIN_RANK)."""

    table: ast.RouteTable
    index: PrefixIndex = field(default_factory=PrefixIndex)
    prefix_lists: dict[str, RouteEntry] = field(default_factory=dict)
    withdrawn: list = field(default_factory=list)   # [Withdrawn]: routes only down links announce

    def add(self, entry: RouteEntry) -> None:
        if isinstance(entry.dest, str):
            self.prefix_lists.setdefault(entry.dest, entry)
        else:
            self.index.put(entry.dest, entry, _outranks)

    def lookup(self, address) -> RouteEntry | None:
        """The route for ``address``: longest prefix first, then origin precedence."""
        return self.index.lookup(address)

    def withdrawn_for(self, address) -> Withdrawn | None:
        """The longest withdrawn prefix holding ``address``: a route this table would have
        propagated but that only links marked `down` announce (AWS withdraws the BGP routes
        of a VPN whose tunnels are down and of a VIF whose session is down; they leave every
        table they were propagated to)."""
        hit = [w for w in self.withdrawn
               if getattr(address, "version", None) == w.net.version and address in w.net]
        return max(hit, key=lambda w: w.net.prefixlen, default=None)


@dataclass(frozen=True, slots=True)
class TgwAttach:
    """One VPC attachment of a transit gateway: the subnets its interfaces sit in."""

    attachment: ast.TgwAttachment
    vpc: ast.Vpc
    subnets: tuple[ast.Subnet, ...]          # one per AZ, in the order written (or found)

    def subnet_in(self, zone: str) -> ast.Subnet | None:
        for s in self.subnets:
            if s.zone == zone:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Host:
    """Something with an interface in a subnet."""

    obj: Any                     # Instance, NatGateway, NatInstance, InterfaceEndpoint, LoadBalancer
    subnet: ast.Subnet
    address: Any                 # IPv4Address
    ipv6: Any = None             # IPv6Address or None


class DataPlane:
    """Everything a trace looks up, derived once from a model."""

    def __init__(self, model):
        self.model = model
        self.subnet_of_host: dict[str, ast.Subnet] = {}
        self.hosts: dict[str, list[Host]] = {}          # object name -> its interfaces
        self.host_at: dict[Any, Host] = {}              # private address -> host
        self.routes: dict[str, RouteLookup] = {}        # route table name -> lookup
        self.sgs_of: dict[str, tuple[ast.SecurityGroup, ...]] = {}
        self.vpc_subnets: dict[str, list[ast.Subnet]] = {}
        self.igw_of: dict[str, Any] = {}
        self.eigw_of: dict[str, Any] = {}
        self.vgw_of: dict[str, Any] = {}
        self.peerings_between: dict[frozenset, ast.Peering] = {}
        self._v6_next: dict[str, int] = {}
        self._subnet_index: dict[str, PrefixIndex] = {}     # VPC name -> its subnets' blocks
        self._vpc_index = PrefixIndex()                     # every VPC block -> its VPC
        self._site_index = PrefixIndex()                    # every site CIDR -> its site
        self.amazon_dns: dict[Any, str] = {}                # primary block + 2 -> VPC name
        self.private_dns: dict[tuple[str, str], ast.InterfaceEndpoint] = {}
        self.listeners: dict[str, dict[int, ast.Listener]] = {}
        self.lb_rules: dict[tuple[str, int], list[ast.LbRule]] = {}
        self.tgw_routes: dict[str, RouteLookup] = {}
        self.tgw_attachments: dict[str, dict[str, TgwAttach]] = {}
        self.tgw_tables: dict[str, TgwTables] = {}          # TGW name -> its route tables
        self._nacl_rules: dict[tuple[str, str], tuple[ast.NaclRule, ...]] = {}
        self._decided: dict[tuple, Any] = {}               # `decided`: pure filter results
        with paused_gc():           # many small acyclic objects: see `vpcdsl.gcpause`
            self._index_vpcs()
            self._assign_addresses()
            self._index_links()
            self._build_routes()
            self._index_services()
            self._build_tgws()

    # ------------------------------------------------------------------ indexes

    def _index_vpcs(self) -> None:
        m = self.model
        for vpc in m.vpcs.values():
            self.vpc_subnets[vpc.name] = [s for s in vpc.of_type(ast.Subnet)
                                          if s.cidr is not None and s.cidr.net is not None]
            for member in vpc.members:
                if isinstance(member, ast.InternetGateway):
                    self.igw_of.setdefault(vpc.name, member)
                elif isinstance(member, ast.EgressOnlyInternetGateway):
                    self.eigw_of.setdefault(vpc.name, member)
                elif isinstance(member, ast.VirtualPrivateGateway):
                    self.vgw_of.setdefault(vpc.name, member)
        for p in m.peerings.values():
            self.peerings_between.setdefault(frozenset((p.requester.name, p.accepter.name)), p)
        for vpc in m.vpcs.values():
            index = self._subnet_index[vpc.name] = PrefixIndex()
            for s in self.vpc_subnets[vpc.name]:
                index.add(s.cidr.net, s)
                if s.ipv6 is not None and s.ipv6.net is not None:
                    index.add(s.ipv6.net, s)
            for c in vpc.cidrs + vpc.ipv6:
                if c.net is not None:
                    self._vpc_index.add(c.net, vpc)
            primary = next((c.net for c in vpc.cidrs if c.net is not None and c.net.version == 4), None)
            if primary is not None and primary.num_addresses > 2:
                self.amazon_dns.setdefault(primary.network_address + 2, vpc.name)
        for site in m.sites.values():
            for c in site.cidrs:
                if c.net is not None:
                    self._site_index.add(c.net, site)

    def subnet_at(self, vpc: str, address) -> ast.Subnet | None:
        """The subnet of VPC ``vpc`` whose IPv4 or IPv6 block holds ``address``."""
        index = self._subnet_index.get(vpc)
        return None if index is None or address is None else index.lookup(address)

    def vpc_at(self, address) -> ast.Vpc | None:
        """The VPC whose blocks hold ``address`` (the first in source order)."""
        return None if address is None else self._vpc_index.lookup(address)

    def site_at(self, address) -> ast.Site | None:
        return None if address is None else self._site_index.lookup(address)

    def vpc_holds(self, vpc_name: str, address) -> bool:
        """Whether ``address`` is in one of the blocks of VPC ``vpc_name``."""
        vpc = self.model.vpcs.get(vpc_name)
        if vpc is None or address is None:
            return False
        return any(c.net is not None and c.net.version == address.version and address in c.net
                   for c in vpc.cidrs + vpc.ipv6)

    def _assign_addresses(self) -> None:
        m = self.model
        taken: dict[str, set] = {}
        written: list[tuple[Any, ast.Subnet, Any]] = []
        pending: list[tuple[Any, ast.Subnet]] = []
        for vpc in m.vpcs.values():
            for member in vpc.members:
                for subnet_ref in _interface_subnets(member):
                    subnet = m.get(subnet_ref.name, "subnet")
                    if subnet is None or subnet.cidr is None or subnet.cidr.net is None \
                            or subnet.vpc != member.vpc:
                        continue
                    ip = getattr(member, "ip", None)
                    if ip is not None and ip.ip is not None and ip.ip.version == 4 \
                            and ip.ip in subnet.cidr.net:
                        written.append((member, subnet, ip.ip))
                        taken.setdefault(subnet.name, set()).add(ip.ip)
                    else:
                        pending.append((member, subnet))
        for member, subnet, address in written:
            self._add_host(member, subnet, address)
        cursor: dict[str, int] = {}
        for member, subnet in pending:
            net = subnet.cidr.net
            used = taken.setdefault(subnet.name, set())
            offset = cursor.get(subnet.name, 4)       # +0..+3 are AWS's
            while True:
                if offset >= net.num_addresses - 1:   # the last address is AWS's too
                    address = None
                    break
                address = net.network_address + offset
                offset += 1
                if address not in used:
                    break
            cursor[subnet.name] = offset
            if address is not None:
                used.add(address)
                self._add_host(member, subnet, address)

    def _add_host(self, member, subnet: ast.Subnet, address) -> None:
        ipv6 = None
        if isinstance(member, ast.Instance) and subnet.ipv6 is not None and subnet.ipv6.net is not None:
            written = member.ip.ip if member.ip is not None else None
            if written is not None and written.version == 6:
                ipv6 = written
            else:
                index = self._v6_next.get(subnet.name, 4)
                self._v6_next[subnet.name] = index + 1
                ipv6 = subnet.ipv6.net.network_address + index
        host = Host(member, subnet, address, ipv6)
        self.hosts.setdefault(member.name, []).append(host)
        self.host_at[address] = host
        if ipv6 is not None:
            self.host_at[ipv6] = host

    def host(self, name: str, subnet: ast.Subnet | None = None) -> Host | None:
        hosts = self.hosts.get(name, ())
        for h in hosts:
            if subnet is None or h.subnet is subnet:
                return h
        return None

    def host_in_zone(self, name: str, zone: str | None) -> Host | None:
        """The interface of ``name`` in AZ ``zone``, else its first (LB nodes, endpoint ENIs)."""
        hosts = self.hosts.get(name, ())
        if zone:
            for h in hosts:
                if h.subnet.zone == zone:
                    return h
        return hosts[0] if hosts else None

    # ------------------------------------------------------------------ services, LBs

    def _index_services(self) -> None:
        m = self.model
        for ep in m.members(ast.InterfaceEndpoint):
            if ep.private_dns and self.hosts.get(ep.name):
                self.private_dns.setdefault((ep.vpc, ep.service.name), ep)
        for lb in m.members(ast.LoadBalancer):
            ports = self.listeners[lb.name] = {}
            for listener in lb.listeners:
                ports.setdefault(listener.port, listener)
            for rule in lb.rules:
                self.lb_rules.setdefault((lb.name, rule.port), []).append(rule)

    def nacl_rules(self, nacl: ast.Nacl, direction: str) -> tuple[ast.NaclRule, ...]:
        """A NACL's rules of one direction, by ascending number (sorted once)."""
        key = (nacl.name, direction)
        rules = self._nacl_rules.get(key)
        if rules is None:
            rules = tuple(sorted((r for r in nacl.rules if r.direction == direction),
                                 key=lambda r: r.number))
            self._nacl_rules[key] = rules
        return rules

    def decided(self, key: tuple, decide):
        """``decide()``, computed once per ``key``: a filter's verdicts over a service's
        ranges (`vpcdsl.flows.filter_steps`) are pure functions of the filter, the
        direction, the ranges and the header, and cost one evaluation per piece. Bounded by
        filters × services × distinct headers a session asks about."""
        hit = self._decided.get(key)
        if hit is None:
            hit = self._decided[key] = decide()
        return hit

    # ------------------------------------------------------------------ hybrid links

    def _index_links(self) -> None:
        """VPN and Direct Connect links by the gateway they end on and by their site."""
        self.links = build_links(self.model)
        self.links_on: dict[str, list[Link]] = {}
        self.site_links: dict[str, list[Link]] = {}
        for link in self.links:
            if link.gateway is not None:
                self.links_on.setdefault(link.gateway.name, []).append(link)
            self.site_links.setdefault(link.site.name, []).append(link)

    # ------------------------------------------------------------------ transit gateways

    def _build_tgws(self) -> None:
        """Each TGW's attachment subnets per AZ and its route tables (`vpcdsl.flows.tgw_tables`:
        associations, propagations, static routes over propagated ones); `tgw_routes` keeps
        each TGW's default route table."""
        m = self.model
        for tgw in m.tgws.values():
            attached = self.tgw_attachments[tgw.name] = {}
            for att in tgw.attachments:
                vpc = m.vpcs.get(att.vpc.name)
                if vpc is None or vpc.name in attached:
                    continue
                if att.subnets:
                    subnets = [s for r in att.subnets if (s := m.get(r.name, "subnet")) is not None
                               and s.vpc == vpc.name and s.cidr is not None and s.cidr.net is not None]
                else:
                    subnets, zones = [], set()
                    for s in self.vpc_subnets.get(vpc.name, ()):
                        if s.zone not in zones:
                            zones.add(s.zone)
                            subnets.append(s)
                attached[vpc.name] = TgwAttach(att, vpc, tuple(subnets))
        self.tgw_tables = build_tgw_tables(m, self.links, self.tgw_attachments, RouteLookup, RouteEntry)
        for name, tables in self.tgw_tables.items():
            self.tgw_routes[name] = tables.tables[DEFAULT_TGW_TABLE]

    def tgw_table(self, tgw_name: str, attachment: str) -> RouteLookup | None:
        """The route table of TGW ``tgw_name`` associated with ``attachment`` (a VPC, VPN, DX
        gateway or peering name): the one a packet entering by it is looked up in."""
        tables = self.tgw_tables.get(tgw_name)
        got = tables.table_for(attachment) if tables is not None else None
        return None if got is None else got[1]

    # ------------------------------------------------------------------ routes

    def _build_routes(self) -> None:
        m = self.model
        propagated, withdrawn = self._propagated_routes()
        endpoint_routes: dict[str, list[ast.GatewayEndpoint]] = {}
        for ep in m.members(ast.GatewayEndpoint):
            for ref in ep.route_tables:
                endpoint_routes.setdefault(ref.name, []).append(ep)
        for vpc in m.vpcs.values():
            for table in vpc.of_type(ast.RouteTable):
                lookup = RouteLookup(table)
                for c in vpc.cidrs + vpc.ipv6:
                    if c.net is not None:
                        lookup.add(RouteEntry(c.net, "local", "local", c.span, f"{c.net} -> local"))
                for route in table.routes:
                    target = _route_target(m, route.target)
                    dest = route.dest.net if isinstance(route.dest, ast.Cidr) else route.dest.name
                    if dest is None:
                        continue
                    tgt = "blackhole" if target == "blackhole" else getattr(route.target, "name", "?")
                    text = f"{dest} -> {tgt}"
                    lookup.add(RouteEntry(dest, target, "static", route.span, text))
                for ep in endpoint_routes.get(table.name, ()):
                    service = ep.service.name
                    lookup.add(RouteEntry(service, ep, "endpoint", ep.span,
                                          f"{service} (prefix list) -> {ep.name}"))
                for ref in table.propagations:
                    vgw = m.get(ref.name, "vgw")
                    nets = propagated.get(ref.name, {})
                    for net, names in nets.items():
                        lookup.add(RouteEntry(net, vgw, "propagated", ref.span,
                                              f"{net} -> {ref.name} (propagated from "
                                              f"{', '.join(names)})"))
                    for net, links in withdrawn.get(ref.name, {}).items():
                        if net not in nets:
                            lookup.withdrawn.append(Withdrawn(net, ref.name, tuple(links), links[0].obj.span))
                self.routes[table.name] = lookup

    def _propagated_routes(self) -> tuple[dict[str, dict], dict[str, dict]]:
        """VGW name -> {network: names of the links announcing it}, what the VGW learns from
        its links up: a VPN on it (static: its CIDRs; BGP: what the site announces), a private
        VIF on it or on a DX gateway it is attached to (SEMANTICS.md, Hybrid: DX gateways).
        A table that propagates the VGW gets one route per network; which link carries a
        packet is the VGW's choice (`vpcdsl.flows.sitelinks.best`). Second: VGW name ->
        {network: the links `down` announcing it}: AWS withdraws those routes
        (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html), so a table
        that propagates the VGW lacks them unless a link up announces them too."""
        learned: dict[str, dict] = {}
        withdrawn: dict[str, dict] = {}
        for link in self.links:
            if isinstance(link.gateway, ast.VirtualPrivateGateway):
                into = withdrawn if link.down else learned
                nets = into.setdefault(link.gateway.name, {})
                for a in link.announced:
                    names = nets.setdefault(a.net, [])
                    item = link if link.down else link.obj.name
                    if item not in names:
                        names.append(item)
        return learned, withdrawn

    def route_table_of(self, subnet: ast.Subnet) -> RouteLookup | None:
        table = self.model.route_table_of.get(subnet.name)
        return None if table is None else self.routes.get(table.name)

    # ------------------------------------------------------------------ filters

    def security_groups(self, obj) -> tuple[ast.SecurityGroup, ...]:
        """The SGs on an interface: those written, else the VPC's default SG."""
        cached = self.sgs_of.get(obj.name)
        if cached is not None:
            return cached
        refs = getattr(obj, "sgs", ())
        sgs = tuple(sg for r in refs if (sg := self.model.get(r.name, "sg")) is not None)
        if not refs:
            if isinstance(obj, ast.LoadBalancer) and obj.type == "network":
                sgs = ()
            else:
                default = self.model.default_sg.get(obj.vpc)
                sgs = (default,) if default is not None else ()
        self.sgs_of[obj.name] = sgs
        return sgs

    def peer(self, groups, vpc: str | None, near: str | None, *, via_tgw=False,
             forwarded: bool = False, service: str | None = None, inbound: bool = False) -> Peer:
        """The other end of a packet that a security group of VPC ``near`` filters: its ENI's
        ``groups`` (None: it has none), its ``vpc``, and whether references to its groups are
        honoured on this path (`references_honoured`)."""
        return Peer(groups, vpc, self.references_honoured(vpc, near, via_tgw=via_tgw,
                                                          forwarded=forwarded, inbound=inbound),
                    service)

    def references_honoured(self, vpc: str | None, near: str | None, *, via_tgw=False,
                            forwarded: bool = False, inbound: bool = False) -> bool:
        """Whether a security group of VPC ``near`` can name the groups of an end in ``vpc``.

        Within a VPC and across a same-region peering, yes; across regions, or after a
        middlebox appliance forwarded the packet (it still carries the client's address, not
        the appliance's ENI), no. Through a transit gateway (``via_tgw``: the TGW, or True)
        only in an inbound rule, when that TGW has `sg-referencing on` and attaches both VPCs
        (docs/SEMANTICS.md, Filters; Peering and transit;
        https://docs.aws.amazon.com/vpc/latest/tgw/tgw-vpc-attachments.html).
        """
        if forwarded:
            return False
        if vpc is None or near is None or vpc == near:
            return True
        vpcs = self.model.vpcs
        if getattr(vpcs.get(vpc), "region_name", None) != getattr(vpcs.get(near), "region_name", None):
            return False
        if via_tgw:
            attached = self.tgw_attachments.get(getattr(via_tgw, "name", ""), {})
            return inbound and getattr(via_tgw, "sg_referencing", False) \
                and vpc in attached and near in attached
        return frozenset((vpc, near)) in self.peerings_between


def _interface_subnets(member) -> Iterable[ast.Ref]:
    if isinstance(member, (ast.Instance, ast.NatGateway, ast.NatInstance)):
        return (member.subnet,)
    if isinstance(member, (ast.InterfaceEndpoint, ast.LoadBalancer)):
        return member.subnets
    return ()


def _route_target(model, target):
    if isinstance(target, ast.Blackhole):
        return "blackhole"
    return model.get(target.name, "igw", "eigw", "nat", "nat-instance", "peering", "vgw", "tgw",
                     "instance", "gateway-endpoint")


def address_family(address) -> int:
    return 6 if isinstance(address, IPv6Address) else 4


def parse_ip(text: str):
    try:
        return ip_address(text)
    except ValueError:
        return None


__all__ = ["DataPlane", "RouteLookup", "RouteEntry", "Withdrawn", "Host", "PrefixIndex", "TgwAttach", "IPv4Address", "IPv6Address",
           "ephemeral_range", "parse_ip"]
