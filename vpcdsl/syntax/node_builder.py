"""The base of the AST builder: statement options, spans from tokens, and the literals
(CIDRs, addresses, ports, numbers, strings) every rule reads, with the diagnostics for
those that lex but are not valid. `vpcdsl.syntax.transform` builds on it."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from lark import Token, Transformer

from ..diagnostics import Diagnostic, error
from ..span import Span
from . import ast

class Option(tuple):
    """A statement option as (key, value, span); options may come in any order."""

    __slots__ = ()

    def __new__(cls, key: str, value: Any, span: Span):
        return tuple.__new__(cls, (key, value, span))


def _span_of(item) -> Span:
    if isinstance(item, Option):
        return item[2]
    return item.span


class NodeBuilder(Transformer):
    """Spans, references and literals for the rules of `AstBuilder`; holds the diagnostics."""

    def __init__(self, file: str = "<string>"):
        super().__init__(visit_tokens=False)
        self.file = file
        self.diagnostics: list[Diagnostic] = []

    # ------------------------------------------------------------------ helpers

    def _tspan(self, tok: Token) -> Span:
        return Span(self.file, tok.line, tok.column, tok.end_line, tok.end_column)

    def _span(self, items) -> Span:
        first, last = items[0], items[-1]
        a = self._tspan(first) if isinstance(first, Token) else _span_of(first)
        b = self._tspan(last) if isinstance(last, Token) else _span_of(last)
        return Span(self.file, a.line, a.col, b.end_line, b.end_col)

    def _ref(self, tok: Token) -> ast.Ref:
        return ast.Ref(str(tok), self._tspan(tok))

    def _int(self, tok: Token) -> int:
        return whole_number(str(tok))

    def _cidr(self, tok: Token) -> ast.Cidr:
        text = str(tok)
        span = self._tspan(tok)
        net, problem = parse_network(text)
        if problem is None:
            return ast.Cidr(text, net, span)
        kind, detail = problem
        if kind == "host-bits":
            self.diagnostics.append(error(
                "E102", f"CIDR '{text}' has host bits set", span,
                f"the block that contains it is {detail}; write that, or a longer prefix"))
        else:
            self.diagnostics.append(error(
                "E101", f"'{text}' is not a valid CIDR block", span, literal_hint(text, detail)))
        return ast.Cidr(text, None, span)

    def _addr(self, tok: Token) -> ast.Addr:
        text = str(tok)
        span = self._tspan(tok)
        try:
            ip = ipaddress.ip_address(text)
        except ValueError as exc:
            self.diagnostics.append(error("E101", f"'{text}' is not a valid IP address", span,
                                          literal_hint(text, exc)))
            return ast.Addr(text, None, span)
        return ast.Addr(text, ip, span)

    def _ports(self, tok: Token) -> ast.PortRange:
        span = self._tspan(tok)
        text = str(tok)
        low, _, high = text.partition("-")
        lo, hi = whole_number(low), whole_number(high or low)
        if not (0 <= lo <= 65535 and 0 <= hi <= 65535) or lo > hi:
            self.diagnostics.append(error(
                "E118", f"'{text}' is not a valid port or port range", span,
                "ports are 0..65535 and a range is written low-high"))
        return ast.PortRange(lo, hi, span)

    def _port_number(self, tok: Token) -> int:
        value = whole_number(str(tok))
        if not 0 <= value <= 65535:
            self.diagnostics.append(error("E118", f"port {value} is outside 0..65535",
                                          self._tspan(tok)))
        return value

    @staticmethod
    def _options(items) -> dict[str, Option]:
        return {o[0]: o for o in items if isinstance(o, Option)}

    @staticmethod
    def _opt(opts: dict[str, Option], key: str, default=None):
        o = opts.get(key)
        return default if o is None else o[1]


@lru_cache(maxsize=1 << 16)
def parse_network(text: str):
    """(network, None), or (None, (problem, detail)); cached: models repeat their CIDRs."""
    try:
        return ipaddress.ip_network(text, strict=True), None
    except ValueError:
        pass
    try:
        return None, ("host-bits", ipaddress.ip_network(text, strict=False))
    except ValueError as exc:
        return None, ("invalid", exc)


# A number literal longer than this is outside every range the language has;
# it is not converted (Python refuses int() of more than 4300 digits, and
# int(float()) of an infinite one).
_MAX_DIGITS = 20


def whole_number(text: str) -> int:
    """int(text) for a digit string; an absurdly long one stands for a number out of every range."""
    return int(text) if len(text) <= _MAX_DIGITS else 10 ** _MAX_DIGITS


def signed_number(text: str) -> int:
    """The whole part of a SIGNED literal (`70`, `-10`, `+5`, `48.86`)."""
    value = whole_number(text.lstrip("+-").partition(".")[0])
    return -value if text.startswith("-") else value


def unquote(text: str) -> str:
    body = text[1:-1]
    return body.replace('\\"', '"').replace("\\\\", "\\")


def literal_hint(text: str, exc: Exception) -> str:
    reason = str(exc)
    if "/" in text:
        prefix = text.rsplit("/", 1)[1]
        limit = 128 if ":" in text else 32
        if prefix.isdigit() and whole_number(prefix) > limit:
            return f"a prefix length is at most /{limit}"
    if ":" not in text and any(whole_number(p) > 255 for p in text.split("/")[0].split(".") if p.isdigit()):
        return "each part of an IPv4 address is 0..255"
    return reason[0].lower() + reason[1:] if reason else "check the address"
