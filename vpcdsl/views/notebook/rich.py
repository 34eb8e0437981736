"""The rich display of vpcdsl's objects in Jupyter (`_repr_html_` of `Model`,
`Diagnostic`, `Diagnostics`, `Trace` (a flow to a DNS name too), `Resolution`, `Plan`, `Reach`,
`NamedReach`, `ModelDiff`, `Exposure` and `Matrix`): the HTML of
`vpcdsl.views.notebook.html_display` with the drawing each needs.

A drawing that cannot be made (no Graphviz, a model whose syntax failed) is
left out with a line saying why; displaying never raises.
"""

from __future__ import annotations

from .html_display import (diagnostic_html, diagnostics_html, model_html, resolution_html, text,
                           trace_html)
from .diff_display import diff_html
from .exposure_display import exposure_html
from .matrix_display import matrix_html
from .plan_display import plan_html
from .reach_display import reach_html

__all__ = ["model_repr_html", "trace_repr_html", "diagnostic_repr_html", "diagnostics_repr_html",
           "resolution_repr_html", "plan_repr_html", "reach_repr_html", "diff_repr_html", "exposure_repr_html",
           "matrix_repr_html", "matrix_repr_text", "named_reach_repr_html", "display_level",
           "model_svg", "trace_svg"]

# Above this many subnets a model is drawn at the `vpc` level in its display:
# a subnet-level drawing of a large estate is too big to read inline.
SUBNET_LEVEL_LIMIT = 60


def display_level(model) -> str:
    return "subnet" if len(model.subnets) <= SUBNET_LEVEL_LIMIT else "vpc"


def model_svg(model, **options) -> str:
    """The model's drawing as SVG text: the base layout, laid out once and cached
    (`vpcdsl.views.layout.layout_of`)."""
    from ..layout import layout_of
    options.setdefault("level", display_level(model))
    return layout_of(model, **options).svg


def trace_svg(trace, **options) -> str:
    """The drawing of the model a trace ran in, the flow over it as styling only:
    the cached layout is not laid out again (`vpcdsl.views.overlay_svg.traced_svg`)."""
    from ..layout import layout_of
    from ..overlay_svg import traced_svg
    options.setdefault("level", display_level(trace.model))
    return traced_svg(layout_of(trace.model, **options), trace)


def _no_drawing(exc: Exception) -> str:
    hint = getattr(exc, "hint", None)
    return (f'<p class="muted">(no drawing: {text(exc)}'
            + (f"; {text(hint)}" if hint else "") + ")</p>")


def model_repr_html(model) -> str:
    if not model.syntax_ok:
        return model_html(model)
    try:
        svg = model_svg(model)
    except Exception as exc:  # noqa: BLE001  (a display must not raise; say why instead)
        return model_html(model) + _no_drawing(exc)
    return model_html(model, svg)


def trace_repr_html(trace) -> str:
    if trace.model is None:
        return trace_html(trace)
    try:
        svg = trace_svg(trace)
    except Exception as exc:  # noqa: BLE001
        return trace_html(trace) + _no_drawing(exc)
    return trace_html(trace, svg)


def diagnostic_repr_html(diag) -> str:
    return diagnostic_html(diag)


def diagnostics_repr_html(diags) -> str:
    return diagnostics_html(diags, getattr(diags, "sources", None))


def resolution_repr_html(res) -> str:
    return resolution_html(res)


def plan_repr_html(plan) -> str:
    return plan_html(plan)


def reach_repr_html(reach) -> str:
    return reach_html(reach)


def named_reach_repr_html(reach) -> str:
    from .named_display import named_reach_html
    return named_reach_html(reach)


def diff_repr_html(diff) -> str:
    return diff_html(diff)


def exposure_repr_html(exposure) -> str:
    return exposure_html(exposure)


def matrix_repr_html(matrix) -> str:
    return matrix_html(matrix)


def matrix_repr_text(matrix) -> str:
    from ..matrix_view import matrix_text
    return matrix_text(matrix)
