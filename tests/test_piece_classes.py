"""`vpcdsl.analysis.piece_classes`: one trace stands for every address piece of a range end
whose view by the traced path is the same. Held to the answer without it (one trace per
piece, as `reach` made before): every row of `reach` from and to the internet and a CIDR on
every example and on a model whose rules cut the public space near the path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis import reach as engine
from vpcdsl.flows.trace import Tracer

from tracing import model

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.vpc"))

CUT = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet pub-a 10.0.1.0/24 az a
  subnet priv-a 10.0.2.0/24 az a
  igw app-igw
  nat app-nat in pub-a
  route-table pub for pub-a { 0.0.0.0/0 -> app-igw; 198.51.100.0/24 -> blackhole }
  route-table priv for priv-a { 0.0.0.0/0 -> app-nat }
  nacl pub-acl for pub-a {
    in  100 deny  tcp 22 from 203.0.113.0/25
    in  200 allow any from 0.0.0.0/0
    out 100 deny  tcp 1024-65535 to 192.0.2.0/24
    out 200 allow any to 0.0.0.0/0
  }
  sg web { in tcp 22 from 203.0.113.0/24; in tcp 443 from 0.0.0.0/0; out any to 0.0.0.0/0 }
  instance web-1 in pub-a sg web public-ip
  instance app-1 in priv-a sg web
}
"""


def _rows(m, src, dst):
    r = engine.reach(m, src, dst)
    return [(x.status, x.packets, x.where) for x in r.rows], r.skipped


def _both(m, src, dst, monkeypatch):
    grouped = _rows(m, src, dst)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_views", lambda *args: None)
        alone = _rows(m, src, dst)
    return grouped, alone


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_grouped_pieces_give_the_answer_of_one_trace_per_piece(path, monkeypatch):
    m = vpcdsl.load(path)
    names = [e for e in engine.flow_ends(m) if e not in engine.SERVICES and e != "internet"][:6]
    block = str(next(c.net for v in m.vpcs.values() for c in v.cidrs if c.net is not None))
    for name in names:
        for src, dst in (("internet", name), (name, "internet"), (name, block)):
            grouped, alone = _both(m, src, dst, monkeypatch)
            assert grouped == alone, (src, dst)


def test_rules_near_the_path_split_the_pieces(monkeypatch):
    m = model(CUT)
    for src, dst in (("internet", "web-1"), ("web-1", "internet"), ("app-1", "internet"),
                     ("web-1", "0.0.0.0/0")):
        grouped, alone = _both(m, src, dst, monkeypatch)
        assert grouped == alone, (src, dst)
    r = engine.reach(m, "internet", "web-1")
    ssh = [x for x in r.rows if x.status == "allowed" and "tcp 22" in x.service]
    assert ssh and all("203.0.113.128/25" in x.where for x in ssh)


def test_a_path_through_a_load_balancer_is_not_grouped():
    from vpcdsl.analysis.piece_classes import PathViews
    m = vpcdsl.load(next(p for p in EXAMPLES if p.stem == "three-tier"))
    tracer = Tracer(m)
    pv = PathViews(tracer, "web-alb")
    t = tracer.trace("8.8.8.8", "web-alb", "tcp", "443")
    assert pv.view(t, 0x08080808) is None
