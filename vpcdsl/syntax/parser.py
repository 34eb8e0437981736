"""Text to AST: the parse stage, with error recovery.

The fast path is one LALR pass with the transformer inside the parser
(`vpcdsl.syntax.lalr`, over Lark's own tables); Lark parses again only to explain a
failure. When
it fails, we report the error, blank out the statement that holds it (spaces,
keeping line breaks so positions stay true) and parse that top-level
statement again on its own, then the rest of the file: one run reports every
syntax error of a file, each at its own statement, and reads each part of the
file about once however many errors it holds.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from lark import Lark, Tree
from lark.exceptions import UnexpectedInput, UnexpectedToken

from ..diagnostics import Diagnostic
from ..gcpause import paused_gc
from . import ast
from .grammar import build_parser, tree_parser
from .lalr import FastLalr, FastPathFailed
from .block_layout import layout, unclosed_block
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
    with _lock, paused_gc():  # many small objects, no cycles: see vpcdsl.gcpause
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


@dataclass
class _Attempt:
    """One parse of part of the text, padded so that lines and columns stay true."""

    text: str                        # what was parsed: padding, then work[begin:end]
    begin: int                       # where that part starts in the text being repaired
    pad: int                         # length of the padding
    error: UnexpectedInput | None
    diagnostics: list[Diagnostic]    # bad literals the transformer met

    @classmethod
    def run(cls, parser: Lark, builder: AstBuilder, work: str, begin: int, end: int | None) -> "_Attempt":
        line = work.count("\n", 0, begin)
        padding = "\n" * line + " " * (begin - (work.rfind("\n", 0, begin) + 1))
        text = padding + work[begin:end]
        builder.diagnostics = []
        error = None
        try:
            parser.parse(text)
        except UnexpectedInput as exc:
            error = exc
        diagnostics, builder.diagnostics = builder.diagnostics, []
        return cls(text, begin, len(padding), error, diagnostics)

    def offset(self) -> int:
        """Where the error is, as an offset in the text being repaired."""
        exc = self.error
        if isinstance(exc, UnexpectedToken) and exc.token.start_pos is not None:
            pos = exc.token.start_pos
        else:
            pos = getattr(exc, "pos_in_stream", None)
            pos = len(self.text) if pos is None else pos
        return self.begin + max(pos - self.pad, 0)


def _recover(parser: Lark, builder: AstBuilder, text: str, filename: str,
             exc: UnexpectedInput) -> list[Diagnostic]:
    errors: list[Diagnostic] = []
    literals: list[Diagnostic] = []  # bad literals in the statements that parse
    seen: set[tuple[int, int]] = set()
    work = text
    attempt = _Attempt(text, 0, 0, exc, builder.diagnostics)
    builder.diagnostics = []
    for _ in range(MAX_SYNTAX_ERRORS):
        diag = classify(attempt.error, attempt.text, filename, parser)
        key = (diag.span.line, diag.span.col)
        if key not in seen:
            errors.append(diag)
            seen.add(key)
        if diag.code == "E003":
            break
        pos = attempt.offset()
        wants_block = isinstance(attempt.error, UnexpectedToken) and "LBRACE" in (attempt.error.accepts or ())
        top, a, b = _extents(work, attempt.begin, pos, wants_block)
        top_at = _position(work, top)
        literals.extend(d for d in attempt.diagnostics if (d.span.line, d.span.col) < top_at)
        if unclosed_block(attempt.error, attempt.text) is not None:
            fixed = _close_block_before(work, pos)
        else:
            fixed = _blank(work, a, b)
        if fixed == work:
            break
        work = fixed
        # the failing top-level statement on its own, then the rest of the file
        stop = _top_end(work, top)
        attempt = _Attempt.run(parser, builder, work, top, stop + 1)
        if attempt.error is not None:
            continue
        literals.extend(attempt.diagnostics)
        if stop >= len(work):
            break
        attempt = _Attempt.run(parser, builder, work, stop, None)
        if attempt.error is None:
            literals.extend(attempt.diagnostics)
            break
    return errors + literals


def _position(text: str, pos: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, pos) + 1
    return text.count("\n", 0, pos) + 1, pos - start + 1


def _blank(text: str, start: int, end: int) -> str:
    middle = re.sub(r"[^\n]", " ", text[start:end])
    return text[:start] + middle + text[end:]


def _top_end(text: str, top: int) -> int:
    """Offset of the separator that ends the top-level statement starting at ``top``."""
    for pos, c, depth in layout(text, top):
        if depth == 0 and c in "\n;":
            return pos
    return len(text)


_GAP = re.compile(r"(?:\s|#[^\n]*)*")


def _extents(text: str, origin: int, pos: int, wants_block: bool) -> tuple[int, int, int]:
    """``(top, a, b)``: the top-level statement holding offset ``pos`` starts at
    ``top``; ``text[a:b]`` is the innermost statement holding it, to blank out.

    ``origin`` is a top-level statement boundary at or before ``pos``. When
    the statement lacks the `{` of its block (``wants_block``) at the end of
    its line, the block written below it belongs to it: the `{` on the next
    line, or the indented lines up to a `}` at the statement's indentation.
    """
    resume = pos
    lacks_brace = wants_block and pos < len(text) and text[pos] == "\n"
    if lacks_brace:
        brace = _GAP.match(text, pos).end()
        if brace < len(text) and text[brace] == "{":
            resume, lacks_brace = brace, False
    top = origin
    before: list[tuple[int, str, int]] = []
    after: list[tuple[int, str, int]] = []
    for event in layout(text, origin):
        off, c, depth = event
        if off < pos:
            if depth == 0 and c in "\n;":
                top = off + 1
                before.clear()
            else:
                before.append(event)
            continue
        if off < resume:
            continue
        after.append(event)
        if depth == 0 and c in "\n;":
            break
    if before:
        off, c, depth = before[-1]
        need = depth + 1 if c == "{" else max(depth, 0)
    else:
        need = 0

    a = top
    for off, c, depth in reversed(before):
        if (c == "{" and depth == need - 1) or (c in "\n;" and depth == need):
            a = off + 1
            break
    b = next((off for off, c, depth in after
              if (c in "\n;" and depth == need) or (c == "}" and depth == need - 1)), len(text))
    if lacks_brace:
        head = a + len(text[a:pos]) - len(text[a:pos].lstrip())
        close = _dedented_brace(text, pos, head - _line_begin(text, head))
        if close is not None:
            b = close + 1
    if not text[a:b].strip():
        # nothing but the token itself (a stray `}`): blank that
        a, b = pos, min(pos + 1, len(text))
    return top, a, b


def _line_begin(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _dedented_brace(text: str, pos: int, indent: int) -> int | None:
    """The `}` closing the indented lines below the line that ends at ``pos``.

    Lines indented deeper than the statement (at column ``indent + 1``; blank
    and comment lines too) form its block when a `}` at the statement's own
    indentation follows.
    """
    at = pos + 1
    while at < len(text):
        end = text.find("\n", at)
        end = len(text) if end < 0 else end
        row = text[at:end]
        code = row.lstrip(" \t")
        depth = len(row) - len(code)
        if code.startswith("}") and depth == indent:
            return at + depth
        if code and not code.startswith("#") and depth <= indent:
            return None
        at = end + 1
    return None


def _close_block_before(text: str, pos: int) -> str:
    """Insert the `}` a block lacks at the end of the line before offset ``pos``."""
    start = text.rfind("\n", 0, pos)
    if start <= 0:
        return text
    prev = text.rfind("\n", 0, start) + 1
    at = start
    for m in re.finditer(r'#[^\n]*|"(?:[^"\\\n]|\\.)*"?', text[prev:start]):
        if m.group().startswith("#"):
            at = prev + m.start()
            break
    if at > prev and text[at - 1] == "\r":
        at -= 1
    return text[:at] + " }" + text[at:]
