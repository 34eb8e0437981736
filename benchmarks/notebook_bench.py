"""Notebook benchmark (issue 10): the ``%%vpc`` magic on the tour's models, and the
explorer's response to a selection change on the 10k-line model.

    .venv/bin/python benchmarks/notebook_bench.py [--runs 5] [--changes 20]

The magic runs through IPython's own `InteractiveShell` (as a notebook cell does,
minus the kernel's messaging): compile, bind, and the display the cell shows
(HTML with the drawing), timed with and without the drawing (``--no-diagram``).
For the explorer: the first view (which lays the drawing out once, reported
beside it), then selection changes (source, destination, port), each a trace plus
the re-highlighted SVG and the hop table, with no new Graphviz layout. Medians.
Target: a selection change <= 100 ms on the 10k-line model, layout excluded.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from IPython.core.interactiveshell import InteractiveShell  # noqa: E402
from IPython.utils.capture import capture_output  # noqa: E402

import vpcdsl  # noqa: E402

TOUR_MODELS = ("three-tier", "hybrid-office", "dns-heavy")


def _median(samples) -> float:
    return statistics.median(samples)


def magic_times(runs: int) -> list[tuple[str, int, float, float]]:
    ip = InteractiveShell.instance()
    ip.display_formatter.active_types = ["text/plain", "text/html"]
    ip.run_line_magic("load_ext", "vpcdsl")
    rows = []
    for name in TOUR_MODELS:
        text = (ROOT / "examples" / f"{name}.vpc").read_text()
        timed = {}
        for flag in ("", " --no-diagram"):
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                with capture_output() as out:
                    ip.run_cell_magic("vpc", f"bench{flag}", text)
                    # the display the notebook renders: HTML, the drawing included
                    for o in out.outputs:
                        o.data.get("text/html")
                samples.append(time.perf_counter() - t0)
            timed[flag] = _median(samples)
        rows.append((name, text.count("\n"), timed[""], timed[" --no-diagram"]))
    return rows


def _notebook(cells: list[str]) -> dict:
    return {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                       "source": c} for c in cells],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def whole_process_times(runs: int, name: str = "three-tier") -> tuple[float, float]:
    """`jupyter nbconvert --execute` of a notebook with `%load_ext vpcdsl` and one `%%vpc`
    cell, against the same command on a notebook whose cell is `pass`: what a user
    waits for (kernel start included) and what vpcdsl adds to it. Medians."""
    text = (ROOT / "examples" / f"{name}.vpc").read_text()
    nbconvert = Path(sys.executable).with_name("jupyter-nbconvert")
    timed = []
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, JUPYTER_CONFIG_DIR=tmp, JUPYTER_DATA_DIR=str(Path(tmp) / "data"),
                   JUPYTER_PLATFORM_DIRS="1")
        for label, cells in (("bare", ["pass"]), ("vpc", ["%load_ext vpcdsl", f"%%vpc {name}\n{text}"])):
            nb = Path(tmp) / f"{label}.ipynb"
            nb.write_text(json.dumps(_notebook(cells)))
            samples = []
            for _ in range(runs):
                t0 = time.perf_counter()
                subprocess.run([str(nbconvert), "--to", "notebook", "--execute", "--stdout", str(nb)],
                               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
                samples.append(time.perf_counter() - t0)
            timed.append(_median(samples))
    return timed[0], timed[1]


def explorer_times(lines: int, changes: int, level: str | None):
    label = f"{lines // 1000}k"
    path = HERE / "out" / f"gen-{label}.vpc"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--lines", str(lines),
                        "--out", str(HERE / "out")], check=True)
    model = vpcdsl.load(path)
    names = sorted(model.instances)
    rng = random.Random(1)
    t0 = time.perf_counter()
    ex = vpcdsl.explore(model, src=names[0], dst=names[1], port=443, level=level)
    first = time.perf_counter() - t0
    drawing = ex._drawing
    samples = []
    for i in range(changes):
        control, value = [(ex.src, rng.choice(names)), (ex.dst, rng.choice(names)),
                          (ex.port, rng.choice(("22", "443", "5432")))][i % 3]
        if control.value == value:
            continue
        t0 = time.perf_counter()
        control.value = value
        samples.append(time.perf_counter() - t0)
    assert ex.error.value == "", ex.error.value
    assert ex._drawing is drawing, "a selection change laid the drawing out again"
    return path, ex, first, samples


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--changes", type=int, default=30)
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--level", default=None, help="the explorer's level (default: as the explorer picks)")
    args = ap.parse_args()

    print("### `%%vpc` on the tour's models\n")
    print(f"Command: `.venv/bin/python benchmarks/notebook_bench.py --runs {args.runs} --changes {args.changes}`\n")
    print("| model | lines | `%%vpc` with drawing, median ms | without drawing ms | drawing share |")
    print("|---|--:|--:|--:|--:|")
    for name, n, with_d, without in magic_times(args.runs):
        print(f"| {name}.vpc | {n} | {with_d * 1000:.1f} | {without * 1000:.1f} | "
              f"{(with_d - without) / with_d:.0%} |")

    bare, with_vpc = whole_process_times(args.runs)
    print("\nWhole process, as a user runs a notebook (`jupyter nbconvert --execute`, kernel start included):\n")
    print("| notebook | median s | ratio to a bare kernel |")
    print("|---|--:|--:|")
    print(f"| one cell `pass` | {bare:.2f} | 1.00 |")
    print(f"| `%load_ext vpcdsl` + `%%vpc` three-tier.vpc | {with_vpc:.2f} | {with_vpc / bare:.2f} |")

    path, ex, first, samples = explorer_times(args.lines, args.changes, args.level)
    layout = getattr(ex, "layout_seconds", None)
    print(f"\n### The explorer on {path.name} ({len(ex.model.instances)} instances, level {ex.level})\n")
    print("| first view s (lays the drawing out once) | of which Graphviz layout s | "
          "selection change, median ms | slowest ms | changes | target ≤ 100 ms |")
    print("|--:|--:|--:|--:|--:|---|")
    median = _median(samples) * 1000
    print(f"| {first:.2f} | {layout if layout is None else f'{layout:.2f}'} | {median:.1f} | "
          f"{max(samples) * 1000:.1f} | {len(samples)} | {'PASS' if median <= 100 else 'FAIL'} |")
    if layout:
        print(f"\nA selection change costs {median / 1000 / layout:.3f} of one layout "
              f"(median change / layout, same run); no change re-ran the layout.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
