"""Route 53 zones, records and routing policies, and `expect` statements: the rules of
the AST builder for the DNS and expectation parts of the grammar."""

from __future__ import annotations

from dataclasses import replace

from lark import Token

from . import ast
from ..diagnostics import error
from .node_builder import NodeBuilder, Option, signed_number, unquote

MAX_TTL = 2147483647


class DnsAndExpectationBuilder(NodeBuilder):
    """Builds the `ast` nodes of `dns` blocks and `expect` statements."""

    # ------------------------------------------------------------------ DNS

    def dns_stmt(self, items):
        zone = items[0]
        private = tuple(self._ref(t) for t in items[1:] if isinstance(t, Token))
        checks = tuple(i for i in items if isinstance(i, ast.HealthCheck))
        records = tuple(i for i in items if isinstance(i, ast.Record))
        return ast.DnsZone(str(zone).rstrip(".").lower(), private, checks, records,
                           self._span(items))

    def health_check(self, items):
        name, proto, host, port = items[:4]
        path = next((str(t) for t in items[4:] if t.type == "PATH"), None)
        down = any(t.type == "DOWN" for t in items[4:])
        return ast.HealthCheck(str(name), str(proto), str(host), self._port_number(port), path, down,
                               self._span(items))

    def record(self, items):
        label, rtype, *ttl, policy = items
        kind, entries = policy[0], policy[1]
        span = self._span(items if policy[2] is not None else items[:2 + len(ttl)])
        return ast.Record(str(label), self._ref(rtype), kind, entries, span,
                          ttl[0][1] if ttl else None)

    def record_ttl(self, items):
        # Route 53 takes a TTL of 0 to 2147483647 seconds (API reference, ResourceRecordSet)
        seconds = self._int(items[0])
        if seconds > MAX_TTL:
            self.diagnostics.append(error("E719", f"TTL {seconds} is above Route 53's maximum, {MAX_TTL}",
                                          self._tspan(items[0]), "a TTL is 0 to 2147483647 seconds; "
                                          "60 to 86400 is usual"))
        return Option("ttl", seconds, self._tspan(items[0]))

    def dns_label(self, items):
        return items[0]

    def _policy(kind):  # noqa: N805 - builds the policy callbacks below
        def build(self, items):
            if kind == "simple":
                entries = tuple(ast.RecordEntry(None, v, None, v.span) for v in items)
            else:
                entries = tuple(items)
            return Option(kind, entries, self._span(items) if items else None)
        return build

    simple = _policy("simple")
    weighted = _policy("weighted")
    failover = _policy("failover")
    latency = _policy("latency")
    geolocation = _policy("geolocation")
    geoproximity = _policy("geoproximity")
    multivalue = _policy("multivalue")
    ip_based = _policy("ip-based")
    del _policy

    def _entry(self, items, key, value_index, **extra):
        value = items[value_index]
        health = items[-1] if isinstance(items[-1], ast.Ref) else None
        return ast.RecordEntry(key, value, health, self._span(items), **extra)

    def weighted_entry(self, items):
        weight = signed_number(items[0])
        return self._entry(items, str(items[1]), 2, weight=weight)

    def failover_entry(self, items):
        return self._entry(items, str(items[0]), 1)

    def latency_entry(self, items):
        return self._entry(items, str(items[0]), 1)

    def geolocation_entry(self, items):
        return self._entry(items, items[0][1], 1)

    def geo_country(self, items):
        return Option("geo", str(items[0]), self._tspan(items[0]))

    def geo_continent(self, items):
        return Option("geo", f"continent:{items[0]}", self._tspan(items[0]))

    def geo_state(self, items):
        return Option("geo", f"state:{items[0]}", self._tspan(items[0]))

    def geo_default(self, items):
        return Option("geo", "default", self._tspan(items[0]))

    def geoproximity_entry(self, items):
        point = items[0]
        bias = None
        rest = items[1:]
        if isinstance(rest[0], Token):
            bias = signed_number(rest[0])
        coords = point[1] if point[0] == "coords" else None
        key = "coords" if coords else point[1]
        return self._entry(items, key, 2 if bias is not None else 1, bias=bias, coords=coords)

    def geo_region(self, items):
        return Option("region", str(items[0]), self._tspan(items[0]))

    def geo_coords(self, items):
        return Option("coords", (float(items[0]), float(items[1])), self._span(items))

    def multivalue_entry(self, items):
        return self._entry(items, None, 0)

    def ip_based_entry(self, items):
        toks = [t for t in items if isinstance(t, Token)]
        if toks and toks[0].type == "DEFAULT":
            return self._entry(items, "default", 1)
        cidrs = tuple(self._cidr(t) for t in toks)
        return self._entry(items, ",".join(c.text for c in cidrs), len(cidrs), cidrs=cidrs)

    def health_ref(self, items):
        return self._ref(items[0])

    def value(self, items):
        tok = items[0]
        kind = {"IPV4": "ipv4", "IPV6": "ipv6", "STRING": "string", "DOMAIN": "domain",
                "NAME": "name"}[tok.type]
        text = unquote(str(tok)) if kind == "string" else str(tok)
        if kind in ("ipv4", "ipv6"):
            self._addr(tok)
        return ast.Value(kind, text, self._tspan(tok))

    # ------------------------------------------------------------------ expectations

    def expect_stmt(self, items):
        # The span starts at `expect`: an expectation is reported as its whole line.
        return replace(items[1], span=self._span(items))

    def expect_flow(self, items):
        src, dst = items[0], items[1]
        proto = items[2] if isinstance(items[2], ast.Protocol) else None
        verdict_tok = next(t for t in items if isinstance(t, Token) and t.type in ("ALLOWED", "BLOCKED"))
        via = items[-1] if isinstance(items[-1], tuple) else ()
        rest = items[:-1] if via else items
        by = rest[-1] if isinstance(rest[-1], Token) and rest[-1].type == "NAME" else None
        return ast.ExpectFlow(src, dst, proto, str(verdict_tok), self._ref(by) if by else None,
                              self._span([*rest, *via]), tuple(self._ref(n) for n in via))

    def via_clause(self, items):
        return tuple(items)

    def expect_isolated(self, items):
        return ast.ExpectIsolated(tuple(items), self._span(items))

    def expect_dns(self, items):
        fqdn = str(items[0]).rstrip(".").lower()
        rtype = client = None
        answers: list[ast.Value] = []
        no_answer = False
        for item in items[1:]:
            if isinstance(item, Token) and item.type == "NAME":
                rtype = self._ref(item)
            elif isinstance(item, Token) and item.type == "NO_ANSWER":
                no_answer = True
            elif isinstance(item, ast.DnsClient):
                client = item
            elif isinstance(item, ast.Value):
                answers.append(item)
        return ast.ExpectDns(fqdn, rtype, client, tuple(answers), no_answer, self._span(items))

    def expect_valid(self, items):
        return ast.ExpectValid(self._span(items))

    def flow_end(self, items):
        tok = items[0]
        if tok.type == "PUBLIC_IP":          # public-ip ( NAME ): its span runs to the `)`
            name = items[2]
            return ast.FlowEnd(f"public-ip({name})", "public-ip", self._span(items), self._ref(name))
        kind = {"NAME": "name", "IPV4": "address", "IPV6": "address", "CIDR": "cidr",
                "DOMAIN": "domain"}[tok.type]
        if kind == "address":
            self._addr(tok)
        elif kind == "cidr":
            self._cidr(tok)
        return ast.FlowEnd(str(tok), kind, self._tspan(tok))

    def client_named(self, items):
        text = str(items[0])
        kind = "country" if len(text) == 2 and text.isupper() else "region"
        return ast.DnsClient(kind, text, self._span(items))

    def client_continent(self, items):
        return ast.DnsClient("continent", str(items[0]), self._span(items))

    def client_state(self, items):
        return ast.DnsClient("state", str(items[0]), self._span(items))

    def client_coords(self, items):
        coords = (float(items[0]), float(items[1]))
        return ast.DnsClient("coords", f"{items[0]} {items[1]}", self._span(items), coords)

    def client_address(self, items):
        self._addr(items[0])
        return ast.DnsClient("address", str(items[0]), self._span(items))
