"""The explorer's panels. A panel is one component: a title, a widget, and
``refresh(explorer)``, called after every change of the flow; the explorer
shows each in a tab. The symbolic analyses add reach, exposure and a CIDR
planner as panels of their own (`Explorer.add_panel`).
"""

from __future__ import annotations

import ipywidgets as w

from ..dns_view import resolution_html
from .html_display import STYLE, text
from .named_display import flow_table

__all__ = ["Panel", "FlowPanel", "DnsPanel", "DNS_TYPES"]

DNS_TYPES = ("A", "AAAA", "CNAME", "MX", "TXT", "NS", "SRV", "PTR", "CAA")


class Panel:
    """The interface every panel follows (see the module docstring)."""

    title = "panel"
    widget: w.Widget

    def refresh(self, explorer) -> None:
        """Show what the explorer's current flow means for this panel."""


class FlowPanel(Panel):
    """The flow's verdict, reason and hop table (each hop's deciding line); for a flow to a
    DNS name, Route 53's answers, each with its probability and verdict, first."""

    title = "flow"

    def __init__(self):
        self.widget = w.HTML(layout=w.Layout(width="100%"))

    def refresh(self, explorer) -> None:
        trace = explorer.trace
        if trace is None:
            self.widget.value = f'<div class="vpcdsl">{STYLE}<p class="muted">{text(explorer.problem or "")}</p></div>'
        else:
            self.widget.value = f'<div class="vpcdsl">{STYLE}{flow_table(trace)}</div>'


def _record_names(model) -> list[str]:
    names = set()
    for zone in model.dns_zones:
        for record in zone.records:
            label = record.label
            names.add(zone.name if label == "@" else f"{label}.{zone.name}")
    return sorted(names)


class DnsPanel(Panel):
    """Route 53: a name, a type and where the client is → each answer with its probability
    (a table with bars), and every candidate record with why it won or lost."""

    title = "DNS"

    def __init__(self, model):
        names = _record_names(model)
        # A name a client would ask for first: a wildcard's own name is rarely one.
        first = next((n for n in names if not n.startswith("*")), names[0] if names else "")
        self.name = w.Combobox(options=names, value=first, placeholder="app.example.com",
                               description="name", ensure_option=False)
        self.type = w.Dropdown(options=DNS_TYPES, value="A", description="type", layout=w.Layout(width="160px"))
        self.client = w.Text(value="", placeholder="eu-west-1, DE, continent EU, 10.0.1.5",
                             description="from", continuous_update=False)
        self.answer = w.HTML()
        self.widget = w.VBox([w.HBox([self.name, self.type, self.client]), self.answer])
        self._explorer = None
        for control in (self.name, self.type, self.client):
            control.observe(self._changed, names="value")

    def _changed(self, _change) -> None:
        if self._explorer is not None:
            self._explorer.guarded(lambda: self.refresh(self._explorer))

    def refresh(self, explorer) -> None:
        from ...analysis.named_ends import is_name
        from ...analysis.route53 import DnsError
        self._explorer = explorer
        dst = explorer.dst.value
        if is_name(dst) and dst != getattr(self, "_followed", None):
            self._followed = dst               # a DNS name picked as the destination: ask for it here
            self.type.value = "AAAA" if getattr(explorer.trace, "named", None) is not None \
                and explorer.trace.named.rtype == "AAAA" else "A"
            self.name.value = dst
        if not self.name.value.strip():
            self.answer.value = ""
            return
        try:
            res = explorer.model.resolve(self.name.value.strip(), self.type.value, self.client.value.strip() or None)
        except DnsError as exc:
            hint = f"<br>hint: {text(exc.hint)}" if exc.hint else ""
            self.answer.value = f'<div class="vpcdsl">{STYLE}<p class="muted">{text(exc)}{hint}</p></div>'
            return
        self.answer.value = resolution_html(res)
        self.resolution = res

