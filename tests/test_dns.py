"""What Route 53 answers (`vpcdsl.analysis.route53`): zones, record lookup, every routing policy, health,
clients, `expect dns` and `vpcdsl dns` (SEMANTICS.md, Route 53)."""

from __future__ import annotations

import json

import pytest

import vpcdsl
from vpcdsl.aws import CONTINENTS, REGIONS
from vpcdsl.views.cli import main
from vpcdsl.analysis.route53 import DnsError, client_of, resolve
from vpcdsl.analysis.geo import CONTINENT_OF, REGION_PLACES

from tracing import line_of, model

ZONE = """\
vpc web {
  cidr 10.50.0.0/16
  subnet app 10.50.10.0/24 az a
}
dns example.com {
  health up   http 192.0.2.1:80 /ping
  health gone http 192.0.2.2:80 /ping down
  @     A     simple 192.0.2.100
  www   CNAME simple example.com
  alias CNAME simple www.example.com
  mail  MX    simple "10 mx.example.com"
  w     A weighted { 3 a -> 192.0.2.10; 1 b -> 192.0.2.11; 0 c -> 192.0.2.12 }
  z     A weighted { 0 a -> 192.0.2.10; 0 b -> 192.0.2.11 }
  wh    A weighted { 1 a -> 192.0.2.10 health gone; 1 b -> 192.0.2.11 }
  f     A failover { primary -> 192.0.2.20 health gone; secondary -> 192.0.2.21 health up }
  ff    A failover { primary -> 192.0.2.20 health gone; secondary -> 192.0.2.21 health gone }
  lat   A latency { us-east-1 -> 192.0.2.30; eu-west-1 -> 192.0.2.31; ap-northeast-1 -> 192.0.2.32 }
  geo   A geolocation { state US-CA -> 192.0.2.40; US -> 192.0.2.41; continent EU -> 192.0.2.42; default -> 192.0.2.43 }
  near  A geoproximity { us-east-1 bias 50 -> 192.0.2.50; eu-west-1 -> 192.0.2.51; coords 35.68 139.69 bias -50 -> 192.0.2.52 }
  mv    A multivalue { 192.0.2.1 health up; 192.0.2.2 health gone; 192.0.2.3; 192.0.2.4; 192.0.2.5; 192.0.2.6; 192.0.2.7; 192.0.2.8; 192.0.2.9; 192.0.2.60 }
  ip    A ip-based { 198.51.100.0/24 -> 192.0.2.70; 198.51.100.128/25 -> 192.0.2.71; default -> 192.0.2.72 }
  *     A simple 192.0.2.99
}
dns corp.example.com private for web {
  db A simple 10.50.20.10
}
"""


@pytest.fixture(scope="module")
def m():
    return model(ZONE)


def answers(m, name, rtype="A", client=None):
    return set(resolve(m, name, rtype, client).answers)


def test_the_apex_cname_chains_and_nodata(m):
    assert answers(m, "example.com") == {"192.0.2.100"}
    r = resolve(m, "alias.example.com", "A")
    assert r.answers == ("192.0.2.100",) and len(r.chain) == 2          # alias -> www -> apex
    assert answers(m, "www.example.com", "CNAME") == {"example.com"}
    r = resolve(m, "mail.example.com", "A")                               # a name with only MX
    assert r.answers == () and "only MX" in r.reason


def test_the_wildcard_stands_for_names_with_no_record(m):
    r = resolve(m, "anything.deep.example.com")
    assert r.answers == ("192.0.2.99",) and "wildcard" in r.reason
    assert answers(m, "anything.example.com", "TXT") == set()


def test_private_zones_answer_only_inside_their_vpcs(m):
    assert answers(m, "db.corp.example.com", client="10.50.10.20") == {"10.50.20.10"}
    # from outside, the public example.com zone answers with its wildcard
    assert answers(m, "db.corp.example.com", client="198.51.100.1") == {"192.0.2.99"}
    with pytest.raises(DnsError, match="no hosted zone"):
        resolve(m, "example.org")


def test_weighted_gives_every_record_with_a_share(m):
    r = resolve(m, "w.example.com")
    assert set(r.answers) == {"192.0.2.10", "192.0.2.11"} and "75%" in r.reason and "25%" in r.reason
    assert answers(m, "z.example.com") == {"192.0.2.10", "192.0.2.11"}     # all weights 0: equal shares
    assert answers(m, "wh.example.com") == {"192.0.2.11"}                  # the unhealthy one drops out


def test_failover(m):
    r = resolve(m, "f.example.com")
    assert r.answers == ("192.0.2.21",) and "secondary" in r.reason
    assert resolve(m, "ff.example.com").answers == ("192.0.2.20",)         # both unhealthy: the primary


def test_latency_is_the_nearest_region(m):
    assert answers(m, "lat.example.com", client="eu-central-1") == {"192.0.2.31"}
    assert answers(m, "lat.example.com", client="ap-northeast-3") == {"192.0.2.32"}
    assert answers(m, "lat.example.com", client="coords 40.7 -74.0") == {"192.0.2.30"}
    # a country stands at its centroid (vpcdsl.analysis.geo_places): Germany is nearest Dublin
    assert answers(m, "lat.example.com", client="DE") == {"192.0.2.31"}
    # an address outside vpcdsl's table of well-known ranges has no location
    with pytest.raises(DnsError, match="needs the client's location"):
        resolve(m, "lat.example.com", client="100.64.0.1")


def test_geolocation_takes_the_smallest_area(m):
    assert answers(m, "geo.example.com", client="state US-CA") == {"192.0.2.40"}
    assert answers(m, "geo.example.com", client="state US-NY") == {"192.0.2.41"}
    assert answers(m, "geo.example.com", client="FR") == {"192.0.2.42"}
    assert answers(m, "geo.example.com", client="eu-west-1") == {"192.0.2.42"}   # Ireland, Europe
    assert answers(m, "geo.example.com", client="JP") == {"192.0.2.43"}
    assert answers(m, "geo.example.com", client="coords 48.86 2.35") == {"192.0.2.43"}


def test_geoproximity_applies_the_bias(m):
    # Paris: Dublin is nearest; a +50 bias on us-east-1 halves its distance, not enough
    assert answers(m, "near.example.com", client="coords 48.86 2.35") == {"192.0.2.51"}
    # Iceland: Dublin 1,500 km, N. Virginia 4,600 km x 0.5 = 2,300 km
    assert answers(m, "near.example.com", client="coords 64.1 -21.9") == {"192.0.2.51"}
    # Seoul: Tokyo 1,150 km, doubled by the -50 bias, loses to nothing nearer than 2,300 km
    assert answers(m, "near.example.com", client="ap-northeast-2") == {"192.0.2.52"}
    # Newfoundland: 2,200 km to N. Virginia (x 0.5) beats 3,300 km to Dublin
    assert answers(m, "near.example.com", client="coords 47.6 -52.7") == {"192.0.2.50"}


def test_multivalue_gives_at_most_eight_healthy_records(m):
    r = resolve(m, "mv.example.com")
    assert len(r.answers) == 8 and "192.0.2.2" not in r.answers


def test_ip_based_takes_the_longest_cidr_else_the_default(m):
    assert answers(m, "ip.example.com", client="198.51.100.7") == {"192.0.2.70"}
    assert answers(m, "ip.example.com", client="198.51.100.200") == {"192.0.2.71"}
    assert answers(m, "ip.example.com", client="203.0.113.1") == {"192.0.2.72"}
    assert answers(m, "ip.example.com", client="eu-west-1") == {"192.0.2.72"}


def test_clients():
    m = model(ZONE)
    assert client_of(m, None).value == "us-east-1"
    assert client_of(m, "de").kind == "country" and client_of(m, "de").value == "DE"
    assert client_of(m, "continent eu").value == "EU"
    assert client_of(m, "coords 1 2").point == (1.0, 2.0)
    with pytest.raises(DnsError, match="cannot read the client"):
        client_of(m, "somewhere over the rainbow")


def test_geo_data_covers_every_region_and_continent():
    assert set(REGIONS) <= set(REGION_PLACES)
    assert set(CONTINENT_OF.values()) == set(CONTINENTS)
    assert all(place[3] in CONTINENT_OF for place in REGION_PLACES.values())


def test_expect_dns_passes_fails_with_the_reason_and_cannot_answer():
    text = ZONE + """\
expect dns f.example.com A -> 192.0.2.21
expect dns f.example.com A -> 192.0.2.20
expect dns lat.example.com A from 100.64.0.1 -> 192.0.2.31
"""
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    by_line = {d.span.line: d for d in m.diagnostics if d.code in ("E901", "E904", "W900")}
    assert line_of(text, "A -> 192.0.2.21") not in by_line                 # passes
    failed = by_line[line_of(text, "A -> 192.0.2.20")]
    assert failed.code == "E901" and "answers f.example.com A with 192.0.2.21" in failed.message
    assert "secondary is healthy" in failed.hint
    assert by_line[line_of(text, "from 100.64.0.1")].code == "E904"


def test_the_dns_heavy_example_answers_every_expectation():
    m = vpcdsl.load(str(__import__("pathlib").Path(__file__).parent.parent / "examples" / "dns-heavy.vpc"),
                    strict=False)
    assert not [d for d in m.diagnostics if d.code in ("E901", "E904", "W900")]


def test_cli(tmp_path, capsys):
    path = tmp_path / "z.vpc"
    path.write_text(ZONE, encoding="utf-8")
    assert main(["dns", str(path), "lat.example.com", "--from", "eu-central-1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("lat.example.com A from eu-central-1: 192.0.2.31") and "z.vpc:" in out
    assert main(["dns", str(path), "mail.example.com", "TXT"]) == 1              # no answer
    assert main(["dns", str(path), "lat.example.com", "--from", "100.64.0.1"]) == 2     # cannot answer
    assert "hint" in capsys.readouterr().err
    assert main(["dns", str(path), "w.example.com", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == 1 and set(doc["answers"]) == {"192.0.2.10", "192.0.2.11"}
