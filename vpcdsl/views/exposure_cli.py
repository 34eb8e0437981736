"""`vpcdsl exposure FILE [--source internet|SITE ...] [--fail-on RANKS] [--json]`: what the
internet and each on-premises site can reach, riskiest first.

Exit codes: 0 the model answered (whatever it exposes); 1 with ``--fail-on``, a finding of
one of those ranks exists (the CI gate: ``--source internet --fail-on any,admin,database``);
2 usage errors (an unknown source or rank), unreadable files or a model with errors. The
analysis is `vpcdsl.analysis.exposure`; this module reads the arguments and prints.
"""

from __future__ import annotations

import json
from functools import partial

from .usage import usage_error

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register `exposure` on the `vpcdsl` command's subparsers."""
    p = sub.add_parser(
        "exposure", help="what the internet and each site can reach, riskiest first",
        description="Every instance, load balancer, interface endpoint and subnet (a subnet as a "
                    "probe: a host in it with no security group) that the internet or an "
                    "on-premises site reaches: the requests that get through, ALLOWED or "
                    "INTERMITTENT (only some client ports work), from which addresses and by which "
                    "gateway or link, exact and with a witness trace each. Ranked ANY (every TCP "
                    "or UDP port), ADMIN (SSH, RDP, Telnet, WinRM), DATABASE (SQL, Redis, MongoDB, "
                    "...), OTHER, ICMP. The internet is every public address no VPC or site holds. "
                    "IPv4, and, where a subnet has an IPv6 block, IPv6 from the internet and from "
                    "each site with an IPv6 range (a site's IPv6 crosses a transit gateway's VPN or "
                    "Direct Connect, or a private VIF on a virtual private gateway, never a VPN "
                    "on a virtual private gateway); JSON says each finding's "
                    "family. Exit 0, or 1 when --fail-on names the rank of a finding.")
    p.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p.add_argument("--source", metavar="SOURCE", action="append",
                   help="only from `internet` or this site (repeat for several; default: all)")
    p.add_argument("--fail-on", metavar="RANKS", dest="fail_on",
                   help="exit 1 when a finding of these ranks exists: any, admin, database, other, "
                        "icmp, comma-separated (e.g. any,admin,database)")
    p.add_argument("--json", action="store_true", help="machine-readable output (with each finding's witness trace)")


_fail = partial(usage_error, "exposure")


def run(args) -> int:
    from ..analysis.exposure import RANKS
    from ..diagnostics import escape_controls
    from ..flows.flow import FlowError
    from .cli import _ask

    fail_on: set[str] = set()
    if args.fail_on is not None:
        fail_on = {r.strip().lower() for r in args.fail_on.split(",") if r.strip()}
        unknown = sorted(fail_on - set(RANKS))
        if unknown or not fail_on:
            return _fail(f"cannot read --fail-on {args.fail_on!r}" + (f": no rank {unknown[0]!r}" if unknown else ""),
                         f"name ranks among {', '.join(RANKS)}, comma-separated: --fail-on any,admin,database")
    result, code = _ask(args, "exposure", lambda m: m.exposure(args.source), FlowError)
    if result is None:
        return code
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(escape_controls(result.table()))
    return 1 if any(f.rank in fail_on for f in result.findings) else 0
