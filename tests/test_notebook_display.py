"""Rich display in Jupyter (issue 10): `_repr_html_` of a model, diagnostics, a
trace and a Route 53 answer, and their deterministic ``text/plain``.

Golden HTML lives beside its input in tests/fixtures/notebook/ with the SVG
body replaced by ``<svg/>`` (it depends on Graphviz's version; the drawing is
pinned by its DOT in tests/golden/dot). Regenerate with ``UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from IPython.core.formatters import DisplayFormatter

import vpcdsl
from vpcdsl.views.notebook.inline_svg import BIG_SVG_WIDTH, responsive, zoom_box
from cli_runs import check_golden

HERE = Path(__file__).parent / "fixtures" / "notebook"
EXAMPLES = Path(__file__).parent.parent / "examples"
_SVG = re.compile(r"<svg\b[\s\S]*?</svg>")


def sanitized(html: str) -> str:
    return _SVG.sub("<svg/>", html)


def golden(name: str, actual: str) -> None:
    """Compare with the golden file; paths are made relative to the repository (CI clones elsewhere)."""
    actual = actual.replace(str(Path(__file__).parent.parent) + "/", "")
    check_golden(HERE / name, actual)


def formats(obj) -> dict:
    data, _ = DisplayFormatter().format(obj)
    return data


@pytest.fixture(scope="module")
def three_tier():
    return vpcdsl.load(EXAMPLES / "three-tier.vpc")


def test_model_displays_summary_tables_diagnostics_and_drawing(three_tier):
    data = formats(three_tier)
    html = data["text/html"]
    assert data["text/plain"] == three_tier.summary()            # no memory address
    for head in ("<th>VPC</th>", "<th>subnet</th>", "<th>gateway</th>"):
        assert head in html
    assert "<td>db-a</td><td>prod</td><td>10.0.20.0/24</td>" in html
    assert "warning[W302]" in html and "^^^^" in html             # the snippet and caret
    assert html.count("<svg") == 1
    golden("three-tier.model.html", sanitized(html))


def test_display_is_deterministic(three_tier):
    again = vpcdsl.load(EXAMPLES / "three-tier.vpc")
    assert three_tier._repr_html_() == again._repr_html_()
    t1, t2 = three_tier.trace("ci-1", "db-1", "tcp/5432"), again.trace("ci-1", "db-1", "tcp/5432")
    assert t1._repr_html_() == t2._repr_html_()


def test_diagnostics_show_the_source_line_escaped():
    model = vpcdsl.load(HERE / "broken.vpc", strict=False)
    html = formats(model.diagnostics)["text/html"]
    assert "error[E104]" in html and "^^^^^^^^^^^" in html
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; not code" in html and "<b>not bold" not in html
    assert formats(model.diagnostics)["text/plain"] == model.diagnostics.render()
    golden("broken.diagnostics.html", html)


def test_control_characters_are_shown_escaped_in_html_and_text():
    model = vpcdsl.load(HERE / "control-chars.vpc", strict=False)
    data = formats(model)
    assert "\x1b" not in data["text/html"] and "\x1b" not in data["text/plain"]
    assert '<span class="err">-\\x1b</span>' in data["text/html"]


def test_diagnostics_highlight_the_source_line_with_the_vpc_lexer():
    # Issue 10 point 5: HTML diagnostics use the Pygments lexer for `.vpc`,
    # the same one nbconvert and pygmentize use, and its stylesheet comes along.
    model = vpcdsl.load(HERE / "broken.vpc", strict=False)
    html = formats(model.diagnostics)["text/html"]
    line = next(l for l in html.split("\n") if l.startswith("  4 | "))
    assert '<span class="kd">subnet</span>' in line and '<span class="m">10.9.0.0/24</span>' in line
    assert '<span class="c1"># &lt;b&gt;not bold&lt;/b&gt; &amp; not code</span>' in line
    assert ".vpcdsl .vpc-highlight .kd" in html
    # What a reader sees is the compiler's text: tags out, the caret under the span.
    shown = re.sub("<[^>]+>", "", line)
    caret = next(l for l in html.split("\n") if "^^^" in l)
    assert caret.index("^") == shown.index("10.9.0.0/24")


def test_one_diagnostic_displays_as_compiler_text_not_a_dataclass():
    model = vpcdsl.load(HERE / "broken.vpc", strict=False)
    data = formats(model.errors[0])
    assert data["text/plain"].startswith(f"{HERE / 'broken.vpc'}:4:16: error[E104]: subnet 'web-a'")
    assert "Diagnostic(" not in data["text/plain"]
    assert '<span class="sev-error">error[E104]</span>' in data["text/html"]


def test_vpcdsl_error_displays_every_diagnostic():
    with pytest.raises(vpcdsl.VpcdslError) as info:
        vpcdsl.load(HERE / "broken.vpc")
    assert "error[E104]" in info.value._repr_html_()


def test_trace_displays_hop_table_decider_and_highlighted_drawing(three_tier):
    trace = three_tier.trace("ci-1", "db-1", "tcp/5432")
    data = formats(trace)
    assert data["text/plain"] == trace.table()
    html = data["text/html"]
    assert '<span class="blocked">BLOCKED</span>' in html
    assert html.count('<tr class="decider">') == 1          # the NACL that dropped it
    decider = html.split('<tr class="decider">')[1].split("</tr>")[0]
    assert "nacl:db" in decider and "three-tier.vpc:30" in decider
    assert html.count("<svg") == 1
    golden("three-tier.trace.html", sanitized(html))


def test_trace_without_a_model_shows_the_table_only(three_tier):
    from dataclasses import replace
    trace = replace(three_tier.trace("web-1", "db-1", "tcp/5432"), model=None)
    html = trace._repr_html_()
    assert '<span class="allowed">ALLOWED</span>' in html and "<svg" not in html


def test_dns_answer_displays_the_answer_and_why():
    dns = vpcdsl.load(EXAMPLES / "dns-heavy.vpc")
    res = dns.resolve("app.example.com", "A", "eu-west-1")
    data = formats(res)
    assert data["text/plain"] == ("app.example.com A from eu-west-1: shop-alb\n"
                                  "  why: latency: us-east-1 is the nearest healthy region to eu-west-1 "
                                  "[" + str(EXAMPLES / "dns-heavy.vpc") + ":138]")
    assert "<code>shop-alb</code>" in data["text/html"] and "why: latency" in data["text/html"]


def test_svg_scales_to_the_output_width():
    svg = '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="400pt" height="200pt" viewBox="0 0 400 200"><g/></svg>'
    element, width = responsive(svg)
    assert width == 400 and element.startswith("<svg")
    assert 'width="400pt"' not in element and "width:100%;max-width:400pt;height:auto" in element


def test_a_wide_drawing_gets_a_scriptless_zoom_box():
    wide = f'<svg width="{BIG_SVG_WIDTH + 100}pt" height="10pt" viewBox="0 0 1 1"></svg>'
    html = zoom_box(wide)
    assert "vpcdsl-zoomable" in html and "<script" not in html and 'type="checkbox"' in html
    assert zoom_box(wide) == html                              # ids from the content
    assert "vpcdsl-zoomable" not in zoom_box('<svg width="300pt" height="10pt"></svg>')
