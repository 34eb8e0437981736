"""The IPython extension (issue 10): ``%load_ext vpcdsl``, ``%%vpc`` and the
``%vpc`` line magics, driven through IPython's own `InteractiveShell`."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import vpcdsl

EXAMPLES = Path(__file__).parent.parent / "examples"

WEB = """\
vpc prod {
  cidr 10.0.0.0/16
  subnet app-a 10.0.10.0/24 az a
  subnet db-a  10.0.20.0/24 az a
  sg web { in tcp 443 from 0.0.0.0/0 }
  instance web-1 in app-a sg web
}
"""


@pytest.fixture()
def ip():
    shell = InteractiveShell.instance()
    shell.display_formatter.active_types = ["text/plain", "text/html"]
    shell.run_line_magic("load_ext", "vpcdsl")
    yield shell
    shell.user_ns.pop("prod", None)
    InteractiveShell.clear_instance()


def cell(ip, line: str, body: str, cell_id: str | None = None):
    """Run ``%%vpc line`` as a notebook would, with JupyterLab's cell id if given."""
    with capture_output() as out:
        ip.run_cell(f"%%vpc {line}\n{body}", cell_id=cell_id)
    return out.outputs


def line(ip, text: str):
    with capture_output() as out:
        value = ip.run_line_magic("vpc", text)
    return value, out.outputs


def test_load_ext_registers_both_magics(ip):
    assert "vpc" in ip.magics_manager.magics["cell"]
    assert "vpc" in ip.magics_manager.magics["line"]


def test_cell_compiles_binds_and_shows_summary_and_drawing(ip):
    outputs = cell(ip, "prod", (EXAMPLES / "three-tier.vpc").read_text())
    assert len(outputs) == 1
    data = outputs[0].data
    assert isinstance(ip.user_ns["prod"], vpcdsl.Model) and ip.user_ns["prod"].ok
    assert "ok: 0 errors, 1 warning" in data["text/plain"]
    assert "<th>subnet</th>" in data["text/html"] and "data-dot-sha256=" in data["text/html"]
    assert " at 0x" not in data["text/plain"]


def test_a_model_error_is_shown_as_a_diagnostic_never_a_traceback(ip):
    with capture_output() as out:
        result = ip.run_cell("%%vpc lab\nvpc lab {\n  cidr 10.8.0.0/16\n  subnet s 10.9.0.0/24 az a\n}\n")
    assert result.success and result.error_in_exec is None
    html = out.outputs[0].data["text/html"]
    assert "lab[1]:4:12: " in out.outputs[0].data["text/plain"] and "error[E104]" in html and "^^^^" in html
    assert "Traceback" not in out.stdout + out.stderr
    assert ip.user_ns["lab"].ok is False


def test_a_syntax_error_is_a_diagnostic_too(ip):
    outputs = cell(ip, "typo", "vpc lab {\n  cidr 10.8.0.0/16\n  subnet web-a az a\n}\n")
    assert "error[E0" in outputs[0].data["text/plain"]
    assert "<svg" not in outputs[0].data["text/html"]     # half a model is not drawn


def test_parts_over_cells_rerun_replaces_never_appends(ip):
    cell(ip, "net --part web", WEB)
    cell(ip, "net --part office", "site office 192.168.0.0/16 asn 65010\n")
    assert sorted(ip.user_ns["net"].vpcs) == ["prod"] and sorted(ip.user_ns["net"].sites) == ["office"]
    outputs = cell(ip, "net --part web", WEB.replace("web-1", "web-2"))   # the web cell, edited and re-run
    model = ip.user_ns["net"]
    assert model.ok, outputs[0].data["text/plain"]
    assert sorted(model.instances) == ["web-2"] and sorted(model.sites) == ["office"]


def test_parts_are_known_by_jupyterlabs_cell_id(ip):
    cell(ip, "net", WEB, cell_id="c1")
    cell(ip, "net", WEB.replace("web-1", "web-9"), cell_id="c1")
    assert sorted(ip.user_ns["net"].instances) == ["web-9"]
    cell(ip, "net", "site office 192.168.0.0/16 asn 65010\n", cell_id="c2")
    assert sorted(ip.user_ns["net"].sites) == ["office"] and sorted(ip.user_ns["net"].instances) == ["web-9"]


def test_without_a_cell_id_a_rerun_cell_is_known_by_its_declarations(ip):
    cell(ip, "net", WEB)
    cell(ip, "net", WEB.replace("web-1", "web-3"))      # same `vpc prod`: replaces itself
    assert sorted(ip.user_ns["net"].instances) == ["web-3"]


def test_a_duplicate_across_parts_is_the_models_own_diagnostic(ip):
    cell(ip, "dup --part a", WEB)
    outputs = cell(ip, "dup --part b", WEB)
    assert "error[E2" in outputs[0].data["text/plain"]        # `prod` defined twice
    assert "dup[1]" in outputs[0].data["text/plain"] or "dup[2]" in outputs[0].data["text/plain"]


def test_trace_line_magic_returns_the_trace(ip):
    cell(ip, "prod", (EXAMPLES / "three-tier.vpc").read_text())
    trace, _ = line(ip, "trace prod ci-1 -> db-1 tcp/5432")
    assert trace.verdict == "blocked" and trace.component == "nacl:db"
    ok, _ = line(ip, "trace prod web-1 db-1 tcp/5432")
    assert ok.allowed


def test_trace_of_an_unknown_end_is_a_message_with_a_hint(ip):
    cell(ip, "prod", (EXAMPLES / "three-tier.vpc").read_text())
    message, _ = line(ip, "trace prod web-1 -> nowhere tcp/443")
    assert repr(message).startswith("error: ") and "nowhere" in repr(message)


@pytest.mark.parametrize("text, words", [
    ("trace", "trace needs a model and a flow"),
    ("trace prod web-1 -> tcp/443", "cannot read the flow"),
    ("trace nosuch a -> b tcp/1", "no model called 'nosuch'"),
    ("frobnicate", "unknown command 'frobnicate'"),
    ("dns prod", "the following arguments are required: fqdn"),
    ("trace prod 'unclosed", "cannot read the arguments"),
])
def test_bad_magic_arguments_get_a_message_and_hint_not_a_traceback(ip, text, words):
    cell(ip, "prod", (EXAMPLES / "three-tier.vpc").read_text())
    value, outputs = line(ip, text)
    shown = repr(value) if value is not None else outputs[0].data["text/plain"]
    assert words in shown and "hint:" in shown


def test_cell_name_must_be_a_python_name(ip):
    outputs = cell(ip, "three-tier", WEB)
    assert "is not a Python name" in outputs[0].data["text/plain"]


def test_dns_line_magic(ip):
    cell(ip, "dns", (EXAMPLES / "dns-heavy.vpc").read_text())
    res, _ = line(ip, "dns dns app.example.com A --from eu-west-1")
    assert res.answers == ("shop-alb",)


def test_check_and_reset(ip):
    cell(ip, "lab", "vpc lab {\n  cidr 10.8.0.0/16\n  subnet s 10.9.0.0/24 az a\n}\n")
    view, _ = line(ip, "check lab")
    assert "FAILED: 1 error" in repr(view)
    message, _ = line(ip, "reset lab")
    assert "forgotten" in repr(message)
    value, outputs = line(ip, "check lab")
    assert "no model called 'lab'" in (repr(value) if value is not None else outputs[0].data["text/plain"])


def test_line_magic_uses_a_model_loaded_in_python(ip):
    ip.user_ns["loaded"] = vpcdsl.load(EXAMPLES / "three-tier.vpc")
    trace, _ = line(ip, "trace loaded web-1 -> db-1 tcp/5432")
    assert trace.allowed


def test_hostile_names_are_escaped_in_the_cells_html(ip):
    outputs = cell(ip, "x", 'vpc a {\n  cidr 10.0.0.0/16\n  subnet s 10.1.0.0/24 az a  # <script>alert(1)</script>\n}\n')
    assert "<script>alert" not in outputs[0].data["text/html"]
