"""Expectations: `expect valid`, `expect SRC -> DST PROTO PORT allowed|blocked [by KIND]`
for concrete flows (one protocol and one port, or one portless protocol), and
`expect dns FQDN [TYPE] [from CLIENT] -> ANSWERS` (`vpcdsl.analysis.route53`).

Flows over port ranges, `any` or no protocol and `expect isolated` ask about
sets of packets; they are reported `not-evaluated` (W900) until the symbolic
analysis lands. A failed flow expectation carries the trace that contradicts
it; a failed DNS expectation, Route 53's answer and why.
"""

from __future__ import annotations

from ..diagnostics import error, warning
from ..syntax import ast

_PORTED = ("tcp", "udp", "6", "17")


def evaluate(model) -> list[dict]:
    results = []
    errors = [d for d in model.diagnostics if d.severity == "error"]
    for exp in model.expectations:
        result = {"file": exp.span.file, "line": exp.span.line, "text": _source_line(model, exp.span),
                  "status": "not-evaluated", "detail": None}
        if isinstance(exp, ast.ExpectValid):
            if errors:
                result["status"] = "failed"
                result["detail"] = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
                model.diagnostics.append(error("E901", "expectation failed: the model has errors",
                                               exp.span, f"first: {errors[0].span}: {errors[0].message}"))
            else:
                result["status"] = "passed"
        elif isinstance(exp, ast.ExpectFlow) and concrete(exp.protocol):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            else:
                _evaluate_flow(model, exp, result)
        elif isinstance(exp, (ast.ExpectFlow, ast.ExpectIsolated)) and _set_evaluable(exp):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            elif isinstance(exp, ast.ExpectFlow):
                _evaluate_flow_set(model, exp, result)
            else:
                _evaluate_isolated(model, exp, result)
        elif isinstance(exp, ast.ExpectDns):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            else:
                _evaluate_dns(model, exp, result)
        else:
            result["detail"] = "this kind of expectation is not evaluated yet"
            model.diagnostics.append(warning(
                "W900", "expectation not evaluated yet", exp.span,
                "flows between CIDRs await the symbolic analysis; flows between hosts, "
                "subnets, VPCs, sites, services and addresses are evaluated"))
        results.append(result)
    return results


def concrete(protocol: ast.Protocol | None) -> bool:
    """One protocol and one port, or one portless protocol (LANGUAGE.md §5)."""
    if protocol is None or protocol.name == "any":
        return False
    if protocol.name in _PORTED:
        return protocol.ports is not None and protocol.ports.low == protocol.ports.high
    return True


def flow_args(exp: ast.ExpectFlow) -> tuple[str, str, str, str]:
    proto = exp.protocol
    if proto.name in _PORTED:
        port = str(proto.ports.low)
    else:
        port = proto.icmp_type or ""
    return exp.src.text, exp.dst.text, proto.name, port


def _evaluate_flow(model, exp: ast.ExpectFlow, result: dict) -> None:
    from ..flows.trace import Tracer, trace

    src, dst, proto, port = flow_args(exp)

    def run():
        t = trace(model, src, dst, proto, port or None)
        if exp.verdict == "blocked" and not t.allowed:
            # A VPC end stands for each of its subnets: `blocked` needs every probe blocked,
            # and `trace` returns the first blocked one.
            t = next((x for x in Tracer(model).traces(src, dst, proto, port or None) if x.allowed), t)
        return t

    t = _traced(model, exp, result, run)
    if t is None:
        return
    result["trace"] = t
    want_kind = exp.by.name if exp.by is not None else None
    ok = t.verdict == exp.verdict and (exp.verdict == "allowed" or want_kind is None
                                       or t.kind == want_kind)
    if ok:
        result["status"] = "passed"
        return
    result["status"] = "failed"
    result["detail"] = t.to_dict()
    wanted = exp.verdict + (f" by {want_kind}" if want_kind else "")
    got = t.verdict + (f" by {t.kind} ({t.component})" if t.kind else "")
    where = f" at {t.span}" if t.span is not None and t.span.line > 0 else ""
    model.diagnostics.append(error(
        "E901", f"expectation failed: {t.flow} is {got}, expected {wanted}", exp.span,
        f"{t.reason}{where}"))


def _set_evaluable(exp) -> bool:
    """Flows over sets of packets are evaluated class by class (`vpcdsl.analysis.flowsets`) between
    named ends and addresses; a CIDR end is a set of addresses, which awaits the symbolic
    analysis."""
    ends = (exp.src, exp.dst) if isinstance(exp, ast.ExpectFlow) else exp.ends
    return all(e.kind != "cidr" for e in ends)


def _set_trace(model, exp, result: dict, src: str, dst: str, protocol):
    """Every class verdict of one flow, or None after recording why it cannot be evaluated."""
    from .flowsets import flow_verdicts
    return _traced(model, exp, result, lambda: list(flow_verdicts(model, src, dst, protocol)))


def _traced(model, exp, result: dict, run):
    """``run()``'s result, or None after recording why the flow cannot be evaluated: W900 for
    what the engine does not simulate, E903 for a flow that cannot be traced as written."""
    from ..flows.trace import FlowError, NotSimulated

    try:
        return run()
    except NotSimulated as exc:
        result["detail"] = str(exc)
        model.diagnostics.append(warning("W900", "expectation not evaluated yet", exp.span, str(exc)))
    except FlowError as exc:
        result["status"] = "failed"
        result["detail"] = str(exc)
        model.diagnostics.append(error("E903", f"expectation cannot be traced: {exc}", exp.span, exc.hint))
    return None


def _evaluate_flow_set(model, exp: ast.ExpectFlow, result: dict) -> None:
    from .flowsets import summarize

    verdicts = _set_trace(model, exp, result, exp.src.text, exp.dst.text, exp.protocol)
    if verdicts is None:
        return
    want_kind = exp.by.name if exp.by is not None else None
    what = f"{exp.src.text} -> {exp.dst.text} {exp.protocol.name if exp.protocol else 'any'}"
    if exp.verdict == "allowed":
        wrong = [v for v in verdicts if not v.trace.allowed]
        got = f"blocked for {summarize(verdicts, False)}"
    else:
        wrong = [v for v in verdicts if v.trace.allowed or (want_kind and v.trace.kind != want_kind)]
        allowed = summarize(verdicts, True)
        got = f"allowed for {allowed}" if allowed else \
            f"blocked by {', '.join(sorted({v.trace.kind for v in wrong}))} for some packets"
    if not wrong:
        result["status"] = "passed"
        return
    first = wrong[0].trace
    result["status"] = "failed"
    result["trace"] = first
    result["detail"] = first.to_dict()
    wanted = exp.verdict + (f" by {want_kind}" if want_kind else "")
    where = f" at {first.span}" if first.span is not None and first.span.line > 0 else ""
    model.diagnostics.append(error(
        "E901", f"expectation failed: {what} is {got}, expected {wanted}", exp.span,
        f"{wrong[0].packets.words}: {first.reason}{where}"))


def _evaluate_isolated(model, exp: ast.ExpectIsolated, result: dict) -> None:
    from .flowsets import summarize

    names = [e.text for e in exp.ends]
    for a in names:
        for b in names:
            if a == b:
                continue
            verdicts = _set_trace(model, exp, result, a, b, None)
            if verdicts is None:
                return
            open_ = [v for v in verdicts if v.trace.allowed]
            if open_:
                t = open_[0].trace
                result["status"] = "failed"
                result["trace"] = t
                result["detail"] = t.to_dict()
                model.diagnostics.append(error(
                    "E901", f"expectation failed: {a} -> {b} is allowed for {summarize(verdicts, True)}, "
                    f"expected isolated", exp.span, f"{open_[0].packets.words}: {t.reason}"))
                return
    result["status"] = "passed"


def _evaluate_dns(model, exp: ast.ExpectDns, result: dict) -> None:
    from .route53 import DnsError, resolve

    rtype = exp.type.name if exp.type is not None else "A"
    try:
        r = resolve(model, exp.fqdn, rtype, exp.client)
    except DnsError as exc:
        result["status"] = "failed"
        result["detail"] = str(exc)
        model.diagnostics.append(error("E904", f"DNS expectation cannot be answered: {exc}", exp.span,
                                       exc.hint))
        return
    result["resolution"] = r
    expected = [v.text for v in exp.answers]
    if set(r.answers) == set(expected):
        result["status"] = "passed"
        return
    result["status"] = "failed"
    result["detail"] = r.to_dict()
    got = ", ".join(r.answers) or "no answer"
    want = ", ".join(expected) or "no answer"
    where = f" at {r.span}" if r.span is not None and r.span.line > 0 else ""
    client = f" from {r.client.words}" if exp.client is not None else ""
    model.diagnostics.append(error(
        "E901", f"expectation failed: Route 53 answers {exp.fqdn} {rtype}{client} with {got}, "
        f"expected {want}", exp.span, f"{r.reason}{where}"))


def _source_line(model, span) -> str:
    src = model.sources.get(span.file, "")
    lines = src.splitlines()
    return lines[span.line - 1].strip() if 0 < span.line <= len(lines) else ""
