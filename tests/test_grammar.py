"""The grammar: conflict-free, accepts every form the language reference shows.

Spec snippets live in tests/fixtures/spec-snippets/ as copies of the fenced
blocks of ../shared/spec/LANGUAGE.md (NN.vpc for real .vpc text, NN.summary.txt
for blocks written in the reference's [optional] (a | b) notation); a test keeps
the copies identical to the spec whenever the spec sits beside the repository.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from vpcdsl.syntax import ast
from vpcdsl.syntax.grammar import build_parser, tree_parser
from vpcdsl.syntax.parser import parse

REPO_ROOT = Path(__file__).resolve().parent.parent
# The language contract lives beside the repository (../shared/spec/); a copy is
# kept in the fixtures so that a clean clone checks the snippets too.
SHARED_SPEC = REPO_ROOT.parent / "shared" / "spec" / "LANGUAGE.md"
SPEC = Path(__file__).parent / "fixtures" / "LANGUAGE.md"
SNIPPETS = Path(__file__).parent / "fixtures" / "spec-snippets"


def parse_ok(text: str) -> ast.File:
    file, diagnostics = parse(text, "t.vpc")
    assert not diagnostics, "\n".join(f"{d.span}: {d.code} {d.message}" for d in diagnostics)
    assert file is not None
    return file


def syntax_ok(text: str) -> None:
    """Parses; the transformer may still flag literals (`any 443`), a later stage's business."""
    file, diagnostics = parse(text, "t.vpc")
    assert file is not None, "\n".join(f"{d.span}: {d.code} {d.message}" for d in diagnostics)


def statement(text: str):
    return parse_ok(text).statements[-1]


def vpc_member(text: str):
    return statement("vpc v {\n" + text + "\n}").members[-1]


# ----------------------------------------------------------------------------
# The grammar itself
# ----------------------------------------------------------------------------

def test_grammar_builds_without_conflicts():
    """strict=True turns any LALR conflict or terminal collision into an error."""
    import interegular  # noqa: F401  (Lark needs it to check terminal collisions)

    build_parser(strict=True)


def test_empty_and_blank_files_parse():
    for text in ("", "\n", "   \n\n", "# only a comment", "# a\n\n# b\n", ";", "\n;\n;\n"):
        assert parse_ok(text).statements == ()


# ----------------------------------------------------------------------------
# The reference's own snippets
# ----------------------------------------------------------------------------

def _fenced_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)


def _is_notation(block: str) -> bool:
    """A block in the reference's notation has choices `(a | b)`; .vpc text never does."""
    return re.search(r"\([^()\n]*\|[^()\n]*\)", block) is not None


def _snippet_name(index: int, block: str) -> str:
    return f"{index:02d}.summary.txt" if _is_notation(block) else f"{index:02d}.vpc"


def test_the_copied_spec_is_the_shared_one():
    # Without ../shared (a clean clone in CI) the copy is all there is to check against.
    if SHARED_SPEC.exists():
        assert SPEC.read_text(encoding="utf-8") == SHARED_SPEC.read_text(encoding="utf-8"), (
            "tests/fixtures/LANGUAGE.md is out of date: copy ../shared/spec/LANGUAGE.md again")


def test_spec_snippets_are_current():
    blocks = _fenced_blocks(SPEC.read_text(encoding="utf-8"))
    expected = {_snippet_name(i, b): b for i, b in enumerate(blocks, 1)}
    actual = {p.name: p.read_text(encoding="utf-8") for p in sorted(SNIPPETS.iterdir())}
    assert actual == expected, (
        "tests/fixtures/spec-snippets/ is out of date with LANGUAGE.md: copy the fenced blocks again")


@pytest.mark.parametrize("path", sorted(SNIPPETS.glob("*.vpc")), ids=lambda p: p.name)
def test_spec_snippet_parses(path: Path):
    parse_ok(path.read_text(encoding="utf-8"))


# Concrete values for the placeholders of the notation; successive uses of a
# placeholder take successive values, so each form meets several of them.
PLACEHOLDERS = {
    "SRC": ["web-1", "internet", "10.0.0.10", "10.0.0.0/24", "2600:1f18::10", "office"],
    "DST": ["db-1", "s3", "192.0.2.1", "web-alb"],
    "PROTO": ["tcp", "udp", "icmp", "icmpv6", "any", "50"],
    "PORTS": ["443", "1024-65535", "any", "echo-request"],
    "A": ["web-1", "app-a", "10.0.0.0/16"],
    "B": ["db-1", "shared", "10.1.0.0/16"],
    "FQDN": ["www.example.com", "api.example.com."],
    "TYPE": ["A", "AAAA", "MX"],
    "CLIENT": ["eu-west-1", "DE", "continent EU", "state US-CA", "coords 48.86 2.35",
               "192.0.2.1", "2001:db8::1"],
    "ANSWER": ["192.0.2.1", "web-alb", '"10 mx.example.com"', "mx.example.com", "2001:db8::1"],
}


def expand(notation: str, values: dict[str, list[str]]) -> list[str]:
    """Every sentence of one line of the notation, placeholders filled in.

    ``[x]`` is optional, ``(a | b)`` a choice and ``X, ...`` a list of one or
    two X.
    """
    notation = re.sub(r"\b([A-Z_]+), \.\.\.", r"\1 [, \1]", notation)
    tokens = re.findall(r"[\[\]()|,]|[^\s\[\]()|,]+", notation)
    counters = {name: itertools.cycle(vals) for name, vals in values.items()}

    def sequence(i: int, stop: str) -> tuple[list[list[str]], int]:
        options: list[list[str]] = [[]]
        while i < len(tokens) and tokens[i] not in stop:
            alternatives, i = item(i)
            options = [o + a for o in options for a in alternatives]
        return options, i

    def item(i: int) -> tuple[list[list[str]], int]:
        tok = tokens[i]
        if tok == "[":
            inner, i = sequence(i + 1, "]")
            return [[]] + inner, i + 1
        if tok == "(":
            choices: list[list[str]] = []
            while tokens[i] != ")":
                inner, i = sequence(i + 1, "|)")
                choices += inner
            return choices, i + 1
        return [[tok]], i + 1

    sentences, _ = sequence(0, "")
    return [" ".join(next(counters[w]) if w in counters else w for w in s) for s in sentences]


def test_expand_the_notation():
    assert expand("a [b] (c | d)", {}) == ["a c", "a d", "a b c", "a b d"]
    assert expand("x X, ...", {"X": ["1", "2"]}) == ["x 1", "x 2 , 1"]


def _notation_lines() -> list[str]:
    lines = []
    for path in sorted(SNIPPETS.glob("*.summary.txt")):
        lines += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


@pytest.mark.parametrize("line", _notation_lines())
def test_spec_notation_line_parses_in_every_form(line: str):
    """Each line of a notation block, in all its optional and alternative forms."""
    sentences = expand(line, PLACEHOLDERS)
    assert sentences
    for sentence in sentences:
        syntax_ok(sentence)


# ----------------------------------------------------------------------------
# Every statement form of LANGUAGE.md §3, down to the AST node and its fields
# ----------------------------------------------------------------------------

def _names(refs) -> list[str]:
    return [r.name for r in refs]


TOP_LEVEL = [
    ("region", "region eu-west-1", ast.RegionStmt, lambda n: n.name.name == "eu-west-1"),
    ("vpc", "vpc prod region eu-west-1 {\n cidr 10.0.0.0/16\n cidr 10.1.0.0/16\n ipv6 2600:1f18::/56\n}",
     ast.Vpc, lambda n: (n.name, n.region.name, [c.text for c in n.cidrs], [c.text for c in n.ipv6])
     == ("prod", "eu-west-1", ["10.0.0.0/16", "10.1.0.0/16"], ["2600:1f18::/56"])),
    ("vpc-empty", "vpc prod {}", ast.Vpc, lambda n: n.members == () and n.region is None),
    ("peer", "peer prod-shared prod -> shared", ast.Peering,
     lambda n: (n.name, n.requester.name, n.accepter.name) == ("prod-shared", "prod", "shared")),
    ("tgw", "tgw hub asn 64512 {\n attach prod for app-a, app-b static-only\n attach shared\n"
            " route 10.0.0.0/8 -> prod\n route 10.9.0.0/16 -> blackhole\n}",
     ast.TransitGateway,
     lambda n: n.asn == 64512 and [(a.vpc.name, _names(a.subnets), a.static_only) for a in n.attachments]
     == [("prod", ["app-a", "app-b"], True), ("shared", [], False)]
     and isinstance(n.routes[0].target, ast.Ref) and isinstance(n.routes[1].target, ast.Blackhole)),
    ("site", "site office 192.168.0.0/16, 172.16.0.0/12 asn 65010 ephemeral 32768-60999", ast.Site,
     lambda n: ([c.text for c in n.cidrs], n.asn, (n.ephemeral.low, n.ephemeral.high))
     == (["192.168.0.0/16", "172.16.0.0/12"], 65010, (32768, 60999))),
    ("vpn-bgp", "vpn office-vpn office <-> prod-vgw bgp", ast.Vpn,
     lambda n: (n.site.name, n.target.name, n.routing, n.over) == ("office", "prod-vgw", "bgp", None)),
    ("vpn-static-over", "vpn v office <-> hub static 192.168.0.0/16, 10.9.0.0/16 over office-dx", ast.Vpn,
     lambda n: n.routing == "static" and [c.text for c in n.static_cidrs] == ["192.168.0.0/16", "10.9.0.0/16"]
     and n.over.name == "office-dx"),
    ("dxgw", "dxgw dgw asn 64513 {\n attach prod-vgw, hub\n}", ast.DxGateway,
     lambda n: n.asn == 64513 and _names(n.attachments) == ["prod-vgw", "hub"]),
    ("dx", "dx office-dx office <-> dgw vif transit vlan 101 bandwidth 10Gbps", ast.DirectConnect,
     lambda n: (n.target.name, n.vif, n.vlan, n.bandwidth) == ("dgw", "transit", 101, "10Gbps")),
    ("dx-aws", "dx pub office <-> aws vif public", ast.DirectConnect,
     lambda n: n.target is None and n.vif == "public"),
    ("advertise", "advertise office 192.168.0.0/16 via office-dx prepend 2 community 7224:7100",
     ast.Advertise,
     lambda n: (n.site.name, n.cidr.text, n.via.name, n.prepend, n.community)
     == ("office", "192.168.0.0/16", "office-dx", 2, "7224:7100")),
    ("placement-cluster", "placement pg cluster { web-1, web-2 }", ast.PlacementGroup,
     lambda n: n.strategy == "cluster" and [m.instance.name for m in n.members] == ["web-1", "web-2"]),
    ("placement-partition", "placement pg partition 3 {\n web-1@1\n web-2@2, web-3\n}", ast.PlacementGroup,
     lambda n: n.strategy == "partition" and n.partitions == 3
     and [(m.instance.name, m.partition) for m in n.members] == [("web-1", 1), ("web-2", 2), ("web-3", None)]),
    ("dns", "dns example.com private for prod, shared {\n www A simple 192.0.2.1\n}", ast.DnsZone,
     lambda n: n.name == "example.com" and _names(n.private_vpcs) == ["prod", "shared"] and n.private),
    ("cdn", "cdn site origin web-alb policy TLSv1.2_2021 ssl sni", ast.Cdn,
     lambda n: (n.origin.name, n.origin_is_domain, n.policy, n.ssl) == ("web-alb", False, "TLSv1.2_2021", "sni")),
    ("cdn-domain", "cdn site origin origin.example.com ssl dedicated-ip", ast.Cdn,
     lambda n: n.origin_is_domain and n.ssl == "dedicated-ip"),
    ("expect-flow", "expect web-1 -> db-1 tcp 5432 allowed", ast.ExpectFlow,
     lambda n: (n.src.text, n.dst.text, n.protocol.name, n.protocol.ports.low, n.verdict, n.by)
     == ("web-1", "db-1", "tcp", 5432, "allowed", None)),
    ("expect-by", "expect ci-1 -> web-1 tcp 8080 blocked by sg", ast.ExpectFlow,
     lambda n: n.verdict == "blocked" and n.by.name == "sg"),
    ("expect-addresses", "expect 10.0.0.10 -> 2600:1f18::10 blocked", ast.ExpectFlow,
     lambda n: (n.src.kind, n.dst.kind, n.protocol) == ("address", "address", None)),
    ("expect-isolated", "expect isolated prod, shared, 10.9.0.0/16", ast.ExpectIsolated,
     lambda n: [(e.text, e.kind) for e in n.ends] == [("prod", "name"), ("shared", "name"), ("10.9.0.0/16", "cidr")]),
    ("expect-dns", "expect dns www.example.com A from continent EU -> 192.0.2.1, web-alb", ast.ExpectDns,
     lambda n: (n.fqdn, n.type.name, n.client.kind, n.client.value, [a.kind for a in n.answers], n.no_answer)
     == ("www.example.com", "A", "continent", "EU", ["ipv4", "name"], False)),
    ("expect-dns-no-answer", "expect dns www.example.com from coords 48.86 2.35 -> no-answer", ast.ExpectDns,
     lambda n: n.no_answer and n.client.coords == (48.86, 2.35) and n.type is None),
    ("expect-valid", "expect valid", ast.ExpectValid, lambda n: True),
]

IN_VPC = [
    ("subnet-cidr", "subnet public-a 10.0.0.0/24 az a ipv6 2600:1f18::/64 public-ip", ast.Subnet,
     lambda n: (n.name, n.cidr.text, n.az.name, n.ipv6.text, n.public_ip)
     == ("public-a", "10.0.0.0/24", "a", "2600:1f18::/64", True)),
    ("subnet-size", "subnet app-b size /24 az us-east-1b", ast.Subnet,
     lambda n: (n.cidr, n.size, n.hosts, n.az.name, n.public_ip) == (None, 24, None, "us-east-1b", False)),
    ("subnet-hosts", "subnet db-a hosts 100 az c", ast.Subnet, lambda n: n.hosts == 100 and n.size is None),
    ("igw", "igw prod-igw", ast.InternetGateway, lambda n: n.name == "prod-igw"),
    ("eigw", "eigw prod-eigw", ast.EgressOnlyInternetGateway, lambda n: n.name == "prod-eigw"),
    ("nat", "nat nat-a in public-a", ast.NatGateway, lambda n: n.subnet.name == "public-a" and not n.private),
    ("nat-private", "nat nat-b in app-a private", ast.NatGateway, lambda n: n.private),
    ("nat-instance", "nat-instance ni in public-a sg nat, ssh source-dest-check off "
                     "forward 2222 -> bastion:22, 8000-8010 -> web-1:80", ast.NatInstance,
     lambda n: _names(n.sgs) == ["nat", "ssh"] and n.source_dest_check is False
     and [(str(f.port), f.instance.name, f.to_port) for f in n.forwards]
     == [("2222", "bastion", 22), ("8000-8010", "web-1", 80)]),
    ("nat-instance-default", "nat-instance ni in public-a", ast.NatInstance,
     lambda n: n.source_dest_check is True and n.sgs == () and n.forwards == ()),
    ("vgw", "vgw prod-vgw asn 64512", ast.VirtualPrivateGateway, lambda n: n.asn == 64512),
    ("vgw-bare", "vgw prod-vgw", ast.VirtualPrivateGateway, lambda n: n.asn is None),
    ("route-table", "route-table private main for app-a, app-b {\n 0.0.0.0/0 -> nat-a\n ::/0 -> eigw\n"
                    " s3 -> blackhole\n propagate prod-vgw\n}", ast.RouteTable,
     lambda n: n.main and _names(n.subnets) == ["app-a", "app-b"]
     and [(getattr(r.dest, "text", None) or r.dest.name, type(r.target).__name__) for r in n.routes]
     == [("0.0.0.0/0", "Ref"), ("::/0", "Ref"), ("s3", "Blackhole")]
     and _names(n.propagations) == ["prod-vgw"]),
    ("route-table-empty", "route-table r {}", ast.RouteTable,
     lambda n: not n.main and n.subnets == () and n.routes == ()),
    ("nacl", "nacl db for db-a, db-b {\n in 100 allow tcp 5432 from 10.0.10.0/23\n"
             " out 200 deny udp 1024-65535 to any\n in 300 deny icmp echo-request from 0.0.0.0/0\n}", ast.Nacl,
     lambda n: _names(n.subnets) == ["db-a", "db-b"]
     and [(r.direction, r.number, r.action, r.protocol.name) for r in n.rules]
     == [("in", 100, "allow", "tcp"), ("out", 200, "deny", "udp"), ("in", 300, "deny", "icmp")]
     and isinstance(n.rules[1].cidr, ast.AnyPeer) and n.rules[2].protocol.icmp_type == "echo-request"),
    ("sg", "sg web {\n in tcp 443 from 0.0.0.0/0, alb, any\n out icmp 8 to 10.0.0.0/8\n out none\n}",
     ast.SecurityGroup,
     lambda n: n.egress_none and [type(p).__name__ for p in n.rules[0].peers] == ["Cidr", "Ref", "AnyPeer"]
     and n.rules[1].protocol.icmp_type == "8"),
    ("sg-any", "sg tools { in any from 10.0.0.0/16 }", ast.SecurityGroup,
     lambda n: n.rules[0].protocol.name == "any" and n.rules[0].protocol.ports is None),
    ("instance", "instance web-1 in app-a", ast.Instance,
     lambda n: (n.subnet.name, n.sgs, n.ip, n.public_ip, n.network, n.source_dest_check, n.tenancy)
     == ("app-a", (), None, "none", "ena", True, "default")),
    ("instance-all-options", "instance vpn-1 in public-a sg web, ssh ip 10.0.0.10 eip os windows "
                             "ephemeral 49152-65535 type m5.large network intel-82599 source-dest-check off "
                             "tenancy dedicated", ast.Instance,
     lambda n: (_names(n.sgs), n.ip.text, n.public_ip, n.os, str(n.ephemeral), n.type, n.network,
                n.source_dest_check, n.tenancy)
     == (["web", "ssh"], "10.0.0.10", "eip", "windows", "49152-65535", "m5.large", "intel-82599", False,
         "dedicated")),
    ("instance-ipv6", "instance v6 in a ip 2600:1f18::10 public-ip network none tenancy host", ast.Instance,
     lambda n: n.ip.text == "2600:1f18::10" and n.public_ip == "public-ip" and n.network == "none"),
    ("endpoint-gateway", "endpoint s3-gw gateway s3 for private, public", ast.GatewayEndpoint,
     lambda n: n.service.name == "s3" and _names(n.route_tables) == ["private", "public"]),
    ("endpoint-interface", "endpoint ssm-ep interface ssm in app-a, app-b sg ep private-dns",
     ast.InterfaceEndpoint,
     lambda n: (n.service.name, _names(n.subnets), _names(n.sgs), n.private_dns)
     == ("ssm", ["app-a", "app-b"], ["ep"], True)),
    ("endpoint-interface-domain", "endpoint api interface com.amazonaws.us-east-1.execute-api in app-a",
     ast.InterfaceEndpoint, lambda n: n.service.name == "com.amazonaws.us-east-1.execute-api"),
    ("lb", "lb web-alb application internet-facing in public-a, public-b sg alb {\n"
           " listen https 443 -> web-1:8080, 10.0.1.5:80, [2600:1f18::10]:443\n"
           " rule 443 path /api/* -> api-1:8080\n rule 443 host *.example.com -> web-1\n"
           " rule 443 header X-Env \"blue green\" -> web-1\n rule 443 method POST -> web-1\n"
           " rule 443 query version=2 -> web-1\n rule 443 source-ip 10.0.0.0/8 -> web-1\n}",
     ast.LoadBalancer,
     lambda n: (n.type, n.scheme, _names(n.subnets), _names(n.sgs)) == ("application", "internet-facing",
                                                                         ["public-a", "public-b"], ["alb"])
     and [(t.ref.text if isinstance(t.ref, ast.Addr) else t.ref.name, t.port) for t in n.listeners[0].targets]
     == [("web-1", 8080), ("10.0.1.5", 80), ("2600:1f18::10", 443)]
     and [(r.condition, r.key, r.value) for r in n.rules]
     == [("path", None, "/api/*"), ("host", None, "*.example.com"), ("header", "X-Env", "blue green"),
         ("method", None, "POST"), ("query", "version", "2"), ("source-ip", None, "10.0.0.0/8")]),
    ("lb-network", "lb nlb network internal in app-a {\n listen tcp_udp 53 -> dns-1\n}", ast.LoadBalancer,
     lambda n: n.scheme == "internal" and n.listeners[0].protocol == "tcp_udp"
     and n.listeners[0].targets[0].port is None),
]

DNS_ITEMS = [
    ("health", "health hc-blue http 203.0.113.10:80 /health down",
     lambda z: [(h.name, h.protocol, h.host, h.port, h.path, h.down) for h in z.health_checks]
     == [("hc-blue", "http", "203.0.113.10", 80, "/health", True)]),
    ("health-domain", "health hc tcp app.example.com:443",
     lambda z: (z.health_checks[0].host, z.health_checks[0].path, z.health_checks[0].down)
     == ("app.example.com", None, False)),
    ("health-ipv6", "health hc https [2600:1f18::10]:443 /",
     lambda z: z.health_checks[0].host == "2600:1f18::10"),
    ("simple", "www A simple 203.0.113.10, 203.0.113.11",
     lambda z: [e.value.text for e in z.records[0].entries] == ["203.0.113.10", "203.0.113.11"]),
    ("apex-alias", "@ A simple web-alb", lambda z: (z.records[0].label, z.records[0].entries[0].value.kind)
     == ("@", "name")),
    ("wildcard-cname", "* CNAME simple www.example.com",
     lambda z: (z.records[0].label, z.records[0].entries[0].value.kind) == ("*", "domain")),
    ("txt", 'mail MX simple "10 mx.example.com"', lambda z: z.records[0].entries[0].value.text == "10 mx.example.com"),
    ("weighted", "api A weighted { 70 blue -> web-alb health hc; 30 green -> 198.51.100.7; 0 old -> 198.51.100.9 }",
     lambda z: [(e.key, e.weight, getattr(e.health, "name", None)) for e in z.records[0].entries]
     == [("blue", 70, "hc"), ("green", 30, None), ("old", 0, None)]),
    ("failover", "pay A failover { primary -> web-alb health hc-blue; secondary -> 198.51.100.8 }",
     lambda z: [e.key for e in z.records[0].entries] == ["primary", "secondary"]),
    ("latency", "app A latency { us-east-1 -> web-alb; eu-west-1 -> 198.51.100.20 }",
     lambda z: [e.key for e in z.records[0].entries] == ["us-east-1", "eu-west-1"]),
    ("geolocation", "shop A geolocation { DE -> 198.51.100.30; continent EU -> 198.51.100.31;"
                    " state US-CA -> 198.51.100.32; default -> web-alb }",
     lambda z: [e.key for e in z.records[0].entries] == ["DE", "continent:EU", "state:US-CA", "default"]),
    ("geoproximity", "near A geoproximity { us-east-1 bias 20 -> web-alb;"
                     " coords 48.86 2.35 bias -10 -> 198.51.100.40 }",
     lambda z: [(e.key, e.bias, e.coords) for e in z.records[0].entries]
     == [("us-east-1", 20, None), ("coords", -10, (48.86, 2.35))]),
    ("multivalue", "files A multivalue { 192.0.2.1 health hc-blue; 192.0.2.2; 192.0.2.3 }",
     lambda z: [e.value.text for e in z.records[0].entries] == ["192.0.2.1", "192.0.2.2", "192.0.2.3"]),
    ("ip-based", "vip A ip-based { 198.51.100.0/24, 203.0.113.0/24 -> 192.0.2.50; default -> 192.0.2.51 }",
     lambda z: [e.key for e in z.records[0].entries] == ["198.51.100.0/24,203.0.113.0/24", "default"]),
    ("aaaa", "v6 AAAA simple 2001:db8::1", lambda z: z.records[0].entries[0].value.kind == "ipv6"),
]


@pytest.mark.parametrize("text, kind, check", [c[1:] for c in TOP_LEVEL], ids=[c[0] for c in TOP_LEVEL])
def test_top_level_statement(text, kind, check):
    node = statement(text)
    assert isinstance(node, kind)
    assert check(node)
    assert node.span.line == 1  # a node spans its kept tokens: from its name, not its keyword


@pytest.mark.parametrize("text, kind, check", [c[1:] for c in IN_VPC], ids=[c[0] for c in IN_VPC])
def test_vpc_item(text, kind, check):
    node = vpc_member(text)
    assert isinstance(node, kind)
    assert check(node)
    assert node.span.line == 2


@pytest.mark.parametrize("text, check", [c[1:] for c in DNS_ITEMS], ids=[c[0] for c in DNS_ITEMS])
def test_dns_item(text, check):
    zone = statement("dns example.com {\n  " + text + "\n}")
    assert isinstance(zone, ast.DnsZone)
    assert check(zone)


PROTOCOLS = [
    ("tcp 443", "tcp", (443, 443), None, False),
    ("udp 1024-65535", "udp", (1024, 65535), None, False),
    ("tcp any", "tcp", None, None, True),
    ("tcp", "tcp", None, None, False),
    ("any", "any", None, None, False),
    ("icmp", "icmp", None, None, False),
    ("icmp echo-request", "icmp", None, "echo-request", False),
    ("icmp 8", "icmp", None, "8", False),
    ("icmpv6", "icmpv6", None, None, False),
    ("50", "50", None, None, False),
    ("6 443", "6", (443, 443), None, False),
]


@pytest.mark.parametrize("text, name, ports, icmp_type, any_ports", PROTOCOLS, ids=[p[0] for p in PROTOCOLS])
def test_protocol_forms(text, name, ports, icmp_type, any_ports):
    for rule in (f"sg s {{ in {text} from 10.0.0.0/8 }}", f"nacl n {{ in 100 allow {text} from 10.0.0.0/8 }}"):
        proto = vpc_member(rule).rules[0].protocol
        assert (proto.name, proto.icmp_type, proto.any_ports) == (name, icmp_type, any_ports)
        assert (None if proto.ports is None else (proto.ports.low, proto.ports.high)) == ports
    proto = statement(f"expect a -> b {text} allowed").protocol
    assert proto.name == name


# ----------------------------------------------------------------------------
# Layout: options in any order, separators, comments, continuation lines
# ----------------------------------------------------------------------------

def test_instance_options_in_any_order():
    options = ["sg web, ssh", "ip 10.0.1.10", "eip", "os linux", "type m5.large", "tenancy dedicated"]
    seen = set()
    for order in itertools.permutations(options):
        n = vpc_member("instance i in app-a " + " ".join(order))
        seen.add((tuple(_names(n.sgs)), n.ip.text, n.public_ip, n.os, n.type, n.tenancy))
    assert seen == {(("web", "ssh"), "10.0.1.10", "eip", "linux", "m5.large", "dedicated")}


@pytest.mark.parametrize("text", [
    "subnet s 10.0.0.0/24 az a ipv6 2600:1f18::/64 public-ip",
    "subnet s 10.0.0.0/24 public-ip ipv6 2600:1f18::/64 az a",
    "subnet s 10.0.0.0/24 ipv6 2600:1f18::/64 public-ip az a",
])
def test_subnet_options_in_any_order(text):
    n = vpc_member(text)
    assert (n.az.name, n.ipv6.text, n.public_ip) == ("a", "2600:1f18::/64", True)


@pytest.mark.parametrize("text", [
    "lb l application internal in a, b sg x { listen http 80 -> i }",
    "lb l application sg x in a, b internal { listen http 80 -> i }",
    "lb l application in a, b internal sg x { listen http 80 -> i }",
])
def test_lb_options_in_any_order(text):
    n = vpc_member(text)
    assert (n.scheme, _names(n.subnets), _names(n.sgs)) == ("internal", ["a", "b"], ["x"])


def test_options_in_any_order_elsewhere():
    assert statement("site s 10.9.0.0/16 ephemeral 1024-65535 asn 65001").asn == 65001
    assert statement("cdn c origin lb1 ssl sni policy TLSv1.2_2021").policy == "TLSv1.2_2021"
    assert statement("dx d s <-> vgw1 vif private bandwidth 1Gbps vlan 7").vlan == 7
    a = statement("advertise s 10.9.0.0/16 community 7224:7100 prepend 3 via l")
    assert (a.via.name, a.prepend, a.community) == ("l", 3, "7224:7100")
    e = vpc_member("endpoint e interface ssm private-dns sg x in a, b")
    assert (_names(e.subnets), _names(e.sgs), e.private_dns) == (["a", "b"], ["x"], True)
    rt = vpc_member("route-table r for a main { }")
    assert rt.main and _names(rt.subnets) == ["a"]


def test_semicolons_separate_statements_and_items():
    file = parse_ok("region us-east-1; vpc v { cidr 10.0.0.0/16; subnet s 10.0.0.0/24 az a;; igw g; }; "
                    "expect valid")
    region, vpc, expect = file.statements
    assert isinstance(region, ast.RegionStmt) and isinstance(expect, ast.ExpectValid)
    assert [type(m).__name__ for m in vpc.members] == ["Subnet", "InternetGateway"]
    text = "region us-east-1; vpc v { cidr 10.0.0.0/16; subnet s 10.0.0.0/24 az a;; igw g; }"
    assert vpc.members[1].span.col == text.index("igw g") + 5  # the name `g`, 1-based
    zone = statement("dns example.com { health h tcp 192.0.2.1:80; www A simple 192.0.2.1; @ A simple 192.0.2.2 }")
    assert len(zone.records) == 2 and len(zone.health_checks) == 1


def test_comments_everywhere():
    text = """# a file may start with a comment
region us-east-1   # after a statement
# between statements

vpc v {   # after the brace
  # before an item
  cidr 10.0.0.0/16 # after an item

  route-table r for a,   # inside a list, after a trailing comma
                    # a comment line inside the list
                    b {  # } a brace in a comment changes nothing
    0.0.0.0/0 -> g # after a route
  } # after a closing brace
  sg s { in tcp 443 from 10.0.0.0/8, # mid-list
         10.1.0.0/16 }
}
dns example.com { # comment
  www A simple 192.0.2.1 # "a quote in a comment
}
# the end, without a newline"""
    file = parse_ok(text)
    vpc = file.statements[1]
    rt, sg = vpc.members
    assert _names(rt.subnets) == ["a", "b"] and len(rt.routes) == 1
    assert [p.text for p in sg.rules[0].peers] == ["10.0.0.0/8", "10.1.0.0/16"]


def test_trailing_comma_continues_lists():
    n = vpc_member("instance i in a sg web,\n\n    ssh,\n    # comment\n    db ip 10.0.0.5")
    assert _names(n.sgs) == ["web", "ssh", "db"] and n.ip.text == "10.0.0.5"
    lb = vpc_member("lb l network in a,\n b {\n listen tcp 80 -> x:80,\n   y:80\n}")
    assert _names(lb.subnets) == ["a", "b"] and [t.ref.name for t in lb.listeners[0].targets] == ["x", "y"]
    site = statement("site s 10.1.0.0/16,\n    10.2.0.0/16 asn 65000")
    assert len(site.cidrs) == 2 and site.asn == 65000
    iso = statement("expect isolated a,\n b,\n c")
    assert [e.text for e in iso.ends] == ["a", "b", "c"]


def test_a_line_break_ends_a_statement_without_a_trailing_comma():
    file, diagnostics = parse("vpc v {\n instance i in a sg web\n , ssh\n}", "t.vpc")
    assert file is None and diagnostics[0].span.line == 3


def test_brace_stays_on_the_statement_line():
    for text in ("vpc v\n{\n}", "vpc v {\n sg s\n {\n }\n}", "dns example.com\n{\n}"):
        file, diagnostics = parse(text, "t.vpc")
        assert file is None and diagnostics
    parse_ok("vpc v {\n}")
    parse_ok("vpc v { }")
    parse_ok("vpc v {}\nvpc w { cidr 10.1.0.0/16 }")


def test_crlf_line_endings():
    file = parse_ok("region us-east-1\r\nvpc v {\r\n  cidr 10.0.0.0/16\r\n  igw g\r\n}\r\n")
    assert file.statements[1].members[0].span.line == 4


# ----------------------------------------------------------------------------
# Literals
# ----------------------------------------------------------------------------

def test_bracketed_ipv6_target_and_name_port():
    lb = vpc_member("lb l network in a {\n listen tcp 443 -> [2600:1f18::10]:443, web:8080, 10.0.0.5:8443, web\n}")
    targets = lb.listeners[0].targets
    assert isinstance(targets[0].ref, ast.Addr) and str(targets[0].ref.ip) == "2600:1f18::10"
    assert (targets[0].port, targets[1].ref.name, targets[1].port) == (443, "web", 8080)
    assert isinstance(targets[2].ref, ast.Addr) and targets[2].port == 8443
    assert (targets[3].ref.name, targets[3].port) == ("web", None)


def test_ipv6_target_needs_brackets_and_a_port():
    for target in ("[2600:1f18::10]", "2600:1f18::10"):
        file, _ = parse(f"vpc v {{\n lb l network in a {{ listen tcp 443 -> {target} }}\n}}", "t.vpc")
        assert file is None


@pytest.mark.parametrize("text, kind", [
    ("192.0.2.1", "ipv4"), ("2001:db8::1", "ipv6"), ("::1", "ipv6"), ("fd00::", "ipv6"),
    ("1:2:3:4:5:6:7:8", "ipv6"), ("example.com", "domain"), ("pay.example.com", "domain"),
    ("example.com.", "domain"), ("a1.b2", "domain"), ("xn--bcher-kva.example", "domain"),
    ("web-alb", "name"), ("fd00", "name"), ("cafe", "name"), ('"text"', "string"),
])
def test_domain_names_are_never_addresses(text, kind):
    zone = statement(f"dns example.com {{\n r TXT simple {text}\n}}")
    assert zone.records[0].entries[0].value.kind == kind


def test_addresses_and_cidrs():
    assert statement("expect 10.0.0.10 -> 10.0.0.0/16 allowed").dst.kind == "cidr"
    assert statement("expect ::/0 -> 2600:1f18::/56 allowed").src.kind == "cidr"
    rt = vpc_member("route-table r { ::/0 -> e\n 2600:1f18:6c0:d900::/64 -> e\n 10.0.0.0/8 -> t }")
    assert [r.dest.text for r in rt.routes] == ["::/0", "2600:1f18:6c0:d900::/64", "10.0.0.0/8"]


def test_port_range():
    rule = vpc_member("sg s { in tcp 1024-65535 from 10.0.0.0/8 }").rules[0]
    assert (rule.protocol.ports.low, rule.protocol.ports.high) == (1024, 65535)
    assert str(rule.protocol.ports) == "1024-65535"


def test_numbers_and_words():
    geo = statement("dns example.com {\n near A geoproximity { coords -33.87 151.21 bias +5 -> 192.0.2.1 }\n}")
    entry = geo.records[0].entries[0]
    assert entry.coords == (-33.87, 151.21) and entry.bias == 5
    assert vpc_member("instance i in a type c6gn.16xlarge").type == "c6gn.16xlarge"
    assert statement("cdn c origin x policy TLSv1.2_2021").policy == "TLSv1.2_2021"


def test_spans_of_nodes():
    vpc = statement("vpc v {\n  subnet app-a 10.0.1.0/24 az a\n}")
    subnet = vpc.members[0]
    # from the first token kept in the tree (the name: keywords are not kept) to the last
    assert (subnet.span.line, subnet.span.col, subnet.span.end_line, subnet.span.end_col) == (2, 10, 2, 32)
    assert (subnet.cidr.span.col, subnet.cidr.span.end_col) == (16, 27)
    assert (vpc.span.line, vpc.span.end_line) == (1, 2)


# ----------------------------------------------------------------------------
# Keywords stay usable as names
# ----------------------------------------------------------------------------

def _keywords() -> list[str]:
    return sorted({t.pattern.value for t in tree_parser().terminals
                   if t.pattern.type == "str" and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", t.pattern.value)})


# The contextual lexer makes a word a keyword only where the grammar takes
# that keyword. These few positions take both the keyword and a name, so the
# keyword wins there and the statement no longer parses; docs/LANGUAGE.md
# ("Keywords in name positions") lists them, and this table must stay in step
# with it. (Two more positions read the keyword with its own meaning instead:
# `aws` as a dx target and `default` as a geolocation key.)
KNOWN_COLLISIONS = {
    "route-destination": {"propagate"},
    "expect-source": {"dns", "isolated", "valid", "public-ip"},
    "expect-destination": {"public-ip"},             # public-ip(NAME), LANGUAGE.md §8
    "dns-label": {"health"},
    "geolocation-key": {"continent", "state"},
    "geoproximity-point": {"coords"},
    "dns-client": {"coords", "continent", "state"},
}

NAME_POSITIONS = {
    "subnet": "vpc v {\n subnet %s 10.0.0.0/24 az a\n}",
    "vpc": "vpc %s {\n cidr 10.0.0.0/16\n}",
    "instance": "vpc v {\n instance %s in s\n}",
    "instance-subnet": "vpc v {\n instance i in %s sg x\n}",
    "instance-sg": "vpc v {\n instance i in s sg x, %s\n}",
    "sg": "vpc v {\n sg %s { in tcp 80 from 10.0.0.0/8 }\n}",
    "sg-source": "vpc v {\n sg x { in tcp 80 from y, %s }\n}",
    "route-table": "vpc v {\n route-table %s for a { 0.0.0.0/0 -> g }\n}",
    "route-target": "vpc v {\n route-table r {\n 0.0.0.0/0 -> %s\n }\n}",
    "route-destination": "vpc v {\n route-table r {\n %s -> x\n }\n}",
    "nacl-subnet": "vpc v {\n nacl n for a, %s { in 100 allow tcp 80 from 0.0.0.0/0 }\n}",
    "lb-target": "vpc v {\n lb l application in a {\n listen http 80 -> %s:80\n }\n}",
    "placement-member": "placement p cluster { a, %s }",
    "expect-source": "expect %s -> x allowed",
    "expect-destination": "expect x -> %s allowed",
    "dns-label": "dns example.com {\n %s A simple 192.0.2.1\n}",
    "peer": "peer %s a -> b",
    "site": "site %s 10.9.0.0/16",
    "az": "vpc v {\n subnet s 10.0.0.0/24 az %s\n}",
    "geolocation-key": "dns example.com {\n r A geolocation { %s -> 192.0.2.1 }\n}",
    "geoproximity-point": "dns example.com {\n r A geoproximity { %s -> 192.0.2.1 }\n}",
    "dns-client": "expect dns www.example.com from %s -> 192.0.2.1",
    "weighted-set-id": "dns example.com {\n r A weighted { 1 %s -> 192.0.2.1 }\n}",
    "health-ref": "dns example.com {\n r A multivalue { 192.0.2.1 health %s }\n}",
    "tgw-attach": "tgw t {\n attach %s for a\n route 10.0.0.0/8 -> %s\n}",
}


@pytest.mark.parametrize("position", sorted(NAME_POSITIONS))
def test_keywords_are_names_elsewhere(position):
    """Every keyword of the language, written where a name goes."""
    template = NAME_POSITIONS[position]
    rejected = set()
    for keyword in _keywords():
        file, _ = parse(template.replace("%s", keyword), "t.vpc")
        if file is None:
            rejected.add(keyword)
    assert rejected == KNOWN_COLLISIONS.get(position, set())


def test_keyword_named_subnet_keeps_its_name():
    for name in ("main", "in", "tcp", "health", "default", "from", "to", "az"):
        assert vpc_member(f"subnet {name} 10.0.0.0/24 az a").name == name
    rt = vpc_member("route-table main main for main { 0.0.0.0/0 -> main }")
    assert rt.name == "main" and rt.main and _names(rt.subnets) == ["main"]
    assert vpc_member("instance health in tcp sg from").name == "health"


def test_keywords_with_a_meaning_in_name_positions():
    assert statement("dx d s <-> aws vif public").target is None
    zone = statement("dns example.com {\n r A geolocation { default -> 192.0.2.1 }\n}")
    assert zone.records[0].entries[0].key == "default"


def test_keyword_prefixes_stay_names():
    """`mainline`, `inbound`, `tcp-proxy` are names, not a keyword and a rest."""
    rt = vpc_member("route-table mainline for inbound, tcp-proxy { 0.0.0.0/0 -> igw-main }")
    assert (rt.name, rt.main, _names(rt.subnets)) == ("mainline", False, ["inbound", "tcp-proxy"])


@pytest.mark.parametrize("text", [
    "vpc v {\n igwmain\n}",                               # not `igw main`
    "vpc v {\n subnet s 10.0.0.0/24 aza\n}",              # not `az a`
    "vpc v {\n instance i in a sgweb\n}",                 # not `sg web`
    "vpc v {\n sg s { in tcp 80 fromx }\n}",              # not `from x`
    "expect a -> b tcp 80 allowedx",
    "vpc v {\n route-table r mainfor a { }\n}",
])
def test_keywords_match_whole_words_only(text):
    file, diagnostics = parse(text, "t.vpc")
    assert file is None and diagnostics[0].code == "E001"


def test_open_vocabulary_words_are_not_cut_into_names():
    assert vpc_member("instance i in a type m5.large").type == "m5.large"
    lb = vpc_member("lb l application in a {\n rule 80 query version=2 -> x\n rule 80 host *.example.com -> x\n"
                    " rule 80 header X-Env blue.green -> x\n}")
    assert [(r.key, r.value) for r in lb.rules] == [("version", "2"), (None, "*.example.com"), ("X-Env", "blue.green")]
