"""Warnings a reviewer wants without writing an `expect` (issue 11, part 7), their
related notes and how they are silenced.

Golden fixtures in tests/fixtures/lint/: `<code>-<case>.vpc` triggers its code,
`near-<code>-<case>.vpc` is the near miss that must not; each has its rendered
`.diag.txt` (`UPDATE_GOLDEN=1` rewrites them). The tests below pin, per code,
the message, both spans (the finding and its note) and the hint, then the
edges around them.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.api import compile_sources
from vpcdsl.checks import acls, nacl_shadowing
from vpcdsl.diagnostics import CODES, Diagnostic, Note, render, render_all
from vpcdsl.packetsets import PacketSet
from vpcdsl.span import Span
from vpcdsl.syntax import ast

LINT = Path(__file__).parent / "fixtures" / "lint"
CASES = sorted(LINT.glob("*.vpc"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
ROOT = Path(__file__).resolve().parent.parent
LINT_CODES = ("W304", "W305", "W401", "W403", "W404", "W405", "W406", "W407", "W503")


def _fixture(name: str):
    path = LINT / name
    return compile_sources({path.name: path.read_text(encoding="utf-8")}, path=path.name)


def _one(model, code: str) -> Diagnostic:
    found = [d for d in model.diagnostics if d.code == code]
    assert len(found) == 1, render_all(model.diagnostics, model.sources)
    return found[0]


def _at(span: Span) -> tuple[int, int, int, int]:
    return span.line, span.col, span.end_line, span.end_col


def _compile(text: str):
    return vpcdsl.loads(text, filename="t.vpc", strict=False)


def _codes(text: str, codes=LINT_CODES) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.line, d.span.col) for d in _compile(text).diagnostics if d.code in codes]


# ---------------------------------------------------------------------------- golden fixtures

@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture(case: Path):
    model = _fixture(case.name)
    actual = render_all(model.diagnostics, model.sources) + "\n"
    golden = case.with_suffix(".diag.txt")
    if UPDATE:
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}; run with UPDATE_GOLDEN=1 to create it"
    assert actual == golden.read_text(encoding="utf-8")
    assert not model.errors
    m = re.match(r"(near-)?(w\d{3})-", case.name)
    assert m, f"{case.name}: lint fixtures are named <code>-<case> or near-<code>-<case>"
    code = m.group(2).upper()
    produced = {d.code for d in model.diagnostics}
    if m.group(1):
        assert code not in produced, f"the near miss {case.name} produces {code}"
    else:
        assert produced == {code}, f"{case.name} should produce {code} and nothing else"


def test_every_lint_code_has_a_fixture_and_a_near_miss():
    for code in LINT_CODES:
        assert list(LINT.glob(f"{code.lower()}-*.vpc")), code
        assert list(LINT.glob(f"near-{code.lower()}-*.vpc")), code
        assert code in CODES


# ---------------------------------------------------------------------------- each code: message, spans, hint

def test_w304_route_hidden_names_the_routes_that_hide_it():
    d = _one(_fixture("w304-route-hidden-by-more-specific.vpc"), "W304")
    assert d.message == ("route `10.0.0.0/15 -> blackhole` of route table 'app' never decides: more "
                         "specific routes take all of 10.0.0.0/15 (local 10.0.0.0/16, "
                         "10.1.0.0/16 -> prod-shared)")
    assert _at(d.span) == (8, 5, 8, 29)
    assert [(n.message, _at(n.span)) for n in d.related] == [
        ("the local route 10.0.0.0/16 of VPC 'prod' is more specific", (5, 8, 5, 19)),
        ("`10.1.0.0/16 -> prod-shared` is more specific", (9, 5, 9, 31)),
    ]
    assert d.hint.startswith("the longest prefix wins, so every address of 10.0.0.0/15 matches one of them")


def test_w305_route_over_a_peering_beyond_the_peer():
    model = _fixture("w305-peering-route-beyond-the-peer.vpc")
    part, none = [d for d in model.diagnostics if d.code == "W305"]
    assert part.message == ("route `10.20.0.0/15 -> prod-shared` of route table 'app' sends over peering "
                            "connection 'prod-shared' addresses the peering drops: of the addresses it "
                            "takes, VPC 'shared' owns only 10.20.0.0/16")
    assert _at(part.span) == (7, 5, 7, 17)
    assert none.message.endswith("VPC 'shared' owns none of 10.30.0.0/16 (it has 10.20.0.0/16)")
    for d in (part, none):
        assert [(n.message, _at(n.span)) for n in d.related] == [("VPC 'shared' has 10.20.0.0/16",
                                                                  (13, 8, 13, 20))]
        assert d.hint.startswith("a peering delivers only to the peer VPC's own addresses")
        assert "route only 10.20.0.0/16 to 'prod-shared'" in d.hint


def test_w401_shadowed_by_two_rules_together():
    d = _one(_fixture("w401-shadowed-by-two-rules.vpc"), "W401")
    assert d.message == ("rule 300 (allow tcp 5432 from 10.0.0.0/16) of network ACL 'db' is shadowed "
                         "by rules 100 and 200 together")
    assert _at(d.span) == (10, 5, 10, 50)
    assert [(n.message, n.span.line) for n in d.related] == [
        ("rule 100 (allow tcp 5432 from 10.0.0.0/17) matches part of it", 8),
        ("rule 200 (deny tcp 5432 from 10.0.128.0/17) matches part of it", 9),
    ]
    assert d.hint.endswith("if rule 300 should win, number it below 100; else remove it")


def test_w401_by_one_rule_points_at_it_too():
    text = (ROOT / "tests" / "fixtures" / "w401-shadowed-nacl-rule.vpc").read_text()
    d = _one(_compile(text), "W401")
    assert d.message.endswith("is shadowed by rule 100 (allow tcp any from 0.0.0.0/0)")
    [note] = d.related
    assert note.message == "rule 100 (allow tcp any from 0.0.0.0/0) matches every packet rule 200 matches"
    assert _at(note.span) == (9, 5, 9, 48)


def test_w403_ssh_open_in_the_security_group_and_the_nacl():
    model = _fixture("w403-ssh-open-to-the-internet.vpc")
    nacl, sg = [d for d in model.diagnostics if d.code == "W403"]
    assert nacl.message == ("rule 100 of network ACL 'public' admits SSH (tcp 22) from the whole internet "
                            "(0.0.0.0/0) into subnet 'public-a', where instance 'bastion-1' runs")
    assert _at(nacl.span) == (9, 5, 9, 48)
    assert [(n.message, _at(n.span)) for n in nacl.related] == [
        ("instance 'bastion-1' is in subnet 'public-a'", (16, 12, 16, 21))]
    assert sg.message == "security group 'bastion' opens SSH (tcp 22) to the whole internet (0.0.0.0/0)"
    assert _at(sg.span) == (15, 31, 15, 40)
    assert [(n.message, _at(n.span)) for n in sg.related] == [
        ("security group 'bastion' is on instance 'bastion-1'", (16, 12, 16, 21))]
    for d in (nacl, sg):
        assert "Session Manager or EC2 Instance Connect Endpoint" in d.hint


def test_w404_request_without_its_return():
    model = _fixture("w404-nacl-without-return.vpc")
    missing, dropped = [d for d in model.diagnostics if d.code == "W404"]
    assert missing.message == ("network ACL 'db' admits tcp 5432 from 10.0.10.0/24 (rule 100), but no "
                               "outbound rule lets the responses back (tcp 32768-60999 to 10.0.10.0/24)")
    assert _at(missing.span) == (13, 5, 13, 45)
    assert missing.related == ()
    assert missing.hint == ("NACLs are stateless: add `out 100 allow tcp 1024-65535 to 10.0.10.0/24` "
                            "(1024-65535 covers every client's ephemeral ports)")
    assert dropped.message == ("network ACL 'web' admits tcp 443 from 0.0.0.0/0 (rule 100), but the outbound "
                               "rules let back only part of the responses (tcp 1024-65535 to 0.0.0.0/0)")
    assert _at(dropped.span) == (16, 5, 16, 48)
    assert [(n.message, _at(n.span)) for n in dropped.related] == [
        ("rule 50 (deny any to 198.18.0.0/15) drops some of them", (17, 5, 17, 52))]
    assert "add `out 40 allow tcp 1024-65535 to 0.0.0.0/0`" in dropped.hint
    assert "numbered below rule 50" in dropped.hint
    assert dropped.hint.endswith("refuse their requests too: `in 90 deny any from 198.18.0.0/15`")


def test_w405_rule_covered_by_a_wider_one():
    d = _one(_fixture("w405-sg-rule-covered.vpc"), "W405")
    assert d.message == ("rule `in tcp 8080 from 10.0.10.0/24` of security group 'app' is covered by "
                         "`in tcp 8000-8999 from 10.0.0.0/16`")
    assert _at(d.span) == (8, 5, 8, 39)
    assert [(n.message, _at(n.span)) for n in d.related] == [
        ("`in tcp 8000-8999 from 10.0.0.0/16` admits everything it does", (7, 5, 7, 38))]
    assert d.hint.startswith("a security group allows the union of its rules")
    assert "remove this rule" in d.hint


def test_w406_reference_to_a_group_nobody_uses():
    d = _one(_fixture("w406-reference-to-an-unused-group.vpc"), "W406")
    assert d.message == ("security group 'db' admits tcp 5432 from security group 'app', which no network "
                         "interface uses: the rule matches nothing")
    assert _at(d.span) == (9, 28, 9, 31)
    assert [(n.message, _at(n.span)) for n in d.related] == [
        ("security group 'app' is defined here", (7, 6, 7, 9))]
    assert d.hint == ("put 'app' on the instances, load balancers or endpoints it stands for (`sg app`), "
                      "or remove the rule")


def test_w407_target_shuts_out_its_load_balancer():
    d = _one(_fixture("w407-lb-target-not-admitted.vpc"), "W407")
    assert d.message == ("target 'web-1' of application load balancer 'web-alb' is not admitted on tcp "
                         "8080: no inbound rule of its security groups ('web') allows it from the load "
                         "balancer's security group 'alb', nor from its subnets 'public-a' (10.0.0.0/24), "
                         "'public-b' (10.0.1.0/24)")
    assert _at(d.span) == (14, 25, 14, 35)
    assert [(n.message, _at(n.span)) for n in d.related] == [
        ("security group 'web' of instance 'web-1'", (11, 6, 11, 9))]
    assert d.hint == "add `in tcp 8080 from alb` to security group 'web'"


def test_w503_site_without_a_route_back():
    d = _one(_fixture("w503-vpn-without-a-route-back.vpc"), "W503")
    assert d.message == ("VPN 'office-vpn' brings site 'office' to virtual private gateway 'prod-vgw', but "
                         "no route table of VPC 'prod' routes 192.168.0.0/16 (only part of it) back to it")
    assert _at(d.span) == (11, 27, 11, 35)
    assert [(n.message, _at(n.span)) for n in d.related] == [
        ("virtual private gateway 'prod-vgw' of VPC 'prod'", (6, 7, 6, 15))]
    assert "add `propagate prod-vgw`" in d.hint and "`192.168.0.0/16 -> prod-vgw`" in d.hint


# ---------------------------------------------------------------------------- the fixes the hints give

def _apply_rule_fix(text: str, hint: str, nacl: str) -> str:
    """The model with the first rule a hint quotes added to network ACL ``nacl``."""
    rule = re.search(r"`((?:in|out) \d+ [^`]+)`", hint).group(1)
    return re.sub(rf"(nacl {nacl} for [^{{]*\{{)", lambda m: m.group(1) + "\n    " + rule, text, count=1)


@pytest.mark.parametrize("nacl", ["db", "web"])
def test_the_rule_a_w404_hint_gives_silences_it(nacl):
    text = (LINT / "w404-nacl-without-return.vpc").read_text()
    [d] = [d for d in _compile(text).diagnostics if d.code == "W404" and f"'{nacl}'" in d.message]
    fixed = _apply_rule_fix(text, d.hint, nacl)
    assert fixed != text
    assert not [x for x in _compile(fixed).diagnostics if x.code == "W404" and f"'{nacl}'" in x.message]


def test_the_mirror_deny_a_w404_hint_offers_silences_it_too():
    text = (LINT / "w404-nacl-without-return.vpc").read_text()
    [d] = [d for d in _compile(text).diagnostics if d.code == "W404" and "'web'" in d.message]
    mirror = re.findall(r"`([^`]+)`", d.hint)[-1]
    fixed = text.replace("    in  100 allow tcp 443", f"    {mirror}\n    in  100 allow tcp 443", 1)
    assert not [x for x in _compile(fixed).diagnostics if x.code == "W404" and "'web'" in x.message]


# ---------------------------------------------------------------------------- W401 over unions

def nacl(*rules: str, ipv6: bool = False) -> str:
    body = "\n".join(f"    {r}" for r in rules)
    six = "  ipv6 2600:1f18:6c0:d900::/56\n" if ipv6 else ""
    sub6 = " ipv6 2600:1f18:6c0:d900::/64" if ipv6 else ""
    return (f"vpc prod {{\n  cidr 10.0.0.0/16\n{six}  subnet db-a 10.0.20.0/24 az a{sub6}\n"
            f"  nacl db for db-a {{\n{body}\n  }}\n}}\n")


@pytest.mark.parametrize("earlier, later", [
    (["allow tcp from 0.0.0.0/0", "deny tcp from ::/0"], "deny tcp 22 from any"),
    (["allow tcp 0-1023 from 10.0.0.0/8", "allow tcp 1024-65535 from 10.0.0.0/8"], "deny tcp from 10.1.0.0/16"),
    (["allow any from 0.0.0.0/0", "allow any from ::/0"], "deny any from any"),
    (["allow tcp from any", "allow udp from any", "deny any from any"], "allow any from 10.0.0.0/8"),
    (["allow icmp echo-request from 10.0.0.0/9", "deny icmp 8 from 10.128.0.0/9"], "deny icmp 8 from 10.0.0.0/8"),
    (["allow 50 from 10.0.0.0/9", "allow 50 from 10.128.0.0/9"], "deny 50 from 10.0.0.0/8"),
])
def test_shadowed_by_several_rules(earlier, later):
    rules = [f"in {100 + 10 * i} {r}" for i, r in enumerate(earlier)] + [f"in 500 {later}"]
    line = 5 + len(earlier)
    assert _codes(nacl(*rules), {"W401"}) == [("W401", line, 5)]


@pytest.mark.parametrize("earlier, later", [
    (["allow tcp from 0.0.0.0/0", "deny udp from ::/0"], "deny tcp 22 from any"),           # udp, not tcp
    (["allow tcp 0-1023 from 10.0.0.0/8", "allow tcp 1025-65535 from 10.0.0.0/8"], "deny tcp from 10.1.0.0/16"),
    (["allow tcp from any", "allow udp from any"], "deny any from any"),                      # other protocols
    (["allow icmp echo-request from 10.0.0.0/9", "deny icmp echo-reply from 10.128.0.0/9"],
     "deny icmp 8 from 10.0.0.0/8"),
    (["allow tcp from 10.0.0.0/9", "allow tcp from 10.129.0.0/16"], "deny tcp from 10.0.0.0/8"),  # a hole
])
def test_not_shadowed_by_several_rules(earlier, later):
    rules = [f"in {100 + 10 * i} {r}" for i, r in enumerate(earlier)] + [f"in 500 {later}"]
    assert _codes(nacl(*rules), {"W401"}) == []


def test_union_hint_says_redundant_when_every_hider_has_the_same_action():
    d = _one(_compile(nacl("in 100 allow tcp from 10.0.0.0/9", "in 110 allow tcp from 10.128.0.0/9",
                           "in 200 allow tcp 22 from 10.0.0.0/8")), "W401")
    assert "rules 100 and 110 together" in d.message and "can be removed" in d.hint


def _random_key(rnd: random.Random):
    number = rnd.choice([-1, 6, 6, 17, 1, 50])
    ports = icmp = None
    if number in (6, 17) and rnd.random() < 0.7:
        a, b = sorted(rnd.sample(range(0, 40), 2))
        ports = (a, b)
    if number == 1 and rnd.random() < 0.6:
        icmp = rnd.choice([0, 3, 8])
    addresses = None
    if rnd.random() < 0.85:
        prefix = rnd.choice([26, 27, 28, 29, 30])
        size = 2 ** (32 - prefix)
        start = rnd.randrange(0, 64 // size) * size if size <= 64 else 0
        addresses = (4, start, start + size - 1)
    return (number, ports, icmp, addresses)


def _pieces(rnd: random.Random, key):
    """Two or three keys that together cover ``key`` (cut on addresses or ports), sometimes
    with a hole: the cases a union decides."""
    number, ports, icmp, addresses = key
    out = []
    if addresses is not None and addresses[2] > addresses[1] and rnd.random() < 0.5:
        mid = (addresses[1] + addresses[2] + 1) // 2
        out = [(number, ports, icmp, (4, addresses[1], mid - 1)), (number, ports, icmp, (4, mid, addresses[2]))]
    elif number in (6, 17):
        lo, hi = ports or (0, 65535)
        if hi > lo:
            cut = rnd.randint(lo, hi - 1)
            out = [(number, (lo, cut), None, addresses), (number, (cut + 1, hi), None, addresses)]
    if not out:
        out = [(-1, None, None, addresses), (number, ports, icmp, None)]
    if rnd.random() < 0.3:                      # a hole
        n, pr, ic, a = out[0]
        if pr is not None and pr[1] > pr[0]:
            out[0] = (n, (pr[0], pr[1] - 1), ic, a)
        elif a is not None and a[2] > a[1]:
            out[0] = (n, pr, ic, (4, a[1], a[2] - 1))
    if rnd.random() < 0.3:                      # wider than needed
        n, pr, ic, a = out[-1]
        out[-1] = (n, None, ic, a)
    return out


def test_covered_together_equals_the_packet_sets_subset():
    """The cheap projection test never rules out a union that covers (seeded random rules)."""
    rnd = random.Random(11)
    found = 0
    for _ in range(400):
        later = _random_key(rnd)
        keys = [_random_key(rnd) for _ in range(rnd.randint(0, 3))] + _pieces(rnd, later)
        rnd.shuffle(keys)
        earlier = [(ast.NaclRule("in", 100 + i, "allow", ast.Protocol("tcp", None, None, None), None, None), k)
                   for i, k in enumerate(keys)]
        overlapping = [(r, k) for r, k in earlier if nacl_shadowing._overlap(k, later)]
        exact = nacl_shadowing._packets(later) <= PacketSet.union(nacl_shadowing._packets(k) for k in keys)
        single = any(acls.covers(k, later) for k in keys)
        got = nacl_shadowing._covered_together(overlapping, later)
        if not single:
            assert bool(got) == exact, (keys, later)
            found += bool(got)
    assert found > 5


# ---------------------------------------------------------------------------- first_matches is exact

def _brute(keyed, protocol, port, address):
    for rule, (number, ports, icmp, addresses) in keyed:
        if number not in (-1, protocol):
            continue
        if number != -1 and protocol in (6, 17) and ports is not None and not ports[0] <= port <= ports[1]:
            continue
        if number != -1 and protocol == 1 and icmp is not None and icmp != port:
            continue
        if addresses is not None and not addresses[1] <= address <= addresses[2]:
            continue
        return rule
    return None


def test_first_matches_agrees_with_rule_by_rule_evaluation():
    rnd = random.Random(7)
    for _ in range(300):
        keys = [_random_key(rnd) for _ in range(rnd.randint(1, 6))]
        keyed = [(ast.NaclRule("in", 100 + i, rnd.choice(["allow", "deny"]),
                               ast.Protocol("tcp", None, None, None), None, None), k)
                 for i, k in enumerate(keys)]
        rules = acls.DirectionRules(keyed)
        protocol = rnd.choice([6, 17, 1, 50])
        axis = None
        if protocol in (6, 17):
            a, b = sorted(rnd.sample(range(0, 45), 2))
            axis = (a, b)
        elif protocol == 1:
            t = rnd.choice([0, 3, 8])
            axis = (t, t)
        low = rnd.randrange(0, 60)
        high = rnd.randrange(low, 64)
        found, gap = acls.first_matches(rules, protocol, axis, 4, low, high)
        values = range(axis[0], axis[1] + 1) if axis else [0]
        deciding = [_brute(keyed, protocol, v, a) for v in values for a in range(low, high + 1)]
        assert gap == (None in deciding)
        assert [r.number for r in found] == sorted({r.number for r in deciding if r is not None})


# ---------------------------------------------------------------------------- each lint's edges

VPC = """vpc prod {{
  cidr 10.0.0.0/16
  subnet public-a 10.0.0.0/24 az a
  subnet app-a 10.0.10.0/24 az a
  {body}
}}
"""


@pytest.mark.parametrize("rule, word", [
    ("in tcp 3389 from 0.0.0.0/0", "RDP (tcp 3389)"),
    ("in tcp 5432 from ::/0", "PostgreSQL (tcp 5432)"),
    ("in tcp 3000-3500 from any", "tcp 3000-3500, with MySQL 3306 and RDP 3389,"),
    ("in tcp from 0.0.0.0/0", "every TCP port"),
    ("in any from 0.0.0.0/0", "every protocol and port"),
    ("in 6 27017 from 0.0.0.0/0", "MongoDB (tcp 27017)"),
])
def test_w403_security_group_ports(rule, word):
    d = _one(_compile(VPC.format(body=f"sg s {{ {rule} }}")), "W403")
    assert d.message.startswith(f"security group 's' opens {word} to the whole internet")
    assert d.related == ()                      # no interface has the group


@pytest.mark.parametrize("rule", [
    "in tcp 443 from 0.0.0.0/0", "in tcp 22 from 10.0.0.0/8", "out tcp 22 to 0.0.0.0/0",
    "in udp 3389 from 0.0.0.0/0", "in tcp 22 from 0.0.0.0/1", "in icmp from any",
])
def test_w403_leaves_other_rules_alone(rule):
    assert _codes(VPC.format(body=f"sg s {{ {rule} }}"), {"W403"}) == []


def test_w403_nacl_only_for_subnets_holding_instances_and_rules_that_decide():
    body = ("nacl n for public-a {{ {rules} }}\n  {extra}")
    empty = VPC.format(body=body.format(rules="in 100 allow tcp 22 from 0.0.0.0/0", extra=""))
    assert _codes(empty, {"W403"}) == []
    held = VPC.format(body=body.format(rules="in 100 allow tcp 22 from 0.0.0.0/0",
                                       extra="instance i-1 in public-a"))
    assert _codes(held, {"W403"}) == [("W403", 5, 25)]
    denied = VPC.format(body=body.format(rules="in 90 deny tcp 22 from any; in 100 allow tcp 0-1023 from 0.0.0.0/0",
                                         extra="instance i-1 in public-a"))
    assert _codes(denied, {"W403"}) == []
    returns = VPC.format(body=body.format(rules="in 100 allow tcp 1024-65535 from 0.0.0.0/0",
                                          extra="instance i-1 in public-a"))
    assert _codes(returns, {"W403"}) == []


def test_w404_outbound_request_needs_the_return_from_the_subnets_hosts_ports():
    # A NAT gateway's ports are 1024-65535: a Linux-only return (32768-60999) is not enough.
    body = ("nacl n for public-a { out 100 allow tcp 443 to 0.0.0.0/0; "
            "in 100 allow tcp 32768-60999 from 0.0.0.0/0 }\n  {host}")
    linux = VPC.format(body=body.replace("{host}", "instance i-1 in public-a"))
    assert _codes(linux, {"W404"}) == []
    nat = VPC.format(body=body.replace("{host}", "nat n-1 in public-a"))
    d = _one(_compile(nat), "W404")
    assert d.message == ("network ACL 'n' lets tcp 443 out to 0.0.0.0/0 (rule 100), but the inbound rules "
                         "let back only part of the responses (tcp 1024-65535 from 0.0.0.0/0)")
    assert [n.message for n in d.related] == [
        "rule 100 (allow tcp 32768-60999 from 0.0.0.0/0) lets back only part of them"]
    assert "add `in 110 allow tcp 1024-65535 from 0.0.0.0/0`" in d.hint


def test_w404_site_and_windows_clients_ports():
    text = """vpc prod {
  cidr 10.0.0.0/16
  subnet db-a 10.0.20.0/24 az a
  subnet app-a 10.0.10.0/24 az a
  vgw gw
  route-table t for db-a { propagate gw }
  nacl db for db-a {
    in  100 allow tcp 5432        from 172.16.0.0/16
    in  110 allow tcp 5432        from 10.0.10.0/24
    out 100 allow tcp 49152-65535 to   172.16.0.0/16
    out 110 allow tcp 32768-60999 to   10.0.10.0/24
  }
  instance w-1 in app-a os windows
}
site hq 172.16.0.0/16 asn 65001 ephemeral 49152-65535
vpn hq-vpn hq <-> gw bgp
"""
    # hq's clients use 49152-65535 (allowed); the Windows instance needs 49152-65535 too.
    assert _codes(text, {"W404"}) == [("W404", 9, 5)]


def test_w404_echo_request_needs_the_echo_reply():
    body = "nacl n for public-a {{ in 100 allow icmp echo-request from 10.0.0.0/16{out} }}"
    assert _codes(VPC.format(body=body.format(out="")), {"W404"}) == [("W404", 5, 25)]
    assert _codes(VPC.format(body=body.format(out="; out 100 allow icmp echo-reply to 10.0.0.0/16")),
                  {"W404"}) == []


def test_w404_ipv6_only_where_the_subnets_have_ipv6():
    rules = ("in 100 allow tcp 443 from any", "out 100 allow tcp 1024-65535 to 0.0.0.0/0")
    assert _codes(nacl(*rules), {"W404"}) == []
    assert _codes(nacl(*rules, ipv6=True), {"W404"}) == [("W404", 6, 5)]


def test_w404_not_for_the_default_nacl_nor_for_response_rules_or_denies():
    assert _codes(VPC.format(body="instance i-1 in app-a"), {"W404"}) == []
    rules = ("in 100 allow tcp 1024-65535 from 0.0.0.0/0", "in 110 deny tcp 22 from 0.0.0.0/0",
             "in 120 allow tcp from 10.0.0.0/8", "in 130 allow any from 10.0.0.0/8")
    assert _codes(nacl(*rules), {"W404"}) == []


def test_w405_equal_rules_report_the_later_and_prefix_lists_fall_under_the_internet():
    text = VPC.format(body="sg s { in tcp 80 from 10.0.0.0/8\n    in tcp 80 from 10.0.0.0/8\n"
                           "    out tcp 443 to 0.0.0.0/0; out tcp 443 to s3 }")
    assert _codes(text, {"W405"}) == [("W405", 6, 5), ("W405", 7, 31)]


def test_w405_a_group_is_covered_only_by_itself_or_any():
    assert _codes(VPC.format(body="sg s { in tcp 80 from 0.0.0.0/0; in tcp 80 from s }"), {"W405"}) == []
    assert _codes(VPC.format(body="sg s { in tcp from any; in tcp 80 from s }"), {"W405"}) == [("W405", 5, 27)]


def test_w406_counts_every_kind_of_interface():
    # (the near-miss fixture has instances, a load balancer and an endpoint)
    text = VPC.format(body="sg a { }\n  sg b { in tcp 22 from a }\n  nat-instance n-1 in public-a sg a")
    assert _codes(text, {"W406"}) == []
    nlb = VPC.format(body="sg b { in tcp 22 from prod-default }\n"
                          "  lb l network in public-a { listen tcp 80 -> i-1 }\n  instance i-1 in app-a sg b")
    assert _codes(nlb, {"W406"}) == []          # an unknown name is the names check's (E201)


def test_w407_nlb_without_groups_needs_its_subnets_and_udp():
    text = VPC.format(body="sg t { in tcp 53 from 10.0.0.0/24 }\n  instance i-1 in app-a sg t\n"
                           "  lb l network internal in public-a { listen tcp_udp 53 -> i-1 }")
    d = _one(_compile(text), "W407")
    assert "not admitted on udp 53" in d.message and d.message.endswith("subnet 'public-a' (10.0.0.0/24)")
    assert d.hint.startswith("add `in udp 53 from 10.0.0.0/24` to security group 't'; health checks")


def test_w407_not_for_address_targets_nor_unsupported_listeners():
    text = VPC.format(body="sg t { }\n  instance i-1 in app-a sg t\n"
                           "  lb l network internal in public-a { listen tcp 80 -> 10.0.10.9:80 }\n"
                           "  lb a application internal in public-a, app-a { listen tcp 81 -> i-1 }")
    assert _codes(text, {"W407"}) == []


def test_w503_static_vpn_carries_its_own_cidrs_and_dx_reaches_through_a_dx_gateway():
    text = """vpc prod {
  cidr 10.0.0.0/16
  subnet app-a 10.0.10.0/24 az a
  vgw gw
  route-table t for app-a { 172.30.0.0/25 -> gw }
}
site lab 172.30.0.0/24
site hq 172.16.0.0/16 asn 65001
vpn lab-vpn lab <-> gw static 172.30.0.0/25
dxgw d { attach gw }
dx hq-dx hq <-> d vif private
vpn hq-vpn hq <-> gw bgp
"""
    assert _codes(text, {"W503"}) == [("W503", 11, 17), ("W503", 12, 19)]


# ---------------------------------------------------------------------------- the examples

@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.vpc")), ids=lambda p: p.stem)
def test_examples_are_clean_of_lint(example):
    model = vpcdsl.load(example, strict=False)
    assert [d for d in model.diagnostics if d.code in LINT_CODES] == []


# ---------------------------------------------------------------------------- notes: printed, JSON, HTML

def test_a_note_in_another_file_prints_with_that_file_s_line():
    d = Diagnostic("W401", "warning", "rule 200 is shadowed", Span("b.vpc", 1, 1, 1, 4), "remove it",
                   (Note("by rule 100", Span("a.vpc", 2, 3, 2, 6)),))
    text = render(d, "in 200 deny tcp 22 from any", sources={"a.vpc": "x\n  in 100 allow any from any"})
    assert text == ("b.vpc:1:1: warning[W401]: rule 200 is shadowed\n"
                    "  1 | in 200 deny tcp 22 from any\n"
                    "    | ^^^\n"
                    "    = note: a.vpc:2:3: by rule 100\n"
                    "      2 |   in 100 allow any from any\n"
                    "        |   ---\n"
                    "    = hint: remove it")
    assert str(d).splitlines()[1] == "  = note: a.vpc:2:3: by rule 100"   # no source: location only


def test_notes_in_json_and_html():
    model = _fixture("w304-route-hidden-by-more-specific.vpc")
    d = _one(model, "W304")
    data = d.to_dict()
    assert data["related"][0] == {"message": "the local route 10.0.0.0/16 of VPC 'prod' is more specific",
                                  "file": d.span.file, "line": 5, "col": 8, "end_line": 5, "end_col": 19}
    html = model.diagnostics._repr_html_()
    assert "= note: w304-route-hidden-by-more-specific.vpc:5:8:" in html
    assert html.count('class="vpc-highlight"') == 3              # the line, and each note's line


# ---------------------------------------------------------------------------- silencing

SSH = "vpc prod {{\n  cidr 10.0.0.0/16\n  sg s {{ in tcp 22 from 0.0.0.0/0 }}{comment}\n}}\n"


@pytest.mark.parametrize("comment, silenced", [
    ("  # vpcdsl: ignore W403", True),
    ("  # bastion; vpcdsl: ignore W405, w403", True),
    ("# vpcdsl:ignore W403", True),
    ("  # vpcdsl: ignore W405", False),
    ("  # ignore W403", False),
    ("", False),
])
def test_an_ignore_comment_on_the_line_silences_those_codes(comment, silenced):
    model = _compile(SSH.format(comment=comment))
    assert (not model.warnings) == silenced
    assert ("1 warning" not in model.summary()) == silenced


def test_an_ignore_comment_elsewhere_or_in_a_string_silences_nothing():
    text = ("vpc prod {\n  cidr 10.0.0.0/16   # vpcdsl: ignore W403\n  sg s { in tcp 22 from 0.0.0.0/0 }\n}\n"
            'dns example.com { t TXT simple "# vpcdsl: ignore W403" }\n')
    assert [d.code for d in _compile(text).warnings] == ["W403"]


def test_errors_are_never_silenced():
    model = _compile("vpc prod {\n  cidr 10.0.0.0/16\n  subnet s 10.1.0.0/24 az a  # vpcdsl: ignore E104\n}\n")
    assert [d.code for d in model.errors] == ["E104"]


def _cli(*args: str):
    return subprocess.run([sys.executable, "-m", "vpcdsl", *args], capture_output=True, text=True,
                          cwd=ROOT)


def test_cli_ignore_drops_the_codes_from_output_json_and_counts(tmp_path):
    path = tmp_path / "m.vpc"
    path.write_text(SSH.format(comment="").replace(
        "sg s {", "sg s { in tcp 80 from 10.0.0.0/8; in tcp 80 from 10.1.0.0/16;"))
    before = _cli("check", str(path))
    assert "warning[W403]" in before.stdout and "warning[W405]" in before.stdout
    assert before.stdout.rstrip().endswith("ok: 0 errors, 2 warnings")
    after = _cli("check", "--ignore", "w403", str(path))
    assert "W403" not in after.stdout and after.stdout.rstrip().endswith("ok: 0 errors, 1 warning")
    doc = json.loads(_cli("check", "--json", "--ignore", "W403,W405", str(path)).stdout)
    assert doc["models"][0]["diagnostics"] == []


@pytest.mark.parametrize("codes, message", [
    ("E104", "E104 is an error; only warnings can be ignored"),
    ("W999", "unknown diagnostic code 'W999'"),
    (",", "give one or more warning codes"),
])
def test_cli_ignore_refuses_errors_and_unknown_codes(codes, message):
    result = _cli("check", "--ignore", codes, "examples/three-tier.vpc")
    assert result.returncode == 2 and message in result.stderr
