"""Packet sets (vpcdsl/packetsets.py) against sympy: every operation on random small
sets, compared on integer points; then the words a person reads."""

from __future__ import annotations

import itertools
from contextlib import contextmanager
from ipaddress import ip_address, ip_network

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from vpcdsl import packetset_boxes as boxes_module
from vpcdsl import packetset_nodes as nodes
from vpcdsl.packetsets import EMPTY_SET, UNIVERSE, Packet, PacketSet

TOP = {0: 2**32 - 1, 1: 2**128 - 1}
PROTOCOLS = (1, 6, 17, 50, 58)


def _range(pair):
    low, high = pair
    return sympy.Range(low, high + 1)


def _sympy_universe():
    other = [sympy.Range(0, 1), sympy.Range(2, 6), sympy.Range(7, 17), sympy.Range(18, 58),
             sympy.Range(59, 256)]
    zero = sympy.Range(0, 1)
    parts = []
    for family in (0, 1):
        f, addresses = sympy.Range(family, family + 1), sympy.Range(0, TOP[family] + 1)
        ports, byte = sympy.Range(0, 65536), sympy.Range(0, 256)
        for p in (6, 17):
            parts.append(sympy.ProductSet(f, addresses, addresses, sympy.Range(p, p + 1), ports, ports, zero, zero))
        for p in (1, 58):
            parts.append(sympy.ProductSet(f, addresses, addresses, sympy.Range(p, p + 1), zero, zero, byte, byte))
        for r in other:
            parts.append(sympy.ProductSet(f, addresses, addresses, r, zero, zero, zero, zero))
    return sympy.Union(*parts, evaluate=False)


SYMPY_UNIVERSE = _sympy_universe()

small = st.tuples(st.integers(0, 9), st.integers(0, 9)).map(sorted).map(tuple)


@st.composite
def boxes(draw):
    """A box of packets in a small corner of header space, as (ours, sympy's)."""
    family = draw(st.sampled_from((0, 1)))
    src, dst, protocol = draw(small), draw(small), draw(st.sampled_from(PROTOCOLS))
    ours = dict(family=family, src=src, dst=dst, protocol=protocol)
    zero = (0, 0)
    sport = dport = icmp_type = icmp_code = zero
    if protocol in (6, 17):
        sport, dport = draw(small), draw(small)
        ours.update(sport=sport, dport=dport)
    elif protocol in (1, 58):
        icmp_type, icmp_code = draw(small), draw(small)
        ours.update(icmp_type=icmp_type, icmp_code=icmp_code)
    theirs = sympy.ProductSet(sympy.Range(family, family + 1), _range(src), _range(dst),
                              sympy.Range(protocol, protocol + 1), _range(sport), _range(dport),
                              _range(icmp_type), _range(icmp_code))
    return PacketSet.box(**ours), theirs


def _combine(op, a, b):
    (x, sx), (y, sy) = a, b
    if op == "|":
        return x | y, sympy.Union(sx, sy, evaluate=False)
    if op == "&":
        return x & y, sympy.Intersection(sx, sy, evaluate=False)
    if op == "-":
        return x - y, sympy.Complement(sx, sy, evaluate=False)
    if op == "^":
        # sympy cannot test membership of an unevaluated SymmetricDifference
        return x ^ y, sympy.Union(sympy.Complement(sx, sy, evaluate=False),
                                  sympy.Complement(sy, sx, evaluate=False), evaluate=False)
    return ~x, sympy.Complement(SYMPY_UNIVERSE, sx, evaluate=False)


@st.composite
def expressions(draw, depth=2):
    if depth == 0 or draw(st.booleans()):
        return draw(boxes())
    op = draw(st.sampled_from(("|", "&", "-", "^", "~")))
    return _combine(op, draw(expressions(depth - 1)), draw(expressions(depth - 1)))


points = st.tuples(st.sampled_from((0, 1)), st.integers(0, 10), st.integers(0, 10),
                   st.sampled_from(PROTOCOLS + (0, 255)), st.integers(0, 10), st.integers(0, 10),
                   st.integers(0, 10), st.integers(0, 10))


def _sympy_has(theirs, point) -> bool:
    answer = theirs.contains(sympy.Tuple(*point))
    assert answer in (sympy.true, sympy.false), f"sympy could not decide {point}"
    return answer == sympy.true


@settings(max_examples=100, deadline=None)
@given(expressions(), st.lists(points, min_size=20, max_size=40))
def test_every_operation_agrees_with_sympy_on_integer_points(expr, sample):
    ours, theirs = expr
    witness = ours.witness()
    if witness is not None:
        sample = sample + [witness.point]
    for point in sample:
        assert (point in ours) == _sympy_has(theirs, point), point
    # as_sympy is the same set as the expression sympy evaluated
    if ours.count() < 5000:
        mine = ours.as_sympy()
        for point in sample:
            assert _sympy_has(mine, point) == (point in ours)


@settings(max_examples=100, deadline=None)
@given(expressions(), expressions())
def test_laws_of_the_algebra(a, b):
    x, y = a[0], b[0]
    assert (x | y) == (y | x) and (x & y) == (y & x)
    assert x - y == x & ~y
    assert ~~x == x and (x | ~x) == UNIVERSE and (x & ~x).is_empty()
    assert (x <= y) == (x - y).is_empty() == ((x | y) == y)
    assert x ^ y == (x | y) - (x & y)
    assert x.isdisjoint(y) == (x & y).is_empty()
    assert (x | y).count() == x.count() + y.count() - (x & y).count()


@settings(max_examples=100, deadline=None)
@given(expressions())
def test_witness_emptiness_and_boxes(expr):
    ours, theirs = expr
    assert (ours.witness() is None) == ours.is_empty() == (not ours)
    if ours:
        assert ours.witness() in ours and _sympy_has(theirs, ours.witness().point)
    # the boxes are disjoint and their union is the set
    pieces = [PacketSet.box(family=f, src=b[1], dst=b[2], protocol=b[3], sport=b[4], dport=b[5],
                            icmp_type=b[6], icmp_code=b[7])
              for b in ours.boxes() for f in range(b[0][0], b[0][1] + 1)]
    assert PacketSet.union(pieces) == ours
    assert all(p.isdisjoint(q) for p, q in itertools.combinations(pieces[:12], 2))


def test_count_matches_a_brute_force_count_in_a_small_corner():
    a = PacketSet.box(family=0, src=(0, 3), dst=(2, 5), protocol="tcp", sport=(0, 1), dport=(1, 3))
    b = PacketSet.box(family=0, src=(2, 6), dst=(0, 2), protocol="tcp", sport=(1, 2), dport=(0, 5))
    grid = itertools.product([0], range(8), range(8), [6], range(4), range(7), [0], [0])
    assert sum(p in (a | b) for p in grid) == (a | b).count() == a.count() + b.count() - (a & b).count()


def test_fields_by_name_and_cidr():
    web = PacketSet.box(protocol="tcp", src="0.0.0.0/0", dst="10.0.1.0/24", dport=443)
    assert Packet(ip_address("203.0.113.9"), ip_address("10.0.1.7"), 6, 40000, 443) in web
    assert Packet(ip_address("203.0.113.9"), ip_address("10.0.2.7"), 6, 40000, 443) not in web
    assert Packet(ip_address("2001:db8::1"), ip_address("2001:db8::2"), 6, 1, 443) not in web
    ping = PacketSet.box(protocol="icmp", icmp_type="echo-request")
    assert Packet(ip_address("1.2.3.4"), ip_address("5.6.7.8"), 1, icmp_type=8) in ping
    assert Packet(ip_address("1.2.3.4"), ip_address("5.6.7.8"), 1, icmp_type=0) not in ping
    # a TCP box ignores ICMP fields it does not have; a point with them is no packet
    assert (6, ) and (0, 1, 2, 6, 0, 443, 5, 0) not in PacketSet.box(protocol="tcp")
    assert PacketSet.box(protocol="any") == UNIVERSE and PacketSet.box() == UNIVERSE
    assert PacketSet.box(src="10.0.0.0/8", dst="::/0").is_empty()       # no packet mixes families
    with pytest.raises(ValueError, match="unknown protocol"):
        PacketSet.box(protocol="gre")


def test_summary_rows_merge_and_read_as_a_person_writes_them():
    ssh = PacketSet.union(PacketSet.box(protocol="tcp", src=f"10.{i}.0.0/16", dport=22) for i in range(4))
    assert ssh.summary() == "10.0.0.0/14 -> 0.0.0.0/0: tcp 22"
    mixed = PacketSet.box(protocol="icmp", src="0.0.0.0/0") | PacketSet.box(protocol="tcp", src="10.0.0.0/8", dport=443)
    assert mixed.summary().splitlines() == ["0.0.0.0/0 -> 0.0.0.0/0: icmp any",
                                           "10.0.0.0/8 -> 0.0.0.0/0: tcp 443"]
    not_web = ~PacketSet.box(protocol="tcp", dst="10.0.1.0/24", dport=(80, 443)) & PacketSet.box(family=0)
    assert "0.0.0.0/0 -> 0.0.0.0/0 except 10.0.1.0/24: tcp 80-443" in not_web.summary()
    assert UNIVERSE.summary() == "0.0.0.0/0 -> 0.0.0.0/0: any traffic\n::/0 -> ::/0: any traffic"
    assert EMPTY_SET.summary() == "nothing"
    assert PacketSet.box(protocol=50, dst="10.0.0.5").summary() == "0.0.0.0/0 -> 10.0.0.5: protocol 50"
    assert PacketSet.box(protocol="icmp", icmp_type="echo-request", family=0).summary() == \
        "0.0.0.0/0 -> 0.0.0.0/0: icmp echo-request"


def test_displays_as_latex_and_html():
    web = PacketSet.box(protocol="tcp", dst="10.0.1.0/24", dport=443, family=0)
    assert web._repr_latex_().startswith("$") and r"\times" in web._repr_latex_()
    html = PacketSet.box(protocol="tcp", dst="10.0.1.0/24", dport=443, family=0)._repr_html_()
    assert "<td>10.0.1.0/24</td>" in html and "<td>tcp 443</td>" in html


def test_equal_sets_are_one_object_and_hash_alike():
    a = PacketSet.box(protocol="tcp", dport=(1, 10)) | PacketSet.box(protocol="tcp", dport=(11, 20))
    b = PacketSet.box(protocol="tcp", dport=(1, 20))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1


# ---------------------------------------------------------------------------- fast paths
# Sets of one dimension (a destination range per box, one service) are "flat" nodes:
# their operations are merges of interval lists (or bisection of a few intervals into a
# long list), and a union of many boxes is built in one sort. Each is checked against the
# general sweep (the same canonical node) and against integer points.

@contextmanager
def _paths(flat_min=None, few=None):
    """Force the flat paths (``flat_min=0``) or the sweep (``flat_min`` huge), and among
    the flat paths the merge (``few`` huge) or bisection (``few=0``); the memo cleared
    either side, so that no result of another path is looked up."""
    saved = nodes.FLAT_MIN, nodes.FEW
    nodes.MEMO.clear()
    nodes.FLAT_MIN = saved[0] if flat_min is None else flat_min
    nodes.FEW = saved[1] if few is None else few
    try:
        yield
    finally:
        nodes.FLAT_MIN, nodes.FEW = saved
        nodes.MEMO.clear()


SWEEP = dict(flat_min=10**9)
MERGE = dict(flat_min=0, few=10**9)
BISECT = dict(flat_min=0, few=0)


def _top(family):
    return TOP[family]


@st.composite
def address_intervals(draw, family):
    """Inclusive destination intervals crowded near 0 and near the family's top (so that
    sets start inside, end at the top, touch and overlap), some past the top."""
    top = _top(family)
    if draw(st.booleans()):     # spread out: many apart, a few touching or overlapping
        base = draw(st.sampled_from((0, 1, top - 800)))
        pairs = [(base + 10 * i + a, base + 10 * i + a + n)
                 for i, (a, n) in enumerate(draw(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 12)),
                                                          min_size=20, max_size=80)))]
        return draw(st.permutations(pairs))
    near = st.one_of(st.integers(0, 60), st.integers(top - 60, top), st.integers(top + 1, top + 3))
    pairs = draw(st.lists(st.tuples(near, near).map(sorted).map(tuple), max_size=40))
    if draw(st.booleans()):
        pairs.append((0, draw(st.integers(0, 5))))
    return pairs


def _probes(family, *interval_lists):
    top = _top(family)
    points = {0, 1, top - 1, top}
    for pairs in interval_lists:
        for low, high in pairs:
            points.update(p for p in (low - 1, low, high, high + 1) if 0 <= p <= top)
    return sorted(points)[:400]


def _has(pairs, d):
    return any(low <= d <= high for low, high in pairs)


def _dst_set(family, pairs, dport=80):
    return PacketSet.union(PacketSet.box(family=family, protocol="tcp", dport=dport, dst=p) for p in pairs)


def _point(family, d, dport=80):
    return (family, 5, d, 6, 1000, dport, 0, 0)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from((0, 1)), st.data())
def test_flat_sets_agree_with_the_sweep_and_integer_points(family, data):
    a_pairs = data.draw(address_intervals(family))
    b_pairs = data.draw(address_intervals(family))
    results = {}
    for name, path in (("sweep", SWEEP), ("merge", MERGE), ("bisect", BISECT)):
        with _paths(**path):
            a, b = _dst_set(family, a_pairs), _dst_set(family, b_pairs)
            whole = PacketSet.box(family=family, protocol="tcp", dport=80)
            results[name] = (a, b, a | b, a & b, a - b, b - a, whole - a, a - whole, a | whole,
                             a & whole, (a & b) <= a, a <= b)
    assert results["merge"] == results["sweep"] == results["bisect"]
    a, b, union, both, a_only, b_only, not_a, nothing, whole_again, a_again, is_sub, _ = results["sweep"]
    assert nothing.is_empty() and whole_again == PacketSet.box(family=family, protocol="tcp", dport=80)
    assert a_again == a and is_sub
    for d in _probes(family, a_pairs, b_pairs):
        in_a, in_b = _has(a_pairs, d), _has(b_pairs, d)
        point = _point(family, d)
        assert (point in a, point in b) == (in_a, in_b), d
        assert (point in union, point in both, point in a_only, point in b_only, point in not_a) == \
            (in_a or in_b, in_a and in_b, in_a and not in_b, in_b and not in_a, not in_a), d


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_every_operation_agrees_with_sympy_on_the_flat_paths(data):
    for path in (MERGE, BISECT):
        with _paths(**path):
            ours, theirs = data.draw(expressions())
            sample = data.draw(st.lists(points, min_size=10, max_size=20))
            for point in sample + ([ours.witness().point] if ours else []):
                assert (point in ours) == _sympy_has(theirs, point), (path, point)


@st.composite
def box_fields(draw):
    """Fields of a box as a rule gives them, some out of range or contradictory."""
    fields = {}
    if draw(st.booleans()):
        fields["family"] = draw(st.sampled_from((0, 1)))
    for end in ("src", "dst"):
        kind = draw(st.sampled_from(("none", "pair", "cidr4", "cidr6")))
        if kind == "pair":
            fields[end] = draw(small)
        elif kind == "cidr4":
            fields[end] = draw(st.sampled_from(("10.0.0.0/8", "0.0.0.0/0", "10.0.1.5")))
        elif kind == "cidr6":
            fields[end] = draw(st.sampled_from(("::/0", "2001:db8::/32")))
    fields["protocol"] = draw(st.sampled_from((None, "tcp", "udp", "icmp", "icmpv6", "any", 50, (5, 20))))
    for name in ("sport", "dport", "icmp_type", "icmp_code"):
        if draw(st.booleans()):
            fields[name] = draw(st.one_of(st.integers(0, 3), st.tuples(st.integers(0, 3), st.integers(0, 70000))))
    return fields


def _box_within_the_universe(fields):
    """A box as the module built it before its fast path: the box of the given fields
    for each family, intersected with UNIVERSE."""
    fam = fields.get("family")
    families = [fam] if fam is not None else [0, 1]
    for end in ("src", "dst"):
        value = fields.get(end)
        if isinstance(value, str):
            version = ip_network(value, strict=False).version
            families = [f for f in families if f == (0 if version == 4 else 1)]
    number = boxes_module.parse_protocol(fields.get("protocol"))
    parts = []
    for f in families:
        pair = boxes_module.parse_pair
        iv = [(f, f), boxes_module.parse_end(fields.get("src"))[1], boxes_module.parse_end(fields.get("dst"))[1],
              number, pair(fields.get("sport")), pair(fields.get("dport")), pair(fields.get("icmp_type")),
              pair(fields.get("icmp_code"))]
        parts.append(nodes.box(iv))
    return PacketSet(nodes.apply(nodes.INTERSECTION, nodes._by_halves(parts), UNIVERSE._root))


@settings(max_examples=200, deadline=None)
@given(box_fields())
def test_a_box_is_its_fields_within_the_universe(fields):
    assert PacketSet.box(**fields) == _box_within_the_universe(fields)


@settings(max_examples=100, deadline=None)
@given(st.lists(box_fields(), max_size=12), st.lists(st.tuples(st.sampled_from((0, 1)), st.data()), max_size=3))
def test_a_union_of_many_is_the_union_by_pairs(many, flat_groups):
    """Boxes not yet built (built together by destination), boxes built, mixed depths,
    families and services: the union of many is the union by pairs with the sweep."""
    sets = [PacketSet.box(**f) for f in many]
    for family, data in flat_groups:
        pairs = data.draw(address_intervals(family))
        dport = data.draw(st.sampled_from((80, 443)))
        sets += [PacketSet.box(family=family, protocol="tcp", dport=dport, dst=p) for p in pairs]
    built = [PacketSet(s._root) for s in sets[::2]]          # some already built, some not
    fresh = [PacketSet.box(**f) for f in many]
    with _paths(**SWEEP):
        by_pairs = EMPTY_SET
        for s in sets:
            by_pairs = by_pairs | s
    assert PacketSet.union(fresh + sets[len(many):]) == PacketSet.union(built + sets[1::2]) == by_pairs
    assert PacketSet.union([]) == EMPTY_SET and PacketSet.union(sets[:1]) == (sets[0] if sets else EMPTY_SET)


def test_a_union_of_many_destination_ranges_reads_as_its_cidrs():
    # touching ranges join, given in any order; ranges at the family's top stay apart
    blocks = [f"10.0.{i}.0/24" for i in range(0, 200, 2)] + [f"10.0.{i}.0/24" for i in range(1, 200, 2)]
    joined = PacketSet.union(PacketSet.box(protocol="tcp", dst=b, dport=443) for b in blocks)
    assert joined == PacketSet.box(family=0, protocol="tcp", dst=(int(ip_address("10.0.0.0")), int(ip_address("10.0.199.255"))),
                                   dport=443)
    assert joined.summary() == "0.0.0.0/0 -> 10.0.0.0/17, 10.0.128.0/18, 10.0.192.0/21: tcp 443"
    ends = PacketSet.union(PacketSet.box(family=0, dst=(2**32 - 1 - 2 * i, 2**32 - 1 - 2 * i)) for i in range(40))
    assert ends.count() == 40 * PacketSet.box(family=0, dst="10.0.0.1").count()
    assert all((0, 7, 2**32 - 1 - 2 * i, 6, 1, 1, 0, 0) in ends for i in range(40))
    assert (0, 7, 2**32 - 2, 6, 1, 1, 0, 0) not in ends


def test_long_flat_sets_with_the_same_sample_of_starts_are_distinct_and_canonical():
    # Flat nodes of more than nodes._LONG starts are interned by a sample of their starts:
    # sets that differ only between the sampled starts must still be different nodes,
    # and each the same node however it is built (boxes, the sweep, an operation).
    pairs = [(100 * i + 50, 100 * i + 59) for i in range(300)]   # 601 starts: 0, then 300 pairs
    n = 2 * len(pairs) + 1
    assert n > nodes._LONG
    j = next(j for j in range(1, n) if (j - 1) % (n >> 6))        # a start the sample skips
    i = (j - 1) // 2
    low, high = pairs[i]
    # start j is interval i's low or its end; move it one inward
    shifted = pairs[:i] + [(low + 1, high) if j % 2 else (low, high - 1)] + pairs[i + 1:]
    gone = low if j % 2 else high
    a, b = _dst_set(0, pairs), _dst_set(0, shifted)

    def dst_node(s):
        return s._root.kids[0].kids[0]

    assert dst_node(a).level == nodes.DST and dst_node(a).starts[1::n >> 6] == dst_node(b).starts[1::n >> 6]
    assert a != b and a - b == _dst_set(0, [(gone, gone)]) and (b - a).is_empty()
    for path in (SWEEP, MERGE, BISECT):
        with _paths(**path):
            assert _dst_set(0, pairs[::-1]) == a and _dst_set(0, shifted[::-1]) == b
            assert a | b == a and a & b == b and b | (a - b) == a
            assert a - _dst_set(0, [(gone, gone)]) == b
    assert _point(0, gone) in a and _point(0, gone) not in b
