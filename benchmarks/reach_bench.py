"""Reach benchmark (issue 11, part 2): what exactness for all packets costs.

    .venv/bin/python benchmarks/reach_bench.py [--runs 7] [--process-runs 5] [--lines 1000 3000 10000]

1. One pair, exact against brute force: `reach(web-1, db-1)` of
   examples/three-tier.vpc answers for every request (every protocol, port and ICMP
   type) against tracing each of the 65,536 TCP destination ports one by one (which
   still leaves UDP, ICMP and the other protocols unanswered). Ratio: brute force / reach.
2. Growth: `reach(src)` from one instance to every end of the generated hub-and-spoke
   estates of benchmarks/generate.py (the scale benchmark's models) at several sizes,
   against the number of destinations: the cost per destination should stay flat
   (one trace per packet class and address piece per destination); each estate
   again dual-stack (benchmarks/dual_stack.py), against its IPv4-only self.
3. Whole processes: `vpcdsl reach FILE web-1` against `vpcdsl trace FILE web-1 db-1
   tcp/5432` on three-tier (the start-up and compile both pay).

Medians of several runs, the functions timed in turns. Prints Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import vpcdsl  # noqa: E402
from vpcdsl.analysis.reach import flow_ends  # noqa: E402
from vpcdsl.flows.trace import Tracer  # noqa: E402

from benchutil import cpu_name as _cpu, process, timed  # noqa: E402


def brute_force_tcp(model, src: str, dst: str) -> int:
    tracer = Tracer(model)
    return sum(tracer.trace(src, dst, "tcp", port).allowed for port in range(65536))


def _reach_growth(text: str, filename: str, runs: int) -> tuple[float, int, int, int]:
    """reach(src) from the model's first instance: median time, destinations answered,
    ends, and traces made (counted in one more run)."""
    model = vpcdsl.loads(text, filename=filename, strict=False)
    ends = flow_ends(model)
    src = next(e for e in ends if model.instances.get(e) is not None)
    calls = [0]
    original = Tracer.trace

    def counting(self, *a, **k):
        calls[0] += 1
        return original(self, *a, **k)

    Tracer.trace = counting
    try:
        model.reach(src)
    finally:
        Tracer.trace = original
    t, answer = timed({"reach": lambda: model.reach(src)}, max(1, runs // 2))["reach"]
    return t, len({row.dst for row in answer.rows}), len(ends), calls[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--process-runs", type=int, default=5)
    ap.add_argument("--lines", type=int, nargs="+", default=[1000, 3000, 10000])
    args = ap.parse_args()

    three = vpcdsl.load(str(REPO / "examples" / "three-tier.vpc"))
    print(f"Machine: {_cpu()}; Python {sys.version.split()[0]}; medians of {args.runs} runs\n")

    print("#### One pair, exact, against tracing every TCP port\n")
    brute_runs = max(1, min(args.runs, 3))
    r = timed({"reach": lambda: three.reach("web-1", "db-1")}, args.runs)["reach"]
    b = timed({"brute": lambda: brute_force_tcp(three, "web-1", "db-1")}, brute_runs)["brute"]
    allowed_tcp = r[1].allowed().count()
    assert b[1] == 1 and allowed_tcp > 0, (b[1], allowed_tcp)     # both find tcp 5432 only
    print("| question | time | ratio |")
    print("|---|---:|---:|")
    print(f"| `reach(web-1, db-1)`: every request, {len(r[1].rows)} rows | {r[0] * 1000:.1f} ms | 1 |")
    print(f"| 65,536 traces, one per TCP port (TCP only; median of {brute_runs}) | {b[0]:.2f} s | "
          f"{b[0] / r[0]:.0f}× slower |")

    print("\n#### Growth: reach from one instance to every end of a generated estate\n")
    from dual_stack import dual_stack
    from generate import generate
    print("| model | ends | classes × pieces traced | reach(src) | per destination | against IPv4 only |")
    print("|---|---:|---:|---:|---:|---:|")
    per_dest = []
    for lines in args.lines:
        net, text = generate(lines, seed=1)
        ipv4_time = None
        for label, body in (("", text), (", dual-stack", dual_stack(net, text))):
            t, dests, ends, calls = _reach_growth(body, f"gen-{lines}{label.replace(', ', '-')}.vpc", args.runs)
            if ipv4_time is None:
                ipv4_time = t
                per_dest.append(t / max(1, dests))
            print(f"| {body.count(chr(10)):,} lines{label} | {ends:,} | {calls:,} | {t:.2f} s | "
                  f"{t / max(1, dests) * 1000:.1f} ms | {t / ipv4_time:.2f} |")
    if len(per_dest) > 1:
        print(f"\nPer-destination cost, largest / smallest model: {per_dest[-1] / per_dest[0]:.2f} "
              f"(1.00 is linear in the destinations).")

    print("\n#### Whole processes (three-tier)\n")
    path = "examples/three-tier.vpc"
    reach_s = process(["reach", path, "web-1"], args.process_runs)
    trace_s = process(["trace", path, "web-1", "db-1", "tcp/5432"], args.process_runs)
    check_s = process(["check", "-q", path], args.process_runs)
    print("| command | median | against `vpcdsl trace` |")
    print("|---|---:|---:|")
    for name, s in (("vpcdsl trace FILE web-1 db-1 tcp/5432", trace_s),
                    ("vpcdsl check -q FILE", check_s), ("vpcdsl reach FILE web-1", reach_s)):
        print(f"| `{name}` | {s:.2f} s | {s / trace_s:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
