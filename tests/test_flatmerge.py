"""The C merge under long packet-set unions (vpcdsl/_flatmerge.c) against the
pure-Python merge it replaces (`packetset_nodes._or_sorted`), on random flat sets of
every width the dimensions have: ports (16 bits), IPv4 (32) and IPv6 (128)."""

from __future__ import annotations

from bisect import bisect_right

from hypothesis import given, settings
from hypothesis import strategies as st
import pytest

from vpcdsl import packetset_nodes
from vpcdsl.packetset_nodes import _or_sorted


def test_the_c_merge_is_built():
    """`make venv` installs a compiler and the Python headers, so the editable install
    compiled the extension; without it unions of long sets are 3-4x slower."""
    assert packetset_nodes._or_compiled is not None
    from vpcdsl import _flatmerge
    assert _flatmerge.or_flat is packetset_nodes._or_compiled


def flat_sets(top: int):
    """A flat set: whether it holds the first interval, and its ascending starts from 0."""
    points = st.lists(st.integers(1, top), max_size=40, unique=True).map(sorted)
    # a few distinct values near the top and near each other, so that equal starts meet
    crowded = st.lists(st.sampled_from((1, 2, 3, top - 2, top - 1, top)), max_size=6, unique=True).map(sorted)
    return st.tuples(st.booleans(), st.one_of(points, crowded).map(lambda p: (0, *p)))


def holds(inside: bool, starts, x: int) -> bool:
    """Whether the flat set holds x: the intervals before it, counted from `inside`."""
    return inside ^ (bisect_right(starts, x) % 2 == 0)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from((2**16 - 1, 2**32 - 1, 2**128 - 1)).flatmap(
    lambda top: st.tuples(st.just(top), flat_sets(top), flat_sets(top))))
def test_the_c_merge_agrees_with_the_python_merge(case):
    top, (in_a, sa), (in_b, sb) = case
    got = packetset_nodes._or_compiled(in_a, sa, in_b, sb)
    want = _or_sorted(in_a, sa, in_b, sb, top + 1)
    assert (got[0], list(got[1])) == (want[0], list(want[1]))
    # and it is the union, at every start and just before it
    points = {p + d for p in (*sa, *sb) for d in (-1, 0) if p + d >= 0}
    assert all(holds(*got, x) == (holds(in_a, sa, x) or holds(in_b, sb, x)) for x in points)


def test_its_starts_are_the_operands_objects():
    """The union keeps the operands' integers (interned long nodes compare fast by
    identity), and reads 128-bit starts whole."""
    big = 2**127 + 5
    sa, sb = (0, big, big + 10), (0, 2**100, big + 3)
    inside, starts = packetset_nodes._or_compiled(False, sa, False, sb)
    assert (inside, starts) == (False, (0, 2**100, big + 10))      # [2**100, big + 10)
    assert starts[1] is sb[1] and starts[2] is sa[2]


def test_bad_operands_are_refused_not_misread():
    with pytest.raises(TypeError):
        packetset_nodes._or_compiled(False, [0, 1], False, (0,))
    with pytest.raises(TypeError):
        packetset_nodes._or_compiled(False, (0, "1"), False, (0,))
    with pytest.raises(ValueError):
        packetset_nodes._or_compiled(False, (), False, (0,))
