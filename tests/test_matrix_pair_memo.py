"""`vpcdsl.analysis.matrix_pairs.PairKeys` memoizes a pair's key on what it reads of the two
ends (their classes and views of each other), not on the ends: VPCs built alike must still
get their own answers where they differ in a fact the key reads. Here four VPCs have the
same subnets, NACL shape and routes but: w lets IPv6 in by its internet gateway; x sends its
IPv6 routes to its egress-only gateway (a response to a request that came in by the IGW
dies); y has no internet gateway, its routes go to its egress-only one (nothing comes in over IPv6); z peers with w (the local
and peering paths, groups named across the peering) and one of its subnets' NACL cuts the
VPC block (one subnet's block denied). Every cell, both families, subnet and instance
level, is checked against one trace per packet class."""

from __future__ import annotations

import pytest

from vpcdsl.analysis.flowsets import packet_classes
from vpcdsl.analysis.matrix import matrix
from vpcdsl.flows.flow import FlowError, NotSimulated
from vpcdsl.flows.trace import Tracer

from tracing import model


def _vpc(name: str, k: int, *, igw: bool = True, v6_to: str = "igw", extra: str = "", acl: str = "", refer: str = "") -> str:
    gw = f"igw {name}-igw\n  " if igw else ""
    to = f"{name}-igw" if v6_to == "igw" else f"{name}-eigw"
    return f"""
vpc {name} {{
  cidr 10.{k}.0.0/16
  ipv6 2600:1f18:{k}:100::/56
  subnet {name}-a 10.{k}.1.0/24 az a ipv6 2600:1f18:{k}:101::/64
  subnet {name}-b 10.{k}.2.0/24 az a ipv6 2600:1f18:{k}:102::/64
  {gw}eigw {name}-eigw
  route-table {name}-rt for {name}-a, {name}-b {{
    ::/0 -> {to}
    {extra}
  }}
  nacl {name}-acl for {name}-b {{
    in 100 allow tcp 443 from ::/0
    {acl}
    in 200 allow tcp 1024-65535 from ::/0
    out 100 allow any to ::/0
    in 300 allow any from 0.0.0.0/0
    out 300 allow any to 0.0.0.0/0
  }}
  sg {name}-web {{ in tcp 443 from ::/0; {refer}out any to ::/0; out any to 0.0.0.0/0 }}
  instance {name}-1 in {name}-a sg {name}-web
  instance {name}-2 in {name}-b sg {name}-web
}}"""


TEXT = "region us-east-1\n" + _vpc("w", 1, refer="in tcp 8443 from z-web; ", extra="10.4.0.0/16 -> wz\n    2600:1f18:4:100::/56 -> wz") \
    + _vpc("x", 2, v6_to="eigw") + _vpc("y", 3, igw=False, v6_to="eigw") \
    + _vpc("z", 4, extra="10.1.0.0/16 -> wz\n    2600:1f18:1:100::/56 -> wz",
           acl="in 150 deny tcp 443 from 2600:1f18:4:101::/64",
           refer="in tcp 8443 from w-web; ") + "\npeer wz w -> z\n"


@pytest.fixture(scope="module")
def m():
    return model(TEXT)


@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_vpcs_built_alike_keep_their_own_answers(m, level):
    mx = matrix(m, level)
    tracer = Tracer(m)
    seen = set()
    for family in (4, 6):
        classes = packet_classes(m, None, family)
        base = 0 if family == 4 else mx.ipv6_from
        over = {} if family == 4 else {"family": 6}
        for s in mx.ends:
            for d in mx.ends:
                if s == d:
                    continue
                cell = mx.cell(s, d)
                for k, c in enumerate(classes):
                    try:
                        t = tracer.trace(s, d, c.protocol, c.probe or None, **over)
                    except (FlowError, NotSimulated):
                        continue
                    got = "blocked"
                    if cell is not None and cell.allowed >> (base + k) & 1:
                        got = "allowed"
                    elif cell is not None and cell.intermittent >> (base + k) & 1:
                        got = "intermittent"
                    want = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
                    assert got == want, (level, family, s, d, c.words, t.table())
                    if family == 6 and c.protocol == "tcp" and str(c.probe) == "443":
                        seen.add((s.split("-")[0][0], d.split("-")[0][0], want))
    # the VPCs alike differ where they should, over IPv6
    assert ("z", "w", "allowed") in seen or ("w", "z", "allowed") in seen
    assert all(w != "allowed" for s, d, w in seen if d == "y" and s != "y")
    assert all(w != "allowed" for s, d, w in seen if d == "x" and s not in ("x",))
    assert any(w == "allowed" for s, d, w in seen if d == "w" and s in ("x", "y"))
    assert mx.pair_classes < len(mx.ends) * (len(mx.ends) - 1) * 2
