"""VPN, Direct Connect, BGP and CloudHub checks (E501-E509, W501, W502): edge cases."""

from __future__ import annotations

import pytest

import vpcdsl
from vpcdsl.checks import hybrid

CODES = {"E501", "E502", "E503", "E504", "E505", "E506", "E507", "E508", "E509", "W501", "W502"}

VPC = """
vpc prod {
  cidr 10.0.0.0/16
  subnet app-a 10.0.10.0/24 az a
  vgw prod-vgw
  route-table app for app-a { propagate prod-vgw }
  instance vpn-1 in app-a source-dest-check off
  instance web-1 in app-a
}
vpc shared {
  cidr 10.1.0.0/16
  subnet tools-a 10.1.0.0/24 az a
  vgw shared-vgw
}
tgw core { attach shared }
site hq 192.168.0.0/20 asn 65010
site branch 192.168.16.0/20 asn 65020
"""
VPC_LINES = VPC.count("\n")


def found(extra: str, codes=CODES) -> list[tuple[str, int, int]]:
    model = vpcdsl.loads(VPC + extra, filename="t.vpc", strict=False)
    return [(d.code, d.span.line - VPC_LINES, d.span.col) for d in model.diagnostics
            if d.code in codes]


def test_the_base_model_is_clean():
    assert found("") == []


# ---------------------------------------------------------------------------- VPNs

@pytest.mark.parametrize("target", ["prod-vgw", "core", "vpn-1"])
def test_vpn_targets(target):
    assert found(f"vpn v hq <-> {target} bgp\n") == []


def test_vpn_to_a_subnet():
    assert found("vpn v hq <-> app-a bgp\n") == [("E502", 1, 14)]


def test_vpn_to_an_unknown_name_is_left_to_the_names_check():
    assert found("vpn v hq <-> nowhere bgp\n") == []


def test_vpn_routing_must_be_chosen():
    assert found("vpn v hq <-> prod-vgw\n") == [("E509", 1, 5)]
    assert found("vpn v hq <-> prod-vgw static 192.168.0.0/20\n") == []


def test_software_vpn_with_source_dest_check_on_is_reported_once():
    got = found("vpn v1 hq <-> web-1 bgp\nvpn v2 branch <-> web-1 bgp\n")
    assert got == [("W502", -VPC_LINES + 8, 12)]


def test_vpn_over_a_dx_of_its_own_site():
    extra = "dx d hq <-> aws vif public\nvpn v hq <-> prod-vgw bgp over d\n"
    assert found(extra) == []


def test_vpn_over_a_dx_of_another_site():
    extra = "dx d hq <-> aws vif public\nvpn v branch <-> prod-vgw bgp over d\n"
    assert found(extra) == [("E504", 2, 36)]


# ---------------------------------------------------------------------------- ASNs

@pytest.mark.parametrize("asn, ok", [(64512, True), (65534, True), (4200000000, True),
                                     (4294967294, True), (65535, False), (64511, False),
                                     (7224, False), (4294967295, False)])
def test_amazon_side_asn_must_be_private(asn, ok):
    assert found(f"tgw edge asn {asn} {{ }}\n") == ([] if ok else [("E506", 1, 14)])
    assert found(f"dxgw g asn {asn} {{ }}\n") == ([] if ok else [("E506", 1, 12)])


@pytest.mark.parametrize("asn, ok", [(0, False), (1, True), (7224, True), (4294967294, True),
                                     (4294967295, False)])
def test_site_asn_range(asn, ok):
    assert found(f"site lab 172.16.0.0/24 asn {asn}\n") == ([] if ok else [("E506", 1, 28)])


# ---------------------------------------------------------------------------- Direct Connect

@pytest.mark.parametrize("dx, expected", [
    ("dx d hq <-> prod-vgw vif private", []),
    ("dx d hq <-> g vif private", []),
    ("dx d hq <-> aws vif public", []),
    ("dx d hq <-> aws vif private", [("E503", 2, 13)]),
    ("dx d hq <-> aws vif transit", [("E503", 2, 13)]),
    ("dx d hq <-> prod-vgw vif public", [("E503", 2, 13)]),
    ("dx d hq <-> prod-vgw vif transit", [("E503", 2, 13)]),
    ("dx d hq <-> g vif transit", [("E503", 2, 13)]),
    ("dx d hq <-> t vif transit", []),
    ("dx d hq <-> t vif private", [("E503", 2, 13)]),
    ("dx d hq <-> app-a vif private", []),      # wrong kind: E204 from the names check
])
def test_vif_against_target(dx, expected):
    extra = f"dxgw g {{ attach prod-vgw }}\n{dx}\nvpn b hq <-> prod-vgw bgp\nvpn c hq <-> core bgp\n"
    extra = "dxgw t { attach core }\n" + extra
    assert found(extra) == [(c, line + 1, col) for c, line, col in expected]


def test_dx_gateway_attachments():
    assert found("dxgw g { attach prod-vgw, shared-vgw }\n") == []
    assert found("dxgw g { attach core }\n") == []
    assert found("dxgw g { attach app-a }\n") == [("E505", 1, 17)]
    assert found("dxgw g {\n  attach prod-vgw\n  attach core, shared-vgw\n}\n") == [("E505", 3, 10)]


# ---------------------------------------------------------------------------- CloudHub

def test_cloudhub_needs_bgp_and_two_sites():
    same_asn = "site hq2 192.168.32.0/20 asn 65010\n"
    assert found(same_asn + "vpn a hq <-> prod-vgw static 192.168.0.0/20\n"
                            "vpn b hq2 <-> prod-vgw static 192.168.32.0/20\n") == []
    assert found(same_asn + "vpn a hq <-> prod-vgw bgp\nvpn b hq2 <-> shared-vgw bgp\n") == []
    assert found(same_asn + "vpn a hq <-> prod-vgw bgp\nvpn b hq2 <-> prod-vgw bgp\n") == [
        ("E501", 1, 30)]


def test_cloudhub_counts_private_vifs_on_the_vgw():
    extra = ("site hq2 192.168.32.0/20 asn 65010\nvpn a hq <-> prod-vgw bgp\n"
             "dx d hq2 <-> prod-vgw vif private\nvpn b hq2 <-> prod-vgw bgp\n")
    assert found(extra, {"E501"}) == [("E501", 1, 30)]


def test_one_site_with_two_vpns_is_not_cloudhub():
    assert found("vpn a hq <-> prod-vgw bgp\nvpn b hq <-> prod-vgw bgp\n") == []


def test_cloudhub_overlap_reported_once_at_the_later_site():
    extra = ("site lab 192.168.0.0/16 asn 65030\nvpn a hq <-> prod-vgw bgp\n"
             "vpn b lab <-> prod-vgw bgp\nvpn c lab <-> prod-vgw bgp\n")
    assert found(extra) == [("E507", 1, 10)]


# ---------------------------------------------------------------------------- advertisements

@pytest.mark.parametrize("adv, expected", [
    ("advertise hq 192.168.0.0/20", []),
    ("advertise hq 192.168.4.0/22 via a prepend 3", []),
    ("advertise hq 192.168.16.0/22", [("E508", 3, 14)]),
    ("advertise hq 192.168.0.0/16", [("E508", 3, 14)]),
    ("advertise hq 192.168.0.0/22 via b", [("E508", 3, 33)]),
    ("advertise nowhere 10.9.0.0/16", []),
])
def test_advertisements(adv, expected):
    extra = f"vpn a hq <-> prod-vgw bgp\nvpn b branch <-> prod-vgw bgp\n{adv}\n"
    assert found(extra) == expected


# ---------------------------------------------------------------------------- redundancy

def test_single_dx_without_backup():
    assert found("dx d hq <-> prod-vgw vif private\n") == [("W501", 1, 4)]


@pytest.mark.parametrize("backup", [
    "vpn v hq <-> prod-vgw bgp",                            # VPN to the same VGW
    "dx d2 hq <-> prod-vgw vif private",                    # a second DX
    "dxgw g { attach prod-vgw }\ndx d2 hq <-> g vif private",  # a second DX via a DX gateway
    "dx p hq <-> aws vif public\nvpn v hq <-> prod-vgw bgp over p",  # VPN over another circuit
])
def test_backups(backup):
    assert found(f"dx d hq <-> prod-vgw vif private\n{backup}\n", {"W501"}) == []


def test_vpn_over_the_same_dx_is_no_backup():
    extra = "dx d hq <-> prod-vgw vif private\nvpn v hq <-> prod-vgw bgp over d\n"
    assert found(extra, {"W501"}) == [("W501", 1, 4)]


def test_backup_of_another_site_does_not_count():
    extra = "dx d hq <-> prod-vgw vif private\nvpn v branch <-> prod-vgw bgp\n"
    assert found(extra, {"W501"}) == [("W501", 1, 4)]


def test_dx_gateway_reaching_two_vgws_needs_a_backup_for_each():
    extra = ("dxgw g { attach prod-vgw, shared-vgw }\ndx d hq <-> g vif private\n"
             "vpn v hq <-> prod-vgw bgp\n")
    model = vpcdsl.loads(VPC + extra, filename="t.vpc", strict=False)
    [d] = [d for d in model.diagnostics if d.code == "W501"]
    assert d.message == ("Direct Connect 'd' is the only link from site 'hq' to virtual private "
                         "gateway 'shared-vgw'")


def test_public_vif_needs_no_backup():
    assert found("dx d hq <-> aws vif public\n") == []


def test_hybrid_check_survives_unresolved_names():
    extra = ("vpn v nowhere <-> nothing\ndx d nobody <-> nothing vif transit\n"
             "dxgw g { attach nothing }\nadvertise nobody 10.0.0.0/8 via nothing\n"
             "vpn w hq <-> prod-vgw bgp over nothing\n")
    model = vpcdsl.loads(VPC + extra, filename="t.vpc", strict=False)
    assert [d.code for d in hybrid.check(model)] == ["E509"]
