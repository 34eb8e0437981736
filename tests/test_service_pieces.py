"""Property: a far end that is a set of blocks (an AWS service's ranges) is decided exactly.

`filter_steps._per_piece` cuts the blocks at the rules' CIDRs and evaluates one address per
distinct set of CIDRs holding a piece, sharing the verdict among pieces of that set. The
reference here evaluates every sampled address of every block on its own, with a
first-match verdict over the CIDRs written apart from the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network

from hypothesis import given, settings
from hypothesis import strategies as st

from vpcdsl.flows.filter_steps import _per_piece
from vpcdsl.flows.filters import Ranges
from vpcdsl.span import Span
from vpcdsl.syntax import ast

SPAN = Span("<test>", 1, 1, 1, 1)


@dataclass
class Rule:                         # what `rule_cidrs` reads of a NACL rule
    cidr: ast.Cidr


blocks_st = st.lists(st.tuples(st.integers(0, 255), st.integers(8, 24)), min_size=1, max_size=6)
cidrs_st = st.lists(st.tuples(st.integers(0, 255), st.integers(0, 28), st.integers(0, 2**20)),
                    max_size=8)


def _block(top, length):
    return ip_network((top << 24, length))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(blocks_st, cidrs_st)
def test_each_address_of_a_set_gets_the_verdict_of_its_piece(raw_blocks, raw_cidrs):
    blocks = sorted({_block(top, length) for top, length in raw_blocks})
    # keep them disjoint, as a service's published ranges are
    disjoint = []
    for b in blocks:
        if not any(b.overlaps(d) for d in disjoint):
            disjoint.append(b)
    cidrs = []
    for top, length, low in raw_cidrs:
        base = (top << 24) | (low << 4)
        cidrs.append(ip_network((base, length), strict=False))
    rules = [Rule(ast.Cidr(str(c), c, SPAN)) for c in cidrs]

    def verdict(address):           # first CIDR that holds the address, as a NACL scans
        return next((i for i, c in enumerate(cidrs) if address in c), None)

    remote = Ranges("svc", None, tuple(disjoint), True)
    decided = _per_piece(remote, rules, verdict)
    pieces = [p for p, _ in decided]
    assert pieces == sorted(pieces)                             # in address order
    covered = sum(p.num_addresses for p, _ in decided)
    assert covered == sum(b.num_addresses for b in disjoint)    # the pieces partition the set
    for piece, result in decided:
        step = max(1, piece.num_addresses // 7)
        for offset in (*range(0, piece.num_addresses, step), piece.num_addresses - 1):
            assert verdict(piece[offset]) == result, (piece, offset)


def test_one_evaluation_when_one_cidr_holds_every_range():
    blocks = (ip_network("3.5.0.0/19"), ip_network("52.216.0.0/15"), ip_network("54.231.0.0/16"))
    rules = [Rule(ast.Cidr("0.0.0.0/0", ip_network("0.0.0.0/0"), SPAN)),
             Rule(ast.Cidr("10.0.0.0/8", ip_network("10.0.0.0/8"), SPAN))]
    calls = []
    decided = _per_piece(Ranges("s3", "us-east-1", blocks, True), rules,
                         lambda a: calls.append(a) or "allow")
    assert [str(p) for p, _ in decided] == ["3.5.0.0/19", "52.216.0.0/15", "54.231.0.0/16"]
    assert len(calls) == 1
