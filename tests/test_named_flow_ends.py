"""DNS names as flow ends (vpcdsl.analysis.named_ends): `trace`, `reach` and `expect` to a
name of the model's zones, resolved as Route 53 answers the source and traced to each answer.

AWS pages the rules come from:
- private zones answer only inside their VPCs, and win there over a public zone of the same
  name: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html
- from a VPC, location-based routing answers for the VPC's region:
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-geo-phz.html
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-latency.html
- weighted shares are weight / sum:
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
- an alias answers with its target's addresses (an internet-facing ELB's are public):
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html
- CNAME chains are followed:
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html#CNAMEFormat
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.named_ends import NamedReach, NamedTrace, is_name, probability_words
from vpcdsl.flows.trace import FlowError, Trace
from vpcdsl.views.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# Two VPCs in two regions, a split-horizon name (public and private zone corp.example.com),
# weighted, latency and geolocation records, an internal LB and an instance alias.
SHOP = """
vpc eu region eu-central-1 {
  cidr 10.1.0.0/16
  subnet eu-pub 10.1.0.0/24 az a
  subnet eu-app 10.1.1.0/24 az a
  subnet eu-app-b 10.1.2.0/24 az b
  igw eu-igw
  nat eu-nat in eu-pub
  route-table eu-public for eu-pub { 0.0.0.0/0 -> eu-igw }
  route-table eu-private for eu-app, eu-app-b { 0.0.0.0/0 -> eu-nat }  # vpcdsl: ignore W302
  sg client { out tcp 443 to 0.0.0.0/0; out tcp 5432 to 10.1.0.0/16 }
  sg db { in tcp 5432 from client }
  sg ilb { in tcp 443 from 10.1.0.0/16 }
  sg api { in tcp 8443 from ilb }
  instance eu-1 in eu-app sg client
  instance eu-db in eu-app sg db ip 10.1.1.50
  instance eu-api in eu-app sg api
  instance eu-api-b in eu-app-b sg api
  instance eu-web in eu-pub sg ilb public-ip
  lb inner application internal in eu-app, eu-app-b sg ilb {
    listen https 443 -> eu-api:8443, eu-api-b:8443
  }
}
vpc us region us-east-1 {
  cidr 10.2.0.0/16
  subnet us-pub 10.2.0.0/24 az a
  subnet us-app 10.2.1.0/24 az a
  igw us-igw
  nat us-nat in us-pub
  route-table us-public for us-pub { 0.0.0.0/0 -> us-igw }
  route-table us-private for us-app { 0.0.0.0/0 -> us-nat }
  sg us-client { out tcp 443 to 0.0.0.0/0 }
  instance us-1 in us-app sg us-client
}
dns corp.example.com {
  db A simple 203.0.113.7
}
dns corp.example.com private for eu {
  db  A simple 10.1.1.50
  api A simple inner
  web A simple eu-web
}
dns example.com {
  split A weighted { 70 big -> 203.0.113.10; 30 small -> 10.9.9.9 }
  even  A weighted { 0 a -> 203.0.113.21; 0 b -> 203.0.113.22; 0 c -> 203.0.113.23 }
  near  A latency { us-east-1 -> 203.0.113.31; eu-central-1 -> 203.0.113.32 }
  geo   A geolocation { DE -> 203.0.113.41; default -> 203.0.113.42 }
  web   A simple eu-web
  v6    AAAA simple 2001:db8::10
  alias CNAME simple near.example.com
}
"""


@pytest.fixture(scope="module")
def shop():
    return vpcdsl.loads(SHOP, filename="shop.vpc")


@pytest.fixture(scope="module")
def heavy():
    return vpcdsl.load(EXAMPLES / "dns-heavy.vpc")


def _answers(t: NamedTrace):
    return [(leg.answer, leg.probability, leg.end) for leg, _ in t.legs]


def test_is_name_tells_dns_names_from_model_names_and_addresses():
    assert is_name("www.example.com") and is_name("db.corp.internal.")
    assert not any(is_name(x) for x in ("web-1", "10.0.0.1", "10.0.0.0/16", "2001:db8::1",
                                        "public-ip(web-1)", "internet", None))


# ---------------------------------------------------------------------------- trace

def test_a_cname_chain_to_a_cloudfront_alias_is_traced_to_the_internet(heavy):
    t = heavy.trace("web-1", "www.example.com", "tcp/443")
    assert isinstance(t, NamedTrace) and isinstance(t, Trace)
    assert _answers(t) == [("shop-cdn", Fraction(1), "internet")]
    assert t.named.resolution.chain == ("www.example.com CNAME example.com",)
    assert t.allowed and t.flow == "web-1 -> www.example.com tcp 443"
    dns, first, second = t.table().splitlines()[:3]
    assert dns.startswith("dns: www.example.com A from 10.50.10.4: shop-cdn (")   # who asked, why
    assert first.startswith("www.example.com → shop-cdn (A, probability 1): an alias to "
                            "CloudFront distribution 'shop-cdn'")
    assert second == "flow: web-1 -> internet tcp 443"
    # out by the NAT gateway and back: both directions walked
    assert [h.component for h in t.forward][-1] == "internet"
    assert t.back and t.back[-1].component == "instance:web-1"


def test_an_alias_to_an_internet_facing_lb_is_its_public_address_from_inside_and_outside(heavy):
    inside = heavy.trace("web-1", "shop.example.com", "tcp", 443)
    assert _answers(inside) == [("shop-alb", Fraction(1), "public-ip(shop-alb)")]
    assert inside.allowed
    assert any(h.component == "nat:nat-a" for h in inside.forward)      # hairpin by the NAT
    assert any(h.component == "nat:nat-a" for h in inside.back)
    outside = heavy.trace("internet", "shop.example.com", "tcp", 443)
    assert _answers(outside) == [("shop-alb", Fraction(1), "shop-alb")]
    assert outside.allowed and outside.back


def test_an_alias_to_an_internal_lb_is_its_private_address(shop):
    t = shop.trace("eu-1", "api.corp.example.com", "tcp/443")
    assert _answers(t) == [("inner", Fraction(1), "inner")]
    assert "internal load balancer 'inner'" in t.named.legs[0].how
    assert t.allowed and not any(h.component.startswith("nat:") for h in t.forward)


def test_an_instance_alias_is_its_public_address_in_a_public_zone_and_private_in_a_private_one(shop):
    public = shop.trace("us-1", "web.example.com", "tcp/443")
    assert _answers(public)[0][2] == "public-ip(eu-web)"
    private = shop.trace("eu-1", "web.corp.example.com", "tcp/443")
    assert _answers(private)[0][2] == "eu-web"
    assert private.allowed
    assert not any(h.component.startswith("igw:") for h in private.forward)


def test_a_private_zone_answers_inside_its_vpc_and_the_public_zone_elsewhere(shop):
    inside = shop.trace("eu-1", "db.corp.example.com", "tcp/5432")
    assert _answers(inside) == [("10.1.1.50", Fraction(1), "10.1.1.50")]
    assert inside.allowed and inside.forward[-1].component == "instance:eu-db"
    assert inside.back[-1].component == "instance:eu-1"
    outside = shop.trace("us-1", "db.corp.example.com", "tcp/5432")
    assert _answers(outside) == [("203.0.113.7", Fraction(1), "203.0.113.7")]
    assert not outside.allowed and outside.kind == "sg"      # us-1's SG allows only tcp 443 out
    internet = shop.trace("internet", "db.corp.example.com", "tcp/5432")
    assert _answers(internet)[0][0] == "203.0.113.7"


def test_latency_and_geolocation_answer_for_the_sources_vpc_region(shop):
    assert _answers(shop.trace("eu-1", "near.example.com", "tcp/443"))[0][0] == "203.0.113.32"
    assert _answers(shop.trace("us-1", "near.example.com", "tcp/443"))[0][0] == "203.0.113.31"
    # eu-central-1 is in Germany; us-east-1 in no country with a record, so the default
    assert _answers(shop.trace("eu-1", "geo.example.com", "tcp/443"))[0][0] == "203.0.113.41"
    assert _answers(shop.trace("us-1", "geo.example.com", "tcp/443"))[0][0] == "203.0.113.42"
    # a CNAME to a latency record: followed, then chosen for the client
    assert _answers(shop.trace("eu-1", "alias.example.com", "tcp/443"))[0][0] == "203.0.113.32"


def test_dns_from_overrides_who_asks(shop):
    t = shop.trace("eu-1", "near.example.com", "tcp/443", client="us-east-1")
    assert _answers(t)[0][0] == "203.0.113.31"
    assert "as given" in t.named.asked


def test_weighted_answers_are_each_traced_with_their_exact_probability(shop):
    t = shop.trace("eu-1", "split.example.com", "tcp/443")
    assert _answers(t) == [("203.0.113.10", Fraction(7, 10), "203.0.113.10"),
                           ("10.9.9.9", Fraction(3, 10), "10.9.9.9")]
    # 10.9.9.9 is private space outside every VPC: the internet path drops it
    assert [x.allowed for x in t.traces] == [True, False]
    assert t.traces[1].kind == "gateway" and "is not on the internet" in t.traces[1].reason
    assert not t.allowed and t.intermittent
    assert t.reason.startswith("10.9.9.9 (probability 0.3): ")
    assert t.reason.endswith("; allowed for 203.0.113.10 (probability 0.7)")
    assert t.kind == t.traces[1].kind and t.forward == t.traces[1].forward
    table = t.table()
    assert "answer 1 of 2: split.example.com → 203.0.113.10 (A, probability 0.7)" in table
    assert "answer 2 of 2: split.example.com → 10.9.9.9 (A, probability 0.3)" in table


def test_all_zero_weights_give_equal_shares(shop):
    t = shop.trace("eu-1", "even.example.com", "tcp/443")
    assert [p for _, p, _ in _answers(t)] == [Fraction(1, 3)] * 3
    assert t.allowed and t.reason == ("every answer is allowed (203.0.113.21, 203.0.113.22, "
                                      "203.0.113.23)")
    assert "(A, probability 1/3 (0.333))" in t.table()


def test_multivalue_answers_are_each_in_the_response_with_their_probability():
    """Route 53 answers up to 8 healthy multivalue records, chosen at random
    (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-multivalue.html):
    of 9, each is in the response with probability 8/9."""
    m = vpcdsl.loads("vpc a { cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n igw gw\n"
                     " route-table r for s { 0.0.0.0/0 -> gw }\n instance i in s public-ip }\n"
                     "dns example.com {\n many A multivalue { "
                     + "; ".join(f"203.0.113.{n}" for n in range(1, 10)) + " }\n"
                     " pair A simple 203.0.113.1, 203.0.113.2\n}\n")
    t = m.trace("i", "many.example.com", "tcp/443")
    assert [leg.probability for leg in t.named.legs] == [Fraction(8, 9)] * 9
    assert t.allowed and len(t.traces) == 9
    assert "note: a probability is that of Route 53's response holding the value" in t.table()
    pair = m.trace("i", "pair.example.com", "tcp/443")
    assert [(leg.answer, leg.probability) for leg in pair.named.legs] == \
        [("203.0.113.1", Fraction(1)), ("203.0.113.2", Fraction(1))]


def test_a_named_trace_draws_as_its_deciding_trace(shop):
    t = shop.trace("eu-1", "split.example.com", "tcp/443")
    named = shop.diagram(trace=t).source
    assert "eu-1 -&gt; split.example.com tcp 443" in named
    assert "BLOCKED by gateway eu-igw · line 9\\n10.9.9.9 (probability 0.3): 10.9.9.9 is not on the " \
        "internet" in named


def test_probability_words():
    assert probability_words(Fraction(1)) == "1"
    assert probability_words(Fraction(1, 8)) == "0.125"
    assert probability_words(Fraction(2, 3)) == "2/3 (0.667)"


def test_an_aaaa_record_answers_an_ipv6_flow(shop):
    with pytest.raises(FlowError) as exc:
        shop.trace("eu-1", "v6.example.com", "tcp/443")
    assert "NODATA" in str(exc.value) and "AAAA records only" in exc.value.hint
    t = shop.trace("eu-1", "v6.example.com", "icmpv6")
    assert t.named.rtype == "AAAA" and _answers(t)[0][0] == "2001:db8::10"


def test_a_name_without_an_answer_is_a_flow_error_with_a_hint(shop):
    with pytest.raises(FlowError) as exc:
        shop.trace("eu-1", "dbb.corp.example.com", "tcp/5432")
    assert "NXDOMAIN" in str(exc.value)
    assert "did you mean 'db.corp.example.com'?" in exc.value.hint
    with pytest.raises(FlowError) as exc:
        shop.trace("eu-1", "www.nowhere.test", "tcp/443")
    assert "no hosted zone of the model holds www.nowhere.test" in str(exc.value)
    with pytest.raises(FlowError, match="destination only"):
        shop.trace("db.corp.example.com", "eu-1", "tcp/443")


def test_a_private_only_name_seen_from_outside_says_where_it_answers():
    m = vpcdsl.loads("vpc a { cidr 10.0.0.0/16\n subnet s 10.0.0.0/24 az a\n instance i in s }\n"
                     "vpc b { cidr 10.1.0.0/16\n subnet t 10.1.0.0/24 az a\n instance j in t }\n"
                     "dns corp.internal private for a { db A simple 10.0.0.9 }\n")
    assert m.trace("i", "db.corp.internal", "tcp/443").named.legs[0].end == "10.0.0.9"
    with pytest.raises(FlowError) as exc:
        m.trace("j", "db.corp.internal", "tcp/443")
    assert exc.value.hint.startswith("private zone corp.internal answers only inside its VPCs (a)")


def test_the_flows_stage_says_a_name_is_resolved_by_model_trace(heavy):
    from vpcdsl.flows.trace import trace
    with pytest.raises(FlowError, match="is a DNS name") as exc:
        trace(heavy, "web-1", "www.example.com", "tcp", 443)
    assert "Model.trace" in exc.value.hint


def test_the_json_of_a_named_trace_holds_each_answer(shop):
    d = shop.trace("eu-1", "split.example.com", "tcp/443").to_dict()
    assert d["verdict"] == "blocked" and d["intermittent"] is True
    assert [(a["answer"], a["probability"], a["exact"], a["trace"]["verdict"])
            for a in d["dns"]["answers"]] == [("203.0.113.10", 0.7, "7/10", "allowed"),
                                              ("10.9.9.9", 0.3, "3/10", "blocked")]


# ---------------------------------------------------------------------------- reach

def test_reach_to_a_name_asks_about_each_answer(shop):
    r = shop.reach("eu-1", "split.example.com", "tcp/443")
    assert isinstance(r, NamedReach)
    assert [(leg.answer, [row.status for row in a.rows]) for leg, a in zip(r.named.legs, r.answers)] \
        == [("203.0.113.10", ["allowed"]), ("10.9.9.9", ["blocked"])]
    assert len(r.reachable()) == 1
    text = r.table(blocked=True)
    assert "split.example.com → 10.9.9.9 (A, probability 0.3)" in text
    with pytest.raises(FlowError, match="depends on who asks"):
        shop.reach(None, "split.example.com")


# ---------------------------------------------------------------------------- expect

def _check(text: str):
    m = vpcdsl.loads(SHOP + text, filename="shop.vpc", strict=False)
    line = len((SHOP + text).splitlines())
    return m, next(r for r in m.expectation_results if r["line"] == line), \
        [d for d in m.diagnostics if d.span.line == line]


def test_expect_allowed_to_a_name_passes_when_every_answer_is_allowed():
    _, result, diags = _check("expect eu-1 -> db.corp.example.com tcp 5432 allowed\n")
    assert result["status"] == "passed" and not diags
    _, result, diags = _check("expect eu-1 -> even.example.com tcp 443 allowed\n")
    assert result["status"] == "passed" and not diags


def test_expect_allowed_fails_naming_the_blocked_answer_and_its_probability():
    _, result, diags = _check("expect eu-1 -> split.example.com tcp 443 allowed\n")
    assert result["status"] == "failed"
    (d,) = diags
    assert d.code == "E901"
    assert d.message.startswith("expectation failed: eu-1 -> split.example.com tcp 443 is blocked")
    assert d.message.endswith("for answer 10.9.9.9 (probability 0.3), expected allowed for every answer")
    assert "weighted: 203.0.113.10 70%, 10.9.9.9 30%" in d.hint


def test_expect_blocked_needs_every_answer_blocked():
    _, result, diags = _check("expect eu-1 -> split.example.com tcp 443 blocked\n")
    assert result["status"] == "failed"
    assert "is allowed for answer 203.0.113.10 (probability 0.7), expected blocked" in diags[0].message
    _, result, diags = _check("expect us-1 -> db.corp.example.com tcp 5432 blocked by sg\n")
    assert result["status"] == "passed" and not diags


def test_expect_over_a_port_range_to_a_name_asks_reach_per_answer():
    _, result, _ = _check("expect eu-1 -> db.corp.example.com tcp 5432-5432 allowed\n")
    assert result["status"] == "passed"
    _, result, diags = _check("expect eu-1 -> split.example.com tcp 443-444 allowed\n")
    assert result["status"] == "failed"
    assert "to answer 203.0.113.10 (probability 0.7)" in diags[0].message   # 444 blocked by SG


def test_nxdomain_on_an_expect_line_is_e903_under_the_name():
    _, result, diags = _check("expect eu-1 -> dbb.corp.example.com tcp 5432 allowed\n")
    (d,) = diags
    assert result["status"] == "failed" and d.code == "E903"
    assert (d.span.col, d.span.end_col) == (16, 16 + len("dbb.corp.example.com"))
    assert "NXDOMAIN" in d.message and "did you mean 'db.corp.example.com'?" in d.hint
    text = vpcdsl.diagnostics.render_all([d], {"shop.vpc": SHOP + "expect eu-1 -> dbb.corp.example.com tcp 5432 allowed\n"})
    assert "               ^^^^^^^^^^^^^^^^^^^^" in text


def test_a_name_as_source_or_in_isolated_is_e903_at_the_name():
    _, _, diags = _check("expect db.corp.example.com -> eu-1 tcp 443 allowed\n")
    assert diags[0].code == "E903" and diags[0].span.col == 8 and "destination only" in diags[0].message
    _, _, diags = _check("expect isolated eu-1, db.corp.example.com\n")
    assert diags[0].code == "E903" and diags[0].span.col == 23 and "both ways" in diags[0].hint


def test_dns_heavy_names_as_flow_ends_pass():
    text = (EXAMPLES / "dns-heavy.vpc").read_text() + (
        "expect web-1 -> www.example.com tcp 443 allowed\n"
        "expect web-1 -> api.example.com tcp 443 allowed\n"
        "expect web-1 -> db.corp.internal tcp 5432 allowed\n"
        "expect internet -> shop.example.com tcp 443 allowed\n")
    m = vpcdsl.loads(text, filename="dns-heavy.vpc", strict=False)
    assert all(r["status"] == "passed" for r in m.expectation_results[-4:])


# ---------------------------------------------------------------------------- CLI

def test_cli_trace_to_a_name(capsys):
    path = str(EXAMPLES / "dns-heavy.vpc")
    assert main(["trace", path, "web-1", "shop.example.com", "tcp/443"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("dns: shop.example.com A from ")
    assert out.splitlines()[1].startswith("shop.example.com → shop-alb (A, probability 1)")
    assert main(["trace", path, "web-1", "api.example.com", "tcp/443", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [(a["answer"], a["exact"]) for a in d["dns"]["answers"]] == [("shop-alb", "9/10"),
                                                                        ("203.0.113.50", "1/10")]
    assert main(["trace", path, "web-1 -> nope.corp.internal tcp/5432"]) == 2
    err = capsys.readouterr().err
    assert "NXDOMAIN" in err and "= hint:" in err
    assert main(["trace", path, "web-1", "app.example.com", "tcp/443", "--dns-from", "eu-west-1"]) == 0
    assert "app.example.com → shop-alb" in capsys.readouterr().out
    assert main(["trace", path, "web-1", "db-1", "tcp/5432", "--dns-from", "eu-west-1"]) == 2
    assert "--dns-from is for a DNS name" in capsys.readouterr().err


def test_cli_trace_to_a_name_exits_1_when_an_answer_is_blocked(tmp_path, capsys):
    f = tmp_path / "shop.vpc"
    f.write_text(SHOP)
    assert main(["trace", str(f), "eu-1", "split.example.com", "tcp/443"]) == 1
    assert "answer 2 of 2: split.example.com → 10.9.9.9 (A, probability 0.3)" in capsys.readouterr().out


def test_cli_reach_to_a_name(capsys):
    path = str(EXAMPLES / "dns-heavy.vpc")
    assert main(["reach", path, "web-1", "db.corp.internal", "--service", "tcp/5432"]) == 0
    out = capsys.readouterr().out
    assert "db.corp.internal → 10.50.20.10 (A, probability 1)" in out and "ALLOWED" in out
    assert main(["reach", path, "web-1", "api.example.com", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert [a["end"] for a in d["answers"]] == ["public-ip(shop-alb)", "203.0.113.50"]
    assert main(["reach", path, "--to", "api.example.com"]) == 2
    assert "give a source" in capsys.readouterr().err


def test_the_cli_takes_a_client_of_several_words_unquoted(capsys):
    """`--from state US-CA` and `--dns-from continent AS` are one client each, as `expect dns`
    writes them; before, argparse took US-CA for a stray argument."""
    from vpcdsl.views.cli import main
    path = str(EXAMPLES / "global-dns.vpc")
    assert main(["dns", path, "shop.example.org", "--from", "state", "US-CA"]) == 0
    assert capsys.readouterr().out.startswith("shop.example.org A from state US-CA: us-alb")
    assert main(["trace", path, "internet", "www.example.org", "tcp/443", "--dns-from", "continent", "EU"]) == 0
    assert capsys.readouterr().out.startswith("dns: www.example.org A from continent EU: eu-alb")
