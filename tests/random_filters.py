"""Random NACLs and security groups for the reach/trace agreement tests: the same generator
for IPv4 (tests/test_reach.py) and dual-stack (tests/test_reach_ipv6.py) models."""

from __future__ import annotations

import random

PORTS = ["22", "80", "443", "0-1023", "1024-65535", "32768-40000", "50000-65535"]
SUBNETS = (("n1", "s1"), ("n2", "s2"), ("n3", "sub3"))


def random_filters(rng: random.Random, cidrs: list[str], icmp: str) -> list[str]:
    """Lines of a VPC body: a NACL for most of s1, s2 and sub3 and groups g1-g3, each with up to
    four rules over ``cidrs`` (groups may name each other), protocols tcp, udp, ``icmp`` or any."""

    def proto():
        p = rng.choice(["tcp", "udp", icmp, "any"])
        return f"{p} {rng.choice(PORTS)}" if p in ("tcp", "udp") else p

    lines = []
    for name, subnet in SUBNETS:
        if rng.random() < 0.25:
            continue
        rules = []
        for direction in ("in", "out"):
            for n in sorted(rng.sample(range(1, 200), rng.randint(0, 4))):
                word = "from" if direction == "in" else "to"
                rules.append(f"    {direction} {n} {rng.choice(['allow', 'allow', 'deny'])} {proto()} {word} "
                             f"{rng.choice(cidrs)}")
        lines += [f"  nacl {name} for {subnet} {{", *rules, "  }"]
    for g in ("g1", "g2", "g3"):
        body = [f"{d} {proto()} {'from' if d == 'in' else 'to'} {rng.choice(cidrs + ['g1', 'g2', 'g3'])}"
                for d in (rng.choice(["in", "in", "out"]) for _ in range(rng.randint(0, 4)))]
        lines.append(f"  sg {g} {{ {'; '.join(body) or 'out none'} }}")
    return lines
