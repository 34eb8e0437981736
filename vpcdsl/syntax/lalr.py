"""A tight LALR driver over Lark's own tables, for the parse fast path.

Lark's generic loop costs about 13 µs per token, most of it bookkeeping
(lexer threads, line counters, token history) that a well-formed file never
needs. This driver uses exactly Lark's analysis — its parse table, its
per-state contextual lexers, its keyword ("unless") resolution and its tree
callbacks — in one loop. It only handles success: on the first unexpected
token or character it raises `FastPathFailed`, and the caller re-parses
with Lark itself to get Lark's exception and error recovery.
"""

from __future__ import annotations

import re

from lark import Lark, Token
from lark.lexer import UnlessCallback
from lark.parsers.lalr_analysis import Shift

# What Lark's `%ignore WS` and `%ignore COMMENT` skip before every token.
_SKIP = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")


class FastPathFailed(Exception):
    """The input is not well-formed; let Lark parse it and report."""


class FastLalr:
    def __init__(self, lark: Lark):
        frontend = lark.parser
        table = frontend.parser.parser.parse_table
        callbacks = frontend.parser.parser.callbacks
        contextual = frontend.lexer
        postlex = getattr(contextual, "postlexer", None)
        if postlex is not None:
            # A postlexer that only widens what every state lexes (always_accept)
            # and passes the stream through unchanged is already in the tables.
            if not getattr(postlex, "passes_tokens_through", False):
                raise ValueError("the fast path cannot run a postlexer that rewrites tokens")
            contextual = contextual.lexer
        if set(frontend.lexer_conf.ignore) != {"WS", "COMMENT"}:
            raise ValueError("grammar ignores other terminals than WS and COMMENT")
        start = lark.options.start[0]
        self.start_state = table.start_states[start]
        self.end_state = table.end_states[start]

        # Terminals that every rule filters out need no Token object.
        kept, dropped = set(), set()
        for rule in lark.rules:
            for sym in rule.expansion:
                if sym.is_term:
                    (dropped if sym.filter_out else kept).add(sym.name)
        self._placeholder_types = frozenset(dropped - kept)

        # Per state: (action table, scanner regexes, keyword map, newline types),
        # built on first visit: a small file touches few of the states.
        self.states = _States(table.states, contextual.lexers)

        self.rules = {}
        reductions = {arg for acts in table.states.values() for act, arg in acts.values()
                      if act is not Shift}
        for rule in reductions:
            self.rules[rule] = (len(rule.expansion), callbacks[rule], rule.origin.name)

    def parse(self, text: str):
        states = self.states
        rules = self.rules
        placeholder = self._placeholder_types
        skip = _SKIP.match
        state_stack = [self.start_state]
        value_stack: list = []
        end_state = self.end_state
        pos, n = 0, len(text)
        line, line_start = 1, 0
        token_type = None
        token = None
        while True:
            pos = skip(text, pos).end()
            state = state_stack[-1]
            actions, matchers, keywords, newline_types = states[state]
            if pos >= n:
                token_type = "$END"
                token = Token("$END", "", pos, line, pos - line_start + 1)
            else:
                for match in matchers:
                    m = match(text, pos)
                    if m:
                        break
                else:
                    raise FastPathFailed(pos)
                value = m.group(0)
                token_type = m.lastgroup
                kw = keywords.get(token_type)
                if kw is not None:
                    token_type = kw.get(value, token_type)
                end = m.end()
                col = pos - line_start + 1
                if token_type in newline_types and "\n" in value:
                    end_line = line + value.count("\n")
                    end_line_start = pos + value.rindex("\n") + 1
                else:
                    end_line, end_line_start = line, line_start
                if token_type in placeholder:
                    token = token_type
                else:
                    token = Token(token_type, value, pos, line, col, end_line, end - end_line_start + 1, end)
                pos = end
                line, line_start = end_line, end_line_start

            while True:
                try:
                    action, arg = actions[token_type]
                except KeyError:
                    raise FastPathFailed(pos) from None
                if action is Shift:
                    if token_type == "$END":
                        raise FastPathFailed(pos)
                    state_stack.append(arg)
                    value_stack.append(token)
                    break
                size, callback, origin = rules[arg]
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value_stack.append(callback(children))
                state_stack.append(states[state_stack[-1]][0][origin][1])
                if token_type == "$END" and state_stack[-1] == end_state:
                    return value_stack[-1]
                actions = states[state_stack[-1]][0]


class _States(dict):
    def __init__(self, actions, lexers):
        super().__init__()
        self._actions = actions
        self._lexers = lexers
        self._scanners: dict[int, tuple] = {}

    def __missing__(self, state):
        lexer = self._lexers[state]
        scanner = self._scanners.get(id(lexer))
        if scanner is None:
            scanner = self._scanners[id(lexer)] = _scanner(lexer)
        entry = self[state] = (self._actions[state],) + scanner
        return entry


def _scanner(lexer) -> tuple:
    lexer.scanner  # noqa: B018  (building the scanner fills lexer.callback)
    keywords: dict[str, dict[str, str]] = {}
    for type_, cb in lexer.callback.items():
        if not isinstance(cb, UnlessCallback):
            raise ValueError(f"unsupported lexer callback on {type_}")
        keywords[type_] = {t.pattern.value: t.name for t in cb.scanner.terminals
                           if t.pattern.type == "str" and not t.pattern.flags}
    return tuple(m.match for m in lexer.scanner._mres), keywords, lexer.newline_types
