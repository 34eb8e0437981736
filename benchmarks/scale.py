"""Issue 9's scale figures: whole-process `vpcdsl check` on clean and warnings-heavy models,
its growth exponent and memory, against python-hcl2 parsing the same network, in one run.

For each size (default 10k, 100k, 200k lines) it generates the model with
`benchmarks/generate.py` (deterministic), writes a warnings-heavy copy (one W402
security group added to every VPC: thousands of warnings at 200k lines, the case
that used to re-split the source once per diagnostic), and times, as a user runs
them, `python -m vpcdsl check FILE` and `python -c "import hcl2; hcl2.loads(...)"`
on the .tf of the same network (both whole processes, through run.py's launcher,
which also reads each child's peak RSS). Memory is given above two baselines:
`python -c pass` (the bare interpreter) and `python -m vpcdsl --version` (the interpreter
with vpcdsl, Lark and the standard modules they import: a fixed ~16 MB that dominates a
small file); the marginal figure (RSS grown over file grown, smallest to largest size) is what the model
costs once the fixed footprint of imported code is set aside.

    .venv/bin/python benchmarks/scale.py                       # 10k,100k,200k; 3 runs
    .venv/bin/python benchmarks/scale.py --sizes 10k --runs 5 --hcl2-max-lines 10000

The growth exponent is log(t_big / t_small) / log(lines_big / lines_small)
between the smallest and the largest size; it is reported for the whole
process (start-up included, which flatters it) and for the process time less
the start-up of `python -m vpcdsl --version`.
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import REPO, median, parse_size, run_child  # noqa: E402  (the shared harness)

OUT = REPO / "benchmarks" / "out"
VPC_LINE = re.compile(r"^vpc (\S+) .*\{\s*$", re.M)


def generate(lines: int) -> tuple[Path, Path]:
    vpc, tf = OUT / f"gen-{lines // 1000}k.vpc", OUT / f"gen-{lines // 1000}k.tf"
    if not vpc.exists() or not tf.exists():
        subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "--lines",
                        str(lines), "--out", str(OUT)], check=True, cwd=REPO)
    return vpc, tf


def noisy_copy(vpc: Path) -> tuple[Path, int]:
    """The model with one W402 group in every VPC; returns the path and the VPC count."""
    text = vpc.read_text()
    count = 0

    def add(m):
        nonlocal count
        count += 1
        return m.group(0) + f"\n  sg noisy-{count} {{ out none; out tcp 443 to 0.0.0.0/0 }}"

    out = vpc.with_name(vpc.stem + "-warnings.vpc")
    out.write_text(VPC_LINE.sub(add, text))
    return out, count


def timed(cmd: list[str], runs: int, timeout: float) -> dict:
    results = [run_child(cmd, timeout) for _ in range(runs)]
    ok = [r for r in results if r["seconds"] is not None]
    return {"median_s": median([r["seconds"] for r in ok]),
            "rss_mb": max((r["maxrss_mb"] for r in ok), default=None),
            "rc": max(r["rc"] for r in results), "tail": results[-1]["output_tail"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10k,100k,200k")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--hcl2-max-lines", type=int, default=10_000)
    ap.add_argument("--timeout", type=float, default=600)
    args = ap.parse_args(argv)
    py = sys.executable
    base = timed([py, "-c", "pass"], args.runs, args.timeout)
    startup = timed([py, "-m", "vpcdsl", "--version"], args.runs, args.timeout)
    rows = []
    for lines in (parse_size(s) for s in args.sizes.split(",")):
        vpc, tf = generate(lines)
        noisy, vpcs = noisy_copy(vpc)
        clean = timed([py, "-m", "vpcdsl", "check", str(vpc)], args.runs, args.timeout)
        warn = timed([py, "-m", "vpcdsl", "check", "-q", str(noisy)], args.runs, args.timeout)
        hcl = None
        if lines <= args.hcl2_max_lines:
            hcl = timed([py, "-c", f"import hcl2; hcl2.loads(open({str(tf)!r}).read())"], 1,
                        args.timeout)
            if hcl["rc"] != 0 or hcl["median_s"] is None:
                sys.exit(f"python-hcl2 failed (install it with `make bench`):\n{hcl['tail']}")
        rows.append({"lines": len(vpc.read_text().splitlines()), "mb": vpc.stat().st_size / 1e6,
                     "vpcs": vpcs, "clean": clean, "warn": warn, "hcl2": hcl,
                     "tf_mb": tf.stat().st_size / 1e6})
        print(f"# {lines}: clean {clean['median_s']:.3f}s rc {clean['rc']}, warnings "
              f"{warn['median_s']:.3f}s rc {warn['rc']}", file=sys.stderr)
    print(report(rows, base, startup, args))
    return 0


def report(rows, base, startup, args) -> str:
    out = [f"Command: `.venv/bin/python benchmarks/scale.py --sizes {args.sizes} --runs {args.runs}`",
           "",
           f"Baselines (medians of {args.runs}): `python -c pass` {base['median_s']:.3f} s, "
           f"{base['rss_mb']:.0f} MB RSS; `python -m vpcdsl --version` {startup['median_s']:.3f} s, "
           f"{startup['rss_mb']:.0f} MB RSS (the imported code: "
           f"{startup['rss_mb'] - base['rss_mb']:.0f} MB above the interpreter).",
           "",
           "| .vpc lines | MB | VPCs (= W402 warnings) | `check` s | RSS above `python -c pass` MB | "
           "/ file | RSS above `vpcdsl --version` MB | / file | `check` s, warnings-heavy | .tf MB | "
           "python-hcl2 process s | hcl2 / vpcdsl |",
           "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in rows:
        above = r["clean"]["rss_mb"] - base["rss_mb"]
        model = r["clean"]["rss_mb"] - startup["rss_mb"]
        hcl = r["hcl2"]
        out.append(
            f"| {r['lines']} | {r['mb']:.2f} | {r['vpcs']} | {r['clean']['median_s']:.3f} | "
            f"{above:.0f} | {above / r['mb']:.1f}x | {model:.0f} | {model / r['mb']:.1f}x | "
            f"{r['warn']['median_s']:.3f} | {r['tf_mb']:.2f} | "
            + (f"{hcl['median_s']:.2f} (1 run) | {hcl['median_s'] / r['clean']['median_s']:.1f}x |"
               if hcl else "not run | n/a |"))
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        slope = (b["clean"]["rss_mb"] - a["clean"]["rss_mb"]) / (b["mb"] - a["mb"])
        out.append("")
        out.append(f"- memory per MB of model, {a['lines']} → {b['lines']} lines: {slope:.1f}x the "
                   "file's size (peak RSS grown over file size grown; the fixed import footprint "
                   "cancels)")
        size = math.log(b["lines"] / a["lines"])
        s0 = startup["median_s"]
        for key, name in (("clean", "clean"), ("warn", "warnings-heavy")):
            whole = math.log(b[key]["median_s"] / a[key]["median_s"]) / size
            less = math.log((b[key]["median_s"] - s0) / (a[key]["median_s"] - s0)) / size
            out.append("")
            out.append(f"- growth exponent, {name}, {a['lines']} → {b['lines']} lines: "
                       f"{whole:.2f} whole process, {less:.2f} less start-up (target ≤ 1.1)")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
