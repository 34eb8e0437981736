"""What the benchmark scripts share: medians of functions timed in turns, medians of whole
`vpcdsl` processes, and the machine's CPU name for the report."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(fns: dict, runs: int) -> dict[str, tuple[float, object]]:
    """Median of ``runs`` calls of each function, after one untimed warm-up call each; the
    functions take turns, so the machine's other work falls on all of them alike."""
    results = {name: fn() for name, fn in fns.items()}
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - t0)
            results[name] = result          # the previous result is freed here, untimed
            del result
    return {name: (statistics.median(times[name]), results[name]) for name in fns}


def process(argv: list[str], runs: int) -> float:
    """Median wall time of ``vpcdsl ARGV`` as a whole process (exit 0 or 1 expected), after
    one untimed run.

    The processes may cache bytecode: an installed vpcdsl has its modules compiled by pip at
    install (and an editable one on its first run), so a user's process never compiles them.
    A sandbox that sets PYTHONDONTWRITEBYTECODE would otherwise compile every module of
    vpcdsl, Lark and networkx afresh in each timed run (about 0.2 s of a start).
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "vpcdsl", *argv], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
        if i:
            times.append(time.perf_counter() - t0)
        if done.returncode not in (0, 1):
            raise SystemExit(f"vpcdsl {' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return statistics.median(times)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
