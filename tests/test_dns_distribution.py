"""Route 53 answers as a distribution (`vpcdsl.analysis.route53`, `route53_policies`): each
possible answer with its exact probability, every candidate with why it lost, the TTL,
NOERROR / NODATA / NXDOMAIN, evaluate-target-health on aliases, and how `vpcdsl dns`,
`--json` and the HTML show them.

AWS pages (Route 53 Developer Guide, https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/):
routing-policy-weighted.html, routing-policy-multivalue.html, routing-policy-failover.html,
routing-policy-latency.html, routing-policy-geo.html, routing-policy-geoproximity.html,
dns-failover-complex-configs.html (zero weights with health checks),
resource-record-sets-values-alias.html ("Evaluate target health"),
resource-record-sets-values-multivalue.html.
"""

from __future__ import annotations

import json
from fractions import Fraction
from math import comb

import pytest

import vpcdsl
from vpcdsl.analysis.route53 import ALIAS_TTL, DEFAULT_TTL, NEGATIVE_TTL, resolve
from vpcdsl.views.cli import main
from vpcdsl.views.dns_view import bar, percent

from tracing import model

ZONE = """\
vpc web {
  cidr 10.50.0.0/16
  subnet a 10.50.1.0/24 az a
  subnet b 10.50.2.0/24 az b
  instance w1 in a
  instance w2 in b
  lb up-alb application internal in a, b {
    listen http 80 -> w1 down, w2
    listen http 81 -> w1
  }
  lb sick-alb application internal in a, b {
    listen http 80 -> w1, w2
    listen http 81 -> w1 down, w2 down
  }
  lb half-clb classic internal in a, b {
    listen http 80 -> w1 down
    listen http 81 -> w2
  }
}
dns example.com {
  health up   http 192.0.2.1:80 /ping
  health gone http 192.0.2.2:80 /ping down
  w7     A ttl 60 weighted { 7 a -> 192.0.2.10; 3 b -> 192.0.2.11; 0 c -> 192.0.2.12 }
  zero   A weighted { 0 a -> 192.0.2.10; 0 b -> 192.0.2.11; 0 c -> 192.0.2.12 }
  wsick  A weighted { 3 a -> 192.0.2.10 health gone; 1 b -> 192.0.2.11 }
  wzero  A weighted { 3 a -> 192.0.2.10 health gone; 0 b -> 192.0.2.11; 0 c -> 192.0.2.12 }
  wall   A weighted { 3 a -> 192.0.2.10 health gone; 1 b -> 192.0.2.11 health gone }
  mv4    A multivalue { 192.0.2.1; 192.0.2.2 health gone; 192.0.2.3; 192.0.2.4 }
  mv10   A multivalue { 192.0.2.1; 192.0.2.2; 192.0.2.3; 192.0.2.4; 192.0.2.5; 192.0.2.6; 192.0.2.7; 192.0.2.8; 192.0.2.9; 192.0.2.60 }
  mv13   A multivalue { 192.0.2.1; 192.0.2.2; 192.0.2.3; 192.0.2.4; 192.0.2.5; 192.0.2.6; 192.0.2.7; 192.0.2.8; 192.0.2.9; 192.0.2.60; 192.0.2.61; 192.0.2.62; 192.0.2.63 }
  mvdown A multivalue { 192.0.2.1 health gone; 192.0.2.2 health gone }
  f      A failover { primary -> 192.0.2.20 health up; secondary -> 192.0.2.21 }
  ff     A failover { primary -> 192.0.2.20 health gone; secondary -> 192.0.2.21 health gone }
  lat    A latency { us-east-1 -> 192.0.2.30; eu-west-1 -> 192.0.2.31 health gone; eu-central-1 -> 192.0.2.32 }
  geo    A geolocation { DE -> 192.0.2.40; continent EU -> 192.0.2.41; FR -> 192.0.2.42 }
  near   A geoproximity { us-east-1 bias 90 -> 192.0.2.50; eu-west-1 -> 192.0.2.51 }
  app    A failover { primary -> sick-alb; secondary -> up-alb }
  clb    A simple half-clb
  wcn    CNAME weighted { 1 a -> one.example.com; 3 b -> two.example.com }
  one    A simple 192.0.2.71
  two    A simple 192.0.2.72, 192.0.2.73
  api.eu A simple 192.0.2.80
  txt    TXT simple "<script>alert(1)</script>"
}
"""


@pytest.fixture(scope="module")
def m():
    return model(ZONE)


def dist(r):
    return [(a.values, a.probability) for a in r.distribution]


def why(r, value):
    return next(c.why for c in r.candidates if c.value == value)


# ---------------------------------------------------------------------------- weighted

def test_weighted_70_30_is_exact_and_weight_0_loses(m):
    r = resolve(m, "w7.example.com")
    assert dist(r) == [(("192.0.2.10",), Fraction(7, 10)), (("192.0.2.11",), Fraction(3, 10))]
    assert sum(a.probability for a in r.distribution) == 1
    assert r.probability("192.0.2.12") == 0 and "weight 0" in why(r, "192.0.2.12")
    assert why(r, "192.0.2.10") == "weight 7 of 10"


def test_weighted_all_zero_is_equal_shares(m):
    r = resolve(m, "zero.example.com")
    assert [p for _, p in dist(r)] == [Fraction(1, 3)] * 3


def test_weighted_unhealthy_drops_out_and_zero_weights_stand_in(m):
    r = resolve(m, "wsick.example.com")
    assert dist(r) == [(("192.0.2.11",), Fraction(1))]
    assert why(r, "192.0.2.10") == "unhealthy: health check gone is down"
    # every record with a weight above 0 unhealthy: the zero-weighted ones, equally
    r = resolve(m, "wzero.example.com")
    assert dist(r) == [(("192.0.2.11",), Fraction(1, 2)), (("192.0.2.12",), Fraction(1, 2))]
    # none healthy: all count as healthy, by weight
    r = resolve(m, "wall.example.com")
    assert dist(r) == [(("192.0.2.10",), Fraction(3, 4)), (("192.0.2.11",), Fraction(1, 4))]
    assert "none healthy" in r.reason


# ---------------------------------------------------------------------------- multivalue

def test_multivalue_up_to_eight_healthy_all_answered(m):
    r = resolve(m, "mv4.example.com")
    assert dist(r) == [(("192.0.2.1", "192.0.2.3", "192.0.2.4"), Fraction(1))]
    assert r.probability("192.0.2.2") == 0 and "unhealthy" in why(r, "192.0.2.2")


def test_multivalue_more_than_eight_each_record_k_over_n(m):
    r = resolve(m, "mv10.example.com")
    assert r.possible_answers == comb(10, 8) == len(r.distribution) == 45
    assert all(len(a.values) == 8 and a.probability == Fraction(1, 45) for a in r.distribution)
    assert all(r.probability(c.value) == Fraction(8, 10) == c.probability for c in r.candidates)
    assert "not in the 8 chosen" in why(r, "192.0.2.60")
    assert len(r.answers) == 8                     # `answers` keeps one possible answer


def test_multivalue_too_many_sets_are_counted_not_listed(m):
    r = resolve(m, "mv13.example.com")
    assert r.distribution == () and r.possible_answers == comb(13, 8)
    assert r.probability("192.0.2.63") == Fraction(8, 13)


def test_multivalue_all_unhealthy_answers_them_all(m):
    r = resolve(m, "mvdown.example.com")
    assert dist(r) == [(("192.0.2.1", "192.0.2.2"), Fraction(1))]


# ---------------------------------------------------------------------------- one-answer policies

def test_failover_the_loser_says_why(m):
    r = resolve(m, "f.example.com")
    assert dist(r) == [(("192.0.2.20",), Fraction(1))]
    assert why(r, "192.0.2.21").startswith("not the primary")
    r = resolve(m, "ff.example.com")                       # both unhealthy: the primary
    assert dist(r) == [(("192.0.2.20",), Fraction(1))] and "both unhealthy" in why(r, "192.0.2.21")


def test_latency_losers_are_farther_with_km_or_unhealthy(m):
    r = resolve(m, "lat.example.com", client="GB")           # the UK's centroid: Dublin, but it is down
    assert dist(r) == [(("192.0.2.32",), Fraction(1))]
    assert why(r, "192.0.2.31") == "unhealthy: health check gone is down"
    assert why(r, "192.0.2.30").startswith("farther: us-east-1 is ") and " km from GB" in why(r, "192.0.2.30")


def test_geolocation_losers_and_no_default_is_nodata(m):
    r = resolve(m, "geo.example.com", client="DE")
    assert dist(r) == [(("192.0.2.40",), Fraction(1))]
    assert why(r, "192.0.2.41") == "a larger area (continent EU) than DE"
    assert why(r, "192.0.2.42") == "other country: FR does not hold DE"
    r = resolve(m, "geo.example.com", client="JP")
    assert r.answers == () and r.status == "NODATA" and r.ttl == NEGATIVE_TTL
    assert "no default" in r.reason


def test_geoproximity_lower_bias_is_said(m):
    # Dublin is nearer Paris before bias; us-east-1's +90 bias (x 0.1: 620 km against 780) wins
    r = resolve(m, "near.example.com", client="coords 48.86 2.35")
    assert r.answers == ("192.0.2.50",)
    assert why(r, "192.0.2.51").startswith("lower bias: nearer before bias")
    assert "(bias +90)" in why(r, "192.0.2.50")


# ---------------------------------------------------------------------------- evaluate target health

def test_alias_to_an_lb_with_a_target_group_all_down_is_unhealthy(m):
    r = resolve(m, "app.example.com")
    assert r.answers == ("up-alb",)
    assert "every target of listener http 81 of load balancer 'sick-alb' is down" in why(r, "sick-alb")
    assert r.ttl == ALIAS_TTL


def test_a_classic_lb_is_unhealthy_only_when_every_target_is_down(m):
    from vpcdsl.analysis.route53 import lb_health
    assert lb_health(m.get("half-clb", "lb")) is None
    assert lb_health(m.get("up-alb", "lb")) is None
    assert "listener http 81" in lb_health(m.get("sick-alb", "lb"))


# ---------------------------------------------------------------------------- CNAME branches, status, TTL

def test_a_weighted_cname_branches_with_its_shares(m):
    r = resolve(m, "wcn.example.com")
    assert dist(r) == [(("192.0.2.72", "192.0.2.73"), Fraction(3, 4)), (("192.0.2.71",), Fraction(1, 4))]
    assert set(r.answers) == {"192.0.2.71", "192.0.2.72", "192.0.2.73"}


def test_nxdomain_nodata_and_the_empty_non_terminal(m):
    assert resolve(m, "nothing.example.com").status == "NXDOMAIN"
    assert resolve(m, "eu.example.com").status == "NODATA"          # api.eu exists below it
    r = resolve(m, "f.example.com", "TXT")
    assert r.status == "NODATA" and r.answers == () and r.ttl == NEGATIVE_TTL
    assert resolve(m, "f.example.com").status == "NOERROR"


def test_ttl_written_default_and_too_large(m):
    assert resolve(m, "w7.example.com").ttl == 60
    assert resolve(m, "f.example.com").ttl == DEFAULT_TTL == 300
    text = "dns example.com {\n  x A ttl 2147483648 simple 192.0.2.1\n}\n"
    bad = vpcdsl.loads(text, filename="t.vpc", strict=False)
    (d,) = [d for d in bad.diagnostics if d.code == "E719"]
    assert d.span.line == 2 and d.span.col == text.splitlines()[1].index("2147483648") + 1


# ---------------------------------------------------------------------------- views

def test_bar_and_percent():
    assert bar(Fraction(1)) == "█" * 20 and bar(Fraction(0)).strip() == ""
    assert bar(Fraction(1, 2)) == "█" * 10 + " " * 10
    assert percent(Fraction(7, 10)) == "0.7" and percent(Fraction(1, 3)) == "0.333333"


def test_cli_text_table_and_json(tmp_path, capsys):
    path = tmp_path / "z.vpc"
    path.write_text(ZONE, encoding="utf-8")
    assert main(["dns", str(path), "w7.example.com"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("w7.example.com A from us-east-1: 192.0.2.10, 192.0.2.11\n")
    assert "NOERROR, ttl 60 s, policy weighted" in out
    assert "  answer      probability  exact\n" in out                  # one heading per column
    assert "192.0.2.10  0.7          7/10       " + "█" * 14 in out
    assert "lost  c  192.0.2.12  0        weight 0" in out
    assert main(["dns", str(path), "w7.example.com", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["dns", str(path), "w7.example.com", "--json"]) == 0
    assert capsys.readouterr().out == first                         # byte-identical
    doc = json.loads(first)
    assert list(doc)[:8] == ["version", "fqdn", "type", "client", "client_place", "status", "ttl", "policy"]
    assert doc["distribution"][0] == {"values": ["192.0.2.10"], "probability": 0.7, "fraction": "7/10",
                                      "ttl": 60}
    assert doc["candidates"][2]["chosen"] is False and doc["candidates"][2]["fraction"] == "0"
    assert main(["dns", str(path), "nothing.example.com"]) == 1
    assert "no answer (NXDOMAIN)" in capsys.readouterr().out


def test_html_shows_bars_and_escapes_everything(m):
    r = resolve(m, "txt.example.com", "TXT")
    html = r._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    html = resolve(m, "w7.example.com")._repr_html_()
    assert 'class="dnsbar" style="width:70.00%"' in html and "7/10" in html and 'class="lost"' in html


def test_the_explorer_dns_panel_shows_the_distribution(m):
    ex = vpcdsl.explore(m)
    panel = next(p for p in ex.panels if p.title == "DNS")
    panel.name.value = "w7.example.com"
    assert 'class="dnsbar" style="width:70.00%"' in panel.answer.value
    assert "weight 0: chosen only when" in panel.answer.value


def test_the_vpc_dns_magic_shows_the_distribution():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output
    shell = InteractiveShell.instance()
    try:
        shell.display_formatter.active_types = ["text/plain", "text/html"]
        shell.run_line_magic("load_ext", "vpcdsl")
        with capture_output():
            shell.run_cell(f"%%vpc zone\n{ZONE}")
            res = shell.run_line_magic("vpc", "dns zone wzero.example.com --from DE")
        data, _ = shell.display_formatter.format(res)
        assert res.distribution[0].probability == Fraction(1, 2)
        assert 'class="dnsbar" style="width:50.00%"' in data["text/html"] and "1/2" in data["text/html"]
    finally:
        shell.user_ns.pop("zone", None)
        InteractiveShell.clear_instance()


def test_an_alias_keeps_route53s_ttl_whatever_is_written():
    m = model(ZONE.replace("clb    A simple half-clb", "clb    A ttl 3600 simple half-clb"))
    r = resolve(m, "clb.example.com")
    assert r.ttl == ALIAS_TTL and "not the written `ttl`" in r.reason
