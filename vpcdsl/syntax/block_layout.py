"""Braces and statement separators as the grammar's _SEP sees them: the layout of a
source text, the blocks still open at a position, and which block lost its `}` (the
guess a syntax error names). Pure text analysis, no parser."""

from __future__ import annotations

import re
from typing import Iterator

from lark.exceptions import UnexpectedInput, UnexpectedToken

from .error_catalogue import TOP_LEVEL_KEYWORDS

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


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def indent_of(text: str, pos: int) -> int:
    """Width of the indentation of the line holding ``pos``."""
    start = line_start(text, pos)
    line = text[start:pos + 1]
    return len(line) - len(line.lstrip(" \t"))


def position(text: str, pos: int) -> tuple[int, int]:
    """1-based (line, col) of offset ``pos``."""
    return text.count("\n", 0, pos) + 1, pos - line_start(text, pos) + 1


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
    start = line_start(text, pos)
    first = start + len(text[start:pos]) - len(text[start:pos].lstrip(" \t"))
    if first >= len(text) or text[first] in "}\n":
        return None
    blocks = open_blocks(text, first)
    if not blocks:
        return None
    brace = blocks[-1]
    indent, opener = indent_of(text, first), indent_of(text, brace)
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


def block_head(text: str, brace: int) -> str:
    """The statement a `{` opens, in a few words: `route-table public`."""
    head = text[line_start(text, brace):brace].split()
    return " ".join(head[:2]) if head else "{"


def suspect_block(text: str, outermost: int) -> int:
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
            alone = not text[line_start(text, pos):pos].strip()
            if alone and indent_of(text, pos) != indent_of(text, opener):
                return opener
    return stack[-1] if stack else outermost
