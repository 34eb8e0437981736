"""Trace overlays hold the drawing still (issue 10): `vpcdsl.views.layout`, `overlay`,
`overlay_svg`, `overlay_dot`.

The drawing without overlay is laid out once; an overlay only styles that
layout. The test the issue asks for: the node positions in ``-Tplain`` (and the
cluster boxes) of every example are the same with one and with several flows
drawn over it as without. Then the SVG back-end (`traced_svg`: deterministic,
one ``vpc-trace-*`` element per drawn step and per blocked flow, escaped), the
static back-end (laid-out DOT for ``neato -n2``, with its step table), the
layout cache, the model marks on the SVG's nodes and the link styles.

These run Graphviz (`dot`, `neato`); they fail, never skip, without it.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.flows.trace import FlowError
from vpcdsl.syntax import ast
from vpcdsl.views import layout as layout_module
from vpcdsl.views.layout import layout_of, object_marks
from vpcdsl.views.overlay import plan_overlay
from vpcdsl.views.overlay_dot import TracedDigraph, step_table
from vpcdsl.views.overlay_svg import traced_svg
from vpcdsl.views.palette import BLOCKED, DX, FLOW_COLOURS, NETWORK, TGW, TRACE_FORWARD, TRACE_RETURN, VPN
from vpcdsl.views.render import diagram, dot_source

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.vpc"))
SVG = "{http://www.w3.org/2000/svg}"


def _load(path: Path) -> vpcdsl.Model:
    return vpcdsl.loads(path.read_text(encoding="utf-8"), filename=path.name, strict=False)


@pytest.fixture(scope="module")
def models() -> dict[str, vpcdsl.Model]:
    return {p.stem: _load(p) for p in EXAMPLES}


def _flows(model: vpcdsl.Model) -> list:
    """Up to four traces over the model: between instances, from and to the internet."""
    names = [i.name for i in model.members(ast.Instance)]
    out = []
    for flow in ((names[0], names[-1], "tcp/443"), ("internet", names[0], "tcp/443"),
                 (names[0], "8.8.8.8", "tcp/443"), (names[1], names[2], "tcp/5432")):
        try:
            out.append(model.trace(*flow))
        except FlowError:
            pass
    return out


def _run(cmd: list[str], source: str) -> str:
    proc = subprocess.run(cmd, input=source, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _plain_nodes(text: str) -> dict[str, tuple[str, ...]]:
    """Node name -> (x, y, width, height) of a ``-Tplain`` output."""
    return {t[1]: tuple(t[2:6]) for t in map(shlex.split, text.splitlines()) if t and t[0] == "node"}


def _cluster_boxes(text: str) -> dict[str, str]:
    data = json.loads(text)
    return {o["name"]: o["bb"] for o in data["objects"][:data.get("_subgraph_cnt", 0)]}


def _classed(svg: ET.Element, cls: str) -> list[ET.Element]:
    return [e for e in svg.iter() if cls in (e.get("class") or "").split()]


# ----------------------------------------------------------------------------
# The test: nothing moves
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_overlays_move_no_node_and_no_cluster(path: Path, models):
    model = models[path.stem]
    base = dot_source(model)
    nodes = _plain_nodes(_run(["dot", "-Tplain"], base))
    clusters = _cluster_boxes(_run(["dot", "-Tjson0"], base))
    assert nodes and clusters
    traces = _flows(model)
    assert len(traces) >= 3
    for overlay in ([traces[0]], traces):                  # one flow, then all of them at once
        traced = dot_source(model, trace=overlay)
        assert traced != base
        moved = _plain_nodes(_run(["neato", "-n2", "-Tplain"], traced))
        assert {n: moved.get(n) for n in nodes} == nodes
        assert set(moved) - set(nodes) <= {"trace__steps", "trace__corner_ll", "trace__corner_ur"} | {
            f"trace__blocked{k}" for k in range(1, len(overlay) + 1)}
        boxes = _cluster_boxes(_run(["neato", "-n2", "-Tjson0"], traced))
        assert boxes == clusters


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_traced_svg_leaves_every_node_and_the_canvas_as_they_were(path: Path, models):
    model = models[path.stem]
    layout = layout_of(model)
    svg = traced_svg(layout, _flows(model))
    ET.fromstring(svg)
    head = re.compile(r"<svg\b[^>]*>")
    assert head.search(svg).group(0) == head.search(layout.svg).group(0)      # same size, same viewBox
    for group in re.findall(r'<g id="node\d+" class="node".*?</g>\n', layout.svg, re.S):
        assert group in svg


def test_the_layout_runs_once_for_any_number_of_overlays(models, monkeypatch):
    model = models["three-tier"]
    calls = []
    real = layout_module.run_dot
    monkeypatch.setattr(layout_module, "run_dot", lambda source: calls.append(1) or real(source))
    layout_module.cache_clear()
    layout = layout_of(model)
    a = traced_svg(layout, model.trace("ci-1", "db-1", "tcp/5432"))
    b = traced_svg(layout_of(model), model.trace("web-1", "db-1", "tcp/5432"))
    diagram(model, trace=model.trace("web-1", "ci-1", "tcp/443")).pipe(format="svg")
    assert a != b and len(calls) == 1
    layout_of(model, level="vpc")                           # another drawing: its own layout
    assert len(calls) == 2
    assert layout.seconds > 0


# ----------------------------------------------------------------------------
# The SVG back-end
# ----------------------------------------------------------------------------

def test_blocked_flow_in_svg(models):
    m = models["three-tier"]
    layout = layout_of(m)
    trace = m.trace("ci-1", "db-1", "tcp/5432")
    svg = ET.fromstring(traced_svg(layout, trace))
    forward = _classed(svg, "vpc-trace-forward")
    # tools-a -> the peering -> db-a: two steps, no response, one blocked component
    assert [e.get("data-step") for e in forward] == ["1", "2"]
    assert not _classed(svg, "vpc-trace-return")
    (blocked,) = _classed(svg, "vpc-trace-blocked")
    assert len(_classed(svg, "vpc-trace")) == 3
    rect = blocked.find(f"{SVG}rect")
    box = layout.nodes["subnet__db-a"]
    assert rect.get("stroke") == BLOCKED
    assert abs(float(rect.get("x")) - (box.x0 - 5)) < 0.01 and abs(float(rect.get("y")) + box.y1 + 5) < 0.01
    tip = blocked.find(f"{SVG}title").text
    assert "BLOCKED by nacl db · line 30" in tip and "implicit deny" in tip
    step2 = forward[1].find(f"{SVG}title").text
    assert "step 2 (request)" in step2 and "5. nacl:db drop" in step2 and "three-tier.vpc:30]" in step2
    for e in forward:
        assert e.find(f"{SVG}path").get("stroke") == TRACE_FORWARD
        assert e.find(f"{SVG}text").text == e.get("data-step")          # the badge


def test_allowed_flow_has_a_dashed_response_and_restyles_the_edges_it_takes(models):
    m = models["three-tier"]
    layout = layout_of(m)
    trace = m.trace("web-1", "8.8.8.8", "tcp/443")
    plan = plan_overlay(layout.scene, [trace])
    svg = ET.fromstring(traced_svg(layout, trace))
    forward, back = _classed(svg, "vpc-trace-forward"), _classed(svg, "vpc-trace-return")
    assert len(forward) == len([s for s in plan.strokes if s.direction == "forward"]) >= 3
    assert len(back) == len([s for s in plan.strokes if s.direction == "return"]) >= 3
    assert all(e.find(f"{SVG}path").get("stroke-dasharray") for e in back)
    assert all(e.find(f"{SVG}path").get("stroke") == TRACE_RETURN for e in back)
    assert [e.get("data-step") for e in back] == [f"r{k}" for k in range(1, len(back) + 1)]
    # the internet's line to the IGW is a drawn edge: restyled in place, keeping its id
    restyled = [e for e in forward if e.get("id")]
    assert restyled and all("edge" in e.get("class").split() for e in restyled)
    assert set(plan.restyled) == {e.get("id") for e in restyled}
    assert not _classed(svg, "vpc-trace-blocked")
    # the NAT gateway is a row of public-a's table: the hop into it is no line of its own
    assert all(s.tail.node != s.head.node for s in plan.strokes)
    forward_rows = [r for r in plan.rows if r.direction == "forward"]
    assert [(r.number, r.hop.component, r.step) for r in forward_rows[4:6]] == [
        ("5", "nat:nat-a", "1"), ("6", "nacl:prod.default-nacl", "")]


def test_traced_svg_is_deterministic(models):
    m = models["hub-and-spoke"]
    flows = [m.trace("a-web-1", "b-api-1", "tcp/8443"), m.trace("dc-1", "sbx-node-1", "tcp/443")]
    first = traced_svg(layout_of(m), flows)
    layout_module.cache_clear()
    again = traced_svg(layout_of(m), [m.trace("a-web-1", "b-api-1", "tcp/8443"),
                                      m.trace("dc-1", "sbx-node-1", "tcp/443")])
    assert first == again
    assert not re.search(r"0x[0-9a-f]{6,}", first)


def test_several_flows_get_distinct_colours(models):
    m = models["three-tier"]
    flows = [m.trace("web-1", "db-1", "tcp/5432"), m.trace("ci-1", "db-1", "tcp/5432"),
             m.trace("web-1", "8.8.8.8", "tcp/443")]
    layout = layout_of(m)
    plan = plan_overlay(layout.scene, flows)
    colours = [f.forward_colour for f in plan.flows]
    assert colours == list(FLOW_COLOURS[:3]) and len(set(colours)) == 3
    svg = ET.fromstring(traced_svg(layout, flows))
    seen: dict[str, set[str]] = {}
    for e in _classed(svg, "vpc-trace-forward") + _classed(svg, "vpc-trace-return"):
        seen.setdefault(e.get("data-flow"), set()).add(e.find(f"{SVG}path").get("stroke"))
    assert seen == {str(k): {c} for k, c in enumerate(colours, 1)}
    steps = [e.get("data-step") for e in _classed(svg, "vpc-trace-forward")]
    assert "1.1" in steps and "2.1" in steps and "3.1" in steps
    (blocked,) = _classed(svg, "vpc-trace-blocked")
    assert blocked.get("data-flow") == "2"
    # a request and its response between the same two places lie side by side
    web = [s for s in plan.strokes if s.flow == 1]
    assert {s.lane for s in web} == {0, 1}


def test_hostile_text_is_escaped_in_svg_and_dot():
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n subnet t 10.0.1.0/24 az a\n"
                     " instance x in s\n instance y in t\n}\n", filename="h.vpc")
    real = m.trace("x", "y", "tcp/22")
    evil = '<script>alert(1)</script> & "q" \x1b[31m ]; node [label="pwned"] \\N'
    hops = tuple(dataclasses.replace(h, detail=evil) for h in real.forward)
    trace = dataclasses.replace(real, forward=hops, flow=evil, verdict="blocked", kind="nacl",
                                component="nacl:a.default-nacl", reason=evil)
    svg_text = traced_svg(layout_of(m), trace)
    svg = ET.fromstring(svg_text)
    assert not [e for e in svg.iter() if e.tag in (f"{SVG}script", "script")]
    titles = "\n".join(e.text or "" for e in svg.iter(f"{SVG}title"))
    assert '<script>alert(1)</script> & "q" \N{REPLACEMENT CHARACTER}[31m' in titles
    assert "\x1b" not in svg_text
    dot = dot_source(m, trace=trace)
    rendered = ET.fromstring(_run(["neato", "-n2", "-Tsvg"], dot))
    assert "pwned" not in [e.get("id") for e in rendered.iter()]
    assert not [e for e in rendered.iter() if e.tag in (f"{SVG}script", "script")]
    texts = "".join("".join(t.itertext()) for t in rendered.iter(f"{SVG}text"))
    assert "<script>alert(1)</script>" in texts                     # the step table shows it, literally


# ----------------------------------------------------------------------------
# The static back-end
# ----------------------------------------------------------------------------

def test_traced_dot_is_laid_out_for_neato_n2(models, tmp_path):
    m = models["three-tier"]
    trace = m.trace("ci-1", "db-1", "tcp/5432")
    g = diagram(m, trace=trace)
    assert isinstance(g, TracedDigraph) and g.engine == "neato"
    src = g.source
    assert src.startswith("// laid out by vpcdsl") and "neato -n2" in src.splitlines()[0]
    assert "notranslate=true" in src and "style=invis weight" not in src     # no layout edges left
    for line in src.splitlines():
        statement = re.match(r'\s*"?([\w.#-]+)"? \[', line)
        if statement and statement.group(1) not in ("graph", "node", "edge") or " -> " in line:
            assert "pos=" in line, line
    svg = ET.fromstring(g.pipe(format="svg"))
    assert _classed(svg, "vpc-trace-blocked") and len(_classed(svg, "vpc-trace-forward")) == 2
    assert g.render(tmp_path / "x", format="png").endswith(".png")
    assert (tmp_path / "x.png").read_bytes().startswith(b"\x89PNG")
    assert dot_source(m, trace=[trace]) == src == dot_source(m, trace=trace)


def test_step_table_explains_the_overlay_beside_the_drawing(models):
    m = models["three-tier"]
    flows = [m.trace("web-1", "db-1", "tcp/5432"), m.trace("ci-1", "db-1", "tcp/5432")]
    layout = layout_of(m)
    table = step_table(plan_overlay(layout.scene, flows))
    for text in ("flow 1:", "web-1 -&gt; db-1 tcp 5432", "<B>allowed</B>", "flow 2:",
                 "BLOCKED by nacl db · line 30", "request", "response", "blocked here", "nacl db in rule 100 allow"):
        assert text in table, text
    assert FLOW_COLOURS[0] in table and FLOW_COLOURS[1] in table and BLOCKED in table
    src = dot_source(m, trace=flows)
    pos = re.search(r'trace__steps \[.*pos="([\d.]+),([\d.]+)"', src)
    nodes = _plain_nodes(_run(["neato", "-n2", "-Tplain"], src))
    x, _, w, _ = (float(v) * 72 for v in nodes["trace__steps"])
    assert x - w / 2 >= layout.bb.x1 and pos is not None          # right of the drawing


def test_several_flows_in_dot(models):
    m = models["three-tier"]
    src = dot_source(m, trace=[m.trace("web-1", "db-1", "tcp/5432"), m.trace("ci-1", "db-1", "tcp/5432")])
    assert "trace__blocked2" in src and "trace__blocked1" not in src
    assert f'color="{FLOW_COLOURS[0]}"' in src and f'color="{FLOW_COLOURS[1]}"' in src
    assert "<B>1.1</B>" in src and "<B>2.1</B>" in src and "<B>1.r1</B>" in src


def test_every_level_draws_an_overlay(models):
    m = models["dns-heavy"]
    for level in ("region", "vpc", "subnet", "instance"):
        for flow in (("internet", "shop-alb", "tcp/443"), ("internet", "web-1", "tcp/8080")):
            trace = m.trace(*flow)
            ET.fromstring(diagram(m, level=level, trace=trace).pipe(format="svg"))
            ET.fromstring(traced_svg(layout_of(m, level=level), trace))


def test_a_traced_diagram_needs_no_new_node_for_a_hop():
    # the internet and a service reached only by the flow are not added to the drawing
    m = vpcdsl.loads("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n instance x in s\n}\n",
                     filename="n.vpc")
    trace = m.trace("x", "8.8.8.8", "tcp/443")
    base = dot_source(m)
    nodes = _plain_nodes(_run(["dot", "-Tplain"], base))
    moved = _plain_nodes(_run(["neato", "-n2", "-Tplain"], dot_source(m, trace=trace)))
    assert {n: moved[n] for n in nodes} == nodes and "internet" not in moved


# ----------------------------------------------------------------------------
# What a front end reads: the model marks on the SVG
# ----------------------------------------------------------------------------

def test_svg_nodes_carry_their_model_names(models):
    m = models["three-tier"]
    svg = ET.fromstring(layout_of(m).svg)
    marked = {(g.get("data-vpc-kind"), g.get("data-vpc-name")) for g in svg.iter(f"{SVG}g")
              if g.get("data-vpc-name") is not None}
    for name in m.subnets:
        assert ("subnet", name) in marked
    assert {("internet", "internet"), ("igw", "prod-igw"), ("lb", "web-alb"), ("service", "s3"),
            ("peering", "prod-shared"), ("site", "office"), ("vpc", "prod")} <= marked
    instance = ET.fromstring(layout_of(m, level="instance").svg)
    nodes = {g.get("data-vpc-name"): g.get("data-vpc-kind") for g in instance.iter(f"{SVG}g")
             if g.get("class") == "node" and g.get("data-vpc-name")}
    assert nodes["web-1"] == "instance" and nodes["db-1"] == "instance" and nodes["nat-a"] == "nat"
    clusters = {g.get("data-vpc-name"): g.get("data-vpc-kind") for g in instance.iter(f"{SVG}g")
                if g.get("class") == "cluster" and g.get("data-vpc-name")}
    assert clusters["app-a"] == "subnet" and clusters["prod"] == "vpc"
    # the AZ summaries of the vpc level stand for no one object
    assert all(":" not in n and n for n in object_marks(layout_of(m, level="vpc").scene))


# ----------------------------------------------------------------------------
# Links told apart by colour and line
# ----------------------------------------------------------------------------

def _link_styles(src: str, label: str) -> set[tuple[str, str]]:
    out = set()
    for line in src.splitlines():
        if " -> " in line and re.search(rf'label="?{label}', line):
            colour = re.search(r'color="([^"]+)"', line).group(1)
            style = re.search(r"style=(\w+)", line)
            out.add((colour, style.group(1) if style else "solid"))
    return out


def test_links_differ_in_colour_and_line(models):
    three, hub, hybrid = (dot_source(models[n]) for n in ("three-tier", "hub-and-spoke", "hybrid-office"))
    peering = _link_styles(three, "requester")
    tgw = _link_styles(hub, "attachment")
    vpn = _link_styles(hybrid, "VPN ")
    dx = _link_styles(hybrid, "Direct Connect")
    assert peering == {(f"{NETWORK}:transparent:{NETWORK}", "solid")}        # a double line
    assert tgw == {(TGW, "solid")} and vpn == {(VPN, "dashed")} and dx == {(DX, "dotted")}
    colours = [next(iter(s))[0].split(":")[0] for s in (peering, tgw, vpn, dx)]
    lines = ["double", "solid", "dashed", "dotted"]
    assert len(set(colours)) == 4 and len(set(lines)) == 4
    legend = next(line for line in hybrid.splitlines() if line.strip().startswith("legend ["))
    assert "Site-to-Site VPN (dashed)" in legend and "Direct Connect (dotted)" in legend
    assert "VPC peering (double line)" in next(l for l in three.splitlines() if l.strip().startswith("legend ["))
    assert "transit gateway attachment (solid)" in next(
        l for l in hub.splitlines() if l.strip().startswith("legend ["))


def test_a_cached_layout_serves_another_model_with_the_same_drawing(models):
    # the same text compiled twice: one layout, but each model's own scene for its hops
    three_tier = next(p for p in EXAMPLES if p.stem == "three-tier")
    m1, m2 = (_load(three_tier) for _ in range(2))
    assert m1.path == m2.path and m1 is not m2
    a, b = layout_of(m1), layout_of(m2)
    assert a.svg is b.svg and a.scene.model is m1 and b.scene.model is m2
    assert traced_svg(a, m1.trace("ci-1", "db-1", "tcp/5432")) == traced_svg(b, m2.trace("ci-1", "db-1", "tcp/5432"))
