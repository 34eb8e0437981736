"""A reachability matrix (`vpcdsl.analysis.matrix.Matrix`) as a person reads it: how broad each
cell is, a cell's service in a few characters, ends with equal rows and columns gathered into
one group, and the text `vpcdsl matrix` prints (a grid, then the reaching pairs).

The diagram (`matrix_dot`) and the notebook display (`notebook.matrix_display`) draw from
the same groups and breadths, so the three agree cell for cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import escape_controls

__all__ = ["GROUP_OVER", "BREADTHS", "SYMBOLS", "WORDS", "Group", "Masks", "groups", "breadth",
           "short_service", "matrix_text"]

# Above this many ends, ends with exactly equal rows and columns are drawn as one group.
GROUP_OVER = 40
# Above this many groups the text leaves the grid out (too wide for a terminal).
GRID_LIMIT = 60
# Lines of the pair list past which the rest are counted (--json has every pair).
LIST_LIMIT = 200

BREADTHS = ("every", "some", "mixed", "intermittent", "nothing")
SYMBOLS = {"every": "■", "some": "▣", "mixed": "◧", "intermittent": "◌", "nothing": "·", "self": "—"}
WORDS = {"every": "every request allowed", "some": "some requests allowed",
         "mixed": "some allowed, others intermittent", "intermittent": "intermittent only",
         "nothing": "nothing reaches", "self": "an end to itself"}
_UNIT = {"subnet": ("subnet", "subnets"), "instance": ("instance", "instances"), "vpc": ("VPC", "VPCs")}


@dataclass(frozen=True)
class Group:
    """Ends of a matrix whose rows and columns are equal: one row and column of the grid."""

    members: tuple[int, ...]          # indexes into `Matrix.ends`, in source order
    label: str                        # ``payments-app-a +2``

    @property
    def first(self) -> int:
        return self.members[0]


class Masks(tuple):
    """A cell's ``(allowed, intermittent)`` masks, and ``asked``: the bits of every request
    its pair can make (`Matrix.asked`: IPv4's, and IPv6's where both ends have IPv6), which
    "every request allowed" is measured against."""

    asked: int

    def __new__(cls, allowed: int, intermittent: int, asked: int):
        got = super().__new__(cls, (allowed, intermittent))
        got.asked = asked
        return got


def _masks(m, i: int, j: int):
    c = m.cells.get((i, j))
    return None if c is None else Masks(c.allowed, c.intermittent, m.asked(i, j))


def _value(m, i: int, j: int):
    c = m.cells.get((i, j))
    if c is None:
        return None
    value = (c.allowed, c.intermittent, c.pairs) if m.level == "vpc" else (c.allowed, c.intermittent)
    # Two pairs alike in what reaches differ if only one of them is asked about IPv6.
    return value if m.ipv6_from is None else (*value, m.asked(i, j))


def groups(m, *, over: int = GROUP_OVER) -> list[Group]:
    """The grid's rows: one per end, or (more than ``over`` ends) ends gathered where every
    cell to and from each other end is exactly equal, and equal among themselves.

    Greedy in source order against each group's first member, which is enough: two ends
    that match the first member match each other. Candidates are found by a positional hash
    of rows and columns (O(1) per end and group) and then compared exactly.
    """
    n = len(m.ends)
    if n <= over:
        return [Group((i,), m.ends[i]) for i in range(n)]
    rows = [[_value(m, i, j) for j in range(n)] for i in range(n)]
    cols = [[rows[j][i] for j in range(n)] for i in range(n)]
    mod = 1 << 64

    def h(x, v):
        return hash((x, v)) % mod

    hr = [sum(h(x, v) for x, v in enumerate(r)) % mod for r in rows]
    hc = [sum(h(x, v) for x, v in enumerate(c)) % mod for c in cols]

    def without(hs, vec, a, b):
        return (hs - h(a, vec[a]) - h(b, vec[b])) % mod

    found: list[list[int]] = []
    inner: list[object] = []          # the value between two members of a group (None: one member)
    for i in range(n):
        for g, members in enumerate(found):
            r = members[0]
            if rows[i][r] != rows[r][i] or (len(members) > 1 and rows[i][r] != inner[g]):
                continue
            if rows[i][i] != rows[r][r]:
                continue
            if (without(hr[i], rows[i], i, r) != without(hr[r], rows[r], i, r)
                    or without(hc[i], cols[i], i, r) != without(hc[r], cols[r], i, r)):
                continue
            if all(rows[i][x] == rows[r][x] and cols[i][x] == cols[r][x] for x in range(n) if x != i and x != r):
                members.append(i)
                inner[g] = rows[i][r]
                break
        else:
            found.append([i])
            inner.append(None)
    return [Group(tuple(ms), m.ends[ms[0]] + (f" +{len(ms) - 1}" if len(ms) > 1 else "")) for ms in found]


def group_cell(m, a: Group, b: Group):
    """The masks of the grid cell between two groups: `Masks` ``(allowed, intermittent)``, None for
    nothing, ``"self"`` for a one-end group's own cell (never asked). On the diagonal: the
    cell between two members of the group, or at VPC level each VPC's subnets to each other
    ("self" for a VPC of one subnet; `between_members` has the cell between two VPCs of a
    group)."""
    if a is b:
        if m.level == "vpc":
            if len(m.model.dataplane.vpc_subnets.get(m.ends[a.first], ())) < 2:
                return "self"                 # one subnet: no pair of its own to ask about
            return _masks(m, a.first, a.first)
        if len(a.members) == 1:
            return "self"
        return _masks(m, a.first, a.members[1])
    return _masks(m, a.first, b.first)


def between_members(m, a: Group):
    """At VPC level, the masks between two VPCs of group ``a`` (None: nothing, or one VPC)."""
    if m.level != "vpc" or len(a.members) == 1:
        return None
    return _masks(m, a.first, a.members[1])


def breadth(m, masks) -> str:
    """How much of a cell gets through: one of `BREADTHS` (or ``"self"``)."""
    if masks == "self":
        return "self"
    if masks is None or not (masks[0] or masks[1]):
        return "nothing"
    allowed, intermittent = masks
    if allowed == getattr(masks, "asked", (1 << len(m.every_class)) - 1):
        return "every"
    if allowed and intermittent:
        return "mixed"
    return "some" if allowed else "intermittent"


def short_service(m, mask: int, width: int = 14) -> str:
    """A mask in a few characters for a grid cell: ``all``, ``443``, ``22,443``, ``u53``,
    ``icmp``; bare numbers are TCP ports, ``u`` marks UDP ones. In a dual-stack matrix
    each IPv6 part carries ``v6:`` (``22 v6:22``, ``v6:all``; a cell split over two lines
    keeps each part whole), and a whole IPv4 part short of IPv6 reads ``v4:all``."""
    if not mask:
        return ""
    if mask == (1 << len(m.every_class)) - 1:
        return "all"
    if m.ipv6_from is None:
        out = " ".join(_short_parts(m, mask))
    else:
        out = []
        for family in (4, 6):
            part = mask & m.family_mask(family)
            if part:
                tokens = ["all"] if part == m.family_mask(family) else _short_parts(m, part)
                out += [f"v{family}:{x}" if family == 6 or x == "all" else x for x in tokens]
        out = " ".join(out)
    return out if len(out) <= width else out[: width - 1] + "…"


def _short_parts(m, mask: int) -> list[str]:
    parts = []
    for words in m.service(mask, marked=False).split("; "):
        proto, _, rest = words.partition(" ")
        rest = rest.replace(", ", ",")
        if proto == "tcp":
            parts.append("tcp" if rest == "any port" else rest)
        elif proto == "udp":
            parts.append("udp" if rest == "any port" else "u" + rest)
        elif proto == "icmp":
            parts.append("ping" if rest == "echo-request" else "icmp")
        elif words == "every other protocol":
            parts.append("other")
        else:
            parts.append(words.replace(" ", ""))
    return list(dict.fromkeys(parts))


def _service_words(m, masks) -> str:
    allowed, intermittent = masks
    asked = getattr(masks, "asked", (1 << len(m.every_class)) - 1)
    if allowed == asked:
        return "every request"
    out = _family_words(m, allowed, asked)
    if intermittent:
        out += ("; " if out else "") + f"intermittent: {_family_words(m, intermittent, asked)}"
    return out


def _family_words(m, mask: int, asked: int) -> str:
    """A mask in words; where its pair is asked about both families, a whole family part
    reads ``every IPv4 request`` (or IPv6)."""
    if not mask:
        return ""
    if m.ipv6_from is None or not asked & m.family_mask(6):
        return m.service(mask)
    out = []
    for family in (4, 6):
        part = mask & m.family_mask(family)
        if part:
            out.append(f"every IPv{family} request" if part == m.family_mask(family) else m.service(part))
    return "; ".join(out)


def _plural(n: int, unit: tuple[str, str]) -> str:
    return f"{n:,} {unit[0] if n == 1 else unit[1]}"


def matrix_text(m, path: str | None = None) -> str:
    """What `vpcdsl matrix` prints: a header with the note, the grid and its legend, the
    reaching pairs (grouped past `GROUP_OVER` ends), the pairs no trace answers. Control
    characters in names are escaped; the same matrix gives the same text, byte for byte."""
    unit = _UNIT[m.level]
    gs = groups(m)
    n = len(m.ends)
    where = f"{path}: " if path else ""
    lines = [f"{where}{m.level} matrix, {_plural(n, unit)}, {len(m.cells):,} reaching pair"
             f"{'' if len(m.cells) == 1 else 's'}; {m.note}"]
    if len(gs) < n:
        lines.append(f"{_plural(n, unit)} in {len(gs):,} groups of equal rows and columns "
                     f"(NAME +K: NAME and K more; --json lists every pair)")
    lines.append("")
    if not gs:
        lines.append(f"no {unit[1]}")
    elif len(gs) > GRID_LIMIT:
        lines.append(f"(grid left out: {len(gs):,} columns are too wide for a terminal; "
                     f"--format svg draws it{'' if m.level == 'vpc' else ', --level vpc gathers it by VPC'})")
    else:
        lines.extend(_grid(m, gs))
    lines.append("")
    lines.extend(_pairs(m, gs))
    for s, d, why in m.skipped:
        lines.append(f"not answered: {s} -> {d}: {why}")
    return escape_controls("\n".join(lines).rstrip("\n"))


def _grid(m, gs: list[Group]) -> list[str]:
    width = len(str(len(gs)))
    labels = [f"{k:>{width}} {g.label}" for k, g in enumerate(gs, 1)]
    pad = max(len(x) for x in labels)
    digits = [f"{k:>{width}}" for k in range(1, len(gs) + 1)]
    head = []
    for row in range(width):          # column numbers written downwards
        head.append(" " * (pad + 2) + " ".join(d[row] for d in digits).rstrip())
    out = [h for h in head if h.strip()]
    for label, a in zip(labels, gs):
        cells = " ".join(SYMBOLS[breadth(m, group_cell(m, a, b))] for b in gs)
        out.append(f"{label:<{pad}}  {cells}")
    used = {breadth(m, group_cell(m, a, b)) for a in gs for b in gs}
    out.append("")
    out.append("rows send, columns receive: " + "  ".join(f"{SYMBOLS[k]} {WORDS[k]}" for k in (*BREADTHS, "self")
                                                         if k in used or k in ("every", "nothing")))
    if m.level == "vpc":
        out.append("the diagonal: a VPC's subnets to each other")
    elif len(gs) < len(m.ends):
        out.append("the diagonal of a group: its members to one another")
    return out


def _pairs(m, gs: list[Group]) -> list[str]:
    vpc = m.level == "vpc"
    grouped = len(gs) < len(m.ends)
    if not m.cells:
        return ["nothing reaches between any two ends"]
    if not grouped:
        out = ["reaching pairs (source -> destination: requests allowed):"]
        for (i, j), c in sorted(m.cells.items()):
            extra = f" ({c.pairs[0]:,} of {c.pairs[1]:,} subnet pairs)" if vpc else ""
            out.append(f"  {m.ends[i]} -> {m.ends[j]}: {_service_words(m, _masks(m, i, j))}{extra}")
        return out
    # Grouped: the group pairs that reach, gathered by equal service, then by source group.
    by_service: dict[str, dict[str, list[str]]] = {}
    count: dict[str, list[int]] = {}
    for a in gs:
        for b in gs:
            size = len(a.members) * len(b.members)
            entries = [(group_cell(m, a, b), f"{b.label}", size)]
            if a is b:
                n = len(a.members)
                entries = [(group_cell(m, a, b), f"{b.label}" if vpc or n == 1 else f"{b.label} (one another)",
                            n if vpc else n * (n - 1))]
                if vpc and n > 1:
                    entries.append((between_members(m, a), f"{b.label} (one another)", n * (n - 1)))
            for masks, dst, ends in entries:
                if masks is None or masks == "self":
                    continue
                words = _service_words(m, masks)
                by_service.setdefault(words, {}).setdefault(a.label, []).append(dst)
                tally = count.setdefault(words, [0, 0])
                tally[0] += ends
                tally[1] += 1
    out = ["reaching pairs by requests allowed (source group -> destination groups; every pair of "
           "their members alike):"]
    shown = left = 0
    for words, sources in by_service.items():
        ends, pairs = count[words]
        out.append(f"  {words} ({ends:,} pairs of ends, {pairs:,} group pairs):")
        for src, dsts in sources.items():
            if shown >= LIST_LIMIT:
                left += len(dsts)
                continue
            line = f"    {src} -> "
            for k, d in enumerate(dsts):
                piece = d + (", " if k < len(dsts) - 1 else "")
                if len(line) + len(piece) > 100 and not line.endswith("-> "):
                    out.append(line.rstrip())
                    shown += 1
                    line = "        "
                line += piece
            out.append(line.rstrip())
            shown += 1
    if left:
        out.append(f"  … and {left:,} more group pairs (--json lists every pair)")
    return out
