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
