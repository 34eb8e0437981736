"""AWS facts the compiler needs, as data: regions, reserved names, limits.

Sources are named per fact (docs.aws.amazon.com user guides); SEMANTICS.md
records which current behaviour wins over the study notes.
"""

from __future__ import annotations

from ipaddress import IPv4Address, ip_network, summarize_address_range

DEFAULT_REGION = "us-east-1"

# Region -> the last AZ letter AWS uses there (AZ names are mapped per account,
# but the set of letters is the same for every account).
REGIONS: dict[str, str] = {
    "us-east-1": "f", "us-east-2": "c", "us-west-1": "c", "us-west-2": "d",
    "af-south-1": "c", "ap-east-1": "c", "ap-east-2": "c", "ap-south-1": "c", "ap-south-2": "c",
    "ap-southeast-1": "c", "ap-southeast-2": "c", "ap-southeast-3": "c", "ap-southeast-4": "c",
    "ap-southeast-5": "c", "ap-southeast-7": "c", "ap-northeast-1": "d", "ap-northeast-2": "d",
    "ap-northeast-3": "c", "ca-central-1": "d", "ca-west-1": "c", "eu-central-1": "c",
    "eu-central-2": "c", "eu-west-1": "c", "eu-west-2": "c", "eu-west-3": "c", "eu-south-1": "c",
    "eu-south-2": "c", "eu-north-1": "c", "il-central-1": "c", "me-south-1": "c",
    "me-central-1": "c", "mx-central-1": "c", "sa-east-1": "c", "us-gov-west-1": "c",
    "us-gov-east-1": "c", "cn-north-1": "c", "cn-northwest-1": "c",
}

# Never usable as names (LANGUAGE.md §1); the services also name flow ends.
SERVICES = ("s3", "dynamodb", "glacier", "ssm", "ec2", "sts", "kms", "logs", "ecr", "sqs", "sns")
GATEWAY_ENDPOINT_SERVICES = ("s3", "dynamodb")
PREFIX_LISTS = GATEWAY_ENDPOINT_SERVICES
RESERVED = frozenset(("internet", "any", "none", "local", "blackhole", "default") + SERVICES)

# VPC guide, vpc-cidr-blocks.
VPC_MIN_PREFIX, VPC_MAX_PREFIX = 16, 28
SUBNET_MIN_PREFIX, SUBNET_MAX_PREFIX = 16, 28
MAX_IPV4_BLOCKS = 5
RESERVED_PER_SUBNET = 5
LINK_LOCAL = ip_network("169.254.0.0/16")
DOCKER_BRIDGE = ip_network("172.17.0.0/16")
IPV6_VPC_PREFIX, IPV6_SUBNET_PREFIX = 56, 64

# Address blocks by what they are: the one list that checks, the walk and the
# analyses classify addresses by (RFC 1918 private, RFC 6598 shared, RFC 6890
# special-purpose; IPv6 RFC 4193 unique local, RFC 4291 link-local).
RFC1918 = tuple(ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
BENCHMARK = ip_network("198.19.0.0/16")       # VPC guide: allowed as a VPC block (RFC 2544)
# No internet host has these addresses (documentation ranges such as 203.0.113.0/24 are
# not here: examples use them for public hosts).
NOT_INTERNET = RFC1918 + tuple(ip_network(c) for c in (
    "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "0.0.0.0/8",
    "fc00::/7", "fe80::/10", "::1/128", "::/128"))
NOT_INTERNET_V4 = tuple(n for n in NOT_INTERNET if n.version == 4)
# IPv6's internet: the global unicast space IANA allocates from (RFC 4291 2.4; the IANA IPv6
# address space registry); every Amazon-provided and BYOIP VPC block is in it. The rest of
# ::/0 (unique local, link-local, multicast, the unassigned blocks) holds no internet host.
GLOBAL_UNICAST = ip_network("2000::/3")
MULTICAST = (ip_network("224.0.0.0/4"), ip_network("ff00::/8"))
RESERVED_IPV4 = ip_network("240.0.0.0/4")     # RFC 1112 "future use", and 255.255.255.255

# IPv4 CIDR block association restrictions (VPC guide): for a primary block in
# one of these ranges, secondaries may not come from the others.
_RFC1918_AND_BENCH = RFC1918 + (BENCHMARK,)


def restricted_secondary_ranges(primary):
    """Ranges a secondary block may not come from, given the primary block."""
    for rng in _RFC1918_AND_BENCH:
        if primary.subnet_of(rng):
            others = tuple(r for r in _RFC1918_AND_BENCH if r != rng)
            # A 172.16.0.0/12 primary also excludes 172.31.0.0/16 (the default VPC's range).
            return others + ((ip_network("172.31.0.0/16"),) if rng == _RFC1918_AND_BENCH[1] else ())
    return _RFC1918_AND_BENCH


# Ephemeral port ranges (VPC guide, vpc-network-acls#nacl-ephemeral-ports).
EPHEMERAL = {
    "linux": (32768, 60999),
    "windows": (49152, 65535),
    "nat": (1024, 65535),
    "elb": (1024, 65535),
    "external": (1024, 65535),   # internet or site clients: OS unknown
}

# Route 53 record types supported today (17; the notes' "13" is outdated).
RECORD_TYPES = ("A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA",
                "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT")
CONTINENTS = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")

LB_LISTENER_PROTOCOLS = {
    "application": ("http", "https"),
    "network": ("tcp", "udp", "tls", "tcp_udp"),
    "classic": ("http", "https", "tcp", "ssl"),
}

# CloudFront viewer security policies (CloudFront guide,
# secure-connections-supported-viewer-protocols-ciphers). SSLv3 needs a
# dedicated-IP certificate: SNI clients all speak TLS.
CLOUDFRONT_SECURITY_POLICIES = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018",
                                "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")

# Enhanced networking (EC2 guide): interface -> maximum bandwidth in Gbps.
ENHANCED_NETWORKING = {"ena": 100, "intel-82599": 10, "none": None}

MAX_SPREAD_PER_AZ = 7
MAX_PARTITIONS_PER_AZ = 7
MAX_DEDICATED_PARTITIONS = 2

ASN_RANGES = ((1, 4294967294),)
# The Amazon side of a VGW, TGW or DX gateway takes a private ASN (EC2 API
# CreateVpnGateway, CreateTransitGateway; DX CreateDirectConnectGateway).
AMAZON_SIDE_ASN_RANGES = ((64512, 65534), (4200000000, 4294967294))


def public_blocks(family: int = 4) -> list:
    """The public space of ``family``: for IPv4 every address outside the blocks that are not
    the internet's (private, shared, loopback, link-local, multicast, reserved); for IPv6 the
    global unicast space `GLOBAL_UNICAST` (64:ff9b::/96, the IPv4 internet behind NAT64, is
    added as a destination by `vpcdsl.analysis.reach`).

    >>> public_blocks(6)
    [IPv6Network('2000::/3')]
    >>> public_blocks()[:2]
    [IPv4Network('1.0.0.0/8'), IPv4Network('2.0.0.0/7')]
    """
    if family == 6:
        return [GLOBAL_UNICAST]
    private = sorted((n for n in (*NOT_INTERNET, *MULTICAST, RESERVED_IPV4) if n.version == 4),
                     key=lambda n: int(n.network_address))
    blocks, at = [], 0
    for net in private:
        low, high = int(net.network_address), int(net.broadcast_address)
        if low > at:
            blocks.extend(summarize_address_range(IPv4Address(at), IPv4Address(low - 1)))
        at = max(at, high + 1)
    if at <= 2**32 - 1:
        blocks.extend(summarize_address_range(IPv4Address(at), IPv4Address(2**32 - 1)))
    return blocks
