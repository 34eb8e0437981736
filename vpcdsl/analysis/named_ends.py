"""DNS names as flow ends: `model.trace("web-1", "www.example.com", "tcp", 443)`.

A flow's destination may be a name of one of the model's hosted zones. It is
resolved as Route 53 answers the source (`vpcdsl.analysis.route53.resolve`),
and the flow is traced to each possible answer (docs/SEMANTICS.md, Names as
flow ends):

- The client. From a host in a VPC, the query goes to that VPC's Route 53
  Resolver: a private zone associated with the VPC answers it (the client is
  the source's address), and location-based policies answer for the VPC's
  region (Route 53 guide, routing-policy-geo-phz: "Route 53 responds to DNS
  queries based on the AWS Region of the VPC that the query originated
  from"). From `internet` or a site, the model's first region (as `vpcdsl
  dns` without `--from`). ``client`` overrides it (a `vpcdsl dns --from`
  client).
- The record type: A, or AAAA for an IPv6 flow (`icmpv6`, an IPv6 source).
- Each answer becomes a flow end: an address is itself; an alias to an
  internet-facing load balancer is its public addresses (`public-ip(LB)`:
  its DNS name resolves to them from inside a VPC too, so the flow leaves by
  a NAT or internet gateway), to an internal one its private addresses (the
  LB by name); an alias to a CloudFront distribution is an edge address on
  the internet (`internet`: the edge's own connection to its origin is a
  flow of its own, `internet -> ORIGIN`); an alias to an instance is its
  public address from a public zone and its private one from a private zone.
- Probabilities: each answer's, from `answer_shares` (the one place that
  reads them from the resolution).
- Verdicts over several answers: the flow is allowed only when every
  possible answer is (a client may get any of them), blocked when none is;
  otherwise it is blocked and intermittent, naming the blocked answer and
  its probability.

A name resolving to nothing (NXDOMAIN or NODATA), a name no zone of the model
holds, and a name as a source are `FlowError`s with a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from fractions import Fraction
from typing import Any

from ..aws import SERVICES
from ..checks.names import close_matches, did_you_mean
from ..flows.flow import FlowError, Trace, parse_address
from ..protocols import protocol_number
from ..syntax import ast
from .route53 import Client, DnsError, client_of, resolve
from .geo import REGION_PLACES, region_point

# A DNS name as `grammar/vpc.lark` DOMAIN reads it: two labels or more, the last starting
# with a letter (so no address or CIDR is one). Model names hold no dot.
_DOMAIN = re.compile(r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*\.?")


def is_name(text: str | None) -> bool:
    """Whether a flow end is a DNS name (resolved here) rather than a model name or address.

    >>> is_name("www.example.com"), is_name("web-1"), is_name("10.0.0.1"), is_name("public-ip(x)")
    (True, False, False, False)
    """
    return text is not None and _DOMAIN.fullmatch(text) is not None


class UnresolvedName(FlowError):
    """A name as a flow end that Route 53 does not answer here (NXDOMAIN, NODATA, no zone of
    the model, a client without the location a policy needs)."""


# ---------------------------------------------------------------------------- answers

@dataclass(frozen=True)
class Leg:
    """One possible answer of the name and the flow end that stands for it."""

    answer: str                  # Route 53's value: an address, or an alias target's name
    probability: Any             # a Fraction (or float) in [0, 1]
    end: str                     # the flow end traced for it
    how: str = ""                # how the answer became ``end`` ("" for an address)

    def words(self, name: str, rtype: str) -> str:
        """``www.example.com → 203.0.113.10 (A, probability 1)``, then how it was traced."""
        how = f": {self.how}" if self.how else ""
        return f"{name} → {self.answer} ({rtype}, probability {probability_words(self.probability)}){how}"


def probability_words(p) -> str:
    """A probability in print: exact decimals as such, other fractions with their value.

    >>> probability_words(Fraction(1)), probability_words(Fraction(9, 10)), probability_words(Fraction(1, 3))
    ('1', '0.9', '1/3 (0.333)')
    """
    if isinstance(p, Fraction):
        if p.denominator == 1:
            return str(p.numerator)
        d = p.denominator
        for prime in (2, 5):
            while d % prime == 0:
                d //= prime
        if d == 1:
            return format(float(p), ".10g")
        return f"{p.numerator}/{p.denominator} ({float(p):.3g})"
    return format(float(p), ".6g")


def answer_shares(resolution) -> list[tuple[str, Any]]:
    """Each value a client may get from ``resolution`` with the exact probability that Route
    53's response holds it (`Resolution.probability`): the one place that reads them. Values
    in the order of the distribution (most likely first); where it is not listed (a
    multivalue set of too many records), the candidates that may be in the answer."""
    dist = getattr(resolution, "distribution", ())
    values = list(dict.fromkeys(v for a in dist for v in a.values))
    if not values:
        values = list(dict.fromkeys(c.value for c in getattr(resolution, "candidates", ())
                                    if c.probability > 0)) or list(resolution.answers)
    if not hasattr(resolution, "probability"):
        return [(a, Fraction(1, len(values))) for a in values]
    return [(v, Fraction(resolution.probability(v))) for v in values]


def dns_client(model, tracer, src: str, family: int) -> tuple[Client, str]:
    """Who asks Route 53 when ``src`` opens a flow (the module docstring), and how, in words:
    a host of a VPC asks as its address (so its VPC's private zones answer), located at its
    VPC's region (its city for latency and geoproximity, its country for geolocation);
    anything else as the model's first region."""
    vpc, address = _vpc_of(model, tracer, src, family)
    if vpc is None or address is None:
        who = client_of(model, None)
        return who, f"{src} asks from the model's first region, {who.value}"
    region = model.vpcs[vpc].region_name or client_of(model, None).value
    place = REGION_PLACES.get(region)
    return (Client("address", str(address), region_point(region), place[3] if place else None,
                   f"VPC '{vpc}' in {region}"),
            f"{src} asks from {address} in VPC '{vpc}', located at its region {region}")


def _vpc_of(model, tracer, src: str, family: int):
    """The VPC ``src`` is in and its address there, or (None, None)."""
    if src in model.vpcs and model.get(src) is model.vpcs[src]:
        subnets = tracer.dp.vpc_subnets.get(src, ())
        if not subnets:
            return src, None
        return src, tracer.end(subnets[0].name, family=family).address
    if src == "internet" or src in SERVICES:
        return None, None
    end = tracer.end(src, family=family)
    return end.vpc, end.address


def _private_zone_holds(model, vpc: str, name: str) -> bool:
    name = name.rstrip(".").lower()
    return any(z.private and any(r.name == vpc for r in z.private_vpcs)
               and (name == z.name or name.endswith("." + z.name)) for z in model.dns_zones)


def _public_zone(model, resolution) -> bool:
    """Whether the name that answered (the last of the CNAME chain) is in no private zone the
    client sees, so an instance alias answers with its public address."""
    last = resolution.chain[-1].split(" CNAME ")[-1] if resolution.chain else resolution.fqdn
    client = resolution.client
    if client.kind != "address":
        return True
    vpc = model.dataplane.vpc_at(parse_address(client.value))
    return vpc is None or not _private_zone_holds(model, vpc.name, last)


def answer_end(model, answer: str, src: str, family: int, public_zone: bool) -> tuple[str, str]:
    """The flow end that stands for one Route 53 answer, and how (the module docstring)."""
    if parse_address(answer) is not None:
        return answer, ""
    obj = model.get(answer)
    from_internet = src == "internet"
    if isinstance(obj, ast.LoadBalancer):
        if obj.scheme == "internet-facing":
            if from_internet or family == 6:
                return answer, f"an alias to internet-facing load balancer '{answer}'"
            return f"public-ip({answer})", (f"an alias to internet-facing load balancer "
                                            f"'{answer}': its public addresses, from inside a VPC too")
        return answer, f"an alias to internal load balancer '{answer}': its private addresses"
    if isinstance(obj, ast.Cdn):
        return "internet", (f"an alias to CloudFront distribution '{answer}': an edge address on "
                            f"the internet (the edge's connection to origin '{obj.origin.name}' "
                            f"is a flow of its own)")
    if isinstance(obj, ast.Instance):
        if public_zone and not from_internet and family == 4:
            return f"public-ip({answer})", f"an alias to instance '{answer}': its public address"
        return answer, f"an alias to instance '{answer}'"
    if obj is not None:
        return answer, f"'{answer}'"
    raise UnresolvedName(f"Route 53 answers '{answer}', which is neither an address nor a name of "
                    "the model", "a CNAME to a name outside the model's zones cannot be followed")


@dataclass(frozen=True)
class Named:
    """A name resolved for one flow: the resolution and one `Leg` per possible answer."""

    name: str
    rtype: str
    resolution: Any
    legs: tuple[Leg, ...]
    asked: str = ""              # who asked Route 53, and why as that client

    def header(self) -> str:
        """The name, whom it was asked for, the answers and why."""
        r = self.resolution
        return (f"dns: {r.fqdn} {r.type} from {r.client.words}: {', '.join(r.answers)} "
                f"({r.reason}; {self.asked})")


def flow_family(src: str, protocol: str) -> int:
    """The family of a flow to a name: IPv6 for `icmpv6` or an IPv6 source, else IPv4."""
    proto = protocol.partition("/")[0].strip().lower()
    address = parse_address(src)
    return 6 if protocol_number(proto) == 58 or (address is not None and address.version == 6) else 4


def resolve_end(model, src: str, name: str, protocol: str = "tcp", *, client=None,
                tracer=None) -> Named:
    """Resolve ``name`` for a flow from ``src`` (the module docstring); FlowError when it
    has no answer or the model cannot say."""
    from ..flows.trace import Tracer
    if is_name(src):
        raise FlowError(f"'{src}' is a DNS name: it is a destination only",
                        "a flow starts at a host; write the instance, subnet, site or address "
                        "that opens it")
    tracer = tracer or Tracer(model)
    family = flow_family(src, protocol)
    rtype = "AAAA" if family == 6 else "A"
    try:
        if client is None:
            who, asked = dns_client(model, tracer, src, family)
        else:
            who = client if isinstance(client, Client) else client_of(model, client)
            asked = f"asked from {who.words}, as given"
        r = resolve(model, name, rtype, who)
    except DnsError as exc:
        hidden = _hidden_private_zone(model, name)
        raise UnresolvedName(f"cannot resolve {name}: {exc}", hidden or exc.hint) from None
    if not r.answers:
        status = getattr(r, "status", "")
        raise UnresolvedName(f"{name} has no {rtype} answer for {r.client.words}"
                             f"{': ' + status if status else ''} ({r.reason})",
                             _no_answer_hint(model, name, rtype, r))
    public_zone = _public_zone(model, r)
    legs = []
    for answer, p in answer_shares(r):
        end, how = answer_end(model, answer, src, family, public_zone)
        legs.append(Leg(answer, p, end, how))
    return Named(name, rtype, r, tuple(legs), asked)


def _no_answer_hint(model, name: str, rtype: str, r) -> str:
    """What to do about a name without an answer: the other family's record, a private zone
    seen from elsewhere, a missing record."""
    other = "AAAA" if rtype == "A" else "A"
    try:
        if resolve(model, name, other, r.client).answers:
            return (f"{name} has {other} records only: trace it over "
                    f"{'IPv6 (icmpv6, or an IPv6 source)' if other == 'AAAA' else 'IPv4'}")
    except DnsError:
        pass
    hidden = _hidden_private_zone(model, name) if r.client.kind != "address" else None
    if hidden:
        return hidden
    if getattr(r, "status", "") == "NODATA" and r.policy:
        # The name has records of this type, but none answers this client (a geolocation
        # set without `default`): a near name would be no better.
        return (f"none of its {r.policy} records answers {r.client.words}: trace from elsewhere "
                f"(--dns-from), or add one that does"
                + (" (a geolocation `default`)" if r.policy == "geolocation" else ""))
    close = [c for c in _close_names(model, name) if c != name.rstrip(".").lower()]
    add = f"add {'an' if rtype == 'A' else 'a'} {rtype} record for it, or trace to an address"
    return f"{did_you_mean(close)} Else {add}" if close else add


def _close_names(model, name: str) -> list[str]:
    """The names of ``name``'s zones whose labels are closest to its own (a misspelt label)."""
    name = name.rstrip(".").lower()
    found = []
    for z in model.dns_zones:
        if name.endswith("." + z.name):
            labels = [r.label for r in z.records if r.label not in ("@", "*")]
            found += [f"{label}.{z.name}" for label in
                      close_matches(name[:-len(z.name) - 1], list(dict.fromkeys(labels)))]
    return list(dict.fromkeys(found))


def _hidden_private_zone(model, name: str) -> str | None:
    """The hint for a name a private zone holds when the client is outside its VPCs."""
    name = name.rstrip(".").lower()
    for z in model.dns_zones:
        if z.private and (name == z.name or name.endswith("." + z.name)):
            vpcs = ", ".join(v.name for v in z.private_vpcs)
            return (f"private zone {z.name} answers only inside its VPCs ({vpcs}): trace from a "
                    "host there")
    return None


# ---------------------------------------------------------------------------- traces

@dataclass(frozen=True, repr=False)     # IPython then shows Trace's `_repr_pretty_` (the table)
class NamedTrace(Trace):
    """A flow to a DNS name: its deciding trace (the first blocked answer's, else the first
    answer's, so it reads as any `Trace`), with every answer's trace in ``traces``. Its verdict
    is over every answer: allowed when each is, blocked (and intermittent) when some are
    not."""

    named: Any = None
    traces: tuple[Trace, ...] = ()

    @property
    def legs(self) -> tuple[tuple[Leg, Trace], ...]:
        return tuple(zip(self.named.legs, self.traces))

    def table(self) -> str:
        n = self.named
        if len(self.traces) == 1:
            leg = n.legs[0]
            return f"{n.header()}\n{leg.words(n.name, n.rtype)}\n{self.traces[0].table()}"
        lines = [n.header()]
        if sum(leg.probability for leg in n.legs) != 1:
            lines.append("note: a probability is that of Route 53's response holding the value; "
                         "a response holds several, and the client connects to one of them")
        lines += [f"flow: {self.flow}",
                 f"verdict: {self.verdict.upper()}" + (f" by {self.kind} ({self.component})" if self.kind else ""),
                 f"reason: {self.reason}"]
        for i, (leg, t) in enumerate(self.legs, 1):
            lines += ["", f"answer {i} of {len(self.traces)}: {leg.words(n.name, n.rtype)}",
                      *("  " + x if x else x for x in t.table().splitlines())]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        out = super().to_dict()
        r = self.named.resolution
        out["dns"] = {"name": self.named.name, "type": self.named.rtype, "client": r.client.words,
                      "reason": r.reason, "chain": list(r.chain),
                      "answers": [{"answer": leg.answer, "probability": float(leg.probability),
                                   "exact": str(leg.probability), "end": leg.end, "how": leg.how,
                                   "trace": t.to_dict()} for leg, t in self.legs]}
        return out


def combine(flow: str, named: Named, traces: list[Trace]) -> NamedTrace:
    """One `NamedTrace` from each answer's trace (in the order of ``named.legs``)."""
    blocked = [(leg, t) for leg, t in zip(named.legs, traces) if not t.allowed]
    leg, decider = blocked[0] if blocked else (named.legs[0], traces[0])
    base = {f.name: getattr(decider, f.name) for f in fields(Trace)}
    base["flow"] = flow
    if len(traces) > 1 and not blocked:
        base["reason"] = f"every answer is allowed ({', '.join(x.answer for x in named.legs)})"
    elif len(traces) > 1:
        base["reason"] = f"{leg.answer} (probability {probability_words(leg.probability)}): {decider.reason}"
        if blocked and len(blocked) < len(traces):
            ok = [x for x, t in zip(named.legs, traces) if t.allowed]
            share = sum((x.probability for x in ok), Fraction(0))
            base["reason"] += (f"; allowed for {', '.join(x.answer for x in ok)} "
                               f"(probability {probability_words(share)})")
            base["intermittent"] = True
    return NamedTrace(**base, named=named, traces=tuple(traces))


def named_trace(model, src: str, name: str, protocol: str, port=None, *, client=None) -> NamedTrace:
    """Trace ``src -> name``: to each possible answer of the name (the module docstring)."""
    from ..flows.trace import Tracer
    tracer = Tracer(model)
    named = resolve_end(model, src, name, protocol, client=client, tracer=tracer)
    family = flow_family(src, protocol)
    traces = [tracer.trace(src, leg.end, protocol, port, family=family if family == 6 else None)
              for leg in named.legs]
    proto, _, inline = protocol.partition("/")
    port_text = inline or ("" if port is None else str(port))
    return combine(f"{src} -> {name} {proto.strip().lower()}{' ' + port_text if port_text else ''}",
                   named, traces)


# ---------------------------------------------------------------------------- reach

@dataclass(frozen=True)
class NamedReach:
    """`reach` from ``src`` to a DNS name: one `vpcdsl.analysis.reach.Reach` per answer."""

    src: str
    dst: str
    named: Named
    answers: tuple[Any, ...]         # a Reach per leg of ``named``
    model: Any = None

    @property
    def rows(self) -> tuple:
        return tuple(row for a in self.answers for row in a.rows)

    @property
    def skipped(self) -> tuple:
        return tuple(s for a in self.answers for s in a.skipped)

    def reachable(self) -> list:
        """The rows that reach some answer (allowed or intermittent)."""
        return [row for a in self.answers for row in a.reachable()]

    def table(self, *, blocked: bool = False) -> str:
        n = self.named
        parts = [n.header()]
        for leg, answer in zip(n.legs, self.answers):
            parts += ["", leg.words(n.name, n.rtype), answer.table(blocked=blocked)]
        return "\n".join(parts)

    def to_dict(self) -> dict:
        r = self.named.resolution
        return {"version": 1, "src": self.src, "dst": self.dst,
                "dns": {"name": self.named.name, "type": self.named.rtype, "client": r.client.words,
                        "reason": r.reason, "chain": list(r.chain)},
                "answers": [{"answer": leg.answer, "probability": float(leg.probability),
                             "exact": str(leg.probability), "end": leg.end, "how": leg.how,
                             **{k: v for k, v in a.to_dict().items() if k in ("rows", "skipped")}}
                            for leg, a in zip(self.named.legs, self.answers)]}

    def _repr_pretty_(self, p, cycle):
        p.text(self.table())

    def _repr_html_(self) -> str:  # Jupyter: the DNS answer, then each answer's reach table
        from ..views.notebook.rich import named_reach_repr_html
        return named_reach_repr_html(self)


def named_reach(model, src: str | None, name: str, packets=None, *, client=None) -> NamedReach:
    """`reach` from ``src`` to each answer of ``name`` (the module docstring). Who can reach a
    name needs a source: each resolves it for itself."""
    from .reach import reach
    if src is None:
        raise FlowError(f"who can reach {name} depends on who asks Route 53 for it",
                        f"give a source: `vpcdsl reach FILE SRC {name}`")
    protocol = "icmpv6" if packets is not None and _only_ipv6(packets) else "tcp"
    named = resolve_end(model, src, name, protocol, client=client)
    answers = tuple(reach(model, src, leg.end, packets) for leg in named.legs)
    return NamedReach(src, name, named, answers, model)


def _only_ipv6(packets) -> bool:
    from ..packetsets import PacketSet
    if isinstance(packets, str):
        from .reach import service_packets
        packets = service_packets(packets)
    return not (packets & PacketSet.box(family=0))
