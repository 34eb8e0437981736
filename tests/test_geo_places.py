"""Where clients are (`vpcdsl.analysis.geo_places`): centroids for every country, US state
and continent, a country for a few well-known address ranges, and what latency,
geoproximity and geolocation answer for such clients.

Sources: Google's DSPL canonical countries and states tables
(https://developers.google.com/public-data/docs/canonical/countries_csv, states_csv);
RFC 5737 and RFC 3849 for the documentation ranges; Route 53 guide,
routing-policy-geo.html (continent codes, `US-CA` subdivisions) and routing-policy-latency.html.
"""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from vpcdsl.analysis.geo import CONTINENT_OF, distance_km
from vpcdsl.analysis.geo_places import (CONTINENT_POINTS, COUNTRY_POINTS, STATE_POINTS, WELL_KNOWN_RANGES,
                                        continent_point, country_of_address, country_point, state_point)
from vpcdsl.analysis.route53 import DnsError, client_of, resolve
from vpcdsl.aws import CONTINENTS

from tracing import model

ZONE = """\
dns example.com {
  lat A latency { us-east-1 -> 192.0.2.30; us-west-2 -> 192.0.2.31; eu-central-1 -> 192.0.2.32; ap-northeast-1 -> 192.0.2.33 }
  near A geoproximity { us-east-1 -> 192.0.2.50; eu-west-1 -> 192.0.2.51; ap-southeast-2 -> 192.0.2.52 }
  geo A geolocation { DE -> 192.0.2.40; JP -> 192.0.2.41; continent EU -> 192.0.2.42; default -> 192.0.2.43 }
}
"""


@pytest.fixture(scope="module")
def m():
    return model(ZONE)


def test_every_country_state_and_continent_has_a_point_on_the_globe():
    assert set(CONTINENT_OF) <= set(COUNTRY_POINTS)
    assert set(CONTINENT_POINTS) == set(CONTINENTS)
    assert len(STATE_POINTS) == 52                         # 50 states, DC and Puerto Rico
    for lat, lon in [*COUNTRY_POINTS.values(), *STATE_POINTS.values(), *CONTINENT_POINTS.values()]:
        assert -90 <= lat <= 90 and -180 <= lon <= 180


def test_centroids_lie_where_the_places_are():
    # a few spot checks against known distances (great circle, km)
    assert 150 < distance_km(country_point("DE"), (50.1, 8.7)) < 200        # Frankfurt
    assert distance_km(state_point("US-CA"), state_point("NY")) > 3500
    assert state_point("ca") == state_point("US-CA") and state_point("US-XX") is None
    assert continent_point("eu") == CONTINENT_POINTS["EU"] and country_point("QQ") is None


def test_addresses_in_the_table_have_a_country_and_others_none():
    assert country_of_address(ip_address("192.0.2.9"))[0] == "US"
    assert country_of_address(ip_address("198.51.100.7"))[0] == "DE"
    assert country_of_address(ip_address("203.0.113.1"))[0] == "JP"
    assert country_of_address(ip_address("2001:db8::1"))[0] == "GB"
    assert country_of_address(ip_address("53.1.2.3"))[0] == "DE"
    assert country_of_address(ip_address("100.64.0.1")) is None
    assert country_of_address(ip_address("2001:db9::1")) is None
    assert all(what for _, _, what in WELL_KNOWN_RANGES)      # each range says what it is


def test_clients_get_their_points(m):
    assert client_of(m, "DE").point == country_point("DE")
    assert client_of(m, "state US-CA").point == state_point("CA")
    assert client_of(m, "continent AS").point == continent_point("AS")
    c = client_of(m, "198.51.100.7")
    assert c.country == "DE" and c.point == country_point("DE") and "TEST-NET-2" in c.place
    assert client_of(m, "100.64.0.1").point is None


def test_latency_answers_for_a_country_a_state_and_a_continent(m):
    assert resolve(m, "lat.example.com", client="DE").answers == ("192.0.2.32",)
    assert resolve(m, "lat.example.com", client="state US-WA").answers == ("192.0.2.31",)
    assert resolve(m, "lat.example.com", client="state US-FL").answers == ("192.0.2.30",)
    assert resolve(m, "lat.example.com", client="continent AS").answers == ("192.0.2.33",)
    assert resolve(m, "lat.example.com", client="203.0.113.9").answers == ("192.0.2.33",)   # placed in JP
    with pytest.raises(DnsError, match="has none here"):
        resolve(m, "lat.example.com", client="100.64.0.1")


def test_geoproximity_answers_for_a_country_and_a_continent(m):
    assert resolve(m, "near.example.com", client="FR").answers == ("192.0.2.51",)
    assert resolve(m, "near.example.com", client="continent OC").answers == ("192.0.2.52",)
    assert resolve(m, "near.example.com", client="MX").answers == ("192.0.2.50",)


def test_geolocation_answers_for_an_address_by_its_country(m):
    assert resolve(m, "geo.example.com", client="198.51.100.7").answers == ("192.0.2.40",)   # DE
    assert resolve(m, "geo.example.com", client="203.0.113.9").answers == ("192.0.2.41",)   # JP
    assert resolve(m, "geo.example.com", client="2001:db8::5").answers == ("192.0.2.42",)   # GB, in EU
    r = resolve(m, "geo.example.com", client="100.64.0.1")                                  # no country
    assert r.answers == ("192.0.2.43",) and "default" in r.reason
