"""What Route 53 answers: `resolve(model, "app.example.com", "A", client="eu-west-1")`.

The hosted zone is the most specific one whose domain ends the name; a
private zone counts only for a client inside one of its VPCs (an address in
the VPC), and then wins over public zones. In the zone: records of the type
at the name; else a CNAME there is followed (up to 8 times) and the answer
is the target's; else any other record there means no answer (NODATA); else
the wildcard `*` of the zone stands for the name.

Routing policies (SEMANTICS.md, Route 53). A record is healthy unless its
health check is `down`; when no record of a set is healthy, all count as
healthy.

- simple: every value. multivalue: the healthy records, at most 8.
- weighted: every healthy record with a share (weight > 0; all shares are
  equal when every weight is 0): the answer is the set a client may get.
- failover: the primary while healthy, else the secondary while healthy, else
  the primary.
- latency: the healthy record whose region is nearest the client*.
- geolocation: the smallest area holding the client (state, country,
  continent), then `default`, else no answer; skipping unhealthy records.
- geoproximity: the smallest biased distance: a positive bias multiplies the
  distance by (1 − bias/100), a negative one by 1/(1 + bias/100).
- ip-based: the longest CIDR holding the client's address, else `default`.

Clients (`from ...`): a region (its city, its country), a country, a
continent, a US state, coordinates or an address. Choices where Route 53
uses data vpcdsl does not hold (marked * above): latency is the distance to
the region's city; a country, continent or state client has no coordinates,
so latency and geoproximity need a region or coordinates (`DnsError`
otherwise); coordinates and addresses have no country, so geolocation gives
them the `default` record. A query with no client counts as from the
model's first region (us-east-1 without a `region` statement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import ip_address
from typing import Any

from ..aws import DEFAULT_REGION, REGIONS
from ..syntax import ast
from .geo import CONTINENT_OF, REGION_PLACES, distance_km, region_point

MAX_CNAME_CHAIN = 8
MAX_MULTIVALUE = 8


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

    @property
    def words(self) -> str:
        return self.value if self.kind in (None, "region", "country", "address") else f"{self.kind} {self.value}"


@dataclass(frozen=True)
class Resolution:
    """Route 53's answer: ``answers`` (the values a client may get; empty: no answer)."""

    fqdn: str
    type: str
    client: Client
    answers: tuple[str, ...]
    reason: str                 # how the answer was chosen, in words
    span: Any = None            # the record (or zone) that decided
    chain: tuple[str, ...] = field(default=())   # CNAMEs followed

    def __str__(self) -> str:
        shown = ", ".join(self.answers) if self.answers else "no answer"
        where = f" [{self.span.file}:{self.span.line}]" if self.span else ""
        return f"{self.fqdn} {self.type} from {self.client.words}: {shown}\n  why: {self.reason}{where}"

    def _repr_pretty_(self, p, cycle):  # IPython: the answer and why, not the dataclass
        p.text(str(self))

    def _repr_html_(self) -> str:  # Jupyter
        from ..views.notebook.rich import resolution_repr_html
        return resolution_repr_html(self)

    def to_dict(self) -> dict:
        return {"fqdn": self.fqdn, "type": self.type, "client": self.client.words,
                "answers": list(self.answers), "reason": self.reason, "chain": list(self.chain),
                "file": self.span.file if self.span else None, "line": self.span.line if self.span else None}


def client_of(model, text: str | ast.DnsClient | None) -> Client:
    """A client from `from` text (``eu-west-1``, ``DE``, ``continent EU``, ``state US-CA``,
    ``coords 48.86 2.35``, an address) or an `expect dns` client."""
    if text is None:
        region = next((v.region_name for v in model.vpcs.values() if v.region_name), DEFAULT_REGION)
        return Client(None, region, region_point(region))
    if isinstance(text, ast.DnsClient):
        if text.kind == "coords":
            return Client("coords", text.value, text.coords)
        return client_of(model, text.value if text.kind in ("region", "country", "address")
                         else f"{text.kind} {text.value}")
    words = text.split()
    if len(words) == 2 and words[0] in ("continent", "state"):
        return Client(words[0], words[1].upper())
    if len(words) == 3 and words[0] == "coords":
        try:
            return Client("coords", f"{words[1]} {words[2]}", (float(words[1]), float(words[2])))
        except ValueError:
            pass
    if len(words) == 1:
        if text in REGIONS:
            return Client("region", text, region_point(text))
        if len(text) == 2 and text.isalpha():
            return Client("country", text.upper())
        try:
            return Client("address", str(ip_address(text)))
        except ValueError:
            pass
    raise DnsError(f"cannot read the client {text!r}",
                   "a region (eu-west-1), a country (DE), `continent EU`, `state US-CA`, "
                   "`coords LAT LON` or an address")


def resolve(model, fqdn: str, rtype: str = "A", client=None) -> Resolution:
    """What Route 53 answers ``client`` for ``fqdn`` and record type ``rtype`` (see module docstring)."""
    who = client if isinstance(client, Client) else client_of(model, client)
    name = fqdn.rstrip(".").lower()
    rtype = rtype.upper()
    chain: list[str] = []
    for _ in range(MAX_CNAME_CHAIN + 1):
        zone = _zone_for(model, name, who)
        if zone is None:
            raise DnsError(f"no hosted zone of the model holds {name}",
                           "the name is answered outside the model; write its `dns` zone to ask here")
        label = "@" if name == zone.name else name[:-len(zone.name) - 1]
        at = [r for r in zone.records if r.label == label]
        wildcard = not at
        if wildcard:
            at = [r for r in zone.records if r.label == "*"]
        records = [r for r in at if r.type.name == rtype]
        if records:
            answers, reason, span = _choose(model, zone, records, who)
            note = f" (after {'; '.join(chain)})" if chain else ""
            if wildcard:
                reason += f", the wildcard *.{zone.name}"
            return Resolution(fqdn, rtype, who, answers, reason + note, span, tuple(chain))
        cname = next((r for r in at if r.type.name == "CNAME"), None)
        if cname is None or rtype == "CNAME":
            what = "no record" if not at else f"no {rtype} record (only {', '.join(sorted({r.type.name for r in at}))})"
            return Resolution(fqdn, rtype, who, (), f"{what} at {name} in zone {zone.name}",
                              at[0].span if at else zone.span, tuple(chain))
        target, _, _ = _choose(model, zone, [cname], who)
        if not target:
            return Resolution(fqdn, rtype, who, (), f"CNAME at {name} has no healthy target", cname.span,
                              tuple(chain))
        chain.append(f"{name} CNAME {target[0]}")
        name = target[0].rstrip(".").lower()
    raise DnsError(f"more than {MAX_CNAME_CHAIN} CNAMEs from {fqdn}: a loop?")


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
    address = ip_address(who.value)
    dp = model.dataplane
    vpc = dp.vpc_at(address)
    return vpc is not None and any(r.name == vpc.name for r in zone.private_vpcs)


def _healthy(zone: ast.DnsZone, entry: ast.RecordEntry) -> bool:
    if entry.health is None:
        return True
    check = next((h for h in zone.health_checks if h.name == entry.health.name), None)
    return check is None or not check.down


def _healthy_or_all(zone, entries):
    healthy = [e for e in entries if _healthy(zone, e)]
    return (healthy, "") if healthy else (list(entries), " (none healthy: all count as healthy)")


def _choose(model, zone, records, who: Client):
    """(answers, reason, span) for the records of one name and type."""
    record = records[0]
    entries = [e for r in records for e in r.entries]
    policy = record.policy
    values = lambda es: tuple(dict.fromkeys(e.value.text for e in es))   # noqa: E731
    if policy == "simple":
        return values(entries), "simple record", record.span
    if policy == "multivalue":
        chosen, note = _healthy_or_all(zone, entries)
        return values(chosen[:MAX_MULTIVALUE]), f"multivalue: the healthy records{note}", record.span
    if policy == "weighted":
        chosen, note = _healthy_or_all(zone, entries)
        weighted = [e for e in chosen if (e.weight or 0) > 0] or chosen
        total = sum(e.weight or 0 for e in weighted)
        shares = ", ".join(f"{e.value.text} {100 * (e.weight or 0) / total:.0f}%" if total else
                           f"{e.value.text} equal" for e in weighted)
        return values(weighted), f"weighted: {shares}{note}", record.span
    if policy == "failover":
        primary = [e for e in entries if e.key == "primary"]
        secondary = [e for e in entries if e.key == "secondary"]
        for role, group in (("primary", primary), ("secondary", secondary)):
            if group and _healthy(zone, group[0]):
                return values(group[:1]), f"failover: the {role} is healthy", group[0].span
        if primary:
            return values(primary[:1]), "failover: both unhealthy, so the primary", primary[0].span
        return (), "failover: no primary record", record.span
    if policy == "latency":
        point = _point(who, "latency")
        chosen, note = _healthy_or_all(zone, entries)
        ranked = sorted(chosen, key=lambda e: (distance_km(point, region_point(e.key) or point)
                                               if region_point(e.key) else float("inf")))
        if not ranked:
            return (), "latency: no record", record.span
        e = ranked[0]
        skipped = [x.key for x in entries if not _healthy(zone, x)] if not note else []
        why = f"latency: {e.key} is the nearest{' healthy' if skipped else ''} region to {who.words}{note}"
        return values([e]), why, e.span
    if policy == "geoproximity":
        point = _point(who, "geoproximity")
        chosen, note = _healthy_or_all(zone, entries)

        def biased(e):
            where = e.coords if e.coords is not None else region_point(e.key)
            if where is None:
                return float("inf")
            d = distance_km(point, where)
            bias = e.bias or 0
            return d * (1 - bias / 100) if bias >= 0 else d / (1 + bias / 100)

        e = min(chosen, key=biased)
        where = "coords " + " ".join(f"{c:g}" for c in e.coords) if e.coords is not None else e.key
        return values([e]), f"geoproximity: {where} is nearest {who.words} after bias{note}", e.span
    if policy == "geolocation":
        areas = _areas(who)
        chosen, note = _healthy_or_all(zone, entries)
        for area in areas:
            for e in chosen:
                if e.key == area:
                    words = area.replace(":", " ")
                    why = (f"no record for a smaller area holds {who.words}, so the default" if area == "default"
                           else f"the record for {words}" + ("" if words == who.words else f", which holds {who.words}"))
                    return values([e]), f"geolocation: {why}{note}", e.span
        return (), f"geolocation: no record holds {who.words} and there is no default", record.span
    if policy == "ip-based":
        chosen, note = _healthy_or_all(zone, entries)
        address = ip_address(who.value) if who.kind == "address" else None
        best = None
        for e in chosen:
            for c in getattr(e, "cidrs", ()):
                net = c.net if c.net is not None else None
                if address is not None and net is not None and address.version == net.version \
                        and address in net and (best is None or net.prefixlen > best[1].prefixlen):
                    best = (e, net)
        if best is not None:
            return values([best[0]]), f"ip-based: {best[1]} holds {who.value}{note}", best[0].span
        default = next((e for e in chosen if e.key == "default"), None)
        if default is not None:
            return values([default]), f"ip-based: no CIDR holds {who.words}, so the default{note}", default.span
        return (), f"ip-based: no CIDR holds {who.words} and no default", record.span
    return values(entries), policy, record.span


def _point(who: Client, policy: str) -> tuple[float, float]:
    if who.point is None:
        raise DnsError(f"{policy} routing needs the client's location, and {who.words} has none here",
                       "ask `from` a region (eu-west-1) or `coords LAT LON`")
    return who.point


def _areas(who: Client) -> list[str]:
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
    if country is not None:
        continent = CONTINENT_OF.get(country)
    areas = []
    if state:
        areas.append(f"state:{state}")
    if country:
        areas.append(country)
    if continent:
        areas.append(f"continent:{continent}")
    return areas + ["default"]


def matches(resolution: Resolution, expected: list[str]) -> bool:
    """An `expect dns` answer list (empty: no-answer) against a resolution, as sets."""
    return set(resolution.answers) == set(expected)

