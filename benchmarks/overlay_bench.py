"""Overlay benchmark (issue 10): a selection change in the explorer on the 10k-line model.

    .venv/bin/python benchmarks/overlay_bench.py [--lines 10000] [--levels vpc,subnet] [--changes 40] [--runs 3]

The model comes from benchmarks/generate.py (benchmarks/out/gen-10k.vpc, written
when missing). Per level, in one run: the drawing without overlay (DOT from the
scene), its one Graphviz layout (`vpcdsl.views.layout.laid_out`: ``dot -Tjson0
-Tsvg``), then selection changes, each a trace (one `Tracer` kept, as the
explorer keeps it) plus `traced_svg` over the held layout: no Graphviz process.
Random flows between instances, to ``internet`` and to ``s3``. Medians (the
layout: median of ``--runs``). Also what a static traced file costs on top of the
layout (laid-out DOT, the step table measured, ``neato -n2 -Tsvg``), and
``layout_of`` on a cache hit (which builds the DOT again to find it).
Target: a selection change <= 100 ms, layout excluded. Prints markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchutil import cpu_name as _cpu  # noqa: E402
import vpcdsl  # noqa: E402
from vpcdsl.flows.trace import FlowError, Tracer  # noqa: E402
from vpcdsl.views import layout as layout_module  # noqa: E402
from vpcdsl.views.layout import laid_out, layout_of  # noqa: E402
from vpcdsl.views.overlay_dot import traced_digraph  # noqa: E402
from vpcdsl.views.overlay_svg import traced_svg  # noqa: E402
from vpcdsl.views.render import drawing  # noqa: E402

PORTS = (22, 80, 443, 5432, 6379, 8080)
TARGET_MS = 100.0


def _flows(model, n: int, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    names = sorted(model.instances)
    out = []
    for _ in range(n):
        roll = rng.random()
        dst = "internet" if roll < 0.1 else "s3" if roll < 0.15 else rng.choice(names)
        out.append((rng.choice(names), dst, "tcp", rng.choice(PORTS)))
    return out



def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--levels", default="vpc,subnet")
    ap.add_argument("--changes", type=int, default=40)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    label = f"{args.lines // 1000}k" if args.lines % 1000 == 0 else str(args.lines)
    path = HERE / "out" / f"gen-{label}.vpc"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--lines", str(args.lines),
                        "--out", str(HERE / "out")], check=True)
    model = vpcdsl.load(path)
    tracer = Tracer(model)
    picks = {"random": _flows(model, args.changes, args.seed), "allowed": []}
    for flow in _flows(model, 5000, args.seed + 1):       # flows that go through: the longest overlays
        try:
            if tracer.trace(*flow).allowed:
                picks["allowed"].append(flow)
        except FlowError:
            pass
        if len(picks["allowed"]) == args.changes:
            break
    dot_version = subprocess.run(["dot", "-V"], capture_output=True, text=True).stderr.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=HERE.parent).stdout.strip()
    print(f"Command: `.venv/bin/python benchmarks/overlay_bench.py --lines {args.lines} --levels {args.levels} "
          f"--changes {args.changes} --runs {args.runs} --seed {args.seed}`\n")
    print(f"Machine: {_cpu()}, nproc {os.cpu_count()}; CPython {platform.python_version()}, "
          f"{dot_version}, commit {commit}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
    print(f"Model: {path.name}: {len(model.vpcs)} VPCs, {len(model.subnets)} subnets, "
          f"{len(model.instances)} instances\n")
    print("| level | flows | DOT s | layout s (dot, once) | SVG KB | selection change ms: median | p90 | max "
          "| of which trace ms | traced_svg ms | steps drawn, median (max) | static traced SVG s "
          "| layout_of, cache hit s |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    verdict = "PASS"
    for level in args.levels.split(","):
        start = time.perf_counter()
        scene, title, g = drawing(model, level=level)
        source = g.source
        dot_s = time.perf_counter() - start
        layouts = []
        for _ in range(args.runs):
            layout_module.cache_clear()
            layout = laid_out(scene, title, source)
            layouts.append(layout.seconds)
        for which, flows in picks.items():
            changes, traces_s, svgs_s, steps = [], [], [], []
            kept = []
            for src, dst, proto, port in flows:
                t0 = time.perf_counter()
                try:
                    trace = tracer.trace(src, dst, proto, port)
                except FlowError:
                    continue
                t1 = time.perf_counter()
                svg = traced_svg(layout, trace)
                t2 = time.perf_counter()
                changes.append(t2 - t0)
                traces_s.append(t1 - t0)
                svgs_s.append(t2 - t1)
                kept.append(trace)
                steps.append(svg.count('class="vpc-trace vpc-trace-') + svg.count('class="edge vpc-trace '))
            changes.sort()
            p90 = changes[min(len(changes) - 1, int(len(changes) * 0.9))]
            static = []
            for trace in kept[:3]:
                t0 = time.perf_counter()
                traced_digraph(layout, trace).pipe(format="svg")
                static.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            layout_of(model, level=level)
            hit = time.perf_counter() - t0
            median = statistics.median(changes)
            if median * 1000 > TARGET_MS or p90 * 1000 > TARGET_MS:
                verdict = "FAIL"
            print(f"| {level} | {which} ({len(changes)}) | {dot_s:.2f} | {statistics.median(layouts):.2f} "
                  f"| {len(layout.svg) // 1024} | {_ms(median)} | {_ms(p90)} | {_ms(changes[-1])} "
                  f"| {_ms(statistics.median(traces_s))} | {_ms(statistics.median(svgs_s))} "
                  f"| {statistics.median(steps):g} ({max(steps)}) | {statistics.median(static):.2f} | {hit:.2f} |")
    print(f"\nTarget: a selection change <= {TARGET_MS:.0f} ms (median and p90), layout excluded: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
