#!/usr/bin/env python3
"""Benchmark of the language core: `vpcdsl check` on generated models of 1k–100k lines.

For each size it times the real CLI in a subprocess (and its peak RSS, taken
through a small launcher; see LAUNCHER), `vpcdsl.load` in-process, Lark's bare
LALR parse of the same text (the floor), and python-hcl2 on the same network
written as Terraform.
Prints a Markdown report for BENCHMARKS.md; `--json FILE` keeps the raw numbers.

    .venv/bin/python benchmarks/run.py                  # 1k, 10k, 100k; 5 runs
    .venv/bin/python benchmarks/run.py --quick          # 1k, 10k; 3 runs; hcl2 at 1k only
    .venv/bin/python benchmarks/run.py --sizes 10k --runs 3 --json benchmarks/out/bench.json

Exit status: 0 all targets pass, 1 a target fails, 2 vpcdsl could not be
imported or `vpcdsl check` failed on a generated model.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402  (benchmarks/generate.py)

# Targets for the language core.
MIN_MBPS = 0.5          # full check throughput, in-process, at the largest size
MAX_FLOOR_RATIO = 2.5   # full check / bare Lark parse, at the largest size
MIN_HCL2_RATIO = 20.0   # python-hcl2 time / vpcdsl time, same network
MAX_GROWTH = 12.0       # time(100k) / time(10k)
MAX_RSS_MB = 400.0      # peak RSS of `vpcdsl check` at 100k lines


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def parse_size(text: str) -> int:
    t = text.strip().lower()
    mult = {"k": 1000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def median(xs):
    return statistics.median(xs) if xs else None


# --------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------

def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info() -> dict:
    cpu = platform.processor() or platform.machine()
    mem_gb = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip() or "no commit"
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        if dirty:
            commit += " (uncommitted changes)"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {
        "cpu": cpu,
        "nproc": nproc,
        "memory_gb": mem_gb,
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "lark": _version("lark"),
        "python-hcl2": _version("python-hcl2"),
        "vpcdsl": _version("vpcdsl"),
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "loadavg_start": _loadavg(),
    }


def _shown_path(path: Path) -> str:
    path = path.resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def _loadavg() -> str | None:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return None


def import_vpcdsl():
    """The working tree's vpcdsl, or (None, reason)."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        import vpcdsl
    except Exception as e:  # noqa: BLE001 - any import failure means "not ready"
        return None, f"{type(e).__name__}: {e}"
    return vpcdsl, None


def has_cli() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("vpcdsl.__main__") is not None
    except (ImportError, ValueError):
        return False


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------

# A child's ru_maxrss is not its own peak: on Linux, exec records the RSS of the
# address space it replaces, and subprocess uses vfork, so that is the *parent's*
# RSS (this harness, hundreds of MB after a 100k load). Both wait4() in the parent
# and RUSAGE_SELF in the child report it. So each measured command is started by a
# tiny launcher (about 10 MB resident) that reports the wait4 rusage of its own
# child: that child's peak is then max(launcher RSS, its own peak) = its own peak.
LAUNCHER = r"""
import json, os, signal, sys, time
out, timeout, argv = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
hwm = None
try:
    with open("/proc/self/status") as f:
        hwm = next((int(l.split()[1]) for l in f if l.startswith("VmHWM:")), None)
except OSError:
    pass
t0 = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
signal.signal(signal.SIGALRM, lambda *_: os.kill(pid, signal.SIGKILL))
signal.alarm(timeout)
_, status, ru = os.wait4(pid, 0)
seconds = time.perf_counter() - t0
signal.alarm(0)
with open(out, "w") as f:
    json.dump({"rc": os.waitstatus_to_exitcode(status), "ru_maxrss": ru.ru_maxrss,
               "seconds": seconds, "launcher_hwm_kb": hwm}, f)
"""


def _rss_mb(ru_maxrss: int) -> float:
    # Linux reports KiB, macOS bytes.
    return ru_maxrss * (1 if sys.platform == "darwin" else 1024) / 1e6


def run_child(cmd: list[str], timeout: float) -> dict:
    """Run `cmd` through the launcher: wall time, exit code, output tail, its own peak RSS (MB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "rusage.json"
        subprocess.run([sys.executable, "-c", LAUNCHER, str(result), str(int(timeout)), *cmd],
                       stdout=out, stderr=subprocess.STDOUT, cwd=REPO, timeout=timeout + 60, check=False)
        out.seek(0)
        tail = out.read()[-2000:].decode("utf-8", "replace")
        try:
            r = json.loads(result.read_text())
        except (OSError, ValueError):
            return {"seconds": None, "rc": -1, "maxrss_mb": None, "output_tail": "launcher failed:\n" + tail}
    return {"seconds": r["seconds"], "rc": r["rc"], "maxrss_mb": _rss_mb(r["ru_maxrss"]),
            "launcher_rss_mb": r["launcher_hwm_kb"] and r["launcher_hwm_kb"] * 1024 / 1e6,
            "output_tail": tail}


def measure_cli(path: Path, runs: int, timeout: float) -> dict:
    cmd = [sys.executable, "-m", "vpcdsl", "check", str(path)]
    results = []
    for _ in range(runs):
        r = run_child(cmd, timeout)
        results.append(r)
        if r["rc"] != 0:
            break       # one failure says enough; do not spend the timeout five times
    bad = [r for r in results if r["rc"] != 0]
    ok = [r for r in results if r["seconds"] is not None]
    return {
        "command": shlex.join(cmd),
        "seconds": [r["seconds"] for r in ok],
        "maxrss_mb": [r["maxrss_mb"] for r in ok],
        "launcher_rss_mb": max((r.get("launcher_rss_mb") or 0 for r in ok), default=None),
        "median_s": median([r["seconds"] for r in ok]),
        "peak_rss_mb": max((r["maxrss_mb"] for r in ok), default=None),
        "rc": bad[0]["rc"] if bad else 0,
        "output_tail": (bad[0] if bad else results[-1])["output_tail"],
    }


def measure_startup(runs: int, timeout: float) -> dict:
    cmd = [sys.executable, "-c", "import vpcdsl"]
    results = [run_child(cmd, timeout) for _ in range(runs)]
    ok = [r for r in results if r["seconds"] is not None]
    return {"command": shlex.join(cmd), "median_s": median([r["seconds"] for r in ok]),
            "maxrss_mb": max((r["maxrss_mb"] for r in ok), default=None),
            "rc": max(r["rc"] for r in results)}


class Loader:
    """Calls vpcdsl.load on a path, or on an open file if load wants one (json-style API)."""

    def __init__(self, vpcdsl) -> None:
        self.vpcdsl = vpcdsl
        self.with_file = False

    def __call__(self, path: Path):
        try:
            if self.with_file:
                with open(path, encoding="utf-8") as f:
                    return self.vpcdsl.load(f)
            return self.vpcdsl.load(path)
        except Exception as e:
            # load(strict=True) raises after all the work when the model has errors;
            # the time still counts, and the diagnostics are reported.
            if hasattr(e, "diagnostics"):
                return e
            raise

    def warm_up(self, path: Path):
        """First call: builds cached parsers; decides path vs file."""
        try:
            return self(path)
        except (TypeError, AttributeError):
            self.with_file = True
            return self(path)


def summarize_result(result) -> dict:
    """What `load` returned, told generically (the API is still being written)."""
    info = {"type": type(result).__name__}
    diags = getattr(result, "diagnostics", None)
    if diags is not None:
        try:
            diags = list(diags)
            info["diagnostics"] = len(diags)
            sev = [str(getattr(d, "severity", "")).lower() for d in diags]
            info["errors"] = sum(1 for s in sev if s.endswith("error"))
            info["warnings"] = sum(1 for s in sev if s.endswith("warning"))
        except TypeError:
            pass
    return info


def measure_load(loader: Loader, path: Path, runs: int) -> dict:
    times, info = [], {}
    for _ in range(runs):
        gc.collect()    # start each run from a clean heap; gc itself stays enabled
        t0 = time.perf_counter()
        result = loader(path)
        times.append(time.perf_counter() - t0)
        info = summarize_result(result)
        del result
    return {"seconds": times, "median_s": median(times), "result": info}


def build_floor_parser():
    """Lark's own LALR parser for vpcdsl's grammar: no positions, no transformer."""
    import lark

    try:
        import vpcdsl.syntax.grammar as vg
    except Exception:  # noqa: BLE001 - fall back to the grammar file itself
        vg = None
    if vg is not None and hasattr(vg, "grammar_text"):
        text, source = vg.grammar_text(), "vpcdsl.syntax.grammar.grammar_text()"
    else:
        text, source = (REPO / "grammar" / "vpc.lark").read_text(encoding="utf-8"), "grammar/vpc.lark"
    start = getattr(vg, "START", "start") if vg is not None else "start"
    parser = lark.Lark(text, parser="lalr", lexer="contextual", propagate_positions=False,
                       maybe_placeholders=False, start=start)
    return parser, f"lark.Lark({source}, parser='lalr', lexer='contextual', " \
                   f"propagate_positions=False, maybe_placeholders=False, start={start!r}).parse(text)"


def measure_floor(parser, text: str, runs: int) -> dict:
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        tree = parser.parse(text)
        times.append(time.perf_counter() - t0)
        del tree
    return {"seconds": times, "median_s": median(times)}


def measure_hcl2(text: str, runs: int) -> dict:
    import hcl2

    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        doc = hcl2.loads(text)
        times.append(time.perf_counter() - t0)
        del doc
    return {"seconds": times, "median_s": median(times), "runs": runs}


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def fmt(x, spec=".3f", none="n/a"):
    return none if x is None else format(x, spec)


def ratio(a, b):
    return a / b if a is not None and b else None


def evaluate(rows: list[dict]) -> list[dict]:
    """One line per target: what was measured where, and PASS / FAIL / n/a."""
    by_lines = {r["target_lines"]: r for r in rows}
    done = [r for r in rows if r.get("load")]
    largest = max(done, key=lambda r: r["target_lines"]) if done else None
    targets = []

    def add(name, value, ok, where, spec=".2f"):
        targets.append({"target": name, "measured": value, "where": where,
                        "result": "n/a" if value is None else ("PASS" if ok(value) else "FAIL"),
                        "text": fmt(value, spec)})

    add(f"full check >= {MIN_MBPS} MB/s (in-process load)",
        largest and largest["load_mbps"], lambda v: v >= MIN_MBPS,
        largest and largest["label"])
    add(f"full check / Lark floor <= {MAX_FLOOR_RATIO}",
        largest and largest.get("floor_ratio"), lambda v: v <= MAX_FLOOR_RATIO,
        largest and largest["label"])
    with_hcl2 = [r for r in done if r.get("hcl2_ratio") is not None]
    h = max(with_hcl2, key=lambda r: r["target_lines"]) if with_hcl2 else None
    add(f"python-hcl2 / vpcdsl >= {MIN_HCL2_RATIO:g}x (same network)",
        h and h["hcl2_ratio"], lambda v: v >= MIN_HCL2_RATIO,
        h and h["label"], spec=".1f")
    a, b = by_lines.get(100_000), by_lines.get(10_000)
    growth = ratio(a and a.get("load") and a["load"]["median_s"], b and b.get("load") and b["load"]["median_s"])
    add(f"time(100k) / time(10k) <= {MAX_GROWTH:g}", growth, lambda v: v <= MAX_GROWTH, "100k vs 10k")
    rss = a and a.get("cli") and a["cli"]["peak_rss_mb"]
    add(f"peak RSS of `vpcdsl check` <= {MAX_RSS_MB:g} MB at 100k", rss, lambda v: v <= MAX_RSS_MB,
        "100k", spec=".0f")
    return targets


def markdown(report: dict) -> str:
    m, cfg, rows = report["machine"], report["config"], report["sizes"]
    out = []
    w = out.append
    w("## Language core: `vpcdsl check` on generated models")
    w("")
    w(f"Command: `{report['command']}`")
    w("")
    w(f"Machine: {m['cpu']}, nproc {m['nproc']}, {m['memory_gb']} GB RAM, {m['os']}; "
      f"{m['python']}, lark {m['lark']}, python-hcl2 {m['python-hcl2']}, vpcdsl {m['vpcdsl']} "
      f"(commit {m['commit']}); {m['date']}; load average {m['loadavg_start']} at start, "
      f"{m.get('loadavg_end')} at end (other work on the machine shows up as noise).")
    w("")
    for p in report.get("problems", []):
        w(f"**Not measured:** {p}.")
        w("")
    w("| size | .vpc lines | .vpc MB | VPCs | `vpcdsl check` (CLI) s | peak RSS MB | `vpcdsl.load` s | MB/s "
      "| Lark floor s | full / floor | .tf MB | python-hcl2 s | hcl2 MB/s | hcl2 / vpcdsl |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        cli = r.get("cli") or {}
        cli_text = fmt(cli.get("median_s"))
        if cli and cli["rc"] != 0:
            cli_text += f" (exit {cli['rc']})"
        hcl2 = r.get("hcl2")
        if hcl2 is None:
            hcl2_s = hcl2_mbps = "skipped" if r.get("hcl2_skipped") else "n/a"
        else:
            hcl2_s = fmt(hcl2["median_s"], ".2f") + ("" if hcl2["runs"] > 1 else " (1 run)")
            hcl2_mbps = fmt(r["tf_bytes"] / hcl2["median_s"] / 1e6, ".3f")
        w(f"| {r['label']} | {r['lines']} | {r['bytes'] / 1e6:.2f} | {r['vpcs']} | {cli_text} "
          f"| {fmt(cli.get('peak_rss_mb'), '.0f')} | {fmt(r.get('load') and r['load']['median_s'])} "
          f"| {fmt(r.get('load_mbps'), '.2f')} | {fmt(r.get('floor') and r['floor']['median_s'])} "
          f"| {fmt(r.get('floor_ratio'), '.2f')} | {r['tf_bytes'] / 1e6:.2f} | {hcl2_s} | {hcl2_mbps} "
          f"| {fmt(r.get('hcl2_ratio'), '.1f')} |")
    w("")
    w("| target | measured | at | result |")
    w("|---|--:|---|---|")
    for t in report["targets"]:
        w(f"| {t['target']} | {t['text']} | {t['where'] or 'n/a'} | {t['result']} |")
    w("")
    notes = [
        f"Times are medians of {cfg['runs']} run{'s' if cfg['runs'] != 1 else ''} (python-hcl2: {cfg['hcl2_runs_text']}). `gc` is left "
        "enabled in the harness; `gc.collect()` runs between timed runs, outside the timing.",
        "CLI: `" + (report.get("cli_command") or "python -m vpcdsl check FILE") + "` in a subprocess; "
        "wall time includes interpreter start-up and imports. Peak RSS is that process's `ru_maxrss` "
        "from `os.wait4` in a ~10 MB launcher process, not in this harness: a child exec'd from a "
        "large parent inherits the parent's RSS as its `ru_maxrss` (in `wait4` and in its own "
        "`RUSAGE_SELF`).",
        "`vpcdsl.load` and the floor run in this process after one untimed warm-up load of the "
        "smallest model (so cached parser construction is excluded); MB/s is .vpc bytes / load time.",
        "Floor: `" + (report.get("floor_call") or "n/a") + "`, parser built once outside the timing.",
        "python-hcl2: `hcl2.loads(text)` on the .tf of the same network (one resource block per AWS "
        "object), in this process, its parser warmed up first; hcl2 / vpcdsl divides its time by the "
        "`vpcdsl.load` time. The .tf is about 8x the lines and 4x the bytes of the .vpc.",
    ]
    if report.get("hcl2_skipped_note"):
        notes.append(report["hcl2_skipped_note"])
    if report.get("growth_note"):
        notes.append(report["growth_note"])
    if report.get("startup"):
        s = report["startup"]
        notes.append(f"Start-up alone (`{s['command']}`): {fmt(s['median_s'])} s, {fmt(s['maxrss_mb'], '.0f')} MB RSS.")
    notes.append(f"Models from `benchmarks/generate.py --seed {cfg['seed']}` (deterministic), "
                 f"written to `{cfg['out']}`.")
    for n in notes:
        w(f"- {n}")
    seen = [(r["label"], (r.get("load") or {}).get("result")) for r in rows if r.get("load")]
    if seen:
        w("- What `vpcdsl.load` returned: " + "; ".join(
            f"{label}: {res.get('type')}" + (f", {res['errors']} errors, {res['warnings']} warnings"
                                             if "errors" in res else "")
            for label, res in seen) + ".")
    for r in rows:
        res = (r.get("load") or {}).get("result") or {}
        if res.get("errors"):
            w(f"- WARNING: `vpcdsl.load` on {r['label']} reported {res['errors']} error diagnostic(s).")
        cli = r.get("cli")
        if cli and cli["rc"] != 0:
            w(f"- WARNING: `vpcdsl check` on {r['label']} exited {cli['rc']}; output tail:")
            w("")
            w("  ```")
            for line in cli["output_tail"].strip().splitlines()[-12:]:
                w(f"  {line}")
            w("  ```")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", help="comma-separated .vpc sizes in lines (default 1k,10k,100k; --quick: 1k,10k)")
    ap.add_argument("--runs", type=int, help="runs per measurement, reported as medians (default 5; --quick: 3)")
    ap.add_argument("--quick", action="store_true", help="1k and 10k, 3 runs, python-hcl2 at 1k only")
    ap.add_argument("--hcl2-max-lines", type=int,
                    help="skip python-hcl2 above this .vpc size (default 10000; --quick: 1000)")
    ap.add_argument("--hcl2-runs", type=int,
                    help="python-hcl2 runs per size (default: --runs at <=1k lines, 1 above)")
    ap.add_argument("--no-hcl2", action="store_true", help="skip python-hcl2 entirely")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="where models are written (default benchmarks/out/)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the raw results as JSON")
    ap.add_argument("--timeout", type=float, default=900, help="seconds before a CLI run is killed (default 900)")
    args = ap.parse_args(argv)
    sizes = [parse_size(s) for s in (args.sizes or ("1k,10k" if args.quick else "1k,10k,100k")).split(",")]
    runs = args.runs or (3 if args.quick else 5)
    hcl2_max = args.hcl2_max_lines if args.hcl2_max_lines is not None else (1000 if args.quick else 10000)
    if runs < 1:
        ap.error("--runs must be at least 1")

    command = shlex.join(getattr(sys, "orig_argv", [sys.executable, *sys.argv]))
    machine = machine_info()
    vpcdsl, vpcdsl_error = import_vpcdsl()
    problems: list[str] = []        # what could not be measured, and why
    if vpcdsl is None:
        problems.append(f"vpcdsl could not be imported ({vpcdsl_error})")
    elif not hasattr(vpcdsl, "load"):
        problems.append("vpcdsl has no load(): the in-process columns are n/a")
    if vpcdsl is not None and not has_cli():
        problems.append("vpcdsl/__main__.py does not exist yet: the CLI columns are n/a")
    for p in problems:
        log(f"*** {p}")
    try:
        import hcl2
    except ImportError:
        hcl2 = None
        if not args.no_hcl2:
            log("python-hcl2 is not installed (.venv/bin/pip install python-hcl2, or the `bench` extra): "
                "skipping it.")

    # Models first (deterministic, a few seconds at 100k).
    rows = []
    for lines in sorted(set(sizes)):
        log(f"generating {generate.size_label(lines)} ...")
        vpc_path, tf_path, net = generate.write(lines, args.out, args.seed)
        rows.append({
            "label": generate.size_label(lines), "target_lines": lines,
            "vpc_path": str(vpc_path), "tf_path": str(tf_path),
            "lines": vpc_path.read_text(encoding="utf-8").count("\n"), "bytes": vpc_path.stat().st_size,
            "tf_lines": tf_path.read_text(encoding="utf-8").count("\n"), "tf_bytes": tf_path.stat().st_size,
            "vpcs": len(net.vpcs), "peerings": len(net.peers),
        })

    report: dict = {"command": command, "machine": machine, "vpcdsl_error": vpcdsl_error,
                    "problems": problems,
                    "config": {"sizes": sizes, "runs": runs, "hcl2_max_lines": hcl2_max, "seed": args.seed,
                               "out": _shown_path(args.out) + "/"}}
    failed_cli = False
    loader = floor_parser = None
    run_cli = vpcdsl is not None and has_cli()
    if vpcdsl is not None and hasattr(vpcdsl, "load"):
        loader = Loader(vpcdsl)
        log(f"warm-up: vpcdsl.load({rows[0]['label']}) ...")
        try:
            loader.warm_up(Path(rows[0]["vpc_path"]))
        except Exception as e:  # noqa: BLE001
            log("vpcdsl.load failed on the smallest model:\n" + traceback.format_exc(limit=8))
            problems.append(f"vpcdsl.load failed: {type(e).__name__}: {str(e)[:300]}")
            report["load_error"] = f"{type(e).__name__}: {e}"
            loader = None
    try:
        floor_parser, report["floor_call"] = build_floor_parser()
    except Exception as e:  # noqa: BLE001
        log(f"could not build the bare Lark parser: {type(e).__name__}: {e}")
        problems.append(f"the bare Lark parser could not be built: {type(e).__name__}: {str(e)[:300]}")
    if vpcdsl is not None:
        report["startup"] = measure_startup(runs, args.timeout)
    if hcl2 is not None and not args.no_hcl2:
        hcl2.loads('warm_up = "builds the cached parser"\n')

    for r in rows:
        path = Path(r["vpc_path"])
        text = path.read_text(encoding="utf-8")
        if run_cli:
            log(f"{r['label']}: vpcdsl check (CLI) x{runs} ...")
            r["cli"] = measure_cli(path, runs, args.timeout)
            report["cli_command"] = r["cli"]["command"].replace(str(path), "FILE")
            if r["cli"]["rc"] != 0:
                failed_cli = True
                log(f"  `vpcdsl check` exited {r['cli']['rc']}:\n{r['cli']['output_tail'][-800:]}")
        if loader is not None:
            log(f"{r['label']}: vpcdsl.load x{runs} ...")
            try:
                r["load"] = measure_load(loader, path, runs)
                r["load_mbps"] = r["bytes"] / r["load"]["median_s"] / 1e6
            except Exception as e:  # noqa: BLE001
                log(f"  vpcdsl.load failed: {type(e).__name__}: {e}")
                problems.append(f"vpcdsl.load failed at {r['label']}: {type(e).__name__}: {str(e)[:300]}")
        if floor_parser is not None:
            log(f"{r['label']}: Lark floor x{runs} ...")
            try:
                r["floor"] = measure_floor(floor_parser, text, runs)
            except Exception as e:  # noqa: BLE001
                log(f"  bare Lark parse failed: {type(e).__name__}: {str(e)[:500]}")
                problems.append(f"bare Lark parse failed at {r['label']}: {type(e).__name__}: {str(e)[:300]}")
        if r.get("load") and r.get("floor"):
            r["floor_ratio"] = r["load"]["median_s"] / r["floor"]["median_s"]
        if hcl2 is not None and not args.no_hcl2:
            if r["target_lines"] <= hcl2_max:
                hruns = args.hcl2_runs or (runs if r["target_lines"] <= 1000 else 1)
                log(f"{r['label']}: python-hcl2 x{hruns} on {r['tf_bytes'] / 1e6:.2f} MB of .tf ...")
                r["hcl2"] = measure_hcl2(Path(r["tf_path"]).read_text(encoding="utf-8"), hruns)
                if r.get("load"):
                    r["hcl2_ratio"] = r["hcl2"]["median_s"] / r["load"]["median_s"]
            else:
                r["hcl2_skipped"] = True
        log(f"{r['label']}: done")

    skipped = [r["label"] for r in rows if r.get("hcl2_skipped")]
    if skipped:
        measured = [r["label"] for r in rows if r.get("hcl2")]
        report["hcl2_skipped_note"] = (
            f"python-hcl2 skipped at {', '.join(skipped)} (above --hcl2-max-lines {hcl2_max}); "
            f"the hcl2 ratio is reported at {', '.join(measured) or 'no size'} only.")
    hr = {r["hcl2"]["runs"] for r in rows if r.get("hcl2")}
    report["config"]["hcl2_runs_text"] = (
        "not run" if not hr else
        f"{args.hcl2_runs} run(s) each" if args.hcl2_runs else
        f"{runs} runs at <= 1k lines, 1 run above")
    report["sizes"] = rows
    report["targets"] = evaluate(rows)
    report["machine"]["loadavg_end"] = _loadavg()
    by_lines = {r["target_lines"]: r for r in rows}
    if 100_000 in by_lines and 10_000 in by_lines:
        a, b = by_lines[100_000], by_lines[10_000]
        parts = []
        for key, name in (("load", "`vpcdsl.load`"), ("cli", "CLI"), ("floor", "Lark floor")):
            g = ratio(a.get(key) and a[key]["median_s"], b.get(key) and b[key]["median_s"])
            if g is not None:
                parts.append(f"{name} {g:.2f}")
        report["growth_note"] = ("Growth 100k/10k (the .vpc is " f"{a['lines'] / b['lines']:.2f}x the lines): "
                                 + ", ".join(parts) + "; the target uses `vpcdsl.load`.")
    md = markdown(report)
    print(md)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        log(f"wrote {args.json}")
    if vpcdsl is None or failed_cli or loader is None:
        return 2
    return 1 if any(t["result"] == "FAIL" for t in report["targets"]) else 0


if __name__ == "__main__":
    sys.exit(main())
