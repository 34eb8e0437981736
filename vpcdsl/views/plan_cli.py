"""`vpcdsl plan FILE [--vpc NAME] [--hosts N | --size /P] [--json]`: address-space planning.

Exit codes: 0 the plan (and, when a size was asked, room for it in every AZ of
every VPC planned); 1 a requested subnet has no room somewhere, or AWS allows
no subnet that large; 2 usage errors (an unknown VPC, a bad size), unreadable
files or a model with errors. The analysis is `vpcdsl.analysis.plan`; this
module only reads the arguments and prints.
"""

from __future__ import annotations

import json
from functools import partial

from .usage import usage_error

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register `plan` on the `vpcdsl` command's subparsers."""
    p = sub.add_parser(
        "plan", help="CIDR planning: free space, utilisation, where a new subnet fits",
        description="Per VPC: its blocks, each subnet's usable addresses, the free space as the "
                    "fewest aligned CIDRs, utilisation; with --hosts or --size, the first free "
                    "block of that size in each AZ the VPC uses.")
    p.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p.add_argument("--vpc", metavar="NAME", help="plan only this VPC")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--hosts", metavar="N", help="where a subnet with at least N usable addresses fits")
    size.add_argument("--size", metavar="/P", help="where a /P subnet fits (/16 to /28)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


_fail = partial(usage_error, "plan")


def run(args) -> int:
    from ..analysis.plan import PlanError, parse_size
    from .cli import _ask

    # Usage first: a bad --hosts or --size is reported before the model is compiled.
    hosts = size = None
    if args.hosts is not None:
        text = args.hosts.replace(",", "").replace("_", "")
        if not text.isdigit():
            return _fail(f"cannot read --hosts {args.hosts!r}",
                         "write how many addresses the subnet must hold as a whole number, e.g. --hosts 300")
        if int(text) < 1:
            return _fail(f"--hosts {args.hosts}: a subnet holds at least 1 host", "e.g. --hosts 300")
        hosts = int(text)
    if args.size is not None:
        try:
            size = parse_size(args.size)
        except PlanError as exc:
            return _fail(str(exc), exc.hint)
    result, code = _ask(args, "plan", lambda m: m.plan(args.vpc, hosts=hosts, size=size), PlanError)
    if result is None:
        return code
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        from ..diagnostics import escape_controls
        print(escape_controls(result.text()))
    return 0 if result.fits else 1
