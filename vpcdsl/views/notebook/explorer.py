"""`explore(model)`: pick a flow's source, destination, protocol and port, and
see its verdict, hop table and path over the drawing change as you pick.

    from vpcdsl import explore
    explore(model)                      # in a notebook cell; or `%vpc explore NAME`

The pickers group the model's flow ends by kind (instances, subnets, load
balancers, endpoints, sites, the internet, AWS services); the destination may
also be a DNS name of the model's zones (`dns_names`), traced to each answer
Route 53 gives the source, each with its probability. A click on a drawn
subnet, instance or gateway picks it as the source or the destination (the
"click picks" toggle). The panels below (flow, DNS, reach, and what later analyses add
with `Explorer.add_panel`) refresh after each change. An error in a callback is
shown in the widget, never lost in a log.
"""

from __future__ import annotations

import re

import ipywidgets as w

from ...analysis.named_ends import is_name, named_trace
from ...aws import SERVICES
from ...diagnostics import escape_controls
from ...syntax import ast
from .diagram_widget import DiagramView
from .html_display import STYLE, hop_rows, text
from .panels import DnsPanel, FlowPanel, Panel
from .reach_panel import ReachPanel

__all__ = ["Explorer", "explore", "flow_ends", "dns_names", "PROTOCOLS"]

PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "all")

_GROUPS = (
    ("instances", (ast.Instance,)),
    ("subnets", (ast.Subnet,)),
    ("load balancers", (ast.LoadBalancer,)),
    ("endpoints", (ast.InterfaceEndpoint, ast.GatewayEndpoint)),
)


def flow_ends(model) -> list[tuple[str, str]]:
    """Every flow end of ``model`` as (label, name), grouped by kind, in that order:
    instances, subnets, load balancers, endpoints, sites, the internet, services."""
    out: list[tuple[str, str]] = []
    for group, classes in _GROUPS:
        names = sorted({m.name for c in classes for m in model.members(c) if not getattr(m, "implicit", False)})
        out.extend((f"{group} › {n}", n) for n in names)
    out.extend((f"sites › {n}", n) for n in sorted(model.sites))
    out.append(("internet", "internet"))
    used = sorted({getattr(m, "service", None) for c in (ast.GatewayEndpoint, ast.InterfaceEndpoint)
                   for m in model.members(c)} & set(SERVICES)) or ["s3"]
    out.extend((f"services › {s}", s) for s in used)
    return out


# The record types a flow can be traced to (an address, or a name that leads to one).
_FLOW_TYPES = {"A", "AAAA", "CNAME"}


def dns_names(model) -> list[tuple[str, str]]:
    """The names of the model's zones a flow can go to, as (label, name): those with an A,
    AAAA or CNAME record, without wildcards and underscore labels (``_dmarc``), sorted."""
    names = set()
    for zone in model.dns_zones:
        for record in zone.records:
            label = record.label
            if record.type.name.upper() not in _FLOW_TYPES or label.startswith(("*", "_")):
                continue
            names.add(zone.name if label == "@" else f"{label}.{zone.name}")
    return [(f"DNS names › {n}", n) for n in sorted(names)]


_DOT_ESCAPE = re.compile(r"_([0-9a-f]+)_")


def _clicked_name(value: str) -> str:
    """The model name of a clicked object: its data-vpc-name, or the name in its DOT
    id (``instance__web-1`` → ``web-1``; `vpcdsl.views.escaping.dot_id` reversed)."""
    if "__" not in value:
        return value
    name = value.split("__", 1)[1]
    return _DOT_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)


class Explorer(w.VBox):
    """The widget `explore` returns (an ipywidgets VBox)."""

    def __init__(self, model, *, src: str | None = None, dst: str | None = None, protocol: str = "tcp",
                 port: str | int = 443, level: str | None = None):
        from .rich import display_level
        self.model = model
        self.level = level or display_level(model)
        self.trace = None
        self.overlay = None        # the trace drawn over the drawing: the flow's, or a reach row's witness
        self.problem: str | None = None
        ends = flow_ends(model)
        names = [n for _, n in ends]
        src = src if src in names else _first(names, "instances", ends) or names[0]
        wide = w.Layout(width="auto")
        self.src = w.Dropdown(options=ends, value=src, description="source", layout=wide)
        targets = ends + dns_names(model)
        dst = dst if dst in names or dst in [n for _, n in targets] else \
            next((n for n in names if n != src), names[0])
        self.dst = w.Dropdown(options=targets, value=dst, description="destination", layout=wide)
        self.protocol = w.Dropdown(options=PROTOCOLS, value=protocol, description="protocol",
                                   layout=w.Layout(width="170px"))
        self.port = w.Text(value=str(port), description="port", placeholder="443, 1024-2048, echo-request",
                           continuous_update=False, layout=w.Layout(width="230px"))
        self.click_picks = w.ToggleButtons(options=("source", "destination"), value="source",
                                           description="click picks", style={"button_width": "112px"})
        self.verdict = w.HTML()
        self.error = w.HTML()
        self.diagram = DiagramView()
        self.panels: list[Panel] = []
        self.tabs = w.Tab()
        super().__init__([w.HBox([self.src, self.dst]), w.HBox([self.protocol, self.port, self.click_picks]),
                          self.verdict, self.error, self.diagram, self.tabs])
        self._drawing = None
        for panel in (FlowPanel(), DnsPanel(model), ReachPanel()):
            self.add_panel(panel, refresh=False)
        for control in (self.src, self.dst, self.protocol, self.port):
            control.observe(lambda _c: self.guarded(self.update), names="value")
        self.diagram.observe(lambda c: self.guarded(lambda: self._clicked(c["new"])), names="clicked")
        self.guarded(self.update)

    # ------------------------------------------------------------------ components

    def add_panel(self, panel: Panel, *, refresh: bool = True) -> None:
        """One more panel (a tab) refreshed after every change of the flow."""
        self.panels.append(panel)
        self.tabs.children = [p.widget for p in self.panels]
        self.tabs.titles = tuple(p.title for p in self.panels)
        if refresh:
            self.guarded(lambda: panel.refresh(self))

    def guarded(self, callback) -> None:
        """Run a callback; an exception it raises is shown in the widget, not lost."""
        self.error.value = ""      # cleared first: a callback may leave a note of its own
        try:
            callback()
        except Exception as exc:  # noqa: BLE001  (shown to the user, see the docstring)
            self.error.value = (f'<div class="vpcdsl">{STYLE}<div class="error"><pre>'
                                f'<span class="sev-error">{text(type(exc).__name__)}</span>: {text(exc)}'
                                f"</pre></div></div>")

    # ------------------------------------------------------------------ updates

    @property
    def flow(self) -> str:
        port = self.port.value.strip()
        return f"{self.src.value} -> {self.dst.value} {self.protocol.value}{'/' + port if port else ''}"

    @property
    def rows(self) -> list[dict]:
        """The hop table as data (`vpcdsl.views.notebook.html_display.hop_rows`)."""
        return hop_rows(self.trace) if self.trace is not None else []

    def update(self) -> None:
        """Trace the picked flow; refresh the verdict, the panels and the drawing."""
        from ...flows.trace import FlowError
        self.trace, self.problem = None, None
        port = self.port.value.strip() or None
        try:
            if is_name(self.dst.value):
                self.trace = named_trace(self.model, self.src.value, self.dst.value, self.protocol.value, port)
            else:
                self.trace = self._tracer().trace(self.src.value, self.dst.value, self.protocol.value, port)
        except FlowError as exc:
            self.problem = str(exc) + (f" (hint: {exc.hint})" if exc.hint else "")
        if self.trace is not None:
            t = self.trace
            self.verdict.value = (f'<div class="vpcdsl">{STYLE}<b>{text(t.flow)}</b>: '
                                  f'<span class="{t.verdict}">{t.verdict.upper()}</span> — {text(t.reason)}</div>')
        else:
            self.verdict.value = f'<div class="vpcdsl">{STYLE}<span class="muted">{text(self.problem)}</span></div>'
        self.overlay = self.trace
        for panel in self.panels:
            panel.refresh(self)
        self.diagram.svg = self._svg()

    def _tracer(self):
        from ...flows.trace import Tracer
        if getattr(self, "_tracer_obj", None) is None:
            self._tracer_obj = Tracer(self.model)
        return self._tracer_obj

    @property
    def layout_seconds(self) -> float | None:
        """How long Graphviz took to lay the drawing out (once: overlays restyle it)."""
        return None if self._drawing is None else self._drawing.seconds

    def _svg(self) -> str:
        from ..layout import layout_of
        from ..overlay_svg import traced_svg
        if self._drawing is None:
            self._drawing = layout_of(self.model, level=self.level)
        if self.overlay is None:
            return self._drawing.svg
        return traced_svg(self._drawing, self.overlay)

    def show_overlay(self, trace) -> None:
        """Draw ``trace`` (or nothing, for None) over the drawing; the next change of the
        flow draws the flow's trace again."""
        self.overlay = trace
        self.diagram.svg = self._svg()

    def _clicked(self, value: str) -> None:
        if not value:
            return
        name = _clicked_name(value)
        self.diagram.clicked = ""
        target = self.src if self.click_picks.value == "source" else self.dst
        if name in [n for _, n in target.options]:
            target.value = name
            if target is self.src:
                self.click_picks.value = "destination"   # the next click picks the other end
        else:
            self.error.value = (f'<div class="vpcdsl">{STYLE}<span class="muted">'
                                f"{text(escape_controls(name))} is not a flow end (pick a subnet, instance, "
                                f"load balancer, endpoint, site, the internet or a service)</span></div>")

    def __repr__(self) -> str:  # deterministic text/plain for notebooks (no widget ids)
        verdict = self.trace.verdict.upper() if self.trace is not None else "not traced"
        return escape_controls(f"Explorer({self.model.path}: {self.flow}: {verdict})")


def _first(names, group, ends):
    return next((n for label, n in ends if label.startswith(group)), None)


def explore(model, **options) -> Explorer:
    """The explorer widget over a compiled model; see the module docstring."""
    return Explorer(model, **options)
