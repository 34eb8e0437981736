"""Diff benchmark (issue 11, part 8): `vpcdsl diff` of a generated model against the same
model with one rule changed. Target (the issue's): <= 2 s for two 10,000-line models.

    .venv/bin/python benchmarks/diff_bench.py [--full-lines 300 1000] [--sample-lines 1000 3000 10000]
        [--structural-lines 10000 146000] [--runs 3] [--sample 5] [--process-runs 5]

The change: the first NACL rule `in 150 allow tcp 443 from 10.N.0.0/16` of the
generated estate (benchmarks/generate.py: hub-and-spoke groups of eight VPCs) is deleted,
which cuts the hub's own instances off the CI servers' HTTPS: a few pairs of ends are
newly blocked, every other pair has to be compared to know it is not.

1. Whole diffs, in-process, median of --runs, at the --full-lines sizes: the structural
   half, then one `reach` per source end and model. The time in `reach` and the number
   of traces are counted (where the time goes).
2. Larger models (--sample-lines), where a whole diff takes hours: `reach(s)` in both models
   for --sample instance-like source ends spread over the estate, times their number, and
   `reach(internet, d)` (and each site's) for --sample destinations, times the
   destinations, plus the structural half. Said so in the output; a size also measured
   whole (the default 1,000) shows how close the estimate comes.
3. The part that does not trace, at --structural-lines: the structural diff of the
   one-rule change, and a whole diff of a comment-only change (every line moves; equal
   resolved models are not traced), each the median of --runs.
4. Whole processes: `vpcdsl diff` of three-tier against the README's change
   (tests/fixtures/diff) and of two identical 10,000-line files, against `vpcdsl check`.

Prints Markdown for BENCHMARKS.md; exit 1 when the target fails.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

import vpcdsl  # noqa: E402
import vpcdsl.analysis.diff_flows as diff_flows  # noqa: E402
from vpcdsl.analysis.diff import diff  # noqa: E402
from vpcdsl.analysis.diff_objects import model_shape, object_changes  # noqa: E402
from vpcdsl.analysis.reach import SERVICES, flow_ends, reach  # noqa: E402
from vpcdsl.flows.trace import Tracer  # noqa: E402
from vpcdsl.gcpause import paused_gc  # noqa: E402

from generate import generate  # noqa: E402
from benchutil import cpu_name as _cpu, process, timed  # noqa: E402

TARGET_S = 2.0
TARGET_LINES = 10000
_RULE = re.compile(r"^    in  150 allow tcp  443 +from 10\.\d+\.0\.0/16\n", re.M)


def models(lines: int, out: Path) -> tuple[Path, Path, object, object]:
    """The generated model of about ``lines`` lines and the same with one NACL rule deleted,
    written to ``out`` and compiled."""
    _, text = generate(lines, seed=1)
    changed, n = _RULE.subn("", text, count=1)
    assert n == 1, "the generated model has no `in 150 allow tcp 443` NACL rule"
    old, new = out / f"diff-{lines}-old.vpc", out / f"diff-{lines}-new.vpc"
    old.write_text(text, encoding="utf-8")
    new.write_text(changed, encoding="utf-8")
    return old, new, vpcdsl.load(old, strict=False), vpcdsl.load(new, strict=False)


def sources(model) -> list[str]:
    return [e for e in flow_ends(model) if e not in SERVICES]


class Counted:
    """Counts the traces and the time in `reach` while a diff runs."""

    def __enter__(self):
        self.reach_s, self.traces = 0.0, 0
        self._reach, self._trace = diff_flows.reach, Tracer.trace
        counter = self

        def timed_reach(*a, **k):
            t0 = time.perf_counter()
            try:
                return counter._reach(*a, **k)
            finally:
                counter.reach_s += time.perf_counter() - t0

        def counted_trace(tracer, *a, **k):
            counter.traces += 1
            return counter._trace(tracer, *a, **k)

        diff_flows.reach, Tracer.trace = timed_reach, counted_trace
        return self

    def __exit__(self, *exc):
        diff_flows.reach, Tracer.trace = self._reach, self._trace


def _structural(old, new) -> list:
    """The structural half as `diff` runs it: the models' shapes, then the objects."""
    with paused_gc():
        assert model_shape(old) != model_shape(new)
        return object_changes(old, new)


def _both(old, new, s: str, d: str | None) -> float:
    """Seconds for `reach(s, d)` in both models (``d`` None: every destination)."""
    t0 = time.perf_counter()
    reach(old, s, d)
    reach(new, s, d)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full-lines", type=int, nargs="*", default=[300, 1000])
    ap.add_argument("--sample-lines", type=int, nargs="*", default=[1000, 3000, 10000])
    ap.add_argument("--structural-lines", type=int, nargs="*", default=[10000, 146000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sample", type=int, default=5,
                    help="instances, and destinations of the internet, timed per sampled model")
    ap.add_argument("--process-runs", type=int, default=5)
    args = ap.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    argv = " ".join(sys.argv[1:])
    print(f"Command: `.venv/bin/python benchmarks/diff_bench.py{' ' + argv if argv else ''}`\n")
    print(f"Machine: {_cpu()}, nproc {os.cpu_count()}; CPython {platform.python_version()}, commit {commit}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {load} at start.\n")

    estimates: dict[int, float] = {}
    measured: dict[int, float] = {}
    print("#### Whole diffs of a one-rule change, in-process\n")
    print("| model | subnets | source ends | pairs compared | changes | traces | diff (median) | in `reach` "
          "| target | ratio |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for lines in args.full_lines:
        _, _, old, new = models(lines, out)
        times, share = [], []
        for _ in range(args.runs):
            with Counted() as c:
                t0 = time.perf_counter()
                d = diff(old, new)
                times.append(time.perf_counter() - t0)
            share.append(c.reach_s / times[-1])
        t = statistics.median(times)
        estimates[lines] = measured[lines] = t
        print(f"| {lines:,} lines | {len(new.subnets):,} | {len(sources(new)):,} | {d.pairs:,} | {len(d.flows)} | "
              f"{c.traces:,} | {t:.1f} s | {statistics.median(share):.0%} | {TARGET_S:.0f} s | "
              f"{t / TARGET_S:,.0f}× |")

    if args.sample_lines:
        print("\n#### Larger models: sampled, extrapolated\n")
        print("The internet (and each site) as a source costs far more than an instance: every piece of "
              "the public address space the model's rules tell apart, times every packet class, per "
              "destination. So the estimate times, in both models, `reach(s)` for "
              f"{args.sample} instances spread over the estate (times the instance-like sources) and "
              f"`reach(internet, d)` for {args.sample} destinations (times the destinations), each site "
              "likewise, plus the structural half.\n")
        print("| model | subnets | source ends | per instance-like source | internet, per destination | "
              "structural | diff, extrapolated | target | ratio |")
        print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for lines in args.sample_lines:
        _, _, old, new = models(lines, out)
        ends = sources(new)
        outside = [e for e in ends if e == "internet" or e in new.sites]
        inside = [e for e in ends if e not in outside]
        picked = inside[::max(1, len(inside) // args.sample)][:args.sample]
        per_source = statistics.median(_both(old, new, s, None) for s in picked)
        total = per_source * len(inside)
        per_dst = {}
        for s in outside:
            dsts = [d for d in flow_ends(new) if d != s and not (s == "internet" and d in SERVICES)]
            sample = dsts[::max(1, len(dsts) // args.sample)][:args.sample]
            per_dst[s] = statistics.median(_both(old, new, s, d) for d in sample)
            total += per_dst[s] * len(dsts)
        structural = timed({"objects": lambda: _structural(old, new)}, 1)["objects"][0]
        t = total + structural
        estimates[lines] = t
        note = f" (measured {measured[lines]:.0f} s)" if lines in measured else ""
        print(f"| {lines:,} lines | {len(new.subnets):,} | {len(ends):,} | {per_source:.2f} s | "
              f"{per_dst.get('internet', 0):.3f} s | {structural:.2f} s | {t:,.0f} s (≈ {t / 3600:.1f} h)"
              f"{note} | {TARGET_S:.0f} s | {t / TARGET_S:,.0f}× |")

    print("\n#### What is not traced: the structural diff, and a change that changes nothing\n")
    print("A comment added at the top moves every line: the objects are compared (spans aside) and "
          "found equal, so nothing is traced.\n")
    print("| model | subnets | compile | structural diff of the one-rule change | whole diff, comment-only "
          "change | target | ratio |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    for lines in args.structural_lines:
        old_path, _, old, new = models(lines, out)
        t0 = time.perf_counter()
        again = vpcdsl.loads("# reviewed: no change\n" + old_path.read_text(encoding="utf-8"),
                             filename=str(old_path), strict=False)
        compile_s = time.perf_counter() - t0
        got = timed({"objects": lambda: _structural(old, new), "same": lambda: diff(old, again)}, args.runs)
        (obj_s, changes), (same_s, same) = got["objects"], got["same"]
        assert len(changes) == 1 and same.empty, (changes, same.headline())
        print(f"| {lines:,} lines | {len(new.subnets):,} | {compile_s:.2f} s | {obj_s:.3f} s | {same_s:.3f} s | "
              f"{TARGET_S:.0f} s | {same_s / TARGET_S:.3f} |")

    print("\n#### Whole processes\n")
    fixture = ["tests/fixtures/diff/old", "tests/fixtures/diff/new"]
    same_path = out / f"diff-{TARGET_LINES}-old.vpc"
    if not same_path.exists():
        models(TARGET_LINES, out)
    rows = [("vpcdsl check tests/fixtures/diff/new", ["check", "-q", fixture[1]]),
            ("vpcdsl diff tests/fixtures/diff/old tests/fixtures/diff/new (README's change)", ["diff", *fixture]),
            ("vpcdsl check (10,000-line model)", ["check", "-q", str(same_path.relative_to(REPO))]),
            ("vpcdsl diff, the 10,000-line model against itself", ["diff", str(same_path.relative_to(REPO)),
                                                                    str(same_path.relative_to(REPO))])]
    print("| command | median |")
    print("|---|--:|")
    for name, command in rows:
        print(f"| `{name}` | {process(command, args.process_runs):.2f} s |")

    at_target = estimates.get(TARGET_LINES)
    if at_target is not None:
        passed = at_target <= TARGET_S
        how = "measured" if TARGET_LINES in args.full_lines else "extrapolated from sampled sources"
        print(f"\nTarget: diff of two {TARGET_LINES:,}-line models differing in one rule <= {TARGET_S:.0f} s: "
              f"{at_target:,.0f} s ({how}), {at_target / TARGET_S:,.0f}× the target, "
              f"{'PASS' if passed else 'FAIL'}")
        return 0 if passed else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
