"""`vpcdsl matrix FILE [--level subnet|instance|vpc] [--json] [--format text|dot|svg|png] [-o OUT]`:
what reaches between every pair of subnets, instances or VPCs, as a grid and a list of the
pairs that reach, or as a heat map.

Exit codes: 0 the model answered (whatever reaches); 2 usage errors (an unknown level or
format), unreadable files, a model with errors, or a heat map that cannot be rendered (no
Graphviz `dot`) or written. The analysis is `vpcdsl.analysis.matrix`; the text
`vpcdsl.views.matrix_view`, the heat map `vpcdsl.views.matrix_dot`.
"""

from __future__ import annotations

import json
from functools import partial

from .usage import usage_error

__all__ = ["add_parser", "run", "FORMATS"]

FORMATS = ("text", "dot", "svg", "png")


def add_parser(sub) -> None:
    """Register `matrix` on the `vpcdsl` command's subparsers."""
    p = sub.add_parser(
        "matrix", help="what reaches between every pair of subnets, instances or VPCs",
        description="Every pair of ends of one level and the requests that reach between them, "
                    "exact, for every packet at once: a grid (rows send, columns receive) and the "
                    "pairs that reach with their requests, or a heat map (--format dot, svg, png). "
                    "Subnet ends are probes with no security group; instance ends use their groups; "
                    "a VPC's cell gathers its subnets. Past 40 ends, ends with equal rows and columns "
                    "are gathered into groups; --json has every pair. IPv4.")
    p.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p.add_argument("--level", default="subnet", metavar="LEVEL",
                   help="the ends: subnet (default), instance or vpc")
    p.add_argument("--json", action="store_true", help="machine-readable output (every pair, services listed once)")
    p.add_argument("--format", default=None, metavar="FORMAT",
                   help="text (default), dot (the heat map's DOT text), svg or png (need Graphviz's `dot`)")
    p.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout (png needs it)")


_fail = partial(usage_error, "matrix")


def run(args) -> int:
    from ..analysis.matrix import LEVELS
    from ..flows.flow import FlowError
    from .cli import _ask, _write_utf8

    if args.level not in LEVELS:
        return _fail(f"unknown level {args.level!r}", "write --level subnet, instance or vpc")
    fmt = args.format or "text"
    if fmt not in FORMATS:
        return _fail(f"unknown format {fmt!r}", "write --format text, dot, svg or png")
    if args.json and args.format not in (None, "text"):
        return _fail("--json and --format both say what to print", "give one of them")
    if fmt == "png" and args.output is None:
        return _fail("a PNG is not written to the terminal", "give an output file: -o matrix.png")
    result, code = _ask(args, "matrix", lambda m: m.matrix(args.level), FlowError)
    if result is None:
        return code
    try:
        data = _output(result, fmt, args)
    except Exception as exc:  # RenderError (no `dot`, dot failed): one line and a hint
        from .export import RenderError
        if not isinstance(exc, RenderError):
            raise
        return _fail(str(exc), exc.hint)
    if args.output is not None:
        from .export import RenderError, write_atomically
        try:
            write_atomically(args.output, data)
        except RenderError as exc:
            return _fail(str(exc), exc.hint)
    else:
        _write_utf8(data.decode("utf-8"))
    return 0


def _output(result, fmt: str, args) -> bytes:
    if args.json:
        return (json.dumps(result.to_dict(), indent=2) + "\n").encode("utf-8")
    if fmt == "text":
        from .matrix_view import matrix_text
        return (matrix_text(result, args.path) + "\n").encode("utf-8")
    from .matrix_dot import matrix_dot
    dot = matrix_dot(result, args.path)
    if fmt == "dot":
        return dot.encode("utf-8")
    return render_dot(dot, fmt)


def render_dot(dot: str, fmt: str) -> bytes:
    """DOT text laid out by Graphviz's `dot` into ``fmt`` (svg, png), errors as `RenderError`."""
    import graphviz
    from .export import graphviz_errors
    with graphviz_errors(fmt, "--format dot"):
        return graphviz.Source(dot).pipe(format=fmt, quiet=True)
