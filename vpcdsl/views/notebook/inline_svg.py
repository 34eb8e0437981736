"""SVG drawings inside notebook HTML: scaled to the output's width, never wider,
and for a large drawing a box that can be zoomed to full size and scrolled.

Everything is inline (no script, no CDN): the zoom is a checkbox and CSS, so it
works offline, in exported HTML and in a notebook that is not trusted.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["responsive", "zoom_box", "BIG_SVG_WIDTH"]

# Wider than this (in the SVG's own points) a drawing is shown in a zoom box:
# scaled to fit at first, at full size on demand with scroll bars.
BIG_SVG_WIDTH = 900

_PROLOGUE = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?(<!--.*?-->\s*)*", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.S)
_SIZE = re.compile(r'\s(width|height)="([\d.]+)(pt|px)?"')


def responsive(svg: str) -> tuple[str, float]:
    """The ``<svg>`` element of a Graphviz SVG, sized by CSS to the container's
    width (its viewBox keeps the proportions), and its natural width in points."""
    body = _PROLOGUE.sub("", svg, count=1)
    head = _SVG_OPEN.search(body)
    if head is None:
        return body, 0.0
    tag = head.group(0)
    sizes = {m.group(1): float(m.group(2)) for m in _SIZE.finditer(tag)}
    width = sizes.get("width", 0.0)
    new = _SIZE.sub("", tag)
    if "viewBox" not in new and sizes:
        new = new[:-1] + f' viewBox="0 0 {sizes.get("width", 0):g} {sizes.get("height", 0):g}">'
    style = f"width:100%;max-width:{width:g}pt;height:auto" if width else "width:100%;height:auto"
    new = new[:-1].rstrip("/") + f' style="{style}" preserveAspectRatio="xMidYMin meet">'
    return body[:head.start()] + new + body[head.end():], width


def zoom_box(svg: str) -> str:
    """HTML holding the drawing: fit to width; a large one also gets a
    "full size" toggle that shows it at its natural size in a scrolling box."""
    element, width = responsive(svg)
    if width <= BIG_SVG_WIDTH:
        return f'<div class="vpcdsl-diagram">{element}</div>'
    # Ids from the content: the same drawing gives the same HTML (determinism).
    key = "vpcdsl-zoom-" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:12]
    full = element.replace('style="width:100%;', f'style="width:{width:g}pt;', 1)
    return (
        f'<div class="vpcdsl-diagram vpcdsl-zoomable">'
        f'<style>#{key}:checked ~ .fit {{display:none}} #{key}:not(:checked) ~ .full {{display:none}}</style>'
        f'<input type="checkbox" id="{key}" style="margin:0 4px 0 0">'
        f'<label for="{key}" style="font-size:12px;cursor:pointer">full size ({width:.0f} pt wide; scroll to pan)</label>'
        f'<div class="fit">{element}</div>'
        f'<div class="full" style="overflow:auto;max-height:80vh;border:1px solid #ddd">{full}</div>'
        f'</div>')
