"""The networkx view of a model: node ids, attributes, edges, determinism, robustness.

Models here are parsed and resolved without running the checks: the graph
depends on the resolved model only, and must hold up whatever the checks say.
"""

from __future__ import annotations

import time
from ipaddress import IPv4Address, IPv4Network, IPv6Network

import networkx as nx
import pytest

import vpcdsl
from vpcdsl.model.graph import (
    AZ, CIDR, CIDRS, EDGE_KIND, GATEWAY_TYPE, IMPLICIT, IPV6, KIND, LISTENER, MAIN, NAME, NET,
    OBJECT, ORIGIN, PARTITION, PORT, PREFIX, PROTOCOL, REGION, ROLE, SPAN, STATIC_ONLY, SUBNET,
    SUBNETS, VPC, EdgeKind, NodeKind, Origin, build_graph, id_of, node_id, split_id, view,
)
from vpcdsl.model.network import KIND_OF
from vpcdsl.syntax.parser import parse
from vpcdsl.model.resolve import resolve
from vpcdsl.span import Span


def resolved(text: str, filename: str = "t.vpc"):
    """A resolved model without the checks (so the graph is tested on its own)."""
    file, diags = parse(text, filename)
    assert file is not None, diags
    return resolve((file,), path=filename, sources={filename: text})


def edges(G, kind=None, u=None, v=None):
    """(u, v, data) of the edges of `kind`, optionally from `u` and/or to `v`, in order."""
    return [(a, b, d) for a, b, d in G.edges(data=True)
            if (kind is None or d[EDGE_KIND] == kind) and (u is None or a == u) and (v is None or b == v)]


@pytest.fixture(scope="module")
def three_tier(examples_dir):
    path = examples_dir / "three-tier.vpc"
    text = path.read_text(encoding="utf-8")
    return resolved(text, str(path))


@pytest.fixture(scope="module")
def G(three_tier):
    return build_graph(three_tier)


# --------------------------------------------------------------------- nodes

def test_subnet_attributes(G, three_tier):
    d = G.nodes["subnet:public-a"]
    assert d[KIND] == NodeKind.SUBNET == "subnet"
    assert d[NAME] == "public-a"
    assert d[AZ] == "us-east-1a"
    assert d[CIDR] == IPv4Network("10.0.0.0/24")
    assert d[IPV6] == IPv6Network("2600:1f18:6c0:d900::/64")
    assert d[REGION] == "us-east-1" and d[VPC] == "prod"
    assert d[OBJECT] is three_tier.subnets["public-a"]
    assert isinstance(d[SPAN], Span) and d[SPAN].line == 8
    assert G.nodes["subnet:public-b"][AZ] == "us-east-1b"
    assert G.nodes["subnet:public-b"][IPV6] is None


def test_vpc_attributes(G):
    d = G.nodes["vpc:prod"]
    assert d[KIND] == "vpc" and d[REGION] == "us-east-1"
    assert d[CIDR] == IPv4Network("10.0.0.0/16")
    assert d[IPV6] == IPv6Network("2600:1f18:6c0:d900::/56")
    assert d[CIDRS] == (IPv4Network("10.0.0.0/16"), IPv6Network("2600:1f18:6c0:d900::/56"))
    assert G.nodes["vpc:shared"][IPV6] is None


def test_gateway_nodes(G):
    expected = {"igw:prod-igw": "igw", "eigw:prod-eigw": "eigw", "nat:nat-a": "nat", "vgw:prod-vgw": "vgw"}
    for node, gateway_type in expected.items():
        assert G.nodes[node][KIND] == NodeKind.GATEWAY
        assert G.nodes[node][GATEWAY_TYPE] == gateway_type
        assert G.nodes[node][VPC] == "prod"
    nat = G.nodes["nat:nat-a"]
    assert nat[AZ] == "us-east-1a" and nat[SUBNET] == "public-a"


def test_instance_and_endpoint_nodes(G):
    db = G.nodes["instance:db-1"]
    assert db[KIND] == "instance" and db[AZ] == "us-east-1a" and db[SUBNET] == "db-a"
    assert db["ip"] == IPv4Address("10.0.20.10")
    ep = G.nodes["gateway-endpoint:s3-gw"]
    assert ep[KIND] == NodeKind.ENDPOINT and ep["endpoint_type"] == "gateway" and ep["service"] == "s3"
    assert G.nodes["lb:web-alb"]["lb_type"] == "application"
    assert G.nodes["service:s3"] == {KIND: "service", NAME: "s3"}
    assert G.nodes["internet"] == {KIND: "internet", NAME: "internet"}


def test_implicit_objects_are_nodes(G):
    main = G.nodes["route-table:prod.main"]
    assert main[KIND] == "route-table" and main[MAIN] and main[IMPLICIT]
    assert G.nodes["route-table:private"][MAIN] is False
    assert G.nodes["nacl:prod.default-nacl"][IMPLICIT]
    assert G.nodes["sg:shared.default-sg"][IMPLICIT]
    assert not G.nodes["sg:web"][IMPLICIT]


def test_node_ids_are_kind_colon_name(G):
    known = set(KIND_OF.values()) | {"service", "dns-zone"}
    kinds = {v for k, v in vars(NodeKind).items() if k.isupper()}
    for node, d in G.nodes(data=True):
        kind, name = split_id(node)
        assert d[NAME] == name
        assert d[KIND] in kinds
        if node in ("internet", "blackhole"):
            assert d[KIND] == node
            continue
        assert node == node_id(kind, name) and kind in known
        if OBJECT in d and kind in KIND_OF.values():
            assert id_of(d[OBJECT]) == node
        if d[KIND] == NodeKind.GATEWAY:
            assert d[GATEWAY_TYPE] == kind
    # Every object of a VPC knows its region and VPC.
    for vpc in ("prod", "shared"):
        inside = [n for n, d in G.nodes(data=True) if d.get(VPC) == vpc]
        assert all(G.nodes[n][REGION] == "us-east-1" for n in inside)
    assert len([n for n in G if G.nodes[n].get(VPC) == "prod"]) == 24


def test_nodes_in_source_order(G):
    nodes = list(G.nodes)
    assert nodes[:4] == ["internet", "vpc:prod", "subnet:public-a", "subnet:public-b"]
    assert nodes.index("vpc:shared") < nodes.index("peering:prod-shared") < nodes.index("site:office") \
        < nodes.index("vpn:office-vpn")


# --------------------------------------------------------------------- edges

def test_edge_kinds_are_documented(G):
    kinds = {v for k, v in vars(EdgeKind).items() if k.isupper()}
    assert {d[EDGE_KIND] for _, _, d in G.edges(data=True)} <= kinds
    for _, _, d in edges(G, EdgeKind.ROUTE):
        assert isinstance(d[PREFIX], str) and d[ORIGIN] in (Origin.LOCAL, Origin.STATIC, Origin.ENDPOINT)


def test_route_to_nat(G):
    (_, _, d), = edges(G, EdgeKind.ROUTE, "route-table:private", "nat:nat-a")
    assert d[PREFIX] == "0.0.0.0/0" and d[NET] == IPv4Network("0.0.0.0/0")
    assert d[ORIGIN] == Origin.STATIC
    assert (d[SPAN].line, d[SPAN].col) == (24, 5)


def test_routes_of_private_table(G):
    got = [(v, d[PREFIX], d[ORIGIN]) for _, v, d in edges(G, EdgeKind.ROUTE, "route-table:private")]
    assert got == [
        ("vpc:prod", "10.0.0.0/16", "local"),
        ("vpc:prod", "2600:1f18:6c0:d900::/56", "local"),
        ("nat:nat-a", "0.0.0.0/0", "static"),
        ("eigw:prod-eigw", "::/0", "static"),
        ("peering:prod-shared", "10.20.0.0/16", "static"),
        ("gateway-endpoint:s3-gw", "s3", "endpoint"),
    ]
    (_, _, d), = edges(G, EdgeKind.ROUTE, "route-table:private", "gateway-endpoint:s3-gw")
    assert d[NET] is None
    (_, v, d), = edges(G, EdgeKind.PROPAGATION, "route-table:private")
    assert v == "vgw:prod-vgw" and d[SPAN].line == 27


def test_two_routes_to_one_gateway_are_two_edges(G):
    keys = sorted(G["route-table:public"]["igw:prod-igw"])
    assert keys == [0, 1]
    assert [G.edges["route-table:public", "igw:prod-igw", k][PREFIX] for k in keys] == ["0.0.0.0/0", "::/0"]


def test_peering_edges_both_ways(G):
    (_, _, there), = edges(G, EdgeKind.PEERING, "vpc:prod", "vpc:shared")
    (_, _, back), = edges(G, EdgeKind.PEERING, "vpc:shared", "vpc:prod")
    assert there[NAME] == back[NAME] == "prod-shared"
    assert (there[ROLE], back[ROLE]) == ("requester", "accepter")
    assert there[SPAN].line == 58
    roles = {v: d[ROLE] for _, v, d in edges(G, EdgeKind.ATTACHMENT, "peering:prod-shared")}
    assert roles == {"vpc:prod": "requester", "vpc:shared": "accepter"}


def test_contains_edges(G):
    inner = {v for _, v, _ in edges(G, EdgeKind.CONTAINS, "vpc:prod")}
    assert {"subnet:public-a", "igw:prod-igw", "route-table:private", "nacl:db", "sg:web",
            "gateway-endpoint:s3-gw", "route-table:prod.main"} <= inner
    assert "instance:web-1" not in inner  # it lives in its subnet
    assert [v for _, v, _ in edges(G, EdgeKind.CONTAINS, "subnet:public-a")] == ["nat:nat-a", "lb:web-alb"]
    assert [u for u, _, _ in edges(G, EdgeKind.CONTAINS, v="lb:web-alb")] == ["subnet:public-a", "subnet:public-b"]
    # Containment reaches every object of a VPC from its VPC node.
    tree = view(G, EdgeKind.CONTAINS)
    assert nx.descendants(tree, "vpc:prod") == {n for n, d in G.nodes(data=True) if d.get(VPC) == "prod"} - {"vpc:prod"}


def test_associations(G):
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "route-table:public")] == ["subnet:public-a", "subnet:public-b"]
    (_, _, d), = edges(G, EdgeKind.ASSOCIATED, "nacl:db", "subnet:db-a")
    assert (d[SPAN].line, d[SPAN].col) == (30, 15) and IMPLICIT not in d
    # Subnets no NACL names use the default NACL; no subnet is left to the main table here.
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "nacl:prod.default-nacl")] == \
        ["subnet:public-a", "subnet:public-b", "subnet:app-a", "subnet:app-b"]
    assert all(d[IMPLICIT] for _, _, d in edges(G, EdgeKind.ASSOCIATED, "nacl:prod.default-nacl"))
    assert edges(G, EdgeKind.ASSOCIATED, "route-table:prod.main") == []
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "sg:web")] == ["instance:web-1", "instance:web-2"]
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "sg:alb")] == ["lb:web-alb"]


def test_gateway_attachments(G):
    assert [(v, d[ROLE]) for _, v, d in edges(G, EdgeKind.ATTACHMENT, "igw:prod-igw")] == \
        [("vpc:prod", "vpc"), ("internet", "internet")]
    assert [(v, d[ROLE]) for _, v, d in edges(G, EdgeKind.ATTACHMENT, "vgw:prod-vgw")] == [("vpc:prod", "vpc")]
    assert [(v, d[ROLE]) for _, v, d in edges(G, EdgeKind.ATTACHMENT, "vpn:office-vpn")] == \
        [("site:office", "site"), ("vgw:prod-vgw", "target")]


def test_lb_targets(G):
    got = [(v, d[LISTENER], d[PROTOCOL], d[PORT]) for _, v, d in edges(G, EdgeKind.TARGET, "lb:web-alb")]
    assert got == [("instance:web-1", 443, "https", 8080), ("instance:web-2", 443, "https", 8080)]


def test_service_edge(G):
    (_, v, d), = edges(G, EdgeKind.SERVICE, "gateway-endpoint:s3-gw")
    assert v == "service:s3"


# ------------------------------------------------------------ implicit main

def test_implicit_main_table_associations():
    m = resolved("vpc a {\n cidr 10.0.0.0/16\n subnet s1 10.0.0.0/24 az a\n subnet s2 10.0.1.0/24 az b\n"
                 " route-table rt for s1 { 0.0.0.0/0 -> blackhole }\n}\n")
    G = build_graph(m)
    (u, v, d), = edges(G, EdgeKind.ASSOCIATED, "route-table:a.main")
    assert v == "subnet:s2" and d[IMPLICIT] is True and SPAN not in d
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "route-table:rt")] == ["subnet:s1"]
    (_, v, d), = edges(G, EdgeKind.ROUTE, "route-table:rt", "blackhole")
    assert d[PREFIX] == "0.0.0.0/0" and G.nodes["blackhole"][KIND] == NodeKind.BLACKHOLE


def test_written_main_table_takes_the_unassociated_subnets():
    m = resolved("vpc a {\n cidr 10.0.0.0/16\n subnet s1 10.0.0.0/24 az a\n subnet s2 10.0.1.0/24 az b\n"
                 " route-table m main { }\n route-table rt for s1 { }\n}\n")
    G = build_graph(m)
    assert "route-table:a.main" not in G
    assert [(v, d.get(IMPLICIT)) for _, v, d in edges(G, EdgeKind.ASSOCIATED, "route-table:m")] == [("subnet:s2", True)]


def test_instance_without_sg_uses_the_default_sg():
    m = resolved("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n instance i in s\n}\n")
    G = build_graph(m)
    (u, _, d), = edges(G, EdgeKind.ASSOCIATED, v="instance:i")
    assert u == "sg:a.default-sg" and d[IMPLICIT] is True


# -------------------------------------------------------------------- hybrid

HYBRID = """\
region eu-west-1
vpc hub {
  cidr 10.1.0.0/16
  subnet hub-a 10.1.0.0/24 az a
  subnet hub-a2 10.1.1.0/24 az a
  subnet hub-b 10.1.2.0/24 az b
  vgw hub-vgw
  instance web in hub-a
  instance web2 in hub-b
  lb nlb network internal in hub-a, hub-b {
    listen tcp 443 -> web, web2:8443
  }
  endpoint ssm-ep interface ssm in hub-a, hub-b private-dns
  route-table rt main { 10.2.0.0/16 -> core }
}
vpc spoke {
  cidr 10.2.0.0/16
  subnet sp-a 10.2.0.0/24 az a
}
tgw core asn 64600 {
  attach hub
  attach spoke for sp-a static-only
  route 0.0.0.0/0 -> hub
  route 10.99.0.0/16 -> blackhole
}
site dc 192.168.0.0/16 asn 65001
dxgw dgw { attach hub-vgw }
dx link dc <-> dgw vif private vlan 101
dx pub dc <-> aws vif public
vpn dc-vpn dc <-> hub-vgw static 192.168.0.0/16 over link
placement grp partition 2 { web@1, web2@2 }
cdn edge origin nlb
dns example.com {
  www A simple edge
  app A simple nlb
}
dns example.com private for hub { db A simple 10.1.0.10 }
"""


@pytest.fixture(scope="module")
def H():
    return build_graph(resolved(HYBRID))


def test_tgw_attachments_and_routes(H):
    att = {v: d for _, v, d in edges(H, EdgeKind.ATTACHMENT, "tgw:core")}
    assert att["vpc:hub"][SUBNETS] == ("hub-a", "hub-b")  # the first subnet of each AZ
    assert att["vpc:hub"][STATIC_ONLY] is False
    assert att["vpc:spoke"][SUBNETS] == ("sp-a",) and att["vpc:spoke"][STATIC_ONLY] is True
    routes = [(v, d[PREFIX]) for _, v, d in edges(H, EdgeKind.ROUTE, "tgw:core")]
    assert routes == [("vpc:hub", "0.0.0.0/0"), ("blackhole", "10.99.0.0/16")]
    assert [(v, d[PREFIX]) for _, v, d in edges(H, EdgeKind.ROUTE, "route-table:rt", "tgw:core")] == \
        [("tgw:core", "10.2.0.0/16")]
    assert H.nodes["tgw:core"][GATEWAY_TYPE] == "tgw" and H.nodes["tgw:core"]["asn"] == 64600


def test_hybrid_attachments(H):
    def att(u):
        return [(v, d[ROLE]) for _, v, d in edges(H, EdgeKind.ATTACHMENT, u)]
    assert att("dxgw:dgw") == [("vgw:hub-vgw", "target")]
    assert att("dx:link") == [("site:dc", "site"), ("dxgw:dgw", "target")]
    assert att("dx:pub") == [("site:dc", "site"), ("service:aws", "target")]
    assert att("vpn:dc-vpn") == [("site:dc", "site"), ("vgw:hub-vgw", "target"), ("dx:link", "over")]
    assert H.nodes["site:dc"][CIDRS] == (IPv4Network("192.168.0.0/16"),)
    assert H.nodes["site:dc"][REGION] == "eu-west-1"


def test_placement_cdn_dns(H):
    assert [(v, d[PARTITION]) for _, v, d in edges(H, EdgeKind.MEMBER, "placement:grp")] == \
        [("instance:web", 1), ("instance:web2", 2)]
    assert [v for _, v, _ in edges(H, EdgeKind.ORIGIN, "cdn:edge")] == ["lb:nlb"]
    assert [(v, d["label"]) for _, v, d in edges(H, EdgeKind.ALIAS, "dns-zone:example.com")] == \
        [("cdn:edge", "www"), ("lb:nlb", "app")]
    # A second zone for the same domain (split horizon) gets its own id.
    assert H.nodes["dns-zone:example.com#2"]["private"] is True
    assert [v for _, v, _ in edges(H, EdgeKind.ASSOCIATED, "dns-zone:example.com#2")] == ["vpc:hub"]


def test_endpoint_and_nlb(H):
    homes = [u for u, _, _ in edges(H, EdgeKind.CONTAINS, v="interface-endpoint:ssm-ep")]
    assert homes == ["subnet:hub-a", "subnet:hub-b"]
    assert [u for u, _, _ in edges(H, EdgeKind.ASSOCIATED, v="interface-endpoint:ssm-ep")] == ["sg:hub.default-sg"]
    assert edges(H, EdgeKind.ASSOCIATED, v="lb:nlb") == []  # an NLB without SGs has none
    assert [(v, d[PORT]) for _, v, d in edges(H, EdgeKind.TARGET, "lb:nlb")] == \
        [("instance:web", 443), ("instance:web2", 8443)]


# --------------------------------------------------------------- determinism

def _snapshot(G):
    return list(G.nodes(data=True)), list(G.edges(keys=True, data=True))


def test_two_builds_are_identical(three_tier, examples_dir):
    assert _snapshot(build_graph(three_tier)) == _snapshot(build_graph(three_tier))
    path = examples_dir / "three-tier.vpc"
    other = resolved(path.read_text(encoding="utf-8"), str(path))
    assert _snapshot(build_graph(other)) == _snapshot(build_graph(three_tier))
    assert build_graph(three_tier) is not build_graph(three_tier)


def test_graph_is_frozen_and_cached(three_tier):
    G = three_tier.graph
    assert G is three_tier.graph
    assert nx.is_frozen(G)
    with pytest.raises(nx.NetworkXError):
        G.add_node("x")
    H = G.copy()
    H.add_node("x")  # a copy is the analyses' to change
    assert "x" not in G
    assert G.graph["path"] == three_tier.path


def test_directory_model_orders_by_file(tmp_path):
    (tmp_path / "a.vpc").write_text("vpc b {\n cidr 10.1.0.0/16\n}\n", encoding="utf-8")
    (tmp_path / "b.vpc").write_text("peer p a -> b\nvpc a {\n cidr 10.0.0.0/16\n}\n", encoding="utf-8")
    m = vpcdsl.load_paths([tmp_path])
    G = build_graph(m)
    assert [n for n in G if n.startswith(("vpc:", "peering:"))] == ["vpc:b", "peering:p", "vpc:a"]
    assert len(edges(G, EdgeKind.PEERING)) == 2


# ---------------------------------------------------------------- robustness

BROKEN = """\
vpc a {
  cidr 10.0.0.0/16
  subnet s1 10.0.0.0/24 az a
  subnet s1 10.0.1.0/24 az b
  subnet s3 10.9.0.0/24 az a
  nat n in nowhere
  nat-instance ni in s1 sg nosg
  route-table rt for s1, nosuch, n {
    0.0.0.0/0 -> ghost
    10.1.0.0/16 -> s1
    propagate nowhere
  }
  sg x { in any from ghost-sg }
  instance i in nowhere sg nope
  endpoint e gateway s3 for nort
  lb l application internal in s1, ghost { listen http 80 -> ghost:80, i, 10.0.0.5:80 }
}
vpc a { cidr 10.1.0.0/16 }
peer p a -> nobody
tgw t {
  attach nobody
  route 10.0.0.0/8 -> ghost
}
vpn v nosite <-> nobody bgp
dxgw g { attach nobody }
dx d nosite <-> nobody vif private
placement pg cluster { i, nobody, s1 }
cdn c origin ghost
dns example.com private for nobody { www A simple ghost }
"""


def test_unresolved_references_are_skipped():
    m = resolved(BROKEN)
    G = build_graph(m)
    names = {split_id(n)[1] for n in G}
    for ghost in ("nowhere", "nosg", "nosuch", "ghost", "ghost-sg", "nope", "nort", "nobody", "nosite"):
        assert ghost not in names
    assert "subnet:s3" not in G  # a reserved name is no node (`service:s3` is the endpoint's)
    assert G.number_of_nodes() == len(set(G.nodes))
    # The first `vpc a` and `subnet s1` win; duplicates are not nodes.
    assert G.nodes["vpc:a"][CIDR] == IPv4Network("10.0.0.0/16")
    assert G.nodes["subnet:s1"][CIDR] == IPv4Network("10.0.0.0/24")
    # Objects whose subnet does not resolve live in their VPC.
    assert [u for u, _, _ in edges(G, EdgeKind.CONTAINS, v="nat:n")] == ["vpc:a"]
    assert [u for u, _, _ in edges(G, EdgeKind.CONTAINS, v="instance:i")] == ["vpc:a"]
    # Only the references that resolve to the right kind become edges.
    assert [v for _, v, _ in edges(G, EdgeKind.ASSOCIATED, "route-table:rt")] == ["subnet:s1"]
    assert [d[ORIGIN] for _, _, d in edges(G, EdgeKind.ROUTE, "route-table:rt")] == ["local"]
    assert edges(G, EdgeKind.ASSOCIATED, v="instance:i") == []  # `sg nope` written: no default SG
    assert [v for _, v, _ in edges(G, EdgeKind.TARGET, "lb:l")] == ["instance:i"]
    assert [v for _, v, _ in edges(G, EdgeKind.MEMBER, "placement:pg")] == ["instance:i"]
    assert [v for _, v, _ in edges(G, EdgeKind.ATTACHMENT, "peering:p")] == ["vpc:a"]
    assert edges(G, EdgeKind.PEERING) == []
    assert G.nodes["peering:p"]["cross_region"] is None
    for node in ("tgw:t", "vpn:v", "dxgw:g", "dx:d", "cdn:c", "dns-zone:example.com"):
        assert list(G.out_edges(node)) == []


def test_strict_false_model_with_unknown_name():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n instance i in s sg nope\n"
                     " route-table rt for s { 0.0.0.0/0 -> nowhere }\n}\n", strict=False)
    G = m.graph
    assert "instance:i" in G and not any("nope" in n or "nowhere" in n for n in G)
    assert [d[ORIGIN] for _, _, d in edges(G, EdgeKind.ROUTE, "route-table:rt")] == ["local"]


def test_syntax_errors_give_a_graph_of_nothing():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n", strict=False)
    assert not m.ok
    assert list(m.graph.nodes) == ["internet"]
    assert m.graph.number_of_edges() == 0


def test_build_does_not_touch_the_model(three_tier):
    before = (list(three_tier.vpcs.values()), list(three_tier.diagnostics))
    build_graph(three_tier)
    assert (list(three_tier.vpcs.values()), list(three_tier.diagnostics)) == before


# --------------------------------------------------------------- performance

def test_large_model_builds_fast():
    parts = []
    for v in range(300):
        b = v // 250
        lines = [f"vpc v{v} {{", f"  cidr 10.{v % 250}.0.0/16" if b == 0 else f"  cidr 172.{16 + v % 16}.0.0/16"]
        subnets = [f"s{v}x{i}" for i in range(10)]
        for i, s in enumerate(subnets):
            lines.append(f"  subnet {s} size /24 az {'ab'[i % 2]}")
        lines.append(f"  igw g{v}")
        lines.append(f"  route-table r{v} for {', '.join(subnets)} {{ 0.0.0.0/0 -> g{v} }}")
        lines.append(f"  sg w{v} {{ in tcp 443 from any }}")
        lines += [f"  instance i{v}x{i} in {s} sg w{v}" for i, s in enumerate(subnets)]
        lines.append("}")
        parts.append("\n".join(lines))
    m = resolved("\n".join(parts) + "\n")
    assert len(m.subnets) == 3000
    start = time.perf_counter()
    G = build_graph(m)
    elapsed = time.perf_counter() - start
    assert G.number_of_nodes() == 1 + 300 * 27
    assert elapsed < 3.0, elapsed


def test_instance_carries_enhanced_networking():
    import vpcdsl
    from vpcdsl.model.graph import BANDWIDTH_GBPS, NETWORK

    model = vpcdsl.loads(
        "vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n"
        " instance i1 in s\n instance i2 in s network intel-82599\n instance i3 in s network none\n}")
    nodes = model.graph.nodes
    assert (nodes["instance:i1"][NETWORK], nodes["instance:i1"][BANDWIDTH_GBPS]) == ("ena", 100)
    assert (nodes["instance:i2"][NETWORK], nodes["instance:i2"][BANDWIDTH_GBPS]) == ("intel-82599", 10)
    assert (nodes["instance:i3"][NETWORK], nodes["instance:i3"][BANDWIDTH_GBPS]) == ("none", None)
