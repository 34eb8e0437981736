"""Issue 12's constructs in Jupyter: a model with TGW route tables, MED, a VPN and an
instance marked `down`, and a DNS name as a flow's destination, through ``%%vpc``, the
``%vpc`` line magics, the rich displays and the explorer widget; and the drawing of a
down instance.

AWS pages the model leans on (the rules are tested in their own files; these tests pin
what the notebook shows of them):
- TGW route tables, https://docs.aws.amazon.com/vpc/latest/tgw/tgw-route-tables.html
- BGP MED over Site-to-Site VPN, https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNRoutingTypes.html
- Route 53 weighted routing, https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-policy-weighted.html
- private hosted zones, https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zones-private.html
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

import vpcdsl
from vpcdsl.analysis.named_ends import NamedReach, NamedTrace
from vpcdsl.views.notebook.explorer import Explorer, dns_names, flow_ends
from vpcdsl.views.notebook.shown import Message
from vpcdsl.views.render import dot_source

EXAMPLES = Path(__file__).parent.parent / "examples"

HUB = """\
region us-east-1
vpc shared {
  cidr 10.0.0.0/16
  subnet sh-a 10.0.1.0/24 az a
  route-table sh-main main { 10.0.0.0/8 -> core
    172.16.0.0/16 -> core }
  sg dir { in tcp 389 from 10.0.0.0/8, 172.16.0.0/16 }
  instance dc-1 in sh-a sg dir
  instance dc-2 in sh-a sg dir down
}
vpc spoke-a {
  cidr 10.1.0.0/16
  subnet a-1 10.1.1.0/24 az a
  route-table a-main main { 0.0.0.0/0 -> core }
  sg a-web { in tcp 443 from 10.0.0.0/8, 172.16.0.0/16 }
  instance a-web in a-1 sg a-web
}
vpc spoke-b {
  cidr 10.2.0.0/16
  subnet b-1 10.2.1.0/24 az a
  route-table b-main main { 0.0.0.0/0 -> core }
  sg b-api { in tcp 443 from 10.0.0.0/8 }
  instance b-api in b-1 sg b-api
}
tgw core asn 64600 {
  attach shared
  attach spoke-a
  attach spoke-b
  route-table spokes {
    associate spoke-a, spoke-b
    propagate shared, vpn-a, vpn-b
  }
  route-table services {
    associate shared, vpn-a, vpn-b
    propagate spoke-a, spoke-b
  }
}
site hq 172.16.0.0/16 asn 65001
vpn vpn-a hq <-> core bgp
vpn vpn-b hq <-> core bgp
vpn vpn-c hq <-> core bgp down
advertise hq 172.16.0.0/16 via vpn-a med 100
advertise hq 172.16.0.0/16 via vpn-b med 50
dns corp.example.com private for spoke-a {
  dir A weighted { 70 one -> dc-1; 30 two -> dc-2 }
  _ldap TXT simple "<b>not bold</b> & not code"
}
"""


@pytest.fixture()
def ip():
    shell = InteractiveShell.instance()
    shell.display_formatter.active_types = ["text/plain", "text/html"]
    shell.run_line_magic("load_ext", "vpcdsl")
    with capture_output():
        shell.run_cell("%%vpc hub\n" + HUB)
    yield shell
    shell.user_ns.pop("hub", None)
    InteractiveShell.clear_instance()


@pytest.fixture(scope="module")
def hub():
    return vpcdsl.loads(HUB, filename="hub<&>.vpc")


def shown(ip, line: str):
    """``%vpc line``: the value and its text/plain and text/html as IPython formats them."""
    value = ip.run_line_magic("vpc", line)
    data = ip.display_formatter.format(value)[0]
    return value, data["text/plain"], data.get("text/html", "")


def _no_css(html: str) -> str:
    return re.sub(r"<style>.*?</style>|<svg.*?</svg>", "", html, flags=re.S)


# ---------------------------------------------------------------------------- %vpc trace to a name

def test_trace_to_a_dns_name_shows_each_answer_with_its_probability_and_verdict(ip):
    value, plain, html = shown(ip, "trace hub a-web dir.corp.example.com tcp/389")
    assert isinstance(value, NamedTrace)
    # text/plain is the table `vpcdsl trace` prints, not the dataclass
    assert not plain.startswith("NamedTrace(") and plain == value.table()
    assert plain.startswith("dns: dir.corp.example.com A from 10.1.1.4: dc-1, dc-2")
    body = _no_css(html)
    assert "<span class=\"blocked\">BLOCKED</span> <span class=\"intermittent\">(intermittent)</span>" in body
    # (line 10 of the cell's model: a %%vpc cell counts its magic's line)
    assert "dc-2 (probability 0.3): instance dc-2 is down (line 10); allowed for dc-1 (probability 0.7)" in body
    # the answers table: each answer, its probability and bar, the end traced, its verdict
    rows = re.findall(r"<tr><td>(\d)</td><td><code>([^<]+)</code></td><td>([^<]+)</td>"
                      r'<td><span class="dnsbox"><span class="dnsbar" style="width:([0-9.]+)%">', body)
    assert rows == [("1", "dc-1", "0.7", "70.00"), ("2", "dc-2", "0.3", "30.00")]
    assert '<summary class="allowed">ALLOWED</summary>' in body and '<summary class="blocked">BLOCKED</summary>' in body
    # who asked, and the deciding answer's hop table with its deciding hop marked
    assert "a-web asks from 10.1.1.4 in VPC &#x27;spoke-a&#x27;" in body
    assert "<b>answer 2 of 2 (the first blocked)</b>: <code>dc-2</code> traced to <code>dc-2</code>" in body
    assert body.count('<tr class="decider">') == 2         # in dc-2's fold and in the table below
    assert "<svg" in html                                   # the drawing, the deciding answer over it


def test_trace_to_a_name_through_a_cname_and_a_cloudfront_alias(ip):
    with capture_output():
        ip.run_cell("%%vpc shop\n" + (EXAMPLES / "dns-heavy.vpc").read_text())
    value, plain, html = shown(ip, "trace shop web-1 -> www.example.com tcp/443")
    body = _no_css(html)
    assert value.allowed and plain.startswith("dns: www.example.com A from 10.50.10.4: shop-cdn (")
    assert plain.splitlines()[1].startswith("www.example.com → shop-cdn (A, probability 1)")
    assert "CNAMEs followed: <code>www.example.com CNAME example.com</code>" in body
    assert "<b>the answer</b>: <code>shop-cdn</code> traced to <code>internet</code>" in body
    assert "an alias to CloudFront distribution &#x27;shop-cdn&#x27;" in body
    ip.user_ns.pop("shop", None)


def test_dns_from_picks_the_client(ip):
    value, _, _ = shown(ip, "trace hub a-web dir.corp.example.com tcp/389 --dns-from eu-west-1")
    # asked from a region, outside the VPCs of the private zone: no answer, with the hint
    assert isinstance(value, Message)
    assert "cannot resolve dir.corp.example.com" in value.message
    assert "answers only inside its VPCs (spoke-a)" in value.hint
    value, _, _ = shown(ip, "trace hub a-web dir.corp.example.com tcp/389 --dns-from=10.1.1.9")
    assert isinstance(value, NamedTrace) and "asked from 10.1.1.9" in value.named.asked


def test_dns_from_mistakes_are_messages_with_a_hint(ip):
    with capture_output() as out:
        assert ip.run_line_magic("vpc", "trace hub a-web hq tcp/443 --dns-from DE") is None
        ip.run_line_magic("vpc", "trace hub a-web dir.corp.example.com tcp/389 --dns-from")
        ip.run_line_magic("vpc", "reach hub a-web hq --dns-from DE")
    texts = [o.data["text/plain"] for o in out.outputs]
    assert texts[0].startswith("error: --dns-from is for a DNS name destination, not 'hq'")
    assert texts[1].startswith("error: --dns-from needs a client")
    assert texts[2].startswith("error: --dns-from is for a DNS name destination, not 'hq'")
    assert all("Traceback" not in t for t in texts)


def test_reach_to_a_name_is_a_table_per_answer(ip):
    value, plain, html = shown(ip, "reach hub a-web dir.corp.example.com")
    assert isinstance(value, NamedReach) and plain == value.table()
    body = _no_css(html)
    assert "<b>what a-web can send to dir.corp.example.com</b>" in body
    assert "answer 1 of 2: <code>dc-1</code>, probability 0.7" in body
    assert "answer 2 of 2: <code>dc-2</code>, probability 0.3" in body
    assert "<code>tgw:core</code>" in body                    # dc-1's row, by the TGW
    assert body.count("<b>what a-web can send to dc-") == 2   # one reach table per answer
    value, _, _ = shown(ip, "reach hub a-web dir.corp.example.com --dns-from 10.1.1.9")
    assert isinstance(value, NamedReach) and "asked from 10.1.1.9" in value.named.asked


# ---------------------------------------------------------------------------- TGW, MED, down

def test_model_display_lists_route_tables_links_and_down_hosts(ip):
    with capture_output() as out:
        ip.run_line_magic("vpc", "check hub")
    html = out.outputs[0].data["text/html"] if out.outputs else ""
    if not html:
        html = ip.display_formatter.format(ip.run_line_magic("vpc", "check hub"))[0]["text/html"]
    assert "<td>core</td><td>transit gateway · route tables spokes, services</td>" in html
    assert ("<tr><td>vpn-c</td><td>VPN (bgp)</td><td>hq</td><td>core</td>"
            '<td><span class="blocked">down</span></td></tr>') in html
    assert "<tr><td>vpn-a</td><td>VPN (bgp)</td><td>hq</td><td>core</td><td>up</td></tr>" in html
    assert "<tr><td>dc-2</td><td>instance</td><td>sh-a</td></tr>" in html
    assert "<td>dc-1</td><td>instance</td>" not in html      # only the down ones are listed


def test_trace_html_names_the_route_table_and_the_med(ip):
    _, _, html = shown(ip, "trace hub a-web -> b-api tcp/443")
    body = _no_css(html)
    assert ("no route in route table &#x27;spokes&#x27; of transit gateway &#x27;core&#x27; (associated "
            "with attachment &#x27;spoke-a&#x27;) matches 10.2.1.4") in body
    decider = re.search(r'<tr class="decider">(.*?)</tr>', body).group(1)
    assert "<td><code>tgw:core</code></td><td>drop</td>" in decider
    _, _, html = shown(ip, "trace hub a-web -> hq tcp/443")
    body = _no_css(html)
    assert ("BGP VPN &#x27;vpn-c&#x27; is down: BGP VPN &#x27;vpn-b&#x27; carries it; over BGP VPN "
            "&#x27;vpn-a&#x27;: lower MED (50 vs 100, both from AS 65001)") in body


def test_a_down_instance_is_said_in_the_trace_and_drawn(hub):
    t = hub.trace("hq", "dc-2", "tcp/389")
    assert not t.allowed and "instance dc-2 is down (line 9)" in t._repr_html_()
    dot = dot_source(hub, level="instance")
    assert '"instance__dc-2" [label="EC2 dc-2\\ndown"' in dot and "rounded,filled,dashed" in dot
    assert '"instance__dc-1" [label="EC2 dc-1"' in dot           # an up one as before
    assert "▣ 2 instances (1 down)" in dot_source(hub, level="subnet")


def test_named_trace_html_is_escaped_and_deterministic(hub):
    t1 = hub.trace("a-web", "dir.corp.example.com", "tcp/389")
    t2 = vpcdsl.loads(HUB, filename="hub<&>.vpc").trace("a-web", "dir.corp.example.com", "tcp/389")
    h1 = t1._repr_html_()
    assert h1 == t2._repr_html_()
    assert "hub&lt;&amp;&gt;.vpc" in h1 and "hub<&>" not in h1
    r = hub.resolve("_ldap.corp.example.com", "TXT", "10.1.1.9")
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; not code" in r._repr_html_()
    assert "<b>not bold" not in r._repr_html_()


# ---------------------------------------------------------------------------- the explorer

def test_explorer_offers_dns_names_as_destinations_only(hub):
    ex = Explorer(hub, src="a-web", dst="b-api")
    names = [n for _, n in ex.dst.options]
    assert ("DNS names › dir.corp.example.com", "dir.corp.example.com") in ex.dst.options
    assert "_ldap.corp.example.com" not in names                 # a TXT record is no flow end
    assert "dir.corp.example.com" not in [n for _, n in ex.src.options]
    assert dns_names(hub) == [("DNS names › dir.corp.example.com", "dir.corp.example.com")]
    assert [n for _, n in flow_ends(hub)] == [n for _, n in ex.src.options]


def test_explorer_traces_a_name_to_each_answer(hub):
    ex = Explorer(hub, src="a-web", dst="dir.corp.example.com", protocol="tcp", port=389)
    assert isinstance(ex.trace, NamedTrace) and ex.error.value == ""
    assert "BLOCKED" in ex.verdict.value and "dc-2 (probability 0.3)" in ex.verdict.value
    flow = _no_css(ex.panels[0].widget.value)
    assert "answer 1" not in flow and "<td><code>dc-1</code></td><td>0.7</td>" in flow
    # the DNS panel asks for the name the flow goes to
    dns = ex.panels[1]
    assert dns.name.value == "dir.corp.example.com" and dns.type.value == "A"
    # the drawing: the deciding answer's path over it, titled with the flow to the name
    from vpcdsl.views.layout import layout_of
    from vpcdsl.views.overlay_svg import traced_svg
    assert ex.diagram.svg == traced_svg(layout_of(hub, level=ex.level), ex.trace)
    assert ex.trace.forward == ex.trace.traces[1].forward
    # back to a model end: a plain trace again
    ex.dst.value = "dc-1"
    assert not isinstance(ex.trace, NamedTrace) and ex.trace.allowed


def test_explorer_says_why_a_name_cannot_be_traced(hub):
    ex = Explorer(hub, src="b-api", dst="dir.corp.example.com", protocol="tcp", port=389)
    assert ex.trace is None and ex.error.value == ""
    assert "private zone corp.example.com answers only inside its VPCs (spoke-a)" in ex.verdict.value
    assert "answers only inside its VPCs" in ex.panels[0].widget.value


def test_reach_panel_explains_a_name_end(hub):
    ex = Explorer(hub, src="a-web", dst="dir.corp.example.com", protocol="tcp", port=389)
    reach = ex.panels[2]
    ex.tabs.selected_index = 2
    reach.side.value = "destination"
    assert "dir.corp.example.com is a DNS name: what reaches it depends on who asks Route 53" in reach.status.value
    assert ex.error.value == ""


def test_a_down_nat_instance_is_drawn_down_at_both_levels():
    m = vpcdsl.loads("""\
vpc v {
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  igw gw
  nat-instance nat-1 in pub down
  route-table pub-rt for pub { 0.0.0.0/0 -> gw }
}
""")
    assert "⇄ NAT instance <B>nat-1</B> (down) " in dot_source(m, level="subnet")
    assert '[label="NAT instance\\nnat-1\\ndown"' in dot_source(m, level="instance")


def test_a_name_whose_records_answer_nobody_here_is_not_called_a_misspelling(ip):
    """A geolocation set without `default` gives NODATA elsewhere (Route 53 guide,
    routing-policy-geo.html: "If you don't create a default record, Route 53 returns a 'no
    answer' response"): the hint says so instead of 'did you mean' the name itself."""
    with capture_output():
        ip.run_cell("%%vpc shop\n" + (EXAMPLES / "dns-heavy.vpc").read_text())
    value, _, _ = shown(ip, "trace shop internet eu.example.com tcp/443 --dns-from JP")
    assert isinstance(value, Message) and "NODATA" in value.message
    assert "did you mean" not in value.hint
    assert value.hint == ("none of its geolocation records answers JP: trace from elsewhere (--dns-from), "
                          "or add one that does (a geolocation `default`)")
    value, _, _ = shown(ip, "trace shop internet eu.example.com tcp/443 --dns-from DE")
    assert isinstance(value, NamedTrace) and value.named.legs[0].answer == "198.51.100.31"
    ip.user_ns.pop("shop", None)


def test_a_client_of_several_words_needs_no_quotes(ip):
    """`continent EU`, `state US-CA` and `coords LAT LON` as `expect dns ... from` writes them."""
    with capture_output():
        ip.run_cell("%%vpc g\n" + (EXAMPLES / "global-dns.vpc").read_text())
    for line in ("dns g shop.example.org --from state US-TX", "dns g shop.example.org A --from 'state US-TX'",
                 "dns g shop.example.org --from=state US-TX"):
        value, _, _ = shown(ip, line)
        assert (value.client.kind, value.client.value, value.answers) == ("state", "US-TX", ("us-alb",)), line
    value, _, _ = shown(ip, "dns g www.example.org --from coords 48.86 2.35")
    assert value.client.point == (48.86, 2.35) and value.answers == ("eu-alb",)
    value, _, _ = shown(ip, "trace g internet www.example.org tcp/443 --dns-from continent EU")
    assert isinstance(value, NamedTrace) and value.named.resolution.client.words == "continent EU"
    value, _, _ = shown(ip, "reach g internet www.example.org --dns-from state US-CA")
    assert isinstance(value, NamedReach) and value.named.resolution.client.value == "US-CA"
    with capture_output() as out:
        ip.run_line_magic("vpc", "dns g shop.example.org --from state")
        ip.run_line_magic("vpc", "dns g shop.example.org --from coords 48.86")
        ip.run_line_magic("vpc", "dns g shop.example.org --from")
    assert [o.data["text/plain"].splitlines()[0] for o in out.outputs] == [
        "error: --from state needs a code", "error: --from coords needs a latitude and a longitude",
        "error: --from needs a client"]
    ip.user_ns.pop("g", None)


def test_a_drawn_flow_to_a_name_says_which_answer_is_drawn(hub):
    from vpcdsl.views.overlay_dot import step_table
    from vpcdsl.views.overlay import plan_overlay
    from vpcdsl.views.render import draw_scene
    scene = draw_scene(hub, level="subnet", focus=None, routes="labels", collapse=0)
    named = hub.trace("a-web", "dir.corp.example.com", "tcp/389")
    table = step_table(plan_overlay(scene, [named]))
    assert ("drawn: answer 2 of 2, dc-2 (probability 0.3); the others: dc-1 0.7 allowed") in table
    plain = step_table(plan_overlay(scene, [hub.trace("a-web", "dc-1", "tcp/389")]))
    assert "drawn:" not in plain
