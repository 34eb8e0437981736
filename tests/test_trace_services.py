"""AWS services have public addresses: SG and NACL CIDR rules that cover them match.

AWS pages: VPC guide, "Gateway endpoints" ("Security groups: ... allow traffic to the
service, using the prefix list ID or the service's public IPv4 address ranges"; "Network
ACLs: ... must allow traffic to and from the CIDR blocks of the service"), "Control traffic
to your AWS resources using security groups" (prefix-list references), and the General
Reference, "AWS IP address ranges" (ip-ranges.json, whose S3 and DYNAMODB prefixes are
the managed prefix lists' CIDRs). vpcdsl keeps a dated copy of those ranges
(`vpcdsl.service_ranges`).
"""

from ipaddress import ip_network

import pytest

from vpcdsl.service_ranges import RANGES_DATE, RANGES_SOURCE, public_ipv4, representative, \
    service_ranges

from tracing import check, hop, model

S3 = """\
region {region}
vpc prod {{
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  subnet app 10.0.1.0/24 az a
  igw gw
  nat nat-a in pub
  endpoint s3-ep gateway s3 for private
  route-table public for pub {{ 0.0.0.0/0 -> gw }}
  route-table private for app {{ 0.0.0.0/0 -> nat-a }}
  nacl app-nacl for app {{
    out 100 allow tcp 443 to {out_cidr}
    in  100 allow tcp 32768-60999 from {in_cidr}
  }}
  sg wide   {{ out tcp 443 to 0.0.0.0/0 }}
  sg plist  {{ out tcp 443 to s3, dynamodb }}
  sg narrow {{ out tcp 443 to 52.216.0.0/15 }}
  instance wide-1 in app sg wide
  instance plist-1 in app sg plist
  instance narrow-1 in app sg narrow
}}
"""


def _m(region="us-east-1", out_cidr="0.0.0.0/0", in_cidr="0.0.0.0/0"):
    text = S3.format(region=region, out_cidr=out_cidr, in_cidr=in_cidr)
    return model(text), text


def test_a_wide_cidr_rule_lets_an_instance_reach_s3_by_its_gateway_endpoint():
    """Forward: `out tcp 443 to 0.0.0.0/0` in the SG and the NACL covers every S3 range, so
    the flow goes by the prefix-list route to the endpoint. Return: the NACL's inbound rule
    for 0.0.0.0/0 admits the response from every range."""
    m, text = _m()
    t = check(m, text, "wide-1", "s3", "tcp", 443, "allowed")
    assert hop(t, "sg:wide").detail == "sg wide allows tcp to 0.0.0.0/0"
    assert "out rule 100 allow s3's" in hop(t, "nacl:app-nacl").detail
    assert ("gateway-endpoint:s3-ep", "forward") in [(h.component, h.action) for h in t.forward]
    assert "from s3's" in hop(t, "nacl:app-nacl", back=True).detail


def test_a_prefix_list_reference_matches_as_before():
    m, text = _m()
    t = check(m, text, "plist-1", "s3", "tcp", 443, "allowed")
    assert hop(t, "sg:plist").detail == "sg plist allows tcp to s3"


def test_a_rule_covering_some_of_the_ranges_blocks_and_names_what_fails_and_passes():
    """Forward: an SG for 52.216.0.0/15 only covers one of S3's us-east-1 ranges: blocked
    by sg, naming a failing range and the one that passes (intermittent, as a partial
    ephemeral range is)."""
    m, text = _m()
    t = check(m, text, "narrow-1", "s3", "tcp", 443, "blocked", "sg", "sg:narrow",
              at="sg narrow {")
    assert "of s3's 15 published ranges in us-east-1" in t.reason
    assert "only 52.216.0.0/15 passes" in t.reason


def test_a_nacl_admitting_the_response_from_some_ranges_blocks_the_return():
    """Return: the NACL admits responses from 52.216.0.0/15 only; responses from S3's other
    ranges are dropped, so the flow is blocked by nacl on the way back."""
    m, text = _m(in_cidr="52.216.0.0/15")
    t = check(m, text, "wide-1", "s3", "tcp", 443, "blocked", "nacl", "nacl:app-nacl")
    assert t.back and t.back[-1].action == "drop"
    assert "blocks the response" in t.reason and "only 52.216.0.0/15 passes" in t.reason


def test_a_nacl_rule_covering_every_range_of_the_region_matches():
    """Forward and return: a NACL naming exactly S3's us-east-1 ranges (one rule per range)
    lets the flow through; a rule for a range of another region does not."""
    blocks, _ = service_ranges("s3", "us-east-1")
    text = S3.format(region="us-east-1", out_cidr="0.0.0.0/0", in_cidr="0.0.0.0/0")
    rules = "\n".join(f"    in {200 + i} allow tcp 32768-60999 from {b}" for i, b in enumerate(blocks))
    text = text.replace("    in  100 allow tcp 32768-60999 from 0.0.0.0/0", rules)
    check(model(text), text, "wide-1", "s3", "tcp", 443, "allowed")
    eu = text.replace("region us-east-1", "region eu-west-1")
    t = check(model(eu), eu, "wide-1", "s3", "tcp", 443, "blocked", "nacl", "nacl:app-nacl")
    assert "in eu-west-1" in t.reason


def test_a_service_reached_through_a_nat_is_filtered_by_its_ranges_too():
    """Forward: DynamoDB without an endpoint goes by the NAT; the client's NACL and SG see
    DynamoDB's ranges, the NAT's subnet (default NACL) passes it, the IGW carries it."""
    m, text = _m()
    t = check(m, text, "wide-1", "dynamodb", "tcp", 443, "allowed")
    assert hop(t, "nat:nat-a").action == "translate"
    assert "dynamodb's" in hop(t, "nacl:app-nacl").detail


def test_a_service_without_published_ranges_needs_a_rule_for_all_public_ipv4():
    """ssm has no ranges of its own in ip-ranges.json: 0.0.0.0/0 covers it, a narrower rule
    cannot be known to, so the trace blocks and says why."""
    m, text = _m()
    check(m, text, "wide-1", "ssm", "tcp", 443, "allowed")
    t = check(m, text, "narrow-1", "ssm", "tcp", 443, "blocked", "sg", "sg:narrow")
    assert "AWS publishes no ranges of ssm's own" in t.reason


def test_the_table_is_dated_and_sourced_and_its_ranges_are_public():
    assert RANGES_DATE == "2026-08-22" and RANGES_SOURCE.endswith("ip-ranges.json")
    for service in ("s3", "dynamodb"):
        for region in ("us-east-1", "eu-west-1", "ap-southeast-2"):
            blocks, published = service_ranges(service, region)
            assert published and blocks
            assert all(b.is_global for b in blocks)
            assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1:])
    assert ip_network("52.216.0.0/15") in service_ranges("s3", "us-east-1")[0]
    assert service_ranges("s3", "nowhere-1") == (public_ipv4(), False)
    assert str(representative("s3", "us-east-1")) == "1.178.4.1"
    assert not any(b.overlaps(ip_network("10.0.0.0/8")) for b in public_ipv4())
