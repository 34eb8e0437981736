"""The one protocol vocabulary: IP protocol names and numbers, ICMP and
ICMPv6 type names, the echo request/reply pairs, and which protocols carry
ports. Checks, the data plane, the walk and flow sets all read it from here.
"""
from __future__ import annotations

# IP protocol numbers of the protocols the language names (`any` is -1).
PROTOCOL_NUMBERS = {"any": -1, "tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58}
PORTED = (6, 17)            # TCP and UDP carry ports
ICMP = (1, 58)              # ICMP and ICMPv6 carry a type
# ICMP type names as written after `icmp` / `icmpv6`, so `icmp 8` and
# `icmp echo-request` compare equal (IANA ICMP and ICMPv6 parameters).
ICMP_TYPES = {
    1: {"echo-reply": 0, "destination-unreachable": 3, "source-quench": 4, "redirect": 5,
        "echo-request": 8, "router-advertisement": 9, "router-solicitation": 10,
        "time-exceeded": 11, "parameter-problem": 12, "timestamp-request": 13,
        "timestamp-reply": 14},
    58: {"destination-unreachable": 1, "packet-too-big": 2, "time-exceeded": 3,
         "parameter-problem": 4, "echo-request": 128, "echo-reply": 129},
}
ECHO_REQUEST = {1: 8, 58: 128}
ECHO_REPLY = {1: 0, 58: 129}


def protocol_number(name: str) -> int | None:
    """The IP protocol number of a name or number as written, else None.

    >>> protocol_number("tcp"), protocol_number("47"), protocol_number("gre")
    (6, 47, None)
    """
    if name in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[name]
    if name.isdigit() and int(name) <= 255:
        return int(name)
    return None


def icmp_type_number(protocol: int, text: str | None) -> int | None:
    """The ICMP (1) or ICMPv6 (58) type a name or number stands for, else None.

    >>> icmp_type_number(1, "echo-request"), icmp_type_number(58, "echo-request")
    (8, 128)
    """
    if text is None:
        return None
    if text.isdigit():
        return int(text)
    return ICMP_TYPES.get(protocol, {}).get(text.lower())
