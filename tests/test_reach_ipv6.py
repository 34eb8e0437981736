"""`reach` over IPv6 (issue 11, part 2): the same semantics as `trace` for both address
families, hand-computed answers on small dual-stack models, NAT64 as the IPv4 internet
behind 64:ff9b::/96, expectations that hold over both families, and the agreement of
`reach` with `trace` on random concrete IPv6 flows over the dual-stack example and over
generated dual-stack models.

AWS rules (docs/SEMANTICS.md):
- An internet gateway forwards IPv6 untranslated: every IPv6 address is public, so an
  instance with one is reachable from the internet where its route table, NACL and security
  group allow it (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
- An egress-only internet gateway lets IPv6 out and its responses back, and no connection
  from the internet in (https://docs.aws.amazon.com/vpc/latest/userguide/egress-only-internet-gateway.html).
- A NAT gateway translates IPv6 sent to 64:ff9b::/96 into the IPv4 address it embeds
  (NAT64, https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-nat64-dns64.html).
- A NACL's 0.0.0.0/0 never matches IPv6: each family needs its own rules
  (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
"""

from __future__ import annotations

import random
from ipaddress import IPv6Address, ip_address, ip_network
from pathlib import Path

import vpcdsl
from vpcdsl.analysis.reach import SERVICES, flow_ends, in_family
from vpcdsl.flows.flow import FlowError, NotSimulated
from vpcdsl.flows.trace import Tracer
from vpcdsl.packetsets import Packet, PacketSet

from random_filters import random_filters
from tracing import model

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "dual-stack.vpc"

OPEN_SSH = """
region us-east-1
vpc app {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:aa00::/56
  subnet pub 10.0.1.0/24 az a ipv6 2600:1f18:aa00:1::/64
  subnet old 10.0.2.0/24 az a
  igw gw
  route-table rt for pub, old {
    0.0.0.0/0 -> gw
    ::/0 -> gw
  }
  sg web { in tcp 22 from ::/0 }
  instance w in pub sg web
  instance v4only in old sg web
}
"""

V6 = PacketSet.box(family=1)
NAT64 = ip_network("64:ff9b::/96")


def test_ssh_open_to_the_ipv6_internet_is_reached_though_ipv4_is_not():
    """w has no public IPv4 address, so over IPv4 the internet reaches nothing; over IPv6
    its address is public and its SG admits SSH from ::/0: forward through the IGW, the
    response back through it (the default NACL allows both ways)."""
    m = model(OPEN_SSH)
    r = m.reach(None, "w")
    (row,) = r.reachable()
    assert (row.src, row.status, row.family, row.service, row.via) == ("internet", "allowed", 6, "tcp 22", "igw:gw")
    assert row.packets <= V6 and not (row.packets & PacketSet.box(family=0))
    assert row.words == "tcp 22 (IPv6)"
    assert [h.component for h in row.witness.back][-2:] == ["route-table:rt", "internet"]
    assert "(IPv6)" in r.table()
    assert [x["family"] for x in r.to_dict()["rows"] if x["status"] == "allowed"] == ["ipv6"]


def test_an_end_without_an_ipv6_address_has_no_ipv6_rows():
    m = model(OPEN_SSH)
    assert all(row.family == 4 for row in m.reach("v4only").rows)
    assert not m.reach(None, "v4only").reachable()
    tracer = Tracer(m)
    assert in_family(tracer, "w", 6) and not in_family(tracer, "v4only", 6)
    assert in_family(tracer, "internet", 6) and not in_family(tracer, "10.0.0.0/16", 6)


def test_the_internet_holds_no_vpc_address():
    """The VPC's IPv6 block is public space but the VPC's: no internet row comes from it."""
    m = model(OPEN_SSH)
    (row,) = m.reach(None, "w").reachable()
    inside = PacketSet.box(src="2600:1f18:aa00::/56")
    assert not (row.packets & inside)
    assert row.packets & PacketSet.box(src="2a00:1450::/32")


def test_egress_only_gateway_and_nat64_from_the_example():
    """app-1 goes out over IPv6 through the egress-only gateway, except to 64:ff9b::/96,
    which its route sends to the NAT gateway (NAT64: the IPv4 internet); nothing from the
    internet gets in over either family."""
    m = vpcdsl.load(EXAMPLE)
    rows = [r for r in m.reach("app-1", "internet").reachable() if r.family == 6]
    by_via = {r.via: r for r in rows}
    assert set(by_via) == {"eigw:web-eigw", "nat:nat-a"}
    nat64 = PacketSet.box(dst="64:ff9b::/96")
    assert by_via["nat:nat-a"].packets <= nat64 and by_via["nat:nat-a"].where == "to 64:ff9b::/96"
    assert not (by_via["eigw:web-eigw"].packets & nat64)
    assert by_via["eigw:web-eigw"].where == "to 2000::/3"     # the IPv6 internet: global unicast
    assert not m.reach("internet", "app-1").reachable()
    assert not [r for r in m.expectation_results if r["status"] != "passed"]


def test_a_concrete_expectation_between_dual_stack_ends_holds_over_both_families():
    text = OPEN_SSH.replace("sg web { in tcp 22 from ::/0 }", """sg web {
    in tcp 22 from ::/0
    in tcp 22 from 10.0.0.0/16
  }""").replace("instance v4only in old sg web", """instance w2 in pub sg web
  sg v4ssh { in tcp 22 from 10.0.0.0/16 }
  instance w3 in pub sg v4ssh""") + """
expect w -> w3 tcp 22 allowed
expect w2 -> w tcp 22 allowed
"""
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    failed = [d for d in m.diagnostics if d.code == "E901"]
    assert len(failed) == 1 and "w -> w3" in failed[0].message
    assert "blocked by sg for tcp 22 IPv6" in failed[0].message
    assert "2600:1f18:aa00:1::" in failed[0].hint           # the witness is an IPv6 flow


def test_an_ipv6_cidr_end_is_answered_exactly():
    text = OPEN_SSH + """
expect 2001:db8::/32 -> w tcp 22 allowed
expect 2001:db8::/32 -> w tcp 23 blocked by sg
expect w -> 2001:db8::/32 tcp 443 allowed
"""
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    assert [r["status"] for r in m.expectation_results] == ["passed"] * 3
    assert not [d for d in m.diagnostics if d.code in ("W900", "E901", "E903")]


# ---------------------------------------------------------------------------- reach == trace

_PUBLIC_V6 = ["2001:db8::10", "2a00:1450:4001:81c::200e", "2600:9000:2000::1", "2c0f:fb50:4002::1",
              "64:ff9b::c633:6401", "64:ff9b::808:808", "64:ff9b::a1e:14"]


def _random_v6_address(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(_PUBLIC_V6)
    return str(IPv6Address(rng.randrange(0x2000 << 112, 0x4000 << 112)))


def _random_flow(rng: random.Random, cuts: list[int]):
    kind = rng.random()
    if kind < 0.7:
        proto = rng.choice(["tcp", "udp"])
        port = max(0, min(65535, rng.choice(cuts) + rng.choice([-1, 0, 1]))) if rng.random() < 0.7 \
            else rng.randrange(65536)
        return proto, port
    if kind < 0.9:
        return "icmpv6", rng.choice([128, 129, 1, 2, 3, 135, rng.randrange(256)])
    return str(rng.choice([47, 50, 132])), None


def _packet(src, dst, proto: str, port) -> Packet:
    number = {"tcp": 6, "udp": 17, "icmpv6": 58}.get(proto)
    if number in (6, 17):
        return Packet(src, dst, number, 33000, port)
    if number == 58:
        return Packet(src, dst, 58, icmp_type=port)
    return Packet(src, dst, int(proto))


def _agree(m, sources: list[str], flows_per_source: int, seed: int) -> int:
    """Trace random concrete IPv6 flows from each source and compare with `reach`."""
    rng = random.Random(seed)
    tracer = Tracer(m)
    cuts = [0, 22, 80, 443, 1024, 8080, 32768, 40000, 50000, 60999, 65535]
    ends = [e for e in flow_ends(m) if e not in SERVICES and in_family(tracer, e, 6)]
    checked = 0
    for src in sources:
        answer = m.reach(src)
        for _ in range(flows_per_source):
            dst = rng.choice(ends)
            if dst == src:
                continue
            proto, port = _random_flow(rng, cuts)
            texts = []
            for end in (src, dst):
                if end == "internet":
                    text = _random_v6_address(rng)
                    if tracer.address_end(text, ip_address(text)).kind != "internet":
                        break                      # a VPC's or a site's address
                    embedded = ip_address(int(ip_address(text)) & 0xFFFFFFFF)
                    if ip_address(text) in NAT64 and tracer.address_end(str(embedded), embedded).kind != "internet":
                        break                      # NAT64 to a private IPv4 address: no internet host
                    if ip_address(text) in NAT64 and end == src:
                        break                      # 64:ff9b::/96 is the IPv4 internet as a destination only
                    texts.append((text, ip_address(text)))
                else:
                    texts.append((end, tracer.end(end, family=6).address))
            if len(texts) < 2:
                continue
            (src_text, src_address), (dst_text, dst_address) = texts
            try:
                t = tracer.trace(src_text, dst_text, proto, port, family=6)
            except (FlowError, NotSimulated):
                continue
            expected = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
            got = answer.status_of(_packet(src_address, dst_address, proto, port), dst=dst)
            if got is None and expected == "blocked":
                continue          # 64:ff9b:: with a private IPv4 inside: no internet address
            assert got == expected, (f"{src_text} -> {dst_text} {proto} {port}: trace says {expected}, "
                                     f"reach says {got}\n{t.table()}")
            checked += 1
    return checked


def test_reach_agrees_with_trace_on_random_ipv6_flows_of_the_example():
    m = vpcdsl.load(EXAMPLE)
    assert _agree(m, ["internet", "app-1", "proxy-1"], 540, seed=6) >= 900


def _generated(rng: random.Random) -> str:
    cidrs = ["2600:1f18:aa00:1::/64", "2600:1f18:aa00:2::/64", "2600:1f18:aa00::/56", "::/0",
             "2001:db8::/32", "2a00:1450::/32", "64:ff9b::/96", "10.0.0.0/16", "0.0.0.0/0"]
    lines = ["region eu-west-1", "vpc a {", "  cidr 10.0.0.0/16", "  ipv6 2600:1f18:aa00::/56",
             "  igw igw", "  eigw out",
             "  subnet s1 10.0.1.0/24 az a ipv6 2600:1f18:aa00:1::/64",
             "  subnet s2 10.0.2.0/24 az a ipv6 2600:1f18:aa00:2::/64",
             "  subnet sub3 10.0.3.0/24 az b ipv6 2600:1f18:aa00:3::/64",
             "  nat nat in s1",
             "  route-table pub for s1, sub3 { 0.0.0.0/0 -> igw; ::/0 -> igw }",
             f"  route-table priv for s2 {{ 0.0.0.0/0 -> nat; ::/0 -> {rng.choice(['out', 'igw'])}"
             + ("; 64:ff9b::/96 -> nat" if rng.random() < 0.6 else "") + " }"]
    lines += random_filters(rng, cidrs, "icmpv6")
    lines += ["  instance x in s1 sg g1", "  instance y in s2 sg g2", "  instance z in sub3 sg g3", "}"]
    return "\n".join(lines) + "\n"


def test_reach_agrees_with_trace_on_generated_dual_stack_models():
    rng = random.Random(6)
    checked = 0
    for i in range(14):
        text = _generated(rng)
        m = vpcdsl.loads(text, filename=f"gen6-{i}.vpc", strict=False)
        assert not m.errors, (text, [str(d) for d in m.errors])
        checked += _agree(m, ["internet", rng.choice(["x", "y", "z"])], 60, seed=i)
    assert checked >= 1000


def test_a_wide_ipv6_block_is_answered_with_no_bound():
    """An IPv6 block cut into many pieces (eight SG blocks, five subnets) used to be W900 past
    64 traced pairs; the reach engine answers it exactly."""
    subnets = "".join(f"  subnet app-{c} 10.0.{i}.0/24 az a ipv6 2600:1f18:6c0:d90{i}::/64\n"
                      for i, c in enumerate("abcde", 1))
    rules = "; ".join(f"out tcp 443 to 2001:db8:{h}000::/36" for h in "02468ace")
    text = f"""vpc prod {{
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
{subnets}  sg web {{ {rules} }}
  instance web-1 in app-a sg web
  instance web-2 in app-b sg web
}}
expect 2600:1f18:6c0:d900::/56 -> 2001:db8::/32 tcp 443 blocked
expect web-1 -> 2001:db8::/32 tcp 443 blocked
"""
    m = vpcdsl.loads(text, filename="wide.vpc", strict=False)
    assert not [d for d in m.diagnostics if d.code in ("W900", "E901", "E903")]
    assert [r["status"] for r in m.expectation_results] == ["passed", "passed"]


def test_a_flow_the_walk_cannot_simulate_is_w900(monkeypatch):
    """W900 is the safety net for a component with no hop handler (none since issue 11: the
    checks reject such ends and route targets). Made here on purpose: the expectation is
    reported not evaluated, with a hint, and no traceback."""
    from vpcdsl.flows import hops
    from vpcdsl.syntax import ast
    monkeypatch.delitem(hops.HANDLERS, ast.InternetGateway)
    m = vpcdsl.loads(OPEN_SSH + "expect w -> internet tcp 443 allowed\n", filename="t.vpc", strict=False)
    (d,) = [d for d in m.diagnostics if d.code == "W900"]
    assert d.message == "expectation not evaluated yet" and "not simulated" in d.hint
    assert [r["status"] for r in m.expectation_results] == ["not-evaluated"]


def test_exposure_asks_the_ipv6_internet():
    """The exposure finding for SSH open to ::/0 (AWS Network Access Analyzer's internet
    accessibility, over IPv6): ranked admin, through the internet gateway, with its witness."""
    m = model(OPEN_SSH)
    e = m.exposure()
    (f,) = e.of(dst="w")
    assert (f.rank, f.family, f.via, f.status, f.service) == ("admin", 6, "igw:gw", "allowed", "tcp 22")
    assert f.words == "tcp 22 [SSH] (IPv6)" and f.to_dict()["family"] == "ipv6"
    assert f.witness.allowed and ":" in f.witness.flow
    assert not e.of(dst="v4only")
