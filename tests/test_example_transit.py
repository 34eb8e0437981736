"""examples/transit-vpc.vpc versus examples/transit-gateway.vpc: the same sites and VPCs
joined by a transit VPC of VPN appliances and by a transit gateway.

What each design reaches, which way each flow goes (the language's `expect` says allowed
or blocked and by what kind, not by which component, so the paths are checked here), and
what breaks when an appliance is marked `down`.

AWS: a TGW routes between all its attachments by its route table (Transit Gateway guide,
"How transit gateways work",
https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html); a VPC peering
is not transitive and carries no traffic from beyond its two VPCs ("VPC peering basics",
https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-basics.html); a route to an
appliance's network interface stays when the appliance fails ("Routing for a middlebox
appliance", https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.diff import diff
from vpcdsl.analysis.matrix import matrix
from vpcdsl.analysis.reach import reach
from vpcdsl.views.cli import main

from tracing import hops

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
TVPC = (EXAMPLES / "transit-vpc.vpc").read_text(encoding="utf-8")
TGW = (EXAMPLES / "transit-gateway.vpc").read_text(encoding="utf-8")


def _load(text: str, name: str, expectations: bool = True) -> vpcdsl.Model:
    """Compile an example (without its `expect` lines, which a `down` copy breaks)."""
    if not expectations:
        text = "".join(ln for ln in text.splitlines(keepends=True) if not ln.startswith("expect "))
    m = vpcdsl.loads(text, filename=name, strict=False)
    assert not m.errors, [d.message for d in m.errors]
    return m


def _down(text: str, name: str) -> str:
    lines = text.splitlines(keepends=True)
    (i,) = [i for i, ln in enumerate(lines) if ln.lstrip().startswith(f"instance {name} ")]
    lines[i] = lines[i].rstrip("\n") + " down\n"
    return "".join(lines)


def _line(text: str, needle: str) -> int:
    (n,) = [i for i, ln in enumerate(text.splitlines(), 1) if ln.lstrip().startswith(needle)]
    return n


@pytest.fixture(scope="module")
def tvpc():
    return _load(TVPC, "transit-vpc.vpc")


@pytest.fixture(scope="module")
def tgw():
    return _load(TGW, "transit-gateway.vpc")


def _components(t) -> set[str]:
    return {c for c, _ in hops(t)} | {c for c, _ in hops(t, back=True)}


# ---------------------------------------------------------------------------- the same network

def test_both_designs_hold_the_same_sites_spokes_and_hosts(tvpc, tgw):
    assert {n: [str(c.net) for c in s.cidrs] for n, s in tvpc.sites.items()} == \
        {n: [str(c.net) for c in s.cidrs] for n, s in tgw.sites.items()}
    for vpc in ("spoke-a", "spoke-b"):
        assert [str(c.net) for c in tvpc.vpcs[vpc].cidrs] == [str(c.net) for c in tgw.vpcs[vpc].cidrs]
    assert str(tvpc.vpcs["transit"].cidrs[0].net) == str(tgw.vpcs["shared"].cidrs[0].net)
    t1, t2 = vpcdsl.flows.trace.Tracer(tvpc), vpcdsl.flows.trace.Tracer(tgw)
    for host in ("dir-1", "a-web-1", "b-api-1"):
        assert t1.end(host).address == t2.end(host).address, host


FLOWS = [  # (src, dst, port): transit VPC verdict, TGW verdict
    ("a-web-1", "dir-1", 389, "allowed", "allowed"),
    ("dc", "dir-1", 389, "allowed", "allowed"),
    ("branch", "dir-1", 389, "allowed", "allowed"),
    ("dir-1", "dc", 22, "allowed", "allowed"),
    ("a-web-1", "b-api-1", 8443, "blocked by peering", "allowed"),
    ("b-api-1", "dc", 22, "blocked by peering", "allowed"),
    ("dc", "b-api-1", 8443, "blocked by route", "allowed"),
    ("dc", "branch", 22, "allowed", "allowed"),
    ("branch", "dc", 443, "allowed", "allowed"),
]


@pytest.mark.parametrize("src,dst,port,in_tvpc,in_tgw", FLOWS)
def test_what_each_design_reaches(tvpc, tgw, src, dst, port, in_tvpc, in_tgw):
    for m, want in ((tvpc, in_tvpc), (tgw, in_tgw)):
        t = m.trace(src, dst, "tcp", port)
        got = t.verdict + (f" by {t.kind}" if t.kind else "")
        assert got == want, t.table()


def test_through_the_tgw_every_flow_between_attachments_crosses_it_both_ways(tgw):
    for src, dst, port in (("a-web-1", "b-api-1", 8443), ("dc", "b-api-1", 8443),
                           ("b-api-1", "dc", 22), ("branch", "dc", 22), ("a-web-1", "dir-1", 389)):
        t = tgw.trace(src, dst, "tcp", port)
        assert t.allowed, t.table()
        assert "tgw:core" in {c for c, _ in hops(t)} and "tgw:core" in {c for c, _ in hops(t, back=True)}
        assert not any(c.startswith("instance:csr") for c in _components(t))


def test_in_the_transit_vpc_the_sites_go_by_the_active_appliance_csr_1(tvpc):
    t = tvpc.trace("dc", "dir-1", "tcp", 389)
    assert [c for c, _ in hops(t)][:3] == ["site:dc", "vpn:dc-vpn-1", "instance:csr-1"]
    assert "instance:csr-1" in {c for c, _ in hops(t, back=True)}
    t = tvpc.trace("branch", "dir-1", "tcp", 389)
    assert "instance:csr-1" in _components(t) and "instance:csr-2" not in _components(t)
    t = tvpc.trace("dir-1", "dc", "tcp", 22)      # out by the route to csr-1's interface
    assert ("route-table:svc", "forward") in hops(t) and hops(t)[-2:] == [
        ("vpn:dc-vpn-1", "forward"), ("site:dc", "deliver")]


def test_site_to_site_passes_tunnel_to_tunnel_in_one_appliance_both_ways(tvpc):
    t = tvpc.trace("dc", "branch", "tcp", 22)
    assert hops(t) == [("site:dc", "forward"), ("vpn:dc-vpn-1", "forward"),
                       ("instance:csr-1", "forward"), ("instance:csr-1", "forward"),
                       ("instance:csr-1", "forward"), ("vpn:branch-vpn-1", "forward"),
                       ("site:branch", "deliver")]
    assert t.forward[4].detail == ("csr-1 passes it from BGP VPN 'dc-vpn-1' into BGP VPN "
                                   "'branch-vpn-1' (192.168.0.0/16)")
    assert hops(t, back=True) == [("vpn:branch-vpn-1", "forward"), ("instance:csr-1", "forward"),
                                  ("vpn:dc-vpn-1", "forward"), ("site:dc", "deliver")]
    # no route table, NACL or group of the VPC meets it: the VPC carries only the tunnels
    assert not any(c.split(":")[0] in ("route-table", "nacl", "sg") for c in _components(t))
    t = tvpc.trace("a-web-1", "dir-1", "tcp", 389)
    assert "peering:transit-a" in _components(t)


def test_the_peering_says_why_the_transit_vpc_does_not_carry_spoke_traffic(tvpc):
    t = tvpc.trace("a-web-1", "b-api-1", "tcp", 8443)
    assert t.component == "peering:transit-a"
    assert "not transitive" in t.reason and "not an address of VPC 'transit'" in t.reason


# ---------------------------------------------------------------------------- an appliance down

def test_with_csr_1_down_the_sites_fail_over_to_csr_2_but_the_vpc_routes_do_not(tvpc):
    text = _down(TVPC, "csr-1")
    m = _load(text, "transit-vpc.vpc", False)
    reason = f"instance csr-1 is down (line {_line(text, 'instance csr-1')})"
    # site to site: BGP to csr-1 is down, so both sites use their tunnels to csr-2
    t = m.trace("dc", "branch", "tcp", 22)
    assert t.allowed and [c for c, _ in hops(t)][:3] == ["site:dc", "vpn:dc-vpn-2", "instance:csr-2"]
    assert "instance:csr-1" not in _components(t), t.table()
    # the VPC to a site: its route still names csr-1
    t = m.trace("dir-1", "dc", "tcp", 22)
    assert (t.verdict, t.kind, t.component, t.reason) == \
        ("blocked", "gateway", "instance:csr-1", reason), t.table()
    # a site into the VPC arrives by csr-2, and the answer is routed back to csr-1
    t = m.trace("dc", "dir-1", "tcp", 389)
    assert (t.verdict, t.kind, t.component) == ("blocked", "route", "route-table:svc"), t.table()
    assert t.forward[1].detail == (f"BGP VPN 'dc-vpn-1' ({reason}) is down: site 'dc' sends it "
                                   "over BGP VPN 'dc-vpn-2'")
    assert t.reason == ("no return route: 'svc' has route 172.16.0.0/16 -> csr-1 for 172.16.0.10, "
                        "not 'csr-2', the end of the software VPN")
    assert m.trace("a-web-1", "dir-1", "tcp", 389).allowed
    # the design with a TGW has no instance to lose: the same flows stay allowed
    tgw = _load(TGW, "transit-gateway.vpc")
    assert all(tgw.trace(s, d, "tcp", p).allowed for s, d, p in (("dc", "dir-1", 389), ("dir-1", "dc", 22)))


def test_with_the_standby_csr_2_down_nothing_breaks():
    m = _load(_down(TVPC, "csr-2"), "transit-vpc.vpc", False)
    for src, dst, port in (("dc", "branch", 22), ("dc", "dir-1", 389), ("dir-1", "branch", 22)):
        t = m.trace(src, dst, "tcp", port)
        assert t.allowed and "instance:csr-2" not in _components(t), t.table()


def test_with_both_appliances_down_the_sites_have_no_way_left():
    m = _load(_down(_down(TVPC, "csr-1"), "csr-2"), "transit-vpc.vpc", False)
    t = m.trace("dc", "branch", "tcp", 22)
    assert (t.verdict, t.kind, t.component) == ("blocked", "route", "site:dc")
    assert "instance csr-2 is down" in t.reason
    t = m.trace("branch", "dir-1", "tcp", 389)
    assert (t.verdict, t.kind) == ("blocked", "route") and "and it has no other" in t.reason


def test_the_examples_expectations_fail_once_the_appliance_is_down(tmp_path, capsys):
    path = tmp_path / "transit-vpc.vpc"
    path.write_text(_down(TVPC, "csr-1"), encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    failed = [ln for ln in out.splitlines() if "expect failed" in ln or "error[E901]" in ln]
    assert any("dc -> dir-1" in ln for ln in out.splitlines() if "failed" in ln), out
    assert "instance csr-1 is down" in out and failed


def test_reach_matrix_and_diff_agree_with_traces_on_the_down_appliance():
    from test_matrix import _oracle
    up, down = _load(TVPC, "transit-vpc.vpc", False), _load(_down(TVPC, "csr-1"), "transit-vpc.vpc", False)
    mx = matrix(down, "instance")
    assert _oracle(down, mx) == []
    assert mx.cell("csr-1", "dir-1") is None or not mx.cell("csr-1", "dir-1").allowed
    rows = reach(down, "dc", "dir-1").rows
    assert rows and all(r.status == "blocked" and r.via == "vpn:dc-vpn-2" for r in rows)
    rows = reach(down, "dir-1", "dc").rows
    assert rows and all(r.status == "blocked" and "csr-1 is down" in r.witness.reason for r in rows)
    assert any(r.status == "allowed" for r in reach(up, "dc", "dir-1").rows)
    d = diff(up, down)
    closed = {(f.src, f.dst) for f in d.flows if f.change == "closed"}
    assert {("dc", "dir-1"), ("dir-1", "dc"), ("branch", "dir-1")} <= closed
    assert ("dc", "branch") not in closed and ("branch", "dc") not in closed


def test_both_examples_check_clean(capsys):
    for name in ("transit-vpc.vpc", "transit-gateway.vpc"):
        assert main(["check", str(EXAMPLES / name)]) == 0
        assert f"{name}: ok: 0 errors, 0 warnings" in capsys.readouterr().out


def test_the_comments_say_what_the_language_cannot_write():
    head = textwrap.dedent("".join(TVPC.splitlines(keepends=True)[:40]))
    assert "cannot write a VPN between a VPC's VGW and an" in head
    assert "1.25 Gbps" in TVPC and "100 Gbps" in TGW
