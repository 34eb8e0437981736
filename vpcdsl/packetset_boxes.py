"""Boxes from a rule's fields, for `vpcdsl.packetsets`: the fields parsed (CIDRs,
protocol names, ports and ICMP types), the node of a box, and the node of `UNIVERSE`.

`UNIVERSE` is, for each family, every address of the family as source and destination
times one service node (which protocols have ports, which ICMP fields, the rest 0), so
the node of a box within it is its addresses cut to its family's, times its service
within UNIVERSE's: no intersection with UNIVERSE per box.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_network

from .packetset_nodes import (DST, EMPTY, FAMILY, INTERSECTION, PROTOCOL, SRC, apply, box, intern,
                              interval, union_all)
from .protocols import ICMP, PORTED, icmp_type_number, protocol_number

ADDRESS_TOP = {0: 2**32 - 1, 1: 2**128 - 1}


def box_root(families: tuple, src, dst, service):
    """The node of a box: its families' addresses (cut to each family's) times the service."""
    kids = [_addresses(f, src, dst, service) if f in families else EMPTY for f in (0, 1)]
    return kids[0] if kids[0] is kids[1] else intern(FAMILY, (0, 1), tuple(kids))


FAMILIES: dict[tuple, tuple[int, ...]] = {}


def families_of(family, f_src, f_dst) -> tuple[int, ...]:
    """The families a box may hold: the one asked for, or fixed by a CIDR, or both."""
    found = tuple(f for f in (0, 1) if family in (None, f) and f_src in (None, f) and f_dst in (None, f))
    if len(FAMILIES) < 1024:
        FAMILIES[(family, f_src, f_dst)] = found
    return found


def _addresses(family: int, src, dst, service):
    """The node of source times destination (inclusive pairs or None), cut to the family's
    addresses, leading to ``service``."""
    top = ADDRESS_TOP[family]
    if dst is None:
        return sources(family, src, interval(DST, 0, top, service))
    low, high = max(dst[0], 0), min(dst[1], top)
    return EMPTY if low > high else sources(family, src, interval(DST, low, high, service))


def sources(family: int, src, n):
    """The node of the source (an inclusive pair or None, cut to the family's addresses)
    leading to ``n``."""
    top = ADDRESS_TOP[family]
    if src is None:
        return interval(SRC, 0, top, n)
    low, high = max(src[0], 0), min(src[1], top)
    return EMPTY if low > high else interval(SRC, low, high, n)


SERVICES: dict[tuple, object] = {}


def service_node(fields: tuple):
    """The service node (protocol and the dimensions after it) of a box's protocol, ports
    and ICMP fields, within `UNIVERSE` (cached by the fields as given: rules repeat them)."""
    protocol, sport, dport, icmp_type, icmp_code = fields
    number = parse_protocol(protocol)
    service = apply(INTERSECTION, box([None, None, None, number, parse_pair(sport), parse_pair(dport),
                                          None if icmp_type is None else parse_icmp_type(icmp_type, number),
                                          parse_pair(icmp_code)]), UNIVERSE_SERVICE)
    try:
        if len(SERVICES) > 4096:
            SERVICES.clear()
        SERVICES[fields] = service
    except TypeError:           # a field given as something unhashable: not cached
        pass
    return service


def _universe():
    parts = []
    for family in (0, 1):
        top = ADDRESS_TOP[family]
        base = [(family, family), (0, top), (0, top)]
        for p in range(256):
            if p in PORTED:
                rest = [(p, p), None, None, (0, 0), (0, 0)]
            elif p in ICMP:
                rest = [(p, p), (0, 0), (0, 0), None, None]
            else:
                rest = [(p, p), (0, 0), (0, 0), (0, 0), (0, 0)]
            parts.append(box(base + rest))
    return union_all(parts)


_ENDS: dict[str, tuple[int, tuple[int, int]]] = {}


def parse_end(end) -> tuple[int | None, tuple[int, int] | None]:
    """A source or destination as (its family if it fixes one, an inclusive pair or None)."""
    if end is None or type(end) is tuple:
        return None, end
    if isinstance(end, str):
        found = _ENDS.get(end)
        if found is None:
            if len(_ENDS) > 65536:
                _ENDS.clear()
            found = _ENDS[end] = parse_end(ip_network(end, strict=False))
        return found
    if isinstance(end, (IPv4Address, IPv6Address)):
        return (0 if end.version == 4 else 1), (int(end), int(end))
    if isinstance(end, tuple):
        return None, end
    return (0 if end.version == 4 else 1), (int(end.network_address), int(end.broadcast_address))


def parse_protocol(protocol):
    if protocol is None:
        return None
    if isinstance(protocol, tuple):
        return protocol
    number = protocol if isinstance(protocol, int) else protocol_number(str(protocol))
    if number is None:
        raise ValueError(f"unknown protocol {protocol!r}")
    return None if number == -1 else (number, number)


def parse_icmp_type(value, number):
    if isinstance(value, (int, tuple)):
        return parse_pair(value)
    protocols = [number[0]] if number is not None else list(ICMP)
    found = {icmp_type_number(p, value) for p in protocols} - {None}
    if len(found) != 1:
        raise ValueError(f"unknown ICMP type {value!r}")
    t = found.pop()
    return (t, t)


def parse_pair(value):
    if value is None or isinstance(value, tuple):
        return value
    return (int(value), int(value))


UNIVERSE_ROOT = _universe()
UNIVERSE_SERVICE = UNIVERSE_ROOT          # the service node every (family, source, destination) leads to
while UNIVERSE_SERVICE.level < PROTOCOL:
    UNIVERSE_SERVICE = next(k for k in UNIVERSE_SERVICE.kids if k is not EMPTY)
