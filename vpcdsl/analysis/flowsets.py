"""Packet classes: the protocol and port (or ICMP type) classes every rule of a model treats alike.

Between two given ends, every decision a trace makes that depends on the
packet — a NACL or security-group rule, a listener, a port forward, a NAT's
protocols — depends only on its protocol and port (or ICMP type), and it is
constant between the port bounds written anywhere in the model. So a set of
packets splits into classes: for TCP and UDP the port intervals between
those bounds, for ICMP each type the model names plus one it does not, and
for other protocols each number the model names plus one it does not. One
trace per class decides the whole class, and the answer is exact, not
sampled. Port classes are half-open integer intervals ``(low, high + 1)``,
They are
plain tuples so that `vpcdsl check` does not import sympy (0.17 s of start-up);
`PacketClass.as_sympy` gives the same set as a sympy ``Interval``.

`vpcdsl.analysis.reach` traces one representative of each class (times the
address pieces of range ends): the one engine that answers questions over sets
of packets (`expect` over ranges, `any`, `isolated`; `reach`, `exposure`,
`matrix`, `diff`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..protocols import ECHO_REQUEST, ICMP_TYPES, icmp_type_number, protocol_number
from ..syntax import ast

PORTS = (0, 65535)
_OTHER_PROTOCOLS = (47, 50, 51, 132, 41, 4)       # GRE, ESP, AH, SCTP, IPv6-in-IPv4, IP-in-IP


@dataclass(frozen=True)
class PacketClass:
    """Packets a trace decides alike: one protocol and a port (or ICMP type) set."""

    protocol: str              # tcp, udp, icmp or a protocol number
    ports: tuple[int, int] | None   # half-open [low, high + 1) (TCP/UDP), or None
    probe: str                 # the port or ICMP type the representative trace uses ("" for none)
    words: str                 # "tcp 1024-2047", "icmp echo-request", "protocol 50"

    def as_sympy(self):
        """The port set as a sympy ``Interval.Ropen`` (None for a protocol without ports)."""
        import sympy
        return None if self.ports is None else sympy.Interval.Ropen(*self.ports)


def _members(model, members=None) -> Iterator:
    if members is not None:
        yield from members
        return
    for vpc in model.vpcs.values():
        yield from vpc.members


def _filter_protocols(model, members=None) -> Iterator[ast.Protocol]:
    """The protocol part of every NACL and security-group rule of the model (of ``members``)."""
    for m in _members(model, members):
        if isinstance(m, (ast.Nacl, ast.SecurityGroup)):
            for r in m.rules:
                yield r.protocol


def _bounds(model, members=None) -> set[int]:
    """Every port where some decision may change: the start of each written range and the
    port after its end (of ``members`` only, when given)."""
    cuts = {PORTS[0], PORTS[1] + 1}

    def add(low, high):
        cuts.update((low, high + 1))

    for p in _filter_protocols(model, members):
        if p.ports is not None:
            add(p.ports.low, p.ports.high)
    for m in _members(model, members):
        if isinstance(m, ast.LoadBalancer):
            for li in m.listeners:
                add(li.port, li.port)
                for t in li.targets:
                    if t.port is not None:
                        add(t.port, t.port)
            for r in m.rules:
                add(r.port, r.port)
        elif isinstance(m, ast.NatInstance):
            for f in m.forwards:
                add(f.port.low, f.port.high)
                add(f.to_port, f.to_port)
    return cuts


def named_icmp_types(model, number: int) -> set[int]:
    """The ICMP (or ICMPv6) types some rule names, and the echo request (a ping answers with
    a reply): each is a class of its own; every other type is one class."""
    named = {icmp_type_number(number, p.icmp_type) for p in _filter_protocols(model)
             if protocol_number(p.name) == number and p.icmp_type is not None} - {None}
    return named | {ECHO_REQUEST.get(number, 8)}


def named_protocols(model) -> set[int]:
    """The protocol numbers other than TCP, UDP, ICMP and ICMPv6 that some rule names: each
    is a class of its own; every other protocol is one class."""
    return {protocol_number(p.name) for p in _filter_protocols(model)} - {None, -1, 1, 6, 17, 58}


def _icmp_types(model, number: int) -> list[int]:
    named = named_icmp_types(model, number)
    known = sorted(ICMP_TYPES.get(number, {}).values())
    other = next(t for t in [*known, *range(256)] if t not in named)
    return sorted(named | {other})


def _protocol_numbers(model) -> list[int]:
    named = named_protocols(model)
    other = next(n for n in [*_OTHER_PROTOCOLS, *range(256)] if n not in named and n not in (1, 6, 17, 58))
    return sorted(named | {other})


def _port_classes(name: str, low: int, high: int, cuts: set[int]) -> list[PacketClass]:
    edges = sorted({c for c in cuts if low < c <= high} | {low, high + 1})
    out = []
    for a, b in zip(edges, edges[1:]):
        words = f"{name} {a}" if b - a == 1 else f"{name} {a}-{b - 1}"
        out.append(PacketClass(name, (a, b), str(a), words))
    return out


def port_classes(model, *, members=None) -> list[PacketClass]:
    """The TCP and UDP classes of every port; ``members``: cut only at the bounds these VPC
    members write (NACLs, SGs, load balancers, NAT instances), for flows whose every decision
    they make (`vpcdsl.analysis.exposure` checks that on each trace)."""
    cuts = _bounds(model, members)
    return _port_classes("tcp", *PORTS, cuts) + _port_classes("udp", *PORTS, cuts)


def packet_classes(model, protocol: ast.Protocol | None, family: int = 4) -> list[PacketClass]:
    """The classes of the packets an expectation's protocol part names (None or `any`: all
    of ``family``'s, whose ICMP is ICMPv6 for 6)."""
    cuts = _bounds(model)
    name = protocol.name if protocol is not None else "any"
    number = protocol_number(name)
    if name == "any" or number == -1:
        classes = _port_classes("tcp", *PORTS, cuts) + _port_classes("udp", *PORTS, cuts)
        classes += _icmp_classes(model, "icmp" if family == 4 else "icmpv6", None)
        classes += [PacketClass(str(n), None, "", f"protocol {n}") for n in _protocol_numbers(model)]
        return classes
    if number in (6, 17):
        low, high = (protocol.ports.low, protocol.ports.high) if protocol.ports is not None else PORTS
        return _port_classes(name, low, high, cuts)
    if number in (1, 58):
        return _icmp_classes(model, name, protocol.icmp_type)
    return [PacketClass(name, None, "", f"protocol {name}")]


def _icmp_classes(model, name: str, icmp_type: str | None) -> list[PacketClass]:
    number = protocol_number(name)
    if icmp_type is not None:
        return [PacketClass(name, None, icmp_type, f"{name} {icmp_type}")]
    words = {v: k for k, v in ICMP_TYPES.get(number, {}).items()}
    return [PacketClass(name, None, str(t), f"{name} {words.get(t, t)}") for t in _icmp_types(model, number)]
