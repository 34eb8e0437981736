"""Graphviz diagrams (`vpcdsl.views.render`): golden DOT, valid SVG at every level, overlays, escaping.

(Trace overlays in depth, and that they move nothing: tests/test_overlay.py.)

- `tests/golden/dot/<example>.dot`: the DOT text of each example at the default
  level. Regenerate after an intended change with
  `UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_render.py` and look
  at the pictures (`docs/images/`), not only the diff.

Rendering needs Graphviz's `dot` (the Makefile installs the Debian package
`graphviz`); these tests do not skip without it, they fail.
"""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest

import vpcdsl
from vpcdsl.views import render
from vpcdsl.views.render import (BLOCKED, DEFAULT_COLLAPSE, LEVELS, TRACE_FORWARD, TRACE_RETURN, FocusError,
                           diagram, dot_source)

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.vpc"))
GOLDEN = Path(__file__).parent / "golden" / "dot"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
SVG = "{http://www.w3.org/2000/svg}"


def _load(path: Path) -> vpcdsl.Model:
    # the bare file name: the DOT title must not depend on where the repository lives
    return vpcdsl.loads(path.read_text(encoding="utf-8"), filename=path.name, strict=False)


@pytest.fixture(scope="module")
def models() -> dict[str, vpcdsl.Model]:
    return {p.stem: _load(p) for p in EXAMPLES}


def _svg(g: graphviz.Digraph) -> ET.Element:
    """Lay `g` out with dot; the SVG must parse as XML."""
    return ET.fromstring(g.pipe(format="svg"))


def _texts(svg: ET.Element) -> str:
    return "\n".join("".join(t.itertext()) for t in svg.iter(f"{SVG}text"))


def _edges(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, attribute text) of every edge statement."""
    out = []
    for line in source.splitlines():
        m = re.match(r'\s*("(?:[^"\\]|\\.)*"|\S+)\s*->\s*("(?:[^"\\]|\\.)*"|\S+)(?:\s*\[(.*)\])?$', line)
        if m:
            out.append((m.group(1).strip('"'), m.group(2).strip('"'), m.group(3) or ""))
    return out


def _node_line(source: str, dot_id: str) -> str:
    for line in source.splitlines():
        s = line.strip()
        if s.startswith(f'"{dot_id}" [') or s.startswith(f"{dot_id} ["):
            return s
    raise AssertionError(f"no node {dot_id} in the DOT")


# ----------------------------------------------------------------------------
# Goldens, validity, content
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_dot_golden(path: Path):
    actual = dot_source(_load(path))
    golden = GOLDEN / f"{path.stem}.dot"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}; run with UPDATE_GOLDEN=1 to create it"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_level_is_valid_dot(path: Path, level: str, models):
    model = models[path.stem]
    svg = _svg(diagram(model, level=level))
    text = _texts(svg)
    for vpc in model.vpcs.values():
        assert f"VPC {vpc.name}" in text
    if level in ("subnet", "instance"):
        for name, subnet in model.subnets.items():
            assert name in text, f"subnet {name} missing at the {level} level"
            assert str(subnet.cidr.net) in text, f"CIDR of {name} missing at the {level} level"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_routes_as_edges_is_valid_dot(path: Path, models):
    for level in ("subnet", "instance"):
        _svg(diagram(models[path.stem], level=level, routes="edges"))


def test_routes_as_edges_point_at_the_targets(models):
    src = dot_source(models["three-tier"], routes="edges")
    edges = _edges(src)
    # the NAT gateway is a row (port) of its subnet's table
    assert any(t == "subnet__app-a" and h.startswith('subnet__public-a":"nat__nat-a') or
               (t, h) == ("subnet__app-a", 'subnet__public-a:nat__nat-a') for t, h, _ in edges) or \
        '"subnet__app-a" -> "subnet__public-a":"nat__nat-a"' in src
    line = next(l for l in src.splitlines() if '"subnet__app-a" -> "subnet__public-a":"nat__nat-a"' in l)
    assert "0.0.0.0/0" in line
    peer = next(l for l in src.splitlines() if l.strip().startswith('"subnet__app-a" -> "subnet__tools-a"'))
    assert "10.20.0.0/16 (peering prod-shared)" in peer and "lhead=cluster_vpc__shared" in peer
    # labels mode lists the routes on the subnet instead
    labels = dot_source(models["three-tier"])
    assert "0.0.0.0/0 → nat-a" in labels and "nat__nat-a" in labels
    assert '"subnet__app-a" -> "subnet__public-a":"nat__nat-a"' not in labels


def test_subnet_labels_show_cidr_hosts_and_kind(models):
    src = dot_source(models["three-tier"])
    line = _node_line(src, "subnet__public-a")
    assert "10.0.0.0/24 · 251 hosts" in line and ">public<" in line and "#E9F3E6" in line
    line = _node_line(src, "subnet__db-a")
    assert ">private<" in line and "#E6F2F8" in line and "NACL db" in line and "1 instance" in line


def test_links_between_vpcs_are_compound_edges(models):
    src = dot_source(models["hub-and-spoke"])
    assert "compound=true" in src
    tgw = [(t, h, a) for t, h, a in _edges(src) if t == "tgw__core"]
    heads = {re.search(r'lhead="?([^"\s]+)', a).group(1) for _, _, a in tgw if "lhead=" in a}
    assert {"cluster_vpc__shared", "cluster_vpc__spoke-a", "cluster_vpc__spoke-b", "cluster_vpc__spoke-c",
            "cluster_vpc__sandbox"} <= heads
    peering = dot_source(models["multi-region-peering"])
    ends = [a for t, _, a in _edges(peering) if t == "peering__east-west"]
    assert any("lhead=cluster_vpc__east" in a for a in ends)
    assert any("lhead=cluster_vpc__west" in a for a in ends)


def test_hybrid_links_are_labelled(models):
    src = dot_source(models["hybrid-office"])
    assert "VPN north-vpn\\nIPsec ×2, BGP" in src
    assert "VPN lab-vpn\\nIPsec ×2, static 172.30.0.0/24" in src
    assert "over Direct Connect hq-public" in src
    assert "Direct Connect hq-dx-1\\nprivate VIF · VLAN 101 · 10Gbps" in src
    assert "AWS public services" in src
    assert "IPsec (software VPN), static 10.99.0.0/24" in dot_source(models["multi-region-peering"])


def test_panels_and_legend(models):
    src = dot_source(models["multi-region-peering"])
    assert "placement group hpc" in src and "hpc-1, hpc-2, hpc-3, hpc-4" in src
    assert "kafka-1@1" in src
    dns = dot_source(models["dns-heavy"])
    assert "Route 53 example.com" in dns and "+9 more records" in dns
    assert "private hosted zone for web" in dns
    assert "legend [label=<" in dns and "public subnet (route to an IGW)" in dns
    # the legend lists only what the drawing uses
    assert "Direct Connect" not in _node_line(dns, "legend")
    assert "Direct Connect" in _node_line(dot_source(models["hybrid-office"]), "legend")


def test_levels_differ(models):
    m = models["hub-and-spoke"]
    region = dot_source(m, level="region")
    assert "cluster_vpc__" not in region and "vpc__spoke-a [label=<" in region.replace('"', "")
    vpc = dot_source(m, level="vpc")
    assert "cluster_vpc__spoke-a" in vpc and "subnet__a-app-a" not in vpc and "2 subnets" in vpc
    subnet = dot_source(m, level="subnet")
    assert "subnet__a-app-a" in subnet and "instance__a-web-1" not in subnet
    instance = dot_source(m, level="instance")
    assert "cluster_subnet__a-app-a" in instance and "instance__a-web-1" in instance


def test_bad_options_raise():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n}")
    with pytest.raises(ValueError, match="unknown level"):
        diagram(m, level="az")
    with pytest.raises(ValueError, match="routes"):
        diagram(m, routes="arrows")
    for bad in (-1, 1.5, True, "3"):
        with pytest.raises(ValueError, match="collapse"):
            diagram(m, collapse=bad)


def test_model_diagram_is_the_render_stage(models):
    g = models["three-tier"].diagram(level="vpc")
    assert isinstance(g, graphviz.Digraph)
    assert g.source == dot_source(models["three-tier"], level="vpc")


def test_model_export_writes_the_file(models, tmp_path):
    m = models["three-tier"]
    out = m.export(tmp_path / "net.dot", level="vpc")
    assert out == tmp_path / "net.dot" and out.read_text(encoding="utf-8") == dot_source(m, level="vpc")
    svg = ET.fromstring(m.export(tmp_path / "net.svg", focus="db-a").read_bytes())
    assert "db-a" in _texts(svg)


def test_models_with_errors_still_draw():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n"
                     " route-table r for s, nowhere { 0.0.0.0/0 -> missing }\n"
                     " instance i in ghost\n}\npeer p a -> b\n", strict=False)
    assert m.errors
    for level in LEVELS:
        _svg(diagram(m, level=level))
    _svg(diagram(vpcdsl.loads("", strict=False)))


# ----------------------------------------------------------------------------
# Determinism
# ----------------------------------------------------------------------------

def test_dot_is_deterministic():
    for path in EXAMPLES:
        for level in LEVELS:
            a = dot_source(_load(path), level=level, routes="edges")
            b = dot_source(_load(path), level=level, routes="edges")
            assert a == b
            assert not re.search(r"0x[0-9a-f]{6,}", a)


# ----------------------------------------------------------------------------
# Trace overlays
# ----------------------------------------------------------------------------

def _steps(attrs: str) -> str:
    """The step badge of an overlay edge (its xlabel)."""
    return re.search(r"<B>([\w.]+)</B>", attrs).group(1)


def test_blocked_trace_overlay(models):
    # More on overlays (nothing moves, the SVG back-end) in tests/test_overlay.py.
    m = models["three-tier"]
    trace = m.trace("ci-1", "db-1", "tcp/5432")
    assert trace.verdict == "blocked" and trace.component == "nacl:db"
    g = diagram(m, trace=trace)
    src = g.source
    # the NACL decides for subnet db-a: a red frame around that subnet, where it is
    frame = _node_line(src, "trace__blocked1")
    assert f'color="{BLOCKED}"' in frame
    assert re.search(r'pos="([^"]+)"', frame).group(1) == re.search(
        r'pos="([^"]+)"', _node_line(src, "subnet__db-a")).group(1)
    table = _node_line(src, "trace__steps")
    assert "BLOCKED by nacl db · line 30" in table and "implicit" in table
    forward = [(t, h, a) for t, h, a in _edges(src) if TRACE_FORWARD in a]
    assert forward and all("penwidth=3.5" in a and "pos=" in a for _, _, a in forward)
    path = [(t, h) for t, h, _ in forward]
    assert path == [("subnet__tools-a", "peering__prod-shared"), ("peering__prod-shared", "subnet__db-a")]
    assert [_steps(a) for _, _, a in forward] == ["1", "2"]
    assert "BLOCKED" not in src.splitlines()[2]       # the title is the drawing's: it does not change
    _svg(g)


def test_allowed_trace_overlay_has_a_dashed_return(models):
    m = models["three-tier"]
    trace = m.trace("web-1", "db-1", "tcp/5432")
    assert trace.allowed
    src = dot_source(m, level="instance", trace=trace)
    forward = [(t, h, a) for t, h, a in _edges(src) if TRACE_FORWARD in a]
    back = [(t, h, a) for t, h, a in _edges(src) if TRACE_RETURN in a]
    assert forward[0][0] == "instance__web-1" and forward[-1][1] == "instance__db-1"
    assert back and all("style=dashed" in a for _, _, a in back)
    assert back[-1][1] == "instance__web-1"
    # steps are numbered as drawn, from 1 without gaps (hops inside one box draw no line)
    numbers = [int(_steps(a)) for _, _, a in forward]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [_steps(a) for _, _, a in back] == [f"r{k}" for k in range(1, len(back) + 1)]
    assert "trace__blocked" not in src


def test_trace_through_a_transit_gateway(models):
    m = models["hub-and-spoke"]
    src = dot_source(m, trace=m.trace("a-web-1", "b-api-1", "tcp/8443"))
    forward = [(t, h) for t, h, a in _edges(src) if TRACE_FORWARD in a]
    # the NACL hops at the TGW's interfaces map to the attachment subnets
    assert forward == [("subnet__a-app-a", "subnet__a-tgw-a"), ("subnet__a-tgw-a", "tgw__core"),
                       ("tgw__core", "subnet__b-tgw-a"), ("subnet__b-tgw-a", "subnet__b-app-a")]


def test_several_flows_are_overlaid_with_numbered_steps(models):
    m = models["three-tier"]
    allowed, blocked = m.trace("web-1", "db-1", "tcp/5432"), m.trace("ci-1", "db-1", "tcp/5432")
    src = dot_source(m, trace=[allowed, blocked])
    labels = [_steps(a) for t, h, a in _edges(src) if "vpc-trace-forward" in a]
    assert labels[0] == "1.1" and "2.1" in labels and all(x[0] in "12" and "." in x for x in labels)
    returns = [_steps(a) for t, h, a in _edges(src) if "vpc-trace-return" in a]
    assert returns and all(x.startswith("1.r") for x in returns)      # only the allowed flow returns
    table = _node_line(src, "trace__steps")            # the blocked flow's verdict, named for its flow
    assert "flow 2:</B> ci-1 -&gt; db-1 tcp 5432" in table and "BLOCKED by nacl db · line 30" in table
    assert "trace__blocked2" in src and "trace__blocked1" not in src
    assert dot_source(m, trace=[blocked]) == dot_source(m, trace=blocked)   # one flow: as before
    _svg(diagram(m, trace=(allowed, blocked)))
    with pytest.raises(ValueError, match="Trace"):
        dot_source(m, trace=["web-1 -> db-1 tcp/5432"])


@pytest.mark.parametrize("level", LEVELS)
def test_trace_overlay_at_every_level(level, models):
    m = models["dns-heavy"]
    for flow in (("internet", "shop-alb", "tcp/443"), ("internet", "web-1", "tcp/8080")):
        _svg(diagram(m, level=level, trace=m.trace(*flow)))


# ----------------------------------------------------------------------------
# Escaping
# ----------------------------------------------------------------------------

HOSTILE = r'''
region us-east-1
vpc v {
  cidr 10.0.0.0/16
  subnet a 10.0.0.0/24 az a
  subnet b 10.0.1.0/24 az b
  igw gw
  route-table pub for a, b { 0.0.0.0/0 -> gw }
  instance i1 in a
  lb edge application internet-facing in a, b {
    listen https 443 -> i1:8080
    rule 443 header X-Evil "<b>bold</b> & \"quoted\" }] \\n \\l \\N 'x'" -> i1:8080
    rule 443 path /x<y>&"z"']/\l -> i1:8080
    rule 443 query k<a>=v&w'<> -> i1:8080
  }
}
cdn c origin evil.example.com policy TLSv1.2_2021
dns example.com {
  @ TXT simple "</TD></TR></TABLE>> ]; node [label=\"pwned\"]; \"}"
  x TXT simple "<script>&amp;</script>"
  www CNAME simple example.com
}
'''


def test_hostile_strings_cannot_inject_markup():
    m = vpcdsl.loads(HOSTILE, filename="hostile.vpc", strict=False)
    texts = [e.value.text for z in m.dns_zones for r in z.records for e in r.entries]
    assert any("</TABLE>" in t for t in texts), "the grammar let the hostile TXT through"
    rules = [r.value for lb in m.members(vpcdsl.syntax.ast.LoadBalancer) for r in lb.rules]
    assert any("<b>" in v for v in rules) and any('"z"' in v for v in rules)
    for level in LEVELS:
        for routes in ("labels", "edges"):
            g = diagram(m, level=level, routes=routes)
            svg = _svg(g)                                    # dot parsed it, and the SVG is XML
            assert not [e for e in svg.iter() if e.tag in (f"{SVG}b", f"{SVG}script", "b", "script")]
            assert "pwned" not in [e.get("id") for e in svg.iter()]
    src = dot_source(m)
    svg_text = _texts(_svg(diagram(m)))
    for needle in ("<b>bold</b>", "</TD></TR></TABLE>>", "<script>&amp;</script>", "k<a>=v&w'<>", '\\n \\l \\N'):
        assert needle in svg_text, f"{needle!r} not shown literally"
    # inside HTML-like labels, markup characters are entities
    assert "&lt;b&gt;bold&lt;/b&gt;" in src and "&lt;script&gt;&amp;amp;" in src
    assert "<b>bold" not in src and "<script>" not in src


@pytest.mark.parametrize("text", [
    'a"b', 'a\\', '\\"', '\\\\"', "<b>x</b>", "<x>", "}]; node [shape=box]", "\\n\\l\\r\\N\\G\\E",
    "tab\tnew\nline\x00nul", "quote ' and \" both", "&amp; &lt;", "é ü → ·",
])
def test_plain_and_html_labels_are_literal(text):
    g = graphviz.Digraph()
    g.node("plain", render._text(text, "second"))
    g.node("html", f"<<TABLE><TR><TD>{render._html(text)}</TD></TR></TABLE>>", shape="plain")
    g.edge("plain", "html", render._text(text))
    shown = [t for t in _texts(_svg(g)).splitlines() if t]
    clean = render._clean(text)
    assert shown.count(clean) == 3, shown            # two node labels and the edge label


def test_dot_ids_are_safe():
    assert render._did("subnet:a") == "subnet__a"
    assert render._did('dns-zone:a"b') == "dns-zone__a_22_b"
    assert ":" not in render._did("dns-zone:x:y")


# ----------------------------------------------------------------------------
# Focus and collapse
# ----------------------------------------------------------------------------

def test_focus_on_a_spoke(models):
    m = models["hub-and-spoke"]
    src = dot_source(m, focus="spoke-a")
    assert "cluster_vpc__spoke-a" in src
    # behind the TGW: the other VPCs as boxes, and the sites
    assert "cluster_vpc__spoke-b" not in src and "vpc__spoke-b [label=<" in src.replace('"', "")
    assert "tgw__core" in src and "site__office" in src and "site__dc" in src
    assert "subnet__b-app-a" not in src
    _svg(diagram(m, focus="spoke-a"))


def test_focus_on_a_member_draws_its_vpc(models):
    m = models["multi-region-peering"]
    src = dot_source(m, focus="e-app-1", level="instance")
    assert "cluster_vpc__east" in src and "cluster_vpc__west" not in src
    assert "vpc__west [label=<" in src.replace('"', "")        # the peer, as a box
    assert "site__partner" not in src                         # not east's: west's VPN partner
    assert "penwidth=4" in _node_line(src, "instance__e-app-1")  # the focused component stands out
    assert "cluster_vpc__east" in dot_source(m, focus="e-private-a")   # a route table's name


def test_focus_on_a_site(models):
    src = dot_source(models["hybrid-office"], focus="lab")
    assert "site__lab" in src and "cluster_vpc__corp" not in src and "vpc__corp" in src


def test_focus_unknown_name():
    m = vpcdsl.loads("vpc prod {\n cidr 10.0.0.0/16\n}")
    with pytest.raises(FocusError) as info:
        diagram(m, focus="prd")
    assert "prd" in str(info.value) and info.value.hint == "did you mean 'prod'?"
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)


def _wide_model(per_az: int) -> vpcdsl.Model:
    lines = ["vpc big {", " cidr 10.0.0.0/16", " igw gw",
             " route-table pub main { 0.0.0.0/0 -> gw }"]
    for i in range(per_az * 2):
        lines.append(f" subnet sn{i} 10.0.{i}.0/24 az {'ab'[i % 2]}")
        lines.append(f" instance i{i} in sn{i}")
    return vpcdsl.loads("\n".join(lines + ["}"]), filename="big.vpc")


def test_collapse(models):
    m = models["three-tier"]
    src = dot_source(m, collapse=2)                  # AZ a has 3 subnets, AZ b 2
    assert "vpc__prod__az__us-east-1a__subnets" in src and "3 subnets" in src
    assert "subnet__db-a" not in src and "subnet__public-b" in src
    assert "subnet__db-a" in dot_source(m, collapse=0)
    svg = _texts(_svg(diagram(m, collapse=1)))
    assert "3 subnets" in svg and "2 subnets" in svg and "10.0.0.0/24 … 10.0.20.0/24" in svg
    big = _wide_model(DEFAULT_COLLAPSE + 1)
    src = dot_source(big)
    assert src.count('__subnets" [label') == 2 and f"{DEFAULT_COLLAPSE + 1} subnets" in src
    assert "subnet__sn0 " not in src
    assert dot_source(_wide_model(DEFAULT_COLLAPSE)).count('__subnets" [label') == 0


def test_collapse_instances_at_the_instance_level():
    lines = ["vpc v {", " cidr 10.0.0.0/16", " subnet s 10.0.0.0/24 az a"]
    lines += [f" instance i{n} in s" for n in range(DEFAULT_COLLAPSE + 2)]
    m = vpcdsl.loads("\n".join(lines + ["}"]))
    src = dot_source(m, level="instance")
    assert f"{DEFAULT_COLLAPSE + 2} instances" in src and "instance__i0" not in src
    assert "instance__i0" in dot_source(m, level="instance", collapse=0)


def test_two_hundred_subnets_stay_legible():
    m = _wide_model(100)
    g = diagram(m)
    assert g.source.count("shape=plain") < 10       # two AZ groups, not 200 tables
    _svg(g)


def test_a_thousand_subnets_are_all_drawn():
    # (How fast: benchmarks/render_bench.py and BENCHMARKS.md; tests do not time.)
    lines = ["region us-east-1"]
    for v in range(20):
        lines += [f"vpc v{v} {{", f" cidr 10.{v}.0.0/16", f" igw gw{v}",
                  f" route-table rt{v} main {{ 0.0.0.0/0 -> gw{v} }}"]
        for s in range(50):
            lines += [f" subnet v{v}s{s} 10.{v}.{s}.0/24 az {'abc'[s % 3]}", f" instance v{v}i{s} in v{v}s{s}"]
        lines.append("}")
    m = vpcdsl.loads("\n".join(lines), filename="k.vpc")
    src = dot_source(m, collapse=0)
    assert len(m.subnets) == 1000
    assert len(re.findall(r'^\t+"?subnet__v\d+s\d+"? \[label', src, re.M)) == 1000
    assert f"nslimit={render._BIG_NSLIMIT}" in src           # dot's positioning effort is bounded
    assert "nslimit" not in dot_source(_load(EXAMPLES_DIR / "three-tier.vpc"))


# ----------------------------------------------------------------------------
# Generated estates: every level through dot, rows of VPCs
# ----------------------------------------------------------------------------

def _generated(subnets: int) -> vpcdsl.Model:
    """The first VPCs of benchmarks/generate.py's network with about `subnets` subnets."""
    import sys
    sys.path.insert(0, str(EXAMPLES_DIR.parent / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.pop(0)
    n = 2
    while True:
        net = generate.build_network(n, seed=1)
        if sum(len(v.subnets) for v in net.vpcs) >= subnets:
            break
        n += 1
    return vpcdsl.loads(generate.render_vpc(net), filename=f"gen-{subnets}.vpc", strict=False)


@pytest.fixture(scope="module")
def estate() -> vpcdsl.Model:
    return _generated(100)


@pytest.mark.parametrize("level", LEVELS)
def test_generated_estate_lays_out_at_every_level(level, estate):
    """Graphviz 2.43 (Debian's) lays out every level of a ~100-subnet, 12-VPC estate.

    Several settings that would help the layout (`constraint=false` on links
    between clusters, `rank=same` inside clusters) make that version fail on
    such models; this keeps the renderer clear of them.
    """
    svg = _svg(diagram(estate, level=level))
    text = _texts(svg)
    for vpc in estate.vpcs.values():
        assert f"VPC {vpc.name}" in text
    if level in ("subnet", "instance"):
        for s in estate.subnets.values():
            assert s.name in text and str(s.cidr.net) in text


def test_rows_of_vpcs_each_have_an_internet_above(estate):
    src = dot_source(estate)
    rows = sorted(set(re.findall(r'"cluster_region__us-east-1__row(\d+)" ->', src)))
    assert len(rows) >= 2                                   # 12 VPCs wrap onto rows
    internets = re.findall(r'^\t+"?(internet(?:__\S+__row\d+)?)"? \[label=Internet', src, re.M)
    assert internets[0] == "internet" and len(internets) == len(rows)
    edges = _edges(src)
    for vpc in estate.vpcs.values():
        for igw in vpc.of_type(vpcdsl.syntax.ast.InternetGateway):
            (tail,) = [t for t, h, a in edges if h == f"igw__{igw.name}" and "invis" not in a]
            assert tail.startswith("internet")
    # every IGW edge comes from the internet node of its own row: no edge spans rows
    by_row = {}
    for t, h, a in edges:
        if t.startswith("internet") and h.startswith("igw__"):
            by_row.setdefault(t, set()).add(h)
    assert len(by_row) == len(rows)
    # peering nodes hang from the top internet only when they link a VPC on the first row
    pinned = {h for t, h, a in edges if t == "internet" and "invis" in a and h.startswith("peering__")}
    peerings = {h for t, h, a in edges if t.startswith("peering__")} | {t for t, h, a in edges if t.startswith("peering__")}
    assert pinned and pinned < peerings


def test_gateways_sit_on_the_vpc_edge(models):
    src = dot_source(models["three-tier"])
    # the IGW is drawn just outside the VPC box, joined to its border by a bar
    vpc_block = src[src.index("subgraph cluster_vpc__prod"):]
    assert '"igw__prod-igw" [' not in vpc_block.split("subgraph")[1]
    bar = [a for t, h, a in _edges(src) if t == "igw__prod-igw" and h == "igw__prod-igw__foot"]
    assert bar and "lhead=cluster_vpc__prod" in bar[0] and "invis" not in bar[0]
    # the internet's line ends at the gateway, not inside the box
    assert [h for t, h, a in _edges(src) if t == "internet" and "invis" not in a] == ["igw__prod-igw",
                                                                                        "eigw__prod-eigw"]


def test_trace_overlay_uses_the_internet_above_its_row(estate):
    vpc = list(estate.vpcs.values())[-1]                    # a VPC on the last row
    bastion = next(m for m in vpc.of_type(vpcdsl.syntax.ast.Instance) if m.public_ip != "none")
    t = estate.trace(bastion.name, "8.8.8.8", "tcp", 443)
    assert t.verdict == "allowed" and t.forward[-1].component == "internet"
    src = dot_source(estate, trace=t)
    # the step out is the drawn line between the IGW and its row's internet, restyled
    (step,) = [(tail, head) for tail, head, a in _edges(src) if TRACE_FORWARD in a and tail.startswith("internet")]
    assert step[1] == f"igw__{vpc.name}-igw" and re.fullmatch(r"internet__us-east-1__row[1-9]\d*", step[0])
    _svg(diagram(estate, trace=t))


def _boxes(svg: ET.Element, kind: str) -> dict[str, tuple[float, float, float, float]]:
    """Bounding boxes (x0, y0, x1, y1) of the SVG's clusters or nodes, by title."""
    out = {}
    for g in svg.iter(f"{SVG}g"):
        if g.get("class") != kind:
            continue
        title = g.find(f"{SVG}title").text
        xs, ys = [], []
        for shape in (*g.iter(f"{SVG}polygon"), *g.iter(f"{SVG}path")):
            nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("points") or shape.get("d"))]
            xs += nums[0::2]
            ys += nums[1::2]
        if xs:
            out[title] = (min(xs), min(ys), max(xs), max(ys))
    return out


def _overlapping(boxes: dict[str, tuple[float, float, float, float]]) -> list[tuple[str, str]]:
    names = sorted(boxes)
    bad = []
    for i, a in enumerate(names):
        ax0, ay0, ax1, ay1 = boxes[a]
        for b in names[i + 1:]:
            bx0, by0, bx1, by1 = boxes[b]
            if ax0 < bx1 - 1 and bx0 < ax1 - 1 and ay0 < by1 - 1 and by0 < ay1 - 1:
                bad.append((a, b))
    return bad


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_have_no_overlapping_boxes(path: Path, models):
    svg = _svg(diagram(models[path.stem]))
    clusters = _boxes(svg, "cluster")
    vpcs = {k: v for k, v in clusters.items() if k.startswith("cluster_vpc__") and "__az__" not in k}
    assert vpcs and not _overlapping(vpcs)
    for vpc in vpcs:
        azs = {k: v for k, v in clusters.items() if k.startswith(vpc + "__az__")}
        assert not _overlapping(azs), vpc
    subnets = {k: v for k, v in _boxes(svg, "node").items() if k.startswith("subnet__")}
    assert subnets and not _overlapping(subnets)


def test_two_hundred_subnet_estate_is_legible():
    """A ~200-subnet estate at the subnet level: every subnet with its CIDR, nothing overlapping."""
    estate = _generated(200)
    svg = _svg(diagram(estate))
    text = _texts(svg)
    for s in estate.subnets.values():
        assert s.name in text and str(s.cidr.net) in text
    clusters = _boxes(svg, "cluster")
    assert not _overlapping({k: v for k, v in clusters.items() if k.startswith("cluster_vpc__") and "__az__" not in k})
    assert not _overlapping({k: v for k, v in _boxes(svg, "node").items() if k.startswith("subnet__")})
    sizes = {float(t.get("font-size")) for t in svg.iter(f"{SVG}text")}
    assert min(sizes) >= 8.0
