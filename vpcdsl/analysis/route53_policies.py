"""How Route 53 chooses among the records of one name and type: each routing policy as a
function from the records to a `Choice` (every possible answer with its exact probability,
and every candidate record with the probability it is in the answer and why it won or
lost). `vpcdsl.analysis.route53` finds the records and reads the choice.

AWS pages: routing-policy-*.html and dns-failover-determining-health-of-endpoints.html in
the Route 53 Developer Guide (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from ipaddress import ip_address
from itertools import combinations
from math import comb
from typing import Any, Callable

from ..syntax import ast
from .geo import CONTINENT_OF, REGION_PLACES, distance_km, region_point

MAX_MULTIVALUE = 8          # Route 53 answers with up to eight healthy multivalue records
MAX_LISTED_SETS = 500       # above this many equally likely multivalue answers, they are counted, not listed
ONE = Fraction(1)


@dataclass(frozen=True)
class Candidate:
    """A record Route 53 chose from: its ``value``, its ``key`` (set identifier, region,
    location, CIDRs, ``primary``/``secondary``; None for simple and multivalue), the exact
    ``probability`` that it is in the answer, and ``why`` it won or lost, in words."""

    value: str
    key: str | None
    probability: Fraction
    why: str
    span: Any = None

    @property
    def chosen(self) -> bool:
        return self.probability > 0


@dataclass
class Choice:
    """What a policy makes of its records (internal to `route53`)."""

    outcomes: list[tuple[tuple[ast.RecordEntry, ...], Fraction]]
    candidates: list[Candidate]
    reason: str
    span: Any
    answers: tuple[str, ...] = ()           # the compatible `Resolution.answers`
    possible: int = 0                       # how many answers are possible (multivalue: C(n, 8))
    listed: bool = True                     # False: too many to list; `outcomes` is empty
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """What a policy needs: the client (`route53.Client`) and the health of an entry
    (None when healthy, else why not)."""

    who: Any
    health: Callable[[ast.RecordEntry], str | None]
    point: Callable[[str], tuple[float, float]]      # the client's location, or DnsError for the policy


def _values(entries) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.value.text for e in entries))


def _km(d: float) -> str:
    return f"{d:,.0f} km" if d != float("inf") else "no known location"


def _pool(ctx: Context, entries):
    """The records that count (the healthy ones, or all when none is), a note, and the
    unhealthy ones with why."""
    sick = {id(e): ctx.health(e) for e in entries}
    healthy = [e for e in entries if sick[id(e)] is None]
    if healthy:
        return healthy, "", sick
    return list(entries), " (none healthy: all count as healthy)", {}


def _sick_why(sick, e) -> str:
    return f"unhealthy: {sick[id(e)]}"


def _losers(entries, winner, sick, why) -> dict:
    """Why each record but ``winner`` lost, by id: unhealthy, else ``why(record)``."""
    return {id(e): _sick_why(sick, e) if sick.get(id(e)) is not None else why(e)
            for e in entries if e is not winner}


def _single(ctx, entries, winner, why_won: str, lost: dict, reason: str) -> Choice:
    """A policy that answers with one record: ``winner`` with probability 1 (or none)."""
    candidates = []
    for e in entries:
        if winner is not None and e is winner:
            candidates.append(Candidate(e.value.text, e.key, ONE, why_won, e.span))
        else:
            candidates.append(Candidate(e.value.text, e.key, Fraction(0), lost.get(id(e), "not chosen"), e.span))
    if winner is None:
        return Choice([], candidates, reason, entries[0].span if entries else None)
    return Choice([((winner,), ONE)], candidates, reason, winner.span, _values([winner]), 1)


# ---------------------------------------------------------------------------- the policies

def simple(ctx, record, entries) -> Choice:
    cands = [Candidate(e.value.text, None, ONE, "a simple record answers every value", e.span) for e in entries]
    return Choice([(tuple(entries), ONE)], cands, "simple record", record.span, _values(entries), 1)


def multivalue(ctx, record, entries) -> Choice:
    """Up to 8 healthy records; with more, a different 8 for different resolvers (taken as
    uniformly random: each record is in the answer with probability 8/n); with none healthy,
    up to 8 of all (routing-policy-multivalue.html)."""
    pool, note, sick = _pool(ctx, entries)
    n = len(pool)
    k = min(n, MAX_MULTIVALUE)
    p_in = Fraction(k, n) if n else Fraction(0)
    cands = []
    for e in entries:
        if id(e) in sick and sick[id(e)] is not None:
            cands.append(Candidate(e.value.text, None, Fraction(0), _sick_why(sick, e), e.span))
        elif n <= MAX_MULTIVALUE:
            cands.append(Candidate(e.value.text, None, ONE, f"one of the {n} healthy records, all answered"
                                   if not note else "answered: none is healthy, so all count", e.span))
        else:
            cands.append(Candidate(e.value.text, None, p_in, f"in the 8 chosen at random from {n} "
                                   f"{'healthy ' if not note else ''}records with probability {k}/{n}; "
                                   f"not in the 8 chosen otherwise", e.span))
    possible = comb(n, k) if n else 0
    reason = f"multivalue: the healthy records{note}"
    if n > MAX_MULTIVALUE:
        reason += f"; {n} of them, so 8 chosen at random: {possible} equally likely answers"
    answers = _values(pool[:MAX_MULTIVALUE])
    if possible == 0:
        return Choice([], cands, reason, record.span)
    if possible > MAX_LISTED_SETS:
        return Choice([], cands, reason, record.span, answers, possible, listed=False)
    share = Fraction(1, possible)
    outcomes = [(tuple(c), share) for c in combinations(pool, k)]
    return Choice(outcomes, cands, reason, record.span, answers, possible)


def weighted(ctx, record, entries) -> Choice:
    """One record, with probability weight / sum of weights among the healthy records with
    a weight above 0; zero-weighted records only when no such record is healthy; equal
    shares when every weight that counts is 0 (routing-policy-weighted.html, "How health
    checks work in simple Route 53 configurations")."""
    pool, note, sick = _pool(ctx, entries)
    heavy = [e for e in pool if (e.weight or 0) > 0]
    counted = heavy or pool
    total = sum(e.weight or 0 for e in counted)
    share = {id(e): (Fraction(e.weight or 0, total) if total else Fraction(1, len(counted))) for e in counted}
    cands = []
    for e in entries:
        if id(e) in share:
            p = share[id(e)]
            why = (f"weight {e.weight} of {total}" if total else
                   "every weight that counts is 0, so equal shares")
            cands.append(Candidate(e.value.text, e.key, p, why, e.span))
        elif sick.get(id(e)) is not None:
            cands.append(Candidate(e.value.text, e.key, Fraction(0), _sick_why(sick, e), e.span))
        else:
            cands.append(Candidate(e.value.text, e.key, Fraction(0), "weight 0: chosen only when no record with "
                                   "a weight above 0 is healthy", e.span))
    merged: dict[str, list] = {}           # records of one value (two set ids) are one answer
    for e in counted:
        slot = merged.get(e.value.text)
        if slot is None:
            merged[e.value.text] = [e, share[id(e)]]
        else:
            slot[1] += share[id(e)]
    outcomes = [((e,), p) for e, p in merged.values()]
    shares = ", ".join(f"{e.value.text} {100 * (e.weight or 0) / total:.0f}%" if total else f"{e.value.text} equal"
                       for e in counted)
    lead = "weighted" if heavy or not any((e.weight or 0) > 0 for e in entries) else \
        "weighted (no record with a weight above 0 is healthy, so the zero-weighted ones)"
    return Choice(outcomes, cands, f"{lead}: {shares}{note}", record.span, _values(counted), len(outcomes))


def failover(ctx, record, entries) -> Choice:
    """The primary while healthy, else the secondary while healthy, else the primary
    (routing-policy-failover.html; dns-failover-determining-health-of-endpoints.html)."""
    primary = next((e for e in entries if e.key == "primary"), None)
    secondary = next((e for e in entries if e.key == "secondary"), None)
    health = {id(e): ctx.health(e) for e in entries}
    lost = {}
    if primary is not None and health[id(primary)] is None:
        if secondary is not None:
            lost[id(secondary)] = "not the primary: the secondary answers only while the primary is unhealthy"
        return _single(ctx, entries, primary, "the primary, healthy", lost, "failover: the primary is healthy")
    if secondary is not None and health[id(secondary)] is None:
        if primary is not None:
            lost[id(primary)] = f"unhealthy: {health[id(primary)]}"
        return _single(ctx, entries, secondary, "the secondary, healthy while the primary is not", lost,
                       "failover: the primary is unhealthy and the secondary is healthy")
    if primary is not None:
        if secondary is not None:
            lost[id(secondary)] = f"unhealthy: {health[id(secondary)]}, and with both unhealthy Route 53 " \
                                  "answers the primary"
        return _single(ctx, entries, primary, "the primary: both are unhealthy, so the primary", lost,
                       "failover: both unhealthy, so the primary")
    return _single(ctx, entries, None, "", {}, "failover: no primary record")


def latency(ctx, record, entries) -> Choice:
    """The healthy record with the lowest latency to the client; vpcdsl takes the region
    nearest the client (routing-policy-latency.html)."""
    point = ctx.point("latency")
    pool, note, sick = _pool(ctx, entries)

    def dist(e):
        where = region_point(e.key)
        return distance_km(point, where) if where else float("inf")

    ranked = sorted(pool, key=dist)
    if not ranked:
        return _single(ctx, entries, None, "", {}, "latency: no record")
    best = ranked[0]
    lost = _losers(entries, best, sick, lambda e: f"farther: {e.key} is {_km(dist(e))} from "
                                                  f"{ctx.who.words}, {best.key} {_km(dist(best))}")
    skipped = any(v is not None for v in sick.values())
    why = f"nearest{' healthy' if skipped else ''} region: {best.key} is {_km(dist(best))} from {ctx.who.words}"
    reason = f"latency: {best.key} is the nearest{' healthy' if skipped else ''} region to {ctx.who.words}{note}"
    return _single(ctx, entries, best, why, lost, reason)


def _bias_factor(bias: int) -> float:
    return (1 - bias / 100) if bias >= 0 else 1 / (1 + bias / 100)


def geoproximity(ctx, record, entries) -> Choice:
    """The smallest distance after bias: a positive bias multiplies the distance by
    (1 - bias/100), a negative one by 1/(1 + bias/100) (routing-policy-geoproximity.html)."""
    point = ctx.point("geoproximity")
    pool, note, sick = _pool(ctx, entries)

    def raw(e):
        where = e.coords if e.coords is not None else region_point(e.key)
        return distance_km(point, where) if where is not None else float("inf")

    def biased(e):
        return raw(e) * _bias_factor(e.bias or 0)

    def name(e):
        return "coords " + " ".join(f"{c:g}" for c in e.coords) if e.coords is not None else e.key

    def shown(e):
        bias = e.bias or 0
        if not bias:
            return _km(raw(e))
        return f"{_km(raw(e))} × {_bias_factor(bias):.3g} (bias {bias:+d}) = {_km(biased(e))}"

    best = min(pool, key=biased)

    def why_lost(e):
        step = "lower bias: nearer before bias, but" if raw(e) < raw(best) else "farther after bias:"
        return f"{step} {name(e)} is {shown(e)}, {name(best)} {shown(best)}"

    lost = _losers(entries, best, sick, why_lost)
    why = f"nearest after bias: {shown(best)} from {ctx.who.words}"
    return _single(ctx, entries, best, why, lost,
                   f"geoproximity: {name(best)} is nearest {ctx.who.words} after bias{note}")


def areas(who) -> list[str]:
    """The geolocation keys that hold the client, smallest area first, then `default`."""
    country = continent = state = None
    if who.kind == "state":
        state, country = who.value, "US"
    elif who.kind == "country":
        country = who.value
    elif who.kind == "continent":
        continent = who.value
    elif who.kind in ("region", None) and who.value in REGION_PLACES:
        country = REGION_PLACES[who.value][3]
    elif who.kind == "address" and who.country is not None:
        country = who.country
    if country is not None:
        continent = CONTINENT_OF.get(country)
    found = [f"state:{state}"] if state else []
    if country:
        found.append(country)
    if continent:
        found.append(f"continent:{continent}")
    return found + ["default"]


def _area_words(key: str) -> str:
    return key.replace(":", " ")


def _area_kind(key: str) -> str:
    if key.startswith("state:"):
        return "state"
    if key.startswith("continent:"):
        return "continent"
    return "country"


def geolocation(ctx, record, entries) -> Choice:
    """The record for the smallest area holding the client (state, country, continent),
    skipping unhealthy ones, then `default`, else no answer (routing-policy-geo.html)."""
    holding = areas(ctx.who)
    pool, note, sick = _pool(ctx, entries)
    best = None
    for area in holding:
        best = next((e for e in pool if e.key == area), None)
        if best is not None:
            break

    def why_lost(e):
        if e.key == "default":
            return "default: only for a client no other record holds"
        if e.key in holding:
            return f"a larger area ({_area_words(e.key)}) than {_area_words(best.key)}"
        return f"other {_area_kind(e.key)}: {_area_words(e.key)} does not hold {ctx.who.words}"

    lost = _losers(entries, best, sick, why_lost)
    if best is None:
        return _single(ctx, entries, None, "", lost,
                       f"geolocation: no record holds {ctx.who.words} and there is no default")
    area = best.key
    words = _area_words(area)
    if area == "default":
        why = f"no record for a smaller area holds {ctx.who.words}, so the default"
    else:
        why = f"the record for {words}" + ("" if words == ctx.who.words else f", which holds {ctx.who.words}")
    return _single(ctx, entries, best, why, lost, f"geolocation: {why}{note}")


def ip_based(ctx, record, entries) -> Choice:
    """The record whose CIDR holds the client's address, longest prefix first, else
    `default`, else no answer (routing-policy-ipbased.html)."""
    pool, note, sick = _pool(ctx, entries)
    address = ip_address(ctx.who.value) if ctx.who.kind == "address" else None
    best = None
    for e in pool:
        for c in e.cidrs:
            net = c.net
            if address is not None and net is not None and address.version == net.version \
                    and address in net and (best is None or net.prefixlen > best[1].prefixlen):
                best = (e, net)
    default = next((e for e in pool if e.key == "default"), None)
    winner = best[0] if best else default

    def why_lost(e):
        if e.key == "default":
            return "default: only for an address no CIDR holds"
        if address is not None and any(c.net is not None and c.net.version == address.version
                                       and address in c.net for c in e.cidrs):
            return f"a shorter CIDR ({e.key}) than {best[1]}"
        return f"other CIDR: {e.key} does not hold {ctx.who.words}"

    lost = _losers(entries, winner, sick, why_lost)
    if best is not None:
        return _single(ctx, entries, best[0], f"{best[1]} holds {ctx.who.value}", lost,
                       f"ip-based: {best[1]} holds {ctx.who.value}{note}")
    if default is not None:
        return _single(ctx, entries, default, f"no CIDR holds {ctx.who.words}, so the default", lost,
                       f"ip-based: no CIDR holds {ctx.who.words}, so the default{note}")
    return _single(ctx, entries, None, "", lost, f"ip-based: no CIDR holds {ctx.who.words} and no default")


POLICIES = {"simple": simple, "multivalue": multivalue, "weighted": weighted, "failover": failover,
            "latency": latency, "geoproximity": geoproximity, "geolocation": geolocation,
            "ip-based": ip_based}

__all__ = ["Candidate", "Choice", "Context", "POLICIES", "MAX_MULTIVALUE", "MAX_LISTED_SETS", "areas"]
