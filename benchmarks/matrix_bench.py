"""Matrix benchmark (issue 11, part 6): every pair of subnets at once, against re-tracing.

    .venv/bin/python benchmarks/matrix_bench.py [--subnets 250 1000 5000] [--runs 3]
        [--sample 200] [--process-runs 3]

1. `matrix(model, "subnet")` on the generated hub-and-spoke estates of
   benchmarks/generate.py, sized by their subnet count (the generator is driven by lines:
   about 14.5 lines per subnet), in-process, medians of ``--runs``.
2. The baseline the issue names: re-tracing every pair and packet class. At every size a
   random sample of ``--sample`` ordered pairs is traced class by class (the oracle of
   tests/test_matrix.py, which also checks the sample agrees) and the time per pair is
   extrapolated to all N(N-1) pairs; the report says it is extrapolated.
3. The growth exponent of the matrix time against the subnet count (a least-squares fit of
   log time on log N), and the pair classes and walks that decided each matrix.
4. Whole processes: `vpcdsl matrix FILE --json` (start-up, compile and output included)
   against `vpcdsl check FILE` on the same model.

Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import vpcdsl  # noqa: E402
from vpcdsl.analysis.flowsets import packet_classes  # noqa: E402
from vpcdsl.analysis.matrix import matrix  # noqa: E402
from vpcdsl.flows.trace import Tracer  # noqa: E402

from benchutil import cpu_name, process, timed  # noqa: E402

LINES_PER_SUBNET = 14.5


def retrace(model, mx, pairs) -> int:
    """Trace each pair class by class, as a matrix without pair classes would; check each
    verdict against the matrix cell. Returns the traces made."""
    tracer = Tracer(model)
    classes = packet_classes(model, None)
    n = 0
    for s, d in pairs:
        cell = mx.cell(s, d)
        allowed = cell.allowed if cell else 0
        for bit, c in enumerate(classes):
            t = tracer.trace(s, d, c.protocol, c.probe or None)
            n += 1
            assert bool(t.allowed) == bool(allowed >> bit & 1), (s, d, c.words)
    return n


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subnets", type=int, nargs="+", default=[250, 1000, 5000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--process-runs", type=int, default=3)
    args = ap.parse_args()
    from generate import generate

    print(f"Machine: {cpu_name()}; Python {sys.version.split()[0]}; matrix medians of {args.runs} "
          f"runs; re-tracing: {args.sample} random pairs per size, extrapolated\n")
    print("| subnets | lines | pairs | pair classes | walks | matrix | re-trace (extrapolated) | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    sizes, times, files = [], [], []
    tmp = Path(tempfile.mkdtemp(prefix="matrix-bench-"))
    for target in args.subnets:
        _, text = generate(int(target * LINES_PER_SUBNET), seed=1)
        path = tmp / f"estate-{target}.vpc"
        path.write_text(text)
        model = vpcdsl.load(str(path))
        model.dataplane                                    # compiled once, as the CLI does
        runs = args.runs if target <= 1000 else 1
        t, mx = timed({"matrix": lambda: matrix(model, "subnet")}, runs)["matrix"]
        n = len(mx.ends)
        pairs = n * (n - 1)
        rng = random.Random(7)
        sample = [tuple(rng.sample(mx.ends, 2)) for _ in range(args.sample)]
        t0 = time.perf_counter()
        retrace(model, mx, sample)
        per_pair = (time.perf_counter() - t0) / len(sample)
        baseline = per_pair * pairs
        sizes.append(n)
        times.append(t)
        files.append(path)
        print(f"| {n:,} | {len(text.splitlines()):,} | {pairs:,} | {mx.pair_classes:,} | {mx.traces:,} "
              f"| {t:.2f} s | {_duration(baseline)} | {baseline / t:,.0f}× |")
    if len(sizes) > 1:
        xs, ys = [math.log(x) for x in sizes], [math.log(y) for y in times]
        mx_, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx_) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx_) ** 2 for x in xs)
        print(f"\nGrowth exponent of the matrix time in the subnet count: {slope:.2f} "
              f"(the answer has N² cells; re-tracing is N² × classes)")
    print("\n| whole process | time |")
    print("|---|---:|")
    for path, n in zip(files, sizes):
        if n > 1500:
            continue
        m = process(["matrix", str(path), "--json"], args.process_runs)
        c = process(["check", str(path)], args.process_runs)
        print(f"| `vpcdsl matrix --json` ({n:,} subnets) | {m:.2f} s |")
        print(f"| `vpcdsl check` (same model) | {c:.2f} s |")
    return 0


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


if __name__ == "__main__":
    raise SystemExit(main())
