"""Named models built over several notebook cells.

``%%vpc prod`` in three cells makes one model, `prod`, of three parts. Running a
cell again replaces its own part, never appends a second copy. A part is known
by, in this order: the ``--part`` the cell names; the cell's id, which JupyterLab
sends with each execution; else the names the cell declares at its top level
(``vpc prod``, ``site office``...), so that an edited cell that keeps its names
still replaces itself where no cell id is sent (nbconvert, a console).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["ModelParts", "part_key", "part_file"]

# A top-level declaration: a keyword at the start of a line (no indentation)
# and the name after it; enough to tell one cell's declarations from another's.
_DECLARATION = re.compile(r"^([a-z][a-z0-9-]*)[ \t]+([A-Za-z0-9_.:*-]+)", re.M)


def part_key(source: str, *, part: str | None, cell_id: str | None) -> str:
    if part:
        return f"part:{part}"
    if cell_id:
        return f"cell:{cell_id}"
    names = sorted({f"{kw} {name}" for kw, name in _DECLARATION.findall(source)})
    return "names:" + ";".join(names) if names else "text:" + source


def part_file(model: str, index: int) -> str:
    """The file name a part's diagnostics point into: ``prod[2]`` (its order of arrival)."""
    return f"{model}[{index}]"


@dataclass
class _Model:
    parts: dict[str, tuple[int, str]] = field(default_factory=dict)   # key -> (index, source)
    next_index: int = 1


class ModelParts:
    """Every named model's parts, in the order they first arrived."""

    def __init__(self):
        self._models: dict[str, _Model] = {}

    def put(self, model: str, key: str, source: str) -> dict[str, str]:
        """Add or replace one part; the model's sources, by file name."""
        entry = self._models.setdefault(model, _Model())
        if key in entry.parts:
            index = entry.parts[key][0]
        else:
            index, entry.next_index = entry.next_index, entry.next_index + 1
        entry.parts[key] = (index, source)
        return self.sources(model)

    def sources(self, model: str) -> dict[str, str]:
        entry = self._models.get(model)
        if entry is None:
            return {}
        return {part_file(model, i): src for i, src in sorted(entry.parts.values())}

    def count(self, model: str) -> int:
        entry = self._models.get(model)
        return 0 if entry is None else len(entry.parts)

    def reset(self, model: str) -> bool:
        return self._models.pop(model, None) is not None

    def __contains__(self, model: str) -> bool:
        return model in self._models
