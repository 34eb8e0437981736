"""The nodes under `vpcdsl.packetsets`: an interned interval decision diagram over the
eight packet dimensions, and its algebra (union, intersection, difference).

A node cuts one dimension (its ``level``) into intervals, ``starts[i]`` up to the next
start (or the dimension's top) leading to ``kids[i]``: a node of a later level, or one
of the terminals EMPTY and FULL. Nodes are reduced (no two neighbouring intervals lead
to the same node; a node with one interval is its child) and interned, so equal sets
are the same object; an operation on two nodes is memoized per pair, as BDD packages do.
A long flat node (see below) is interned by a sample of its starts and then compared
start by start, not by a hash of them all (`_long_flat`).

Three ways through an operation, the cheapest that applies:

* the general sweep: one pass over both cuts, recursing where two kids meet;
* "flat" operands (both cut the same dimension, and every interval leads to EMPTY or to
  one and the same node ``fill``, as a set of destination ranges of one service does):
  the set is a list of intervals of one dimension, so the operation is one linear
  merge of the two sorted starts in C (vpcdsl/_flatmerge.c, built by hatch_build.py;
  where it could not be built, a merge of C sorts: sorting the starts and the ends,
  then one comparison of neighbours finds where intervals meet), or, against a few
  intervals, bisection into the long side. Against
  a flat set, complement is free (the same starts, the other kid first), so
  intersection and difference are unions of complements;
* many operands (`union_all`): nodes with the same cut become one node whose
  intervals are the unions of their kids, flat nodes with the same fill one merge, the
  rest pairwise by halves.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import chain, compress, islice
from operator import attrgetter, itemgetter, le, lt

try:
    from vpcdsl._flatmerge import or_flat as _or_compiled
except ImportError:     # built without a C compiler: `_merge` gives the same answers, slower
    _or_compiled = None

DIMENSIONS = ("family", "src", "dst", "protocol", "sport", "dport", "icmp_type", "icmp_code")
FAMILY, SRC, DST, PROTOCOL, SPORT, DPORT, ICMP_TYPE, ICMP_CODE = range(8)
TOP = (1, 2**128 - 1, 2**128 - 1, 255, 65535, 65535, 255, 255)   # each dimension's largest value
LEAF = len(DIMENSIONS)
UNION, INTERSECTION, DIFFERENCE = 0, 1, 2


class Terminal:
    __slots__ = ("full",)
    level = LEAF
    fill = None

    def __init__(self, full: bool):
        self.full = full


EMPTY, FULL = Terminal(False), Terminal(True)


class Node:
    """A cut of dimension ``level`` into intervals: ``starts[i]`` (``starts[0]`` is 0) up
    to the next start lead to ``kids[i]``. ``fill``: where the kids are only EMPTY and
    one node, every other one, that node (a flat node), else None. Interned: build only
    with `node`, `intern` or `_flat_node`."""

    __slots__ = ("level", "starts", "kids", "fill", "__weakref__")

    def __init__(self, level: int, starts: tuple[int, ...], kids: tuple, fill):
        self.level, self.starts, self.kids, self.fill = level, starts, kids, fill


# Flat nodes are interned by (level, starts, fill, whether the first kid is EMPTY), the
# others by (level, starts, kids): a flat node's key needs no kids (a merge of flat sets
# builds them only for a new node), and each node has one key.
INTERNED: dict[tuple, Node] = {}
# Flat nodes of more than _LONG starts are interned by a sample of their starts (see
# `_long_flat`): in SAMPLED the first node with that sample, in INTERNED any other.
SAMPLED: dict[tuple, Node] = {}
_LONG = 256
MEMO: dict[tuple, object] = {}
_MEMO_LIMIT = 1 << 20
_BEYOND = 1 << 200          # past every dimension's top: the sweep's sentinel
# Below this many starts in all, two flat operands take the sweep (cheaper when short);
# a flat operand with under 1/FEW of the other's starts is bisected into it, not merged.
FLAT_MIN, FEW = 24, 24
_FIRST, _SECOND, _REST = itemgetter(0), itemgetter(1), itemgetter(slice(1, None))


def intern(level: int, starts: tuple, kids: tuple):
    """The interned node of an already reduced cut (at least two intervals)."""
    k0, k1 = kids[0], kids[1]
    fill = k1 if k0 is EMPTY else k0 if k1 is EMPTY else None
    n = len(kids)
    if fill is not None and n > 2 and (kids[0::2] != (k0,) * ((n + 1) >> 1) or kids[1::2] != (k1,) * (n >> 1)):
        fill = None
    if fill is None:
        key = (level, starts, kids)
    elif n > _LONG:
        return _long_flat(level, fill, k0 is not EMPTY, starts, kids)
    else:
        key = (level, starts, fill, k0 is EMPTY)
    found = INTERNED.get(key)
    if found is None:
        found = INTERNED[key] = Node(level, starts, kids, fill)
    return found


def node(level: int, starts: list[int], kids: list):
    """The reduced, interned node for these intervals (neighbours leading to the same
    node are merged; one interval left is its child itself)."""
    s, k = [starts[0]], [kids[0]]
    for start, kid in zip(starts[1:], kids[1:]):
        if kid is not k[-1]:
            s.append(start)
            k.append(kid)
    if len(k) == 1:
        return k[0]
    return intern(level, tuple(s), tuple(k))


def interval(level: int, low: int, high: int, kid):
    """The node where ``low..high`` (inclusive, within the dimension) leads to ``kid``
    and the rest of the dimension to EMPTY."""
    if kid is EMPTY:
        return EMPTY
    if low == 0:
        if high == TOP[level]:
            return kid
        starts, outside_first = (0, high + 1), False
    elif high == TOP[level]:
        starts, outside_first = (0, low), True
    else:
        starts, outside_first = (0, low, high + 1), True
    key = (level, starts, kid, outside_first)
    found = INTERNED.get(key)
    if found is None:
        kids = (kid, EMPTY) if not outside_first else (EMPTY, kid) if len(starts) == 2 else (EMPTY, kid, EMPTY)
        found = INTERNED[key] = Node(level, starts, kids, kid)
    return found


def intervals_node(level: int, pairs: list, top: int, kid):
    """The node where the union of inclusive intervals (``(low, high)`` pairs, or None for
    all of ``0..top``; cut to ``0..top``) leads to ``kid``, the rest of the dimension to
    EMPTY: one sort of the ends and the starts (see `_merge`)."""
    if kid is EMPTY:
        return EMPTY
    if None in pairs:
        return interval(level, 0, top, kid)
    lows, highs = list(map(_FIRST, pairs)), list(map(_SECOND, pairs))
    if min(lows) >= 0 and max(highs) <= top and all(map(le, lows, highs)):
        highs = list(map((1).__add__, highs))
    else:
        kept = [(max(low, 0), min(high, top) + 1) for low, high in pairs if max(low, 0) <= min(high, top)]
        if not kept:
            return EMPTY
        lows, highs = list(map(_FIRST, kept)), list(map(_SECOND, kept))
    inside, starts = _merge(lows, highs, TOP[level] + 1)
    return _flat_node(level, kid, inside, starts)


def box(intervals: list[tuple[int, int] | None]):
    """The node of one box: per dimension an inclusive (low, high), or None for all of it."""
    n = FULL
    for level in range(LEAF - 1, -1, -1):
        iv = intervals[level]
        if iv is None:
            continue
        low, high = max(iv[0], 0), min(iv[1], TOP[level])
        if low > high:
            return EMPTY
        n = interval(level, low, high, n)
    return n


# ---------------------------------------------------------------------------- two operands

def apply(op: int, a, b):
    r = _terminal(op, a, b)
    if r is not None:
        return r
    key = (op, id(a), id(b))
    found = MEMO.get(key)
    if found is not None:
        return found
    level = min(a.level, b.level)
    fill = a.fill if a.level == level else a
    if fill is not None and fill is (b.fill if b.level == level else b) \
            and len(a.starts if a.level == level else ()) + len(b.starts if b.level == level else ()) > FLAT_MIN:
        # both flat with the same fill (or one of them that fill itself: all of the dimension)
        result = _flat(op, level, fill, *_side(a, level), *_side(b, level))
    else:
        result = _sweep(op, level, a, b)
    if len(MEMO) > _MEMO_LIMIT:
        MEMO.clear()
    MEMO[key] = result
    return result


def _sweep(op: int, level: int, a, b):
    """One pass over both cuts, neighbours that lead to the same node merged on the way
    (the terminal cases inlined: they are most of the intervals of a wide cut)."""
    sa, ka = (a.starts, a.kids) if a.level == level else ((0,), (a,))
    sb, kb = (b.starts, b.kids) if b.level == level else ((0,), (b,))
    sa, sb = sa + (_BEYOND,), sb + (_BEYOND,)
    starts, kids, last = [], [], None
    add_start, add_kid, empty, recurse = starts.append, kids.append, EMPTY, apply
    i = j = start = 0
    next_a, next_b = sa[1], sb[1]
    while True:
        x, y = ka[i], kb[j]
        if op == UNION:
            r = x if (y is empty or x is y) else y if x is empty else recurse(op, x, y)
        elif op == INTERSECTION:
            r = empty if (x is empty or y is empty) else x if x is y else recurse(op, x, y)
        else:
            r = empty if (x is empty or x is y) else x if y is empty else recurse(op, x, y)
        if r is not last:
            add_start(start)
            add_kid(r)
            last = r
        if next_a < next_b:
            start = next_a
            i += 1
            next_a = sa[i + 1]
        elif next_b < next_a:
            start = next_b
            j += 1
            next_b = sb[j + 1]
        elif next_a == _BEYOND:
            break
        else:
            start = next_a
            i += 1
            j += 1
            next_a, next_b = sa[i + 1], sb[j + 1]
    if len(kids) == 1:
        return kids[0]
    return intern(level, tuple(starts), tuple(kids))


def _terminal(op: int, a, b):
    """The answer where an operand is a terminal or both are one node, else None."""
    if op == UNION:
        if a is FULL or b is FULL:
            return FULL
        if a is EMPTY or a is b:
            return b
        if b is EMPTY:
            return a
    elif op == INTERSECTION:
        if a is EMPTY or b is EMPTY:
            return EMPTY
        if a is FULL or a is b:
            return b
        if b is FULL:
            return a
    else:
        if a is EMPTY or b is FULL or a is b:
            return EMPTY
        if b is EMPTY:
            return a
    return None


# ---------------------------------------------------------------------------- flat sets
# A flat set of one dimension is (inside, starts): ``starts`` as a node's (from 0), the
# first interval in the set if ``inside``, and from there every other one. Its
# complement is (not inside, starts).

def _side(n, level: int) -> tuple[bool, tuple]:
    """A flat node, or its fill (all of the dimension), as a flat set."""
    return (n.kids[0] is not EMPTY, n.starts) if n.level == level else (True, (0,))


def _flat(op: int, level: int, fill, in_a: bool, sa, in_b: bool, sb):
    end = TOP[level] + 1
    if op == UNION:
        inside, starts = _or(in_a, sa, in_b, sb, end)
    elif op == INTERSECTION:                      # a & b = ~(~a | ~b)
        inside, starts = _or(not in_a, sa, not in_b, sb, end)
        inside = not inside
    else:                                         # a - b = ~(~a | b)
        inside, starts = _or(not in_a, sa, in_b, sb, end)
        inside = not inside
    return _flat_node(level, fill, inside, starts)


def _flat_node(level: int, fill, inside: bool, starts):
    n = len(starts)
    if n == 1:
        return fill if inside else EMPTY
    starts = tuple(starts)
    if n > _LONG:
        return _long_flat(level, fill, inside, starts, None)
    key = (level, starts, fill, not inside)
    found = INTERNED.get(key)
    if found is None:
        found = INTERNED[key] = Node(level, starts, _flat_kids(fill, inside, n), fill)
    return found


def _flat_kids(fill, inside: bool, n: int) -> tuple:
    pair = (fill, EMPTY) if inside else (EMPTY, fill)
    kids = pair * (n >> 1)
    return kids + pair[:1] if n & 1 else kids


def _long_flat(level: int, fill, inside: bool, starts: tuple, kids):
    """The interned flat node of many starts. Hashing them all is a large part of an
    operation on long sets, so the key is a sample of them (about 64, and the last);
    the node found there is compared start by start, which costs little where the
    starts are the same objects, as the merge's are. A different node with the same
    sample is interned under its full key."""
    n = len(starts)
    key = (level, fill, inside, n, starts[-1], starts[1::n >> 6])
    found = SAMPLED.get(key)
    if found is None:
        found = SAMPLED[key] = Node(level, starts, kids or _flat_kids(fill, inside, n), fill)
    elif found.starts != starts:
        full = (level, starts, fill, not inside)
        found = INTERNED.get(full)
        if found is None:
            found = INTERNED[full] = Node(level, starts, kids or _flat_kids(fill, inside, n), fill)
    return found


def _intervals(inside: bool, starts, end: int):
    """The set's intervals as their starts and their (exclusive) ends."""
    if inside:
        lows, highs = starts[0::2], starts[1::2]
    else:
        lows, highs = starts[1::2], starts[2::2]
    if len(highs) < len(lows):
        highs += (end,)
    return lows, highs


def _or(in_a: bool, sa, in_b: bool, sb, end: int):
    """The union of two flat sets, as a flat set."""
    if len(sa) < len(sb):
        in_a, sa, in_b, sb = in_b, sb, in_a, sa
    if len(sb) * FEW < len(sa):
        return _or_few(in_a, sa, *_intervals(in_b, sb, end), end)
    if _or_compiled is not None:
        return _or_compiled(in_a, sa, in_b, sb)
    return _or_sorted(in_a, sa, in_b, sb, end)


def _or_sorted(in_a: bool, sa, in_b: bool, sb, end: int):
    """`_or` without the C merge: the union as a merge of intervals (`_merge`)."""
    lows_a, highs_a = _intervals(in_a, sa, end)
    lows_b, highs_b = _intervals(in_b, sb, end)
    return _merge([*lows_a, *lows_b], [*highs_a, *highs_b], end)


def _merge(lows: list, highs: list, end: int):
    """The union of intervals ``lows[i]..highs[i]`` (exclusive; in any order, overlapping
    or not), as a flat set. Sorted apart, the i-th end and the (i+1)-th start bound a
    gap of the union exactly where the end comes first: every other pair is dropped."""
    if not lows:
        return False, (0,)
    lows.sort()
    highs.sort()
    apart = bytes(map(lt, highs, islice(lows, 1, None)))     # 0 where intervals i and i + 1 meet
    i = apart.find(0)
    if i >= 0 and apart.count(0) * 16 > len(lows):      # many meet: keep the others
        lows[1:] = compress(islice(lows, 1, None), apart)
        last = highs[-1]
        highs[:] = compress(highs, apart)
        highs.append(last)
        i = -1
    n = len(lows)
    x = [0] * (2 * n + 1)           # 0, low, high, low, high, ...
    x[1::2] = lows
    x[2::2] = highs
    if i >= 0:                      # a few meet: drop each one's x[2i + 2] (the end) and x[2i + 3] (the next start)
        out, at = [], 0
        while i >= 0:
            out += x[at:2 * i + 2]
            at = 2 * i + 4
            i = apart.find(0, i + 1)
        out += x[at:]
        x = out
    inside = x[1] == 0
    if inside:
        del x[0]
    if x[-1] == end:
        x.pop()
    return inside, x


def _or_few(inside: bool, starts, lows, highs, end: int):
    """A long flat set with a few intervals added: bisection for each interval, the
    long set's starts between them copied in slices."""
    out, at, result_inside = [0], 1, inside
    for low, high in zip(lows, highs):
        i = bisect_left(starts, low, at)
        out += starts[at:i]
        if low == 0:
            result_inside = True
        elif not inside ^ ((i - 1) & 1):           # low - 1 was outside: the set starts at low
            out.append(low)
        if high >= end:
            at = len(starts)
            break
        at = bisect_right(starts, high, i)
        if not inside ^ ((at - 1) & 1):            # high is outside: the set ends there
            out.append(high)
    out += starts[at:]
    return result_inside, out


# ---------------------------------------------------------------------------- many operands

_LEVEL, _STARTS, _KIDS = attrgetter("level"), attrgetter("starts"), attrgetter("kids")


def union_all(nodes) -> object:
    """The union of many nodes: those with the same cut merged column by column, flat
    ones with the same fill in one merge, what is left by halves."""
    found = dict.fromkeys(nodes)            # distinct nodes (identity), in order
    found.pop(EMPTY, None)
    if FULL in found:
        return FULL
    nodes = list(found)
    if len(nodes) < 3:
        return _by_halves(nodes)
    level = min(map(_LEVEL, nodes))
    here = [n for n in nodes if n.level == level]
    rest = [union_all([n for n in nodes if n.level != level])] if len(here) < len(nodes) else []
    cuts = set(map(_STARTS, here))
    if len(cuts) == len(here):
        groups = []
    elif len(cuts) == 1:
        groups = [here]
    else:
        by_cut: dict[tuple, list] = {}
        for n in here:
            by_cut.setdefault(n.starts, []).append(n)
        groups = list(by_cut.values())
    merged = here if not groups else []
    for group in groups:
        if len(group) == 1:
            merged.append(group[0])
        else:
            columns = [union_all(column) for column in zip(*map(_KIDS, group))]
            merged.append(node(level, list(group[0].starts), columns))
    by_fill: dict[int, list] = {}
    for n in merged:
        if n.level == level and n.fill is not None:
            by_fill.setdefault(id(n.fill), []).append(n)
        else:
            rest.append(n)
    for group in by_fill.values():
        rest.append(group[0] if len(group) == 1 else _flat_union(level, group))
    return _by_halves(rest)


def _flat_union(level: int, group: list):
    """The union of flat nodes of one level with the same fill, in one merge."""
    end = TOP[level] + 1
    starts = list(map(_STARTS, group))
    if all(map((1).__and__, map(len, starts))) and set(map(_FIRST, map(_KIDS, group))) == {EMPTY}:
        # every one from outside to outside (as boxes are): its starts after 0 are pairs
        flat = list(chain.from_iterable(map(_REST, starts)))
        lows, highs = flat[0::2], flat[1::2]
    else:
        lows, highs = [], []
        for n in group:
            low, high = _intervals(n.kids[0] is not EMPTY, n.starts, end)
            lows += low
            highs += high
    inside, merged = _merge(lows, highs, end)
    return _flat_node(level, group[0].fill, inside, merged)


def _by_halves(nodes: list):
    """The union by halves: O(n log n) where a left fold is O(n²)."""
    while len(nodes) > 1:
        nodes = [apply(UNION, nodes[i], nodes[i + 1]) if i + 1 < len(nodes) else nodes[i]
                 for i in range(0, len(nodes), 2)]
    return nodes[0] if nodes else EMPTY
