"""The explorer's drawing as a widget: an SVG the Python side replaces, panned
and zoomed in the browser, reporting which drawn object was clicked.

A custom front end (anywidget, its JavaScript in `diagram_view.js`, shipped in
the package and loaded offline) because ipywidgets' HTML widget can neither run
a script nor report a click.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

__all__ = ["DiagramView"]


class DiagramView(anywidget.AnyWidget):
    _esm = Path(__file__).with_name("diagram_view.js")
    svg = traitlets.Unicode("").tag(sync=True)
    # The model name (or DOT id) of the object last clicked; the explorer reads
    # it and sets it back to "" so that the same object can be clicked again.
    clicked = traitlets.Unicode("").tag(sync=True)

    def __repr__(self) -> str:  # deterministic text/plain (no model id, no SVG)
        return "DiagramView()"
