"""`matrix`: reachability between every pair of subnets, instances or VPCs (issue 11, part 6).

The matrix is computed over pair classes, so the tests hold it to an oracle that
does not: one `trace` per pair and packet class (the re-tracing the engine
avoids), on every example, on models built to reach each branch of the pair
key (same subnet, SG references, peering both ways, routes the key cannot
decide, routes that drop a request on its way out, a VPC with a public block,
short ephemeral returns), and on a sample of a generated estate. Hand-computed
cells check the answer itself.

AWS rules the cells rest on (docs/SEMANTICS.md): NACLs filter traffic entering
and leaving a subnet, not traffic inside it, and are stateless, so responses
need the ephemeral range
(https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html);
security groups are stateful and may reference groups of the same or a peered
VPC (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html,
https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html);
peering is not transitive and needs a route each way
(https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-routing.html); an
internet gateway translates only public addresses
(https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html).
"""

from __future__ import annotations

import random
import subprocess
import sys
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from vpcdsl.analysis.flowsets import packet_classes
from vpcdsl.analysis.matrix import matrix
from vpcdsl.flows.flow import FlowError, NotSimulated
from vpcdsl.flows.trace import Tracer
from vpcdsl.packetsets import PacketSet

from tracing import model

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(ROOT.joinpath("examples").glob("*.vpc"))


def _oracle(m, mx, pairs=None) -> list[str]:
    """Every cell of ``mx`` against one trace per pair and packet class; the disagreements."""
    tracer = Tracer(m)
    classes = packet_classes(m, None)
    assert len(classes) == len(mx.classes)
    pairs = pairs if pairs is not None else [(s, d) for s in mx.ends for d in mx.ends if s != d]
    wrong = []
    for s, d in pairs:
        cell = mx.cell(s, d)
        allowed, intermittent = (cell.allowed, cell.intermittent) if cell else (0, 0)
        for bit, c in enumerate(classes):
            try:
                t = tracer.trace(s, d, c.protocol, c.probe or None)
            except (FlowError, NotSimulated):
                assert any(x[:2] == (s, d) for x in mx.skipped), (s, d)
                break
            want = "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"
            got = "allowed" if allowed >> bit & 1 else "intermittent" if intermittent >> bit & 1 else "blocked"
            if want != got:
                wrong.append(f"{s} -> {d} {c.words}: trace {want}, matrix {got}")
    return wrong


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_every_cell_of_every_example_agrees_with_trace(path, level):
    import vpcdsl
    m = vpcdsl.load(path)
    mx = matrix(m, level)
    assert mx.ends
    assert _oracle(m, mx) == []


BRANCHES = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet web-a 10.0.1.0/24 az a
  subnet web-b 10.0.2.0/24 az b
  subnet db-a  10.0.3.0/24 az a
  subnet pub-a 10.0.9.0/24 az a
  igw app-igw
  nat app-nat in pub-a
  route-table app-public for pub-a { 0.0.0.0/0 -> app-igw }
  route-table app-private for web-a, web-b, db-a {
    0.0.0.0/0 -> app-nat
    10.1.0.0/16 -> pcx-app-data
    10.1.7.0/24 -> blackhole
  }
  nacl db-acl for db-a {
    in 100 allow tcp 5432 from 10.0.1.0/24
    in 110 allow tcp 5432 from 10.1.0.0/16
    in 120 allow icmp from 10.0.0.0/16
    out 100 allow tcp 32768-40000 to 10.0.1.0/24
    out 110 allow tcp 1024-65535 to 10.1.0.0/16
    out 120 allow icmp to 10.0.0.0/16
  }
  sg web { out any to 0.0.0.0/0 }
  sg db { in tcp 5432 from web; in tcp 22 from db; in icmp echo-request from 10.0.0.0/16 }
  instance web-1 in web-a sg web
  instance web-2 in web-b sg web
  instance db-1 in db-a sg db
  instance db-2 in db-a sg db
}
vpc data {
  cidr 10.1.0.0/16
  subnet etl-a 10.1.1.0/24 az a
  subnet etl-b 10.1.2.0/24 az b
  subnet dead-a 10.1.7.0/24 az a
  route-table data-rt for etl-a, dead-a { 10.0.0.0/16 -> pcx-app-data }
  route-table data-rt-b for etl-b { 10.0.1.0/24 -> pcx-app-data }
  sg etl { in tcp 8080 from web; out any to 0.0.0.0/0 }
  instance etl-1 in etl-a sg etl
  instance etl-2 in etl-b sg etl
}
vpc lone {
  cidr 52.16.0.0/16
  subnet lone-a 52.16.1.0/24 az a
  igw lone-igw
  route-table lone-rt for lone-a { 0.0.0.0/0 -> lone-igw }
  instance lone-1 in lone-a public-ip
}
peer pcx-app-data app -> data
"""


@pytest.mark.parametrize("level", ["subnet", "instance", "vpc"])
def test_every_branch_of_the_pair_key_agrees_with_trace(level):
    m = model(BRANCHES)
    mx = matrix(m, "subnet" if level == "vpc" else level)
    assert _oracle(m, mx) == []
    if level == "vpc":
        by_vpc = matrix(m, "vpc")
        for (i, j), c in by_vpc.cells.items():
            a, b = by_vpc.ends[i], by_vpc.ends[j]
            subnets = [(s, d) for s in mx.ends for d in mx.ends
                       if s != d and m.get(s).vpc == a and m.get(d).vpc == b]
            union = 0
            for s, d in subnets:
                sc = mx.cell(s, d)
                union |= sc.allowed if sc else 0
            assert c.allowed == union
            assert c.pairs[1] == len(subnets)


def test_hand_computed_cells():
    m = model(BRANCHES)
    sub = matrix(m, "subnet")
    # db-a admits 5432 from web-a only, and its NACL returns to 32768-40000 of the client's
    # 32768-60999 (LANGUAGE.md: a probe's ephemeral range): intermittent, not allowed.
    assert sub.service(sub.cell("web-a", "db-a").intermittent) == "tcp 5432"
    assert sub.cell("web-b", "db-a") is not None                   # icmp only
    assert sub.service(sub.cell("web-b", "db-a").allowed) == "icmp any"
    # Across the peering: etl-a's table routes back to the whole of app, etl-b's to web-a only.
    assert "tcp 5432" in sub.service(sub.cell("etl-a", "db-a").allowed)
    assert sub.cell("etl-b", "db-a") is None                       # etl-b's table: web-a only
    assert sub.cell("web-a", "dead-a") is None                     # blackhole on the way out
    assert sub.cell("web-a", "lone-a") is None                     # no peering: nothing
    inst = matrix(m, "instance")
    # Same subnet: no NACL (its rules would refuse 22); db's group admits 22 from its own
    # members and echo requests from the VPC.
    assert inst.service(inst.cell("db-1", "db-2").allowed) == "icmp echo-request; tcp 22"
    # The referenced group across the peering (same region): etl admits 8080 from web.
    assert "tcp 8080" in inst.service(inst.cell("web-1", "etl-1").allowed)
    assert inst.witness("web-1", "etl-1").allowed
    assert not inst.witness("web-1", "lone-1", "blocked").allowed


def test_pair_classes_are_far_fewer_than_pairs_on_an_estate(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--lines", "1000",
                    "--out", str(tmp_path), "--no-tf"], check=True, capture_output=True)
    import vpcdsl
    m = vpcdsl.load(tmp_path / "gen-1k.vpc")
    mx = matrix(m, "subnet")
    pairs = len(mx.ends) * (len(mx.ends) - 1)
    assert mx.pair_classes * 20 < pairs
    rng = random.Random(11)
    sample = [tuple(rng.sample(mx.ends, 2)) for _ in range(150)]
    # and the pairs the estate's rules are about: within a VPC and across its peerings
    sample += [(s, d) for s in mx.ends[:14] for d in mx.ends[:14] if s != d]
    assert _oracle(m, mx, sample) == []


def test_the_witness_is_a_trace_of_the_cell():
    m = model(BRANCHES)
    mx = matrix(m, "subnet")
    t = mx.witness("web-b", "db-a")
    assert t.allowed and "icmp" in t.flow
    assert mx.witness("web-a", "db-a", "intermittent").intermittent
    assert mx.witness("web-a", "lone-a") is None
    vpcs = matrix(m, "vpc")
    assert vpcs.witness("app", "data").allowed


def test_json_lists_services_once_and_the_note():
    m = model(BRANCHES)
    d = matrix(m, "subnet").to_dict()
    assert d["level"] == "subnet" and "no security group" in d["note"]
    assert len(d["services"]) == len(set(d["services"]))
    assert all(c["src"] != c["dst"] for c in d["cells"])
    assert matrix(m, "subnet").to_dict() == d                       # deterministic


def test_an_unknown_level_is_a_flow_error():
    with pytest.raises(FlowError, match="unknown matrix level"):
        matrix(model(BRANCHES), "region")


def test_cells_hold_no_addresses():
    # The classes are header classes: a cell's packets narrowed to the pair's addresses are
    # what reach answers for the pair.
    m = model(BRANCHES)
    mx = matrix(m, "instance")
    web, db = IPv4Address("10.0.1.4"), IPv4Address("10.0.3.4")
    tracer = Tracer(m)
    assert tracer.end("web-1").address == web and tracer.end("db-1").address == db
    box = PacketSet.box(family=0, src=(int(web), int(web)), dst=(int(db), int(db)))
    r = m.reach("web-1", "db-1")
    assert mx.allowed("web-1", "db-1") & box == r.allowed()
    assert mx.intermittent("web-1", "db-1") & box == r.intermittent()


def test_the_branches_model_reaches_every_kind_of_pair_key():
    from vpcdsl.analysis import matrix as engine
    m = model(BRANCHES.replace("vpc lone {", "vpc other {\n  cidr 10.9.0.0/16\n"
                                "  subnet other-a 10.9.1.0/24 az a\n}\nvpc lone {"))
    tracer = Tracer(m)
    ends = [engine._End.of(tracer, o) for o in engine.matrix_ends(m, "instance")] + \
        [engine._End.of(tracer, o) for o in engine.matrix_ends(m, "subnet")]
    facts = engine._Facts(tracer)
    kinds = {facts.key(s, d)[0] if facts.key(s, d)[0] in ("same", "pair", "dropped") else "class"
             for s in ends for d in ends if s is not d}
    assert kinds == {"same", "pair", "dropped", "class"}
    # web-a -> other-a: the private table's default route goes to the NAT gateway, whose
    # subnet's default route is the internet gateway: dropped without a walk.
    web_a = next(e for e in ends if e.name == "web-a")
    other = next(e for e in ends if e.name == "other-a")
    assert facts.key(web_a, other) == engine._DROPPED
    assert _oracle(m, matrix(m, "subnet")) == []


TRANSIT = """
region eu-west-1
vpc one {
  cidr 10.1.0.0/16
  subnet one-app-a 10.1.1.0/24 az a
  subnet one-app-b 10.1.2.0/24 az b
  subnet one-tgw-a 10.1.15.0/28 az a
  route-table one-main main { 0.0.0.0/0 -> core }
  nacl one-tgw-acl for one-tgw-a {
    in  100 deny  tcp 8443 from 0.0.0.0/0
    in  200 allow any from 0.0.0.0/0
    out 100 allow any to 0.0.0.0/0
  }
  sg open { in any from 0.0.0.0/0 }
  instance one-1 in one-app-a sg open
  instance one-2 in one-app-b sg open
  instance one-t in one-tgw-a sg open
}
vpc two {
  cidr 10.2.0.0/16
  subnet two-app-a 10.2.1.0/24 az a
  subnet two-tgw-a 10.2.15.0/28 az a
  subnet two-dark-a 10.2.7.0/24 az a
  route-table two-main main { 0.0.0.0/0 -> core }
  nacl two-app-acl for two-app-a {
    in  100 allow tcp 1-1000 from 10.1.0.0/16
    in  200 allow icmp from 0.0.0.0/0
    out 100 allow any to 0.0.0.0/0
  }
  sg open2 { in any from 0.0.0.0/0 }
  instance two-1 in two-app-a sg open2
  instance two-t in two-tgw-a sg open2
}
tgw core {
  attach one for one-tgw-a
  attach two for two-tgw-a
  route 10.2.7.0/24 -> blackhole
}
"""


@pytest.mark.parametrize("level", ["subnet", "instance"])
def test_transit_gateway_pairs_agree_with_trace(level):
    # one-app-b has no attachment subnet in its AZ (AWS: resources in an AZ without a TGW
    # attachment cannot reach the TGW); one-tgw-a's NACL refuses tcp 8443 on the way in,
    # which no end's own filter names; a TGW blackhole route; instances in attachment
    # subnets (https://docs.aws.amazon.com/vpc/latest/tgw/tgw-nacls.html).
    m = model(TRANSIT)
    mx = matrix(m, level)
    assert _oracle(m, mx) == []
    assert mx.pair_classes < len(mx.ends) * (len(mx.ends) - 1)
    if level == "subnet":
        assert "8443" not in mx.service(mx.cell("one-app-a", "two-tgw-a").allowed)
        assert mx.cell("one-app-b", "two-app-a") is None
        assert mx.cell("one-app-a", "two-dark-a") is None
