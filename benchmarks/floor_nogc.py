"""The Lark floor with the cyclic GC paused, next to `vpcdsl.load` (see BENCHMARKS.md).

Run after `benchmarks/run.py` has generated benchmarks/out/gen-{1k,10k,100k}.vpc:

    .venv/bin/python benchmarks/floor_nogc.py
"""

from __future__ import annotations

import gc
import statistics
import time

import lark

import vpcdsl
from vpcdsl.syntax.grammar import grammar_text

RUNS = 3


def main() -> None:
    floor = lark.Lark(grammar_text(), parser="lalr", lexer="contextual",
                      propagate_positions=False, maybe_placeholders=False)
    vpcdsl.load("benchmarks/out/gen-1k.vpc")  # warm-up: parser construction is not timed
    print("| size | Lark floor, GC paused s | `vpcdsl.load` s | full / floor |")
    print("|---|--:|--:|--:|")
    for size in ("10k", "100k"):
        path = f"benchmarks/out/gen-{size}.vpc"
        text = open(path, encoding="utf-8").read()
        floors, loads = [], []
        for _ in range(RUNS):
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            floor.parse(text)
            floors.append(time.perf_counter() - start)
            gc.enable()
            gc.collect()
            start = time.perf_counter()
            vpcdsl.load(path)
            loads.append(time.perf_counter() - start)
        f, lo = statistics.median(floors), statistics.median(loads)
        print(f"| {size} | {f:.3f} | {lo:.3f} | {lo / f:.2f} |")


if __name__ == "__main__":
    main()
