"""A CIDR flow end is a set of addresses: every piece is traced, exactly.

A security group or NACL rule's CIDR admits exactly the addresses in it (VPC
guide, "Security group rules" and "Network ACL rules"), so an expectation
about a block holds only if it holds for each address. vpcdsl cuts the block
at every boundary that can change a trace and traces one probe per piece.
"""

from ipaddress import ip_network

import pytest

import vpcdsl
from vpcdsl.analysis.cidrpieces import cidr_pieces

MODEL = """\
region us-east-1
vpc a {
  cidr 10.60.0.0/16
  subnet pub 10.60.1.0/24 az a
  igw gw
  route-table public for pub { 0.0.0.0/0 -> gw }
  sg ssh { in tcp 22 from 203.0.113.0/25; out tcp 443 to 198.51.100.0/25 }
  instance b1 in pub sg ssh public-ip
}
"""


def _check(tmp_path, *expects):
    path = tmp_path / "m.vpc"
    path.write_text(MODEL + "".join(f"{e}\n" for e in expects))
    model = vpcdsl.load(str(path), strict=False)
    return model, {d.span.line: d for d in model.diagnostics}


def line(n):
    return MODEL.count("\n") + n


def test_ingress_from_a_block_needs_every_piece(tmp_path):
    """Forward: the group admits 203.0.113.0/25 only; /24 allowed fails naming the other half."""
    _, found = _check(tmp_path, "expect 203.0.113.0/24 -> b1 tcp 22 allowed",
                      "expect 203.0.113.0/25 -> b1 tcp 22 allowed",
                      "expect 203.0.113.128/25 -> b1 tcp 22 blocked by sg")
    d = found[line(1)]
    assert d.code == "E901" and d.message == ("expectation failed: 203.0.113.0/24 -> b1 tcp 22 is blocked "
                                              "by sg for tcp 22 from 203.0.113.128/25, expected allowed")
    assert d.hint.startswith("tcp 22 from 203.0.113.128/25: no ingress rule of security group ssh")
    assert d.hint.endswith("witness 203.0.113.128 -> b1 tcp 22")
    assert line(2) not in found and line(3) not in found


def test_egress_to_a_block_needs_every_piece(tmp_path):
    """Egress rules likewise; the response (return leg) is traced for each piece too."""
    _, found = _check(tmp_path, "expect b1 -> 198.51.100.0/24 tcp 443 allowed",
                      "expect b1 -> 198.51.100.0/25 tcp 443 allowed",
                      "expect b1 -> 198.51.100.0/24 tcp 443 blocked")
    assert "to 198.51.100.128/25" in found[line(1)].hint
    assert line(2) not in found
    blocked = found[line(3)]
    assert "is allowed for tcp 443 to 198.51.100.0/25, expected blocked" in blocked.message
    # An allowed flow that should be blocked names the rules that let it through, with lines.
    assert "let through by sg ssh allows tcp to 198.51.100.0/25 (" in blocked.hint
    assert "m.vpc:7)" in blocked.hint and "route 0.0.0.0/0 -> gw matched" in blocked.hint


def test_port_ranges_and_isolation_with_a_block(tmp_path):
    _, found = _check(tmp_path, "expect b1 -> 198.51.100.0/25 tcp 440-450 allowed",
                      "expect isolated b1, 198.51.100.128/25",
                      "expect isolated b1, 198.51.100.0/24")
    assert "blocked by sg for tcp 440-442, 444-450" in found[line(1)].message
    assert line(2) not in found
    assert "allowed for tcp 443" in found[line(3)].message and "let through by" in found[line(3)].hint


def test_every_address_suggests_internet(tmp_path):
    _, found = _check(tmp_path, "expect 0.0.0.0/0 -> b1 tcp 22 blocked")
    assert "for a host on the internet write `internet`" in found[line(1)].hint


def test_pieces_leave_out_reserved_addresses_and_split_at_hosts(tmp_path):
    model, _ = _check(tmp_path)
    pieces = cidr_pieces(model, ip_network("10.60.1.0/24"))
    words = [p.words for p in pieces]
    # .0-.3 and .255 are reserved; b1 (.4) and the subnet's probe (.254) are pieces of their own.
    assert words == ["10.60.1.4", "10.60.1.5-10.60.1.253", "10.60.1.254"]
    assert cidr_pieces(model, ip_network("203.0.113.0/24"))[0].probe == ip_network("203.0.113.1/32")[0]


def test_wide_blocks_are_evaluated_exactly_with_no_bound(tmp_path):
    # 30 subnets make far more than the 64 traced pairs of the old piece-by-piece path;
    # the reach engine answers them all (issue 11, part 3: no W900 for CIDR ends).
    subnets = "".join(f"  subnet net{i} 10.60.{10 + i}.0/24 az a\n" for i in range(30))
    path = tmp_path / "big.vpc"
    path.write_text(MODEL.replace("  igw gw\n", subnets + "  igw gw\n")
                    + "expect 10.60.0.0/16 -> 198.51.100.0/24 tcp 443 blocked\n"
                    + "expect 10.60.0.0/16 -> 198.51.100.128/25 tcp 443 blocked\n")
    model = vpcdsl.load(str(path), strict=False)
    pairs = len(cidr_pieces(model, ip_network("10.60.0.0/16"))) * len(cidr_pieces(model, ip_network("198.51.100.0/24")))
    assert pairs > 64
    assert not [d for d in model.diagnostics if d.code == "W900"]
    (d,) = [d for d in model.diagnostics if d.code == "E901"]
    assert d.message == ("expectation failed: 10.60.0.0/16 -> 198.51.100.0/24 tcp 443 is allowed for "
                         "tcp 443 from 10.60.1.4/32; to 198.51.100.0/25, expected blocked")


@pytest.mark.parametrize("expect", ["expect 10.60.1.0/30 -> b1 tcp 22 allowed"])
def test_a_block_of_reserved_addresses_cannot_be_traced(tmp_path, expect):
    _, found = _check(tmp_path, expect)
    assert found[line(1)].code == "E903" and "reserves" in found[line(1)].message


def test_internet_in_an_expectation_is_every_public_address(tmp_path):
    """`internet` over sets is every public IPv4 address (issue 11, part 3): SSH admitted from
    203.0.113.0/25 only is not "allowed from the internet", and the failure says which part
    is shut out; HTTPS from 0.0.0.0/0 is."""
    _, found = _check(tmp_path, "expect internet -> b1 tcp 22 allowed",
                      "expect internet -> b1 tcp 22 blocked",
                      "expect internet -> b1 tcp 80 blocked")
    d = found[line(1)]
    assert d.code == "E901" and "internet -> b1 tcp 22 is blocked by sg for tcp 22 from all but 203.0.113.0/25" in d.message
    d = found[line(2)]
    assert d.message == ("expectation failed: internet -> b1 tcp 22 is allowed for tcp 22 from 203.0.113.0/25, "
                         "expected blocked")
    assert line(3) not in found
