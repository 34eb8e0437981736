"""The Lark grammar of the .vpc language and the parsers built from it.

The grammar ships inside the wheel as ``vpcdsl/syntax/vpc.lark``; in a source
checkout (editable install) it is read from the repository's ``grammar/``.
Parsers are built once per process and cached (``cache=True`` also caches the
LALR tables on disk, which cuts start-up from ~30 ms to ~1 ms).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lark import Lark

START = "start"

_HERE = Path(__file__).resolve().parent
_CANDIDATES = (_HERE / "vpc.lark", _HERE.parents[1] / "grammar" / "vpc.lark")


def grammar_path() -> Path:
    for path in _CANDIDATES:
        if path.is_file():
            return path
    raise FileNotFoundError("vpc.lark not found (looked in %s)" % ", ".join(map(str, _CANDIDATES)))


@cache
def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


class _WholeWords:
    """Lets the contextual lexer see a name in every parser state.

    Where only keywords are expected, the lexer would otherwise match a
    keyword at the start of a longer word and read `igwfoo` as `igw foo` and
    `aza` as `az a`. With NAME always lexed, a keyword is a keyword only as a
    whole word (Lark matches NAME, then checks the word against the keywords)
    and a misspelt one is a syntax error.
    """

    always_accept = ("NAME",)
    passes_tokens_through = True  # vpcdsl.syntax.lalr's fast path relies on it

    def process(self, stream):
        return stream


def build_parser(*, transformer=None, propagate_positions: bool = False, strict: bool = False) -> Lark:
    """A fresh LALR parser over the grammar (``strict=True`` fails on any conflict)."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        postlex=_WholeWords(),
        start=START,
        propagate_positions=propagate_positions,
        maybe_placeholders=False,
        transformer=transformer,
        cache=not strict,
        strict=strict,
    )


@cache
def tree_parser() -> Lark:
    """Parser producing a Lark tree with positions (the `parse_to_tree` stage)."""
    return build_parser(propagate_positions=True)
