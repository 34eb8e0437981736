"""The bundled examples: each compiles cleanly, checks with exit 0, and keeps its resolved model.

- every `examples/*.vpc` compiles with no error and `vpcdsl check` exits 0 on it;
- its resolved model (`Model.to_dict()`) is pinned in
  `tests/golden/examples/<name>.model.json` (regenerate after an intended
  change with `UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_examples.py`
  and review the diff);
- per example, the facts the example is there to teach (allocated CIDRs,
  implicit tables, attachments, policies) are asserted by hand;
- together the examples use every construct of the language.

Examples are compiled under their bare file name so the goldens do not depend
on where the repository lives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from ipaddress import ip_network
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.syntax import ast
from vpcdsl.views.cli import main
from vpcdsl.diagnostics import render_all

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.vpc"))
GOLDEN = Path(__file__).parent / "golden" / "examples"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _load(name: str) -> vpcdsl.Model:
    path = EXAMPLES_DIR / name
    return vpcdsl.loads(path.read_text(encoding="utf-8"), filename=path.name, strict=False)


@pytest.fixture(scope="module")
def models() -> dict[str, vpcdsl.Model]:
    return {p.name: _load(p.name) for p in EXAMPLES}


def _subnet_cidrs(model) -> dict[str, str]:
    return {name: str(s.cidr.net) for name, s in model.subnets.items()}


# ----------------------------------------------------------------------------
# Every example
# ----------------------------------------------------------------------------

def test_the_teaching_examples_are_there():
    names = {p.name for p in EXAMPLES}
    assert {"three-tier.vpc", "hub-and-spoke.vpc", "hybrid-office.vpc",
            "multi-region-peering.vpc", "dns-heavy.vpc", "dual-stack.vpc", "cloudhub.vpc",
            "transit-vpc.vpc", "transit-gateway.vpc", "global-dns.vpc"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_expectation_of_an_example_is_evaluated_and_passes(path: Path):
    """`expect` lines are the examples' promises: none is left unevaluated (W900)."""
    from vpcdsl.analysis.expectations import evaluate
    model = _load(path.name)
    results = evaluate(model)
    assert results and {r["status"] for r in results} == {"passed"}, [
        (r["line"], r["status"], r["detail"]) for r in results if r["status"] != "passed"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_compiles_without_errors(path: Path):
    model = _load(path.name)
    assert model.syntax_ok
    assert not model.errors, render_all(model.errors, model.sources)
    # strict loading (the default) must not raise either
    vpcdsl.load(path)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_vpcdsl_check_exits_0(path: Path, capsys):
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: ok: 0 errors" in out


def test_vpcdsl_check_command_line_on_all_examples():
    """The installed entry point, as a user runs it, on every example at once."""
    proc = subprocess.run([sys.executable, "-m", "vpcdsl", "check", "-q", *map(str, EXAMPLES)],
                          capture_output=True, text=True, cwd=EXAMPLES_DIR.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error[" not in proc.stdout


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_model_golden(path: Path):
    actual = json.dumps(_load(path.name).to_dict(), indent=2) + "\n"
    golden = GOLDEN / f"{path.stem}.model.json"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), (f"missing {golden.relative_to(EXAMPLES_DIR.parent)}; "
                             "run with UPDATE_GOLDEN=1 to create it")
    assert actual == golden.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------
# three-tier.vpc: the LANGUAGE.md model
# ----------------------------------------------------------------------------

def test_three_tier_zones_and_tables(models):
    m = models["three-tier.vpc"]
    assert list(m.vpcs) == ["prod", "shared"]
    assert {n: s.zone for n, s in m.subnets.items()} == {
        "public-a": "us-east-1a", "public-b": "us-east-1b", "app-a": "us-east-1a",
        "app-b": "us-east-1b", "db-a": "us-east-1a", "tools-a": "us-east-1a"}
    # No table is marked `main`: AWS's implicit one holds only the local routes.
    main_prod = m.main_table["prod"]
    assert (main_prod.name, main_prod.implicit, main_prod.routes) == ("prod.main", True, ())
    assert m.main_table["shared"].name == "shared.main"
    assert {s: rt.name for s, rt in m.route_table_of.items()} == {
        "public-a": "public", "public-b": "public", "app-a": "private", "app-b": "private",
        "db-a": "private", "tools-a": "tools"}
    assert m.get("prod.main", "route-table") is main_prod
    assert m.get("private", "route-table").propagations[0].name == "prod-vgw"


def test_three_tier_defaults(models):
    m = models["three-tier.vpc"]
    assert m.default_nacl["prod"].name == "prod.default-nacl"
    assert m.default_sg["prod"].name == "prod.default-sg"
    assert m.default_sg["shared"].name == "shared.default-sg"
    assert {n: a.name for n, a in m.nacl_of.items()} == {
        "public-a": "prod.default-nacl", "public-b": "prod.default-nacl",
        "app-a": "prod.default-nacl", "app-b": "prod.default-nacl", "db-a": "db",
        "tools-a": "shared.default-nacl"}
    # A NACL and an SG are both called `db`: each kind has its own namespace.
    assert isinstance(m.get("db", "nacl"), ast.Nacl)
    assert isinstance(m.get("db", "sg"), ast.SecurityGroup)
    web1 = m.instances["web-1"]
    assert (web1.network, web1.os, web1.source_dest_check, web1.tenancy) == ("ena", None, True, "default")
    assert str(m.instances["db-1"].ip.ip) == "10.0.20.10"
    assert m.vpcs["prod"].region_name == "us-east-1"
    peer = m.peerings["prod-shared"]
    assert (peer.requester.name, peer.accepter.name) == ("prod", "shared")
    assert m.vpns["office-vpn"].routing == "bgp"
    assert len(m.expectations) == 4


# ----------------------------------------------------------------------------
# hub-and-spoke.vpc
# ----------------------------------------------------------------------------

def test_hub_and_spoke_allocation(models):
    """After the written CIDRs, in source order, lowest aligned free block, primary first."""
    m = models["hub-and-spoke.vpc"]
    c = m.vpcs["spoke-c"]
    got = {s.name: (str(s.cidr.net), s.allocated) for s in c.of_type(ast.Subnet)}
    assert got == {
        "c-app-a": ("10.3.0.0/24", True),      # size /24: the first free /24
        "c-app-b": ("10.3.1.0/24", False),     # written
        "c-batch-a": ("10.3.2.0/24", True),    # hosts 200: a /24 (251 usable)
        "c-tgw-a": ("10.3.3.0/28", True),      # hosts 10: a /28 (11 usable)
        "c-tgw-b": ("10.3.3.16/28", True),     # size /28
        "c-batch-b": ("10.3.8.0/24", True),    # primary full: the secondary block
        "c-vpce-a": ("10.3.3.240/28", False),  # written
    }
    nets = [ip_network(cidr) for cidr, _ in got.values()]
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1:])


def test_hub_and_spoke_transit_gateway(models):
    m = models["hub-and-spoke.vpc"]
    assert list(m.vpcs) == ["shared", "spoke-a", "spoke-b", "spoke-c", "sandbox"]
    tgw = m.tgws["core"]
    assert tgw.asn == 64600
    assert [a.vpc.name for a in tgw.attachments] == ["shared", "spoke-a", "spoke-b", "spoke-c", "sandbox"]
    assert [a.vpc.name for a in tgw.attachments if a.static_only] == ["sandbox"]
    assert [s.name for s in tgw.attachments[0].subnets] == ["tgw-hub-a", "tgw-hub-b"]
    routes = {str(r.cidr.net): (r.target.name if isinstance(r.target, ast.Ref) else "blackhole")
              for r in tgw.routes}
    assert routes == {"0.0.0.0/0": "shared", "10.9.0.0/16": "sandbox",
                      "10.0.0.0/8": "blackhole", "100.64.0.0/10": "blackhole"}
    assert m.vpns["office-vpn"].target.name == "core"
    assert m.dxs["dc-dx"].vif == "transit"
    assert [r.name for r in m.dxgws["core-dxgw"].attachments] == ["core"]
    # Spokes mark their own main table; the hub has none marked, so AWS's implicit one.
    assert m.main_table["spoke-a"].name == "a-main"
    assert m.get("spoke-a.main", "route-table") is None
    assert m.main_table["shared"].name == "shared.main"
    assert m.route_table_of["a-app-b"].name == "a-main"
    assert m.get("sbx-pnat-a", "nat").private is True


# ----------------------------------------------------------------------------
# hybrid-office.vpc
# ----------------------------------------------------------------------------

def test_hybrid_office_links(models):
    m = models["hybrid-office.vpc"]
    assert list(m.vpcs) == ["corp"]
    assert m.vpcs["corp"].region_name == "eu-west-1"
    assert m.subnets["db-b"].zone == "eu-west-1b"
    assert {n: s.asn for n, s in m.sites.items()} == {
        "hq": 65001, "branch-north": 65011, "branch-south": 65012, "lab": None}
    assert str(m.sites["hq"].ephemeral) == "49152-65535"
    dx = {n: (d.target.name if d.target else "aws", d.vif) for n, d in m.dxs.items()}
    assert dx == {"hq-dx-1": ("corp-dxgw", "private"), "hq-dx-2": ("corp-dxgw", "private"),
                  "hq-public": ("aws", "public")}
    assert m.dxs["hq-dx-1"].bandwidth == "10Gbps" and m.dxs["hq-dx-1"].vlan == 101
    assert [r.name for r in m.dxgws["corp-dxgw"].attachments] == ["corp-vgw"]
    vpn = m.vpns["hq-dx-vpn"]
    assert (vpn.routing, vpn.over.name) == ("bgp", "hq-public")
    lab = m.vpns["lab-vpn"]
    assert (lab.routing, [str(c.net) for c in lab.static_cidrs]) == ("static", ["172.30.0.0/24"])
    # CloudHub: every BGP site on the one VGW has its own ASN.
    bgp_sites = [m.sites[v.site.name] for v in m.vpns.values()
                 if v.target.name == "corp-vgw" and v.routing == "bgp"]
    assert len({s.asn for s in bgp_sites}) == len({s.name for s in bgp_sites}) == 3


def test_hybrid_office_bgp_and_tables(models):
    m = models["hybrid-office.vpc"]
    ads = [(a.via.name, str(a.cidr.net), a.prepend, a.community) for a in m.advertisements]
    assert ads == [
        ("hq-dx-1", "172.16.0.0/16", None, "7224:7300"),
        ("hq-dx-2", "172.16.0.0/16", None, "7224:7100"),
        ("hq-backup", "172.16.0.0/16", 3, None),
        ("hq-dx-vpn", "172.16.50.0/24", None, None),
        ("hq-public", "203.0.113.0/28", None, "7224:9100"),
    ]
    app = m.get("app", "route-table")
    assert app.main and not app.implicit and [p.name for p in app.propagations] == ["corp-vgw"]
    assert m.route_table_of["app-b"] is app
    assert m.route_table_of["db-a"].name == "data"
    nacl = m.get("data", "nacl")
    assert [(r.direction, r.number, r.action) for r in nacl.rules][:3] == [
        ("in", 90, "deny"), ("in", 100, "allow"), ("in", 110, "allow")]
    assert [r.protocol.icmp_type for r in nacl.rules if r.protocol.name == "icmp"] == [
        "echo-request", "3", "echo-reply", "3"]
    assert m.nacl_of["db-b"] is nacl


# ----------------------------------------------------------------------------
# multi-region-peering.vpc
# ----------------------------------------------------------------------------

def test_multi_region_regions_and_peering(models):
    m = models["multi-region-peering.vpc"]
    assert {n: v.region_name for n, v in m.vpcs.items()} == {"east": "us-east-1", "west": "eu-west-1"}
    assert m.subnets["w-app-c"].zone == "eu-west-1c"
    assert m.subnets["e-public-a"].public_ip
    peer = m.peerings["east-west"]
    assert (peer.requester.name, peer.accepter.name) == ("east", "west")
    # Routes on both sides of the peering.
    for table, cidr in (("e-private-a", "10.20.0.0/16"), ("e-private-b", "10.20.0.0/16"),
                        ("w-private", "10.10.0.0/16")):
        rt = m.get(table, "route-table")
        assert any(r.target.name == "east-west" and str(r.dest.net) == cidr for r in rt.routes)


def test_multi_region_gateways_and_endpoints(models):
    m = models["multi-region-peering.vpc"]
    nats = {n.name: (n.subnet.name, m.subnets[n.subnet.name].zone) for n in m.members(ast.NatGateway)}
    assert nats == {"e-nat-a": ("e-public-a", "us-east-1a"), "e-nat-b": ("e-public-b", "us-east-1b")}
    nat_i = m.get("w-nat", "nat-instance")
    assert nat_i.source_dest_check is False
    fwd = nat_i.forwards[0]
    assert (str(fwd.port), fwd.instance.name, fwd.to_port) == ("8443", "w-app-1", 443)
    gw = {e.name: (e.service.name, [r.name for r in e.route_tables]) for e in m.members(ast.GatewayEndpoint)}
    assert gw == {"e-s3": ("s3", ["e-private-a", "e-private-b"]),
                  "e-dynamo": ("dynamodb", ["e-private-a", "e-private-b"]),
                  "w-s3": ("s3", ["w-private"])}
    iface = {e.name: (e.service.name, e.private_dns) for e in m.members(ast.InterfaceEndpoint)}
    assert iface == {"e-ssm": ("ssm", True), "e-kms": ("kms", True), "w-logs": ("logs", True)}
    assert m.instances["w-vpn-1"].source_dest_check is False
    assert m.vpns["partner-vpn"].target.name == "w-vpn-1"


def test_multi_region_placement(models):
    m = models["multi-region-peering.vpc"]
    groups = {n: (p.strategy, p.partitions) for n, p in m.placements.items()}
    assert groups == {"hpc": ("cluster", None), "w-web": ("spread", None), "kafka": ("partition", 3)}
    assert [(x.instance.name, x.partition) for x in m.placements["kafka"].members] == [
        ("kafka-1", 1), ("kafka-2", 2), ("kafka-3", 3), ("kafka-4", None)]
    hpc_zones = {m.subnets[m.instances[x.instance.name].subnet.name].zone
                 for x in m.placements["hpc"].members}
    assert hpc_zones == {"us-east-1a"}  # a cluster group lives in one AZ
    assert m.instances["hpc-4"].network == "intel-82599"
    assert m.instances["licence-1"].tenancy == "host"
    assert str(m.instances["kafka-1"].ephemeral) == "32768-60999"


# ----------------------------------------------------------------------------
# dns-heavy.vpc
# ----------------------------------------------------------------------------

def test_dns_heavy_zones_and_policies(models):
    m = models["dns-heavy.vpc"]
    public, private = m.dns_zones
    assert (public.name, public.private) == ("example.com", False)
    assert (private.name, [r.name for r in private.private_vpcs]) == ("corp.internal", ["web"])
    assert {r.policy for r in public.records} == {
        "simple", "weighted", "failover", "latency", "geolocation", "geoproximity",
        "multivalue", "ip-based"}
    assert [h.name for h in public.health_checks if h.down] == ["hc-eu"]
    records = {(r.label, r.type.name): r for r in public.records}
    assert records[("@", "A")].entries[0].value.kind == "name"      # alias to the CDN
    assert [e.weight for e in records[("api", "A")].entries] == [90, 10, 0]
    near = records[("near", "A")].entries
    assert [(e.key, e.bias, e.coords) for e in near] == [
        ("us-east-1", 20, None), ("eu-west-1", None, None), ("coords", -10, (35.68, 139.69))]
    assert records[("*", "A")].entries[0].value.text == "shop-alb"
    assert sum(isinstance(e, ast.ExpectDns) for e in m.expectations) == 16


def test_dns_heavy_load_balancers_and_cdn(models):
    m = models["dns-heavy.vpc"]
    lbs = {lb.name: lb.type for lb in m.members(ast.LoadBalancer)}
    assert lbs == {"shop-alb": "application", "play-nlb": "network", "legacy-clb": "classic"}
    alb = m.get("shop-alb", "lb")
    assert [r.condition for r in alb.rules] == ["path", "host", "header", "method", "query", "source-ip"]
    assert [(r.key, r.value) for r in alb.rules] == [
        (None, "/api/*"), (None, "admin.example.com"), ("X-Canary", "always"), (None, "POST"),
        ("version", "beta"), (None, "203.0.113.0/24")]
    cdn = {c.name: (c.origin.name, c.origin_is_domain, c.policy, c.ssl) for c in m.cdns.values()}
    assert cdn == {
        "shop-cdn": ("shop-alb", False, "TLSv1.2_2021", "sni"),
        "docs-cdn": ("docs-example.s3-website-us-east-1.amazonaws.com", True, "TLSv1.2_2019",
                     "dedicated-ip")}


# ----------------------------------------------------------------------------
# cloudhub.vpc, transit-vpc.vpc and transit-gateway.vpc, global-dns.vpc
# ----------------------------------------------------------------------------

def test_cloudhub_branches_share_one_vgw_over_bgp(models):
    m = models["cloudhub.vpc"]
    vpns = {v.site.name: (v.target.name, v.routing) for v in m.vpns.values()}
    assert vpns == {"branch-boston": ("hub-vgw", "bgp"), "branch-denver": ("hub-vgw", "bgp"),
                    "branch-seattle": ("hub-vgw", "bgp"), "warehouse": ("hub-vgw", "static")}
    bgp = [m.sites[s] for s, (_, r) in vpns.items() if r == "bgp"]
    assert len({s.asn for s in bgp}) == 3           # CloudHub: one ASN per site (E501)
    t = m.trace("branch-boston", "branch-denver", "tcp", 22)
    assert [h.component for h in t.forward] == ["site:branch-boston", "vpn:boston-vpn",
                                                "vgw:hub-vgw", "vpn:denver-vpn", "site:branch-denver"]
    assert "relays it between sites (VPN CloudHub)" in t.forward[2].detail


def test_transit_examples_hold_the_same_sites_and_spokes(models):
    tvpc, tgw = models["transit-vpc.vpc"], models["transit-gateway.vpc"]
    assert set(tvpc.sites) == set(tgw.sites) == {"dc", "branch"}
    assert set(tvpc.vpcs) == {"transit", "spoke-a", "spoke-b"}
    assert set(tgw.vpcs) == {"shared", "spoke-a", "spoke-b"}
    assert {v.target.name for v in tvpc.vpns.values()} == {"csr-1", "csr-2"}
    assert {v.target.name for v in tgw.vpns.values()} == {"core"}
    assert all(not tvpc.instances[n].source_dest_check for n in ("csr-1", "csr-2"))
    assert not any(i.down for m in (tvpc, tgw) for i in m.instances.values())


def test_global_dns_clients_in_several_countries_and_regions(models):
    m = models["global-dns.vpc"]
    (zone,) = m.dns_zones
    assert {r.label: r.policy for r in zone.records} == {
        "www": "latency", "shop": "geolocation", "portal": "geolocation", "api": "weighted",
        "status": "failover"}
    assert [h.name for h in zone.health_checks if h.down] == ["hc-ap"]
    clients = {e.client.value for e in m.expectations if isinstance(e, ast.ExpectDns) and e.client}
    assert {"us-east-1", "eu-west-1", "ap-northeast-1", "DE", "JP", "BR", "CH", "FR", "US"} <= clients
    assert {v.region_name for v in m.vpcs.values()} == {"us-east-1", "eu-central-1", "ap-northeast-1"}


# ----------------------------------------------------------------------------
# Together
# ----------------------------------------------------------------------------

def _walk(value):
    yield value
    if isinstance(value, (tuple, list)):
        for v in value:
            yield from _walk(v)
    elif hasattr(value, "__dataclass_fields__"):
        for name in value.__dataclass_fields__:
            yield from _walk(getattr(value, name))


def test_examples_use_every_construct(models):
    nodes = [n for m in models.values() for f in m.files for n in _walk(f.statements)]
    used = {type(n) for n in nodes}
    statements = set(ast.Statement.__args__)
    members = set(ast.VpcMember.__args__)
    assert not (statements | members) - used, sorted(c.__name__ for c in (statements | members) - used)
    dx_vifs = {n.vif for n in nodes if isinstance(n, ast.DirectConnect)}
    assert dx_vifs == {"private", "public", "transit"}
    assert {n.strategy for n in nodes if isinstance(n, ast.PlacementGroup)} == {"cluster", "spread", "partition"}
    assert {n.routing for n in nodes if isinstance(n, ast.Vpn)} == {"bgp", "static"}
    assert {n.type for n in nodes if isinstance(n, ast.LoadBalancer)} == {"application", "network", "classic"}
    subnets = [n for n in nodes if isinstance(n, ast.Subnet)]
    assert any(s.size for s in subnets) and any(s.hosts for s in subnets)
    assert {n.public_ip for n in nodes if isinstance(n, ast.Instance)} >= {"none", "eip"}
    assert any(isinstance(n, ast.NatGateway) and n.private for n in nodes)
    assert any(isinstance(n, ast.Blackhole) for n in nodes)
