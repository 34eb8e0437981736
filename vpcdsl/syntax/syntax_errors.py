"""Syntax errors a student can act on.

Lark reports a parser state and the terminals it would accept there; we match
that state against a catalogue of labelled bad snippets (the algorithm of
Lark's ``match_examples`` with ``use_accepts=True``) and say what was expected
in words, falling back to a readable list of expected tokens. A few mistakes
are recognised from the text itself: a port range with spaces, an IPv6
address and port without brackets, an unterminated string, a misspelt
keyword, a block whose `}` is missing.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import cache
from typing import Iterator

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic, error
from ..span import Span

# label -> (message, hint, bad snippets that fail in the same parser state).
# Order matters where two labels share a state: the first one wins unless a
# snippet fails on the very same token text. tests/test_syntax_errors.py
# checks that every snippet fails and is classified under its own label.
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
    "block-open": (
        "expected `{` to open the block, on the same line as the statement",
        "write the `{` at the end of the statement's line: `vpc prod {`",
        ("vpc v\n{\n}", "vpc v cidr 10.0.0.0/16", "vpc v", "vpc v {\n sg s\n}",
         "vpc v {\n sg s in tcp 80 from 0.0.0.0/0\n}", "vpc v {\n nacl n\n}", "vpc v {\n route-table r\n}",
         "vpc v {\n route-table r for a\n}", "vpc v {\n lb l application in a\n}",
         "tgw t\n", "dxgw d\n", "placement p spread\n", "dns example.com\n",
         "dns example.com {\n www A weighted\n}"),
    ),
    "vpc-item": (
        "this is not something that can be written inside a `vpc` block",
        "a VPC holds cidr, ipv6, subnet, igw, eigw, nat, nat-instance, vgw, route-table, nacl, sg, "
        "instance, endpoint and lb",
        ("vpc v {\n foo bar\n}", "vpc v {\n peer a b -> c\n}", "vpc v {\n 10.0.0.0/16\n}"),
    ),
    "top-level": (
        "expected a statement",
        "a file holds region, vpc, peer, tgw, site, vpn, dxgw, dx, advertise, placement, dns, cdn "
        "and expect statements",
        ("foo bar", "subnet s 10.0.0.0/24 az a", "10.0.0.0/16", "igw x", "}"),
    ),
    "cidr-value": (
        "expected a CIDR block such as 10.0.0.0/16",
        "a CIDR is an address, `/`, and a prefix length",
        ("vpc v {\n cidr\n}", "vpc v {\n cidr 10.0.0.0\n}", "vpc v {\n cidr x\n}"),
    ),
    "route-arrow": (
        "expected `->` and a target after the route's destination",
        "a route is written `DEST -> TARGET`, e.g. `0.0.0.0/0 -> igw`",
        ("vpc v {\n route-table r {\n 0.0.0.0/0 igw\n }\n}", "vpc v {\n route-table r {\n 0.0.0.0/0\n }\n}",
         "vpc v {\n route-table r {\n 0.0.0.0/0 => igw\n }\n}"),
    ),
    "route-target": (
        "expected a route target (a gateway, NAT, peering, VGW, TGW, instance or `blackhole`)",
        None,
        ("vpc v {\n route-table r {\n 0.0.0.0/0 ->\n }\n}",
         "vpc v {\n route-table r {\n 0.0.0.0/0 -> 10.0.0.1\n }\n}"),
    ),
    "route-item": (
        "expected a route (`DEST -> TARGET`) or `propagate VGW`",
        None,
        ("vpc v {\n route-table r {\n -> x\n }\n}",
         "vpc v {\n route-table r {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-rule-number": (
        "expected a rule number after `in`/`out` in a network ACL",
        "NACL rules are `in NUMBER allow|deny PROTO [PORTS] from CIDR`",
        ("vpc v {\n nacl n {\n in allow tcp 80 from 0.0.0.0/0\n }\n}", "vpc v {\n nacl n {\n out\n }\n}"),
    ),
    "nacl-action": (
        "expected `allow` or `deny` after the rule number",
        None,
        ("vpc v {\n nacl n {\n in 100 tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 permit tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-source": (
        "expected the CIDR block (or `any`) the NACL rule applies to",
        "a NACL names addresses, not security groups: `in 100 allow tcp 443 from 10.0.0.0/16`",
        ("vpc v {\n nacl n {\n in 100 allow tcp 80 from web\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow tcp 80 from\n }\n}"),
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
    "rule-direction": (
        "an `in` rule takes `from SOURCE` and an `out` rule `to DEST`",
        "inbound rules name where traffic comes from; outbound rules where it goes",
        ("vpc v {\n nacl n {\n in 100 allow tcp 80 to 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n out 100 allow tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow tcp 80 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in tcp 80 to 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n out tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in tcp 80 0.0.0.0/0\n }\n}"),
    ),
    "sg-source": (
        "expected the rule's sources or destinations: CIDR blocks, security groups, prefix lists or `any`",
        None,
        ("vpc v {\n sg s {\n in tcp 80 from\n }\n}", "vpc v {\n sg s {\n out tcp 80 to 10.0.0.1\n }\n}"),
    ),
    "sg-rule-number": (
        "a security group rule has no rule number and no `allow`/`deny`",
        "security groups only allow, and every rule applies: write `in tcp 443 from 0.0.0.0/0`",
        ("vpc v {\n sg s {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n out 100 deny tcp 80 to 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "sg-item": (
        "expected a security group rule (`in ...`, `out ...` or `out none`)",
        "security groups only allow: there is no `deny` and no rule number; use a NACL to deny",
        ("vpc v {\n sg s {\n allow tcp 80\n }\n}", "vpc v {\n sg s {\n deny tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n 100 in tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "instance-subnet": (
        "expected `in SUBNET` after the name",
        "for example `instance web-1 in app-a sg web` or `nat nat-a in public-a`",
        ("vpc v {\n instance i sg x\n}", "vpc v {\n instance i\n}", "vpc v {\n nat n\n}"),
    ),
    "expect-arrow": (
        "expected `->` between the source and destination of the flow",
        "write `expect SRC -> DST [PROTO [PORTS]] allowed|blocked`",
        ("expect a b allowed", "expect a", "expect a - b allowed", "expect a => b allowed"),
    ),
    "expect-verdict": (
        "expected `allowed` or `blocked` at the end of the expectation",
        "write `expect SRC -> DST tcp 443 allowed` (or `blocked [by KIND]`)",
        ("expect a -> b tcp 443", "expect a -> b", "expect a -> b tcp 443 denied", "expect a -> b ok",
         "expect a -> b tcp 443 allow"),
    ),
    "expect-by": (
        "expected the kind of component after `by`",
        "the kinds are sg, nacl, route, peering, gateway, endpoint and lb",
        ("expect a -> b blocked by", "expect a -> b blocked by 1"),
    ),
    "ports": (
        "expected a port, a port range (`1024-65535`) or `any`",
        "a range has no spaces: `1024-65535`",
        ("vpc v {\n sg s {\n in tcp - from 0.0.0.0/0\n }\n}",),
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
        ("dns example.com {\n a A weighted { blue -> 1.2.3.4 }\n}",
         "dns example.com {\n a A weighted { 10 -> 1.2.3.4 }\n}"),
    ),
    "vpn-arrow": (
        "expected `<->` between the two ends of the link",
        "write `vpn NAME SITE <-> VGW bgp` or `dx NAME SITE <-> TARGET vif private`",
        ("vpn v office vgw bgp", "vpn v office -> vgw bgp", "dx d office vgw vif private",
         "dx d office -> vgw vif private"),
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
        ("vpc v {\n lb l application in a {\n listen 443 -> x\n }\n}",
         "vpc v {\n lb l application in a {\n listen ftp 21 -> x\n }\n}",
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

# Statements that only stand at the top of a file: met inside a block at the
# block's indentation, they mean the block's `}` is missing.
TOP_LEVEL_KEYWORDS = frozenset({
    "region", "vpc", "peer", "tgw", "site", "vpn", "dxgw", "dx", "advertise",
    "placement", "dns", "cdn", "expect",
})


# ----------------------------------------------------------------------------
# Layout: braces and statement separators, as the grammar's _SEP sees them
# ----------------------------------------------------------------------------

# A comment, a string (an unterminated one stops at the line's end, as the
# lexer's STRING does), or one of the characters that shape statements.
_LAYOUT = re.compile(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"?|[{};,\n]')


def layout(text: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """``(offset, char, depth)`` of each brace and statement separator from ``start``.

    ``char`` is ``{``, ``}``, ``;`` or ``\\n``; ``depth`` is the brace depth
    outside the brace (for ``{`` and ``}``) or at the separator, counted from
    ``start`` (depth 0). A line break after a trailing comma (blank and
    comment lines included) continues the statement and is not reported; a
    stray ``}`` at depth 0 is reported with depth -1.
    """
    depth = 0
    comma_end = -1        # where the last comma of the current line ends, if nothing followed it
    code_end = -1         # where a comment starts on the current line
    for m in _LAYOUT.finditer(text, start):
        pos = m.start()
        c = text[pos]
        if c == "#":
            code_end = pos
        elif c == "\n":
            end = code_end if code_end >= 0 else pos
            code_end = -1
            if comma_end >= 0 and not text[comma_end:end].strip():
                comma_end = m.end()  # the list goes on after blank and comment lines
                continue
            comma_end = -1
            yield pos, c, depth
        elif c == ",":
            comma_end = m.end()
        else:
            comma_end = -1
            if c == "{":
                yield pos, c, depth
                depth += 1
            elif c == "}":
                if depth:
                    depth -= 1
                    yield pos, c, depth
                else:
                    yield pos, c, -1
            elif c == ";":
                yield pos, c, depth


def open_blocks(text: str, stop: int) -> list[int]:
    """Offsets of the `{` still open at offset ``stop``, outermost first."""
    stack: list[int] = []
    for pos, c, _depth in layout(text):
        if pos >= stop:
            break
        if c == "{":
            stack.append(pos)
        elif c == "}" and stack:
            stack.pop()
    return stack


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _indent(text: str, pos: int) -> int:
    """Width of the indentation of the line holding ``pos``."""
    start = _line_start(text, pos)
    line = text[start:pos + 1]
    return len(line) - len(line.lstrip(" \t"))


def _position(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, col) of offset ``pos``."""
    return text.count("\n", 0, pos) + 1, pos - _line_start(text, pos) + 1


def unclosed_block(exc: UnexpectedInput, text: str) -> int | None:
    """The `{` whose `}` is missing, judged from the line where the parse failed.

    The line is taken to lie after the block's end when it starts with a
    top-level statement keyword (`vpc`, `expect`, ...) no deeper indented than
    the block's own first line, or when the block's items are indented deeper
    than that first line and this line is not. Returns the offset of the
    block's `{`, or None.
    """
    if not isinstance(exc, UnexpectedToken) or exc.token.type == "$END" or exc.token.start_pos is None:
        return None
    pos = exc.token.start_pos
    start = _line_start(text, pos)
    first = start + len(text[start:pos]) - len(text[start:pos].lstrip(" \t"))
    if first >= len(text) or text[first] in "}\n":
        return None
    blocks = open_blocks(text, first)
    if not blocks:
        return None
    brace = blocks[-1]
    indent, opener = _indent(text, first), _indent(text, brace)
    if indent > opener:
        return None
    if first == pos and str(exc.token) in TOP_LEVEL_KEYWORDS:
        return brace
    items = _ITEM_LINE.search(text, text.find("\n", brace) + 1 or len(text), first)
    if items is not None and len(items.group(1)) > opener:
        return brace
    return None


# The indentation of the first line that holds code (not blank, not a comment).
_ITEM_LINE = re.compile(r"^([ \t]*)[^ \t\n#]", re.M)


def _block_head(text: str, brace: int) -> str:
    """The statement a `{` opens, in a few words: `route-table public`."""
    head = text[_line_start(text, brace):brace].split()
    return " ".join(head[:2]) if head else "{"


def _suspect_block(text: str, outermost: int) -> int:
    """The block most likely missing its `}` when the file ends inside ``outermost``.

    A `}` alone on its line that is indented differently from the line of the
    `{` it closes usually closes an outer block: the inner one lost its `}`.
    """
    stack: list[int] = []
    for pos, c, _depth in layout(text, outermost):
        if c == "{":
            stack.append(pos)
        elif c == "}" and stack:
            opener = stack.pop()
            alone = not text[_line_start(text, pos):pos].strip()
            if alone and _indent(text, pos) != _indent(text, opener):
                return opener
    return stack[-1] if stack else outermost


# ----------------------------------------------------------------------------
# Matching an error against the catalogue
# ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Sample:
    label: str
    token: str | None               # text of the token the snippet fails on; None: a bad character
    accepts: frozenset[str] | None  # terminals the parser would have taken instead


def _accepts(exc: UnexpectedInput) -> frozenset[str] | None:
    parser = getattr(exc, "interactive_parser", None)
    if isinstance(exc, UnexpectedToken):
        accepts = exc.accepts
        return frozenset(accepts) if accepts is not None else None
    if parser is not None:
        return frozenset(parser.accepts())
    return None


# A valid item for each kind of block (by the block's first word, or the word
# before its `{`), and "" for the top level: inserted before a snippet's
# failing item so that the snippet also stands for the second and later
# items of a block, whose LALR states differ from the first item's.
_SIBLINGS = {
    "": "region us-east-1",
    "vpc": "igw sibling",
    "route-table": "0.0.0.0/0 -> sibling",
    "nacl": "in 1 allow tcp 1 from 0.0.0.0/0",
    "sg": "in tcp 1 from sibling",
    "lb": "listen http 1 -> sibling",
    "tgw": "attach sibling",
    "dxgw": "attach sibling",
    "placement": "sibling",
    "dns": "sibling A simple 192.0.2.1",
    "weighted": "1 sibling -> 192.0.2.1",
    "failover": "primary -> 192.0.2.1",
    "latency": "us-east-1 -> 192.0.2.1",
    "geolocation": "DE -> 192.0.2.1",
    "geoproximity": "us-east-1 -> 192.0.2.1",
    "multivalue": "192.0.2.1",
    "ip-based": "default -> 192.0.2.1",
}


def _variants(snippet: str, exc: UnexpectedInput) -> list[str]:
    """The snippet with its failing item moved after one and two valid siblings,
    after a blank line at the top of the file, or onto the line of the block's `{`."""
    if not isinstance(exc, UnexpectedToken) or exc.token.start_pos is None:
        return []
    pos = exc.token.start_pos
    if snippet[_line_start(snippet, pos):pos].strip():
        return []  # the error is inside a statement: its states do not depend on the siblings
    blocks = open_blocks(snippet, pos)
    words = snippet[_line_start(snippet, blocks[-1]):blocks[-1]].split() if blocks else [""]
    key = next((w for w in (words[0], words[-1]) if w in _SIBLINGS), None) if words else None
    if key is None:
        return []
    lines = snippet.split("\n")
    at = snippet.count("\n", 0, pos)
    indent = lines[at][:len(lines[at]) - len(lines[at].lstrip())]
    out = ["\n".join(lines[:at] + [indent + _SIBLINGS[key]] * n + lines[at:]) for n in (1, 2)]
    if not blocks:
        out.append("\n" + snippet)  # a file opening with a blank or comment line
    if blocks and lines[at - 1].rstrip().endswith("{"):
        out.append("\n".join(lines[:at - 1] + [lines[at - 1].rstrip() + " " + lines[at].lstrip()]
                             + lines[at + 1:]))
    return out


@cache
def _samples(parser: Lark) -> dict[int, tuple[_Sample, ...]]:
    """The catalogue's snippets by the LALR state they fail in, for this parser.

    Each parser object numbers its states its own way (tables loaded from
    Lark's cache differ from fresh ones), so snippets are parsed by the very
    parser whose errors they classify, once per parser.
    """
    index: dict[int, list[_Sample]] = {}

    def add(label: str, snippet: str) -> UnexpectedInput | None:
        try:
            parser.parse(snippet)
        except UnexpectedInput as exc:
            token = str(exc.token) if isinstance(exc, UnexpectedToken) else None
            index.setdefault(exc.state.position, []).append(_Sample(label, token, _accepts(exc)))
            return exc
        return None  # a snippet that parses matches nothing; the tests keep the catalogue free of them

    for label, (_message, _hint, snippets) in CATALOGUE.items():
        for snippet in snippets:
            exc = add(label, snippet)
            for variant in _variants(snippet, exc) if exc is not None else ():
                add(label, variant)
    return {state: tuple(samples) for state, samples in index.items()}


def match_label(exc: UnexpectedInput, parser: Lark) -> str | None:
    """The catalogue label of a syntax error raised by ``parser``, or None.

    Lark's ``match_examples`` compares whole parser states, stack depth
    included, so a snippet would only match an error in the first statement
    of a file or block. We compare the LALR state and the accepted terminals
    (``use_accepts``) and prefer a snippet failing on the same token text, as
    ``match_examples`` does; the snippets are parsed once, not per error.
    """
    state = getattr(exc, "state", None)
    if state is None:
        return None
    samples = _samples(parser).get(state.position)
    if not samples:
        return None
    accepts = _accepts(exc)
    token = str(exc.token) if isinstance(exc, UnexpectedToken) else None
    fallback = None
    for sample in samples:
        if accepts is not None and sample.accepts is not None and sample.accepts != accepts:
            continue
        if token is not None and sample.token == token:
            return sample.label
        if fallback is None:
            fallback = sample.label
    return fallback


# ----------------------------------------------------------------------------
# Words for what was found and what was expected
# ----------------------------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name", "CIDR": "a CIDR block", "IPV4": "an IPv4 address",
    "IPV6": "an IPv6 address", "INT": "a number", "SIGNED": "a number",
    "PORT_RANGE": "a port range", "DOMAIN": "a domain name", "STRING": "a string",
    "WORD": "a word", "PATH": "a URL path", "SIZE": "a bandwidth such as 10Gbps",
    "COMMUNITY": "a BGP community such as 7224:7100", "PREFIX_LEN": "a prefix length such as /24",
    "HOST_PATTERN": "a host name pattern", "QUERY": "KEY=VALUE",
    "_SEP": "a new line or `;`", "_COMMA": "`,`", "$END": "the end of the file",
}


@cache
def _literals(parser: Lark) -> dict[str, str]:
    """Terminal name -> its text, for the terminals that are fixed strings."""
    return {t.name: t.pattern.value for t in parser.terminals if t.pattern.type == "str"}


def _expected_words(expected, parser: Lark) -> str:
    literals = _literals(parser)
    words = sorted({f"`{literals[t]}`" if t in literals else _TERMINAL_WORDS.get(t, t)
                    for t in expected if t in literals or not t.startswith("__")})
    if not words:
        return "something else"
    if len(words) > 6:
        return ", ".join(words[:6]) + ", ..."
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


def _describe_token(tok) -> str:
    if tok.type == "$END":
        return "the end of the file"
    if tok.type == "_SEP":
        return "the end of the line" if "\n" in tok else "`;`"
    if tok.type == "_COMMA":
        return "`,`"
    return f"`{tok}`"


def _did_you_mean(word: str, accepts, parser: Lark) -> str | None:
    """The keyword the parser accepts here that ``word`` is a misspelling of."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", word) or len(word) < 3:
        return None
    literals = _literals(parser)
    keywords = sorted(literals[t] for t in accepts or () if t in literals and literals[t][:1].isalpha())
    word = word.lower()
    limit = 1 if len(word) < 7 else 2
    close = [(_edits(word, k), k) for k in keywords if k != word]
    best = min(close, default=None)
    return best[1] if best is not None and best[0] <= limit else None


def _edits(a: str, b: str) -> int:
    """Edit distance counting an adjacent transposition as one edit (`vcp` -> `vpc`)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, prev2[j - 2] + 1)
            row.append(cost)
        prev2, prev = prev, row
    return prev[-1]


# ----------------------------------------------------------------------------
# Mistakes recognised from the text
# ----------------------------------------------------------------------------

def _port_range_with_spaces(text: str, pos: int) -> bool:
    """A `-` at ``pos`` between two numbers with a space on one side: `1024 - 65535`."""
    before = text[_line_start(text, pos):pos]
    end = text.find("\n", pos)
    after = text[pos + 1:end if end >= 0 else len(text)]
    return bool(re.search(r"\d\s*$", before) and re.match(r"\s*\d", after)
                and (before.endswith((" ", "\t")) or after.startswith((" ", "\t"))))


def _bad_character(exc: UnexpectedCharacters, text: str, parser: Lark) -> tuple[str, str | None]:
    pos = exc.pos_in_stream
    char = text[pos] if pos < len(text) else ""
    if char == '"':
        return ("unterminated string: no closing `\"` on this line",
                "a string ends on the line where it starts; write an inner quote as `\\\"`")
    if char in "\u201c\u201d\u2018\u2019":
        return (f"unexpected character {char!r} (a typographic quote)",
                "strings use straight double quotes: \"text\"")
    if char == "-" and _port_range_with_spaces(text, pos):
        return ("a port range is written without spaces",
                "write the range as `1024-65535`")
    message = f"unexpected character {char!r}"
    label = match_label(exc, parser)
    if label is not None:
        label_message, hint, _ = CATALOGUE[label]
        return f"{message}: {label_message}", hint
    accepts = _accepts(exc)
    if accepts:
        message += f"; expected {_expected_words(accepts, parser)}"
    return message, "names use letters, digits, `_` and `-`; strings go in double quotes"


def _bad_token(exc: UnexpectedToken, text: str, parser: Lark) -> tuple[str, str] | None:
    tok = exc.token
    accepts = exc.accepts or exc.expected
    if tok.type == "IPV6" and "[" in {_literals(parser).get(t) for t in accepts}:
        addr, _, port = str(tok).rpartition(":")
        if not (port.isdigit() and _is_ipv6(addr)):
            addr, port = str(tok), "PORT"
        return ("an IPv6 address followed by a port must be written in brackets",
                f"write `[{addr}]:{port}`")
    if tok.type == "SIGNED" and str(tok).startswith("-") and tok.start_pos is not None:
        if re.search(r"\d\s+$", text[_line_start(text, tok.start_pos):tok.start_pos]):
            return ("a port range is written without spaces", "write the range as `1024-65535`")
    return None


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


_NUMBERED_RULE = re.compile(r"[ \t]*(?:in|out)[ \t]+((?:\d+[ \t]+)?(?:allow|deny)|\d+)\b")


def _numbered_sg_rule(exc: UnexpectedToken, text: str) -> tuple[int, int] | None:
    """Where a security group rule was written like a NACL rule (`in 100 allow ...`)."""
    pos = exc.token.start_pos
    if pos is None:
        return None
    start = _line_start(text, pos)
    m = _NUMBERED_RULE.match(text, start)
    if m is None or pos > m.end() + 1 or (m.group(1).isdigit() and pos < m.end()):
        return None
    blocks = open_blocks(text, start)
    if not blocks or text[_line_start(text, blocks[-1]):blocks[-1]].split()[:1] != ["sg"]:
        return None
    return m.start(1), m.end(1)


# ----------------------------------------------------------------------------
# The diagnostic
# ----------------------------------------------------------------------------

def classify(exc: UnexpectedInput, text: str, file: str, parser: Lark | None = None) -> Diagnostic:
    """One diagnostic for a Lark syntax error, in words a student understands.

    ``text`` is the text that was parsed and ``parser`` the parser that raised
    ``exc`` (the `parse_to_tree` parser by default).
    """
    if parser is None:
        from .grammar import tree_parser
        parser = tree_parser()

    if isinstance(exc, UnexpectedCharacters):
        line, col = exc.line, exc.column
        message, hint = _bad_character(exc, text, parser)
        return error("E002", message, Span(file, line, col, line, col + 1), hint)

    tok = exc.token if isinstance(exc, UnexpectedToken) else None
    if tok is None or tok.type == "$END" or exc.line in (None, -1):
        return _at_end(exc, text, file, parser)

    span = Span(file, tok.line, tok.column, tok.end_line or tok.line, tok.end_column or tok.column + 1)
    if tok.type == "_SEP":
        col = tok.column
        if tok.start_pos and text[tok.start_pos - 1] == "\r":
            col -= 1  # a CRLF line ends where its \r starts
        span = Span(file, tok.line, col, tok.line, col + 1)

    brace = unclosed_block(exc, text)
    if brace is not None:
        line, _ = _position(text, brace)
        row = text[_line_start(text, tok.start_pos):].split("\n", 1)[0]
        col = len(row) - len(row.lstrip(" \t")) + 1
        span = Span(file, tok.line, col, tok.line, col + len(row.split()[0]))
        return error("E001", f"expected `}}` to close the block of `{_block_head(text, brace)}` "
                             f"(line {line}) before this line", span,
                     "add the missing `}` where that block ends")

    numbered = _numbered_sg_rule(exc, text)
    if numbered is not None:
        (line, col), (end_line, end_col) = _position(text, numbered[0]), _position(text, numbered[1])
        message, hint, _ = CATALOGUE["sg-rule-number"]
        return error("E001", message, Span(file, line, col, end_line, end_col), hint)

    special = _bad_token(exc, text, parser)
    if special is not None:
        return error("E001", special[0], span, special[1])

    found = _describe_token(tok)
    accepts = exc.accepts or exc.expected
    label = match_label(exc, parser)
    if label is not None:
        message, hint, _ = CATALOGUE[label]
        message = f"{message}, found {found}"
    else:
        message, hint = f"unexpected {found.removeprefix('the ')}; expected {_expected_words(accepts, parser)}", None
    keyword = _did_you_mean(str(tok), accepts, parser) if tok.type not in ("_SEP", "_COMMA") else None
    if keyword is not None:
        hint = f"did you mean `{keyword}`?"
    return error("E001", message, span, hint)


def _at_end(exc: UnexpectedInput, text: str, file: str, parser: Lark) -> Diagnostic:
    """E003: the file ended too early, most often inside a block."""
    blocks = open_blocks(text, len(text))
    if blocks:
        brace = _suspect_block(text, blocks[0])
        line, col = _position(text, brace)
        return error("E003", f"unexpected end of file: the block of `{_block_head(text, brace)}` "
                             "is not closed", Span(file, line, col, line, col + 1),
                     "add its `}` where the block ends (each `}` closes the innermost open block)")
    line, col = _end_position(text)
    span = Span(file, line, col, line, col + 1)
    label = match_label(exc, parser)
    if label is not None:
        message, hint, _ = CATALOGUE[label]
        return error("E003", f"{message}, found the end of the file", span, hint)
    accepts = getattr(exc, "accepts", None) or getattr(exc, "expected", ())
    return error("E003", f"unexpected end of file; expected {_expected_words(accepts, parser)}", span,
                 "the file may have been cut short")


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        return len(lines) - 1, len(lines[-2]) + 1
    return len(lines), len(lines[-1]) + 1
