#!/usr/bin/env python3
"""Diagram benchmark (issue 4): DOT generation next to Graphviz's own layout of the same DOT.

    .venv/bin/python benchmarks/render_bench.py [--subnets 100,1000,5000] [--levels subnet,vpc,region] [--runs 5]

Models of about 100, 1,000 and 5,000 subnets are the first VPCs of the
network benchmarks/generate.py builds (hub-and-spoke groups, about nine
subnets per VPC), written to benchmarks/out/render-<N>.vpc. For each size and
level (default `subnet`, `vpc` and `region`): `vpcdsl.views.render.dot_source` on a freshly compiled model (what one
`vpcdsl render` does; compile outside the timing) and again on the same
model, then `dot -Tsvg` on that DOT in a subprocess. Medians over --runs
(layout: --layout-runs, one run only once a layout takes longer than
--layout-budget; killed after --layout-timeout and reported as such).
Target: DOT generation <= 1 s at 1,000 subnets (level `subnet`).
"""

from __future__ import annotations

import argparse
import gc
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import generate  # noqa: E402  (benchmarks/generate.py)
from run import _loadavg, machine_info  # noqa: E402  (benchmarks/run.py)

import vpcdsl  # noqa: E402

TARGET_SUBNETS = 1000
TARGET_S = 1.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def model_with_subnets(target: int, seed: int, out: Path) -> tuple[Path, dict]:
    """The first VPCs of the generated network whose subnet count is closest to ``target``."""
    net = generate.build_network(max(2, target // 4), seed)
    counts, total = [], 0
    for v in net.vpcs:
        total += len(v.subnets)
        counts.append(total)
    while counts[-1] < target:  # not enough yet: grow (the network for n is a prefix of any larger one)
        net = generate.build_network(len(net.vpcs) * 2, seed)
        counts, total = [], 0
        for v in net.vpcs:
            total += len(v.subnets)
            counts.append(total)
    n = min(range(2, len(counts) + 1), key=lambda k: (abs(counts[k - 1] - target), k))
    net = generate.build_network(n, seed)
    text = generate.render_vpc(net)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"render-{target}.vpc"
    path.write_text(text, encoding="utf-8")
    return path, {"vpcs": n, "subnets": counts[n - 1], "lines": text.count("\n"),
                  "regions": len({v.region for v in net.vpcs}), "peerings": len(net.peers)}


def time_dot(path: Path, level: str, runs: int) -> dict:
    from vpcdsl.views.render import dot_source

    fresh, again, compile_s = [], [], []
    source = None
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        model = vpcdsl.load(path)
        compile_s.append(time.perf_counter() - t0)
        gc.collect()
        t0 = time.perf_counter()
        text = dot_source(model, level=level)
        fresh.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        again_text = dot_source(model, level=level)
        again.append(time.perf_counter() - t0)
        if source is None:
            source = text
        if text != source or again_text != source:
            raise SystemExit(f"{path.name}: dot_source is not deterministic at level {level}")
        del model
    return {"compile_s": statistics.median(compile_s), "fresh_s": statistics.median(fresh),
            "again_s": statistics.median(again), "source": source, "runs": runs}


def time_layout(dot_path: Path, svg_path: Path, runs: int, budget: float, timeout: float) -> dict:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(["dot", "-Tsvg", "-o", str(svg_path), str(dot_path)],
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"timeout": timeout, "runs": len(times)}
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1],
                    "failed_after_s": elapsed}
        times.append(elapsed)
        if elapsed > budget:
            break
    return {"median_s": statistics.median(times), "runs": len(times),
            "svg_bytes": svg_path.stat().st_size}


def dot_version() -> str:
    try:
        proc = subprocess.run(["dot", "-V"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    return (proc.stderr or proc.stdout).strip().replace("dot - graphviz version ", "") or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subnets", default="100,1000,5000", help="comma-separated subnet counts (about)")
    ap.add_argument("--levels", default="subnet,vpc,region", help="comma-separated levels to draw (default subnet,vpc,region)")
    ap.add_argument("--runs", type=int, default=5, help="DOT generation runs per size (medians)")
    ap.add_argument("--layout-runs", type=int, default=3, help="`dot -Tsvg` runs per size (medians)")
    ap.add_argument("--layout-budget", type=float, default=60.0,
                    help="after a layout slower than this many seconds, do not repeat it")
    ap.add_argument("--layout-timeout", type=float, default=600.0, help="kill `dot` after this many seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=HERE / "out")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.subnets.split(",")]
    levels = args.levels.split(",")
    has_dot = shutil.which("dot") is not None
    machine = machine_info()
    command = shlex.join(["benchmarks/render_bench.py" if a == sys.argv[0] else a
                          for a in getattr(sys, "orig_argv", sys.argv)])
    rows = []
    for target in sizes:
        path, info = model_with_subnets(target, args.seed, args.out)
        for level in levels:
            log(f"{path.name} ({info['subnets']} subnets, {info['vpcs']} VPCs), level {level}: "
                f"dot_source x{args.runs} ...")
            dot = time_dot(path, level, args.runs)
            dot_path = args.out / f"render-{target}-{level}.dot"
            dot_path.write_text(dot["source"], encoding="utf-8")
            row = {"target": target, "level": level, **info, **{k: v for k, v in dot.items() if k != "source"},
                   "dot_bytes": len(dot["source"].encode("utf-8"))}
            if has_dot:
                log(f"  dot -Tsvg x{args.layout_runs} (timeout {args.layout_timeout:.0f} s) ...")
                row["layout"] = time_layout(dot_path, dot_path.with_suffix(".svg"), args.layout_runs,
                                            args.layout_budget, args.layout_timeout)
            rows.append(row)
    print(markdown(rows, machine, command, args, has_dot))
    target_rows = [r for r in rows if r["target"] == TARGET_SUBNETS and r["level"] == "subnet"]
    return 1 if any(r["fresh_s"] > TARGET_S for r in target_rows) else 0


def markdown(rows, machine, command, args, has_dot) -> str:
    out = []
    w = out.append
    w("## Diagrams (issue 4)")
    w("")
    w(f"Command: `{command}`")
    w("")
    w(f"Machine: {machine['cpu']}, nproc {machine['nproc']}; {machine['python']}, Graphviz {dot_version()}, "
      f"vpcdsl {machine['vpcdsl']} (commit {machine['commit']}); {machine['date']}; load average "
      f"{machine['loadavg_start']} at start, {_loadavg()} at end.")
    w("")
    w("| model | VPCs | subnets | .vpc lines | level | compile s | DOT generation s | DOT again s "
      "| DOT KB | `dot -Tsvg` layout s | SVG KB | layout / DOT |")
    w("|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        lay = r.get("layout")
        if lay is None:
            lay_s, svg, ratio = "n/a (no `dot`)", "n/a", "n/a"
        elif "timeout" in lay:
            lay_s, svg, ratio = f"> {lay['timeout']:.0f} (killed)", "n/a", f"> {lay['timeout'] / r['fresh_s']:.0f}"
        elif "error" in lay:
            lay_s, svg, ratio = (f"failed after {lay['failed_after_s']:.1f} s: `{lay['error']}`", "n/a", "n/a")
        else:
            runs = "" if lay["runs"] == args.layout_runs else f" ({lay['runs']} run{'s' if lay['runs'] > 1 else ''})"
            lay_s = f"{lay['median_s']:.2f}{runs}"
            svg = f"{lay['svg_bytes'] / 1024:.0f}"
            ratio = f"{lay['median_s'] / r['fresh_s']:.0f}"
        w(f"| render-{r['target']}.vpc | {r['vpcs']} | {r['subnets']} | {r['lines']} | {r['level']} "
          f"| {r['compile_s']:.2f} | {r['fresh_s']:.3f} | {r['again_s']:.3f} | {r['dot_bytes'] / 1024:.0f} "
          f"| {lay_s} | {svg} | {ratio} |")
    w("")
    for r in rows:
        if r["target"] == TARGET_SUBNETS and r["level"] == "subnet":
            verdict = "PASS" if r["fresh_s"] <= TARGET_S else "FAIL"
            w(f"Target: DOT generation <= {TARGET_S:g} s at {TARGET_SUBNETS:,} subnets: "
              f"{r['fresh_s']:.3f} s ({r['subnets']} subnets), {verdict}")
            w("")
    w(f"- DOT generation: `vpcdsl.views.render.dot_source(model, level=LEVEL)` on a model just compiled "
      f"(`vpcdsl.load`, outside the timing), median of {args.runs}; \"again\" is a second call on the same "
      "model. Both runs give byte-identical DOT (checked).")
    w(f"- Layout: `dot -Tsvg -o FILE.svg FILE.dot` in a subprocess, wall time, median of up to "
      f"{args.layout_runs} (a layout slower than {args.layout_budget:.0f} s runs once; killed after "
      f"{args.layout_timeout:.0f} s).")
    w(f"- Models: the first VPCs of `benchmarks/generate.py`'s network (seed {args.seed}) with the subnet "
      "count closest to the target, written to `benchmarks/out/render-<N>.vpc` with their DOT and SVG.")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
