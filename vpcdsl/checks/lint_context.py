"""What the ACL lint needs of the model, indexed once per model (`Context`): the clients
in each subnet and their ephemeral ports, the instances each subnet holds, the network
interfaces using each security group, where the internet and the sites are; and the small
helpers the NACL and SG lints share."""

from __future__ import annotations

from bisect import bisect_right

from ..aws import EPHEMERAL, NOT_INTERNET
from ..model.network import Model
from ..model.ports import ephemeral_range
from ..span import Span
from ..syntax import ast
from .rule_keys import address_block

MAX_NOTES = 6          # notes a finding shows at most


class Context:
    """Model-wide facts the lint asks per rule, indexed once: the clients in each subnet
    (their ephemeral ports), the instances each subnet holds, which security groups a network
    interface uses, and where the internet and the sites are."""

    def __init__(self, model: Model):
        self.model = model
        self.ports_in: dict[str, set[tuple[int, int]]] = {}       # subnet -> clients' ports
        self.instances_in: dict[str, list] = {}                   # subnet -> instances
        self.sg_users: dict[str, object] = {}                     # SG name -> first ENI using it
        for vpc in model.vpcs.values():
            default = model.default_sg.get(vpc.name)
            for m in vpc.members:
                if isinstance(m, (ast.Instance, ast.NatInstance, ast.NatGateway)):
                    self.ports_in.setdefault(m.subnet.name, set()).add(ephemeral_range(m))
                    if not isinstance(m, ast.NatGateway):
                        self.instances_in.setdefault(m.subnet.name, []).append(m)
                elif isinstance(m, ast.LoadBalancer):
                    for ref in m.subnets:
                        self.ports_in.setdefault(ref.name, set()).add(ephemeral_range(m))
                if isinstance(m, (ast.Instance, ast.NatInstance, ast.InterfaceEndpoint, ast.LoadBalancer)):
                    # As the trace (DataPlane.security_groups): no `sg` is the default SG,
                    # except on a network load balancer, which then has none.
                    names = [r.name for r in m.sgs]
                    if not names and not (isinstance(m, ast.LoadBalancer) and m.type == "network"):
                        names = [default.name] if default is not None else []
                    for name in names:
                        self.sg_users.setdefault(name, m)
        self._subnets: dict[int, list[tuple[int, int, str]]] = {4: [], 6: []}
        for subnet in model.subnets.values():
            for cidr in (subnet.cidr, subnet.ipv6):
                if cidr is not None and cidr.net is not None:
                    self._subnets[cidr.net.version].append(address_block(cidr.net)[1:] + (subnet.name,))
        self._starts: dict[int, list[int]] = {}
        self._widest: dict[int, int] = {}
        for version, blocks in self._subnets.items():
            blocks.sort()
            self._starts[version] = [b[0] for b in blocks]
            self._widest[version] = max((b[1] - b[0] for b in blocks), default=0)
        # Where no internet host is: private and special blocks, and every VPC's blocks,
        # merged per family so that a block is looked up by bisection.
        blocks = [address_block(n) for n in NOT_INTERNET]
        for vpc in model.vpcs.values():
            blocks += [address_block(c.net) for c in vpc.cidrs + vpc.ipv6 if c.net is not None]
        self._not_internet = {4: merged_intervals([b[1:] for b in blocks if b[0] == 4]),
                              6: merged_intervals([b[1:] for b in blocks if b[0] == 6])}
        self._not_internet_starts = {f: [lo for lo, _ in v] for f, v in self._not_internet.items()}
        self._sites = [(address_block(c.net), site) for site in model.sites.values() for c in site.cidrs
                       if c.net is not None]
        self._clients: dict[tuple, list[tuple[int, int]]] = {}
        low, high = EPHEMERAL["external"]
        every = set().union(*self.ports_in.values(), {EPHEMERAL["linux"]})
        every |= {(site.ephemeral.low, site.ephemeral.high) for _, site in self._sites if site.ephemeral}
        self._within_external = all(low <= lo and hi <= high for lo, hi in every)

    def subnets_overlapping(self, family: int, low: int, high: int) -> list[str]:
        """The subnets with an address in ``low..high`` (a sorted index: no scan of the model)."""
        blocks = self._subnets[family]
        i = bisect_right(self._starts[family], high)
        out = []
        while i > 0:
            i -= 1
            first, last, name = blocks[i]
            if first < low - self._widest[family]:
                break
            if last >= low:
                out.append(name)
        return out

    def client_ports(self, family: int, low: int, high: int) -> list[tuple[int, int]]:
        """The ephemeral ports of every client that may have an address in ``low..high``:
        the hosts of the subnets there (a subnet without hosts counts as the trace's Linux
        probe), the sites there, and 1024-65535 if the block reaches the internet.
        Merged into disjoint ranges."""
        key = (family, low, high)
        cached = self._clients.get(key)
        if cached is not None:
            return cached
        i = bisect_right(self._not_internet_starts[family], low) - 1
        internet = i < 0 or self._not_internet[family][i][1] < high
        if internet and self._within_external:
            return [EPHEMERAL["external"]]      # holds every other client's range
        ranges: set[tuple[int, int]] = set()
        for name in self.subnets_overlapping(family, low, high):
            ranges |= self.ports_in.get(name) or {EPHEMERAL["linux"]}
        for (version, first, last), site in self._sites:
            if version == family and first <= high and low <= last:
                eph = site.ephemeral
                ranges.add((eph.low, eph.high) if eph is not None else EPHEMERAL["external"])
        if internet:
            ranges.add(EPHEMERAL["external"])
        merged = self._clients[key] = merged_intervals(ranges)
        return merged


def subnets_of(model: Model, nacl: ast.Nacl) -> list[ast.Subnet]:
    """The subnets that really use ``nacl`` (the first NACL listing a subnet wins, E210)."""
    out = []
    for ref in nacl.subnets:
        subnet = model.subnets.get(ref.name)
        if subnet is not None and model.nacl_of.get(subnet.name) is nacl and subnet not in out:
            out.append(subnet)
    return out


def covers_ephemeral(ports) -> bool:
    """Whether a rule's ports hold a whole ephemeral range: then it also carries responses,
    and the NACL cannot tell requests from answers by it."""
    return ports is None or any(ports[0] <= lo and hi <= ports[1] for lo, hi in _EPHEMERAL_RANGES)


_EPHEMERAL_RANGES = tuple(sorted(set(EPHEMERAL.values())))


def name_span(obj) -> Span:
    s = obj.span
    return Span(s.file, s.line, s.col, s.line, s.col + len(obj.name))


def merged_intervals(intervals) -> list[tuple[int, int]]:
    """Closed integer intervals, sorted, with overlapping and adjacent ones joined."""
    if len(intervals) < 2:
        return list(intervals)
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out
