"""The `vpcdsl` command line: `check`, `trace`, `dns`, `render` and `dump` here; `plan`, `reach`,
`diff`, `exposure` and `matrix` in their own modules.

Exit codes: 0 no errors (warnings allowed), 1 errors or failed expectations
(for `trace`: the flow is blocked; for `render`: the model has errors), 2
usage errors, unreadable files, a flow that cannot be traced or a diagram that
cannot be rendered (no Graphviz `dot`) or written.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..diagnostics import CODES, escape_controls, render_all, without_ignored
from . import diff_cli, exposure_cli, matrix_cli, plan_cli, reach_cli
from .report import status_line

JSON_VERSION = 1
LEVELS = ("region", "vpc", "subnet", "instance")


def _version() -> str:
    """The installed distribution's version, else the package's own (a source checkout)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("vpcdsl")
    except PackageNotFoundError:
        from .. import __version__
        return __version__


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked: importlib.metadata costs ~15 ms and
    ~2 MB of start-up that every other command would pay (argparse's own
    "version" action takes the string when the parser is built)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0,
                         help=help or "show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"vpcdsl {_version()}\n")
        parser.exit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vpcdsl", description="Check, explain and draw AWS VPC models.")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True)

    p_check = sub.add_parser("check", help="compile and check models; evaluate expectations")
    p_check.add_argument("paths", nargs="+", metavar="PATH", help="a .vpc file, or a directory (one model)")
    p_check.add_argument("--json", action="store_true", help="machine-readable output")
    p_check.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p_check.add_argument("-q", "--quiet", action="store_true", help="print only errors and warnings")
    p_check.add_argument("--ignore", metavar="CODES", type=_warning_codes, default=frozenset(),
                         help="warnings not to report, comma-separated (W401,W403)")

    p_trace = sub.add_parser("trace", help="trace one flow hop by hop, forward and back")
    p_trace.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p_trace.add_argument("flow", nargs="+", metavar="FLOW",
                         help='SRC DST PROTO/PORT, or one argument "SRC -> DST PROTO/PORT" as --trace takes; '
                              "an end is an instance, subnet, NAT, endpoint, `internet`, service, address or "
                              "public-ip(NAME) (the public IPv4 address of an instance, NAT or internet-facing LB); "
                              "DST may be a DNS name of the model's zones (www.example.com), traced to each "
                              "answer Route 53 gives SRC, with its probability; "
                              "PROTO/PORT e.g. tcp/443, udp/53, icmp/echo-request, icmp")
    p_trace.add_argument("--json", action="store_true", help="machine-readable output")
    p_trace.add_argument("--dns-from", dest="client", metavar="CLIENT", nargs="+",
                         help="for a DNS name DST: whom Route 53 answers, as `vpcdsl dns --from` takes "
                              "it (default: SRC's address, located at its VPC's region)")

    p_dns = sub.add_parser("dns", help="what Route 53 answers for a name, with what probability, and why",
                           description="Each answer Route 53 may give with its exact probability (a table "
                                       "with bars), the TTL, NOERROR/NODATA/NXDOMAIN, and every candidate "
                                       "record with why it won or lost. Exit 0 with an answer, 1 without.")
    p_dns.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p_dns.add_argument("fqdn", metavar="NAME", help="e.g. app.example.com")
    p_dns.add_argument("type", metavar="TYPE", nargs="?", default="A", help="record type (default A)")
    p_dns.add_argument("--from", dest="client", metavar="CLIENT", nargs="+",
                       help='a region (its city), a country (DE), "continent EU", "state US-CA" (their '
                            'centroids), "coords 48.86 2.35" or an address (a country only for a few '
                            'well-known ranges)')
    p_dns.add_argument("--json", action="store_true",
                       help="machine-readable output: the distribution, candidates, status and TTL")

    p_render = sub.add_parser(
        "render", help="draw the model with Graphviz: SVG, PNG, PDF or DOT",
        description="Draw the model. The suffix of -o picks the format (.svg, .png, .pdf need "
                    "Graphviz's `dot`; .dot is the DOT text and needs nothing); without -o the DOT "
                    "text goes to stdout.")
    p_render.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p_render.add_argument("-o", "--output", metavar="OUT",
                          help="out.svg, out.png, out.pdf or out.dot (default: DOT on stdout)")
    p_render.add_argument("--level", choices=LEVELS, default="subnet",
                          help="detail: region, vpc, subnet (default) or instance")
    p_render.add_argument("--focus", metavar="NAME", help="draw only the neighbourhood of one component")
    p_render.add_argument("--routes", choices=("labels", "edges"), default="labels",
                          help="route tables as labels on subnets (default) or as edges to their targets")
    p_render.add_argument("--collapse", metavar="N", type=_count,
                          help="draw an AZ with more than N subnets as one counted node (0: never)")
    p_render.add_argument("--trace", metavar="FLOW", action="append",
                          help='overlay a flow: "SRC -> DST PROTO/PORT", e.g. "web-1 -> db-1 tcp/5432"; '
                               'repeat to overlay several')

    p_dump = sub.add_parser("dump", help="print the resolved model as JSON")
    # One model per run: `check` treats each PATH as a model, so a list here
    # would be ambiguous (one model, or several documents?).
    p_dump.add_argument("path", metavar="PATH", help="a .vpc file, or a directory (one model)")

    plan_cli.add_parser(sub)
    reach_cli.add_parser(sub)
    diff_cli.add_parser(sub)
    exposure_cli.add_parser(sub)
    matrix_cli.add_parser(sub)

    args = parser.parse_args(argv)
    if isinstance(getattr(args, "client", None), list):    # `--from state US-TX`: one client
        args.client = " ".join(args.client)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "trace":
            return _trace(args)
        if args.command == "render":
            return _render(args)
        if args.command == "dns":
            return _dns(args)
        if args.command == "plan":
            return plan_cli.run(args)
        if args.command == "reach":
            return reach_cli.run(args)
        if args.command == "diff":
            return diff_cli.run(args)
        if args.command == "exposure":
            return exposure_cli.run(args)
        if args.command == "matrix":
            return matrix_cli.run(args)
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
    from ..api import load_paths
    return load_paths([path])


def _unreadable(model) -> bool:
    return any(d.code == "E004" for d in model.diagnostics)


# What evaluating an expectation reports: a failed expectation is what one wants to trace,
# so only the other errors (the model does not compile) stop `trace`, `render` and `dns`.
_OUTCOMES = ("E901", "E903", "E904")


def _compile_errors(model) -> list:
    return [d for d in model.errors if d.code not in _OUTCOMES]


def _check(args) -> int:
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    results = []
    worst = 0
    for path in args.paths:
        model = _load(path)  # a missing or unreadable path is an E004 diagnostic
        if args.ignore:
            model.diagnostics = without_ignored(model.diagnostics, model.sources, args.ignore)
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
                    print(escape_controls(f"{r['file']}:{r['line']}: expect {r['status']}: {r['text']}"))
                    if r["status"] == "failed" and r.get("trace") is not None:
                        print(escape_controls(_indent(r["trace"].table(), "    ")))
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


def _ask(args, command: str, question, errors):
    """Load the model and ask it ``question(model)``; (answer, None), or (None, exit code 2) after
    printing why: the model has errors, or ``errors`` (FlowError, DnsError) say it cannot answer."""
    model = _load(args.path)
    if _unreadable(model) or _compile_errors(model):
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        print(f"vpcdsl {command}: {args.path} has errors; fix them first (`vpcdsl check`)", file=sys.stderr)
        return None, 2
    try:
        return question(model), None
    except errors as exc:
        print(f"vpcdsl {command}: error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"  = hint: {exc.hint}", file=sys.stderr)
        return None, 2


def _trace(args) -> int:
    from ..analysis.named_ends import is_name
    from ..flows.trace import FlowError
    flow = parse_trace_spec(" ".join(args.flow))
    if flow is None:
        print(f"vpcdsl trace: error: cannot read the flow {' '.join(args.flow)!r}", file=sys.stderr)
        print('  = hint: write it as SRC DST PROTO/PORT or "SRC -> DST PROTO/PORT"', file=sys.stderr)
        return 2
    if args.client is not None and not is_name(flow[1]):
        print(f"vpcdsl trace: error: --dns-from is for a DNS name destination, not {flow[1]!r}",
              file=sys.stderr)
        print("  = hint: leave it out, or trace to a name such as www.example.com", file=sys.stderr)
        return 2
    trace, code = _ask(args, "trace", lambda m: m.trace(*flow, client=args.client), FlowError)
    if trace is None:
        return code
    if args.json:
        print(json.dumps(trace.to_dict(), indent=2))
    else:
        print(escape_controls(trace.table()))
    return 0 if trace.allowed else 1


def _dns(args) -> int:
    from ..analysis.route53 import DnsError
    r, code = _ask(args, "dns", lambda m: m.resolve(args.fqdn, args.type, args.client), DnsError)
    if r is None:
        return code
    if args.json:
        print(json.dumps({"version": 1, **r.to_dict()}, indent=2))
    else:
        from .dns_view import resolution_table
        print(resolution_table(r))
    return 0 if r.answers else 1


def _render(args) -> int:
    from ..flows.trace import FlowError
    from .export import RenderError, format_of
    from .render import FocusError

    from .usage import usage_error

    def fail(message: str, hint: str | None = None) -> int:
        return usage_error("render", message, hint)

    # Usage first: a bad -o or --trace is reported before the model is compiled.
    try:
        fmt = format_of(args.output) if args.output is not None else "dot"
    except RenderError as exc:
        return fail(str(exc), exc.hint)
    flows = []
    for text in args.trace or ():
        flow = parse_trace_spec(text)
        if flow is None:
            return fail(f"cannot read --trace {text!r}",
                        'write it as "SRC -> DST PROTO/PORT", e.g. --trace "web-1 -> db-1 tcp/5432" '
                        '(or "SRC DST PROTO/PORT"; icmp may omit the port)')
        flows.append(flow)
    model = _load(args.path)
    if _unreadable(model):
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        return 2
    if _compile_errors(model):
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        print(f"vpcdsl render: {args.path} has errors; fix them first (`vpcdsl check`)", file=sys.stderr)
        return 1
    options = {"level": args.level, "routes": args.routes}
    if args.collapse is not None:
        options["collapse"] = args.collapse
    if args.focus is not None:
        options["focus"] = args.focus
    if flows:
        try:
            traces = [model.trace(*flow) for flow in flows]
        except FlowError as exc:
            return fail(str(exc), exc.hint)
        options["trace"] = traces[0] if len(traces) == 1 else traces
    try:
        if args.output is None:
            from .export import render_bytes
            _write_utf8(render_bytes(model, "dot", **options).decode("utf-8"))
        else:
            from .export import export
            export(model, args.output, format=fmt, **options)
    except (RenderError, FocusError) as exc:
        return fail(str(exc), exc.hint)
    return 0


def _write_utf8(text: str) -> None:
    """DOT is UTF-8 whatever the terminal's encoding (labels carry `→`, `·`)."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # stdout replaced by a text-only stream
        sys.stdout.write(text)
    else:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


def _warning_codes(text: str) -> frozenset[str]:
    """``--ignore W401,W403``: warning codes only (an error is AWS refusing the model)."""
    codes = frozenset(c.strip().upper() for c in text.split(",") if c.strip())
    for code in sorted(codes):
        if code not in CODES:
            raise argparse.ArgumentTypeError(f"unknown diagnostic code {code!r}")
        if not code.startswith("W"):
            raise argparse.ArgumentTypeError(f"{code} is an error; only warnings can be ignored")
    if not codes:
        raise argparse.ArgumentTypeError("give one or more warning codes, e.g. W401,W403")
    return codes


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, not {text!r}")
    return n


def parse_trace_spec(text: str) -> tuple[str, ...] | None:
    """``"SRC -> DST PROTO/PORT"`` (or without the arrow) as `Model.trace` arguments; None if malformed.

    >>> parse_trace_spec("ci-1 -> db-1 tcp/5432")
    ('ci-1', 'db-1', 'tcp/5432')
    >>> parse_trace_spec("internet web-1 tcp 443")
    ('internet', 'web-1', 'tcp', '443')
    >>> parse_trace_spec("web-1 -> tcp/443") is None
    True
    """
    parts = text.replace("->", " -> ").split()
    if len(parts) > 1 and parts[1] == "->":
        del parts[1]
    if "->" in parts or len(parts) not in (3, 4):
        return None
    return tuple(parts)


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _dump(args) -> int:
    from ..api import load_paths
    model = load_paths([args.path])
    if _unreadable(model) or not model.syntax_ok:
        print(render_all(model.diagnostics, model.sources), file=sys.stderr)
        return 2 if _unreadable(model) else 1
    print(json.dumps(model.to_dict(), indent=2))
    return 1 if model.errors else 0
