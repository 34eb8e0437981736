#!/usr/bin/env python3
"""Deterministic generator of large `.vpc` models and the same network as Terraform.

The network is hub-and-spoke per region: groups of eight VPCs (one `shared`
hub, seven application spokes peered to it, hubs peered in a chain), each a
/16 from 10.0.0.0/8 (unique within a region; peerings never leave a region).
The same seed and line target always give byte-identical files.

    python benchmarks/generate.py --lines 10000 --out benchmarks/out/
    python benchmarks/generate.py --lines 1000 10000 100000 --out benchmarks/out/ --verify
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# Regions whose AZ letters a, b and c all exist (us-west-1, ap-northeast-1 and
# ca-central-1 lack one of them).
REGIONS = (
    "us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "us-east-2",
    "ap-southeast-2", "eu-west-2", "ap-south-1", "sa-east-1", "eu-north-1",
    "ap-southeast-1", "eu-west-3",
)
SERVICES = (
    "payments", "orders", "catalog", "search", "checkout", "billing",
    "identity", "analytics", "media", "inventory", "shipping", "reviews",
    "ledger", "notify", "reports", "pricing", "loyalty", "fraud", "partners",
    "mobile-api", "storefront", "warehouse", "recommend", "support", "crm",
    "hr-portal", "data-lake", "streaming", "auth", "geo",
)
GROUP = 8                 # VPCs per hub-and-spoke group: 1 hub + 7 spokes
VPCS_PER_REGION = 256     # one 10.N.0.0/16 each
AZS = "abc"
OFFICE = "198.51.100.0/24"            # the company's VPN egress range
HUB_TYPES = {"bastion": "t3.micro", "ci": "c5.xlarge", "prometheus": "m5.large"}
TYPES = {
    "edge": ("t3.small", "c5.large", "c6i.large"),
    "web": ("m5.large", "m6i.large", "c5.xlarge", "t3.medium"),
    "db": ("r5.large", "r6i.xlarge", "r5.2xlarge"),
    "cache": ("r6g.large", "cache.m5.large"),
    "bastion": ("t3.micro", "t3.nano"),
}
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
RESERVED = {
    "internet", "any", "none", "local", "blackhole", "default", "s3", "dynamodb",
    "glacier", "ssm", "ec2", "sts", "kms", "logs", "ecr", "sqs", "sns",
}


# --------------------------------------------------------------------------
# The network, independent of either syntax
# --------------------------------------------------------------------------

@dataclass
class Subnet:
    name: str
    cidr: ipaddress.IPv4Network
    az: str
    tier: str


@dataclass
class Route:
    dest: str
    target: str
    kind: str             # igw | nat | peer


@dataclass
class RouteTable:
    name: str
    subnets: list[str]
    routes: list[Route]


@dataclass
class NaclRule:
    direction: str        # in | out
    number: int
    action: str           # allow | deny
    proto: str            # tcp | udp | icmp | any
    ports: tuple[int, int] | None
    cidr: str
    paired: bool = False  # written on one line with the next rule, `;`-separated


@dataclass
class Nacl:
    name: str
    subnets: list[str]
    rules: list[NaclRule]


@dataclass
class SgRule:
    direction: str
    proto: str
    ports: tuple[int, int] | None
    peers: list[str]      # CIDRs or SG names


@dataclass
class Sg:
    name: str
    rules: list[SgRule]


@dataclass
class Instance:
    name: str
    subnet: str
    sgs: list[str]
    type: str
    public_ip: bool = False


@dataclass
class Vpc:
    name: str
    region: str
    cidr: ipaddress.IPv4Network
    comment: str
    subnets: list[Subnet] = field(default_factory=list)
    igw: str = ""
    nats: list[tuple[str, str]] = field(default_factory=list)
    route_tables: list[RouteTable] = field(default_factory=list)
    nacls: list[Nacl] = field(default_factory=list)
    sgs: list[Sg] = field(default_factory=list)
    instances: list[Instance] = field(default_factory=list)


@dataclass
class Peer:
    name: str
    requester: str
    accepter: str


@dataclass
class Network:
    vpcs: list[Vpc]
    peers: list[Peer]
    seed: int


class Rng:
    """Only `random.random()` is guaranteed stable across Python versions."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def below(self, n: int) -> int:
        return int(self._r.random() * n)

    def chance(self, p: float) -> bool:
        return self._r.random() < p

    def pick(self, seq):
        return seq[self.below(len(seq))]


def _net(vpc: ipaddress.IPv4Network, third: int, fourth: int, prefix: int) -> ipaddress.IPv4Network:
    base = int(vpc.network_address) + (third << 8) + fourth
    return ipaddress.IPv4Network((base, prefix))


def _ip_key(cidr: str) -> ipaddress.IPv4Network:
    return ipaddress.IPv4Network(cidr)


def _ports(p: int | tuple[int, int] | None) -> tuple[int, int] | None:
    return (p, p) if isinstance(p, int) else p


class _Rules:
    """Numbers NACL rules in sections (100, 200, ...) so numbers stay unique per direction."""

    def __init__(self) -> None:
        self.rules: list[NaclRule] = []

    def add(self, direction, number, action, proto, ports, cidr, paired=False):
        self.rules.append(NaclRule(direction, number, action, proto, _ports(ports), str(cidr), paired))

    def ordered(self) -> list[NaclRule]:
        """As a reader expects them: `in` then `out`, by number; `;`-paired rules stay together, first."""
        paired, rest = [], []
        for n, r in enumerate(self.rules):
            if r.paired:
                paired += [r, self.rules[n + 1]]
            elif not (n and self.rules[n - 1].paired):
                rest.append(r)
        return paired + sorted(rest, key=lambda r: (r.direction != "in", r.number))


def build_network(n_vpcs: int, seed: int) -> Network:
    """The first `n_vpcs` VPCs of the network for `seed` (a prefix of any larger one)."""
    n_vpcs = max(2, n_vpcs)
    capacity = VPCS_PER_REGION * len(REGIONS)
    if n_vpcs > capacity:
        raise ValueError(f"at most {capacity} VPCs ({len(REGIONS)} regions x {VPCS_PER_REGION}); asked {n_vpcs}")
    # Plan names, regions and CIDRs first: a hub routes to spokes that come after it.
    plans = []
    spoke_count = hub_count = 0
    for i in range(n_vpcs):
        region = REGIONS[i // VPCS_PER_REGION]
        j = i % VPCS_PER_REGION
        cidr = ipaddress.IPv4Network(f"10.{j}.0.0/16")
        if j % GROUP == 0:
            hub_count += 1
            name = "shared" if hub_count == 1 else f"shared-{hub_count}"
            plans.append(("hub", name, region, cidr))
        else:
            k = spoke_count
            spoke_count += 1
            base = SERVICES[k % len(SERVICES)]
            name = base if k < len(SERVICES) else f"{base}-{k // len(SERVICES) + 1}"
            plans.append(("spoke", name, region, cidr))
    peers: list[Peer] = []
    hub_of: dict[int, int] = {}
    spokes_of: dict[int, list[int]] = {}
    prev_hub_in_region: dict[str, int] = {}
    hub_neighbours: dict[int, list[int]] = {}
    for i, (kind, name, region, _) in enumerate(plans):
        if kind == "hub":
            spokes_of[i] = []
            hub_neighbours[i] = []
            prev = prev_hub_in_region.get(region)
            if prev is not None:
                peers.append(Peer(f"pcx-{plans[prev][1]}-{name}", plans[prev][1], name))
                hub_neighbours[prev].append(i)
                hub_neighbours[i].append(prev)
            prev_hub_in_region[region] = i
            current_hub = i
        else:
            hub_of[i] = current_hub
            spokes_of[current_hub].append(i)
            peers.append(Peer(f"pcx-{name}-{plans[current_hub][1]}", name, plans[current_hub][1]))
    peer_name = {frozenset((p.requester, p.accepter)): p.name for p in peers}

    vpcs = []
    for i, (kind, name, region, cidr) in enumerate(plans):
        rng = Rng(seed * 1_000_003 + i)
        if kind == "hub":
            remote = [(plans[s][3], plans[s][1]) for s in spokes_of[i]]
            remote += [(plans[h][3], plans[h][1]) for h in hub_neighbours[i]]
            routes = [Route(str(c), peer_name[frozenset((name, other))], "peer") for c, other in remote]
            vpcs.append(_hub_vpc(name, region, cidr, routes, [c for c, _ in remote], rng))
        else:
            hub = plans[hub_of[i]]
            route = Route(str(hub[3]), peer_name[frozenset((name, hub[1]))], "peer")
            vpcs.append(_spoke_vpc(name, region, cidr, hub[1], hub[3], route, rng))
    return Network(vpcs, peers, seed)


def _hub_vpc(name, region, cidr, peer_routes, remote_cidrs, rng: Rng) -> Vpc:
    vpc = Vpc(name, region, cidr, "shared services: bastion, CI and monitoring; peered with the group's spokes")
    azs = AZS[:2]
    pub = [Subnet(f"{name}-pub-{az}", _net(cidr, n, 0, 24), az, "pub") for n, az in enumerate(azs)]
    tools = [Subnet(f"{name}-tools-{az}", _net(cidr, 16 + 4 * n, 0, 22), az, "tools") for n, az in enumerate(azs)]
    vpc.subnets = pub + tools
    vpc.igw = f"{name}-igw"
    vpc.nats = [(f"{name}-nat-{s.az}", s.name) for s in pub]
    vpc.route_tables.append(RouteTable(
        f"{name}-public-rt", [s.name for s in pub], [Route("0.0.0.0/0", vpc.igw, "igw"), *peer_routes]))
    for s, (nat, _) in zip(tools, vpc.nats):
        vpc.route_tables.append(RouteTable(
            f"{name}-private-{s.az}-rt", [s.name], [Route("0.0.0.0/0", nat, "nat"), *peer_routes]))

    r = _Rules()
    r.add("in", 100, "allow", "tcp", 22, OFFICE)
    r.add("in", 110, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    r.add("in", 120, "allow", "udp", (1024, 65535), "0.0.0.0/0")
    r.add("out", 100, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    r.add("out", 110, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("out", 120, "allow", "tcp", 80, "0.0.0.0/0")
    for n, s in enumerate(tools):
        r.add("out", 200 + 10 * n, "allow", "tcp", 22, s.cidr)
    for n, c in enumerate(remote_cidrs):
        r.add("out", 300 + 10 * n, "allow", "tcp", 22, c)
    vpc.nacls.append(Nacl(f"{name}-public-acl", [s.name for s in pub], r.ordered()))

    r = _Rules()
    for n, s in enumerate(pub):
        r.add("in", 100 + 10 * n, "allow", "tcp", 22, s.cidr)
    r.add("in", 150, "allow", "tcp", 443, cidr)
    for n, c in enumerate(remote_cidrs):
        r.add("in", 200 + 10 * n, "allow", "tcp", 443, c)
    r.add("in", 900, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    r.add("in", 910, "allow", "udp", (1024, 65535), "0.0.0.0/0")
    r.add("out", 100, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("out", 110, "allow", "tcp", 80, "0.0.0.0/0")
    r.add("out", 120, "allow", "udp", 123, "0.0.0.0/0")
    for n, c in enumerate(remote_cidrs):          # Prometheus scrapes every peered VPC
        r.add("out", 200 + 10 * n, "allow", "tcp", 9100, c)
    r.add("out", 500, "allow", "tcp", (1024, 65535), cidr)
    for n, c in enumerate(remote_cidrs):
        r.add("out", 600 + 10 * n, "allow", "tcp", (1024, 65535), c)
    vpc.nacls.append(Nacl(f"{name}-tools-acl", [s.name for s in tools], r.ordered()))

    vpc.sgs = [
        Sg(f"{name}-bastion", [SgRule("in", "tcp", (22, 22), [OFFICE])]),
        Sg(f"{name}-ci", [SgRule("in", "tcp", (443, 443), [str(cidr), *map(str, remote_cidrs)]),
                          SgRule("in", "tcp", (22, 22), [f"{name}-bastion"])]),
        Sg(f"{name}-monitoring", [SgRule("in", "tcp", (9090, 9090), [f"{name}-ci"]),
                                  SgRule("in", "tcp", (22, 22), [f"{name}-bastion"]),
                                  SgRule("in", "icmp", None, [str(cidr)])]),
    ]
    vpc.instances = [
        Instance(f"{name}-bastion-1", pub[0].name, [f"{name}-bastion"], HUB_TYPES["bastion"], True),
        Instance(f"{name}-ci-1", tools[0].name, [f"{name}-ci"], HUB_TYPES["ci"]),
        Instance(f"{name}-ci-2", tools[1].name, [f"{name}-ci"], HUB_TYPES["ci"]),
        Instance(f"{name}-prometheus-1", tools[1].name, [f"{name}-monitoring"], HUB_TYPES["prometheus"]),
    ]
    return vpc


def _spoke_vpc(name, region, cidr, hub, hub_cidr, hub_route, rng: Rng) -> Vpc:
    n_az = 3 if rng.chance(0.7) else 2
    has_cache = rng.chance(0.5)
    webs_per_az = 1 + rng.below(3)
    azs = AZS[:n_az]
    vpc = Vpc(name, region, cidr, f"{name}: edge proxies, app servers, database"
              f"{' and cache' if has_cache else ''} in {n_az} AZs; peered with {hub}")
    pub = [Subnet(f"{name}-pub-{az}", _net(cidr, n, 0, 24), az, "pub") for n, az in enumerate(azs)]
    app = [Subnet(f"{name}-app-{az}", _net(cidr, 16 + 4 * n, 0, 22), az, "app") for n, az in enumerate(azs)]
    db = [Subnet(f"{name}-db-{az}", _net(cidr, 32 + n, 0, 24), az, "db") for n, az in enumerate(azs)]
    cache = [Subnet(f"{name}-cache-{az}", _net(cidr, 40, 64 * n, 26), az, "cache")
             for n, az in enumerate(azs)] if has_cache else []
    vpc.subnets = pub + app + db + cache
    vpc.igw = f"{name}-igw"
    vpc.nats = [(f"{name}-nat-{s.az}", s.name) for s in pub]
    vpc.route_tables.append(RouteTable(
        f"{name}-public-rt", [s.name for s in pub], [Route("0.0.0.0/0", vpc.igw, "igw"), hub_route]))
    for n, (az, (nat, _)) in enumerate(zip(azs, vpc.nats)):
        members = [app[n].name, db[n].name] + ([cache[n].name] if cache else [])
        vpc.route_tables.append(RouteTable(
            f"{name}-private-{az}-rt", members, [Route("0.0.0.0/0", nat, "nat"), hub_route]))

    # Public tier: the internet (minus a deny list), SSH from the hub, out to the app tier.
    r = _Rules()
    blocked = sorted({f"203.0.113.{16 * rng.below(16)}/28" for _ in range(rng.below(6))}, key=_ip_key)
    for n, c in enumerate(blocked):
        r.add("in", 10 + n, "deny", "any", None, c, paired=True)
        r.add("out", 10 + n, "deny", "any", None, c)
    r.add("in", 100, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("in", 110, "allow", "tcp", 80, "0.0.0.0/0")
    r.add("in", 120, "allow", "tcp", 22, hub_cidr)
    r.add("in", 130, "allow", "icmp", None, hub_cidr)
    r.add("in", 900, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    r.add("in", 910, "allow", "udp", (1024, 65535), "0.0.0.0/0")
    r.add("out", 100, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("out", 110, "allow", "tcp", 80, "0.0.0.0/0")
    r.add("out", 120, "allow", "udp", 123, "0.0.0.0/0")
    r.add("out", 130, "allow", "icmp", None, hub_cidr)
    for n, s in enumerate(app):
        r.add("out", 200 + 10 * n, "allow", "tcp", 8080, s.cidr)
        r.add("out", 300 + 10 * n, "allow", "tcp", 22, s.cidr)
    r.add("out", 900, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    # Partners reach the edge's mTLS port from fixed addresses; the SG enforces it.
    partners = sorted({f"192.0.2.{rng.below(256)}/32" for _ in range(rng.below(6))}, key=_ip_key)
    vpc.nacls.append(Nacl(f"{name}-public-acl", [s.name for s in pub], r.ordered()))

    # App tier: from the edge proxies, to the data tier and out through the NATs.
    r = _Rules()
    for n, s in enumerate(pub):
        r.add("in", 100 + 10 * n, "allow", "tcp", 8080, s.cidr)
        r.add("in", 200 + 10 * n, "allow", "tcp", 22, s.cidr)
    r.add("in", 300, "allow", "tcp", 9100, hub_cidr)
    r.add("in", 400, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    r.add("in", 410, "allow", "udp", (1024, 65535), "0.0.0.0/0")
    r.add("out", 100, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("out", 110, "allow", "tcp", 80, "0.0.0.0/0")
    r.add("out", 120, "allow", "udp", 123, "0.0.0.0/0")
    for n, s in enumerate(db):
        r.add("out", 200 + 10 * n, "allow", "tcp", 5432, s.cidr)
    for n, s in enumerate(cache):
        r.add("out", 300 + 10 * n, "allow", "tcp", 6379, s.cidr)
    r.add("out", 400, "allow", "tcp", (1024, 65535), cidr)
    r.add("out", 410, "allow", "tcp", (1024, 65535), hub_cidr)
    vpc.nacls.append(Nacl(f"{name}-app-acl", [s.name for s in app], r.ordered()))

    # Data tier: only the app subnets, plus SSH from the bastion.
    r = _Rules()
    for n, s in enumerate(app):
        r.add("in", 100 + 10 * n, "allow", "tcp", 5432, s.cidr)
        if cache:
            r.add("in", 200 + 10 * n, "allow", "tcp", 6379, s.cidr)
    r.add("in", 300, "allow", "tcp", 22, pub[0].cidr)
    r.add("in", 400, "allow", "tcp", (1024, 65535), "0.0.0.0/0")
    for n, s in enumerate(app):
        r.add("out", 100 + 10 * n, "allow", "tcp", (1024, 65535), s.cidr)
    r.add("out", 200, "allow", "tcp", (1024, 65535), pub[0].cidr)
    r.add("out", 300, "allow", "tcp", 443, "0.0.0.0/0")
    r.add("out", 400, "deny", "any", None, "0.0.0.0/0")
    vpc.nacls.append(Nacl(f"{name}-data-acl", [s.name for s in db + cache], r.ordered()))

    edge_in = [SgRule("in", "tcp", (443, 443), ["0.0.0.0/0"]), SgRule("in", "tcp", (80, 80), ["0.0.0.0/0"])]
    if partners:
        edge_in.append(SgRule("in", "tcp", (8443, 8443), partners))
    vpc.sgs = [
        Sg(f"{name}-edge", edge_in),
        Sg(f"{name}-bastion", [SgRule("in", "tcp", (22, 22), [str(hub_cidr)])]),
        Sg(f"{name}-web", [SgRule("in", "tcp", (8080, 8080), [f"{name}-edge"]),
                           SgRule("in", "tcp", (22, 22), [f"{name}-bastion"]),
                           SgRule("in", "tcp", (9100, 9100), [str(hub_cidr)])]),
        Sg(f"{name}-db", [SgRule("in", "tcp", (5432, 5432), [f"{name}-web"]),
                          SgRule("in", "tcp", (22, 22), [f"{name}-bastion"]),
                          SgRule("out", "tcp", (443, 443), ["0.0.0.0/0"])]),
    ]
    if cache:
        vpc.sgs.append(Sg(f"{name}-cache", [SgRule("in", "tcp", (6379, 6379), [f"{name}-web"])]))

    edge_type, web_type, db_type = rng.pick(TYPES["edge"]), rng.pick(TYPES["web"]), rng.pick(TYPES["db"])
    vpc.instances.append(Instance(f"{name}-bastion-1", pub[0].name, [f"{name}-bastion"],
                                  rng.pick(TYPES["bastion"]), True))
    for n, s in enumerate(pub):
        vpc.instances.append(Instance(f"{name}-edge-{n + 1}", s.name, [f"{name}-edge"], edge_type, True))
    k = 0
    for s in app:
        for _ in range(webs_per_az):
            k += 1
            vpc.instances.append(Instance(f"{name}-web-{k}", s.name, [f"{name}-web"], web_type))
    for n, s in enumerate(db[:2]):
        vpc.instances.append(Instance(f"{name}-db-{n + 1}", s.name, [f"{name}-db"], db_type))
    if cache:
        cache_type = rng.pick(TYPES["cache"])
        for n, s in enumerate(cache):
            vpc.instances.append(Instance(f"{name}-cache-{n + 1}", s.name, [f"{name}-cache"], cache_type))
    return vpc


# --------------------------------------------------------------------------
# .vpc
# --------------------------------------------------------------------------

def _port_text(proto: str, ports) -> str:
    if proto in ("icmp", "any") or ports is None:
        return ""
    lo, hi = ports
    return str(lo) if lo == hi else f"{lo}-{hi}"


def _name_list(names: list[str], head: str, width: int = 96) -> str:
    """`a, b, c`, continued on the next line after a trailing comma when long."""
    lines, cur = [], head
    for n, name in enumerate(names):
        piece = name + (", " if n < len(names) - 1 else "")
        if len(cur) + len(piece.rstrip()) > width and cur.strip() != head.strip():
            lines.append(cur.rstrip())
            cur = " " * 6 + piece
        else:
            cur += piece
    lines.append(cur)
    return "\n".join(lines)


def render_vpc(net: Network, lines_target: int | None = None) -> str:
    out: list[str] = []
    w = out.append
    regions = sorted({v.region for v in net.vpcs}, key=REGIONS.index)
    w(f"# Generated by benchmarks/generate.py (seed {net.seed}"
      + (f", about {lines_target} lines" if lines_target else "") + "): do not edit.")
    w(f"# {len(net.vpcs)} VPCs in {len(regions)} region(s), hub-and-spoke peering in groups of {GROUP};")
    w("# the same network as the .tf file beside it.")
    peers_by_hub: dict[str, list[Peer]] = {}
    for p in net.peers:
        peers_by_hub.setdefault(p.accepter, []).append(p)
    region = None
    pending: list[Peer] = []
    for v in net.vpcs:
        if v.name.startswith("shared") and pending:
            _flush_peers(w, pending)
            pending = []
        if v.region != region:
            region = v.region
            w("")
            w(f"region {region}")
        w("")
        _render_one_vpc(w, v)
        pending.extend(peers_by_hub.get(v.name, []))
    _flush_peers(w, pending)
    return "\n".join(out) + "\n"


def _flush_peers(w, peers: list[Peer]) -> None:
    if not peers:
        return
    w("")
    width = max(len(p.name) for p in peers)
    rw = max(len(p.requester) for p in peers)
    for p in peers:
        w(f"peer {p.name:<{width}} {p.requester:<{rw}} -> {p.accepter}")


def _render_one_vpc(w, v: Vpc) -> None:
    w(f"# {v.comment}")
    w(f"vpc {v.name} {{")
    w(f"  cidr {v.cidr}")
    w("")
    nw = max(len(s.name) for s in v.subnets)
    cw = max(len(str(s.cidr)) for s in v.subnets)
    for s in v.subnets:
        w(f"  subnet {s.name:<{nw}} {str(s.cidr):<{cw}} az {s.az}")
    w("")
    w(f"  igw {v.igw}")
    for nat, sub in v.nats:
        w(f"  nat {nat} in {sub}")
    for rt in v.route_tables:
        w("")
        w(_name_list(rt.subnets, f"  route-table {rt.name} for ") + " {")
        dw = max(len(r.dest) for r in rt.routes)
        for r in rt.routes:
            w(f"    {r.dest:<{dw}} -> {r.target}")
        w("  }")
    for nacl in v.nacls:
        w("")
        w(_name_list(nacl.subnets, f"  nacl {nacl.name} for ") + " {")
        pending = None
        for r in nacl.rules:
            if pending is not None:
                w(f"    {_nacl_rule_text(pending, compact=True)}; {_nacl_rule_text(r, compact=True)}")
                pending = None
            elif r.paired:
                pending = r
            else:
                w(f"    {_nacl_rule_text(r)}")
        w("  }")
    w("")
    sw = max(len(sg.name) for sg in v.sgs)
    for sg in v.sgs:
        texts = [_sg_rule_text(r) for r in sg.rules]
        one_line = f"  sg {sg.name:<{sw}} {{ " + "; ".join(texts) + " }"
        if len(one_line) <= 80:
            w(one_line)
        else:
            w(f"  sg {sg.name} {{")
            for r, t in zip(sg.rules, texts):
                if len(t) > 92 and len(r.peers) > 1:
                    head = t[: len(t) - len(", ".join(r.peers))]
                    t = _name_list(r.peers, f"    {head}", width=92).strip()
                w(f"    {t}")
            w("  }")
    w("")
    iw = max(len(i.name) for i in v.instances)
    siw = max(len(i.subnet) for i in v.instances)
    gw = max(len(", ".join(i.sgs)) for i in v.instances)
    for i in v.instances:
        extra = " public-ip" if i.public_ip else ""
        w(f"  instance {i.name:<{iw}} in {i.subnet:<{siw}} sg {', '.join(i.sgs):<{gw}} type {i.type}{extra}")
    w("}")


def _nacl_rule_text(r: NaclRule, compact: bool = False) -> str:
    ports = _port_text(r.proto, r.ports)
    if compact:
        way = "from" if r.direction == "in" else "to"
        return " ".join(x for x in (r.direction, str(r.number), r.action, r.proto, ports, way, r.cidr) if x)
    way = "from" if r.direction == "in" else "to  "
    return f"{r.direction:<3} {r.number:>3} {r.action:<5} {r.proto:<4} {ports:<10} {way} {r.cidr}"


def _sg_rule_text(r: SgRule) -> str:
    ports = _port_text(r.proto, r.ports)
    way = "from" if r.direction == "in" else "to"
    return " ".join(x for x in (r.direction, r.proto, ports, way, ", ".join(r.peers)) if x)


# --------------------------------------------------------------------------
# Terraform (HCL2)
# --------------------------------------------------------------------------

def tf_id(name: str) -> str:
    return name.replace("-", "_")


def render_tf(net: Network) -> str:
    out: list[str] = []
    w = out.append
    regions = sorted({v.region for v in net.vpcs}, key=REGIONS.index)
    w(f"# Generated by benchmarks/generate.py (seed {net.seed}): the same network as the .vpc file beside it.")
    w("")
    w("terraform {")
    w('  required_version = ">= 1.5"')
    w("  required_providers {")
    w("    aws = {")
    w('      source  = "hashicorp/aws"')
    w('      version = "~> 5.0"')
    w("    }")
    w("  }")
    w("}")
    for n, region in enumerate(regions):
        w("")
        w('provider "aws" {')
        if n:
            w(f'  alias  = "{tf_id(region)}"')
        w(f'  region = "{region}"')
        w("}")
    w("")
    w('variable "ami_id" {')
    w('  description = "AMI per region for every instance"')
    w("  type        = map(string)")
    w("}")
    region_of = {v.name: v.region for v in net.vpcs}
    provider = {r: ("" if n == 0 else f"aws.{tf_id(r)}") for n, r in enumerate(regions)}
    peer_names = {p.name for p in net.peers}
    for v in net.vpcs:
        _render_tf_vpc(w, v, provider[v.region], peer_names)
    for p in net.peers:
        w("")
        w(f'resource "aws_vpc_peering_connection" "{tf_id(p.name)}" {{')
        if provider[region_of[p.requester]]:
            w(f"  provider    = {provider[region_of[p.requester]]}")
        w(f"  vpc_id      = aws_vpc.{tf_id(p.requester)}.id")
        w(f"  peer_vpc_id = aws_vpc.{tf_id(p.accepter)}.id")
        w("  auto_accept = true")
        _tags(w, p.name)
        w("}")
    return "\n".join(out) + "\n"


def _tags(w, name: str, indent: str = "  ") -> None:
    w(f"{indent}tags = {{")
    w(f'{indent}  Name = "{name}"')
    w(f"{indent}}}")


def _open(w, rtype: str, name: str, provider: str) -> None:
    w("")
    w(f'resource "{rtype}" "{tf_id(name)}" {{')
    if provider:
        w(f"  provider = {provider}")
        w("")


def _tf_ports(proto: str, ports) -> tuple[str, int, int]:
    if proto == "any":
        return '"-1"', 0, 0
    if proto == "icmp":
        return '"icmp"', -1, -1
    lo, hi = ports
    return f'"{proto}"', lo, hi


def _render_tf_vpc(w, v: Vpc, provider: str, peer_names: set[str]) -> None:
    vid = f"aws_vpc.{tf_id(v.name)}.id"
    _open(w, "aws_vpc", v.name, provider)
    w(f'  cidr_block           = "{v.cidr}"')
    w("  enable_dns_support   = true")
    w("  enable_dns_hostnames = true")
    _tags(w, v.name)
    w("}")
    for s in v.subnets:
        _open(w, "aws_subnet", s.name, provider)
        w(f"  vpc_id            = {vid}")
        w(f'  cidr_block        = "{s.cidr}"')
        w(f'  availability_zone = "{v.region}{s.az}"')
        _tags(w, s.name)
        w("}")
    _open(w, "aws_internet_gateway", v.igw, provider)
    w(f"  vpc_id = {vid}")
    _tags(w, v.igw)
    w("}")
    for nat, sub in v.nats:
        _open(w, "aws_eip", nat, provider)
        w('  domain = "vpc"')
        _tags(w, nat)
        w("}")
        _open(w, "aws_nat_gateway", nat, provider)
        w(f"  allocation_id = aws_eip.{tf_id(nat)}.id")
        w(f"  subnet_id     = aws_subnet.{tf_id(sub)}.id")
        _tags(w, nat)
        w("")
        w(f"  depends_on = [aws_internet_gateway.{tf_id(v.igw)}]")
        w("}")
    for rt in v.route_tables:
        _open(w, "aws_route_table", rt.name, provider)
        w(f"  vpc_id = {vid}")
        for r in rt.routes:
            w("")
            w("  route {")
            if r.kind == "igw":
                w(f'    cidr_block = "{r.dest}"')
                w(f"    gateway_id = aws_internet_gateway.{tf_id(r.target)}.id")
            elif r.kind == "nat":
                w(f'    cidr_block     = "{r.dest}"')
                w(f"    nat_gateway_id = aws_nat_gateway.{tf_id(r.target)}.id")
            else:
                assert r.target in peer_names
                w(f'    cidr_block                = "{r.dest}"')
                w(f"    vpc_peering_connection_id = aws_vpc_peering_connection.{tf_id(r.target)}.id")
            w("  }")
        w("")
        _tags(w, rt.name)
        w("}")
        for s in rt.subnets:
            _open(w, "aws_route_table_association", s, provider)
            w(f"  subnet_id      = aws_subnet.{tf_id(s)}.id")
            w(f"  route_table_id = aws_route_table.{tf_id(rt.name)}.id")
            w("}")
    for nacl in v.nacls:
        _open(w, "aws_network_acl", nacl.name, provider)
        w(f"  vpc_id     = {vid}")
        w("  subnet_ids = [" + ", ".join(f"aws_subnet.{tf_id(s)}.id" for s in nacl.subnets) + "]")
        for r in sorted(nacl.rules, key=lambda r: (r.direction != "in", r.number)):
            proto, lo, hi = _tf_ports(r.proto, r.ports)
            if r.proto == "icmp":
                lo = hi = 0
            w("")
            w(f"  {'ingress' if r.direction == 'in' else 'egress'} {{")
            w(f"    rule_no    = {r.number}")
            w(f'    action     = "{r.action}"')
            w(f"    protocol   = {proto}")
            w(f'    cidr_block = "{r.cidr}"')
            w(f"    from_port  = {lo}")
            w(f"    to_port    = {hi}")
            if r.proto == "icmp":
                w("    icmp_type  = -1")
                w("    icmp_code  = -1")
            w("  }")
        w("")
        _tags(w, nacl.name)
        w("}")
    sg_names = {sg.name for sg in v.sgs}
    for sg in v.sgs:
        _open(w, "aws_security_group", sg.name, provider)
        w(f'  name   = "{sg.name}"')
        w(f"  vpc_id = {vid}")
        rules = list(sg.rules)
        if not any(r.direction == "out" for r in rules):
            # Terraform drops AWS's default allow-all egress unless it is written.
            rules.append(SgRule("out", "any", None, ["0.0.0.0/0"]))
        for r in rules:
            proto, lo, hi = _tf_ports(r.proto, r.ports)
            if r.proto == "any":
                lo = hi = 0
            cidrs = [p for p in r.peers if p not in sg_names]
            groups = [p for p in r.peers if p in sg_names]
            attrs = [("protocol", proto), ("from_port", lo), ("to_port", hi)]
            if cidrs:
                attrs.append(("cidr_blocks", "[" + ", ".join(f'"{c}"' for c in cidrs) + "]"))
            if groups:
                attrs.append(("security_groups",
                              "[" + ", ".join(f"aws_security_group.{tf_id(g)}.id" for g in groups) + "]"))
            width = max(len(k) for k, _ in attrs)
            w("")
            w(f"  {'ingress' if r.direction == 'in' else 'egress'} {{")
            for k, val in attrs:
                w(f"    {k:<{width}} = {val}")
            w("  }")
        w("")
        _tags(w, sg.name)
        w("}")
    for i in v.instances:
        _open(w, "aws_instance", i.name, provider)
        w(f'  ami                    = var.ami_id["{v.region}"]')
        w(f'  instance_type          = "{i.type}"')
        w(f"  subnet_id              = aws_subnet.{tf_id(i.subnet)}.id")
        w("  vpc_security_group_ids = [" + ", ".join(f"aws_security_group.{tf_id(g)}.id" for g in i.sgs) + "]")
        if i.public_ip:
            w("  associate_public_ip_address = true")
        _tags(w, i.name)
        w("}")


# --------------------------------------------------------------------------
# Sizing and files
# --------------------------------------------------------------------------

def size_label(lines: int) -> str:
    if lines % 1_000_000 == 0:
        return f"{lines // 1_000_000}m"
    if lines % 1000 == 0:
        return f"{lines // 1000}k"
    return str(lines)


def generate(lines: int, seed: int = 1) -> tuple[Network, str]:
    """The network whose `.vpc` text is closest to `lines` lines, and that text."""
    def text_for(n):
        net = build_network(n, seed)
        return net, render_vpc(net, lines)

    n = max(2, round(lines / 130))
    tried: dict[int, tuple[Network, str]] = {}
    for _ in range(8):
        if n in tried:
            break
        tried[n] = text_for(n)
        got = tried[n][1].count("\n")
        per_vpc = got / n
        n = max(2, n + round((lines - got) / per_vpc))
    # The count grows with n; take the closest of the neighbours of the last estimate.
    for m in (n - 1, n, n + 1):
        if m >= 2 and m not in tried:
            tried[m] = text_for(m)
    best = min(tried, key=lambda m: (abs(tried[m][1].count("\n") - lines), m))
    return tried[best]


def write(lines: int, out_dir: Path, seed: int = 1, tf: bool = True) -> tuple[Path, Path | None, Network]:
    out_dir.mkdir(parents=True, exist_ok=True)
    net, text = generate(lines, seed)
    label = size_label(lines)
    vpc_path = out_dir / f"gen-{label}.vpc"
    vpc_path.write_text(text, encoding="utf-8")
    tf_path = None
    if tf:
        tf_path = out_dir / f"gen-{label}.tf"
        tf_path.write_text(render_tf(net), encoding="utf-8")
    return vpc_path, tf_path, net


# --------------------------------------------------------------------------
# --verify: re-read the written text and check it is valid AWS
# --------------------------------------------------------------------------

def verify_vpc_text(text: str) -> tuple[list[str], dict]:
    """Check the generated `.vpc` text on its own (not the generator's objects).

    Understands exactly the subset the generator writes. Returns (problems, stats).
    """
    problems: list[str] = []
    err = problems.append
    names: dict[str, tuple[str, int]] = {}          # name -> (kind, line)
    vpcs: dict[str, dict] = {}
    peers: list[tuple[str, str, str, int]] = []
    refs: list[tuple[str, str, str | None, int]] = []  # (name, expected kind, vpc or None, line)
    region = "us-east-1"
    vpc = None
    block = None        # (kind, name, dict)
    pending_list = None  # continuation of a comma list

    def declare(name, kind, line):
        if not NAME_RE.match(name) or name.endswith("-"):
            err(f"line {line}: bad name {name!r}")
        if name in RESERVED:
            err(f"line {line}: reserved word used as name {name!r}")
        if name in names:
            err(f"line {line}: duplicate name {name!r} (first at line {names[name][1]})")
        names[name] = (kind, line)

    def cidr(s, line):
        try:
            return ipaddress.IPv4Network(s)
        except ValueError as e:
            err(f"line {line}: bad CIDR {s!r}: {e}")
            return None

    def ports_ok(p, line):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", p)
        if not m:
            err(f"line {line}: bad ports {p!r}")
            return
        lo, hi = int(m[1]), int(m[2] or m[1])
        if not 0 <= lo <= hi <= 65535:
            err(f"line {line}: bad port range {p!r}")

    lines = text.split("\n")
    joined: list[tuple[int, str]] = []
    for no, raw in enumerate(lines, 1):
        s = raw.split("#", 1)[0].strip()
        if pending_list is not None:
            pending_list = (pending_list[0], pending_list[1] + " " + s)
            if s.endswith(","):
                continue
            joined.append(pending_list)
            pending_list = None
            continue
        if s.endswith(","):
            pending_list = (no, s)
            continue
        for part in s.split(";"):
            if part.strip():
                joined.append((no, part.strip()))

    for no, s in joined:
        t = s.split()
        if block is not None and t == ["}"]:
            block = None
            continue
        if vpc is not None and block is None and t == ["}"]:
            vpc = None
            continue
        if block is not None:
            kind, bname, info = block
            closes = t[-1] == "}"
            if closes:
                t = t[:-1]
            if kind == "route-table":
                if len(t) != 3 or t[1] != "->":
                    err(f"line {no}: bad route {s!r}")
                else:
                    d = cidr(t[0], no)
                    if d is not None:
                        if d in info["dests"]:
                            err(f"line {no}: duplicate route {d} in {bname}")
                        info["dests"].add(d)
                        if d.prefixlen > 0 and d.overlaps(vpcs[vpc]["cidr"]):
                            err(f"line {no}: route {d} overlaps the VPC's local route")
                    refs.append((t[2], "route-target", vpc, no))
                    info["routes"].append((t[0], t[2]))
            elif kind == "nacl":
                # in N allow PROTO [PORTS] from CIDR
                if len(t) not in (6, 7) or t[0] not in ("in", "out") or t[2] not in ("allow", "deny"):
                    err(f"line {no}: bad NACL rule {s!r}")
                else:
                    way = t[-2]
                    if (t[0], way) not in (("in", "from"), ("out", "to")):
                        err(f"line {no}: {t[0]} with {way}")
                    n = int(t[1])
                    if not 1 <= n <= 32766:
                        err(f"line {no}: rule number {n} outside 1..32766")
                    if n in info[t[0]]:
                        err(f"line {no}: duplicate {t[0]} rule number {n} in {bname}")
                    info[t[0]].add(n)
                    if t[3] not in ("tcp", "udp", "icmp", "any"):
                        err(f"line {no}: bad protocol {t[3]}")
                    span = None
                    if len(t) == 7:
                        if t[3] in ("icmp", "any"):
                            err(f"line {no}: ports written for {t[3]}")
                        ports_ok(t[4], no)
                        lo, _, hi = t[4].partition("-")
                        span = (int(lo), int(hi or lo))
                    elif t[3] in ("tcp", "udp"):
                        err(f"line {no}: no ports for {t[3]}")
                    c = cidr(t[-1], no)
                    info["count"] += 1
                    info["rules"].append((t[0], n, t[3], span, c, no))
            elif kind == "sg":
                if not t:
                    pass
                elif t[0] not in ("in", "out"):
                    err(f"line {no}: bad SG rule {s!r}")
                else:
                    way = "from" if t[0] == "in" else "to"
                    if way not in t:
                        err(f"line {no}: SG rule without {way}")
                    else:
                        k = t.index(way)
                        if k == 3:
                            ports_ok(t[2], no)
                        for peer in " ".join(t[k + 1:]).split(","):
                            peer = peer.strip()
                            if re.match(r"\d", peer):
                                cidr(peer, no)
                            else:
                                refs.append((peer, "sg", vpc, no))
            if closes:
                block = None
            continue
        head = t[0]
        if vpc is None:
            if head == "region":
                region = t[1]
            elif head == "vpc":
                vpc = t[1]
                declare(vpc, "vpc", no)
                vpcs[vpc] = {"region": region, "cidr": None, "subnets": {}, "igws": 0, "line": no,
                             "rt_of": {}, "nacl_of": {}}
            elif head == "peer":
                declare(t[1], "peer", no)
                if len(t) != 5 or t[3] != "->":
                    err(f"line {no}: bad peer {s!r}")
                else:
                    peers.append((t[1], t[2], t[4], no))
            else:
                err(f"line {no}: unexpected top-level statement {s!r}")
            continue
        v = vpcs[vpc]
        if head == "cidr":
            c = cidr(t[1], no)
            if c is not None and not 16 <= c.prefixlen <= 28:
                err(f"line {no}: VPC CIDR {c} not /16../28")
            v["cidr"] = c
        elif head == "subnet":
            declare(t[1], "subnet", no)
            c = cidr(t[2], no)
            if t[3] != "az" or t[4] not in AZS:
                err(f"line {no}: bad az in {s!r}")
            if c is not None:
                if not 16 <= c.prefixlen <= 28:
                    err(f"line {no}: subnet {c} not /16../28")
                if v["cidr"] is None or not c.subnet_of(v["cidr"]):
                    err(f"line {no}: subnet {c} outside VPC {v['cidr']}")
                v["subnets"][t[1]] = (c, t[4], no)
        elif head == "igw":
            declare(t[1], "igw", no)
            v["igws"] += 1
            if v["igws"] > 1:
                err(f"line {no}: second IGW in {vpc}")
            v["igw"] = t[1]
        elif head == "nat":
            declare(t[1], "nat", no)
            refs.append((t[3], "subnet", vpc, no))
            v.setdefault("nats", {})[t[1]] = t[3]
        elif head in ("route-table", "nacl"):
            declare(t[1], head, no)
            if t[-1] != "{" or t[2] != "for":
                err(f"line {no}: bad {head} header")
            members = [x.strip() for x in " ".join(t[3:-1]).split(",")]
            key = "rt_of" if head == "route-table" else "nacl_of"
            for m in members:
                refs.append((m, "subnet", vpc, no))
                if m in v[key]:
                    err(f"line {no}: subnet {m} already associated with {v[key][m]}")
                v[key][m] = t[1]
            info = {"dests": set(), "routes": [], "in": set(), "out": set(), "count": 0, "rules": []}
            v.setdefault(head, {})[t[1]] = info
            block = (head, t[1], info)
        elif head == "sg":
            declare(t[1], "sg", no)
            rest = s.split("{", 1)
            block = ("sg", t[1], {})
            if len(rest) != 2:
                err(f"line {no}: bad sg header")
            else:
                # Treat the text after `{` as the block's first item (one-line SGs).
                joined_rest = rest[1].strip()
                if joined_rest:
                    _sg_inline(joined_rest, no, vpc, refs, err, cidr, ports_ok)
                    if joined_rest.endswith("}"):
                        block = None
        elif head == "instance":
            declare(t[1], "instance", no)
            refs.append((t[3], "subnet", vpc, no))
            k = t.index("sg")
            end = t.index("type") if "type" in t else len(t)
            for g in " ".join(t[k + 1:end]).split(","):
                refs.append((g.strip(), "sg", vpc, no))
            v.setdefault("instances", []).append((t[1], t[3], "public-ip" in t))
        else:
            err(f"line {no}: unexpected statement in vpc {s!r}")

    # Subnets of a VPC never overlap.
    for name, v in vpcs.items():
        subs = sorted(v["subnets"].items(), key=lambda kv: kv[1][0])
        for (a, (ca, _, la)), (b, (cb, _, lb)) in zip(subs, subs[1:]):
            if ca.overlaps(cb):
                err(f"line {lb}: subnet {b} {cb} overlaps {a} {ca} (line {la})")
    # No NACL rule is hidden entirely by a lower-numbered one (the checker would warn).
    for v in vpcs.values():
        for nname, info in v.get("nacl", {}).items():
            rules = sorted(info["rules"], key=lambda r: (r[0], r[1]))
            for k, (d, n, proto, span, c, no) in enumerate(rules):
                for d2, n2, proto2, span2, c2, no2 in rules[:k]:
                    if d2 != d or c is None or c2 is None:
                        continue
                    if (proto2 == "any" or proto2 == proto) and \
                            (span2 is None or span is not None and span2[0] <= span[0] and span[1] <= span2[1]) and \
                            c.subnet_of(c2):
                        err(f"line {no}: {nname} rule {d} {n} is shadowed by rule {d2} {n2} (line {no2})")
                        break
    # References resolve to the right kind, inside the same VPC.
    peer_ends = {p[0]: (p[1], p[2]) for p in peers}
    owner: dict[str, str] = {}
    for vname, v in vpcs.items():
        for sname in v["subnets"]:
            owner[sname] = vname
        owner[v.get("igw", "")] = vname
        for nat in v.get("nats", {}):
            owner[nat] = vname
    for ref, kind, in_vpc, no in refs:
        if ref not in names:
            err(f"line {no}: undefined name {ref!r}")
            continue
        got = names[ref][0]
        if kind == "route-target":
            if got in ("igw", "nat"):
                if owner.get(ref) != in_vpc:
                    err(f"line {no}: route to {ref} of another VPC")
            elif got == "peer":
                if in_vpc not in peer_ends[ref]:
                    err(f"line {no}: route over peering {ref} that does not join {in_vpc}")
            else:
                err(f"line {no}: route target {ref} is a {got}")
        elif got != kind:
            err(f"line {no}: {ref!r} is a {got}, expected {kind}")
        elif kind == "subnet" and owner.get(ref) != in_vpc:
            err(f"line {no}: subnet {ref} belongs to {owner.get(ref)}, not {in_vpc}")
    # Peering routes point at the other side; NAT subnets route to the IGW; public IPs sit behind it.
    for vname, v in vpcs.items():
        for rtname, rt in v.get("route-table", {}).items():
            for dest, target in rt["routes"]:
                if names.get(target, ("",))[0] == "peer" and target in peer_ends:
                    a, b = peer_ends[target]
                    other = b if a == vname else a
                    if other in vpcs and ipaddress.IPv4Network(dest) != vpcs[other]["cidr"]:
                        err(f"{rtname}: route {dest} over {target} is not {other}'s CIDR")
        routes_of = {rtn: dict(rt["routes"]) for rtn, rt in v.get("route-table", {}).items()}
        def to_igw(sub):
            rtn = v["rt_of"].get(sub)
            return rtn is not None and routes_of[rtn].get("0.0.0.0/0") == v.get("igw")
        for nat, sub in v.get("nats", {}).items():
            if not to_igw(sub):
                err(f"{vname}: NAT {nat} sits in {sub}, which has no route to the IGW")
        for inst, sub, public in v.get("instances", []):
            if public and not to_igw(sub):
                err(f"{vname}: {inst} has a public IP in {sub}, which has no route to the IGW")
        for sub in v["subnets"]:
            if sub not in v["rt_of"]:
                err(f"{vname}: subnet {sub} has no route table")
    # VPC blocks: unique within a region; peered pairs never overlap and share a region.
    by_region: dict[str, list[tuple[ipaddress.IPv4Network, str]]] = {}
    for vname, v in vpcs.items():
        if v["cidr"] is None:
            err(f"{vname}: no cidr")
            continue
        by_region.setdefault(v["region"], []).append((v["cidr"], vname))
    for region, blocks in by_region.items():
        blocks.sort()
        for (ca, a), (cb, b) in zip(blocks, blocks[1:]):
            if ca.overlaps(cb):
                err(f"{region}: {a} {ca} overlaps {b} {cb}")
    for pname, a, b, no in peers:
        for end in (a, b):
            if names.get(end, ("",))[0] != "vpc":
                err(f"line {no}: peer end {end!r} is not a VPC")
        if a in vpcs and b in vpcs:
            if vpcs[a]["cidr"].overlaps(vpcs[b]["cidr"]):
                err(f"line {no}: peered VPCs {a} and {b} overlap")
            if vpcs[a]["region"] != vpcs[b]["region"]:
                err(f"line {no}: peering {pname} crosses regions")
    pairs = [frozenset((a, b)) for _, a, b, _ in peers]
    if len(set(pairs)) != len(pairs):
        err("two peering connections join the same pair of VPCs")

    kinds: dict[str, int] = {}
    for kind, _ in names.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    stats = {
        "lines": text.count("\n"),
        "bytes": len(text.encode()),
        "regions": len(by_region),
        "names": len(names),
        "nacl_rules": sum(i["count"] for v in vpcs.values() for i in v.get("nacl", {}).values()),
        **{f"{k}s": n for k, n in sorted(kinds.items())},
    }
    return problems, stats


def _sg_inline(text, no, vpc, refs, err, cidr, ports_ok):
    body = text[:-1] if text.endswith("}") else text
    for item in body.split(";"):
        t = item.split()
        if not t:
            continue
        way = "from" if t[0] == "in" else "to"
        if t[0] not in ("in", "out") or way not in t:
            err(f"line {no}: bad SG rule {item!r}")
            continue
        k = t.index(way)
        if k == 3:
            ports_ok(t[2], no)
        for peer in " ".join(t[k + 1:]).split(","):
            peer = peer.strip()
            if re.match(r"\d", peer):
                cidr(peer, no)
            else:
                refs.append((peer, "sg", vpc, no))


_TF_RESOURCE = re.compile(r'^resource "(aws_[a-z_]+)" "([A-Za-z_][A-Za-z0-9_-]*)" \{$', re.M)
_TF_REF = re.compile(r"\b(aws_[a-z_]+)\.([A-Za-z_][A-Za-z0-9_-]*)\.id\b")


def verify_tf_text(text: str, net: Network | None = None) -> tuple[list[str], dict]:
    """Every `aws_T.N.id` reference names a declared resource; no resource is declared twice."""
    problems = []
    declared: dict[tuple[str, str], int] = {}
    for m in _TF_RESOURCE.finditer(text):
        key = (m[1], m[2])
        if key in declared:
            problems.append(f"resource {m[1]}.{m[2]} declared twice")
        declared[key] = declared.get(key, 0) + 1
    for m in _TF_REF.finditer(text):
        if (m[1], m[2]) not in declared:
            problems.append(f"reference to undeclared {m[1]}.{m[2]}")
    if text.count("{") != text.count("}"):
        problems.append("unbalanced braces")
    counts: dict[str, int] = {}
    for rtype, _ in declared:
        counts[rtype] = counts.get(rtype, 0) + 1
    if net is not None:
        expect = {
            "aws_vpc": len(net.vpcs),
            "aws_subnet": sum(len(v.subnets) for v in net.vpcs),
            "aws_internet_gateway": len(net.vpcs),
            "aws_nat_gateway": sum(len(v.nats) for v in net.vpcs),
            "aws_eip": sum(len(v.nats) for v in net.vpcs),
            "aws_route_table": sum(len(v.route_tables) for v in net.vpcs),
            "aws_network_acl": sum(len(v.nacls) for v in net.vpcs),
            "aws_security_group": sum(len(v.sgs) for v in net.vpcs),
            "aws_instance": sum(len(v.instances) for v in net.vpcs),
            "aws_vpc_peering_connection": len(net.peers),
        }
        for rtype, n in expect.items():
            if counts.get(rtype, 0) != n:
                problems.append(f"{rtype}: {counts.get(rtype, 0)} resources, expected {n}")
    stats = {"lines": text.count("\n"), "bytes": len(text.encode()), "resources": sum(counts.values()), **counts}
    return problems, stats


def verify_tf_hcl2(text: str) -> tuple[list[str], dict]:
    """Parse with python-hcl2 (slow) and count resources."""
    import hcl2

    t0 = time.perf_counter()
    doc = hcl2.loads(text)
    dt = time.perf_counter() - t0
    n = 0
    for block in doc.get("resource", []):
        for rtype, bodies in block.items():
            n += len(bodies)
    return [], {"hcl2_seconds": round(dt, 3), "hcl2_MBps": round(len(text.encode()) / dt / 1e6, 4),
                "hcl2_resources": n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, nargs="+", default=[1000],
                    help="target line counts of the .vpc files (default 1000)")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out",
                    help="output directory (default benchmarks/out/)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--no-tf", action="store_true", help="write only the .vpc file")
    ap.add_argument("--verify", action="store_true",
                    help="re-read the written files and check names, CIDRs, rules and references")
    ap.add_argument("--verify-hcl2-max-lines", type=int, default=10000,
                    help="with --verify, also parse the .tf with python-hcl2 up to this .vpc size (default 10000)")
    args = ap.parse_args(argv)
    bad = 0
    for lines in args.lines:
        t0 = time.perf_counter()
        vpc_path, tf_path, net = write(lines, args.out, args.seed, tf=not args.no_tf)
        dt = time.perf_counter() - t0
        text = vpc_path.read_text(encoding="utf-8")
        n = text.count("\n")
        print(f"{vpc_path}: {n} lines, {len(text.encode()) / 1e6:.2f} MB, {len(net.vpcs)} VPCs, "
              f"{len(net.peers)} peerings  (target {lines}, {100 * (n - lines) / lines:+.1f}%)")
        if tf_path:
            tf_text = tf_path.read_text(encoding="utf-8")
            print(f"{tf_path}: {tf_text.count(chr(10))} lines, {len(tf_text.encode()) / 1e6:.2f} MB")
        print(f"  generated in {dt:.2f}s; sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}")
        if not args.verify:
            continue
        problems, stats = verify_vpc_text(text)
        print("  .vpc check: " + ("OK" if not problems else f"{len(problems)} PROBLEMS") + "  " +
              ", ".join(f"{k}={v}" for k, v in stats.items()))
        if tf_path:
            p2, s2 = verify_tf_text(tf_text, net)
            problems += p2
            print("  .tf check:  " + ("OK" if not p2 else f"{len(p2)} PROBLEMS") + "  " +
                  ", ".join(f"{k}={v}" for k, v in s2.items()))
            if lines <= args.verify_hcl2_max_lines:
                try:
                    p3, s3 = verify_tf_hcl2(tf_text)
                except ImportError:
                    print("  hcl2:       not installed (.venv/bin/pip install python-hcl2)")
                else:
                    if s3["hcl2_resources"] != s2["resources"]:
                        p3.append(f"hcl2 found {s3['hcl2_resources']} resources, text scan {s2['resources']}")
                    problems += p3
                    print("  hcl2 parse: " + ("OK" if not p3 else "PROBLEMS") + "  " +
                          ", ".join(f"{k}={v}" for k, v in s3.items()))
        for p in problems[:30]:
            print("    " + p)
        bad += bool(problems)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
