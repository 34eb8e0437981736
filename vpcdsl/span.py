"""Source positions: where in which file a construct was written.

Lines and columns are 1-based; ``end_col`` is the column just past the last
character, as in Lark's tokens, so a one-character token at column 5 spans
``col=5, end_col=6``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Span:
    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"

    def to(self, other: "Span") -> "Span":
        """The span from the start of ``self`` to the end of ``other``."""
        return Span(self.file, self.line, self.col, other.end_line, other.end_col)


NOWHERE = Span("<builtin>", 0, 0, 0, 0)
"""The span of objects AWS creates implicitly (main route table, default SG)."""
