"""Exact sets of packets: union, intersection, difference, complement, subset, a
witness, and a short summary a person reads.

A packet is a point of eight integer dimensions, in this order: address family
(0 IPv4, 1 IPv6), source and destination address, IP protocol, source and
destination port, ICMP type and code. Not every point is a packet: a TCP packet
has no ICMP type, so its ICMP dimensions are 0, an ICMP packet's ports are 0, and
an IPv4 address is below 2**32. `UNIVERSE` is the set of every packet; every set
built here lies inside it, and the complement is taken within it.

The representation is an interval decision diagram: a node cuts one dimension
into intervals, each leading to the node for the remaining dimensions (or to the
terminals EMPTY and FULL); a dimension a node does not mention is not cut.
Nodes are reduced (no two neighbouring intervals lead to the same node; a node
with one interval is its child) and interned, so equal sets are the same node,
equality and emptiness cost O(1), and each operation is memoized per pair of
nodes, as BDD packages do. AWS rules are CIDR × port-range boxes, so each
dimension needs intervals, not bits: an interval node holds a /8 or a port range
in one cut where a BDD needs a chain of bit nodes, and a 1-D operation over n
intervals is one O(n) sweep, or, for sets of one dimension, a merge of interval
lists in C (the nodes and their algebra: `vpcdsl.packetset_nodes`). A box is built
when first used, so that `PacketSet.union` of many boxes that differ only in their
destinations builds one node from one sort. Measured against sympy and `portion` in
`benchmarks/packetset_bench.py` (BENCHMARKS.md). Nodes live for the life of the
process (a model's analysis makes thousands of them); the memo is bounded.

`as_sympy()` gives the same set as sympy sets (integer `Range`s in `ProductSet`s
joined by `Union`); `rows()` and `summary()` the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, summarize_address_range
from typing import Iterable, Iterator, NamedTuple

from .packetset_boxes import (ADDRESS_TOP as _ADDRESS_TOP, FAMILIES as _FAMILIES, SERVICES as _SERVICES,
                              UNIVERSE_ROOT, UNIVERSE_SERVICE, box_root as _box_root,
                              families_of as _families, parse_end as _end, service_node as _service,
                              sources as _sources)
from .packetset_nodes import (DIFFERENCE as _DIFFERENCE, DIMENSIONS, DPORT, DST, EMPTY, FAMILY, FULL,
                              ICMP_CODE, ICMP_TYPE, INTERSECTION as _INTERSECTION, LEAF as _LEAF, PROTOCOL,
                              SPORT, SRC, TOP as _TOP, UNION as _UNION, apply as _apply, box as _box, intern as _intern,
                              intervals_node as _intervals_node, union_all as _union_all)
from .protocols import ICMP, ICMP_TYPES, PORTED

__all__ = ["PacketSet", "Packet", "Row", "DIMENSIONS", "UNIVERSE", "EMPTY_SET"]


# ---------------------------------------------------------------------------- the set

class Packet(NamedTuple):
    """One packet: a point of the eight dimensions, addresses as `ipaddress` objects."""

    src: IPv4Address | IPv6Address
    dst: IPv4Address | IPv6Address
    protocol: int
    sport: int = 0
    dport: int = 0
    icmp_type: int = 0
    icmp_code: int = 0

    @property
    def point(self) -> tuple[int, ...]:
        return (0 if self.src.version == 4 else 1, int(self.src), int(self.dst), self.protocol,
                self.sport, self.dport, self.icmp_type, self.icmp_code)

    def __str__(self) -> str:
        return f"{self.src} -> {self.dst} {_service_point(self)}"


def _service_point(p: Packet) -> str:
    if p.protocol in PORTED:
        return f"{_PROTOCOL_NAMES.get(p.protocol, p.protocol)} {p.sport} -> {p.dport}"
    if p.protocol in ICMP:
        names = {v: k for k, v in ICMP_TYPES[p.protocol].items()}
        return f"{_PROTOCOL_NAMES[p.protocol]} {names.get(p.icmp_type, p.icmp_type)} code {p.icmp_code}"
    return f"protocol {p.protocol}"


_PROTOCOL_NAMES = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}


@dataclass(frozen=True)
class Row:
    """One line of a summary: source and destination blocks and the service words."""

    family: int
    src: tuple[str, ...]
    dst: tuple[str, ...]
    service: str

    def __str__(self) -> str:
        return f"{', '.join(self.src)} -> {', '.join(self.dst)}: {self.service}"


class PacketSet:
    """An exact set of packets. Immutable and hashable; equal sets are equal objects'
    equal, in O(1).

    >>> web = PacketSet.box(protocol="tcp", dst="10.0.1.0/24", dport=(80, 443))
    >>> ssh = PacketSet.box(protocol="tcp", dst="10.0.1.0/24", dport=22)
    >>> print((web | ssh) - PacketSet.box(protocol="tcp", dport=(100, 442)))
    0.0.0.0/0 -> 10.0.1.0/24: tcp 22, 80-99, 443
    >>> (web & ssh).is_empty(), ssh <= web | ssh
    (True, True)
    """

    # A box is built when first used (``_spec`` holds its fields until then), so that a
    # union of many boxes can build them together: see `union`.
    __slots__ = ("_root", "_spec")

    def __init__(self, _root=EMPTY):
        self._root, self._spec = _root, None

    def __getattr__(self, name):        # only for an unset slot: a box not yet built
        if name != "_root" or self._spec is None:
            raise AttributeError(name)
        root = self._root = _box_root(*self._spec)
        self._spec = None
        return root

    # --- building
    @classmethod
    def box(cls, *, family: int | None = None, src=None, dst=None, protocol=None, sport=None,
            dport=None, icmp_type=None, icmp_code=None) -> "PacketSet":
        """The packets that match every given field (an omitted field matches anything).

        ``src``/``dst``: a CIDR (`str` or `ip_network`), an address, or an inclusive
        integer pair; a CIDR fixes the family. ``protocol``: a name (`tcp`, `any`) or a
        number. Ports and ICMP fields: an int or an inclusive pair; ``icmp_type`` may
        be a name (`echo-request`). Fields a protocol does not have are ignored.
        """
        fields = (protocol, sport, dport, icmp_type, icmp_code)
        service = _SERVICES.get(fields)
        if service is None:
            service = _service(fields)
        f_src, src = _end(src)
        f_dst, dst = _end(dst)
        families = _FAMILIES.get((family, f_src, f_dst))
        if families is None:
            families = _families(family, f_src, f_dst)
        if service is EMPTY or not families:
            return cls(EMPTY)
        box = object.__new__(cls)
        box._spec = (families, src, dst, service)
        return box

    @classmethod
    def union(cls, sets: Iterable["PacketSet"]) -> "PacketSet":
        """The union of many sets (faster than folding ``|``). Boxes not yet built that
        differ only in their destinations are built together: their destinations are one
        node, made by one sort of the intervals."""
        roots, by_rest = [], {}
        for s in sets:
            spec = s._spec
            if spec is None:
                roots.append(s._root)
            else:
                by_rest.setdefault((spec[0], spec[1], spec[3]), []).append(spec[2])
        for (families, src, service), dsts in by_rest.items():
            if len(dsts) == 1:
                roots.append(_box_root(families, src, dsts[0], service))
                continue
            kids = [EMPTY, EMPTY]
            for family in families:
                kids[family] = _sources(family, src, _intervals_node(DST, dsts, _ADDRESS_TOP[family], service))
            roots.append(kids[0] if kids[0] is kids[1] else _intern(FAMILY, (0, 1), tuple(kids)))
        return cls(_union_all(roots))

    # --- algebra
    def __or__(self, other: "PacketSet") -> "PacketSet":
        return PacketSet(_apply(_UNION, self._root, other._root))

    def __and__(self, other: "PacketSet") -> "PacketSet":
        return PacketSet(_apply(_INTERSECTION, self._root, other._root))

    def __sub__(self, other: "PacketSet") -> "PacketSet":
        return PacketSet(_apply(_DIFFERENCE, self._root, other._root))

    def __xor__(self, other: "PacketSet") -> "PacketSet":
        return (self - other) | (other - self)

    def __invert__(self) -> "PacketSet":
        """The complement within `UNIVERSE`."""
        return UNIVERSE - self

    complement = __invert__

    def __le__(self, other: "PacketSet") -> bool:
        return _apply(_DIFFERENCE, self._root, other._root) is EMPTY

    def __lt__(self, other: "PacketSet") -> bool:
        return self <= other and self._root is not other._root

    def __ge__(self, other: "PacketSet") -> bool:
        return other <= self

    def __eq__(self, other) -> bool:
        return isinstance(other, PacketSet) and self._root is other._root

    def __hash__(self) -> int:
        return id(self._root)

    def is_empty(self) -> bool:
        return self._root is EMPTY

    def __bool__(self) -> bool:
        return self._root is not EMPTY

    def isdisjoint(self, other: "PacketSet") -> bool:
        return _apply(_INTERSECTION, self._root, other._root) is EMPTY

    def __contains__(self, packet) -> bool:
        point = packet.point if isinstance(packet, Packet) else tuple(packet)
        n = self._root
        while n.level < _LEAF:
            value = point[n.level]
            starts, lo, hi = n.starts, 0, len(n.starts) - 1
            while lo < hi:                      # the last start <= value
                mid = (lo + hi + 1) // 2
                if starts[mid] <= value:
                    lo = mid
                else:
                    hi = mid - 1
            n = n.kids[lo]
        return n is FULL      # every set lies in UNIVERSE, so a point outside it is in none

    # --- reading
    def boxes(self) -> Iterator[tuple[tuple[int, int], ...]]:
        """Disjoint boxes whose union is the set: per dimension an inclusive (low, high).
        A dimension a path does not cut is given whole (the universe trims it: a box
        never holds a point outside `UNIVERSE`)."""
        yield from _paths(self._root, 0, ())

    def count(self) -> int:
        """How many packets the set holds."""
        total = 0
        for box in self.boxes():
            size = 1
            for low, high in box:
                size *= high - low + 1
            total += size
        return total

    def witness(self) -> Packet | None:
        """A packet of the set (the lowest on each dimension in turn), or None if empty."""
        if self._root is EMPTY:
            return None
        point = next(self.boxes())
        return _packet(tuple(low for low, _ in point))

    def rows(self) -> list[Row]:
        """The set as rows of (sources, destinations, service), sorted.

        Services are split into the coarsest pieces that every address pair either holds
        whole or not at all, and pieces held by the same addresses share a row, so a set
        that is "ICMP from anywhere, and TCP 443 from 10.0.0.0/8" reads as those two rows
        rather than as the many blocks of "anywhere but 10.0.0.0/8".
        """
        paths = [(family, s_low, s_high, d_low, d_high, service)
                 for f_low, f_high, n in _grouped(self._root, FAMILY)
                 for family in range(f_low, f_high + 1)
                 for s_low, s_high, sub in _grouped(n, SRC) if s_low <= _ADDRESS_TOP[family]
                 for d_low, d_high, service in _grouped(sub, DST) if d_low <= _ADDRESS_TOP[family]]
        services = list({id(p[5]): p[5] for p in paths}.values())
        if len(services) > _MAX_SERVICE_PIECES:
            return _partition_rows(paths)
        by_region: dict[int, tuple[object, list]] = {}
        for piece in _service_pieces(services):
            region = _union_all([_box([(f, f), (sl, sh), (dl, dh), None, None, None, None, None])
                                 for f, sl, sh, dl, dh, svc in paths
                                 if _apply(_DIFFERENCE, piece, svc) is EMPTY])
            by_region.setdefault(id(region), (region, []))[1].append(piece)
        out = []
        for region, pieces in by_region.values():
            service = _union_all(pieces)
            for f_low, f_high, n in _grouped(region, FAMILY):
                for family in range(f_low, f_high + 1):
                    for srcs, sub in _merged(n, SRC, family):
                        for dsts, _ in _merged(sub, DST, family):
                            out.append(Row(family, srcs, dsts, _service_words(service, family)))
        return sorted(out, key=lambda r: (r.family, r.src, r.dst, r.service))

    def summary(self) -> str:
        """The rows, one per line (``nothing`` for the empty set)."""
        rows = self.rows()
        return "\n".join(str(r) for r in rows) if rows else "nothing"

    __str__ = summary

    def __repr__(self) -> str:
        return f"PacketSet({self.summary()!r})"

    def to_dict(self) -> list[dict]:
        return [{"family": "ipv4" if r.family == 0 else "ipv6", "src": list(r.src), "dst": list(r.dst),
                 "service": r.service} for r in self.rows()]

    def as_sympy(self):
        """The same set as sympy sets: a `Union` of `ProductSet`s of integer `Range`s, one
        per box, trimmed to `UNIVERSE` (so its integer points are exactly the packets)."""
        import sympy
        products = [sympy.ProductSet(*(sympy.Range(low, high + 1) for low, high in box))
                    for box in _trimmed(self.boxes())]
        return sympy.Union(*products) if products else sympy.S.EmptySet

    def _repr_latex_(self) -> str:
        import sympy
        boxes = list(_trimmed(self.boxes()))
        if len(boxes) <= 4:
            return f"${sympy.latex(self.as_sympy())}$"
        rows = r" \\ ".join(_latex_text(str(r)) for r in self.rows())
        return rf"$\begin{{array}}{{l}} {rows} \end{{array}}$"

    def _repr_html_(self) -> str:
        from html import escape
        cells = "".join(f"<tr><td>{escape(', '.join(r.src))}</td><td>{escape(', '.join(r.dst))}</td>"
                        f"<td>{escape(r.service)}</td></tr>" for r in self.rows())
        return ('<table class="vpcdsl-packets"><tr><th>from</th><th>to</th><th>packets</th></tr>'
                f"{cells or '<tr><td colspan=3>nothing</td></tr>'}</table>")


# ---------------------------------------------------------------------------- reading nodes

def _paths(n, level: int, prefix: tuple) -> Iterator[tuple]:
    if n is EMPTY:
        return
    if level == _LEAF:
        yield prefix
        return
    if n.level != level:
        yield from _paths(n, level + 1, prefix + ((0, _TOP[level]),))
        return
    ends = n.starts[1:] + (_TOP[level] + 1,)
    for start, end, kid in zip(n.starts, ends, n.kids):
        if kid is not EMPTY:
            yield from _paths(kid, level + 1, prefix + ((start, end - 1),))


# Past this many different services under the address pairs, rows are the plain partition.
_MAX_SERVICE_PIECES = 64


def _service_pieces(services: list) -> list:
    """The coarsest pieces of the services' union that each service holds whole or not at all."""
    pieces: list = []
    for svc in services:
        split = []
        for piece in pieces:
            inside, outside = _apply(_INTERSECTION, piece, svc), _apply(_DIFFERENCE, piece, svc)
            split.extend(p for p in (inside, outside) if p is not EMPTY)
        rest = svc
        for piece in pieces:
            rest = _apply(_DIFFERENCE, rest, piece)
        pieces = split + ([rest] if rest is not EMPTY else [])
    return pieces


def _partition_rows(paths: list) -> list[Row]:
    rows = []
    for family, s_low, s_high, d_low, d_high, service in paths:
        top = _ADDRESS_TOP[family]
        srcs = _cidr_words([(s_low, min(s_high, top))], family)
        dsts = _cidr_words([(d_low, min(d_high, top))], family)
        rows.append(Row(family, tuple(srcs), tuple(dsts), _service_words(service, family)))
    return sorted(rows, key=lambda r: (r.family, r.src, r.dst, r.service))


def _grouped(n, level: int) -> list[tuple[int, int, object]]:
    """The non-empty intervals of ``level`` with their child (the node itself where it does
    not cut ``level``)."""
    if n is EMPTY:
        return []
    if n.level != level:
        return [(0, _TOP[level], n)]
    ends = n.starts[1:] + (_TOP[level] + 1,)
    return [(s, e - 1, k) for s, e, k in zip(n.starts, ends, n.kids) if k is not EMPTY]


def _merged(n, level: int, family: int) -> list[tuple[tuple[str, ...], object]]:
    """Address intervals grouped by the node they lead to, each group as CIDR words."""
    top = _ADDRESS_TOP[family]
    groups: dict[int, tuple[list, object]] = {}
    for low, high, kid in _grouped(n, level):
        if low > top:
            continue
        groups.setdefault(id(kid), ([], kid))[0].append((low, min(high, top)))
    return [(tuple(_cidr_words(ranges, family)), kid) for ranges, kid in groups.values()]


def _cidr_words(ranges: list[tuple[int, int]], family: int) -> list[str]:
    """Blocks as CIDRs, or as the smallest block holding them "except ..." where that is
    shorter.

    >>> _cidr_words([(0x2000 << 112, (0x2600 << 112) - 1), ((0x2601 << 112), (0x4000 << 112) - 1)], 1)
    ['2000::/3 except 2600::/16']
    """
    return list(_cidr_words_of(tuple(ranges), family))


@lru_cache(maxsize=4096)
def _cidr_words_of(ranges: tuple[tuple[int, int], ...], family: int) -> tuple[str, ...]:
    # Memoized: an analysis words the same address sets (the internet's, a subnet's) in
    # many rows, and summarizing the internet's dozens of blocks costs more than a row.
    words = _cidrs(ranges, family)
    if len(words) > 2:
        # The smallest block that holds them all, less its gaps: "2000::/3 except
        # 2600:1f18::/56" for the IPv6 internet, "0.0.0.0/0 except 10.0.0.0/8 ..." for IPv4's.
        ordered = sorted(ranges)
        first, last = ordered[0][0], max(high for _, high in ordered)
        bits = (first ^ last).bit_length()
        at, end = first >> bits << bits, (first >> bits << bits) + (1 << bits) - 1
        hull = _cidrs([(at, end)], family)[0]
        gaps = []
        for low, high in ordered:
            if low > at:
                gaps.append((at, low - 1))
            at = max(at, high + 1)
        if at <= end:
            gaps.append((at, end))
        others = _cidrs(gaps, family)
        if len(others) < len(words):
            return (f"{hull} except {' '.join(others)}",)
    return tuple(words)


def _cidrs(ranges: list[tuple[int, int]], family: int) -> list[str]:
    cls = IPv4Address if family == 0 else IPv6Address
    words = []
    for low, high in ranges:
        for net in summarize_address_range(cls(low), cls(high)):
            words.append(str(net.network_address) if net.num_addresses == 1 else net.with_prefixlen)
    return words


_SERVICE_WORDS: dict[tuple[int, int], str] = {}


def _service_words(n, family: int) -> str:
    """What a service node (protocol and the dimensions after it) holds, in words."""
    key = (id(n), family)
    if key not in _SERVICE_WORDS:
        _SERVICE_WORDS[key] = _describe_service(n)
    return _SERVICE_WORDS[key]


def _describe_service(n) -> str:
    whole = _service_of_universe()
    if _apply(_DIFFERENCE, whole, n) is EMPTY:
        return "any traffic"
    parts = []
    others = []
    for low, high, kid in _grouped(n, PROTOCOL):
        for p in range(low, high + 1):
            if p in PORTED:
                parts.append(_ported_words(p, kid))
            elif p in ICMP:
                parts.append(_icmp_words(p, kid))
            else:
                others.append(p)
    if len(others) == 256 - len(PORTED) - len(ICMP):
        parts.append("every other protocol")
    elif others:
        parts.append("protocol " + _int_ranges(others))
    return "; ".join(parts)


def _ported_words(p: int, n) -> str:
    name = _PROTOCOL_NAMES[p]
    pieces = []
    for s_low, s_high, sub in _grouped(n, SPORT):
        dports = [(lo, hi) for lo, hi, k in _grouped(sub, DPORT)]
        words = f"{name} {_ranges_words(dports, 65535, 'any port')}"
        if (s_low, s_high) != (0, 65535):
            words += f" from ports {_ranges_words([(s_low, s_high)], 65535, 'any')}"
        pieces.append(words)
    return ", ".join(pieces) if len(pieces) == 1 else "; ".join(pieces)


def _icmp_words(p: int, n) -> str:
    names = {v: k for k, v in ICMP_TYPES[p].items()}
    for level in (SPORT, DPORT):            # an ICMP packet's ports are 0
        n = _grouped(n, level)[0][2]
    types = []
    for low, high, sub in _grouped(n, ICMP_TYPE):
        codes = _grouped(sub, ICMP_CODE)
        code = "" if [(c[0], c[1]) for c in codes] == [(0, 255)] else \
            " code " + _ranges_words([(c[0], c[1]) for c in codes], 255, "any")
        if (low, high) == (0, 255):
            types.append("any" + code)
        elif low == high:
            types.append(f"{names.get(low, low)}{code}")
        else:
            types.append(f"{low}-{high}{code}")
    return f"{_PROTOCOL_NAMES[p]} {', '.join(types)}"


def _ranges_words(ranges: list[tuple[int, int]], top: int, whole: str) -> str:
    if ranges == [(0, top)]:
        return whole
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


def _int_ranges(values: list[int]) -> str:
    ranges: list[list[int]] = []
    for v in sorted(values):
        if ranges and v == ranges[-1][1] + 1:
            ranges[-1][1] = v
        else:
            ranges.append([v, v])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _service_of_universe():
    """The service node every (family, source, destination) of `UNIVERSE` leads to."""
    return UNIVERSE_SERVICE


def _trimmed(boxes: Iterable[tuple]) -> Iterator[tuple]:
    """Boxes with whole address dimensions cut to their family's range."""
    for box in boxes:
        top = _ADDRESS_TOP[box[FAMILY][0]]
        yield tuple((low, min(high, top)) if d in (SRC, DST) else (low, high)
                    for d, (low, high) in enumerate(box))


def _packet(point: tuple[int, ...]) -> Packet:
    address = IPv4Address if point[FAMILY] == 0 else IPv6Address
    return Packet(address(point[SRC]), address(point[DST]), *point[PROTOCOL:])


def _latex_text(text: str) -> str:
    return r"\text{" + text.replace("\\", r"\\").replace("{", r"\{").replace("}", r"\}") \
        .replace("_", r"\_").replace("&", r"\&").replace("%", r"\%").replace("#", r"\#") + "}"


UNIVERSE = PacketSet(UNIVERSE_ROOT)
EMPTY_SET = PacketSet(EMPTY)
