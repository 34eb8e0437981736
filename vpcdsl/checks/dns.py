"""Route 53 checks: record types and values, routing-policy sets, health checks, locations.

One pass per hosted zone (E701-E706, E711, E712, E716, E717, W701, W702),
plus the record types and client locations written in `expect dns`. Names
that do not resolve are the names check's (E201/E204); they are skipped here.
`where` names another place in a hint and `has_public_ip` says whether the
internet can address an instance (lb.py uses both).
"""

from __future__ import annotations

import re
from ipaddress import ip_address
from typing import Iterator

from ..aws import CONTINENTS, MULTICAST, NOT_INTERNET, RECORD_TYPES, REGIONS, RESERVED_IPV4
from ..diagnostics import Diagnostic, error, warning
from ..model.network import Model, describe
from ..span import Span
from ..syntax import ast
from . import locate
from .names import close_matches, did_you_mean

# What a value of each record type may be (Route 53 guide, ResourceRecordTypes).
# A model name is an alias (A/AAAA) or, in a CNAME, the target's DNS name;
# every type not listed takes quoted record data.
_ADDRESS_TYPES = {"A": "ipv4", "AAAA": "ipv6"}
_DOMAIN_TYPES = ("CNAME", "NS", "PTR")
_ALIAS_TYPES = ("A", "AAAA", "CNAME")
# Types some DNS providers have and Route 53 has not, with what to write instead.
_NOT_ROUTE53 = {
    "ALIAS": "Route 53 has no ALIAS type: write an A (or AAAA) record whose value names the load "
             "balancer, CloudFront distribution or instance; that makes an alias",
    "ANAME": "Route 53 has no ANAME type: write an A (or AAAA) record whose value names the load "
             "balancer, CloudFront distribution or instance; that makes an alias",
}

_COUNTRY = re.compile(r"[A-Z]{2}")
_STATE = re.compile(r"US-[A-Z]{2}")
# Route 53 geoproximity also takes a Local Zone group (`us-west-2-lax-1`).
_LOCAL_ZONE_GROUP = re.compile(r"([a-z]{2}(?:-gov)?-[a-z]+-\d)-[a-z]+-\d")
# A number as the lexer's SIGNED reads it; a coordinate pair. Route 53 takes
# coordinates with at most two decimals (API reference, Coordinates).
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_COORDS = rf"{_NUMBER}\s+{_NUMBER}"
# Networks Route 53 health checkers (on the internet) cannot reach.
_UNREACHABLE = NOT_INTERNET + MULTICAST + (RESERVED_IPV4,)


def check(model: Model) -> Iterator[Diagnostic]:
    diags: list[Diagnostic] = []
    for zone in model.dns_zones:
        _ZoneCheck(model, zone, diags).run()
    for exp in model.expectations:
        if isinstance(exp, ast.ExpectDns):
            if exp.type is not None:
                _record_type(exp.type, diags)
            if exp.client is not None:
                _client(exp.client, diags)
    return iter(diags)


# ---------------------------------------------------------------------------- source positions

def _after(span: Span, col: int) -> Span:
    """The part of ``span`` from column ``col`` of its first line on."""
    return Span(span.file, span.line, col, span.end_line, span.end_col)


def _word(text: str) -> str:
    """A pattern for ``text`` as a whole word (names hold `-` and `.`)."""
    return rf"(?<![\w.-]){re.escape(text)}(?![\w.-])"


def _prefix(span: Span, length: int) -> Span:
    """The first ``length`` characters of ``span`` (a key written at the start of an entry)."""
    return Span(span.file, span.line, span.col, span.line, span.col + length)


def where(span: Span, here: Span) -> str:
    """``line 12`` (``line 12, column 5`` on the line of ``here``), or ``t.vpc:12`` in another file."""
    if span.file != here.file:
        return f"{span.file}:{span.line}"
    if span.line == here.line:
        return f"line {span.line}, column {span.col}"
    return f"line {span.line}"


def has_public_ip(model: Model, instance: ast.Instance) -> bool:
    """`public-ip`/`eip` on the instance, or a subnet that maps public IPv4s at launch."""
    if instance.public_ip != "none":
        return True
    subnet = model.subnets.get(instance.subnet.name)
    return subnet is not None and subnet.public_ip


def _fqdn(zone: ast.DnsZone, label: str) -> str:
    return zone.name if label == "@" else f"{label}.{zone.name}"


# ---------------------------------------------------------------------------- one zone

class _ZoneCheck:
    def __init__(self, model: Model, zone: ast.DnsZone, diags: list[Diagnostic]):
        self.model = model
        self.zone = zone
        self.diags = diags

    def run(self) -> None:
        self._health_checks()
        sets: dict[tuple[str, str], list[ast.Record]] = {}
        for record in self.zone.records:
            known = _record_type(record.type, self.diags)
            rtype = record.type.name
            if known and rtype == "CNAME" and record.label == "@":
                self.diags.append(error(
                    "E704", f"CNAME at the apex of zone '{self.zone.name}'",
                    Span(record.span.file, record.span.line, record.span.col,
                         record.type.span.end_line, record.type.span.end_col),
                    "the apex holds the zone's SOA and NS records, which a CNAME cannot sit beside; "
                    "write an A (or AAAA) record whose value names the load balancer or CloudFront "
                    "distribution: Route 53 answers it as an alias"))
            self._entries(record)
            if known:
                self._values(record)
                sets.setdefault((record.label.lower(), rtype), []).append(record)
        for records in sets.values():
            self._record_set(records)
        self._cname_beside_others(sets)

    # -- health checks

    def _health_checks(self) -> None:
        seen: dict[str, ast.HealthCheck] = {}
        for hc in self.zone.health_checks:
            name_span = _prefix(hc.span, len(hc.name))
            first = seen.setdefault(hc.name, hc)
            if first is not hc:
                self.diags.append(error(
                    "E705", f"health check '{hc.name}' is defined twice in zone '{self.zone.name}'",
                    name_span, f"the first is at {where(first.span, name_span)}; give each health "
                               f"check of a zone its own name"))
            if hc.protocol == "tcp" and hc.path is not None:
                self.diags.append(warning(
                    "W701", f"TCP health check '{hc.name}' has a path ('{hc.path}'), which it never requests",
                    locate(self.model, _after(hc.span, name_span.end_col), _word(hc.path)),
                    "a TCP check only opens a connection; use `http` or `https` to check a path, "
                    "or drop the path"))
            try:
                addr = ip_address(hc.host)
            except ValueError:
                continue  # a domain name: resolved by Route 53 at check time
            if any(addr in net for net in _UNREACHABLE if net.version == addr.version):
                self.diags.append(warning(
                    "W702", f"health check '{hc.name}' checks {hc.host}, which Route 53's health "
                            f"checkers on the internet cannot reach",
                    locate(self.model, _after(hc.span, name_span.end_col), _word(hc.host)),
                    "check a public address (an Elastic IP, the load balancer's name), or use a "
                    "CloudWatch alarm or a private endpoint health check, which vpcdsl does not model"))

    # -- entries of one record: weights, biases, locations

    def _entries(self, record: ast.Record) -> None:
        policy = record.policy
        for entry in record.entries:
            if policy == "weighted":
                self._weight(entry)
            elif policy == "latency":
                _region(entry.key or "", _prefix(entry.span, len(entry.key or "")),
                        "latency", self.diags)
            elif policy == "geolocation":
                self._location(entry)
            elif policy == "geoproximity":
                self._geoproximity(entry)

    def _key_part(self, entry: ast.RecordEntry) -> Span:
        """The entry up to its value: where its weight, location and bias are written."""
        value = entry.value.span
        return Span(entry.span.file, entry.span.line, entry.span.col, value.line, value.col)

    def _fraction(self, within: Span) -> bool:
        """Whether a number with decimals is written in ``within`` (`1.5` lexes as a number too)."""
        return locate(self.model, within, r"\d\.\d") != within

    def _weight(self, entry: ast.RecordEntry) -> None:
        if entry.weight is None:
            return
        whole = not self._fraction(self._key_part(entry))
        if not whole or not 0 <= entry.weight <= 255:
            problem = (f"weight {entry.weight} of set '{entry.key}' is outside 0..255" if whole
                       else f"weight of set '{entry.key}' is not a whole number")
            self.diags.append(error(
                "E701", problem,
                locate(self.model, entry.span, _NUMBER), "a weight is a whole number from 0 to 255; 0 sends no traffic unless every "
                      "weight of the set is 0"))

    def _location(self, entry: ast.RecordEntry) -> None:
        key = entry.key or ""
        if key == "default":
            return
        kind, _, code = key.rpartition(":")
        span = _prefix(entry.span, len(code))
        if kind == "continent":
            _continent(code, span, self.diags)
        elif kind == "state":
            _state(code, span, self.diags)
        else:
            _country(code, span, self.diags)

    def _geoproximity(self, entry: ast.RecordEntry) -> None:
        key_part = self._key_part(entry)
        if entry.coords is not None:
            too_precise = locate(self.model, key_part, r"\.\d{3}") != key_part
            problem = _coords_problem(entry.coords, too_precise)
            if problem is not None:
                self.diags.append(error("E712", problem, locate(self.model, entry.span, _COORDS),
                                        _COORDS_HINT))
        else:
            key = entry.key or ""
            _region(key, _prefix(entry.span, len(key)), "geoproximity", self.diags)
        if entry.bias is not None:
            bias = _after(key_part, locate(self.model, key_part, r"\bbias\b").end_col)
            whole = not self._fraction(bias)
            if not whole or not -99 <= entry.bias <= 99:
                problem = f"{entry.bias} is outside -99..99" if whole else "is not a whole number"
                self.diags.append(error(
                    "E702", f"bias {problem}", locate(self.model, bias, _NUMBER),
                    "a geoproximity bias is a whole number from -99 to 99: positive grows the area "
                    "this entry answers for, negative shrinks it"))

    # -- values: do they fit the type, can an alias answer

    def _values(self, record: ast.Record) -> None:
        rtype = record.type.name
        fqdn = _fqdn(self.zone, record.label)
        entries = record.entries
        if rtype == "CNAME" and record.policy == "simple" and len(entries) > 1:
            self.diags.append(error(
                "E716", f"CNAME '{fqdn}' has {len(entries)} values; a CNAME points to exactly one name",
                entries[1].value.span,
                "keep one value; to spread load, use A records with a weighted or multivalue policy"))
        for entry in entries:
            value = entry.value
            if value.kind == "name":
                self._alias(record, entry, fqdn)
                continue
            problem = _value_problem(rtype, value)
            if problem is not None:
                message, hint = problem
                self.diags.append(error("E716", f"{rtype} record '{fqdn}': {message}", value.span, hint))

    def _alias(self, record: ast.Record, entry: ast.RecordEntry, fqdn: str) -> None:
        rtype = record.type.name
        value = entry.value
        target = self.model.get(value.text, "lb", "cdn", "instance")
        if target is None:
            return  # unknown or of another kind: the names check reports it
        what = describe(target)
        if rtype not in _ALIAS_TYPES:
            self.diags.append(error(
                "E716", f"{rtype} record '{fqdn}' names {what}; only A, AAAA and CNAME records can "
                        f"point to a model object", value.span,
                f"an alias is an A or AAAA record; a {rtype} record holds "
                + ("quoted record data" if rtype not in _DOMAIN_TYPES else "a domain name")))
            return
        is_alias_target = isinstance(target, (ast.LoadBalancer, ast.Cdn))
        if is_alias_target and record.policy == "multivalue":
            self.diags.append(error(
                "E716", f"multivalue record '{fqdn}' names {what}; multivalue answer records cannot "
                        f"be aliases", value.span,
                "use a weighted or simple record for the alias, or list addresses in the multivalue set"))
        elif is_alias_target and record.policy == "simple" and len(record.entries) > 1:
            self.diags.append(error(
                "E716", f"alias to {what} must be the only value of record '{fqdn}'", value.span,
                "an alias answers with its target's addresses only; to mix targets use a weighted "
                "or multivalue policy"))
        if isinstance(target, ast.Instance):
            if not self.zone.private and not has_public_ip(self.model, target):
                self.diags.append(error(
                    "E711", f"record '{fqdn}' in public zone '{self.zone.name}' points to {what}, "
                            f"which has no public IP", value.span,
                    f"give '{target.name}' `public-ip` or `eip`, put it behind an internet-facing "
                    f"load balancer, or answer from a private zone (`dns {self.zone.name} private "
                    f"for VPC`)"))
            if rtype == "AAAA" and not self._has_ipv6(target):
                self.diags.append(error(
                    "E716", f"AAAA record '{fqdn}' points to {what}, which has no IPv6 address",
                    value.span, f"give subnet '{target.subnet.name}' an `ipv6` block, or use an A record"))

    def _has_ipv6(self, instance: ast.Instance) -> bool:
        subnet = self.model.subnets.get(instance.subnet.name)
        # An unresolved subnet is reported elsewhere; do not add a second error for it.
        return subnet is None or subnet.ipv6 is not None

    # -- sets: records of one name and type

    def _head(self, record: ast.Record) -> Span:
        """From the label to the policy word: where a record set is named."""
        end = locate(self.model, _after(record.span, record.type.span.end_col), _word(record.policy))
        if end == record.span or end.line != record.span.line:
            end = record.type.span
        return Span(record.span.file, record.span.line, record.span.col, end.end_line, end.end_col)

    def _record_set(self, records: list[ast.Record]) -> None:
        first = records[0]
        fqdn = _fqdn(self.zone, first.label)
        rtype = first.type.name
        same = [first]
        for record in records[1:]:
            head = self._head(record)
            if record.policy != first.policy:
                self.diags.append(error(
                    "E717", f"{rtype} records of '{fqdn}' use {record.policy} routing here and "
                            f"{first.policy} routing at {where(first.span, head)}", head,
                    "every record of one name and type uses the same routing policy; merge them "
                    "into one set"))
            elif record.policy == "simple":
                self.diags.append(error(
                    "E717", f"second simple {rtype} record for '{fqdn}' (the first is at "
                            f"{where(first.span, head)})", head,
                    f"a name has one simple record per type; list every value in it: "
                    f"`{first.label} {rtype} simple VALUE, VALUE`"))
            else:
                same.append(record)
        entries = [e for r in same for e in r.entries]
        if first.policy == "failover":
            self._failover(same, entries, fqdn, rtype)
        else:
            self._set_identifiers(first.policy, entries, fqdn, rtype)

    def _set_identifiers(self, policy: str, entries: list[ast.RecordEntry], fqdn: str,
                         rtype: str) -> None:
        """E705: each member of a set needs its own identifier, region, location or CIDR."""
        seen: dict[str, ast.RecordEntry] = {}
        for entry in entries:
            for key, what in _keys(policy, entry):
                first = seen.setdefault(key, entry)
                if first is entry:
                    continue
                span = self._key_span(policy, entry, key)
                self.diags.append(error(
                    "E705", f"{what} appears twice in the {policy} {rtype} records of '{fqdn}'",
                    span, f"the first is at {where(self._key_span(policy, first, key), span)}; "
                          f"each entry of the set "
                          f"needs its own {_KEY_WORDS[policy]}"))

    def _key_span(self, policy: str, entry: ast.RecordEntry, key: str) -> Span:
        """Where ``key`` is written in ``entry`` (computed only for a diagnostic)."""
        if policy == "weighted":
            return locate(self.model, entry.span, _NUMBER + r"\s+([A-Za-z_][\w-]*)")
        for cidr in entry.cidrs:
            if cidr.net is not None and str(cidr.net) == key:
                return cidr.span
        return _prefix(entry.span, len(key.rpartition(":")[2]))

    def _failover(self, records: list[ast.Record], entries: list[ast.RecordEntry], fqdn: str,
                  rtype: str) -> None:
        first_of: dict[str, ast.RecordEntry] = {}
        for entry in entries:
            role = entry.key or ""
            first = first_of.setdefault(role, entry)
            if first is not entry:
                span = _prefix(entry.span, len(role))
                self.diags.append(error(
                    "E706", f"failover {rtype} records of '{fqdn}' have a second {role}", span,
                    f"the first {role} is at {where(first.span, span)}; a failover set has exactly "
                    f"one primary and one secondary (for more, use weighted records behind each)"))
        for role in ("primary", "secondary"):
            if role not in first_of:
                self.diags.append(error(
                    "E706", f"failover {rtype} records of '{fqdn}' have no {role}",
                    self._head(records[0]),
                    f"add `{role} -> VALUE [health CHECK]`; a failover set has exactly one primary "
                    f"and one secondary"))

    def _cname_beside_others(self, sets: dict[tuple[str, str], list[ast.Record]]) -> None:
        types_of: dict[str, list[str]] = {}
        for label, rtype in sets:
            types_of.setdefault(label, []).append(rtype)
        for (label, rtype), records in sets.items():
            others = sorted(t for t in types_of[label] if t != "CNAME")
            if rtype != "CNAME" or not others or label == "@":   # the apex is E704
                continue
            record = records[0]
            self.diags.append(error(
                "E717", f"'{_fqdn(self.zone, record.label)}' has a CNAME record beside its "
                        f"{', '.join(others)} record{'s' if len(others) > 1 else ''}",
                self._head(record),
                "a CNAME must be the only record of its name (RFC 1034); move the other records "
                "to the target name, or replace the CNAME by an A alias record"))


def _keys(policy: str, entry: ast.RecordEntry):
    """What identifies ``entry`` in its set, as (key, words for a message)."""
    key = entry.key
    if key is None:
        return
    if policy == "weighted":
        yield key, f"set identifier '{key}'"
    elif policy == "latency":
        yield key, f"region '{key}'"
    elif policy == "geolocation":
        yield key, _location_words(key)
    elif policy == "ip-based":
        if key == "default":
            yield key, "`default`"
        for cidr in entry.cidrs:
            if cidr.net is not None:
                yield str(cidr.net), f"CIDR {cidr.net}"


_KEY_WORDS = {"weighted": "set identifier", "latency": "region", "geolocation": "location",
              "ip-based": "CIDR blocks (and one `default` at most)"}


def _location_words(key: str) -> str:
    kind, _, code = key.rpartition(":")
    if code == "default":
        return "`default`"
    return f"{kind or 'country'} {code}"


# ---------------------------------------------------------------------------- single facts

def _record_type(ref: ast.Ref, diags: list[Diagnostic]) -> bool:
    """E703 for a type Route 53 does not have; True when the type is known."""
    text = ref.name
    if text in RECORD_TYPES:
        return True
    upper = text.upper()
    if upper in RECORD_TYPES:
        hint = f"record types are upper-case: {upper}"
    elif upper in _NOT_ROUTE53:
        hint = _NOT_ROUTE53[upper]
    else:
        matches = close_matches(upper, RECORD_TYPES, cutoff=0.5)
        hint = did_you_mean(matches) if matches else "Route 53 types: " + ", ".join(RECORD_TYPES)
    diags.append(error("E703", f"unknown DNS record type '{text}'", ref.span, hint))
    return False


def _value_problem(rtype: str, value: ast.Value) -> tuple[str, str] | None:
    """Why ``value`` (not a model name) cannot be a value of ``rtype``: (message, hint), or None."""
    kind = value.kind
    if rtype in _ADDRESS_TYPES:
        want = _ADDRESS_TYPES[rtype]
        if kind == want:
            return None
        family = "IPv4" if want == "ipv4" else "IPv6"
        if kind in ("ipv4", "ipv6"):
            other = "AAAA" if rtype == "A" else "A"
            return (f"{value.text} is not an {family} address",
                    f"an {rtype} record holds {family} addresses; write {value.text} in an {other} record")
        if kind == "domain":
            return (f"'{value.text}' is a domain name, not an {family} address",
                    f"point a name to another name with a CNAME record (`LABEL CNAME simple {value.text}`),"
                    f" or name the model's load balancer, CloudFront distribution or instance for an alias")
        return (f"\"{value.text}\" is not an {family} address",
                "write the address unquoted" if _is_address(value.text, want)
                else f"an {rtype} record holds {family} addresses")
    if rtype in _DOMAIN_TYPES:
        if kind == "domain" or (kind == "string" and _looks_like_domain(value.text)):
            return None
        if kind in ("ipv4", "ipv6") and rtype == "CNAME":
            return (f"{value.text} is an address; a CNAME points to a domain name",
                    f"use an {'A' if kind == 'ipv4' else 'AAAA'} record for an address")
        return (f"'{value.text}' is not a domain name", f"a {rtype} record holds a domain name")
    if kind != "string":
        example = _EXAMPLES.get(rtype, '"..."')
        return (f"{value.text} is not quoted record data",
                f"write the {rtype} data as a string, e.g. {example}")
    if rtype == "MX":
        fields = value.text.split()
        if len(fields) != 2 or not _uint16(fields[0]):
            return (f"\"{value.text}\" is not 'PREFERENCE MAIL-SERVER'",
                    f"write the preference (0..65535) and the mail server: {_EXAMPLES['MX']}")
    elif rtype == "SRV":
        fields = value.text.split()
        if len(fields) != 4 or not all(_uint16(f) for f in fields[:3]):
            return (f"\"{value.text}\" is not 'PRIORITY WEIGHT PORT TARGET'",
                    f"write four fields, the first three 0..65535: {_EXAMPLES['SRV']}")
    return None


_EXAMPLES = {"MX": '"10 mail.example.com"', "SRV": '"10 5 5060 sip.example.com"',
             "TXT": '"v=spf1 include:amazonses.com ~all"', "SPF": '"v=spf1 -all"',
             "CAA": "\"0 issue \\\"amazon.com\\\"\""}


def _uint16(text: str) -> bool:
    return text.isdigit() and int(text) <= 65535


def _is_address(text: str, family: str) -> bool:
    try:
        return ip_address(text).version == (4 if family == "ipv4" else 6)
    except ValueError:
        return False


def _looks_like_domain(text: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Za-z0-9_*](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\.)*"
                             r"[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.?", text))


def _region(name: str, span: Span, policy: str, diags: list[Diagnostic]) -> None:
    if name in REGIONS:
        return
    if policy == "geoproximity":
        m = _LOCAL_ZONE_GROUP.fullmatch(name)
        if m and m.group(1) in REGIONS:
            return
    if name.lower() in REGIONS:
        hint = f"region names are lower-case: {name.lower()}"
    elif _COUNTRY.fullmatch(name.upper()) and policy == "client":
        hint = f"country codes are upper-case: {name.upper()}"
    else:
        matches = close_matches(name.lower(), sorted(REGIONS))
        hint = did_you_mean(matches) if matches else "an AWS region name, such as us-east-1 or eu-west-1"
        if policy == "geoproximity":
            hint += "; or `coords LAT LON` for a point"
    diags.append(error("E712", f"unknown region '{name}'", span, hint))


def _country(code: str, span: Span, diags: list[Diagnostic]) -> None:
    if _COUNTRY.fullmatch(code) and code not in ("EU", "OC", "AN"):
        return
    if code.upper() in ("EU", "OC", "AN"):
        message, hint = (f"'{code}' is a continent code, not a country",
                         f"write `continent {code.upper()}`")
    elif _COUNTRY.fullmatch(code.upper()):
        message, hint = f"unknown country '{code}'", f"country codes are upper-case: {code.upper()}"
    elif _STATE.fullmatch(code.upper()):
        message, hint = f"'{code}' is a US state, not a country", f"write `state {code.upper()}`"
    else:
        message, hint = (f"unknown country '{code}'",
                         "a country is its two-letter ISO 3166-1 code (DE, US, JP); write "
                         "`continent EU` for a continent, `state US-CA` for a US state")
    diags.append(error("E712", message, span, hint))


def _continent(code: str, span: Span, diags: list[Diagnostic]) -> None:
    if code in CONTINENTS:
        return
    if code.upper() in CONTINENTS:
        hint = f"continent codes are upper-case: {code.upper()}"
    else:
        hint = "Route 53 continents: " + ", ".join(CONTINENTS)
    diags.append(error("E712", f"unknown continent '{code}'", span, hint))


def _state(code: str, span: Span, diags: list[Diagnostic]) -> None:
    if _STATE.fullmatch(code):
        return
    if _STATE.fullmatch(code.upper()):
        hint = f"state codes are upper-case: {code.upper()}"
    elif _COUNTRY.fullmatch(code.upper()):
        hint = f"write the state as US-{code.upper()}"
    else:
        hint = "Route 53 locates US states only, written US-XX (US-CA, US-NY)"
    diags.append(error("E712", f"unknown state '{code}'", span, hint))


def _coords_problem(coords: tuple[float, float], too_precise: bool) -> str | None:
    lat, lon = coords
    if not -90 <= lat <= 90:
        return f"latitude {lat:g} is outside -90..90"
    if not -180 <= lon <= 180:
        return f"longitude {lon:g} is outside -180..180"
    if too_precise:
        return "coordinates have more than two decimals"
    return None


_COORDS_HINT = ("write `coords LAT LON` in degrees, latitude first, at most two decimals "
                "(Paris: coords 48.86 2.35)")


def _client(client: ast.DnsClient, diags: list[Diagnostic]) -> None:
    """The client location of `expect dns`: the same vocabulary as the records."""
    span = client.span
    if client.kind == "region":
        _region(client.value, span, "client", diags)
    elif client.kind == "country":
        _country(client.value, span, diags)
    elif client.kind == "continent":
        _continent(client.value, span, diags)
    elif client.kind == "state":
        _state(client.value, span, diags)
    elif client.kind == "coords" and client.coords is not None:
        too_precise = any("." in t and len(t.split(".")[1]) > 2 for t in client.value.split())
        problem = _coords_problem(client.coords, too_precise)
        if problem is not None:
            diags.append(error("E712", problem, span, _COORDS_HINT))
