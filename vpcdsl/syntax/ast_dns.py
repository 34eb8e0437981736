"""The typed model's Route 53 zones and expectations: the statements that say what DNS
answers and what flows must do (the rest of the vocabulary is in `vpcdsl.syntax.ast`, which
re-exports every name here, so stages write `ast.Record`, `ast.ExpectFlow`).

Only declarations, as in `vpcdsl.syntax.ast`; nothing here needs the other nodes at run
time (annotations are strings), so this module imports none of them and there is no
import circle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Union

if TYPE_CHECKING:
    from ..span import Span
    from .ast import Cidr, Protocol, Ref

_node = dataclass(frozen=True, slots=True)


# ----------------------------------------------------------------------------
# DNS
# ----------------------------------------------------------------------------

@_node
class HealthCheck:
    name: str
    protocol: Literal["http", "https", "tcp"]
    host: str                  # address or domain name
    port: int
    path: str | None
    down: bool
    span: Span


@_node
class Value:
    """A record value: an address, a string, a domain name or a model name."""

    kind: Literal["ipv4", "ipv6", "string", "domain", "name"]
    text: str
    span: Span


@_node
class RecordEntry:
    """One member of a routing-policy set.

    ``key`` depends on the policy: the set identifier (weighted), ``primary``
    or ``secondary`` (failover), the region (latency), the location
    (geolocation: ``DE``, ``continent:EU``, ``state:US-CA``, ``default``), the
    region or ``coords`` (geoproximity), the CIDRs joined by ``,`` or
    ``default`` (ip-based); None for simple and multivalue.
    """

    key: str | None
    value: Value
    health: Ref | None
    span: Span
    weight: int | None = None
    bias: int | None = None
    coords: tuple[float, float] | None = None
    cidrs: tuple[Cidr, ...] = ()


Policy = Literal["simple", "weighted", "failover", "latency", "geolocation",
                 "geoproximity", "multivalue", "ip-based"]


@_node
class Record:
    label: str                 # `@` for the apex, `*` for the wildcard
    type: Ref                  # the record type as written (A, AAAA, MX, ...)
    policy: Policy
    entries: tuple[RecordEntry, ...]
    span: Span
    ttl: int | None = None     # `ttl N` as written; None: Route 53's default (route53.DEFAULT_TTL)


@_node
class DnsZone:
    name: str                  # the domain
    private_vpcs: tuple[Ref, ...]
    health_checks: tuple[HealthCheck, ...]
    records: tuple[Record, ...]
    span: Span

    @property
    def private(self) -> bool:
        return bool(self.private_vpcs)


# ----------------------------------------------------------------------------
# Expectations
# ----------------------------------------------------------------------------

@_node
class FlowEnd:
    """A flow's source or destination: a name, `internet`, an address or CIDR,
    `public-ip(NAME)` (``text`` written so, whatever the spaces; ``ref`` is NAME), or a
    domain name that Route 53 answers (a destination only)."""

    text: str
    kind: Literal["name", "address", "cidr", "public-ip", "domain"]
    span: Span
    ref: Ref | None = None


@_node
class ExpectFlow:
    src: FlowEnd
    dst: FlowEnd
    protocol: Protocol | None
    verdict: Literal["allowed", "blocked"]
    by: Ref | None
    span: Span
    via: tuple[Ref, ...] = ()  # `via A, B`: components the request passes, in order


@_node
class ExpectIsolated:
    ends: tuple[FlowEnd, ...]
    span: Span


@_node
class DnsClient:
    kind: Literal["region", "country", "continent", "state", "coords", "address"]
    value: str
    span: Span
    coords: tuple[float, float] | None = None


@_node
class ExpectDns:
    fqdn: str
    type: Ref | None
    client: DnsClient | None
    answers: tuple[Value, ...]   # empty with no_answer
    no_answer: bool
    span: Span


@_node
class ExpectValid:
    span: Span


Expectation = Union[ExpectFlow, ExpectIsolated, ExpectDns, ExpectValid]
