#!/usr/bin/env python3
"""Packet sets (vpcdsl/packetsets.py) against sympy and against `portion`.

1. Against sympy, on what rules look like: two sets of N boxes (a destination CIDR
   times a TCP port range, as NACL and SG rules are), each operation — union,
   intersection, difference, complement — followed by the membership of 200 packets,
   which is what makes sympy's lazy sets do the work (its difference and complement
   stay unevaluated: evaluating them does not finish). Target: >= 100x faster.
2. Against `portion` on 10,000 intervals (destination addresses, one dimension):
   union, intersection, difference, complement and a subset test of two such sets,
   each timed alone on sets already built. Target: >= 10x faster.

Medians of several runs, both sides in the same process and run. Prints Markdown
for BENCHMARKS.md.

    .venv/bin/python benchmarks/packetset_bench.py [--runs 5] [--boxes 40] [--intervals 10000]
                                                  [--only sympy|portion]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vpcdsl import packetset_nodes  # noqa: E402
from vpcdsl.packetsets import PacketSet  # noqa: E402

SYMPY_TARGET, PORTION_TARGET = 100.0, 10.0


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _fresh(fn):
    """``fn`` with the operation memo cleared before each run: an operation repeated on
    the same pair would be a lookup. (Nodes stay interned, as in a long analysis.)"""
    def run():
        packetset_nodes.MEMO.clear()
        return fn()
    return run


def _rule_boxes(rng: random.Random, n: int):
    """N (low, high, port_low, port_high): a /16../28 block of 10.0.0.0/8 and a port range."""
    out = []
    for _ in range(n):
        prefix = rng.randint(16, 28)
        size = 2 ** (32 - prefix)
        low = (10 << 24) + rng.randrange(0, 2 ** 24 // size) * size
        port = rng.randint(0, 65000)
        out.append((low, low + size - 1, port, port + rng.choice((0, 0, 10, 1000))))
    return out


def against_sympy(runs: int, n: int) -> list[tuple[str, float, float]]:
    import sympy
    rng = random.Random(7)
    a_boxes, b_boxes = _rule_boxes(rng, n), _rule_boxes(rng, n)
    probes = [(rng.randint(10 << 24, (11 << 24) - 1), rng.randint(0, 65535)) for _ in range(200)]

    def ours_set(boxes):
        return PacketSet.union(PacketSet.box(family=0, protocol="tcp", dst=(lo, hi), dport=(pl, ph))
                               for lo, hi, pl, ph in boxes)

    def sympy_set(boxes):
        return sympy.Union(*(sympy.ProductSet(sympy.Range(lo, hi + 1), sympy.Range(pl, ph + 1))
                             for lo, hi, pl, ph in boxes))

    everything = sympy.ProductSet(sympy.Range(0, 2**32), sympy.Range(0, 65536))
    universe = PacketSet.box(family=0, protocol="tcp")
    ours_points = [(0, 0, d, 6, 0, p, 0, 0) for d, p in probes]
    sympy_points = [sympy.Tuple(d, p) for d, p in probes]

    def ours(op):
        def run():
            a, b = ours_set(a_boxes), ours_set(b_boxes)
            r = {"union": lambda: a | b, "intersection": lambda: a & b, "difference": lambda: a - b,
                 "complement": lambda: universe - a}[op]()
            return [pt in r for pt in ours_points]
        return run

    def theirs(op):
        def run():
            a, b = sympy_set(a_boxes), sympy_set(b_boxes)
            r = {"union": lambda: sympy.Union(a, b), "intersection": lambda: sympy.Intersection(a, b),
                 # evaluated, sympy's Complement of unions of product sets did not finish in
                 # 5 minutes for 4 boxes; unevaluated, membership does the work
                 "difference": lambda: sympy.Complement(a, b, evaluate=False),
                 "complement": lambda: sympy.Complement(everything, a, evaluate=False)}[op]()
            return [r.contains(pt) == sympy.true for pt in sympy_points]
        return run

    rows = []
    for op in ("union", "intersection", "difference", "complement"):
        assert ours(op)() == theirs(op)(), f"sympy and packetsets disagree on {op}"
        rows.append((op, _median(_fresh(ours(op)), runs), _median(theirs(op), max(1, runs // 2))))
    return rows


def against_portion(runs: int, n: int) -> tuple[list[tuple[str, float, float]], tuple[float, float]]:
    import portion
    rng = random.Random(11)

    def intervals():
        out = []
        for _ in range(n):
            low = rng.randrange(0, 2**32 - 2**12)
            out.append((low, low + rng.randint(0, 2**12)))
        return out

    a_iv, b_iv = intervals(), intervals()
    build_ours = lambda ivs: PacketSet.union(PacketSet.box(family=0, protocol="tcp", dst=iv) for iv in ivs)  # noqa: E731
    build_portion = lambda ivs: portion.Interval(*(portion.closed(lo, hi) for lo, hi in ivs))  # noqa: E731
    build = (_median(_fresh(lambda: build_ours(a_iv)), runs), _median(lambda: build_portion(a_iv), runs))
    a, b = build_ours(a_iv), build_ours(b_iv)
    pa, pb = build_portion(a_iv), build_portion(b_iv)
    universe, pall = PacketSet.box(family=0, protocol="tcp"), portion.closed(0, 2**32 - 1)
    ops = {
        "union": (lambda: a | b, lambda: pa | pb),
        "intersection": (lambda: a & b, lambda: pa & pb),
        "difference": (lambda: a - b, lambda: pa - pb),
        "complement": (lambda: universe - a, lambda: pall - pa),
        "subset test": (lambda: (a & b) <= a, lambda: pa.contains(pa & pb)),
    }
    # Same answers first: the union's number of maximal intervals.
    ours_runs = len([s for s in (a | b).boxes()])
    assert ours_runs == len(pa | pb), (ours_runs, len(pa | pb))
    rows = []
    for op, (mine, theirs) in ops.items():
        rows.append((op, _median(_fresh(mine), runs), _median(theirs, runs)))
    return rows, build


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--boxes", type=int, default=40)
    ap.add_argument("--intervals", type=int, default=10000)
    ap.add_argument("--only", choices=("sympy", "portion"), help="run one of the two comparisons")
    args = ap.parse_args(argv)
    ok = True
    if args.only != "portion":
        ok &= _print_sympy(args)
    if args.only != "sympy":
        ok &= _print_portion(args)
    return 0 if ok else 1


def _print_sympy(args) -> bool:
    ok = True
    print(f"#### Against sympy ({args.boxes} boxes each, then 200 membership tests; median of {args.runs})\n")
    print("| operation | packetsets | sympy | speed-up | target ≥ 100× |")
    print("|---|---:|---:|---:|---|")
    for op, mine, theirs in against_sympy(args.runs, args.boxes):
        ratio = theirs / mine
        ok &= ratio >= SYMPY_TARGET
        print(f"| {op} | {mine * 1e3:.2f} ms | {theirs * 1e3:.0f} ms | {ratio:,.0f}× | "
              f"{'PASS' if ratio >= SYMPY_TARGET else 'FAIL'} |")
    return ok


def _print_portion(args) -> bool:
    ok = True
    rows, (build_mine, build_theirs) = against_portion(args.runs, args.intervals)
    print(f"\n#### Against portion ({args.intervals:,} intervals each; median of {args.runs})\n")
    print("| operation | packetsets | portion | speed-up | target ≥ 10× |")
    print("|---|---:|---:|---:|---|")
    for op, mine, theirs in rows:
        ratio = theirs / mine
        ok &= ratio >= PORTION_TARGET
        print(f"| {op} | {mine * 1e3:.2f} ms | {theirs * 1e3:.1f} ms | {ratio:,.0f}× | "
              f"{'PASS' if ratio >= PORTION_TARGET else 'FAIL'} |")
    print(f"| building one set (not an operation) | {build_mine * 1e3:.0f} ms | {build_theirs * 1e3:.0f} ms | "
          f"{build_theirs / build_mine:.1f}× | |")
    return ok


if __name__ == "__main__":
    sys.exit(main())
