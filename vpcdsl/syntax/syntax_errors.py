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

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic, error
from ..span import Span
from .block_layout import block_head, line_start, open_blocks, position, suspect_block, unclosed_block
from .error_catalogue import CATALOGUE

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
    if snippet[line_start(snippet, pos):pos].strip():
        return []  # the error is inside a statement: its states do not depend on the siblings
    blocks = open_blocks(snippet, pos)
    words = snippet[line_start(snippet, blocks[-1]):blocks[-1]].split() if blocks else [""]
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
    before = text[line_start(text, pos):pos]
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
        if re.search(r"\d\s+$", text[line_start(text, tok.start_pos):tok.start_pos]):
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
    start = line_start(text, pos)
    m = _NUMBERED_RULE.match(text, start)
    if m is None or pos > m.end() + 1 or (m.group(1).isdigit() and pos < m.end()):
        return None
    blocks = open_blocks(text, start)
    if not blocks or text[line_start(text, blocks[-1]):blocks[-1]].split()[:1] != ["sg"]:
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
        line, _ = position(text, brace)
        row = text[line_start(text, tok.start_pos):].split("\n", 1)[0]
        col = len(row) - len(row.lstrip(" \t")) + 1
        span = Span(file, tok.line, col, tok.line, col + len(row.split()[0]))
        return error("E001", f"expected `}}` to close the block of `{block_head(text, brace)}` "
                             f"(line {line}) before this line", span,
                     "add the missing `}` where that block ends")

    numbered = _numbered_sg_rule(exc, text)
    if numbered is not None:
        (line, col), (end_line, end_col) = position(text, numbered[0]), position(text, numbered[1])
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
        brace = suspect_block(text, blocks[0])
        line, col = position(text, brace)
        return error("E003", f"unexpected end of file: the block of `{block_head(text, brace)}` "
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
