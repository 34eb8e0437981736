"""Text a person reads: the model summary and the check report."""

from __future__ import annotations

from ..cidrs import usable_hosts
from ..syntax import ast


def summary(model) -> str:
    """What the model holds, VPC by VPC, and whether it checks.

    Subnets are listed with CIDR, AZ, usable hosts and route table; the last
    line counts errors and warnings.
    """
    lines = []
    for vpc in model.vpcs.values():
        blocks = ", ".join(c.text if c.net is None else str(c.net) for c in vpc.cidrs + vpc.ipv6)
        lines.append(f"vpc {vpc.name} ({vpc.region_name}) {blocks}")
        for s in vpc.of_type(ast.Subnet):
            cidr = "?" if s.cidr is None or s.cidr.net is None else str(s.cidr.net)
            hosts = "" if s.cidr is None or s.cidr.net is None else f"{usable_hosts(s.cidr.net)} hosts"
            rt = model.route_table_of.get(s.name)
            extra = " (allocated)" if s.allocated else ""
            lines.append(f"  subnet {s.name:<12} {cidr:<18} {s.zone or '?':<12} {hosts:<12} "
                         f"route-table {rt.name if rt else '?'}{extra}".rstrip())
        counts = {}
        for m in vpc.members:
            if isinstance(m, ast.Subnet) or getattr(m, "implicit", False) or getattr(m, "default", False):
                continue
            key = type(m).__name__
            counts[key] = counts.get(key, 0) + 1
        if counts:
            lines.append("  " + ", ".join(f"{n} {_plural(k, n)}" for k, n in counts.items()))
    others = [("peering", model.peerings), ("transit gateway", model.tgws), ("site", model.sites),
              ("VPN", model.vpns), ("Direct Connect gateway", model.dxgws),
              ("Direct Connect", model.dxs), ("placement group", model.placements),
              ("CloudFront distribution", model.cdns)]
    parts = [f"{len(items)} {word}{'s' if len(items) != 1 else ''}" for word, items in others if items]
    if model.dns_zones:
        parts.append(f"{len(model.dns_zones)} DNS zone{'s' if len(model.dns_zones) != 1 else ''}")
    if model.expectations:
        parts.append(f"{len(model.expectations)} expectation{'s' if len(model.expectations) != 1 else ''}")
    if parts:
        lines.append(", ".join(parts))
    lines.append(status_line(model))
    return "\n".join(lines)


_WORDS = {
    "InternetGateway": "internet gateway", "EgressOnlyInternetGateway": "egress-only internet gateway",
    "NatGateway": "NAT gateway", "NatInstance": "NAT instance", "VirtualPrivateGateway": "VGW",
    "RouteTable": "route table", "Nacl": "network ACL", "SecurityGroup": "security group",
    "Instance": "instance", "GatewayEndpoint": "gateway endpoint",
    "InterfaceEndpoint": "interface endpoint", "LoadBalancer": "load balancer",
}


def _plural(cls: str, n: int) -> str:
    word = _WORDS.get(cls, cls)
    return word if n == 1 else word + "s"


def status_line(model) -> str:
    e, w = len(model.errors), len(model.warnings)
    verdict = "ok" if e == 0 else "FAILED"
    return f"{verdict}: {e} error{'s' if e != 1 else ''}, {w} warning{'s' if w != 1 else ''}"
