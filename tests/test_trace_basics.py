"""First flows on the three-tier example: verdicts, kinds and deciding lines."""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcdsl

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "three-tier.vpc"


@pytest.fixture(scope="module")
def model():
    return vpcdsl.load(EXAMPLE)


@pytest.mark.parametrize("src, dst, proto, port, verdict, kind, line", [
    ("web-1", "db-1", "tcp", 5432, "allowed", None, None),
    ("ci-1", "web-1", "tcp", 8080, "blocked", "sg", 36),        # sg web admits only the ALB's SG
    ("ci-1", "db-1", "tcp", 5432, "blocked", "nacl", 30),       # nacl db: implicit deny
    ("internet", "db-1", "tcp", 5432, "blocked", "gateway", 14),  # no public IP
    ("web-1", "internet", "tcp", 443, "allowed", None, None),   # through nat-a
    ("web-1", "s3", "tcp", 443, "allowed", None, None),         # gateway endpoint
])
def test_three_tier_flows(model, src, dst, proto, port, verdict, kind, line):
    t = model.trace(src, dst, proto, port)
    assert t.verdict == verdict, t.table()
    assert t.kind == kind
    if line is not None:
        assert t.span is not None and t.span.line == line, t.table()


def test_nat_translates_and_the_response_comes_back(model):
    t = model.trace("web-1", "internet", "tcp/443")
    actions = [(h.component, h.action) for h in t.forward]
    assert ("nat:nat-a", "translate") in actions
    assert t.forward[-1].packet.src == "public-ip(nat-a)"
    assert t.back[-1].component == "instance:web-1"


def test_same_subnet_skips_route_table_and_nacl():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n"
                     " nacl closed for s {\n }\n instance x in s\n instance y in s\n}")
    t = m.trace("x", "y", "tcp", 22)
    # the default SG admits its own members; the closed NACL is not consulted
    assert t.allowed, t.table()
    assert not any(h.kind == "nacl" for h in t.forward)
