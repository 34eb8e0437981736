"""Address-space planning (`vpcdsl plan`, `Model.plan`): each VPC's blocks, their
subnets, the free space as minimal CIDR lists, utilisation, and where a new subnet fits.

Pure functions over the resolved model returning frozen dataclasses. The set
arithmetic is integer intervals: one sort of a VPC's subnets, one walk over the
gaps of each block, each gap cut into its fewest aligned blocks. sympy serves only
the sizing formula (`vpcdsl.analysis.sizing`), imported where the formula is solved.

>>> import vpcdsl
>>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/24\\n subnet s 10.0.0.0/26 az a\\n}")
>>> [str(n) for n in m.plan().vpcs[0].blocks[0].free]
['10.0.0.64/26', '10.0.0.128/25']
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate
from ipaddress import IPv4Network, IPv6Network, summarize_address_range

from ..aws import IPV6_SUBNET_PREFIX
from ..checks.names import close_matches, did_you_mean
from ..cidrs import allocate, usable_hosts
from ..gcpause import paused_gc
from ..syntax import ast
from .sizing import PlanError, Sizing, parse_size, size_for_hosts, size_for_prefix

Network = IPv4Network | IPv6Network

__all__ = ["Plan", "VpcPlan", "BlockPlan", "SubnetUse", "Fit", "Sizing", "PlanError", "plan",
           "vpc_plan", "block_plans", "free_cidrs", "size_for_hosts", "size_for_prefix", "parse_size"]


# ---------------------------------------------------------------------------- results

@dataclass(frozen=True)
class SubnetUse:
    """A subnet inside one block: its CIDR there, its AZ and, for IPv4, its usable addresses."""

    name: str
    cidr: Network
    zone: str
    usable: int | None        # all but the 5 addresses AWS reserves; None for an IPv6 block
    allocated: bool           # the compiler chose the CIDR (`size /P`, `hosts N`)

    def to_dict(self) -> dict:
        return {"name": self.name, "cidr": str(self.cidr), "zone": self.zone or None,
                "usable": self.usable, "allocated": self.allocated}


@dataclass(frozen=True)
class BlockPlan:
    """One CIDR block of a VPC: the subnets in it and the free space left, lowest first."""

    cidr: Network
    role: str                         # primary, secondary or ipv6
    subnets: tuple[SubnetUse, ...]    # address order
    free: tuple[Network, ...]         # the fewest aligned blocks covering the unallocated addresses
    allocated: int                    # addresses inside subnets

    @property
    def total(self) -> int:
        return self.cidr.num_addresses

    @property
    def free_addresses(self) -> int:
        return self.total - self.allocated

    @property
    def utilisation(self) -> float:
        """Allocated addresses as a percentage of the block."""
        return 100 * self.allocated / self.total

    @property
    def largest_free(self) -> Network | None:
        """The largest free block (the lowest of equals), or None when the block is full."""
        return min(self.free, key=lambda n: n.prefixlen, default=None)

    @property
    def usage(self) -> str:
        """``1,280 of 65,536 addresses``; an IPv6 block counts /64s, the size AWS gives subnets."""
        unit = 1 << (128 - IPV6_SUBNET_PREFIX)
        if self.role == "ipv6" and self.cidr.prefixlen <= IPV6_SUBNET_PREFIX and self.allocated % unit == 0:
            return f"{self.allocated // unit:,} of {self.total // unit:,} /64s"
        return f"{self.allocated:,} of {self.total:,} addresses"

    def rows(self) -> list[tuple[Network, SubnetUse | None]]:
        """The address map: each subnet and each free block (None), in address order."""
        rows = [(s.cidr, s) for s in self.subnets] + [(n, None) for n in self.free]
        rows.sort(key=lambda r: (int(r[0].network_address), r[1] is None))
        return rows

    def to_dict(self) -> dict:
        largest = self.largest_free
        return {"cidr": str(self.cidr), "role": self.role, "total": self.total,
                "allocated": self.allocated, "free_addresses": self.free_addresses,
                "utilisation": round(self.utilisation, 4),
                "largest_free": str(largest) if largest is not None else None,
                "free": [str(n) for n in self.free],
                "subnets": [s.to_dict() for s in self.subnets]}


@dataclass(frozen=True)
class Fit:
    """Where a new subnet goes in one AZ ("" for the VPC as a whole)."""

    zone: str
    cidr: IPv4Network | None            # None: no room
    largest_free: IPv4Network | None    # with no room, the largest free block left (None: full)
    ipv6: IPv6Network | None            # the next free /64 when the VPC has an IPv6 block

    def to_dict(self) -> dict:
        return {"zone": self.zone or None, "cidr": _str(self.cidr),
                "largest_free": _str(self.largest_free), "ipv6": _str(self.ipv6)}


@dataclass(frozen=True)
class VpcPlan:
    """A VPC's address space: its blocks (primary, secondaries, IPv6) and new subnets' places."""

    name: str
    region: str
    blocks: tuple[BlockPlan, ...]
    zones: tuple[str, ...]             # the AZs the VPC's subnets use, sorted
    fits: tuple[Fit, ...] = ()         # one per AZ (blocks distinct, in AZ order), then the VPC's

    @property
    def ipv4(self) -> tuple[BlockPlan, ...]:
        return tuple(b for b in self.blocks if b.role != "ipv6")

    @property
    def allocated(self) -> int:
        return sum(b.allocated for b in self.ipv4)

    @property
    def total(self) -> int:
        return sum(b.total for b in self.ipv4)

    @property
    def utilisation(self) -> float:
        """IPv4 addresses in subnets, as a percentage of the VPC's IPv4 blocks."""
        return 100 * self.allocated / self.total if self.total else 0.0

    @property
    def largest_free(self) -> IPv4Network | None:
        return _largest([n for b in self.ipv4 for n in b.free])

    @property
    def fits_everywhere(self) -> bool:
        return all(f.cidr is not None for f in self.fits)

    def to_dict(self) -> dict:
        return {"name": self.name, "region": self.region, "zones": list(self.zones),
                "ipv4": {"total": self.total, "allocated": self.allocated,
                         "free_addresses": self.total - self.allocated,
                         "utilisation": round(self.utilisation, 4),
                         "largest_free": _str(self.largest_free)},
                "blocks": [b.to_dict() for b in self.blocks],
                "fits": [f.to_dict() for f in self.fits]}


@dataclass(frozen=True)
class Plan:
    """`vpcdsl plan`'s answer for a model: one `VpcPlan` per VPC, and the sizing asked for."""

    path: str
    vpcs: tuple[VpcPlan, ...]
    sizing: Sizing | None = None

    @property
    def fits(self) -> bool:
        """No size was asked, or AWS allows it and it fits in every AZ of every VPC planned."""
        if self.sizing is None:
            return True
        return self.sizing.subnet is not None and all(v.fits_everywhere for v in self.vpcs)

    def to_dict(self) -> dict:
        return {"version": 1, "path": self.path,
                "sizing": self.sizing.to_dict() if self.sizing is not None else None,
                "vpcs": [v.to_dict() for v in self.vpcs]}

    def text(self) -> str:
        """What `vpcdsl plan` prints."""
        lines: list[str] = []
        if self.sizing is not None:
            lines.append(f"new subnet: {self.sizing.formula}")
            if self.sizing.note:
                lines.append(f"  note: {self.sizing.note}")
            lines.append("")
        if not self.vpcs:
            lines.append(f"{self.path}: no VPC to plan")
        with paused_gc():  # a line per subnet and free block, no cycles
            for i, v in enumerate(self.vpcs):
                if i:
                    lines.append("")
                lines.extend(_vpc_lines(v, self.sizing))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(self.text())

    def _repr_html_(self) -> str:  # Jupyter: a table per VPC
        from ..views.notebook.rich import plan_repr_html
        return plan_repr_html(self)

    def _repr_latex_(self) -> str | None:  # Jupyter, nbconvert to LaTeX: the sizing formula
        return self.sizing.latex if self.sizing is not None else None


def _str(net) -> str | None:
    return None if net is None else str(net)


def _largest(nets) -> Network | None:
    """The largest of ``nets``, the first of equals."""
    return min(nets, key=lambda n: n.prefixlen, default=None)


# ---------------------------------------------------------------------------- free space

def free_cidrs(block: Network, taken: list[tuple[int, int]]) -> tuple[tuple[Network, ...], int]:
    """The free space of ``block`` as its fewest aligned CIDRs, and the allocated addresses.

    ``taken`` holds (first, last) integer address pairs sorted by first address; pairs
    may overlap or stick out of the block (they are clipped), so the walk is one pass.

    >>> from ipaddress import ip_network
    >>> free, used = free_cidrs(ip_network("10.0.0.0/24"), [(167772160 + 16, 167772160 + 31)])
    >>> [str(n) for n in free], used
    (['10.0.0.0/28', '10.0.0.32/27', '10.0.0.64/26', '10.0.0.128/25'], 16)
    """
    start = bisect_left(taken, (int(block.network_address),))
    return _free(block, taken, start, max((t[1] for t in taken[:start]), default=-1))


def _free(block: Network, items, start: int, reach: int) -> tuple[tuple[Network, ...], int]:
    lo = int(block.network_address)
    hi = lo + (1 << (block.max_prefixlen - block.prefixlen)) - 1
    gaps = _gaps(lo, hi, items, start, reach)
    address = type(block.network_address)
    free = tuple(net for a, b in gaps for net in summarize_address_range(address(a), address(b)))
    return free, (hi - lo + 1) - sum(b - a + 1 for a, b in gaps)


def _gaps(lo: int, hi: int, items, start: int, reach: int) -> list[tuple[int, int]]:
    """The free runs of lo..hi; ``items[start:]`` start at lo or later, and ``reach`` is the
    furthest address of the items before them (a subnet that starts before the block)."""
    cursor = max(lo, min(reach, hi) + 1)
    gaps = []
    for i in range(start, len(items)):
        first, last = items[i][0], items[i][1]
        if first > hi:
            break
        if first > cursor:
            gaps.append((cursor, first - 1))
        if last >= cursor:
            cursor = min(last, hi) + 1
    if cursor <= hi:
        gaps.append((cursor, hi))
    return gaps


def block_plans(vpc: ast.Vpc) -> tuple[BlockPlan, ...]:
    """Every valid block of ``vpc`` (IPv4 in source order, the first primary; then IPv6).

    Linear in the subnets after one sort per address family: a block's subnets are a
    contiguous run of the sorted list, found by bisection.
    """
    subnets = vpc.of_type(ast.Subnet)
    out = []
    ipv4 = [c.net for c in vpc.cidrs if c.net is not None and c.net.version == 4]
    ipv6 = [c.net for c in vpc.ipv6 if c.net is not None and c.net.version == 6]
    with paused_gc():      # many small acyclic objects: see vpcdsl.gcpause
        for version, blocks in ((4, ipv4), (6, ipv6)):
            if not blocks:
                continue
            items = _subnet_items(subnets, version)
            starts = [item[0] for item in items]
            reach = list(accumulate((item[1] for item in items), max))     # furthest end so far
            for i, block in enumerate(blocks):
                role = "ipv6" if version == 6 else ("primary" if i == 0 else "secondary")
                start = bisect_left(starts, int(block.network_address))
                out.append(_block_plan(block, role, items, start, reach[start - 1] if start else -1))
    return tuple(out)


def _subnet_items(subnets, version: int) -> list[tuple[int, int, str, SubnetUse]]:
    """(first, last, name, use) of each subnet's block of this family, sorted by address."""
    items = []
    for s in subnets:
        cidr = s.cidr if version == 4 else s.ipv6
        net = cidr.net if cidr is not None else None
        if net is None or net.version != version:
            continue
        first = int(net.network_address)
        # the last address by hand: broadcast_address is slow in bulk
        last = first + (1 << (net.max_prefixlen - net.prefixlen)) - 1
        usable = usable_hosts(net) if version == 4 else None
        items.append((first, last, s.name, SubnetUse(s.name, net, s.zone, usable, s.allocated)))
    items.sort(key=lambda t: (t[0], t[1], t[2]))
    return items


def _block_plan(block: Network, role: str, items, start: int, reach: int) -> BlockPlan:
    free, allocated = _free(block, items, start, reach)
    last = int(block.broadcast_address)
    inside = []
    for i in range(start, len(items)):
        if items[i][0] > last:
            break
        inside.append(items[i][3])
    return BlockPlan(block, role, tuple(inside), free, allocated)


# ---------------------------------------------------------------------------- new subnets

def _fits(blocks: tuple[BlockPlan, ...], zones: tuple[str, ...], prefix: int) -> tuple[Fit, ...]:
    """One new /prefix per AZ, each the lowest aligned block still free once the AZs
    before it have theirs, then the VPC's first free /prefix. The free CIDRs stand in
    for the VPC's blocks in `vpcdsl.cidrs.allocate` (primary first, as the compiler
    allocates), so only the few blocks picked here are "taken"."""
    free4 = [n for b in blocks if b.role != "ipv6" for n in b.free]
    free6 = [n for b in blocks if b.role == "ipv6" for n in b.free]
    picks4: list[IPv4Network] = []
    picks6: list[IPv6Network] = []
    out = []
    for zone in zones:
        net = allocate(prefix, free4, picks4)
        six = allocate(IPV6_SUBNET_PREFIX, free6, picks6) if free6 else None
        if net is not None:
            picks4.append(net)
        if six is not None:
            picks6.append(six)
        out.append(Fit(zone, net, None if net is not None else _largest_left(free4, picks4), six))
    whole = allocate(prefix, free4, [])
    whole6 = allocate(IPV6_SUBNET_PREFIX, free6, []) if free6 else None
    out.append(Fit("", whole, None if whole is not None else _largest(free4), whole6))
    return tuple(out)


def _largest_left(free: list[IPv4Network], picks: list[IPv4Network]) -> IPv4Network | None:
    """The largest block of ``free`` once ``picks`` (aligned blocks inside it) are taken."""
    best = None
    for net in free:
        pieces = [net]
        for pick in picks:
            kept = []
            for piece in pieces:
                if not piece.overlaps(pick):
                    kept.append(piece)
                elif piece != pick and pick.subnet_of(piece):
                    kept.extend(piece.address_exclude(pick))
            pieces = kept
        for piece in sorted(pieces):
            if best is None or piece.prefixlen < best.prefixlen:
                best = piece
    return best


# ---------------------------------------------------------------------------- the plan

def vpc_plan(vpc: ast.Vpc, sizing: Sizing | None = None) -> VpcPlan:
    """The plan of one resolved VPC; with ``sizing``, where a subnet of that size goes."""
    blocks = block_plans(vpc)
    zones = tuple(sorted({s.zone for s in vpc.of_type(ast.Subnet) if s.zone}))
    fits: tuple[Fit, ...] = ()
    if sizing is not None and sizing.subnet is not None:
        fits = _fits(blocks, zones, sizing.subnet)
    return VpcPlan(vpc.name, vpc.region_name, blocks, zones, fits)


def plan(model, vpc: str | None = None, *, hosts: int | None = None, size=None) -> Plan:
    """Plan the address space of every VPC of ``model`` (or of the VPC called ``vpc``).

    ``hosts=N`` or ``size=24`` (or ``"/24"``) also says where a new subnet of that size
    fits in each AZ the VPC uses. Raises PlanError for an unknown VPC, a size AWS does
    not allow, or both ``hosts`` and ``size``.
    """
    if hosts is not None and size is not None:
        raise PlanError("ask for hosts or for a size, not both",
                        "hosts N picks the smallest subnet that holds N; size /P asks for a /P")
    sizing = None
    if hosts is not None:
        sizing = size_for_hosts(hosts)
    elif size is not None:
        sizing = size_for_prefix(parse_size(size))
    if vpc is None:
        chosen = list(model.vpcs.values())
    elif vpc in model.vpcs:
        chosen = [model.vpcs[vpc]]
    else:
        close = close_matches(vpc, list(model.vpcs))
        known = ", ".join(sorted(model.vpcs)) or "none"
        raise PlanError(f"no VPC called {vpc!r} in {model.path}",
                        did_you_mean(close) if close else f"the model's VPCs: {known}")
    with paused_gc():      # many small acyclic objects: see vpcdsl.gcpause
        return Plan(model.path, tuple(vpc_plan(v, sizing) for v in chosen), sizing)


# ---------------------------------------------------------------------------- text

def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _vpc_lines(v: VpcPlan, sizing: Sizing | None) -> list[str]:
    blocks = ", ".join(str(b.cidr) for b in v.blocks) or "no valid block"
    lines = [f"vpc {v.name} ({v.region}): {blocks}"]
    if v.ipv4:
        largest = v.largest_free
        free = sum(len(b.free) for b in v.ipv4)
        lines.append(f"  IPv4: {v.allocated:,} of {v.total:,} addresses in subnets ({v.utilisation:.2f}% used); "
                     + (f"{v.total - v.allocated:,} free in {_count(free, 'block')}, largest {largest}"
                        if largest is not None else "no address free"))
    for b in v.blocks:
        lines.append("")
        lines.append(f"  {b.cidr} {b.role}: {_count(len(b.subnets), 'subnet')}, {b.usage} "
                     f"({b.utilisation:.2f}% used); "
                     + (f"free: {_count(len(b.free), 'block')}, largest {b.largest_free}" if b.free else "full"))
        rows = b.rows()
        width = max(len(str(net)) for net, _ in rows)
        names = max((len(s.name) for _, s in rows if s is not None), default=0)
        zones = max((len(s.zone) for _, s in rows if s is not None), default=0)
        for net, s in rows:
            if s is None:
                lines.append(f"    {str(net):<{width}}  free")
                continue
            usable = f"  {s.usable:>6,} usable" if s.usable is not None else ""
            mark = "  (allocated)" if s.allocated else ""
            lines.append(f"    {str(net):<{width}}  {s.name:<{names}}  {s.zone or '?':<{zones}}{usable}{mark}"
                         .rstrip())
    if sizing is not None and sizing.subnet is not None:
        lines.append("")
        lines.extend(_fit_lines(v, sizing.subnet))
    return lines


def _fit_lines(v: VpcPlan, prefix: int) -> list[str]:
    if not v.ipv4:
        return [f"  new /{prefix}: no IPv4 block to take it from"]
    head = (f"  where a new /{prefix} fits: one per AZ the VPC uses (in turn, so the blocks are distinct), "
            f"and the VPC's first free /{prefix}:" if v.zones
            else f"  where a new /{prefix} fits: the VPC's first free /{prefix} (no subnet names an AZ yet):")
    lines = [head]
    width = max([len(z) for z in v.zones] + [len("VPC")])
    for fit in v.fits:
        where = fit.zone or "VPC"
        if fit.cidr is None:
            said = (f"no room (largest free block {fit.largest_free})" if fit.largest_free is not None
                    else "no room (no free address left)")
        else:
            said = str(fit.cidr)
        six = f"  ipv6 {fit.ipv6}" if fit.ipv6 is not None else ""
        lines.append(f"    {where:<{width}}  {said:<18}{six}".rstrip())
    return lines
