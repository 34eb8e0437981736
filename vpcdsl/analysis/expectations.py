"""Expectations: `expect valid`, `expect SRC -> DST PROTO PORT allowed|blocked [by KIND]`
for concrete flows (one protocol and one port, or one portless protocol), and
`expect dns FQDN [TYPE] [from CLIENT] -> ANSWERS` (`vpcdsl.analysis.route53`).

Flows over sets of packets (port ranges, `any`, no protocol), flows with a CIDR
end or `internet` (every public address), `expect isolated`, and concrete flows
between two ends that both have IPv6 addresses are answered by the reach engine
(`vpcdsl.analysis.reach`) over both address families, exactly and with no
bound: there is one way to answer a question about a set of packets. A failure
names the packets that disagree and carries a witness trace. Any other concrete
flow is one trace. A failed flow expectation carries the trace that contradicts
it; a failed DNS expectation, Route 53's answer and why. A flow to a DNS name
(`vpcdsl.analysis.named_ends`) holds for each possible answer: `allowed` when
every answer is allowed, `blocked` when every one is blocked; a failure names
the answer and its probability.
"""

from __future__ import annotations

from ..diagnostics import _lines, error, warning
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
        elif isinstance(exp, (ast.ExpectFlow, ast.ExpectIsolated)) and _names_a_domain(exp):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            else:
                _evaluate_named(model, exp, result)
        elif isinstance(exp, (ast.ExpectFlow, ast.ExpectIsolated)) and _by_reach(model, exp):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            elif isinstance(exp, ast.ExpectFlow):
                _evaluate_flow_reach(model, exp, result)
            else:
                _evaluate_isolated_reach(model, exp, result)
        elif isinstance(exp, ast.ExpectFlow) and concrete(exp.protocol):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            else:
                _evaluate_flow(model, exp, result)
        elif isinstance(exp, ast.ExpectDns):
            if errors:
                result["detail"] = "not evaluated: the model has errors"
            else:
                _evaluate_dns(model, exp, result)
        else:
            result["detail"] = "this kind of expectation is not evaluated yet"
            model.diagnostics.append(warning(
                "W900", "expectation not evaluated yet", exp.span,
                "this kind of expectation awaits the symbolic analysis"))
        if isinstance(exp, ast.ExpectFlow) and exp.via and not errors:
            _via(model, exp, result)
        results.append(result)
    return results


def _via(model, exp: ast.ExpectFlow, result: dict) -> None:
    """`via`: the path of an allowed concrete flow (`vpcdsl.analysis.expect_via`)."""
    from .expect_via import check_via, via_problem

    problem = via_problem(exp, concrete(exp.protocol), _names_a_domain(exp))
    if problem is not None:
        result["status"] = "failed"
        model.diagnostics.append(error(
            "E903", "`via` needs one allowed flow of one protocol and port", exp.via[0].span,
            problem))
        return
    check_via(model, exp, result, flow_args(exp))


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

    _, _, proto, port = flow_args(exp)
    want_kind = exp.by.name if exp.by is not None else None

    def one(src, dst):
        t = trace(model, src, dst, proto, port or None)
        if exp.verdict == "blocked" and not t.allowed:
            # A VPC end stands for each of its subnets: `blocked` needs every probe blocked,
            # and `trace` returns the first blocked one.
            t = next((x for x in Tracer(model).traces(src, dst, proto, port or None) if x.allowed), t)
        return t

    t = _traced(model, exp, result, lambda: one(exp.src.text, exp.dst.text))
    if t is None:
        return
    result["trace"] = t
    if _agrees(exp, t, want_kind):
        result["status"] = "passed"
        return
    result["status"] = "failed"
    result["detail"] = t.to_dict()
    wanted = exp.verdict + (f" by {want_kind}" if want_kind else "")
    got = t.verdict + (f" by {t.kind} ({t.component})" if t.kind else "")
    where = f" at {t.span}" if t.span is not None and t.span.line > 0 else ""
    why = f"let through by {_allowing_rules(t)}" if t.allowed else f"{t.reason}{where}"
    model.diagnostics.append(error(
        "E901", f"expectation failed: {t.flow} is {got}, expected {wanted}", exp.span,
        _with_every_address_hint(why, exp, t)))


def _allowing_rules(t) -> str:
    """The written rules and routes an allowed flow passed, forward then back, with lines."""
    seen, parts = set(), []
    for hop in (*t.forward, *t.back):
        span = hop.span
        if hop.action not in ("allow", "forward", "translate") or span is None or span.line <= 0:
            continue
        key = (hop.detail, span.file, span.line)
        if key not in seen:
            seen.add(key)
            parts.append(f"{hop.detail} ({span.file}:{span.line})")
    return "; ".join(parts) or "defaults only (no written rule decided)"


def _with_every_address_hint(hint: str, exp, t=None) -> str:
    """``hint``, then what the verdict rests on: the `internet` suggestion for an end written
    0.0.0.0/0, and the probe host of a site written by name (the trace's own hint)."""
    from .cidrpieces import every_address_hint
    extras = [x for x in (every_address_hint(exp.src, exp.dst), t.hint if t is not None else None)
              if x]
    return "; ".join([hint, *extras])


def _agrees(exp, t, want_kind) -> bool:
    return t.verdict == exp.verdict and (exp.verdict == "allowed" or want_kind is None
                                         or t.kind == want_kind)


def _traced(model, exp, result: dict, run):
    """``run()``'s result, or None after recording why the flow cannot be evaluated: W900 for
    what the engine does not simulate, E903 for a flow that cannot be traced as written."""
    from ..flows.trace import FlowError, NotSimulated

    try:
        return run()
    except NotSimulated as exc:
        result["detail"] = str(exc)
        hint = f"{exc}; {exc.hint}" if exc.hint else str(exc)
        model.diagnostics.append(warning("W900", "expectation not evaluated yet", exp.span, hint))
    except FlowError as exc:
        result["status"] = "failed"
        result["detail"] = str(exc)
        model.diagnostics.append(error("E903", f"expectation cannot be traced: {exc}", exp.span, exc.hint))
    return None


# ---------------------------------------------------------------------------- over sets

def _by_reach(model, exp) -> bool:
    """Whether the reach engine (`vpcdsl.analysis.reach`) answers the expectation: a flow over
    a set of packets (port ranges, `any`, no protocol), a flow with a CIDR end or the
    `internet` (every public address, IPv4 and IPv6), `expect isolated`, and a concrete flow
    between two ends that both have IPv6 addresses (it holds over both families). A concrete
    flow otherwise is one trace."""
    if isinstance(exp, ast.ExpectIsolated) or not concrete(exp.protocol):
        return True
    if any(e.kind == "cidr" or e.text == "internet" for e in (exp.src, exp.dst)):
        return True
    if exp.protocol.name in ("icmp", "1", "icmpv6", "58") or any(e.kind == "address" for e in (exp.src, exp.dst)):
        return False                      # one family only: the trace picks it
    from ..flows.trace import Tracer
    from .reach import families, in_family
    if 6 not in families(model):
        return False
    tracer = Tracer(model)
    return all(in_family(tracer, e.text, 6) for e in (exp.src, exp.dst))


def _packets_of(protocol: ast.Protocol | None):
    """The requests an expectation's protocol part names (None: every request), of both
    families but for ICMP (IPv4's) and ICMPv6 (IPv6's)."""
    from ..packetsets import PacketSet
    from ..protocols import icmp_type_number, protocol_number
    if protocol is None or protocol.name == "any":
        return None
    number = protocol_number(protocol.name)
    box = {"family": 0 if number == 1 else 1 if number == 58 else None, "protocol": number}
    if protocol.ports is not None and number in (6, 17):
        box["dport"] = (protocol.ports.low, protocol.ports.high)
    if protocol.icmp_type is not None and number in (1, 58):
        box["icmp_type"] = icmp_type_number(number, protocol.icmp_type)
    return PacketSet.box(**box)


def _reach_of(model, exp, result: dict, src: str, dst: str, packets):
    """The rows of ``src -> dst`` from `reach`, or None after recording why not (as `_traced`:
    W900 for a pair the engine does not simulate, E903 for one that cannot be traced)."""
    from ..flows.trace import NotSimulated
    from .reach import reach

    def run():
        answer = reach(model, src, dst, packets)
        if answer.skipped:                 # reach leaves out what it does not simulate
            raise NotSimulated(answer.skipped[0][2])
        return answer.rows

    return _traced(model, exp, result, run)


def _words(rows) -> str:
    """The packets of some reach rows in words: ``tcp 22 from 203.0.113.128/25, icmp any``."""
    return ", ".join(dict.fromkeys(r.service + (f" {r.place}" if r.place else "") for r in rows))


def _why(t) -> str:
    where = f" at {t.span}" if t.span is not None and t.span.line > 0 else ""
    return f"let through by {_allowing_rules(t)}" if t.allowed else f"{t.reason}{where}"


def _fail(model, exp, result: dict, message: str, row, extra_hint: bool = True) -> None:
    t = row.witness
    result["status"] = "failed"
    result["trace"] = t
    result["detail"] = t.to_dict()
    piece = (row.service + (f" {row.place}" if row.place else "")) or "every packet"
    hint = f"{piece}: {_why(t)}; witness {t.flow}"
    model.diagnostics.append(error("E901", message, exp.span,
                                   _with_every_address_hint(hint, exp, t) if extra_hint else hint))


def _evaluate_flow_reach(model, exp: ast.ExpectFlow, result: dict) -> None:
    rows = _reach_of(model, exp, result, exp.src.text, exp.dst.text, _packets_of(exp.protocol))
    if rows is None:
        return
    want_kind = exp.by.name if exp.by is not None else None
    if exp.verdict == "allowed":
        wrong = [r for r in rows if r.status != "allowed"]
    else:
        wrong = [r for r in rows if r.status != "blocked" or (want_kind and r.witness.kind != want_kind)]
    if not wrong:
        result["status"] = "passed"
        if rows:
            result["trace"] = rows[0].witness
        return
    got = []
    for status in ("allowed", "intermittent", "blocked"):
        these = [r for r in wrong if r.status == status]
        if these:
            kinds = sorted({r.witness.kind for r in these if r.witness.kind}) if status == "blocked" else []
            got.append(f"{status}{' by ' + ', '.join(kinds) if kinds else ''} "
                       f"for {_words(these)}")
    proto = exp.protocol
    what = f"{exp.src.text} -> {exp.dst.text} " + (
        "any" if proto is None or proto.name == "any" else " ".join(
            x for x in (proto.name, str(proto.ports) if proto.ports is not None else proto.icmp_type) if x))
    wanted = exp.verdict + (f" by {want_kind}" if want_kind else "")
    _fail(model, exp, result, f"expectation failed: {what} is {'; '.join(got)}, expected {wanted}", wrong[0])


def _evaluate_isolated_reach(model, exp: ast.ExpectIsolated, result: dict) -> None:
    for a_end in exp.ends:
        for b_end in exp.ends:
            a, b = a_end.text, b_end.text
            if a == b:
                continue
            rows = _reach_of(model, exp, result, a, b, None)
            if rows is None:
                return
            open_ = [r for r in rows if r.status != "blocked"]
            if open_:
                _fail(model, exp, result, f"expectation failed: {a} -> {b} is allowed for "
                      f"{_words(open_)}, expected isolated", open_[0], extra_hint=False)
                return
    result["status"] = "passed"


# ---------------------------------------------------------------------------- DNS names

def _names_a_domain(exp) -> bool:
    ends = (exp.src, exp.dst) if isinstance(exp, ast.ExpectFlow) else exp.ends
    return any(e.kind == "domain" for e in ends)


def _evaluate_named(model, exp, result: dict) -> None:
    """A flow to a DNS name (`vpcdsl.analysis.named_ends`): ``allowed`` holds when the flow to
    every possible answer is allowed, ``blocked`` when every one is blocked (by KIND if
    written); a failure names the answer that disagrees and its probability. A name as a
    source, or in `expect isolated` (both ways), is E903 at the name; so is a name without an
    answer, with Route 53's reason."""
    from .named_ends import UnresolvedName, resolve_end

    source = exp.src if isinstance(exp, ast.ExpectFlow) else next(e for e in exp.ends if e.kind == "domain")
    if isinstance(exp, ast.ExpectIsolated) or source.kind == "domain":
        result["status"] = "failed"
        result["detail"] = f"'{source.text}' is a DNS name: a destination only"
        model.diagnostics.append(error(
            "E903", f"expectation cannot be traced: '{source.text}' is a DNS name, a destination "
            "only", source.span, "a flow starts at a host: write the instance, subnet, site or "
            "address that opens it" + ("; `isolated` runs both ways, so write the name's "
                                       "answer instead" if isinstance(exp, ast.ExpectIsolated) else "")))
        return
    proto = exp.protocol.name if exp.protocol is not None else "tcp"
    unresolved = []

    def resolved():
        try:
            return resolve_end(model, exp.src.text, exp.dst.text, proto)
        except UnresolvedName as exc:     # the name's fault: said at the name
            unresolved.append(exc)
        return None

    named = _traced(model, exp, result, resolved)   # the source's fault: said at the line
    if unresolved:
        exc = unresolved[0]
        result["status"] = "failed"
        result["detail"] = str(exc)
        model.diagnostics.append(error("E903", f"expectation cannot be traced: {exc}", exp.dst.span,
                                       exc.hint))
    if named is None:
        return
    if concrete(exp.protocol):
        _evaluate_named_trace(model, exp, result, named)
    else:
        _evaluate_named_reach(model, exp, result, named)


def _answer_words(leg) -> str:
    from .named_ends import probability_words
    return f"answer {leg.answer} (probability {probability_words(leg.probability)})"


def _evaluate_named_trace(model, exp, result: dict, named) -> None:
    from ..flows.trace import Tracer
    from .named_ends import combine

    _, _, proto, port = flow_args(exp)
    want_kind = exp.by.name if exp.by is not None else None
    tracer = Tracer(model)

    def one(dst):
        t = tracer.trace(exp.src.text, dst, proto, port or None)
        if exp.verdict == "blocked" and not t.allowed:     # a VPC source: every probe blocked
            t = next((x for x in tracer.traces(exp.src.text, dst, proto, port or None) if x.allowed), t)
        return t

    traces = []
    for leg in named.legs:
        t = _traced(model, exp, result, lambda: one(leg.end))
        if t is None:
            return
        traces.append(t)
    flow = f"{exp.src.text} -> {exp.dst.text} {proto}{' ' + port if port else ''}"
    whole = combine(flow, named, traces)
    result["trace"] = whole
    wrong = [(leg, t) for leg, t in zip(named.legs, traces) if not _agrees(exp, t, want_kind)]
    if not wrong:
        result["status"] = "passed"
        return
    leg, t = wrong[0]
    result["status"] = "failed"
    result["detail"] = whole.to_dict()
    every = " for every answer" if len(traces) > 1 else ""
    wanted = exp.verdict + (f" by {want_kind}" if want_kind else "") + every
    got = t.verdict + (f" by {t.kind} ({t.component})" if t.kind else "")
    model.diagnostics.append(error(
        "E901", f"expectation failed: {flow} is {got} for {_answer_words(leg)}, expected {wanted}",
        exp.span, _with_every_address_hint(f"{_why(t)}; {named.header()}", exp, t)))


def _evaluate_named_reach(model, exp, result: dict, named) -> None:
    packets = _packets_of(exp.protocol)
    want_kind = exp.by.name if exp.by is not None else None
    for leg in named.legs:
        rows = _reach_of(model, exp, result, exp.src.text, leg.end, packets)
        if rows is None:
            return
        if exp.verdict == "allowed":
            wrong = [r for r in rows if r.status != "allowed"]
        else:
            wrong = [r for r in rows if r.status != "blocked" or (want_kind and r.witness.kind != want_kind)]
        if wrong:
            proto = exp.protocol
            what = f"{exp.src.text} -> {exp.dst.text} " + (
                "any" if proto is None or proto.name == "any" else " ".join(
                    x for x in (proto.name, str(proto.ports) if proto.ports is not None else proto.icmp_type) if x))
            got = wrong[0].status + (f" by {wrong[0].witness.kind}" if wrong[0].status == "blocked"
                                     and wrong[0].witness.kind else "")
            wanted = exp.verdict + (f" by {want_kind}" if want_kind else "") + \
                (" for every answer" if len(named.legs) > 1 else "")
            _fail(model, exp, result, f"expectation failed: {what} is {got} for {_words(wrong)} to "
                  f"{_answer_words(leg)}, expected {wanted}", wrong[0])
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
    lines = _lines(model.sources.get(span.file, ""))
    return lines[span.line - 1].strip() if 0 < span.line <= len(lines) else ""
