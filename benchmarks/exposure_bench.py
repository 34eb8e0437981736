"""Exposure benchmark (issue 11, part 5): what the internet reaches on a generated estate.

    .venv/bin/python benchmarks/exposure_bench.py [--subnets 700 1000] [--runs 3] [--process-runs 3] [--seed 1]

Writes benchmarks/out/exposure-<N>.vpc: the hub-and-spoke estate of
`benchmarks/generate.py` (groups of a hub and seven spokes per region, peered; public,
app, data and cache tiers per spoke with NACLs, deny lists and partner allow-lists),
with as many VPCs as give at least N subnets. Times, in this process, `exposure(model)`
(median of several runs, the model compiled once), and as whole processes `vpcdsl
exposure FILE` against `vpcdsl check FILE`. Counts the targets, the traces made and the
time spent in them, and the traces reach's way (every target from every address piece
and port class of the model, `exposure(coarse=False)`) would make. Target: exposure of
the 10,000-line model (in-process) <= 2 s. Prints Markdown for BENCHMARKS.md; exit 1 when the target fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from benchutil import cpu_name as _cpu, process  # noqa: E402
import vpcdsl  # noqa: E402
from vpcdsl.analysis import exposure as exposure_module  # noqa: E402
from vpcdsl.analysis.reach import end_sides  # noqa: E402
from vpcdsl.flows.trace import Tracer  # noqa: E402

TARGET_S = 2.0
TARGET_LINES = 10_000        # the target: the 10k-line model (about 700 subnets)


def estate(subnets: int, seed: int) -> tuple[str, int]:
    """The generated estate's text with the fewest VPCs that hold ``subnets`` subnets."""
    n = max(2, subnets // 9)
    while True:
        net = generate.build_network(n, seed)
        count = sum(len(v.subnets) for v in net.vpcs)
        if count >= subnets:
            return generate.render_vpc(net), n
        n += max(1, (subnets - count) // 9)


def counted(model):
    """One exposure run with every trace counted and timed (a wrapper on `Tracer.trace`)."""
    calls, spent = [0], [0.0]
    original = Tracer.trace

    def trace(self, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t0
            calls[0] += 1

    Tracer.trace = trace
    try:
        t0 = time.perf_counter()
        result = exposure_module.exposure(model)
        total = time.perf_counter() - t0
    finally:
        Tracer.trace = original
    return result, calls[0], spent[0], total


def reach_way(model) -> int:
    """The traces `exposure(coarse=False)` would make: every target, from every piece of the
    internet, for every class of the model, per node (counted, not traced)."""
    tracer = Tracer(model)
    engine = exposure_module._Engine(model, tracer, False)
    pieces = len(engine.source_sides("internet"))
    classes = len(engine._classes_of(exposure_module._MODEL))
    nodes = 0
    for name, _, _ in exposure_module._targets(model):
        try:
            nodes += len(end_sides(model, tracer, name))
        except Exception:  # noqa: BLE001  (a target reach cannot answer is skipped there too)
            pass
    return pieces * classes * nodes




def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subnets", type=int, nargs="+", default=[700, 1000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--process-runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    rows, notes, verdict = [], [], None
    for n in args.subnets:
        text, vpcs = estate(n, args.seed)
        path = out / f"exposure-{n}.vpc"
        path.write_text(text, encoding="utf-8")
        shown = path.relative_to(REPO)
        t0 = time.perf_counter()
        model = vpcdsl.load(path)
        compile_s = time.perf_counter() - t0
        model.dataplane
        result, traces, in_traces, first = counted(model)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            again = exposure_module.exposure(model)
            times.append(time.perf_counter() - t0)
            del again
        median = statistics.median(times)
        check_p = process(["check", "-q", str(shown)], args.process_runs)
        exposure_p = process(["exposure", str(shown)], args.process_runs)
        brute = reach_way(model)
        per_trace = in_traces / traces if traces else 0.0
        rows.append((len(model.subnets), vpcs, len(result.targets), len(result.exposed()),
                     len(result.findings), traces, in_traces / first, median, check_p, exposure_p,
                     brute, brute * per_trace, compile_s))
        notes.append(f"{shown}: {path.stat().st_size / 1e6:.2f} MB, {vpcs} VPCs, compile {compile_s:.2f} s; "
                     f"{traces:,} traces at {per_trace * 1e6:.0f} µs each in the counted run")
        lines = text.count("\n")
        if lines >= TARGET_LINES and verdict is None:
            verdict = (lines, len(model.subnets), median, exposure_p)

    print("### Exposure (issue 11, part 5): what the internet reaches on a generated estate\n")
    print(f"Command: `.venv/bin/python benchmarks/exposure_bench.py --subnets {' '.join(map(str, args.subnets))} "
          f"--runs {args.runs} --process-runs {args.process_runs} --seed {args.seed}`\n")
    print(f"Machine: {_cpu()}, nproc {os.cpu_count()}; CPython {platform.python_version()}, commit {commit}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load} at start.\n")
    print("| subnets | VPCs | targets | exposed | findings | traces | in traces | exposure, in-process "
          "| `vpcdsl check -q` | `vpcdsl exposure` | reach's way: traces | est. time |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for (subnets, vpcs, targets, exposed, findings, traces, share, median, check_p, exposure_p,
         brute, brute_s, _) in rows:
        print(f"| {subnets:,} | {vpcs} | {targets:,} | {exposed:,} | {findings:,} | {traces:,} | {share:.0%} "
              f"| {median:.2f} s | {check_p:.2f} s | {exposure_p:.2f} s | {brute:,} | {brute_s / 3600:.1f} h |")
    print()
    for line in notes:
        print(f"- {line}")
    print(f"\nIn-process: median of {args.runs} runs on a model compiled once; processes: median of "
          f"{args.process_runs}. \"in traces\": the share of a counted run spent inside `Tracer.trace`. "
          f"\"est. time\": reach's way's traces at the measured cost per trace.")
    if verdict is None:
        print(f"\nTarget: exposure of the {TARGET_LINES:,}-line model <= {TARGET_S} s: not measured (no size that large)")
        return 1
    lines, subnets, median, whole = verdict
    passed = median <= TARGET_S
    print(f"\nTarget: exposure of the {TARGET_LINES:,}-line model ({lines:,} lines, {subnets:,} subnets) <= "
          f"{TARGET_S} s in-process: {median:.2f} s, {median / TARGET_S:.2f}x the target, "
          f"{'PASS' if passed else 'FAIL'}; as a whole process (`vpcdsl exposure`, compile and printing "
          f"included) {whole:.2f} s, {'PASS' if whole <= TARGET_S else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
