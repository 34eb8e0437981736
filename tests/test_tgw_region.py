"""A transit gateway is regional (SEMANTICS.md, Transit gateways).

Amazon VPC Transit Gateways guide, "How transit gateways work" and "Transit gateway
attachments to a VPC": a transit gateway is a regional resource and attaches VPCs of its
own Region; VPCs of other Regions are reached by transit gateway peering. vpcdsl gives a
TGW the region in effect where it is declared (as a VPC without `region`), or the one
written on it (`tgw NAME region R`), and reports an attachment across regions as E312.
"""

from __future__ import annotations

import vpcdsl

TWO_REGIONS = """\
region us-east-1
vpc east {
  cidr 10.1.0.0/16
  subnet e1 10.1.1.0/24 az a
}
region eu-west-1
vpc west {
  cidr 10.2.0.0/16
  subnet w1 10.2.1.0/24 az a
}
"""


def compile(tgw: str) -> vpcdsl.Model:
    return vpcdsl.loads(TWO_REGIONS + tgw, filename="t.vpc", strict=False)


def codes(m: vpcdsl.Model) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in m.diagnostics if d.severity == "error"]


def test_a_tgw_takes_the_region_in_effect_where_it_is_declared():
    m = compile("tgw hub {\n  attach west\n}\n")
    assert m.tgws["hub"].region_name == "eu-west-1"
    assert codes(m) == []
    assert m.graph.nodes["tgw:hub"]["region"] == "eu-west-1"


def test_a_written_region_wins_over_the_one_in_effect():
    m = compile("tgw hub region us-east-1 asn 64512 {\n  attach east\n}\n")
    assert (m.tgws["hub"].region_name, m.tgws["hub"].asn) == ("us-east-1", 64512)
    assert codes(m) == []


def test_attaching_a_vpc_of_another_region_is_an_error():
    m = compile("tgw hub {\n  attach west\n  attach east\n}\n")
    (d,) = [d for d in m.diagnostics if d.code == "E312"]
    assert d.span.line == 13 and d.span.col == 10
    assert d.message == "transit gateway 'hub' (eu-west-1) cannot attach VPC 'east' of region us-east-1"
    assert "`tgw NAME region us-east-1`" in d.hint


def test_an_unknown_tgw_region_is_e213():
    m = compile("tgw hub region eu-wset-1 {\n}\n")
    (d,) = [d for d in m.diagnostics if d.code == "E213"]
    assert d.span.line == 11 and "eu-west-1" in d.hint


def test_a_tgw_is_drawn_in_its_region():
    from vpcdsl.views.render import dot_source
    dot = dot_source(vpcdsl.loads(TWO_REGIONS + "tgw hub {\n  attach west\n}\n", filename="t.vpc"))
    west = dot.index("cluster_region__eu-west-1")
    east = dot.index("cluster_region__us-east-1")
    hub = dot.index("tgw__hub")
    assert west < hub and (east < west or hub < east), dot   # inside the eu-west-1 cluster
