"""W403: SSH, RDP, database ports and every port open to the whole internet, in a custom
NACL (an inbound allow deciding them for subnets that hold instances) and in a security
group (an inbound rule from anywhere)."""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, Note, warning
from ..model.network import Model, describe
from ..syntax import ast
from .lint_context import Context, covers_ephemeral, name_span, subnets_of
from .rule_keys import TOP, DirectionRules, first_matches, peer_text

# Ports an architect never wants open to the internet (TCP): remote shells and databases.
SENSITIVE_PORTS = {22: "SSH", 3389: "RDP", 3306: "MySQL", 5432: "PostgreSQL", 1433: "MSSQL",
                   1521: "Oracle", 6379: "Redis", 27017: "MongoDB"}
_SHELL_PORTS = (22, 3389)
_TCP = 6


def _is_world(key_addresses) -> bool:
    """`any`, 0.0.0.0/0 or ::/0."""
    return key_addresses is None or (key_addresses[1] == 0 and key_addresses[2] == TOP[key_addresses[0]])


def _sensitive_in(ports) -> list[int]:
    """The SENSITIVE_PORTS in a TCP port range (None: every port)."""
    return [p for p in SENSITIVE_PORTS if ports is None or ports[0] <= p <= ports[1]]


def _port_names(ports: list[int]) -> str:
    """``SSH (tcp 22)``, or ``SSH 22, MySQL 3306 and RDP 3389``."""
    if len(ports) == 1:
        return f"{SENSITIVE_PORTS[ports[0]]} (tcp {ports[0]})"
    names = [f"{SENSITIVE_PORTS[p]} {p}" for p in sorted(ports)]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _exposure_hint(ports: list[int], everything: bool) -> str:
    if everything or len(ports) > 2:
        return ("open only the ports the service answers on (443 for a web server), and admit "
                "the rest from security groups or your own CIDRs")
    if all(p in _SHELL_PORTS for p in ports):
        return ("admit remote shells only from the addresses that need them (an office's CIDR, a "
                "bastion's security group), or use Session Manager or EC2 Instance Connect "
                "Endpoint, which need no open port")
    return ("a database answers its application tier: admit its clients' security group "
            "(`in tcp PORT from app`), never the internet")


def world_open_nacl(model: Model, nacl: ast.Nacl, inbound: DirectionRules,
                     context: Context) -> Iterator[Diagnostic]:
    """W403 for an inbound allow from the internet that decides SSH, RDP or a database port
    for subnets holding instances. A rule whose ports hold an ephemeral range (or every
    port) is left out: it is also the return path of outbound connections, and the
    instances' security groups are the place to look."""
    held = [(s, context.instances_in[s.name][0]) for s in subnets_of(model, nacl)
            if context.instances_in.get(s.name)]
    if not held:
        return
    for rule, key in inbound.keyed:
        number, ports, _icmp, addresses = key
        if rule.action != "allow" or number != _TCP or covers_ephemeral(ports) or not _is_world(addresses):
            continue
        families = (4, 6) if addresses is None else (addresses[0],)
        decided = [p for p in _sensitive_in(ports)
                   if any(rule in first_matches(inbound, _TCP, (p, p), f, 0, TOP[f])[0]
                          for f in families)]
        if not decided:
            continue
        subnet, instance = held[0]
        where = f"subnet '{subnet.name}'" + (f" and {len(held) - 1} more" if len(held) > 1 else "")
        yield warning(
            "W403", f"rule {rule.number} of network ACL '{nacl.name}' admits {_port_names(decided)} "
                    f"from the whole internet ({peer_text(rule.cidr)}) into {where}, where "
                    f"{describe(instance)} runs", rule.span,
            _exposure_hint(decided, False),
            [Note(f"{describe(instance)} is in subnet '{subnet.name}'", name_span(instance))])


def world_open_sg(sg: ast.SecurityGroup, permissions: list, context: Context) -> Iterator[Diagnostic]:
    for rule, peer, (number, ports, _icmp), key in permissions:
        if rule.direction != "in" or not (key == ("any",) or (key[0] == "cidr" and _is_world(key[1:]))):
            continue
        if number == -1:
            what, decided, everything = "every protocol and port", list(SENSITIVE_PORTS), True
        elif number == _TCP and (decided := _sensitive_in(ports)):
            everything = ports is None
            what = ("every TCP port" if everything else
                    _port_names(decided) if ports[0] == ports[1] else
                    f"tcp {ports[0]}-{ports[1]}, with {_port_names(decided)},")
        else:
            continue
        user = context.sg_users.get(sg.name)
        notes = [Note(f"security group '{sg.name}' is on {describe(user)}", name_span(user))] if user else []
        yield warning(
            "W403", f"security group '{sg.name}' opens {what} to the whole internet "
                    f"({peer_text(peer)})", peer.span, _exposure_hint(decided, everything), notes)
