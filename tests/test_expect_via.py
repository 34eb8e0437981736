"""`expect ... allowed via X, Y`: which path a flow takes (LANGUAGE.md §8, Expectations;
vpcdsl/analysis/expect_via.py). Checked on the flow's trace, forward: each name a component
the request passes, in the order written."""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcdsl

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _compile(name: str, *lines: str):
    text = (EXAMPLES / name).read_text(encoding="utf-8") + "\n" + "\n".join(lines) + "\n"
    return vpcdsl.loads(text, filename=name, strict=False)


def _codes(model, code: str) -> list:
    return [d for d in model.diagnostics if d.code == code]


def test_a_site_to_site_flow_of_the_transit_vpc_passes_the_appliance():
    """Site to site through the transit VPC's appliance csr-1, tunnel to tunnel
    (https://docs.aws.amazon.com/whitepapers/latest/aws-vpc-connectivity-options/transit-vpc-option.html)."""
    m = _compile("transit-vpc.vpc", "expect dc -> branch tcp 22 allowed via dc-vpn-1, csr-1, branch-vpn-1")
    assert not _codes(m, "E901") and not _codes(m, "E903")


def test_the_same_flow_on_the_transit_gateway_goes_via_the_tgw_and_not_the_appliance():
    """Through the TGW the flow passes `core` (its route table), never an instance
    (https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html)."""
    m = _compile("transit-gateway.vpc", "expect dc -> b-api-1 tcp 8443 allowed via dc-vpn, core")
    assert not _codes(m, "E901")
    m = _compile("transit-vpc.vpc", "expect dc -> branch tcp 22 allowed via csr-2")
    [d] = _codes(m, "E901")
    assert d.message == ("expectation failed: dc -> branch tcp 22 is allowed, but not via csr-2")
    assert d.hint == ("its request passes site:dc → vpn:dc-vpn-1 → instance:csr-1 → "
                      "vpn:branch-vpn-1 → site:branch")
    assert d.span.col == len("expect dc -> branch tcp 22 allowed via ") + 1     # under csr-2


def test_via_is_ordered():
    """`via A, B` means A, then B: the request meets the VPN before the appliance."""
    m = _compile("transit-vpc.vpc", "expect dc -> branch tcp 22 allowed via csr-1, dc-vpn-1")
    [d] = _codes(m, "E901")
    assert d.message.endswith("but not via csr-1, dc-vpn-1 in that order")


def test_marking_the_appliance_down_fails_the_path_expectation():
    """With csr-1 down the sites fail over to csr-2: the verdict holds, the path does not
    (tests/test_example_transit.py shows the failover hop by hop)."""
    text = (EXAMPLES / "transit-vpc.vpc").read_text(encoding="utf-8")
    text = text.replace("instance csr-1 in edge-a sg vpn-appliance eip source-dest-check off type m5.xlarge",
                        "instance csr-1 in edge-a sg vpn-appliance eip source-dest-check off type m5.xlarge down")
    assert " down\n" in text
    m = vpcdsl.loads(text + "\nexpect dc -> branch tcp 22 allowed via csr-1\n"
                     "expect dc -> branch tcp 22 allowed via csr-2\n", filename="t.vpc", strict=False)
    failed = _codes(m, "E901")
    assert any("not via csr-1" in d.message for d in failed)
    assert not any("not via csr-2" in d.message for d in failed)


@pytest.mark.parametrize("line, why", [
    ("expect branch -> b-api-1 tcp 8443 blocked by sg via core", "a blocked flow has no path to check"),
    ("expect dc -> b-api-1 tcp 8000-9000 allowed via core", "a set of packets may take several paths"),
])
def test_via_outside_one_allowed_flow_is_e903(line, why):
    m = _compile("transit-gateway.vpc", line)
    [d] = _codes(m, "E903")
    assert d.message == "`via` needs one allowed flow of one protocol and port"
    assert d.hint.startswith(why)


def test_an_unknown_via_name_is_e201_with_a_suggestion_and_cli_exit_1(tmp_path, capsys):
    from vpcdsl.views.cli import main
    path = tmp_path / "t.vpc"
    path.write_text((EXAMPLES / "transit-gateway.vpc").read_text(encoding="utf-8")
                    + "\nexpect dc -> b-api-1 tcp 8443 allowed via cor\n", encoding="utf-8")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "E201" in text and "'core'" in text and "^^^" in text


def test_via_reaches_the_model_json_and_grammar_roundtrip():
    m = _compile("transit-gateway.vpc", "expect dc -> b-api-1 tcp 8443 allowed via dc-vpn, core")
    exp = m.expectations[-1]
    assert [r.name for r in exp.via] == ["dc-vpn", "core"]
    assert exp.span.end_col == len("expect dc -> b-api-1 tcp 8443 allowed via dc-vpn, core") + 1
