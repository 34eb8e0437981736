"""The dual-stack twin of a generated estate (benchmarks/generate.py): the same `.vpc`
text with an IPv6 block on every VPC and subnet, and every rule that names an address
of the estate or the internet written again for IPv6.

* VPC k gets the k-th /56 of 2600:1f00::/40 (Amazon's space), its subnet j the j-th
  /64 of that; an egress-only internet gateway beside its IGW.
* Routes: `::/0` to the IGW where IPv4's default goes there, to the EIGW where it goes
  to a NAT gateway; a peering route for the peer VPC's IPv6 block beside its IPv4 one.
* NACL rules naming 0.0.0.0/0, a VPC or a subnet get a twin numbered 5 higher (the
  generator numbers in tens) for ::/0 or the IPv6 block; ICMP rules stay IPv4's
  (IPv6 would write icmpv6, which the estate's rules do not mean).
* Security-group rules list the IPv6 block after each IPv4 one, ICMP again aside.

Rules naming other addresses (the office range, deny lists, partners) stay IPv4 only,
so the two families' answers differ, as they do in real estates.

    python benchmarks/dual_stack.py --lines 1000 --out benchmarks/out/
"""

from __future__ import annotations

import argparse
import ipaddress
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402

BASE = ipaddress.IPv6Network("2600:1f00::/40")
_RULE = re.compile(r"(?P<head>(?:in|out)\s+)(?P<number>\d+)(?P<body>\s+\w+\s+(?P<proto>\w+)\s+.*?(?:from|to)\s+)"
                   r"(?P<cidr>\S+)$")
_CIDR = re.compile(r"\b\d+\.\d+\.\d+\.\d+/\d+")


def ipv6_blocks(net: generate.Network) -> dict[tuple[str, str], str]:
    """(region, IPv4 CIDR) -> its IPv6 block, for every VPC and subnet; IPv4 CIDRs
    repeat across regions, never within one."""
    blocks: dict[tuple[str, str], str] = {}
    for k, vpc in enumerate(net.vpcs):
        block = ipaddress.IPv6Network((int(BASE.network_address) + (k << 72), 56))
        blocks[vpc.region, str(vpc.cidr)] = str(block)
        for j, subnet in enumerate(vpc.subnets):
            blocks[vpc.region, str(subnet.cidr)] = str(ipaddress.IPv6Network((int(block.network_address) + (j << 64), 64)))
        blocks[vpc.region, "0.0.0.0/0"] = "::/0"
    return blocks


def dual_stack(net: generate.Network, text: str) -> str:
    """The estate's text with IPv6 added (see the module docstring)."""
    blocks = ipv6_blocks(net)
    nats = {nat for vpc in net.vpcs for nat, _ in vpc.nats}
    out: list[str] = []
    region = vpc = block = ""
    numbers: set[tuple[str, int]] = set()
    for line in text.splitlines():
        stripped = line.strip()
        word = stripped.split(" ", 1)[0]
        if word == "region":
            region = stripped.split()[1]
        elif word == "vpc":
            vpc = stripped.split()[1]
        if line.startswith("  ") and not line.startswith("    ") and word in ("route-table", "nacl", "sg"):
            block, numbers = word, set()
        if word == "cidr" and line.startswith("  cidr "):
            out += [line, f"  ipv6 {blocks[region, stripped.split()[1]]}"]
        elif word == "subnet":
            out.append(f"{line}  ipv6 {blocks[region, stripped.split()[2]]}")
        elif word == "igw":
            out += [line, f"  eigw {vpc}-eigw"]
        elif block == "route-table" and " -> " in stripped:
            out.append(line)
            dest, target = (s.strip() for s in stripped.split("->"))
            if dest == "0.0.0.0/0":
                out.append(f"    ::/0 -> {f'{vpc}-eigw' if target in nats else target}")
            elif (region, dest) in blocks:
                out.append(f"    {blocks[region, dest]} -> {target}")
        elif block == "nacl" and stripped.startswith(("in ", "out ")):
            out.append(line)
            for rule in stripped.split("; "):
                m = _RULE.match(rule)
                numbers.add((m["head"].strip(), int(m["number"])))
                if m["proto"] != "icmp" and (region, m["cidr"]) in blocks:
                    twin = (m["head"].strip(), int(m["number"]) + 5)
                    assert twin not in numbers, f"{vpc}: NACL rule {twin} taken"
                    numbers.add(twin)
                    out.append(f"    {m['head']}{twin[1]}{m['body']}{blocks[region, m['cidr']]}")
        elif block == "sg" and " icmp " not in line:
            out.append(_CIDR.sub(lambda m: f"{m[0]}, {blocks[region, m[0]]}" if (region, m[0]) in blocks else m[0],
                                 line))
        else:
            out.append(line)
        if line == "  }" or (block == "sg" and stripped.endswith("}") and line.startswith("  sg")):
            block = ""
    text = "\n".join(out) + "\n"
    return text.replace("the same network as the .tf file beside it.",
                        "dual-stack (benchmarks/dual_stack.py): every VPC and subnet has an IPv6 block.")


def generate_dual_stack(lines: int, seed: int = 1) -> tuple[generate.Network, str]:
    """The estate of about `lines` IPv4 lines (generate.generate), dual-stack."""
    net, text = generate.generate(lines, seed)
    return net, dual_stack(net, text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lines", type=int, nargs="+", default=[1000], help="line target of the IPv4 estate")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for lines in args.lines:
        _, text = generate_dual_stack(lines, args.seed)
        path = args.out / f"gen-{generate.size_label(lines)}-dual-stack.vpc"
        path.write_text(text, encoding="utf-8")
        print(f"{path}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
