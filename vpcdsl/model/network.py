"""The resolved model: every object by name, defaults filled, and lookups the analyses share.

A `Model` is what `vpcdsl.load` returns. Its objects are the frozen `ast`
nodes, as completed by the resolver (VPC, zone and allocated CIDR filled in,
implicit main route table, default NACL and default SG added). The networkx
view is built on first use of `Model.graph`.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from functools import cached_property
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Any, Iterator

from ..diagnostics import Diagnostic, Diagnostics, has_errors
from ..span import Span
from ..syntax import ast

# The kind of each object class, in AWS's vocabulary; node ids are `kind:name`.
KIND_OF: dict[type, str] = {
    ast.Vpc: "vpc",
    ast.Subnet: "subnet",
    ast.InternetGateway: "igw",
    ast.EgressOnlyInternetGateway: "eigw",
    ast.NatGateway: "nat",
    ast.NatInstance: "nat-instance",
    ast.VirtualPrivateGateway: "vgw",
    ast.RouteTable: "route-table",
    ast.Nacl: "nacl",
    ast.SecurityGroup: "sg",
    ast.Instance: "instance",
    ast.GatewayEndpoint: "gateway-endpoint",
    ast.InterfaceEndpoint: "interface-endpoint",
    ast.LoadBalancer: "lb",
    ast.Peering: "peering",
    ast.TransitGateway: "tgw",
    ast.TgwPeering: "tgw-peering",
    ast.Site: "site",
    ast.Vpn: "vpn",
    ast.DxGateway: "dxgw",
    ast.DirectConnect: "dx",
    ast.PlacementGroup: "placement",
    ast.Cdn: "cdn",
}

# How a kind reads in a message ("expected a subnet, found security group 'web'").
KIND_WORDS: dict[str, str] = {
    "vpc": "VPC", "subnet": "subnet", "igw": "internet gateway", "eigw": "egress-only internet gateway",
    "nat": "NAT gateway", "nat-instance": "NAT instance", "vgw": "virtual private gateway",
    "route-table": "route table", "nacl": "network ACL", "sg": "security group",
    "instance": "instance", "gateway-endpoint": "gateway endpoint",
    "interface-endpoint": "interface endpoint", "lb": "load balancer", "peering": "peering connection",
    "tgw": "transit gateway", "tgw-peering": "transit gateway peering attachment", "site": "site", "vpn": "VPN", "dxgw": "Direct Connect gateway",
    "dx": "Direct Connect connection", "placement": "placement group", "cdn": "CloudFront distribution",
}


SCOPED_KINDS = ("route-table", "nacl", "sg")


def namespace_of(kind: str) -> str:
    """Which namespace a kind's names live in: its own for SCOPED_KINDS, else the model's."""
    return kind if kind in SCOPED_KINDS else "model"


def kind_of(obj) -> str:
    return KIND_OF[type(obj)]


def describe(obj) -> str:
    """``security group 'web'``"""
    return f"{KIND_WORDS[kind_of(obj)]} '{obj.name}'"


class Model:
    """A compiled .vpc model (one file, or a directory of files)."""

    def __init__(self, *, path: str, files: tuple[ast.File, ...], sources: dict[str, str]):
        self.path = path
        self.files = files
        self.sources = sources
        self.diagnostics = Diagnostics((), sources)
        self.vpcs: dict[str, ast.Vpc] = {}
        # The model's namespace (name -> object). Route tables, network ACLs and
        # security groups each have one of their own: every place that names one
        # says which kind it wants, and architects routinely call a NACL and an
        # SG both `db` (as LANGUAGE.md's own example does).
        self.objects: dict[str, Any] = {}
        self.scoped: dict[str, dict[str, Any]] = {k: {} for k in SCOPED_KINDS}
        self.peerings: dict[str, ast.Peering] = {}
        self.tgws: dict[str, ast.TransitGateway] = {}
        self.sites: dict[str, ast.Site] = {}
        self.vpns: dict[str, ast.Vpn] = {}
        self.dxgws: dict[str, ast.DxGateway] = {}
        self.dxs: dict[str, ast.DirectConnect] = {}
        self.advertisements: list[ast.Advertise] = []
        self.placements: dict[str, ast.PlacementGroup] = {}
        self.dns_zones: list[ast.DnsZone] = []
        self.cdns: dict[str, ast.Cdn] = {}
        self.expectations: list[ast.Expectation] = []
        self.syntax_ok = True
        # Per-VPC derived tables, filled by the resolver.
        self.main_table: dict[str, ast.RouteTable] = {}
        self.default_nacl: dict[str, ast.Nacl] = {}
        self.default_sg: dict[str, ast.SecurityGroup] = {}
        self.expectation_results: list[dict] = []

    # ------------------------------------------------------------------ queries

    @property
    def diagnostics(self) -> Diagnostics:
        """Every diagnostic, in source order; prints with source lines and carets."""
        return self._diagnostics

    @diagnostics.setter
    def diagnostics(self, value) -> None:
        self._diagnostics = value if isinstance(value, Diagnostics) else Diagnostics(value, self.sources)

    @property
    def errors(self) -> Diagnostics:
        return Diagnostics((d for d in self.diagnostics if d.severity == "error"), self.sources)

    @property
    def warnings(self) -> Diagnostics:
        return Diagnostics((d for d in self.diagnostics if d.severity == "warning"), self.sources)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    def get(self, name: str, *kinds: str):
        """The object called ``name`` if it is of one of ``kinds`` (any kind when none given)."""
        if not kinds:
            return self.objects.get(name)
        for kind in kinds:
            table = self.scoped.get(kind, self.objects)
            obj = table.get(name)
            if obj is not None and KIND_OF.get(type(obj)) in kinds:
                return obj
        return None

    def names_of(self, *kinds: str) -> list[str]:
        """Every name of the given kinds (for "did you mean")."""
        out = []
        for kind in kinds:
            table = self.scoped.get(kind, self.objects)
            out.extend(n for n, o in table.items() if KIND_OF.get(type(o)) == kind)
        return sorted(set(out))

    def members(self, cls) -> Iterator:
        """Every object of class ``cls`` in every VPC, in source order."""
        for vpc in self.vpcs.values():
            for m in vpc.members:
                if isinstance(m, cls):
                    yield m

    @cached_property
    def subnets(self) -> dict[str, ast.Subnet]:
        return {s.name: s for s in self.members(ast.Subnet)}

    @cached_property
    def instances(self) -> dict[str, ast.Instance]:
        return {i.name: i for i in self.members(ast.Instance)}

    @cached_property
    def route_table_of(self) -> dict[str, ast.RouteTable]:
        """Subnet name -> the route table it uses (explicit association, else main)."""
        table: dict[str, ast.RouteTable] = {}
        for rt in self.members(ast.RouteTable):
            for ref in rt.subnets:
                table.setdefault(ref.name, rt)
        for s in self.subnets.values():
            if s.name not in table and s.vpc in self.main_table:
                table[s.name] = self.main_table[s.vpc]
        return table

    @cached_property
    def nacl_of(self) -> dict[str, ast.Nacl]:
        """Subnet name -> its network ACL (explicit, else the VPC's default NACL)."""
        table: dict[str, ast.Nacl] = {}
        for nacl in self.members(ast.Nacl):
            for ref in nacl.subnets:
                table.setdefault(ref.name, nacl)
        for s in self.subnets.values():
            if s.name not in table and s.vpc in self.default_nacl:
                table[s.name] = self.default_nacl[s.vpc]
        return table

    @cached_property
    def graph(self):
        """The model as a networkx MultiDiGraph (schema in `vpcdsl.model.graph`)."""
        from .graph import build_graph
        return build_graph(self)

    @cached_property
    def dataplane(self):
        """Route lookups, addresses and filters, derived once (`vpcdsl.flows.dataplane`)."""
        from ..flows.dataplane import DataPlane
        return DataPlane(self)

    def trace(self, src: str, dst: str, protocol: str, port=None, *, client=None):
        """Trace one concrete flow: ``model.trace("web-1", "db-1", "tcp", 5432)``.

        ``protocol`` may carry the port (``"tcp/5432"``, ``"icmp/echo-request"``).
        Returns a `vpcdsl.flows.trace.Trace`; raises `vpcdsl.flows.trace.FlowError` for an
        unknown end or an incomplete flow. A DNS name as ``dst`` (``"www.example.com"``) is
        resolved as Route 53 answers ``src`` (or ``client``, a `resolve` client) and traced
        to each answer: a `vpcdsl.analysis.named_ends.NamedTrace`.
        """
        from ..analysis.named_ends import is_name
        if is_name(dst) or is_name(src):
            from ..analysis.named_ends import named_trace
            return named_trace(self, src, dst, protocol, port, client=client)
        from ..flows.trace import trace
        return trace(self, src, dst, protocol, port)

    def reach(self, src: str | None, dst: str | None = None, packets=None, *, client=None):
        """Every request from ``src`` and its verdict per destination, for all packets at once
        (``src`` None: who can reach ``dst``); ``packets`` (a `vpcdsl.packetsets.PacketSet` or
        text such as ``"tcp/443"``) narrows the question. Returns a `vpcdsl.analysis.reach.Reach`;
        raises `vpcdsl.flows.trace.FlowError` for an unknown end. A DNS name as ``dst`` is
        resolved for ``src`` (or ``client``) and asked about per answer: a
        `vpcdsl.analysis.named_ends.NamedReach`."""
        from ..analysis.named_ends import is_name
        if is_name(dst) or is_name(src):
            from ..analysis.named_ends import named_reach
            return named_reach(self, src, dst, packets, client=client)
        from ..analysis.reach import reach
        return reach(self, src, dst, packets)

    def exposure(self, sources=None):
        """What the internet and each site (or only ``sources``) can reach: every instance,
        load balancer, interface endpoint and subnet, ranked by risk, exact. Returns a
        `vpcdsl.analysis.exposure.Exposure`; raises `vpcdsl.flows.trace.FlowError` for an
        unknown source."""
        from ..analysis.exposure import exposure
        return exposure(self, sources)

    def matrix(self, level: str = "subnet"):
        """What reaches between every pair of ``level`` ends (``subnet``, ``instance`` or ``vpc``),
        for every packet at once. Returns a `vpcdsl.analysis.matrix.Matrix`; raises
        `vpcdsl.flows.trace.FlowError` for an unknown level."""
        from ..analysis.matrix import matrix
        return matrix(self, level)

    def diagram(self, **options):
        """A Graphviz drawing (`graphviz.Digraph`); options as `vpcdsl.views.render.diagram`."""
        from ..views.render import diagram
        return diagram(self, **options)

    def resolve(self, fqdn: str, rtype: str = "A", client=None):
        """What Route 53 answers for ``fqdn`` (``client``: a region, country, ``continent EU``,
        ``state US-CA``, ``coords LAT LON`` or an address); see `vpcdsl.analysis.route53`."""
        from ..analysis.route53 import resolve
        return resolve(self, fqdn, rtype, client)

    def plan(self, vpc: str | None = None, *, hosts: int | None = None, size=None):
        """Address-space plan of every VPC (or of ``vpc``): blocks, free space as minimal CIDRs,
        utilisation; with ``hosts=N`` or ``size="/24"``, where a new subnet fits in each AZ.
        Returns a `vpcdsl.analysis.plan.Plan`; raises `vpcdsl.analysis.plan.PlanError`."""
        from ..analysis.plan import plan
        return plan(self, vpc, hosts=hosts, size=size)

    def export(self, path, **options):
        """Draw the model into ``path`` (``.svg``, ``.png``, ``.pdf`` or ``.dot``), atomically.

        Options as `vpcdsl.views.render.diagram`, plus ``format``; returns the path
        written. See `vpcdsl.views.export.export` for the errors it raises.
        """
        from ..views.export import export
        return export(self, path, **options)

    def summary(self) -> str:
        """A few lines a person reads first: what the model holds and whether it checks."""
        from ..views.report import summary
        return summary(self)

    def to_dict(self) -> dict:
        """The resolved model as plain JSON-ready data (sorted, deterministic)."""
        return {
            "version": 1,
            "path": self.path,
            "vpcs": [to_data(v) for v in self.vpcs.values()],
            "peerings": [to_data(p) for p in self.peerings.values()],
            "tgws": [to_data(t) for t in self.tgws.values()],
            "sites": [to_data(s) for s in self.sites.values()],
            "vpns": [to_data(v) for v in self.vpns.values()],
            "dxgws": [to_data(d) for d in self.dxgws.values()],
            "dxs": [to_data(d) for d in self.dxs.values()],
            "advertisements": [to_data(a) for a in self.advertisements],
            "placements": [to_data(p) for p in self.placements.values()],
            "dns_zones": [to_data(z) for z in self.dns_zones],
            "cdns": [to_data(c) for c in self.cdns.values()],
            "expectations": [to_data(e) for e in self.expectations],
        }

    def __repr__(self) -> str:
        return (f"<Model {self.path!r}: {len(self.vpcs)} VPCs, {len(self.subnets)} subnets, "
                f"{len(self.errors)} errors, {len(self.warnings)} warnings>")

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(self.summary())

    def _repr_html_(self) -> str:  # Jupyter: summary tables, diagnostics, the drawing
        from ..views.notebook.rich import model_repr_html
        return model_repr_html(self)


def to_data(value) -> Any:
    """Plain data for JSON: dataclasses become dicts tagged with their type."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (IPv4Network, IPv6Network, IPv4Address, IPv6Address)):
        return str(value)
    if isinstance(value, Span):
        return f"{value.line}:{value.col}-{value.end_line}:{value.end_col}"
    if isinstance(value, ast.Ref):
        return value.name
    if isinstance(value, ast.Cidr):
        return str(value.net) if value.net is not None else value.text
    if isinstance(value, ast.Addr):
        return str(value.ip) if value.ip is not None else value.text
    if isinstance(value, ast.PortRange):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if dataclasses.is_dataclass(value):
        out = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            if f.name == "text" and isinstance(value, ast.File):
                continue
            out[f.name] = to_data(getattr(value, f.name))
        return out
    raise TypeError(f"cannot serialise {type(value).__name__}")

