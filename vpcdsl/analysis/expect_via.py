"""`expect A -> B PROTO PORT allowed via X, Y`: the flow is allowed and its request passes
X, then Y (LANGUAGE.md §8, Expectations).

Which path a flow takes is part of a design: through the transit gateway and not the
peering, through the inspection appliance, over Direct Connect rather than the backup VPN.
`via` is checked on the trace the verdict was decided by (for a CIDR or `internet` end,
reach's witness): each name must be the component of a forward hop, in the order written,
so `via fw-1` fails when the request bypasses the firewall, and after `fw-1` is marked
`down` the expectation fails because the flow is blocked. Only an `allowed` flow of one
protocol and port (or one portless protocol) between two ends has one path to check; a
`via` elsewhere is E903.
"""

from __future__ import annotations

from ..diagnostics import error
from ..syntax import ast


def via_problem(exp: ast.ExpectFlow, concrete: bool, named: bool) -> str | None:
    """Why ``exp``'s `via` cannot be checked, or None."""
    if exp.verdict != "allowed":
        return "a blocked flow has no path to check"
    if not concrete:
        return "a set of packets may take several paths: write one protocol and port"
    if named:
        return "a DNS name may answer several hosts, each on its own path: name the host"
    return None


def check_via(model, exp: ast.ExpectFlow, result: dict, args) -> None:
    """Fail ``result`` (an expectation that passed) when the request does not pass
    ``exp.via`` in order; ``args`` are the flow's (src, dst, protocol, port)."""
    from ..flows.trace import FlowError, trace

    if result["status"] != "passed":
        return
    t = result.get("trace")        # the concrete evaluation's trace; reach's leaves none
    if t is None:
        src, dst, proto, port = args
        try:
            t = trace(model, src, dst, proto, port or None)
        except FlowError:
            return                 # the verdict's own evaluation has said why
    path = [h.component.split(":", 1)[-1] for h in t.forward]
    at = 0
    for ref in exp.via:
        try:
            at = path.index(ref.name, at) + 1
        except ValueError:
            passed = " → ".join(dict.fromkeys(h.component for h in t.forward
                                              if not h.component.startswith(("nacl:", "sg:"))))
            result["status"] = "failed"
            result["detail"] = t.to_dict()
            order = " in that order" if len(exp.via) > 1 and ref.name in path else ""
            model.diagnostics.append(error(
                "E901", f"expectation failed: {t.flow} is allowed, but not via "
                f"{', '.join(r.name for r in exp.via)}{order}", ref.span,
                f"its request passes {passed}"))
            return
