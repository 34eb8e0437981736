"""What is marked `down` is drawn as such: a VPN or Direct Connect link says it carries
nothing (and is drawn thinner), an instance is dashed with "down", a load balancer target
reads "(down)" (LANGUAGE.md §vpn, §dx, §instance, §lb)."""

from __future__ import annotations

from pathlib import Path

import vpcdsl
from vpcdsl.views.render import dot_source

MODEL = (Path(__file__).resolve().parent / "fixtures" / "render" / "down.vpc").read_text(encoding="utf-8")


def _dot(text: str) -> str:
    return dot_source(vpcdsl.loads(text, filename="down.vpc"), level="instance")


def test_down_links_instances_and_targets_are_drawn_so():
    dot = _dot(MODEL)
    assert dot.count("DOWN: carries nothing") == 2          # vpn-b and dx-1, not vpn-a
    assert "w-2 (down)" in dot and "w-1 (down)" not in dot
    assert '"instance__w-2" [label="EC2 w-2\\ndown"' in dot and 'style="rounded,filled,dashed"' in dot
    assert '"instance__w-1" [label="EC2 w-1"' in dot


def test_nothing_down_draws_as_before():
    up = MODEL.replace(" down", "")
    dot = _dot(up)
    assert "DOWN" not in dot and "(down)" not in dot


def test_a_zone_panel_names_its_down_health_checks():
    """global-dns.vpc's Tokyo check is written `down`: the zone panel says so."""
    text = (Path(__file__).resolve().parent.parent / "examples" / "global-dns.vpc").read_text(encoding="utf-8")
    dot = dot_source(vpcdsl.loads(text, filename="global-dns.vpc"))
    assert "3 health checks (1 down: hc-ap)" in dot
    up = vpcdsl.loads(text.replace(" down ", " "), filename="g.vpc", strict=False)   # its expects now fail
    assert "(1 down" not in dot_source(up)
