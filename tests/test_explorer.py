"""The explorer widget's logic, headless (issue 10): set a picker's ``.value``
and assert on the widgets it changes (verdict, hop table, drawing, panels)."""

from __future__ import annotations

from pathlib import Path

import ipywidgets as w
import pytest

import vpcdsl
from vpcdsl.views.notebook.explorer import Explorer, flow_ends
from vpcdsl.views.notebook.panels import Panel

EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="module")
def model():
    return vpcdsl.load(EXAMPLES / "three-tier.vpc")


@pytest.fixture()
def explorer(model):
    return vpcdsl.explore(model, src="web-1", dst="db-1", port=5432)


def test_ends_are_grouped_by_kind_in_order(model):
    labels = [label for label, _ in flow_ends(model)]
    groups = [label.split(" › ")[0] for label in labels]
    order = ["instances", "subnets", "load balancers", "endpoints", "sites", "internet", "services"]
    assert [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g] == order
    assert ("load balancers › web-alb", "web-alb") in flow_ends(model)
    assert ("services › s3", "s3") in flow_ends(model)


def test_first_view_traces_the_picked_flow(explorer):
    assert explorer.trace.allowed and "ALLOWED" in explorer.verdict.value
    assert explorer.error.value == ""
    assert explorer.diagram.svg.lstrip().startswith(("<?xml", "<svg"))
    assert explorer.rows[0]["component"] == "sg:web" and explorer.rows[0]["direction"] == "forward"


def test_changing_the_source_retraces_and_marks_the_deciding_hop(explorer):
    explorer.src.value = "ci-1"
    assert explorer.trace.verdict == "blocked" and "BLOCKED" in explorer.verdict.value
    deciders = [r for r in explorer.rows if r["decider"]]
    assert [(r["component"], r["line"].rsplit(":", 1)[-1]) for r in deciders] == [("nacl:db", "30")]
    assert '<tr class="decider">' in explorer.panels[0].widget.value


def test_changing_the_port_and_protocol(explorer):
    explorer.port.value = "22"                            # the db subnet's NACL admits 5432 only
    assert explorer.trace.verdict == "blocked" and explorer.trace.component == "nacl:db"
    explorer.protocol.value = "icmp"
    explorer.port.value = "echo-request"
    assert explorer.flow == "web-1 -> db-1 icmp/echo-request" and explorer.trace is not None


def test_the_drawing_changes_with_the_flow(explorer):
    allowed = explorer.diagram.svg
    explorer.src.value = "ci-1"
    assert explorer.diagram.svg != allowed


def test_a_flow_that_cannot_be_traced_says_why(explorer):
    explorer.port.value = "not-a-port"
    assert explorer.trace is None and explorer.problem
    assert explorer.rows == [] and explorer.error.value == ""


def test_clicks_pick_source_then_destination(explorer):
    explorer.diagram.clicked = "subnet__app-a"          # the DOT id in the node's <title>
    assert explorer.src.value == "app-a" and explorer.click_picks.value == "destination"
    assert explorer.diagram.clicked == ""                # cleared: the same node can be clicked again
    explorer.diagram.clicked = "db-a"                     # a data-vpc-name
    assert explorer.dst.value == "db-a"
    assert explorer.trace.flow.startswith("app-a -> db-a")


def test_a_click_on_something_that_is_no_flow_end(explorer):
    explorer.diagram.clicked = "region__us-east-1"
    assert explorer.src.value == "web-1" and "is not a flow end" in explorer.error.value


def test_dns_panel_answers_and_explains():
    dns = vpcdsl.load(EXAMPLES / "dns-heavy.vpc")
    ex = vpcdsl.explore(dns)
    panel = next(p for p in ex.panels if p.title == "DNS")
    assert not panel.name.value.startswith("*") and panel.name.value in panel.name.options
    assert panel.answer.value  # the first name is answered before anyone types
    panel.name.value = "app.example.com"
    panel.client.value = "eu-west-1"
    assert "<code>shop-alb</code>" in panel.answer.value and "latency" in panel.answer.value
    panel.name.value = "nothing.invalid"
    assert "shop-alb" not in panel.answer.value and ex.error.value == ""


def test_a_panel_is_one_more_component(explorer):
    class Count(Panel):
        title = "count"

        def __init__(self):
            self.widget = w.HTML()

        def refresh(self, ex):
            self.widget.value = str(len(ex.rows))

    panel = Count()
    explorer.add_panel(panel)
    assert explorer.tabs.titles[-1] == "count" and panel.widget.value == str(len(explorer.rows))
    explorer.src.value = "ci-1"
    assert panel.widget.value == str(len(explorer.rows))


def test_a_callback_error_is_shown_in_the_widget(explorer):
    class Broken(Panel):
        title = "broken"
        widget = w.HTML()

        def refresh(self, ex):
            raise RuntimeError("panel <b>exploded</b>")

    explorer.add_panel(Broken())
    assert "RuntimeError" in explorer.error.value and "&lt;b&gt;exploded" in explorer.error.value
    explorer.panels.pop()
    explorer.src.value = "ci-1"
    assert explorer.error.value == ""


def test_text_plain_is_deterministic(model):
    a, b = Explorer(model, src="web-1", dst="db-1"), Explorer(model, src="web-1", dst="db-1")
    assert repr(a) == repr(b) == "Explorer(examples/three-tier.vpc: web-1 -> db-1 tcp/443: BLOCKED)".replace(
        "examples/three-tier.vpc", str(EXAMPLES / "three-tier.vpc"))
    assert repr(a.diagram) == "DiagramView()"


# ---------------------------------------------------------------------------- the reach panel

def _reach_panel(ex):
    panel = next(p for p in ex.panels if p.title == "reach")
    ex.tabs.selected_index = ex.panels.index(panel)
    return panel


def _expected(reach, direction):
    return [(r.src, r.dst, r.status, r.service) for r in reach.rows if r.status != "blocked"]


def _listed(panel, direction):
    return [(r.src, r.dst, r.status, r.service) for r in panel.rows[direction]]


def test_reach_panel_waits_until_its_tab_is_shown(model):
    ex = vpcdsl.explore(model, src="web-1", dst="db-1", port=5432)
    panel = next(p for p in ex.panels if p.title == "reach")
    assert panel.reaches == {} and panel.lists["out"].options == ()
    ex.src.value = "web-2"
    assert panel.reaches == {}                           # not computed while hidden
    ex.tabs.selected_index = ex.panels.index(panel)
    assert list(panel.reaches) == ["web-2"] and panel.lists["out"].options


def test_selecting_an_end_fills_the_reach_panel(model, explorer):
    panel = _reach_panel(explorer)
    assert panel.end == "web-1" and panel.side.value == "source" and explorer.error.value == ""
    assert _listed(panel, "out") == _expected(model.reach("web-1"), "out")
    assert _listed(panel, "in") == _expected(model.reach(None, "web-1"), "in")
    assert ("web-1", "db-1", "allowed", "tcp 5432") in _listed(panel, "out")
    label = dict((i, text) for text, i in panel.lists["out"].options)[0]
    assert label.split() == ["→", "db-1", "tcp", "5432", "local", "ALLOWED"]
    assert "what web-1 can reach</b>: 6 rows" in panel.heading["out"].value
    # Picking the destination turns the panel to it: who reaches db-1 is web-1 and web-2.
    explorer.dst.value = "web-alb"
    explorer.dst.value = "db-1"
    assert panel.side.value == "destination" and panel.end == "db-1"
    assert [(r.src, r.service) for r in panel.rows["in"]] == [("web-1", "tcp 5432"), ("web-2", "tcp 5432")]
    assert _listed(panel, "out") == _expected(model.reach("db-1"), "out")
    assert set(panel.reaches) == {"web-1", "web-alb", "db-1"}
    # Cached per end: the toggle back to the source computes nothing.
    cached = panel.reaches["web-1"]
    panel.side.value = "source"
    assert panel.end == "web-1" and panel.reaches["web-1"] is cached
    assert _listed(panel, "out") == _expected(model.reach("web-1"), "out")


def test_a_lone_reach_row_is_shown_in_a_list_not_a_dropdown(model, explorer):
    # The browser draws a <select> of size 1 as a closed drop-down: its one row, not
    # selected, would be a blank box (who reaches web-2 is web-alb alone).
    panel = _reach_panel(explorer)
    explorer.src.value = "web-2"
    assert len(panel.rows["in"]) == 1 and panel.lists["in"].rows == 2
    assert len(panel.rows["out"]) == 6 and panel.lists["out"].rows == 6
    explorer.src.value = "db-1"                          # starts nothing: an empty list, 2 lines high
    assert panel.rows["out"] == [] and panel.lists["out"].rows == 2
    from vpcdsl.views.notebook.reach_panel import ReachPanel
    assert [box.rows for box in ReachPanel().lists.values()] == [2, 2]   # before any end


def test_blocked_rows_on_request(model, explorer):
    panel = _reach_panel(explorer)
    panel.blocked.value = True
    assert _listed(panel, "out") == [(r.src, r.dst, r.status, r.service) for r in model.reach("web-1").rows]
    assert any(r.status == "blocked" for r in panel.rows["out"])


def test_a_reach_row_click_shows_its_witness(model, explorer):
    panel = _reach_panel(explorer)
    explorer.dst.value = "db-1"
    explorer.src.value = "ci-1"
    explorer.dst.value = "web-alb"
    explorer.dst.value = "db-1"                          # the panel is about db-1 now
    flow_svg = explorer.diagram.svg
    row = panel.rows["in"][1]
    assert (row.src, row.dst) == ("web-2", "db-1")
    from vpcdsl.views.notebook.html_display import text, trace_table
    panel.lists["in"].value = 1                           # what a click on the row does
    assert panel.picked is row and explorer.overlay is row.witness
    assert text(row.witness.flow) in panel.witness.value and '<table class="vpcdsl-hops">' in panel.witness.value
    assert trace_table(row.witness) in panel.witness.value
    from vpcdsl.views.overlay_svg import traced_svg
    assert explorer.diagram.svg == traced_svg(explorer._drawing, row.witness) != flow_svg
    # Another row, through the handler directly (db-1 starts nothing: its own rows are blocked).
    assert panel.rows["out"] == []
    panel.pick("in", 0)
    assert panel.lists["in"].value == 0 and explorer.overlay is panel.rows["in"][0].witness
    # A change of the flow draws the flow's trace again.
    explorer.port.value = "22"
    assert panel.picked is None and panel.witness.value == "" and explorer.overlay is explorer.trace
    assert explorer.error.value == ""


def test_reach_panel_text_is_escaped_and_deterministic(model):
    from vpcdsl.analysis.reach import Reach, ReachRow
    hostile = vpcdsl.load(EXAMPLES / "three-tier.vpc")
    real = model.reach(None, "db-1").rows[0]
    evil = "<img src=x onerror=alert(1)>\x1b[2J"
    fake = Reach(evil, None, (ReachRow(evil, "db-1", "allowed", real.packets, real.witness, "<b>via</b>",
                                       "from <i>here</i>"),))
    hostile.reach = lambda src, dst=None, packets=None: fake
    ex = vpcdsl.explore(hostile, src="web-1", dst="db-1", port=5432)
    panel = _reach_panel(ex)
    html = panel.heading["out"].value + panel.heading["in"].value + panel.status.value
    panel.pick("out", 0)
    html += panel.witness.value
    assert "<img" not in html and "<b>via" not in html and "<i>here" not in html and "\x1b" not in html
    assert "&lt;img" in html and "&lt;i&gt;here" in html
    label = panel.lists["in"].options[0][0]             # who reaches: the source's name
    assert "\x1b" not in label and "\\x1b[2J" in label
    a, b = _reach_panel(vpcdsl.explore(model, src="web-1", dst="db-1")), \
        _reach_panel(vpcdsl.explore(model, src="web-1", dst="db-1"))
    assert [a.lists[d].options for d in ("out", "in")] == [b.lists[d].options for d in ("out", "in")]
    assert a.heading["out"].value == b.heading["out"].value


def test_a_reach_error_is_shown_in_the_widget(model):
    broken = vpcdsl.load(EXAMPLES / "three-tier.vpc")

    def explode(src, dst=None, packets=None):
        raise RuntimeError("reach <b>exploded</b>")

    broken.reach = explode
    ex = vpcdsl.explore(broken, src="web-1", dst="db-1")
    _reach_panel(ex)
    assert "RuntimeError" in ex.error.value and "&lt;b&gt;exploded" in ex.error.value
