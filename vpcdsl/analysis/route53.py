"""What Route 53 answers: `resolve(model, "app.example.com", "A", client="eu-west-1")`.

A `Resolution` holds every answer a client may get with its exact probability
(``distribution``), every candidate record with why it won or lost (``candidates``), the
TTL, and the response code (``status``: NOERROR, NODATA or NXDOMAIN). ``answers`` is the
set of values a client may get, as before.

The hosted zone is the most specific one whose domain ends the name; a private zone
counts only for a client inside one of its VPCs (an address in the VPC), and then wins
over public zones. In the zone: records of the type at the name; else a CNAME there is
followed (up to 8 times; a weighted CNAME branches, each branch with its share); else any
other record there means NODATA; else the wildcard `*` of the zone stands for the name;
else NODATA when a longer name exists below it (an empty non-terminal), NXDOMAIN when not.

A record is healthy unless its health check is `down`, or it is an alias to a load
balancer Route 53 finds unhealthy (evaluate target health, which vpcdsl takes as on for
every alias to a load balancer, the console's default): an application or network load
balancer when some target group (a listener's or rule's targets) has every target
`down`, a classic one when every target is. The routing policies are in
`vpcdsl.analysis.route53_policies`.

Clients (`from ...`): a region (its city, its country), a country, a continent or a US
state (their centroids, `vpcdsl.analysis.geo_places`), coordinates, or an address (a
country only inside vpcdsl's table of well-known ranges; without one it has no location,
so latency and geoproximity raise `DnsError`). A query with no client counts as from the
model's first region (us-east-1 without a `region` statement).

TTL: the record's `ttl N`, else 300 s (the console's default); an alias to a load
balancer or CloudFront distribution has Route 53's fixed 60 s, whatever is written. A
response with no answer is cached for 900 s (RFC 2308: the lesser of the TTL, 900, and the
minimum, 86400, of the SOA record Route 53 writes in a new zone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from ipaddress import ip_address
from typing import Any
from weakref import WeakKeyDictionary

from ..aws import DEFAULT_REGION, REGIONS
from ..syntax import ast
from .geo import region_point
from .geo_places import continent_point, country_of_address, country_point, state_point
from .route53_policies import MAX_MULTIVALUE, POLICIES, Candidate, Choice, Context, areas

__all__ = ["Answer", "Candidate", "Client", "DnsError", "Resolution", "client_of", "resolve", "matches",
           "DEFAULT_TTL", "ALIAS_TTL", "NEGATIVE_TTL", "MAX_CNAME_CHAIN", "MAX_MULTIVALUE"]

MAX_CNAME_CHAIN = 8
DEFAULT_TTL = 300           # the Route 53 console's default for a new record
ALIAS_TTL = 60              # what Route 53 answers for an alias to ELB, CloudFront, S3 websites
NEGATIVE_TTL = 900          # min(SOA TTL 900, SOA minimum 86400) of a new zone's SOA (RFC 2308)


class DnsError(ValueError):
    """A question the model cannot answer (no zone holds the name, a client without a location)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Client:
    kind: str | None            # region, country, continent, state, coords, address; None: default
    value: str
    point: tuple[float, float] | None = None
    country: str | None = None  # an address's country (vpcdsl's table of well-known ranges)
    place: str | None = None    # how the location was found, in words

    @property
    def words(self) -> str:
        return self.value if self.kind in (None, "region", "country", "address") else f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Answer:
    """One response Route 53 may give: ``values`` (the record values, as written: addresses,
    strings, domain names, or a model name for an alias) with its exact ``probability``
    (a `fractions.Fraction`; a resolution's answers sum to 1) and its ``ttl`` in seconds."""

    values: tuple[str, ...]
    probability: Fraction
    ttl: int | None = None

    def to_dict(self) -> dict:
        return {"values": list(self.values), "probability": _decimal(self.probability),
                "fraction": str(self.probability), "ttl": self.ttl}


@dataclass(frozen=True)
class Resolution:
    """Route 53's answer for one name, type and client.

    - ``distribution``: every `Answer` a client may get with its exact probability,
      most likely first (the chosen record's for failover, latency, geolocation,
      geoproximity and ip-based, with probability 1; one per weighted record; one per
      set of 8 for a multivalue set of more than 8 healthy records, unless there are more
      than 500 such sets: then empty, with ``possible_answers`` counting them).
    - ``candidates``: every record of the set, with the probability that its value is in
      the answer and why it won or lost; `probability(value)` sums them per value.
    - ``answers``: the values a client may get (for a multivalue set of more than 8, the
      first 8 healthy, one possible answer), as `expect dns` compares them.
    - ``status``: ``NOERROR``, ``NODATA`` (the name exists, no record of the type answers)
      or ``NXDOMAIN`` (no such name in the zone); ``ttl``: the answer's TTL (None when its
      answers differ), or the negative-caching TTL when there is no answer.
    """

    fqdn: str
    type: str
    client: Client
    answers: tuple[str, ...]
    reason: str                 # how the answer was chosen, in words
    span: Any = None            # the record (or zone) that decided
    chain: tuple[str, ...] = field(default=())   # CNAMEs followed
    status: str = "NOERROR"
    ttl: int | None = None
    policy: str | None = None
    distribution: tuple[Answer, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    possible_answers: int = 0

    def probability(self, value: str) -> Fraction:
        """The exact probability that ``value`` is in the answer."""
        if self.distribution:
            return sum((a.probability for a in self.distribution if value in a.values), Fraction(0))
        return max((c.probability for c in self.candidates if c.value == value), default=Fraction(0))

    def __str__(self) -> str:
        """The answer on one line, then why; `vpcdsl.views.dns_view` draws the distribution."""
        if self.answers:
            shown = ", ".join(self.answers)
        else:
            shown = "no answer" + (f" ({self.status})" if self.status != "NOERROR" else "")
        where = f" [{self.span.file}:{self.span.line}]" if self.span is not None and self.span.line > 0 else ""
        return f"{self.fqdn} {self.type} from {self.client.words}: {shown}\n  why: {self.reason}{where}"

    def _repr_pretty_(self, p, cycle):  # IPython: the answer and why, not the dataclass
        p.text(str(self))

    def _repr_html_(self) -> str:  # Jupyter: the distribution with bars (vpcdsl.views.dns_view)
        from ..views.notebook.rich import resolution_repr_html
        return resolution_repr_html(self)

    def to_dict(self) -> dict:
        return {"fqdn": self.fqdn, "type": self.type, "client": self.client.words,
                "client_place": self.client.place, "status": self.status, "ttl": self.ttl,
                "policy": self.policy, "answers": list(self.answers), "reason": self.reason,
                "chain": list(self.chain),
                "file": self.span.file if self.span else None, "line": self.span.line if self.span else None,
                "possible_answers": self.possible_answers,
                "distribution": [a.to_dict() for a in self.distribution],
                "candidates": [{"value": c.value, "key": c.key, "probability": _decimal(c.probability),
                                "fraction": str(c.probability), "chosen": c.chosen, "why": c.why,
                                "line": c.span.line if c.span is not None else None}
                               for c in self.candidates]}


def _decimal(p: Fraction) -> float:
    return round(float(p), 6)


# ---------------------------------------------------------------------------- clients

def client_of(model, text: str | ast.DnsClient | None) -> Client:
    """A client from `from` text (``eu-west-1``, ``DE``, ``continent EU``, ``state US-CA``,
    ``coords 48.86 2.35``, an address) or an `expect dns` client."""
    if text is None:
        region = next((v.region_name for v in model.vpcs.values() if v.region_name), DEFAULT_REGION)
        return Client(None, region, region_point(region), place=f"the model's region {region}")
    if isinstance(text, ast.DnsClient):
        if text.kind == "coords":
            return Client("coords", text.value, text.coords)
        return client_of(model, text.value if text.kind in ("region", "country", "address")
                         else f"{text.kind} {text.value}")
    words = text.split()
    if len(words) == 2 and words[0] in ("continent", "state"):
        code = words[1].upper()
        point = continent_point(code) if words[0] == "continent" else state_point(code)
        place = f"the centroid of {words[0]} {code}" if point else None
        return Client(words[0], code, point, place=place)
    if len(words) == 3 and words[0] == "coords":
        try:
            return Client("coords", f"{words[1]} {words[2]}", (float(words[1]), float(words[2])))
        except ValueError:
            pass
    if len(words) == 1:
        if text in REGIONS:
            return Client("region", text, region_point(text), place=f"the city of region {text}")
        if len(text) == 2 and text.isalpha():
            code = text.upper()
            point = country_point(code)
            return Client("country", code, point, place=f"the centroid of {code}" if point else None)
        try:
            address = ip_address(text)
        except ValueError:
            pass
        else:
            found = country_of_address(address)
            if found is None:
                return Client("address", str(address))
            country, what = found
            return Client("address", str(address), country_point(country), country,
                          f"{country} ({what}), at its centroid")
    raise DnsError(f"cannot read the client {text!r}",
                   "a region (eu-west-1), a country (DE), `continent EU`, `state US-CA`, "
                   "`coords LAT LON` or an address")


# ---------------------------------------------------------------------------- lookup

def resolve(model, fqdn: str, rtype: str = "A", client=None) -> Resolution:
    """What Route 53 answers ``client`` for ``fqdn`` and record type ``rtype`` (see module docstring).

    >>> import vpcdsl
    >>> m = vpcdsl.loads("dns example.com {\\n  w A weighted { 7 a -> 192.0.2.1; 3 b -> 192.0.2.2 }\\n}\\n")
    >>> [(a.values, str(a.probability)) for a in resolve(m, "w.example.com").distribution]
    [(('192.0.2.1',), '7/10'), (('192.0.2.2',), '3/10')]
    """
    who = client if isinstance(client, Client) else client_of(model, client)
    return _lookup(model, fqdn, fqdn.rstrip(".").lower(), rtype.upper(), who, ())


def _lookup(model, fqdn: str, name: str, rtype: str, who: Client, chain: tuple[str, ...]) -> Resolution:
    if len(chain) > MAX_CNAME_CHAIN:
        raise DnsError(f"more than {MAX_CNAME_CHAIN} CNAMEs from {fqdn}: a loop?")
    zone = _zone_for(model, name, who)
    if zone is None:
        if chain:
            raise DnsError(f"{chain[-1]}, and no hosted zone of the model holds {name}",
                           "the CNAME's target is answered outside the model; write its `dns` zone to ask here")
        raise DnsError(f"no hosted zone of the model holds {name}",
                       "the name is answered outside the model; write its `dns` zone to ask here")
    label = "@" if name == zone.name else name[:-len(zone.name) - 1]
    index = _zone_index(model, zone)
    at = index.by_label.get(label, [])
    wildcard = not at and bool(index.wildcard)
    if wildcard:
        at = index.wildcard
    note = f" (after {'; '.join(chain)})" if chain else ""
    base = dict(fqdn=fqdn, type=rtype, client=who, chain=chain)
    if not at:
        below = label == "@" or label in index.parents
        status = "NODATA" if below else "NXDOMAIN"
        what = (f"no record at {name} in zone {zone.name}, though names below it exist" if below
                else f"no name {name} in zone {zone.name}")
        return Resolution(answers=(), reason=what + note, span=zone.span, status=status, ttl=NEGATIVE_TTL, **base)
    records = [r for r in at if r.type.name.upper() == rtype]
    if records:
        choice, ctx_ttl = _choose(model, zone, records, who)
        reason = choice.reason + (f", the wildcard *.{zone.name}" if wildcard else "") + note
        if any(r.ttl is not None and any(alias_target(model, e) is not None for e in r.entries) for r in records):
            reason += f"; an alias answers with Route 53's TTL, {ALIAS_TTL} s, not the written `ttl`"
        return _resolution(base, records[0].policy, choice, ctx_ttl, reason)
    cname = [r for r in at if r.type.name.upper() == "CNAME"]
    if not cname or rtype == "CNAME":
        what = f"no {rtype} record at {name} (only {', '.join(sorted({r.type.name for r in at}))})"
        return Resolution(answers=(), reason=what + note, span=at[0].span, status="NODATA", ttl=NEGATIVE_TTL,
                          **base)
    choice, ctx_ttl = _choose(model, zone, cname, who)
    if not choice.outcomes:
        return Resolution(answers=(), reason=f"CNAME at {name}: {choice.reason}" + note, span=cname[0].span,
                          status="NODATA", ttl=NEGATIVE_TTL, policy=cname[0].policy,
                          candidates=tuple(choice.candidates), **base)
    branches = [(entries[0].value.text, p) for entries, p in choice.outcomes]
    subs = [(p, _lookup(model, fqdn, target.rstrip(".").lower(), rtype, who,
                        chain + (f"{name} CNAME {target}",))) for target, p in branches]
    if len(subs) == 1:
        return subs[0][1]
    return _branches(base, choice, subs)


def _resolution(base: dict, policy: str, choice: Choice, ttl_of, reason: str) -> Resolution:
    dist = [Answer(_values(entries), p, _common(ttl_of(e) for e in entries)) for entries, p in choice.outcomes]
    dist.sort(key=lambda a: a.probability, reverse=True)     # stable: written order among equals
    answers = choice.answers
    if not answers and not dist:
        return Resolution(answers=(), reason=reason, span=choice.span, status="NODATA", ttl=NEGATIVE_TTL,
                          policy=policy, candidates=tuple(choice.candidates), **base)
    ttls = {a.ttl for a in dist} if dist else {ttl_of(e) for e in _entries_of(choice)}
    return Resolution(answers=answers, reason=reason, span=choice.span, status="NOERROR",
                      ttl=ttls.pop() if len(ttls) == 1 else None, policy=policy, distribution=tuple(dist),
                      candidates=tuple(choice.candidates), possible_answers=choice.possible, **base)


def _branches(base: dict, choice: Choice, subs) -> Resolution:
    """A CNAME set with several possible targets (weighted, multivalue): each branch's
    answers, scaled by the branch's probability."""
    merged: dict[tuple[str, ...], list] = {}
    for p, sub in subs:
        for a in sub.distribution:
            slot = merged.setdefault(a.values, [Fraction(0), a.ttl])
            slot[0] += p * a.probability
    dist = sorted((Answer(v, p, ttl) for v, (p, ttl) in merged.items()), key=lambda a: a.probability,
                  reverse=True)
    answers = tuple(dict.fromkeys(v for _, sub in subs for v in sub.answers))
    parts = "; ".join(f"{str(p)} -> {sub.reason}" for p, sub in subs)
    status = "NOERROR" if answers else subs[0][1].status
    ttls = {a.ttl for a in dist}
    return Resolution(answers=answers, reason=f"{choice.reason}; then {parts}", span=choice.span, status=status,
                      ttl=ttls.pop() if len(ttls) == 1 else (NEGATIVE_TTL if not dist else None),
                      policy=subs[0][1].policy, distribution=tuple(dist), candidates=tuple(choice.candidates),
                      possible_answers=len(dist), **{**base, "chain": subs[0][1].chain})


def _values(entries) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.value.text for e in entries))


def _common(values):
    found = set(values)
    return found.pop() if len(found) == 1 else None


def _entries_of(choice: Choice):
    return [e for entries, _ in choice.outcomes for e in entries]


@dataclass
class _ZoneIndex:
    """A zone's records by lowercased label, its wildcard records, and the labels that only
    have names below them (empty non-terminals: NODATA, not NXDOMAIN)."""

    by_label: dict[str, list[ast.Record]]
    wildcard: list[ast.Record]
    parents: set[str]


_INDEXES: WeakKeyDictionary = WeakKeyDictionary()   # model -> {id(zone): _ZoneIndex}


def _zone_index(model, zone: ast.DnsZone) -> _ZoneIndex:
    per_model = _INDEXES.setdefault(model, {})
    index = per_model.get(id(zone))
    if index is None:
        by_label: dict[str, list[ast.Record]] = {}
        parents: set[str] = set()
        for r in zone.records:
            label = r.label.lower()
            by_label.setdefault(label, []).append(r)
            parts = label.split(".")
            parents.update(".".join(parts[i:]) for i in range(1, len(parts)))
        index = per_model[id(zone)] = _ZoneIndex(by_label, by_label.get("*", []), parents)
    return index


def _zone_for(model, name: str, who: Client) -> ast.DnsZone | None:
    best, best_private = None, None
    for zone in model.dns_zones:
        if name != zone.name and not name.endswith("." + zone.name):
            continue
        if zone.private:
            if not _inside(model, zone, who):
                continue
            if best_private is None or len(zone.name) > len(best_private.name):
                best_private = zone
        elif best is None or len(zone.name) > len(best.name):
            best = zone
    return best_private or best


def _inside(model, zone: ast.DnsZone, who: Client) -> bool:
    if who.kind != "address":
        return False
    vpc = model.dataplane.vpc_at(ip_address(who.value))
    return vpc is not None and any(r.name == vpc.name for r in zone.private_vpcs)


# ---------------------------------------------------------------------------- health and TTL

def alias_target(model, entry: ast.RecordEntry):
    """The load balancer or CloudFront distribution an entry is an alias to, else None."""
    if entry.value.kind != "name":
        return None
    return model.get(entry.value.text, "lb", "cdn")


def lb_health(lb: ast.LoadBalancer) -> str | None:
    """Why Route 53's evaluate-target-health finds a load balancer unhealthy, None if healthy
    (Route 53 guide, resource-record-sets-values-alias.html, "Evaluate target health")."""
    groups = [(f"listener {li.protocol} {li.port}", li.targets) for li in lb.listeners]
    groups += [(f"rule {r.condition} {r.value}", r.targets) for r in lb.rules]
    down = [(what, ts) for what, ts in groups if ts and all(getattr(t, "down", False) for t in ts)]
    if lb.type == "classic":
        everyone = [t for _, ts in groups for t in ts]
        if everyone and all(getattr(t, "down", False) for t in everyone):
            return f"every target of classic load balancer '{lb.name}' is down"
        return None
    if down:
        what, _ = down[0]
        return f"every target of {what} of load balancer '{lb.name}' is down (evaluate target health)"
    return None


def _health_of(model, zone: ast.DnsZone, entry: ast.RecordEntry) -> str | None:
    if entry.health is not None:
        check = next((h for h in zone.health_checks if h.name == entry.health.name), None)
        if check is not None and check.down:
            return f"health check {check.name} is down"
    target = alias_target(model, entry)
    if isinstance(target, ast.LoadBalancer):
        return lb_health(target)
    return None


def _choose(model, zone, records, who: Client):
    """(Choice, TTL of an entry) for the records of one name and type."""
    record_of = {id(e): r for r in records for e in r.entries}
    entries = [e for r in records for e in r.entries]

    def point(policy: str):
        if who.point is None:
            raise DnsError(f"{policy} routing needs the client's location, and {who.words} has none here",
                           "ask `from` a region (eu-west-1), a country (DE), `continent EU`, `state US-CA`, "
                           "`coords LAT LON`, or an address in vpcdsl's table of well-known ranges")
        return who.point

    def ttl_of(entry) -> int:
        if alias_target(model, entry) is not None:
            return ALIAS_TTL
        written = getattr(record_of.get(id(entry)), "ttl", None)
        return written if written is not None else DEFAULT_TTL

    ctx = Context(who, lambda e: _health_of(model, zone, e), point)
    policy = POLICIES.get(records[0].policy, POLICIES["simple"])
    return policy(ctx, records[0], entries), ttl_of


def matches(resolution: Resolution, expected: list[str]) -> bool:
    """An `expect dns` answer list (empty: no-answer) against a resolution, as sets."""
    return set(resolution.answers) == set(expected)


_areas = areas   # the name older callers import
