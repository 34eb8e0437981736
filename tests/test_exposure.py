"""`exposure`: what the internet and each site can reach (issue 11, part 5). Small models
with hand-computed answers, the ranks, the shortcuts against reach's own way of computing
(``coarse=False``) and against `reach` itself, golden text for two examples beside them in
tests/fixtures/exposure/ (regenerated with ``UPDATE_GOLDEN=1``), JSON, HTML, the CLI and the
magic.

The semantics are those of `reach` and `trace` (docs/SEMANTICS.md): a request is allowed
when it is delivered and its response returns to every port of the client's ephemeral
range (AWS, "Network ACLs": custom ACLs must allow the ephemeral range for responses,
https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html).
"""

from __future__ import annotations

import json
import random
from ipaddress import IPv4Address
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.exposure import RANKS, exposure
from vpcdsl.flows.flow import FlowError
from vpcdsl.packetsets import Packet, PacketSet

from tracing import model
from cli_runs import check_golden

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "tests" / "fixtures" / "exposure"
EXAMPLES = sorted((ROOT / "examples").glob("*.vpc"))

EDGE = """
region eu-west-1
vpc edge {
  cidr 10.1.0.0/16
  igw igw
  vgw vgw
  subnet pub-a 10.1.0.0/24 az a
  subnet pub-b 10.1.1.0/24 az b
  subnet app-a 10.1.10.0/24 az a
  subnet db-a 10.1.20.0/24 az a
  route-table pub for pub-a, pub-b { 0.0.0.0/0 -> igw }
  route-table private for app-a, db-a { propagate vgw }
  nacl db for db-a {
    in 100 allow tcp 5432 from 192.168.0.0/16
    out 100 allow tcp 1024-65535 to 192.168.0.0/16
  }
  sg bastion { in tcp 22 from 0.0.0.0/0 }
  sg admin { in tcp 22 from 203.0.113.0/24 }
  sg alb { in tcp 443 from 0.0.0.0/0 }
  sg web { in tcp 8080 from alb }
  sg db { in tcp 5432 from 192.168.0.0/16 }
  instance bastion-1 in pub-a sg bastion public-ip
  instance ops-1 in pub-b sg admin public-ip
  instance web-1 in app-a sg web
  instance db-1 in db-a sg db
  lb front application internet-facing in pub-a, pub-b sg alb { listen https 443 -> web-1:8080 }
}
site office 192.168.0.0/16 asn 65010
vpn office-vpn office <-> vgw bgp
"""
BASTION, OPS, DB, NODES = "10.1.0.4", "10.1.1.4", "10.1.20.4", ("10.1.0.5", "10.1.1.5")


def golden(name: str, actual: str) -> None:
    check_golden(HERE / name, actual)


def _tcp(src, dst, port):
    return Packet(IPv4Address(src), IPv4Address(dst), 6, 40000, port)


@pytest.fixture(scope="module")
def edge():
    m = model(EDGE)
    return m, m.exposure()


# ---------------------------------------------------------------------------- hand-computed

def test_a_bastion_open_to_the_internet_on_ssh_ranks_first(edge):
    m, e = edge
    first = e.of(src="internet")[0]
    assert (first.rank, first.dst, first.kind, first.status, first.via, first.where) == \
        ("admin", "bastion-1", "instance", "allowed", "igw:igw", "")
    assert first.service == "tcp 22" and first.names == ("SSH",)
    assert _tcp("8.8.8.8", BASTION, 22) in first.packets       # the IGW translated it already
    assert _tcp("8.8.8.8", BASTION, 23) not in first.packets
    assert _tcp("10.9.9.9", BASTION, 22) not in first.packets     # private space is no internet
    assert first.witness.allowed and first.witness.flow == "1.0.0.1 -> bastion-1 tcp 22"
    # Exactly what reach finds (the internet, no site range in it here).
    assert first.packets == m.reach("internet", "bastion-1").allowed()


def test_an_instance_open_to_one_block_shows_that_block(edge):
    _, e = edge
    [f] = e.of(dst="ops-1")
    assert (f.rank, f.src, f.where) == ("admin", "internet", "from 203.0.113.0/24")
    assert f.packets == PacketSet.box(family=0, src="203.0.113.0/24", dst=OPS, protocol="tcp", dport=22)
    assert f.witness.flow == "203.0.113.1 -> ops-1 tcp 22"


def test_a_database_open_to_a_site(edge):
    _, e = edge
    [f] = e.of(dst="db-1")
    assert (f.rank, f.src, f.status, f.via, f.where) == ("database", "office", "allowed", "vpn:office-vpn", "")
    assert f.packets == PacketSet.box(family=0, src="192.168.0.0/16", dst=DB, protocol="tcp", dport=5432)
    assert f.names == ("PostgreSQL",)
    assert "db-1" not in e.exposed("internet")


def test_an_internet_facing_alb_on_443(edge):
    _, e = edge
    [f] = e.of(dst="front")
    assert (f.rank, f.src, f.kind, f.status, f.via, f.where, f.service) == \
        ("other", "internet", "lb", "allowed", "igw:igw", "", "tcp 443")
    for node in NODES:                                           # both nodes, one finding
        assert _tcp("198.51.100.7", node, 443) in f.packets


def test_a_private_subnet_is_unreachable_from_the_internet_and_a_probe_from_the_site(edge):
    _, e = edge
    assert "app-a" not in e.exposed("internet") and "web-1" not in e.exposed()
    [f] = e.of(dst="app-a")
    # The probe has no security group: what the routes and NACL let in is every packet.
    assert (f.rank, f.src, f.kind) == ("any", "office", "subnet")
    assert f.packets == PacketSet.box(family=0, src="192.168.0.0/16", dst="10.1.10.254") - \
        PacketSet.box(protocol="icmpv6")
    assert "app-a (subnet)" in e.table() and "no security group" in e.table()


def test_a_nacl_returning_part_of_the_client_ports_makes_it_intermittent():
    m = model(EDGE.replace("out 100 allow tcp 1024-65535 to 192.168.0.0/16",
                           "out 100 allow tcp 32768-40000 to 192.168.0.0/16"))
    e = m.exposure()
    [f] = e.of(dst="db-1")
    assert f.status == "intermittent" and f.witness.intermittent and f.witness.kind == "nacl"
    assert e.allowed("db-1").is_empty()
    assert e.intermittent("db-1") == PacketSet.box(family=0, src="192.168.0.0/16", dst=DB, protocol="tcp", dport=5432)
    assert "INTERMITTENT" in e.table()


def test_a_nacl_deny_reads_as_all_but_the_denied_block():
    m = model(EDGE.replace("route-table pub for pub-a, pub-b { 0.0.0.0/0 -> igw }",
                           "route-table pub for pub-a, pub-b { 0.0.0.0/0 -> igw }\n"
                           "  nacl pub for pub-a { in 100 deny any from 198.51.100.0/24\n"
                           "    in 200 allow any from 0.0.0.0/0\n    out 100 allow any to 0.0.0.0/0 }"))
    [f] = m.exposure().of(dst="bastion-1")
    assert f.where == "from all but 198.51.100.0/24"
    assert _tcp("198.51.100.9", BASTION, 22) not in f.packets and _tcp("198.51.101.9", BASTION, 22) in f.packets


def test_a_sites_public_range_is_the_sites_not_the_internets():
    m = model(EDGE.replace("site office 192.168.0.0/16", "site office 192.168.0.0/16, 203.0.113.0/28"))
    e = m.exposure()
    [ops] = e.of(dst="ops-1", src="internet")
    # 203.0.113.0/24 but the /28 that is the office's
    assert ops.where == "from 203.0.113.16/28, 203.0.113.32/27, 203.0.113.64/26, 203.0.113.128/25"
    assert _tcp("203.0.113.5", OPS, 22) not in ops.packets


def test_ranks_order_the_findings_then_target_names():
    e = vpcdsl.load(HERE / "edge.vpc").exposure()
    keys = [(RANKS.index(f.rank), f.dst) for f in e.findings]
    assert keys == sorted(keys)
    assert [f.rank for f in e.findings][:2] == ["any", "admin"]
    assert {f.rank for f in e.findings} == {"any", "admin", "database", "other"}


def test_sources_narrow_the_question_and_unknown_ones_are_flow_errors(edge):
    m, e = edge
    only = m.exposure("internet")
    assert only.sources == ("internet",) and only.findings == tuple(e.of(src="internet"))
    with pytest.raises(FlowError) as err:
        m.exposure("offcie")
    assert "office" in err.value.hint


def test_icmp_only_findings_rank_last():
    m = model(EDGE.replace("sg admin { in tcp 22 from 203.0.113.0/24 }",
                           "sg admin { in icmp echo-request from 0.0.0.0/0 }"))
    e = m.exposure()
    [f] = e.of(dst="ops-1")
    assert f.rank == "icmp" and f.service == "icmp echo-request" and e.findings[-1] is f


# ---------------------------------------------------------------------------- the shortcuts

def _same(m) -> None:
    fast, slow = exposure(m), exposure(m, coarse=False)
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in slow.findings]
    assert fast.skipped == slow.skipped


@pytest.mark.parametrize("path", [*EXAMPLES, HERE / "edge.vpc"], ids=lambda p: p.stem)
def test_the_shortcuts_give_reachs_answer_on_every_example(path):
    _same(vpcdsl.load(path))


def _generated(rng: random.Random) -> str:
    """A public and a private tier, an NLB, a NAT instance forward, a site: random rules."""
    cidrs = ["0.0.0.0/0", "203.0.113.0/24", "203.0.113.128/25", "198.51.100.0/24", "192.168.1.0/24",
             "10.0.0.0/16", "192.168.0.0/16"]
    ports = ["22", "80", "443", "3389", "5432", "0-1023", "1024-65535", "32768-40000"]

    def proto():
        p = rng.choice(["tcp", "tcp", "udp", "icmp", "any"])
        return f"{p} {rng.choice(ports)}" if p in ("tcp", "udp") else p

    lines = ["region eu-west-1", "vpc a {", "  cidr 10.0.0.0/16", "  igw igw", "  vgw vgw",
             "  subnet s1 10.0.1.0/24 az a" + rng.choice(["", " public-ip"]), "  subnet s2 10.0.2.0/24 az b",
             "  subnet sub3 10.0.3.0/24 az a",
             "  route-table pub for s1, s2 { 0.0.0.0/0 -> igw\n    propagate vgw }",
             "  route-table priv for sub3 { propagate vgw }"]
    for name, subnet in (("n1", "s1"), ("n2", "s2"), ("n3", "sub3")):
        if rng.random() < 0.3:
            continue
        rules = [f"    {d} {n} {rng.choice(['allow', 'allow', 'deny'])} {proto()} {'from' if d == 'in' else 'to'} "
                 f"{rng.choice(cidrs)}" for d in ("in", "out")
                 for n in sorted(rng.sample(range(1, 200), rng.randint(1, 4)))]
        lines += [f"  nacl {name} for {subnet} {{", *rules, "  }"]
    for g in ("g1", "g2", "g3"):
        body = [f"in {proto()} from {rng.choice(cidrs + ['g1', 'g2'])}" for _ in range(rng.randint(0, 3))]
        lines.append(f"  sg {g} {{ {'; '.join(body) or 'out none'} }}")
    lines += ["  instance x in s1 sg g1 public-ip", "  instance x2 in s2 sg g1 public-ip",
              "  instance y in sub3 sg g2", "  instance z in s2 sg g3" + rng.choice(["", " public-ip"]),
              "  nat-instance f in s1 sg g3 source-dest-check off forward 2222 -> y:22",
              "  lb n network internet-facing in s1, s2 sg g2 { listen tcp 443 -> y:443 }",
              "}", "site office 192.168.0.0/16, 203.0.113.0/28 asn 65010", "vpn v office <-> vgw bgp"]
    return "\n".join(lines) + "\n"


def test_the_shortcuts_give_reachs_answer_on_generated_models():
    rng = random.Random(5)
    found = 0
    for i in range(8):
        text = _generated(rng)
        m = vpcdsl.loads(text, filename=f"gen{i}.vpc", strict=False)
        assert not m.errors, (text, [str(d) for d in m.errors])
        _same(m)
        found += len(m.exposure().findings)
    assert found > 20


def test_exposure_agrees_with_reach_from_the_internet():
    m = vpcdsl.load(HERE / "edge.vpc")
    e = m.exposure("internet")
    office = PacketSet.union(PacketSet.box(family=0, src=str(c.net)) for c in m.sites["office"].cidrs)
    for name, kind in e.targets:
        r = m.reach("internet", name)
        for status in ("allowed", "intermittent"):
            mine = getattr(e, status)(name)
            assert mine == getattr(r, status)(name) - office, (name, status)


# ---------------------------------------------------------------------------- output

def test_json_is_deterministic_and_carries_witnesses():
    m = vpcdsl.load(HERE / "edge.vpc")
    doc = m.exposure().to_dict()
    assert doc["version"] == 1 and doc["ranks"] == list(RANKS) and doc["sources"] == ["internet", "office"]
    f = doc["findings"][0]
    assert set(f) >= {"rank", "src", "dst", "kind", "status", "service", "where", "via", "packets", "witness"}
    assert f["witness"]["verdict"] in ("allowed", "blocked")
    assert json.dumps(doc) == json.dumps(vpcdsl.load(HERE / "edge.vpc").exposure().to_dict())


def test_html_is_escaped_deterministic_and_opens_onto_each_witness():
    hostile = '<b>&"x.vpc'
    text = (HERE / "edge.vpc").read_text(encoding="utf-8")
    e = vpcdsl.loads(text, filename=hostile, strict=False).exposure()
    html = e._repr_html_()
    assert "<b>&" not in html and "&lt;b&gt;&amp;" in html          # the file name in each hop's line
    assert html.count("<details>") == len(e.findings) and 'class="rank rank-admin"' in html
    assert 'class="intermittent"' in html and "no security group" in html
    assert html == vpcdsl.loads(text, filename=hostile, strict=False).exposure()._repr_html_()
    empty = model(EDGE.replace("site office", "site lab").replace("office-vpn office", "lab-vpn lab")
                  ).exposure("internet")
    assert "<details>" in empty._repr_html_()
    quiet = model("region eu-west-1\nvpc a {\n  cidr 10.0.0.0/16\n  subnet s 10.0.0.0/24 az a\n}\n").exposure()
    assert quiet.findings == ()
    assert "nothing is exposed" in quiet._repr_html_() and "nothing is exposed" in quiet.table()


# ---------------------------------------------------------------------------- the CLI

def _run(capsys, *argv):
    from vpcdsl.views.cli import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["three-tier", "hybrid-office"])
def test_golden_text(name, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = _run(capsys, "exposure", f"examples/{name}.vpc")
    assert code == 0 and err == ""
    golden(f"{name}.txt", out)


def test_cli_exit_codes_and_json(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    path = "tests/fixtures/exposure/edge.vpc"
    assert _run(capsys, "exposure", path)[0] == 0                          # it answered
    assert _run(capsys, "exposure", path, "--fail-on", "admin")[0] == 1     # SSH from the internet
    assert _run(capsys, "exposure", path, "--fail-on", "icmp")[0] == 0
    code, out, _ = _run(capsys, "exposure", "examples/hybrid-office.vpc", "--source", "internet",
                        "--fail-on", "any,admin,database")
    assert code == 0 and "nothing is exposed" in out                        # only sites reach it
    assert _run(capsys, "exposure", "examples/hybrid-office.vpc", "--fail-on", "database")[0] == 1
    code, out, _ = _run(capsys, "exposure", path, "--json", "--source", "office")
    doc = json.loads(out)
    assert code == 0 and doc["sources"] == ["office"] and {f["src"] for f in doc["findings"]} == {"office"}
    assert out == _run(capsys, "exposure", path, "--json", "--source", "office")[1]


def test_cli_usage_errors_are_one_line_and_a_hint(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    path = "tests/fixtures/exposure/edge.vpc"
    for argv, needle in ((["--source", "offce"], "'offce' is not a source"),
                         (["--fail-on", "adm"], "no rank 'adm'"), (["--fail-on", ","], "cannot read --fail-on")):
        code, out, err = _run(capsys, "exposure", path, *argv)
        assert code == 2 and out == "" and needle in err and "= hint:" in err and "Traceback" not in err
        assert len(err.splitlines()) == 2
    broken = tmp_path / "broken.vpc"
    broken.write_text("vpc a {\n  cidr 10.0.0.0/16\n  subnet s 10.1.0.0/24 az a\n}\n")
    code, out, err = _run(capsys, "exposure", str(broken))
    assert code == 2 and "E104" in err and "fix them first" in err


def test_the_line_magic():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "vpcdsl")
        shell.run_cell("%%vpc edge --no-diagram\n" + EDGE)
        e = shell.run_line_magic("vpc", "exposure edge")
        # The same findings (the witnesses' lines differ: the cell's file is `edge`).
        assert [(f.rank, f.src, f.dst, f.packets, f.where) for f in e.findings] == \
            [(f.rank, f.src, f.dst, f.packets, f.where) for f in model(EDGE).exposure().findings]
        assert shell.run_line_magic("vpc", "exposure edge --source office").sources == ("office",)
        message = shell.run_line_magic("vpc", "exposure edge --source offce")
        assert "offce" in repr(message) and "hint" in repr(message)
        assert shell.run_line_magic("vpc", "exposure") is None     # a usage message, shown; no traceback
    finally:
        shell.user_ns.pop("edge", None)
        InteractiveShell.clear_instance()


def test_the_readme_example_is_what_the_command_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Exposure"):readme.index("## Planning address space")]
    start = section.index("```\nrank ") + len("```\n")
    shown = section[start:section.index("\n```", start)]
    code, out, _ = _run(capsys, "exposure", "examples/three-tier.vpc")
    assert code == 0 and out.rstrip("\n") == shown
    assert (HERE / "three-tier.txt").read_text(encoding="utf-8").rstrip("\n") == shown
