"""Where things are, for Route 53's location-based routing: AWS regions and countries.

- `REGION_PLACES`: each region's city, approximate coordinates and country
  (the coordinates stand for latency: the nearest region is taken as the one
  with the lowest latency, as Route 53's own latency tables mostly agree).
- `CONTINENT_OF`: ISO 3166-1 alpha-2 country code -> Route 53 continent code
  (AF, AN, AS, EU, NA, OC, SA).

`distance_km` is the great-circle distance.
"""

from __future__ import annotations

import math

REGION_PLACES: dict[str, tuple[str, float, float, str]] = {
    "us-east-1": ("N. Virginia", 38.9, -77.4, "US"),
    "us-east-2": ("Ohio", 40.0, -83.0, "US"),
    "us-west-1": ("N. California", 37.4, -121.9, "US"),
    "us-west-2": ("Oregon", 45.8, -119.7, "US"),
    "us-gov-west-1": ("GovCloud US-West", 45.6, -121.2, "US"),
    "us-gov-east-1": ("GovCloud US-East", 40.0, -83.0, "US"),
    "ca-central-1": ("Montreal", 45.5, -73.6, "CA"),
    "ca-west-1": ("Calgary", 51.0, -114.1, "CA"),
    "mx-central-1": ("Queretaro", 20.6, -100.4, "MX"),
    "sa-east-1": ("Sao Paulo", -23.5, -46.6, "BR"),
    "eu-west-1": ("Dublin", 53.3, -6.3, "IE"),
    "eu-west-2": ("London", 51.5, -0.1, "GB"),
    "eu-west-3": ("Paris", 48.9, 2.35, "FR"),
    "eu-central-1": ("Frankfurt", 50.1, 8.7, "DE"),
    "eu-central-2": ("Zurich", 47.4, 8.5, "CH"),
    "eu-south-1": ("Milan", 45.5, 9.2, "IT"),
    "eu-south-2": ("Aragon", 41.6, -0.9, "ES"),
    "eu-north-1": ("Stockholm", 59.3, 18.1, "SE"),
    "il-central-1": ("Tel Aviv", 32.1, 34.8, "IL"),
    "me-south-1": ("Bahrain", 26.1, 50.6, "BH"),
    "me-central-1": ("UAE", 25.2, 55.3, "AE"),
    "af-south-1": ("Cape Town", -33.9, 18.4, "ZA"),
    "ap-south-1": ("Mumbai", 19.1, 72.9, "IN"),
    "ap-south-2": ("Hyderabad", 17.4, 78.5, "IN"),
    "ap-east-1": ("Hong Kong", 22.3, 114.2, "HK"),
    "ap-east-2": ("Taipei", 25.0, 121.5, "TW"),
    "ap-southeast-1": ("Singapore", 1.35, 103.8, "SG"),
    "ap-southeast-2": ("Sydney", -33.9, 151.2, "AU"),
    "ap-southeast-3": ("Jakarta", -6.2, 106.8, "ID"),
    "ap-southeast-4": ("Melbourne", -37.8, 145.0, "AU"),
    "ap-southeast-5": ("Malaysia", 3.1, 101.7, "MY"),
    "ap-southeast-7": ("Thailand", 13.8, 100.5, "TH"),
    "ap-northeast-1": ("Tokyo", 35.7, 139.7, "JP"),
    "ap-northeast-2": ("Seoul", 37.6, 127.0, "KR"),
    "ap-northeast-3": ("Osaka", 34.7, 135.5, "JP"),
    "cn-north-1": ("Beijing", 39.9, 116.4, "CN"),
    "cn-northwest-1": ("Ningxia", 37.5, 105.2, "CN"),
}

_BY_CONTINENT = {
    "AF": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG "
          "ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW",
    "AN": "AQ BV GS HM TF",
    "AS": "AE AF AM AZ BD BH BN BT CC CN CX CY GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ LA LB "
          "LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE",
    "EU": "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT "
          "LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
    "NA": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI "
          "PA PM PR SV SX TC TT US VC VG VI",
    "OC": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS",
    "SA": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
}
CONTINENT_OF: dict[str, str] = {country: continent for continent, countries in _BY_CONTINENT.items()
                                for country in countries.split()}


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points, in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def region_point(region: str) -> tuple[float, float] | None:
    place = REGION_PLACES.get(region)
    return (place[1], place[2]) if place is not None else None
