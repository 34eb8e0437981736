"""AWS services' published IPv4 ranges per region, as data, with the date they were taken.

A service reached through a gateway endpoint, a NAT or an internet gateway has public
addresses, and security-group and network-ACL CIDR rules match them as they match any
address (docs/SEMANTICS.md, Gateways). AWS publishes the ranges in ip-ranges.json
(General Reference, "AWS IP address ranges"); the S3 and DynamoDB ones are what their
managed prefix lists hold. This table is a snapshot of them:

- source: https://ip-ranges.amazonaws.com/ip-ranges.json, createDate 2026-08-22
  (syncToken 1787411825), read from the seligman/aws-ip-ranges archive of it;
- kept: the prefixes of service S3 and DYNAMODB per region, IPv4, collapsed.

The other services vpcdsl names (ec2, ssm, kms, sts, logs, ...) have no ranges of their
own in that file (they sit in the catch-all AMAZON set), so `service_ranges` gives the
public IPv4 space for them: only a rule that covers all of it is known to match.

Regenerate with ``python -m vpcdsl.service_ranges ip-ranges.json > vpcdsl/service_ranges.py``
(the date moves with the file) and note the change in docs/SEMANTICS.md.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from ipaddress import IPv4Network, collapse_addresses, ip_network

from .aws import MULTICAST, NOT_INTERNET, RESERVED_IPV4

RANGES_DATE = "2026-08-22"
RANGES_SYNC_TOKEN = "1787411825"
RANGES_SOURCE = "https://ip-ranges.amazonaws.com/ip-ranges.json"

# The services ip-ranges.json lists under a code of their own (its `service` field).
PUBLISHED = {"s3": "S3", "dynamodb": "DYNAMODB"}

# Addresses no AWS service is reached at from a VPC: private, shared, loopback,
# link-local, multicast and reserved space. The rest is public IPv4.
_NOT_PUBLIC = tuple(n for n in NOT_INTERNET + MULTICAST + (RESERVED_IPV4,) if n.version == 4)


@lru_cache(maxsize=None)
def public_ipv4() -> tuple[IPv4Network, ...]:
    """Every public IPv4 address, as the fewest blocks.

    >>> len(public_ipv4()), public_ipv4()[0]
    (51, IPv4Network('1.0.0.0/8'))
    """
    blocks = [ip_network("0.0.0.0/0")]
    for hole in _NOT_PUBLIC:
        blocks = [piece for block in blocks
                  for piece in ((block,) if not block.overlaps(hole) else
                                (() if block.subnet_of(hole) else block.address_exclude(hole)))]
    return tuple(collapse_addresses(blocks))


@lru_cache(maxsize=None)
def service_ranges(service: str, region: str | None) -> tuple[tuple[IPv4Network, ...], bool]:
    """The IPv4 blocks of ``service`` in ``region`` and whether they are its published ones.

    >>> blocks, published = service_ranges("dynamodb", "us-east-1")
    >>> published, len(blocks) > 1, all(b.is_global for b in blocks)
    (True, True, True)
    >>> service_ranges("ssm", "us-east-1")[1]
    False
    """
    text = _TABLE.get(service, {}).get(region or "")
    if not text:
        return public_ipv4(), False
    return tuple(ip_network(c) for c in text.split()), True


def representative(service: str, region: str | None):
    """The address a trace prints for ``service``: the first host of its first block."""
    blocks, _ = service_ranges(service, region)
    return blocks[0].network_address + 1


# ---------------------------------------------------------------------------- regeneration

_MARKER = "# ---- the table (generated) "


def _render(data: dict, source: str) -> str:
    """This module's text with the table of the ip-ranges.json ``data``."""
    head, _, _ = source.rpartition(_MARKER)
    date = data["createDate"][:10]
    head = "\n".join(
        f'RANGES_DATE = "{date}"' if line.startswith("RANGES_DATE =") else
        f'RANGES_SYNC_TOKEN = "{data["syncToken"]}"' if line.startswith("RANGES_SYNC_TOKEN =") else
        line for line in head.split("\n"))
    rule = _MARKER + "-" * (92 - len(_MARKER))
    lines = [head + rule, "", "_TABLE: dict[str, dict[str, str]] = {"]
    for service, code in sorted(PUBLISHED.items()):
        by_region: dict[str, list] = {}
        for p in data["prefixes"]:
            if p["service"] == code and p["region"] != "GLOBAL":
                by_region.setdefault(p["region"], []).append(ip_network(p["ip_prefix"]))
        lines.append(f'    "{service}": {{')
        for region in sorted(by_region):
            blocks = [str(b) for b in collapse_addresses(by_region[region])]
            chunks = [" ".join(blocks[i:i + 4]) for i in range(0, len(blocks), 4)]
            lines.append(f'        "{region}": "{chunks[0]}' + ("" if len(chunks) == 1 else " \"")
                         if len(chunks) > 1 else f'        "{region}": "{chunks[0]}",')
            for i, chunk in enumerate(chunks[1:], 1):
                last = i == len(chunks) - 1
                lines.append(f'            "{chunk}' + ('",' if last else ' "'))
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m vpcdsl.service_ranges ip-ranges.json > vpcdsl/service_ranges.py",
              file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        data = json.load(f)
    with open(__file__, encoding="utf-8") as f:
        source = f.read()
    sys.stdout.write(_render(data, source))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


# ---- the table (generated) ---------------------------------------------------------------

_TABLE: dict[str, dict[str, str]] = {
    "dynamodb": {
        "af-south-1": "35.71.103.0/24 52.94.30.0/24",
        "ap-east-1": "35.71.107.0/24 52.119.248.0/24",
        "ap-east-2": "13.248.78.0/24 35.71.127.0/24",
        "ap-northeast-1": "13.248.69.0/24 13.248.70.0/24 35.71.114.0/24 52.94.8.0/24",
        "ap-northeast-2": "35.71.109.0/24 52.94.6.0/24",
        "ap-northeast-3": "35.71.110.0/24 52.94.19.0/24",
        "ap-south-1": "35.71.100.0/24 52.94.20.0/24",
        "ap-south-2": "13.248.64.0/24 35.71.108.0/24",
        "ap-southeast-1": "35.71.118.0/24 52.94.11.0/24",
        "ap-southeast-2": "35.71.97.0/24 52.94.13.0/24",
        "ap-southeast-3": "13.248.71.0/24 35.71.96.0/24",
        "ap-southeast-4": "13.248.67.0/24 35.71.112.0/24",
        "ap-southeast-5": "13.248.75.0/24 35.71.124.0/24",
        "ap-southeast-6": "13.248.79.0/24 35.71.93.0/24",
        "ap-southeast-7": "13.248.77.0/24 35.71.126.0/24",
        "ca-central-1": "35.71.119.0/24 52.94.14.0/24",
        "ca-west-1": "13.248.73.0/24 35.71.123.0/24",
        "cn-north-1": "54.222.57.0/24 54.222.64.0/24",
        "cn-northwest-1": "43.193.64.0/24 52.82.187.0/24",
        "eu-central-1": "35.71.105.0/24 52.94.17.0/24",
        "eu-central-2": "13.248.68.0/24 35.71.121.0/24",
        "eu-north-1": "35.71.98.0/24 52.94.23.0/24",
        "eu-south-1": "35.71.113.0/24 52.94.18.0/24",
        "eu-south-2": "13.248.65.0/24 35.71.120.0/24",
        "eu-west-1": "35.71.72.0/22 52.94.5.0/24 52.94.24.0/22 52.119.240.0/21",
        "eu-west-2": "35.71.111.0/24 52.94.15.0/24",
        "eu-west-3": "35.71.101.0/24 52.94.16.0/24",
        "eusc-de-east-1": "35.71.94.0/24 51.0.28.0/24 51.0.31.0/24",
        "il-central-1": "13.248.72.0/24 35.71.122.0/24",
        "me-central-1": "13.248.66.0/24 35.71.104.0/24",
        "me-south-1": "35.71.99.0/24 52.119.249.0/24",
        "me-west-1": "13.248.80.0/24 35.71.92.0/24",
        "mx-central-1": "13.248.76.0/24 35.71.125.0/24",
        "sa-east-1": "35.71.106.0/24 52.94.7.0/24",
        "sa-west-1": "13.248.81.0/24",
        "us-east-1": "3.218.180.0/22 35.71.68.0/22 35.71.76.0/22 52.94.0.0/22 "
            "52.119.224.0/20",
        "us-east-2": "35.71.102.0/24 52.94.4.0/24",
        "us-gov-east-1": "35.71.115.0/24 52.94.22.0/24",
        "us-gov-west-1": "35.71.116.0/24 52.94.9.0/24",
        "us-south-1": "13.248.82.0/24",
        "us-west-1": "35.71.117.0/24 52.94.12.0/24",
        "us-west-2": "35.71.64.0/22 52.94.10.0/24 52.94.28.0/23 52.119.252.0/22",
    },
    "s3": {
        "af-south-1": "1.178.18.0/24 3.2.87.0/24 3.5.202.0/23 3.5.228.0/22 "
            "13.245.93.176/28 13.245.93.192/28 52.95.175.0/24 52.95.176.0/24 "
            "52.95.180.0/24",
        "ap-east-1": "1.178.103.0/24 3.2.81.0/24 3.5.214.0/23 3.5.236.0/22 "
            "16.12.6.0/23 16.12.8.0/24 18.167.88.96/27 52.95.160.0/23 "
            "52.95.162.0/24",
        "ap-east-2": "1.178.31.0/24 3.2.101.0/24 3.5.196.0/22 16.12.78.0/23 "
            "16.12.80.0/24 43.212.135.0/27",
        "ap-northeast-1": "1.178.64.0/24 3.2.66.0/24 3.5.152.0/21 16.15.54.0/23 "
            "16.15.56.0/22 35.72.164.240/28 35.73.115.0/28 52.219.0.0/20 "
            "52.219.16.0/22 52.219.20.0/23 52.219.68.0/22 52.219.136.0/22 "
            "52.219.150.0/23 52.219.152.0/22 52.219.162.0/23 52.219.172.0/22 "
            "52.219.195.0/24 52.219.196.0/22 52.219.200.0/23",
        "ap-northeast-2": "1.178.91.0/24 3.2.75.0/24 3.5.140.0/22 3.5.144.0/23 "
            "3.5.184.0/21 3.36.167.64/27 52.219.56.0/22 52.219.60.0/23 "
            "52.219.144.0/22 52.219.148.0/23 52.219.202.0/23 52.219.204.0/22",
        "ap-northeast-3": "1.178.101.0/24 3.2.82.0/24 3.5.240.0/22 15.152.133.112/28 "
            "15.152.133.128/28 52.95.157.0/24 52.95.158.0/23 52.95.181.0/24 "
            "52.95.182.0/23",
        "ap-south-1": "1.178.88.0/24 3.2.69.0/24 3.5.208.0/22 3.5.212.0/23 "
            "16.12.3.0/24 16.12.36.0/22 16.12.40.0/23 52.219.62.0/23 "
            "52.219.64.0/22 52.219.156.0/22 52.219.160.0/23 65.1.103.208/28 "
            "65.1.103.224/28",
        "ap-south-2": "1.178.23.0/24 3.2.90.0/24 3.5.44.0/22 18.60.78.192/27 "
            "52.95.184.0/23 52.95.186.0/24",
        "ap-southeast-1": "1.178.89.0/24 3.2.76.0/24 3.5.146.0/23 3.5.148.0/22 "
            "13.213.20.144/28 13.213.20.160/28 16.12.48.0/21 16.15.48.0/22 "
            "16.15.52.0/23 52.219.32.0/21 52.219.40.0/22 52.219.124.0/22 "
            "52.219.128.0/21 52.219.164.0/22 52.219.180.0/22 52.219.184.0/21",
        "ap-southeast-2": "1.178.11.0/24 3.2.77.0/24 3.5.164.0/22 3.5.168.0/23 "
            "3.26.88.0/27 16.12.74.0/24 52.95.128.0/21",
        "ap-southeast-3": "1.178.19.0/24 3.2.98.0/24 3.5.36.0/22 43.218.193.96/27 "
            "43.218.222.160/27 52.95.177.0/24 52.95.178.0/23 108.136.154.16/28 "
            "108.136.154.32/27",
        "ap-southeast-4": "1.178.24.0/24 3.2.92.0/24 3.5.40.0/22 16.50.69.192/27 "
            "52.95.166.0/23 52.95.168.0/24",
        "ap-southeast-5": "1.178.102.0/24 3.2.91.0/24 3.5.180.0/22 16.12.42.0/23 "
            "16.12.44.0/24 43.216.87.0/27",
        "ap-southeast-6": "1.178.27.0/24 3.2.102.0/24 3.102.119.96/27 16.12.81.0/24 "
            "16.12.82.0/23 16.15.8.0/22",
        "ap-southeast-7": "1.178.28.0/24 3.2.88.0/24 3.5.60.0/22 16.12.75.0/24 "
            "16.12.76.0/23 43.208.66.128/27",
        "ca-central-1": "1.178.92.0/24 3.2.78.0/24 3.5.252.0/22 3.98.24.0/27 "
            "16.12.4.0/23 52.95.145.0/24 52.95.146.0/23 52.95.190.0/24",
        "ca-west-1": "1.178.26.0/24 3.2.96.0/24 3.5.172.0/22 16.12.56.0/23 "
            "16.12.58.0/24 40.176.98.240/28 40.176.101.64/28",
        "cn-north-1": "54.222.48.0/21 54.222.65.0/24 54.222.89.0/24 54.222.96.0/21 "
            "54.222.112.0/20 71.131.196.224/27 140.179.36.208/28 140.179.36.224/27",
        "cn-northwest-1": "43.193.65.0/24 43.194.16.0/24 52.82.164.0/22 52.82.184.0/23 "
            "52.82.188.0/22 68.79.2.192/28 68.79.2.224/28 69.234.250.64/27",
        "eu-central-1": "1.178.10.0/24 3.2.70.0/24 3.5.120.0/22 3.5.134.0/23 "
            "3.5.136.0/22 3.65.246.0/27 16.12.24.0/21 16.12.32.0/22 "
            "16.15.20.0/22 52.219.44.0/22 52.219.72.0/22 52.219.140.0/24 "
            "52.219.168.0/22 52.219.208.0/22 52.219.218.0/24",
        "eu-central-2": "1.178.21.0/24 3.2.97.0/24 3.5.52.0/22 16.62.56.224/27 "
            "52.95.139.0/24 52.95.140.0/23",
        "eu-north-1": "1.178.93.0/24 3.2.71.0/24 3.5.216.0/22 13.51.71.176/28 "
            "13.51.71.192/28 16.12.9.0/24 16.12.10.0/23 52.95.169.0/24 "
            "52.95.170.0/23",
        "eu-south-1": "1.178.17.0/24 3.2.93.0/24 3.5.248.0/22 16.12.21.0/24 "
            "16.12.59.0/24 35.152.74.144/28 35.152.74.160/28 52.95.151.0/24 "
            "52.95.152.0/23 52.219.254.0/24",
        "eu-south-2": "1.178.22.0/24 3.2.83.0/24 3.5.32.0/22 3.5.126.0/23 "
            "16.15.12.0/22 18.100.209.224/27 52.95.136.0/23 52.95.138.0/24",
        "eu-west-1": "1.178.7.0/24 3.2.79.0/24 3.5.64.0/21 3.5.72.0/22 "
            "3.5.94.0/23 3.5.96.0/22 3.251.110.208/28 3.251.110.224/28 "
            "52.92.0.0/17 52.218.0.0/17",
        "eu-west-2": "1.178.94.0/24 3.2.72.0/24 3.5.244.0/22 16.12.15.0/24 "
            "16.12.16.0/23 18.168.37.160/27 52.95.142.0/23 52.95.144.0/24 "
            "52.95.148.0/23 52.95.150.0/24 52.95.191.0/24 52.219.219.0/24",
        "eu-west-3": "1.178.90.0/24 3.2.84.0/24 3.5.204.0/22 3.5.224.0/22 "
            "13.36.84.48/28 13.36.84.64/28 16.12.18.0/23 16.12.20.0/24 "
            "52.95.154.0/23 52.95.156.0/24",
        "eusc-de-east-1": "83.118.240.0/21",
        "il-central-1": "1.178.25.0/24 3.2.95.0/24 3.5.56.0/22 16.12.12.0/23 "
            "16.12.14.0/24 51.17.129.160/27",
        "me-central-1": "1.178.20.0/24 3.5.48.0/22 3.28.70.48/28 3.28.70.96/27 "
            "3.29.147.48/28 3.29.202.240/28 51.112.11.64/27 52.95.187.0/24 "
            "52.95.188.0/23",
        "me-south-1": "1.178.16.0/24 3.2.85.0/24 3.5.220.0/22 15.184.125.240/28 "
            "15.184.153.0/28 52.95.172.0/23 52.95.174.0/24",
        "me-west-1": "16.12.84.0/23 16.12.86.0/24 16.15.16.0/22",
        "mx-central-1": "1.178.29.0/24 3.2.94.0/24 3.5.192.0/22 16.12.71.0/24 "
            "16.12.72.0/23 78.12.79.192/27",
        "sa-east-1": "1.178.95.0/24 3.2.80.0/24 3.5.232.0/22 15.228.107.0/27 "
            "16.12.0.0/23 16.12.2.0/24 52.95.163.0/24 52.95.164.0/23",
        "sa-west-1": "16.12.120.0/22 16.15.24.0/22",
        "us-east-1": "1.178.4.0/23 1.178.6.0/24 3.2.64.0/23 3.2.74.0/24 "
            "3.5.0.0/19 16.15.156.0/22 16.15.160.0/19 16.15.192.0/18 "
            "16.182.0.0/16 18.34.0.0/19 18.34.232.0/21 44.192.134.240/28 "
            "44.192.140.64/28 52.216.0.0/15 54.231.0.0/16",
        "us-east-2": "1.178.8.0/24 3.2.67.0/24 3.5.88.0/22 3.5.92.0/23 "
            "3.5.100.0/22 3.5.104.0/21 3.5.128.0/22 3.5.132.0/23 "
            "3.141.102.208/28 3.141.102.224/28 16.12.60.0/22 16.12.64.0/22 "
            "18.34.72.0/21 18.34.252.0/22 52.219.80.0/20 52.219.96.0/20 "
            "52.219.141.0/24 52.219.142.0/23 52.219.176.0/22 52.219.212.0/22 "
            "52.219.224.0/21 52.219.232.0/22",
        "us-gov-east-1": "3.2.100.0/24 18.252.145.192/27 31.220.252.0/24 108.175.52.0/22 "
            "108.175.60.0/22",
        "us-gov-west-1": "1.178.30.0/24 3.2.99.0/24 15.200.28.240/28 15.200.176.128/28 "
            "108.175.48.0/22 108.175.56.0/22 136.18.0.0/23",
        "us-west-1": "1.178.100.0/24 3.2.86.0/24 3.5.160.0/22 3.101.163.64/27 "
            "3.101.163.96/28 16.15.0.0/21 52.219.23.0/24 52.219.24.0/21 "
            "52.219.112.0/21 52.219.120.0/22 52.219.192.0/23 52.219.194.0/24 "
            "52.219.216.0/23 52.219.220.0/23 52.219.255.0/24",
        "us-west-2": "1.178.9.0/24 1.178.65.0/24 3.2.68.0/24 3.5.76.0/22 "
            "3.5.80.0/21 16.12.88.0/21 16.12.96.0/20 16.12.112.0/21 "
            "16.15.32.0/20 18.34.48.0/20 18.34.244.0/22 35.80.36.208/28 "
            "35.80.36.224/28 52.92.128.0/17 52.218.128.0/17",
    },
}
