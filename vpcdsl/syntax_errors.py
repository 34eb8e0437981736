"""Syntax errors a student can act on.

Lark reports a parser state and a set of expected terminals; we match that
state against a catalogue of labelled bad snippets (`Lark`'s
``match_examples``) and say what was expected in words, falling back to a
readable list of expected tokens when no snippet matches.
"""

from __future__ import annotations

from functools import cache

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from .diagnostics import Diagnostic, error
from .span import Span

# label -> (message, hint, bad snippets that fail in the same parser state)
CATALOGUE: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "az-value": (
        "expected an availability zone after `az`",
        "write the AZ letter (`az a`) or its full name (`az us-east-1a`)",
        ("vpc v {\n subnet s 10.0.0.0/24 az\n}", "vpc v {\n subnet s 10.0.0.0/24 az 10\n}",
         "vpc v {\n subnet s 10.0.0.0/24 az }"),
    ),
    "subnet-address": (
        "expected the subnet's CIDR block, `size /P` or `hosts N` after its name",
        "for example `subnet app-a 10.0.1.0/24 az a` or `subnet app-a size /24 az a`",
        ("vpc v {\n subnet s az a\n}", "vpc v {\n subnet s\n}", "vpc v {\n subnet s 10.0.0.1 az a\n}"),
    ),
    "statement-name": (
        "expected a name for this statement",
        "names start with a letter or `_` and may contain letters, digits, `_` and `-`",
        ("vpc {\n}", "vpc 1x {\n}", "vpc v {\n subnet 10.0.0.0/24 az a\n}", "vpc v {\n igw\n}",
         "vpc v {\n sg {\n }\n}", "vpc v {\n nacl {\n }\n}", "peer 10.0.0.0/16",
         "site 10.0.0.0/8", "vpc v {\n instance in a\n}"),
    ),
    "vpc-block": (
        "expected `{` to open the VPC's block on the same line",
        "write `vpc NAME {` with the brace on the same line as the statement",
        ("vpc v\n{\n}", "vpc v cidr 10.0.0.0/16", "vpc v"),
    ),
    "vpc-item": (
        "this is not something that can be written inside a `vpc` block",
        "a VPC holds cidr, ipv6, subnet, igw, eigw, nat, nat-instance, vgw, route-table, nacl, sg, instance, endpoint and lb",
        ("vpc v {\n foo bar\n}", "vpc v {\n peer a b -> c\n}", "vpc v {\n 10.0.0.0/16\n}"),
    ),
    "top-level": (
        "expected a statement",
        "a file holds region, vpc, peer, tgw, site, vpn, dxgw, dx, advertise, placement, dns, cdn and expect statements",
        ("foo bar", "subnet s 10.0.0.0/24 az a", "10.0.0.0/16", "igw x"),
    ),
    "cidr-value": (
        "expected a CIDR block such as 10.0.0.0/16",
        "a CIDR is an address, `/`, and a prefix length",
        ("vpc v {\n cidr\n}", "vpc v {\n cidr 10.0.0.0\n}", "vpc v {\n cidr x\n}"),
    ),
    "route-arrow": (
        "expected `->` and a target after the route's destination",
        "a route is written `DEST -> TARGET`, e.g. `0.0.0.0/0 -> igw`",
        ("vpc v {\n route-table r {\n 0.0.0.0/0 igw\n }\n}", "vpc v {\n route-table r {\n 0.0.0.0/0\n }\n}"),
    ),
    "route-target": (
        "expected a route target (a gateway, NAT, peering, VGW, TGW, instance or `blackhole`)",
        None,
        ("vpc v {\n route-table r {\n 0.0.0.0/0 ->\n }\n}", "vpc v {\n route-table r {\n 0.0.0.0/0 -> 10.0.0.1\n }\n}"),
    ),
    "route-item": (
        "expected a route (`DEST -> TARGET`) or `propagate VGW`",
        None,
        ("vpc v {\n route-table r {\n -> x\n }\n}", "vpc v {\n route-table r {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-rule-number": (
        "expected a rule number after `in`/`out` in a network ACL",
        "NACL rules are `in NUMBER allow|deny PROTO [PORTS] from CIDR`",
        ("vpc v {\n nacl n {\n in allow tcp 80 from 0.0.0.0/0\n }\n}", "vpc v {\n nacl n {\n out\n }\n}"),
    ),
    "nacl-action": (
        "expected `allow` or `deny` after the rule number",
        None,
        ("vpc v {\n nacl n {\n in 100 tcp 80 from 0.0.0.0/0\n }\n}", "vpc v {\n nacl n {\n in 100 permit tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-direction": (
        "a NACL rule goes `in ... from CIDR` or `out ... to CIDR`",
        "inbound rules name their source with `from`; outbound rules name their destination with `to`",
        ("vpc v {\n nacl n {\n in 100 allow tcp 80 to 0.0.0.0/0\n }\n}", "vpc v {\n nacl n {\n out 100 allow tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow tcp 80 0.0.0.0/0\n }\n}"),
    ),
    "nacl-item": (
        "expected a NACL rule (`in NUMBER allow|deny ...` or `out NUMBER allow|deny ...`)",
        None,
        ("vpc v {\n nacl n {\n allow tcp 80\n }\n}", "vpc v {\n nacl n {\n 100 allow\n }\n}"),
    ),
    "protocol": (
        "expected a protocol: tcp, udp, icmp, icmpv6, any or an IP protocol number",
        None,
        ("vpc v {\n sg s {\n in from 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n in http 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow from 0.0.0.0/0\n }\n}"),
    ),
    "sg-direction": (
        "a security group rule goes `in PROTO [PORTS] from SOURCE` or `out PROTO [PORTS] to DEST`",
        "inbound rules name their sources with `from`; outbound rules their destinations with `to`",
        ("vpc v {\n sg s {\n in tcp 80 to 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n out tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in tcp 80 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n in tcp 80 from\n }\n}"),
    ),
    "sg-item": (
        "expected a security group rule (`in ...`, `out ...` or `out none`)",
        "security groups only allow: there is no `deny` and no rule number",
        ("vpc v {\n sg s {\n allow tcp 80\n }\n}", "vpc v {\n sg s {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "instance-subnet": (
        "expected `in SUBNET` after the instance's name",
        "for example `instance web-1 in app-a sg web`",
        ("vpc v {\n instance i sg x\n}", "vpc v {\n instance i\n}", "vpc v {\n nat n\n}"),
    ),
    "expect-arrow": (
        "expected `->` between the source and destination of the flow",
        "write `expect SRC -> DST [PROTO [PORTS]] allowed|blocked`",
        ("expect a b allowed", "expect a", "expect a - b allowed"),
    ),
    "expect-verdict": (
        "expected `allowed` or `blocked` at the end of the expectation",
        "write `expect SRC -> DST tcp 443 allowed` (or `blocked [by KIND]`)",
        ("expect a -> b tcp 443", "expect a -> b", "expect a -> b tcp 443 denied", "expect a -> b ok"),
    ),
    "ports": (
        "expected a port, a port range (`1024-65535`) or `any`",
        "a range has no spaces: `1024-65535`",
        ("expect a -> b tcp 80 - 90 allowed", "vpc v {\n sg s {\n in tcp 80 - 90 from 0.0.0.0/0\n }\n}"),
    ),
    "list-continuation": (
        "a list ended with a comma",
        "after a trailing comma the list continues with the next item",
        ("vpc v {\n route-table r for a, {\n }\n}", "vpc v {\n instance i in a sg x,\n}"),
    ),
    "block-close": (
        "expected a new line, `;` or `}` here",
        "each statement stands on its own line (or is separated by `;`)",
        ("vpc v { cidr 10.0.0.0/16 cidr 10.1.0.0/16 }", "vpc v {\n igw a b\n}",
         "vpc v {\n subnet s 10.0.0.0/24 az a b\n}"),
    ),
    "dns-record": (
        "expected a record: LABEL TYPE POLICY VALUE, e.g. `www A simple 203.0.113.10`",
        None,
        ("dns example.com {\n www A\n}", "dns example.com {\n www A 1.2.3.4\n}", "dns example.com {\n www\n}"),
    ),
    "dns-zone": (
        "expected a domain name (such as example.com) after `dns`",
        "a zone is two or more labels separated by dots",
        ("dns example {\n}", "dns {\n}"),
    ),
    "weighted-entry": (
        "expected a weighted entry `WEIGHT SETID -> VALUE`",
        None,
        ("dns example.com {\n a A weighted { blue -> 1.2.3.4 }\n}", "dns example.com {\n a A weighted { 10 -> 1.2.3.4 }\n}"),
    ),
    "vpn-arrow": (
        "expected `<->` between the two ends of the link",
        "write `vpn NAME SITE <-> VGW bgp` or `dx NAME SITE <-> TARGET vif private`",
        ("vpn v office vgw bgp", "vpn v office -> vgw bgp", "dx d office vgw vif private", "dx d office -> vgw vif private"),
    ),
    "vif-type": (
        "expected the VIF type: `private`, `public` or `transit`",
        None,
        ("dx d office <-> vgw vif", "dx d office <-> vgw vif shared", "dx d office <-> vgw private"),
    ),
    "lb-type": (
        "expected the load balancer type: `application`, `network` or `classic`",
        None,
        ("vpc v {\n lb l in a {\n }\n}", "vpc v {\n lb l alb in a {\n }\n}"),
    ),
    "listener": (
        "expected `listen PROTO PORT -> TARGET[:PORT], ...` or `rule PORT CONDITION -> TARGET, ...`",
        "listener protocols are http, https, tcp, udp, tls, tcp_udp and ssl",
        ("vpc v {\n lb l application in a {\n listen 443 -> x\n }\n}", "vpc v {\n lb l application in a {\n listen ftp 21 -> x\n }\n}",
         "vpc v {\n lb l application in a {\n x\n }\n}"),
    ),
    "placement-strategy": (
        "expected the placement strategy: `cluster`, `spread` or `partition N`",
        None,
        ("placement p {\n}", "placement p rack {\n}", "placement p partition {\n}"),
    ),
    "region-name": (
        "expected a region name such as us-east-1",
        None,
        ("region", "region 1", "vpc v region {\n}"),
    ),
}


def _terminal_names(parser: Lark) -> dict[str, str]:
    names = {}
    for term in parser.terminals:
        pattern = term.pattern
        if pattern.type == "str":
            names[term.name] = f"`{pattern.value}`"
    names.update({
        "NAME": "a name", "CIDR": "a CIDR block", "IPV4": "an IPv4 address",
        "IPV6": "an IPv6 address", "INT": "a number", "SIGNED": "a number",
        "PORT_RANGE": "a port range", "DOMAIN": "a domain name", "STRING": "a string",
        "WORD": "a word", "PATH": "a URL path", "SIZE": "a bandwidth such as 10Gbps",
        "COMMUNITY": "a BGP community such as 7224:7100", "PREFIX_LEN": "a prefix length such as /24",
        "HOST_PATTERN": "a host name pattern", "QUERY": "KEY=VALUE",
        "_SEP": "a new line or `;`", "_COMMA": "`,`", "$END": "the end of the file",
    })
    return names


@cache
def _names() -> dict[str, str]:
    from .grammar import tree_parser
    return _terminal_names(tree_parser())


def _describe_token(tok) -> str:
    if tok.type == "$END":
        return "the end of the file"
    if tok.type == "_SEP":
        return "the end of the line" if "\n" in tok else "`;`"
    return f"`{tok}`"


def _expected_words(expected) -> str:
    names = _names()
    words = sorted({names.get(t, t) for t in expected if not t.startswith("__")})
    if not words:
        return "something else"
    if len(words) > 6:
        return ", ".join(words[:6]) + ", ..."
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


@cache
def _examples() -> dict[str, list[str]]:
    return {label: list(snippets) for label, (_, _, snippets) in CATALOGUE.items()}


def classify(exc: UnexpectedInput, text: str, file: str) -> Diagnostic:
    """One diagnostic for a Lark syntax error, in words a student understands."""
    from .grammar import tree_parser

    line, col = exc.line, exc.column
    if isinstance(exc, UnexpectedEOF) or line in (None, -1) or (
            isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line, col = _end_position(text)
    span = Span(file, line, col, line, col + 1)

    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        return error("E002", f"unexpected character {char!r}", span,
                     "names use letters, digits, `_` and `-`; strings go in double quotes")

    label = None
    try:
        label = exc.match_examples(tree_parser().parse, _examples(), use_accepts=True)
    except Exception:  # a catalogue snippet that parses is a catalogue bug, not the user's
        label = None

    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type not in ("$END", "_SEP"):
            span = Span(file, tok.line, tok.column, tok.end_line or tok.line,
                        tok.end_column or tok.column + 1)
        found = _describe_token(tok)
        expected = exc.accepts or exc.expected
    else:
        found, expected = "the end of the file", getattr(exc, "expected", ())

    at_end = found == "the end of the file"
    if label is not None:
        message, hint, _ = CATALOGUE[label]
        message = f"{message}, found {found}"
    else:
        message = f"unexpected {found}; expected {_expected_words(expected)}"
        hint = None
    if at_end:
        hint = hint or "a `{` block may not be closed"
        return error("E003", message, span, hint)
    return error("E001", message, span, hint)


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        return len(lines) - 1, len(lines[-2]) + 1
    return len(lines), len(lines[-1]) + 1
