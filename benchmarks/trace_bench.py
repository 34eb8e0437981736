"""Flow-trace benchmark (issue 3): one trace, and 10,000 random traces, on the 10k-line model.

    .venv/bin/python benchmarks/trace_bench.py [--lines 10000] [--traces 10000] [--seed 1]

The model comes from benchmarks/generate.py (written to benchmarks/out/ when
missing). Reports the compile time, the one-time data-plane build
(`Model.dataplane`), the median of single traces, and the time of 10,000
random traces between instances (and to `internet` and `s3`), as medians of
several runs. Target: a single trace <= 1 ms after compile.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import vpcdsl  # noqa: E402
from vpcdsl.flows.trace import FlowError, Tracer  # noqa: E402

PORTS = (22, 80, 443, 5432, 6379, 8080)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--traces", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    label = f"{args.lines // 1000}k" if args.lines % 1000 == 0 else str(args.lines)
    path = HERE / "out" / f"gen-{label}.vpc"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--lines", str(args.lines),
                        "--out", str(HERE / "out")], check=True)

    start = time.perf_counter()
    model = vpcdsl.load(path)
    compile_s = time.perf_counter() - start
    start = time.perf_counter()
    model.dataplane  # noqa: B018  (built once per model)
    dataplane_s = time.perf_counter() - start
    tracer = Tracer(model)

    rng = random.Random(args.seed)
    names = sorted(model.instances)
    flows = []
    for _ in range(args.traces):
        src = rng.choice(names)
        roll = rng.random()
        dst = "internet" if roll < 0.1 else "s3" if roll < 0.15 else rng.choice(names)
        flows.append((src, dst, "tcp", rng.choice(PORTS)))

    singles, by_verdict = [], {"allowed": [], "blocked": []}
    for src, dst, proto, port in flows[:2000]:
        t0 = time.perf_counter()
        try:
            verdict = tracer.trace(src, dst, proto, port).verdict
        except FlowError:
            verdict = None
        elapsed = time.perf_counter() - t0
        singles.append(elapsed)
        if verdict is not None:
            by_verdict[verdict].append(elapsed)

    batches, verdicts = [], {}
    for _ in range(args.runs):
        verdicts = {"allowed": 0, "blocked": 0, "error": 0}
        t0 = time.perf_counter()
        for src, dst, proto, port in flows:
            try:
                verdicts[tracer.trace(src, dst, proto, port).verdict] += 1
            except FlowError:
                verdicts["error"] += 1
        batches.append(time.perf_counter() - t0)

    single = statistics.median(singles) * 1000
    batch = statistics.median(batches)
    print(f"## Flow traces (issue 3)\n")
    print(f"Command: `.venv/bin/python benchmarks/trace_bench.py --lines {args.lines} "
          f"--traces {args.traces} --runs {args.runs} --seed {args.seed}`\n")
    print("| model | compile s | data plane s | one trace, median ms | "
          f"{args.traces:,} traces, median s | per trace ms | verdicts |")
    print("|---|--:|--:|--:|--:|--:|---|")
    print(f"| {path.name} ({len(model.instances)} instances) | {compile_s:.2f} | {dataplane_s:.3f} | "
          f"{single:.3f} | {batch:.2f} | {batch / args.traces * 1000:.3f} | "
          f"{verdicts['allowed']} allowed, {verdicts['blocked']} blocked, {verdicts['error']} not traced |")
    for verdict, times in by_verdict.items():
        if times:
            print(f"\n{verdict} traces alone: median {statistics.median(times) * 1000:.3f} ms, "
                  f"slowest {max(times) * 1000:.3f} ms ({len(times)} of the first 2,000)", end="")
    print()
    target = "PASS" if single <= 1.0 else "FAIL"
    print(f"\nTarget: one trace <= 1 ms after compile: {single:.3f} ms, {target}")
    return 0 if single <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
