"""`reach`: every request from an end, per destination, with its verdict (issue 11, parts 2
and 4). Small models with hand-computed answers, intermittent rows, narrowing by a
service, the CLI, and the agreement of `reach` with `trace` on thousands of random
concrete flows over every example and over generated models.

The semantics are those of `trace` (docs/SEMANTICS.md): a request is allowed when it is
delivered and its response returns to every port of the client's ephemeral range (AWS:
"Network ACLs" — custom ACLs must allow the ephemeral range for responses,
https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html; security groups
are stateful, https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html).
"""

from __future__ import annotations

import json
import random
import re
from ipaddress import IPv4Address, ip_network
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.reach import SERVICES, flow_ends, service_packets
from vpcdsl.service_ranges import representative
from vpcdsl.flows.flow import FlowError, NotSimulated
from vpcdsl.flows.trace import Tracer
from vpcdsl.packetsets import Packet, PacketSet

from random_filters import random_filters
from tracing import model
from cli_runs import run_cli

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.vpc"))

TWO_TIER = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet web-a 10.0.1.0/24 az a
  subnet db-a 10.0.2.0/24 az a
  sg web { out any to 0.0.0.0/0 }
  sg db { in tcp 5432 from web; in icmp echo-request from 10.0.1.0/24 }
  instance web-1 in web-a sg web
  instance db-1 in db-a sg db
}
"""


def _tcp(src, dst, port):
    return Packet(IPv4Address(src), IPv4Address(dst), 6, 40000, port)


# ---------------------------------------------------------------------------- hand-computed

def test_an_instance_reaches_exactly_what_the_destination_group_admits():
    m = model(TWO_TIER)
    r = m.reach("web-1", "db-1")
    web, db = "10.0.1.4", "10.0.2.4"
    expected = (PacketSet.box(family=0, src=web, dst=db, protocol="tcp", dport=5432)
                | PacketSet.box(family=0, src=web, dst=db, protocol="icmp", icmp_type="echo-request"))
    assert r.allowed() == expected
    # Every IPv4 request but ICMPv6, which is IPv6's.
    requests = PacketSet.box(family=0, src=web, dst=db) - PacketSet.box(protocol="icmpv6")
    assert r.blocked() == requests - expected
    assert r.intermittent().is_empty()
    assert [row.status for row in r.rows] == ["allowed", "blocked"]
    assert r.rows[0].service == "icmp echo-request; tcp 5432"
    assert r.rows[0].via == "local"


def test_the_return_direction_decides_the_reverse_question():
    # db-1's group admits nothing outbound: SGs are stateful, so responses return anyway,
    # but a request from db-1 to web-1 is refused by db-1's own egress.
    m = model(TWO_TIER.replace("sg db {", "sg db { out none;"))
    assert m.reach("web-1", "db-1").allowed("db-1").summary() == \
        "10.0.1.4 -> 10.0.2.4: icmp echo-request; tcp 5432"
    assert m.reach("db-1", "web-1").allowed().is_empty()
    assert m.reach("db-1", "web-1").rows[0].witness.kind == "sg"


def test_who_can_reach_an_end():
    m = model(TWO_TIER)
    r = m.reach(None, "db-1")
    assert {row.src for row in r.reachable()} == {"web-1"}
    assert r.allowed(src="web-1") == m.reach("web-1", "db-1").allowed()
    assert "internet" in {row.src for row in r.rows}          # asked, and blocked


NACL_SHORT_RETURN = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet web-a 10.0.1.0/24 az a
  subnet db-a 10.0.2.0/24 az a
  nacl db-acl for db-a {
    in 100 allow tcp 5432 from 10.0.1.0/24
    out 100 allow tcp 32768-40000 to 10.0.1.0/24
  }
  sg web { out any to 0.0.0.0/0 }
  sg db { in tcp 5432 from web }
  instance web-1 in web-a sg web
  instance db-1 in db-a sg db
}
"""


def test_a_response_allowed_to_part_of_the_client_ports_is_intermittent():
    # The Linux client picks its source port from 32768-60999; the NACL lets responses back
    # only to 32768-40000, so some connections work and some hang.
    m = model(NACL_SHORT_RETURN)
    r = m.reach("web-1", "db-1")
    assert r.intermittent() == PacketSet.box(family=0, src="10.0.1.4", dst="10.0.2.4", protocol="tcp",
                                             dport=5432)
    assert r.allowed().is_empty()
    row = next(row for row in r.rows if row.status == "intermittent")
    assert row.witness.intermittent and row.witness.kind == "nacl"
    assert "40001-60999" in row.witness.reason
    assert r.status_of(_tcp("10.0.1.4", "10.0.2.4", 5432)) == "intermittent"
    assert r.status_of(_tcp("10.0.1.4", "10.0.2.4", 22)) == "blocked"


def test_a_response_refused_to_every_client_port_is_blocked_not_intermittent():
    m = model(NACL_SHORT_RETURN.replace("out 100 allow tcp 32768-40000", "out 100 allow tcp 1-1023"))
    r = m.reach("web-1", "db-1")
    assert r.intermittent().is_empty() and r.allowed().is_empty()
    assert m.trace("web-1", "db-1", "tcp", 5432).intermittent is False


PUBLIC = """
region eu-west-1
vpc edge {
  cidr 10.1.0.0/16
  igw igw
  subnet pub 10.1.0.0/24 az a
  route-table rt for pub { 0.0.0.0/0 -> igw }
  sg bastion { in tcp 22 from 203.0.113.0/24; in tcp 443 from 0.0.0.0/0 }
  instance bastion-1 in pub sg bastion public-ip
}
"""


def test_the_internet_reaches_a_public_instance_by_address_piece():
    m = model(PUBLIC)
    r = m.reach("internet", "bastion-1")
    https = [row for row in r.reachable() if row.service == "tcp 443"]
    ssh = [row for row in r.reachable() if row.service == "tcp 22"]
    assert len(https) == 1 and https[0].where == "" and https[0].via == "igw:igw"
    assert len(ssh) == 1 and ssh[0].where == "from 203.0.113.0/24"
    assert r.status_of(_tcp("203.0.113.9", "10.1.0.4", 22)) == "allowed"
    assert r.status_of(_tcp("198.51.100.9", "10.1.0.4", 22)) == "blocked"
    assert r.status_of(_tcp("8.8.8.8", "10.1.0.4", 443)) == "allowed"
    # Private and reserved space is not the internet: no row holds a packet from it.
    assert r.status_of(_tcp("10.9.9.9", "10.1.0.4", 443)) is None
    assert r.status_of(_tcp("224.0.0.1", "10.1.0.4", 443)) is None


def test_a_cidr_end_is_split_into_the_pieces_the_rules_tell_apart():
    m = model(TWO_TIER)
    r = m.reach("web-1", "10.0.0.0/16", packets="tcp/5432")
    allowed = r.allowed()
    assert _tcp("10.0.1.4", "10.0.2.4", 5432) in allowed
    assert r.status_of(_tcp("10.0.1.4", "10.0.2.4", 5432)) == "allowed"
    # An address no interface holds takes nothing (as `trace` says: "no host holds").
    assert r.status_of(_tcp("10.0.1.4", "10.0.2.77", 5432)) == "blocked"
    assert r.status_of(_tcp("10.0.1.4", "10.0.200.1", 5432)) == "blocked"   # no subnet there
    assert all(row.where.startswith("to ") for row in r.rows)


def test_packets_narrow_the_question_and_the_witness_is_inside_them():
    m = model(TWO_TIER)
    r = m.reach("web-1", "db-1", packets="tcp/22")
    assert [row.status for row in r.rows] == ["blocked"]
    assert r.rows[0].packets == PacketSet.box(family=0, src="10.0.1.4", dst="10.0.2.4", protocol="tcp", dport=22)
    assert r.rows[0].witness.flow == "web-1 -> db-1 tcp 22"
    r = m.reach("web-1", "db-1", packets=PacketSet.box(protocol=47))
    assert r.rows[0].witness.flow == "web-1 -> db-1 47" and r.rows[0].status == "blocked"


def test_service_texts():
    # TCP, UDP and other protocols over both families; ICMP is IPv4's, ICMPv6 IPv6's
    assert service_packets("tcp/22, tcp 3389") == PacketSet.box(protocol="tcp", dport=22) | \
        PacketSet.box(protocol="tcp", dport=3389)
    assert service_packets("icmp/echo-request") == PacketSet.box(family=0, protocol="icmp", icmp_type=8)
    assert service_packets("icmpv6/echo-request") == PacketSet.box(family=1, protocol="icmpv6", icmp_type=128)
    assert service_packets("any") == PacketSet.box()
    for bad in ("tcp/99999", "gre", "udp/x", "47/3", "", "tcp/9-1"):
        with pytest.raises(FlowError) as e:
            service_packets(bad)
        assert e.value.hint


def test_unknown_ends_and_empty_questions_are_flow_errors():
    m = model(TWO_TIER)
    with pytest.raises(FlowError, match="web-9"):
        m.reach("web-9")
    with pytest.raises(FlowError):
        m.reach(None, None)


def test_each_lb_node_is_its_own_destination():
    # The NLB's node in AZ b sits in a subnet whose NACL drops the request.
    m = model("""
    region eu-west-1
    vpc app {
      cidr 10.0.0.0/16
      subnet lb-a 10.0.1.0/24 az a
      subnet lb-b 10.0.2.0/24 az b
      subnet app-a 10.0.3.0/24 az a
      nacl closed for lb-b { in 100 deny any from 0.0.0.0/0
                             out 100 allow any to 0.0.0.0/0 }
      sg app { in tcp 80 from 10.0.0.0/16; out any to 0.0.0.0/0 }
      instance client in app-a sg app
      instance server in app-a sg app
      lb front network internal in lb-a, lb-b sg app { listen tcp 80 -> server:80 }
    }
    """)
    r = m.reach("client", "front", packets="tcp/80")
    statuses = {row.where: row.status for row in r.rows}
    assert statuses == {"to 10.0.1.4/32": "allowed", "to 10.0.2.4/32": "blocked"}, r.table(blocked=True)


def test_reach_table_json_and_html_are_deterministic_and_escaped():
    m = model(TWO_TIER)
    r = m.reach("web-1")
    assert r.table().splitlines()[0].split() == ["from", "to", "packets", "via", "verdict"]
    assert "web-1  db-1" in r.table()
    doc = r.to_dict()
    assert doc["rows"][0]["witness"]["verdict"] == "allowed"
    assert json.dumps(doc) == json.dumps(m.reach("web-1").to_dict())
    html = r._repr_html_()
    assert "<details>" in html and 'class="allowed"' in html and html == m.reach("web-1")._repr_html_()


# ---------------------------------------------------------------------------- the CLI

_run = run_cli


def test_cli_reach_and_to(tmp_path, capsys):
    path = tmp_path / "t.vpc"
    path.write_text(TWO_TIER)
    code, out, _ = _run(capsys, "reach", str(path), "web-1")
    assert code == 0 and "db-1" in out and "ALLOWED" in out and "BLOCKED" not in out
    code, out, _ = _run(capsys, "reach", str(path), "--to", "db-1", "--blocked")
    assert code == 0 and "internet  db-1" in out and "BLOCKED" in out
    code, out, _ = _run(capsys, "reach", str(path), "db-1", "web-1", "--service", "tcp/22")
    assert code == 1 and "BLOCKED" not in out and "cannot reach" in out
    code, out, _ = _run(capsys, "reach", str(path), "web-1", "--json")
    assert code == 0 and json.loads(out)["rows"][0]["dst"] == "db-1"


def test_cli_reach_usage_errors_are_one_line_and_a_hint(tmp_path, capsys):
    path = tmp_path / "t.vpc"
    path.write_text(TWO_TIER)
    for argv, needle in ((["web-9"], "web-9"), (["web-1", "--service", "tcp/x"], "ports"),
                         ([], "say what"), (["web-1", "db-1", "--to", "web-1"], "two destinations")):
        code, out, err = _run(capsys, "reach", str(path), *argv)
        assert code == 2 and out == "" and needle in err and "= hint:" in err and "Traceback" not in err


# ---------------------------------------------------------------------------- reach == trace

def _address(tracer, end: str, near=None):
    e = tracer.end(end, near=near)
    return e.address if e.address is not None and e.address.version == 4 else None


def _random_flow(rng: random.Random, cuts: list[int]):
    kind = rng.random()
    if kind < 0.7:
        proto = rng.choice(["tcp", "udp"])
        port = max(0, min(65535, rng.choice(cuts) + rng.choice([-1, 0, 0, 1]))) if rng.random() < 0.7 \
            else rng.randrange(65536)
        return proto, port, Packet
    if kind < 0.9:
        return "icmp", rng.choice([0, 3, 8, 11, 13, rng.randrange(256)]), Packet
    return str(rng.choice([47, 50, 132])), None, Packet


def _packet(src, dst, proto: str, port) -> Packet:
    number = {"tcp": 6, "udp": 17, "icmp": 1}.get(proto, None)
    if number in (6, 17):
        return Packet(src, dst, number, 33000, port)
    if number == 1:
        return Packet(src, dst, 1, icmp_type=port)
    return Packet(src, dst, int(proto))


def _agree(m, sources: list[str], flows_per_source: int, seed: int) -> int:
    """Trace random concrete flows from each source and compare with `reach`; the count checked."""
    rng = random.Random(seed)
    tracer = Tracer(m)
    cuts = sorted({p for p in range(0, 65536, 4099)} | {22, 80, 443, 1024, 3306, 5432, 8080, 32768, 60999})
    ends = flow_ends(m)
    blocks = [str(b.net) for vpc in m.vpcs.values() for b in vpc.cidrs if b.net and b.net.version == 4][:1]
    checked = 0
    for src in sources:
        answer = m.reach(src)
        by_cidr = {b: m.reach(src, b) for b in blocks if src != "internet"}
        for _ in range(flows_per_source):
            dst = rng.choice(ends + list(by_cidr))
            if dst == src or (src == "internet" and dst in SERVICES):
                continue
            proto, port, _ = _random_flow(rng, cuts)
            if src == "internet":
                src_text = str(IPv4Address(rng.choice([0x01000001, 0x08080808, 0xCB007109, 0x34000000,
                                                       0xC6336401, rng.randrange(0x0B000000, 0x64000000)])))
                src_address = IPv4Address(src_text)
                if tracer.address_end(src_text, src_address).kind != "internet":
                    continue          # a site's public range is the site's, not the internet's
            else:
                src_text, src_address = src, _address(tracer, src)
            if dst in by_cidr:
                net = ip_network(dst)
                dst_text = str(net.network_address + rng.randrange(net.num_addresses))
                dst_address, reach_answer = IPv4Address(dst_text), by_cidr[dst]
            else:
                zone = tracer.end(src).subnet.zone if src != "internet" and tracer.end(src).subnet else None
                dst_text, reach_answer = dst, answer
                if dst in SERVICES:          # one of its published addresses in the client's region
                    vpc = m.vpcs.get(tracer.end(src).vpc or "")
                    dst_address = representative(dst, getattr(vpc, "region_name", None))
                else:
                    dst_address = _address(tracer, dst, near=zone)
            if src_address is None or dst_address is None:
                continue
            try:
                t = m.trace(src_text, dst_text, proto, port)
            except (FlowError, NotSimulated):
                continue
            expected = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
            got = reach_answer.status_of(_packet(src_address, dst_address, proto, port), dst=dst)
            if dst_text != dst and expected == "blocked" and got is None:
                continue          # an address outside every piece the reach answer asked about
            assert got == expected, (f"{src_text} -> {dst_text} {proto} {port}: trace says {expected}, "
                                     f"reach says {got}\n{t.table()}")
            checked += 1
    return checked


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_reach_agrees_with_trace_on_random_flows_of_every_example(path):
    m = vpcdsl.load(path)
    rng = random.Random(path.stem)
    named = [e for e in flow_ends(m) if e not in SERVICES and e != "internet"]
    sources = ["internet", *rng.sample(named, min(3, len(named)))]
    assert _agree(m, sources, 300, seed=len(path.stem)) >= 600


def _generated(rng: random.Random) -> str:
    cidrs = ["10.0.1.0/24", "10.0.2.0/24", "10.0.0.0/16", "0.0.0.0/0", "203.0.113.0/24", "10.0.3.0/25"]
    lines = ["region eu-west-1", "vpc a {", "  cidr 10.0.0.0/16", "  igw igw",
             "  subnet s1 10.0.1.0/24 az a", "  subnet s2 10.0.2.0/24 az a", "  subnet sub3 10.0.3.0/24 az b",
             "  route-table pub for s1, sub3 { 0.0.0.0/0 -> igw }"]
    lines += random_filters(rng, cidrs, "icmp")
    lines += ["  instance x in s1 sg g1 public-ip", "  instance y in s2 sg g2", "  instance z in sub3 sg g3 public-ip",
              "}"]
    return "\n".join(lines) + "\n"


def test_reach_agrees_with_trace_on_generated_models():
    rng = random.Random(11)
    checked = 0
    for i in range(25):
        text = _generated(rng)
        m = vpcdsl.loads(text, filename=f"gen{i}.vpc", strict=False)
        assert not m.errors, (text, [str(d) for d in m.errors])
        checked += _agree(m, ["internet", rng.choice(["x", "y", "z"])], 60, seed=i)
    assert checked >= 2000


def test_the_line_magic():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "vpcdsl")
        shell.run_cell("%%vpc two --no-diagram\n" + TWO_TIER)
        r = shell.run_line_magic("vpc", "reach two web-1")
        assert r.allowed("db-1") == model(TWO_TIER).reach("web-1", "db-1").allowed()
        assert shell.run_line_magic("vpc", "reach two --to db-1 --service tcp/5432").reachable()[0].src == "web-1"
        message = shell.run_line_magic("vpc", "reach two web-9")
        assert "web-9" in repr(message) and "hint" in repr(message)
    finally:
        shell.user_ns.pop("two", None)
        InteractiveShell.clear_instance()


def test_the_readme_examples_are_what_the_command_prints(capsys, monkeypatch):
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## What can reach what"):readme.index("## Planning address space")]
    blocks = re.findall(r"\n```\n(from .*?)\n```", section, re.S)
    code, out, _ = _run(capsys, "reach", "examples/three-tier.vpc", "--to", "db-1")
    assert code == 0 and out.rstrip("\n") == blocks[0].rstrip("\n")
    code, out, _ = _run(capsys, "reach", "examples/three-tier.vpc", "internet", "--blocked",
                        "--service", "tcp/22,tcp/443")
    assert code == 0 and out.rstrip("\n") == blocks[1].rstrip("\n")
