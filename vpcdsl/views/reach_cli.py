"""`vpcdsl reach FILE SRC [DST] [--to DST] [--service S] [--blocked] [--json]`: what an end
can reach, or who can reach it, for every packet at once.

Exit codes: 0 something is reachable (allowed or intermittent); 1 nothing is; 2 usage
errors (an unknown end, an unreadable service), unreadable files or a model with
errors. The analysis is `vpcdsl.analysis.reach`; this module reads the arguments and
prints.
"""

from __future__ import annotations

import json
from functools import partial

from .usage import usage_error

__all__ = ["add_parser", "run"]


def add_parser(sub) -> None:
    """Register `reach` on the `vpcdsl` command's subparsers."""
    p = sub.add_parser(
        "reach", help="what an end can reach, or who can reach it (all packets at once)",
        description="Every request from SRC, per destination end, with its verdict: ALLOWED "
                    "(delivered, and the response returns to every client port), INTERMITTENT "
                    "(only some client ports or load-balancer targets work) or blocked (with "
                    "--blocked). With --to DST and no SRC: who can reach DST. Ends are "
                    "instances, load balancers, interface endpoints, sites, `internet` (any "
                    "public address), AWS services, VPCs (their subnets, as probes with no "
                    "security group) and CIDRs. IPv4. DST may be a DNS name of the model's zones: "
                    "asked about for each answer Route 53 gives SRC, with its probability.")
    p.add_argument("path", metavar="FILE", help="a .vpc file, or a directory (one model)")
    p.add_argument("src", metavar="SRC", nargs="?", help="the sending end")
    p.add_argument("dst", metavar="DST", nargs="?", help="one destination (default: every end)")
    p.add_argument("--to", metavar="DST", dest="to", help="who can reach DST (SRC may be left out)")
    p.add_argument("--service", metavar="S",
                   help="only these requests: tcp/443, tcp/1024-65535, udp, icmp/echo-request, "
                        "a protocol number, any; several joined by commas")
    p.add_argument("--blocked", action="store_true", help="also list what is blocked")
    p.add_argument("--json", action="store_true", help="machine-readable output (with each row's witness trace)")
    p.add_argument("--dns-from", dest="client", metavar="CLIENT", nargs="+",
                   help="for a DNS name DST: whom Route 53 answers, as `vpcdsl dns --from` takes it "
                        "(default: SRC's address, located at its VPC's region)")


_fail = partial(usage_error, "reach")


def run(args) -> int:
    from ..analysis.named_ends import is_name
    from ..analysis.reach import service_packets
    from ..diagnostics import escape_controls
    from ..flows.flow import FlowError
    from .cli import _ask

    if args.to is not None and args.dst is not None:
        return _fail(f"two destinations: {args.dst!r} and --to {args.to!r}",
                     "give the destination once: `vpcdsl reach FILE SRC DST` or `vpcdsl reach FILE --to DST`")
    dst = args.to if args.to is not None else args.dst
    if args.src is None and dst is None:
        return _fail("say what to ask about", "`vpcdsl reach FILE SRC` (what SRC can reach) or "
                     "`vpcdsl reach FILE --to DST` (who can reach DST)")
    packets = None
    if args.service is not None:
        try:
            packets = service_packets(args.service)
        except FlowError as exc:
            return _fail(str(exc), exc.hint)
    if args.client is not None and not is_name(dst):
        return _fail(f"--dns-from is for a DNS name destination, not {dst!r}",
                     "leave it out, or ask about a name such as www.example.com")
    result, code = _ask(args, "reach", lambda m: m.reach(args.src, dst, packets, client=args.client),
                        FlowError)
    if result is None:
        return code
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(escape_controls(result.table(blocked=args.blocked)))
    return 0 if result.reachable() else 1
