"""`vpcdsl trace`, `render` and `dns` on a model whose expectations fail: only compile errors stop them."""

from __future__ import annotations

from vpcdsl.views.cli import main

FAILING = """\
vpc a {
  cidr 10.0.0.0/16
  subnet s 10.0.1.0/24 az a
  sg web { in tcp 443 from 10.0.0.0/16 }
  instance w in s sg web
  instance c in s
}
expect c -> w tcp 443 blocked
"""


def test_trace_and_render_work_when_an_expectation_fails(tmp_path, capsys):
    path = tmp_path / "m.vpc"
    path.write_text(FAILING)
    assert main(["check", str(path)]) == 1                      # the expectation fails (E901)
    capsys.readouterr()
    assert main(["trace", str(path), "c", "w", "tcp/443"]) == 0
    assert "verdict: ALLOWED" in capsys.readouterr().out
    assert main(["render", str(path)]) == 0
    assert "digraph" in capsys.readouterr().out


def test_trace_accepts_the_flow_as_one_argument_as_render_trace_does(tmp_path, capsys):
    path = tmp_path / "m.vpc"
    path.write_text(FAILING)
    assert main(["trace", str(path), "c -> w tcp/443"]) == 0
    assert "flow: c -> w tcp 443" in capsys.readouterr().out
    assert main(["trace", str(path), "c -> tcp/443"]) == 2
    assert "cannot read the flow" in capsys.readouterr().err
