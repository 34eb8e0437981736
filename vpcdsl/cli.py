"""The `vpcdsl` command line: `check`, `trace` and `dump`.

Exit codes: 0 no errors (warnings allowed), 1 errors or failed expectations
(for `trace`: the flow is blocked), 2 usage errors, unreadable files or a
flow that cannot be traced.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .diagnostics import render_all
from .report import status_line

JSON_VERSION = 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vpcdsl", description="Check, explain and draw AWS VPC models.")
    sub = parser.add_subparsers(dest="command", required=True)

    p_check = sub.add_parser("check", help="compile and check models; evaluate expectations")
    p_check.add_argument("paths", nargs="+", metavar="PATH", help="a .vpc file, or a directory (one model)")
    p_check.add_argument("--json", action="store_true", help="machine-readable output")
    p_check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p_check.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")

    p_trace = sub.add_parser("trace", help="trace one flow hop by hop, forward and back")
    p_trace.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p_trace.add_argument("src", metavar="SRC", help="instance, subnet, NAT, endpoint, `internet`, service or address")
    p_trace.add_argument("dst", metavar="DST")
    p_trace.add_argument("flow", metavar="PROTO/PORT", help="e.g. tcp/443, udp/53, icmp/echo-request, icmp")
    p_trace.add_argument("--json", action="store_true", help="machine-readable output")

    p_dump = sub.add_parser("dump", help="print the resolved model as JSON")
    # One model per run: `check` treats each PATH as a model, so a list here
    # would be ambiguous (one model, or several documents?).
    p_dump.add_argument("path", metavar="PATH", help="a .vpc file, or a directory (one model)")

    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "trace":
            return _trace(args)
        return _dump(args)
    except BrokenPipeError:
        # The reader went away (`vpcdsl check ... | head`): stop quietly, and keep
        # the interpreter's final flush from raising again.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):  # stdout is no file (captured, replaced)
            pass
        return 1
    except KeyboardInterrupt:
        return 130


def _load(path: str):
    from .api import load_paths
    return load_paths([path])


def _unreadable(model) -> bool:
    return any(d.code == "E004" for d in model.diagnostics)


def _check(args) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    results = []
    worst = 0
    for path in args.paths:
        model = _load(path)  # a missing or unreadable path is an E004 diagnostic
        failed = any(r["status"] == "failed" for r in model.expectation_results)
        code = 2 if _unreadable(model) else (1 if model.errors or failed else 0)
        worst = max(worst, code)
        results.append((path, model))
        if not args.json:
            if model.diagnostics:
                print(render_all(model.diagnostics, model.sources, color=color))
                print()
            if not args.quiet:
                for r in model.expectation_results:
                    print(f"{r['file']}:{r['line']}: expect {r['status']}: {r['text']}")
                    if r["status"] == "failed" and r.get("trace") is not None:
                        print(_indent(r["trace"].table(), "    "))
                print(f"{path}: {status_line(model)}")
    if args.json:
        doc = {"version": JSON_VERSION, "models": [model_json(path, m) for path, m in results]}
        print(json.dumps(doc, indent=2, sort_keys=False))
    return worst


def model_json(path: str, model) -> dict:
    return {
        "path": path,
        "diagnostics": [d.to_dict() for d in model.diagnostics],
        "expectations": [
            {"line": r["line"], "text": r["text"], "status": r["status"], "detail": r["detail"]}
            for r in model.expectation_results
        ],
    }


def _trace(args) -> int:
    from .trace import FlowError
    model = _load(args.path)
    if _unreadable(model) or model.errors:
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        print(f"vpcdsl trace: {args.path} has errors; fix them first (`vpcdsl check`)", file=sys.stderr)
        return 2
    try:
        trace = model.trace(args.src, args.dst, args.flow)
    except FlowError as exc:
        print(f"vpcdsl trace: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"  = hint: {exc.hint}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(trace.to_dict(), indent=2))
    else:
        print(trace.table())
    return 0 if trace.allowed else 1


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _dump(args) -> int:
    from .api import load_paths
    model = load_paths([args.path])
    if _unreadable(model) or not model.syntax_ok:
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        return 2 if _unreadable(model) else 1
    print(json.dumps(model.to_dict(), indent=2))
    return 1 if model.errors else 0
