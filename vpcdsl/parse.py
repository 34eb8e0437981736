"""Text to AST: the parse stage, with error recovery.

The fast path is one LALR pass with the transformer inside the parser. When
it fails, we report the error, blank out the statement that holds it (spaces,
keeping line breaks so positions stay true) and parse again, so one run
reports every syntax error of a file, each at its own statement.
"""

from __future__ import annotations

import gc
import threading
from functools import cache

from lark import Lark, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from . import ast
from .diagnostics import Diagnostic
from .grammar import build_parser, tree_parser
from .lalr import FastLalr, FastPathFailed
from .syntax_errors import classify
from .transform import AstBuilder

MAX_SYNTAX_ERRORS = 20

_lock = threading.Lock()


@cache
def _ast_parser() -> tuple[Lark, AstBuilder, FastLalr]:
    builder = AstBuilder()
    parser = build_parser(transformer=builder)
    return parser, builder, FastLalr(parser)


def parse_to_tree(text: str) -> Tree:
    """The Lark parse tree, with positions (raises Lark's UnexpectedInput)."""
    return tree_parser().parse(text)


def parse(text: str, filename: str = "<string>") -> tuple[ast.File | None, list[Diagnostic]]:
    """Parse one file. Returns the AST (None when the syntax is wrong) and diagnostics."""
    parser, builder, fast = _ast_parser()
    with _lock:
        gc_was_enabled = gc.isenabled()
        gc.disable()  # the parse allocates many small objects and frees none: GC only costs here
        try:
            builder.file = filename
            builder.diagnostics = []
            try:
                statements = fast.parse(text)
                return ast.File(filename, tuple(statements), text), builder.diagnostics
            except FastPathFailed:
                builder.diagnostics = []
            try:  # Lark itself, for its exception (the fast path only handles success)
                statements = parser.parse(text)
                return ast.File(filename, tuple(statements), text), builder.diagnostics
            except UnexpectedInput as exc:
                first_error = exc
            return None, _recover(parser, builder, text, filename, first_error)
        finally:
            if gc_was_enabled:
                gc.enable()


def _recover(parser: Lark, builder: AstBuilder, text: str, filename: str,
             exc: UnexpectedInput) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    work = text
    seen: set[tuple[int, int]] = set()
    for _ in range(MAX_SYNTAX_ERRORS):
        diag = classify(exc, work, filename)
        key = (diag.span.line, diag.span.col)
        if key not in seen:
            diagnostics.append(diag)
            seen.add(key)
        if diag.code == "E003":
            break
        start, end = _statement_extent(work, _error_offset(exc, work))
        if start >= end:
            break
        work = _blank(work, start, end)
        builder.diagnostics = []
        try:
            parser.parse(work)
        except UnexpectedInput as again:
            exc = again
            continue
        diagnostics.extend(builder.diagnostics)  # bad literals in the statements that remain
        break
    return diagnostics


def _error_offset(exc: UnexpectedInput, text: str) -> int:
    if isinstance(exc, UnexpectedToken) and exc.token.start_pos is not None:
        return exc.token.start_pos
    pos = getattr(exc, "pos_in_stream", None)
    return len(text) if pos is None else pos


def _blank(text: str, start: int, end: int) -> str:
    middle = "".join(c if c == "\n" else " " for c in text[start:end])
    return text[:start] + middle + text[end:]


def _structure(text: str):
    """Per offset: brace depth, and whether the char is a statement separator.

    Comments and strings are skipped; a line break after a trailing comma
    continues the statement and is no separator.
    """
    depth = [0] * (len(text) + 1)
    sep = [False] * (len(text) + 1)
    d = 0
    last = ""
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        depth[i] = d
        if c == "#":
            while i < n and text[i] != "\n":
                depth[i] = d
                i += 1
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            for k in range(i, min(j + 1, n)):
                depth[k] = d
            i = j + 1
            last = '"'
            continue
        if c == "{":
            sep[i] = True
            d += 1
        elif c == "}":
            sep[i] = True
            depth[i] = d
            d = max(d - 1, 0)
        elif c == ";" or (c == "\n" and last != ","):
            sep[i] = True
        if not c.isspace():
            last = c
        i += 1
    depth[n] = d
    return depth, sep


def _statement_extent(text: str, pos: int) -> tuple[int, int]:
    """[start, end) of the innermost statement containing offset ``pos``."""
    depth, sep = _structure(text)
    pos = min(pos, len(text))
    d = depth[pos]
    start = pos
    while start > 0:
        p = start - 1
        if sep[p] and (depth[p] == d or (text[p] == "{" and depth[p] == d - 1)):
            break
        if depth[p] < d:
            break
        start = p
    end = pos
    if end < len(text) and text[end] == "}" and sep[end]:
        # the error is the closing brace itself: blank what precedes it, or the brace if nothing does
        if text[start:end].strip():
            return start, end
        return end, end + 1
    while end < len(text):
        if sep[end] and depth[end] == d and text[end] != "{":
            break
        end += 1
    if not text[start:end].strip() and end < len(text):
        end += 1
    return start, end
