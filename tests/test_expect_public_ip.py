"""`public-ip(NAME)` as a flow end of `expect` lines and of `vpcdsl reach`: the public IPv4
address AWS maps to an instance, NAT instance, public NAT gateway or internet-facing load
balancer node, reached from another VPC across the internet.

AWS pages:
- VPC guide, "Enable internet access for a VPC using an internet gateway"
  (https://docs.aws.amazon.com/vpc/latest/userguide/VPC_Internet_Gateway.html): to be
  reached from the internet an instance needs a public IPv4 address or an Elastic IP
  address; the internet gateway does the one-to-one NAT between it and the private address,
  both ways. A packet from one VPC to another VPC's public address leaves by the sender's
  internet gateway (its source translated to the sender's public address) and enters by
  the receiver's, so the receiver's filters see a public address, and both directions
  meet both VPCs' NACLs and the receiver's security groups.
- Elastic Load Balancing, "Internet-facing load balancers": the nodes of an
  internet-facing load balancer have public IP addresses; an internal one's only private.

Written as a destination only: a packet never starts at a public address (the sender's
internet gateway puts it there), so `expect public-ip(b-1) -> ...` is E903 with a hint
to write `b-1 -> ...`. A literal public address of vpcdsl's own does not exist (it invents
none), so a filter sees any public IPv4 address: only a rule covering all of them matches.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest

import vpcdsl
from vpcdsl.syntax import ast
from vpcdsl.syntax.parser import parse

from tracing import model

BASE = """\
region eu-west-1
vpc a {
  cidr 10.1.0.0/16
  subnet pub-a 10.1.0.0/24 az a
  subnet priv-a 10.1.1.0/24 az a
  igw igw-a
  nat nat-a in pub-a
  nat nat-p in priv-a private
  route-table pub for pub-a { 0.0.0.0/0 -> igw-a }
  route-table priv for priv-a { 0.0.0.0/0 -> nat-a }
  sg client { in tcp 22 from 10.1.0.0/16 }
  instance a-1 in pub-a sg client public-ip
  instance a-2 in priv-a sg client
  instance a-3 in pub-a sg client
}
vpc b {
  cidr 10.2.0.0/16
  subnet pub-b 10.2.0.0/24 az a
  subnet pub-b2 10.2.1.0/24 az b
  igw igw-b
  route-table pubb for pub-b, pub-b2 { 0.0.0.0/0 -> igw-b }
  sg web {
    in tcp 443 from 0.0.0.0/0
    in tcp 9443 from 10.1.0.0/16
  }
  sg fwd { in tcp 2222 from 0.0.0.0/0 }
  instance b-1 in pub-b sg web eip
  instance b-2 in pub-b sg web
  nat-instance b-nat in pub-b sg fwd source-dest-check off forward 2222 -> b-1:443
  lb web-alb application internet-facing in pub-b, pub-b2 sg web {
    listen https 443 -> b-1
  }
  lb int-lb application internal in pub-b, pub-b2 sg web {
    listen https 443 -> b-1
  }
}
"""


def _check(expects: str, base: str = BASE):
    """Compile BASE plus some `expect` lines: the model and `vpcdsl check`'s text."""
    text = base + textwrap.dedent(expects)
    m = vpcdsl.loads(text, filename="t.vpc", strict=False)
    return m, text


def _statuses(m) -> dict[str, str]:
    return {r["text"]: r["status"] for r in m.expectation_results}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vpcdsl", *args], capture_output=True, text=True,
                          timeout=120)


# ---------------------------------------------------------------------------- the syntax

def test_public_ip_parses_as_a_flow_end_with_its_name_and_span():
    file, diags = parse("expect a-1 -> public-ip( b-1 ) tcp 443 allowed\n", "t.vpc")
    assert not diags
    (exp,) = [s for s in file.statements if isinstance(s, ast.ExpectFlow)]
    assert (exp.dst.text, exp.dst.kind) == ("public-ip(b-1)", "public-ip")
    assert exp.dst.ref.name == "b-1" and (exp.dst.ref.span.line, exp.dst.ref.span.col) == (1, 26)
    assert (exp.dst.span.col, exp.dst.span.end_col) == (15, 31)       # `public-ip(` to `)`
    assert exp.src.ref is None


def test_a_name_and_an_address_stay_what_they_were():
    file, _ = parse("expect a-1 -> 10.0.0.1 tcp 443 allowed\nexpect isolated a, public-ip(b)\n", "t.vpc")
    flows = [s for s in file.statements if isinstance(s, (ast.ExpectFlow, ast.ExpectIsolated))]
    assert [(e.text, e.kind) for e in (flows[0].src, flows[0].dst)] == [("a-1", "name"), ("10.0.0.1", "address")]
    assert [(e.text, e.kind) for e in flows[1].ends] == [("a", "name"), ("public-ip(b)", "public-ip")]


# ---------------------------------------------------------------------------- evaluation

EXPECTED = {
    # both VPCs' NACLs and b's SG pass it; the IGWs translate both ways
    "expect a-1 -> public-ip(b-1) tcp 443 allowed": "passed",
    # b's rule for a's private block matches no public address
    "expect a-1 -> public-ip(b-1) tcp 9443 blocked by sg": "passed",
    "expect a-1 -> b-1 tcp 9443 blocked by gateway": "passed",   # private address: no internet route
    # behind the NAT gateway: its Elastic IP is the source
    "expect a-2 -> public-ip(b-1) tcp 443 allowed": "passed",
    # a-3 has no public address: igw-a has nothing to translate its source to
    "expect a-3 -> public-ip(b-1) tcp 443 blocked by gateway": "passed",
    # over sets, by the reach engine: 443 passes, 444 does not
    "expect a-1 -> public-ip(b-1) tcp 443-444 allowed": "failed",
    "expect a-1 -> public-ip(b-1) tcp 8443-9443 blocked": "passed",
    "expect internet -> public-ip(b-1) tcp 443 allowed": "passed",
    # an internet-facing ALB's node, and a NAT instance's port forward
    "expect a-1 -> public-ip(web-alb) tcp 443 allowed": "passed",
    "expect a-1 -> public-ip(b-nat) tcp 2222 allowed": "passed",
    # a public NAT gateway lets no connection in
    "expect a-1 -> public-ip(nat-a) tcp 443 blocked by gateway": "passed",
    "expect a-1 -> public-ip(b-1) tcp 443 blocked": "failed",
}


@pytest.fixture(scope="module")
def evaluated():
    m, _ = _check("\n".join(EXPECTED) + "\n")
    return m


def test_expectations_over_the_public_path(evaluated):
    assert _statuses(evaluated) == EXPECTED
    messages = [d.message for d in evaluated.diagnostics if d.code == "E901"]
    assert messages == [
        "expectation failed: a-1 -> public-ip(b-1) tcp 443-444 is blocked by sg for tcp 444, "
        "expected allowed",
        "expectation failed: a-1 -> public-ip(b-1) tcp 443 is allowed, expected blocked",
    ]


def test_a_failed_allowed_names_the_deciding_rule_and_the_hint_lists_the_public_path(evaluated):
    (diag,) = [d for d in evaluated.diagnostics if d.code == "E901" and "expected blocked" in d.message]
    assert "route 0.0.0.0/0 -> igw-a matched" in diag.hint
    assert "igw-b translates public-ip(b-1) to" in diag.hint
    assert "sg web allows tcp from 0.0.0.0/0" in diag.hint


def test_the_response_meets_the_senders_nacl_on_the_way_back():
    """The sender's NACL admits the request out but the response only from part of the
    public space: b-1's public address may be anywhere in it, so the flow is blocked."""
    base = BASE.replace("  instance a-1 in pub-a", """  nacl an for pub-a {
    in  100 allow tcp 1024-65535 from 52.0.0.0/8
    out 100 allow any to 0.0.0.0/0
  }
  instance a-1 in pub-a""", 1)
    m, _ = _check("expect a-1 -> public-ip(b-1) tcp 443 blocked by nacl\n"
                  "expect a-1 -> public-ip(b-1) tcp 443 allowed\n", base)
    assert list(_statuses(m).values()) == ["passed", "failed"]
    (diag,) = [d for d in m.diagnostics if d.code == "E901"]
    assert "(nacl:an)" in diag.message
    assert diag.hint.startswith("network ACL 'an' blocks the response") and "public-ip(b-1)" in diag.hint
    assert "only 52.0.0.0/8 passes" in diag.hint


def test_the_receivers_nacl_filters_the_request():
    base = BASE.replace("  instance b-1 in pub-b", """  nacl bn for pub-b {
    in  100 allow tcp 443 from 10.0.0.0/8
    out 100 allow any to 0.0.0.0/0
  }
  instance b-1 in pub-b""", 1)
    m, _ = _check("expect a-1 -> public-ip(b-1) tcp 443 blocked by nacl\n"
                  "expect a-1 -> b-1 tcp 443 blocked by gateway\n", base)
    assert list(_statuses(m).values()) == ["passed", "passed"]


# ---------------------------------------------------------------------------- diagnostics

BAD = """\
expect a-1 -> public-ip(b-3) tcp 443 allowed
expect a-1 -> public-ip(a-3) tcp 443 allowed
expect a-1 -> public-ip(pub-b) tcp 443 allowed
expect a-1 -> public-ip(int-lb) tcp 443 allowed
expect a-1 -> public-ip(nat-p) tcp 443 blocked
expect public-ip(b-1) -> a-1 tcp 22 allowed
expect isolated a-1, public-ip(b-1)
"""

GOLDEN = """\
t.vpc:37:25: error[E201]: unknown name 'b-3'
  37 | expect a-1 -> public-ip(b-3) tcp 443 allowed
     |                         ^^^
     = hint: did you mean 'a-3', 'b-1' or 'b-2'?

t.vpc:38:25: error[E903]: 'public-ip(a-3)' names no address: instance 'a-3' has no public IPv4 address
  38 | expect a-1 -> public-ip(a-3) tcp 443 allowed
     |                         ^^^
     = hint: give 'a-3' `public-ip` or `eip` (or its subnet `public-ip`), or write its name to reach its private address over a peering, TGW or VPN

t.vpc:39:25: error[E204]: 'pub-b' is a subnet; `public-ip(NAME)` is the public IPv4 address of an instance, NAT instance, public NAT gateway or internet-facing load balancer NAME
  39 | expect a-1 -> public-ip(pub-b) tcp 443 allowed
     |                         ^^^^^
     = hint: expected the name of an instance, a NAT instance, a NAT gateway or a load balancer

t.vpc:40:25: error[E903]: 'public-ip(int-lb)' names no address: load balancer 'int-lb' is internal: its nodes have private addresses only
  40 | expect a-1 -> public-ip(int-lb) tcp 443 allowed
     |                         ^^^^^^
     = hint: make 'int-lb' `internet-facing`, or write its name to reach it over a peering, TGW or VPN

t.vpc:41:25: error[E903]: 'public-ip(nat-p)' names no address: NAT gateway 'nat-p' is private: it has no Elastic IP
  41 | expect a-1 -> public-ip(nat-p) tcp 443 blocked
     |                         ^^^^^
     = hint: a public NAT gateway (`nat nat-p in SUBNET`, without `private`) has an Elastic IP

t.vpc:42:8: error[E903]: 'public-ip(b-1)' cannot start a flow: it is where the internet reaches b-1
  42 | expect public-ip(b-1) -> a-1 tcp 22 allowed
     |        ^^^^^^^^^^^^^^
     = hint: write `expect b-1 -> ...`: b-1's traffic to the internet leaves from public-ip(b-1) already (its internet gateway translates the source)

t.vpc:43:22: error[E903]: 'public-ip(b-1)' cannot start a flow: it is where the internet reaches b-1
  43 | expect isolated a-1, public-ip(b-1)
     |                      ^^^^^^^^^^^^^^
     = hint: isolation runs both ways and nothing starts at a public address: write `expect b-1 -> X blocked` and `expect X -> public-ip(b-1) blocked` for each X, or list b-1 itself
"""


def test_diagnostics_golden(tmp_path):
    path = tmp_path / "t.vpc"
    path.write_text(BASE + BAD, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "vpcdsl", "check", "--color", "never", "t.vpc"],
                         capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert run.returncode == 1
    shown = run.stdout.split("\nt.vpc:37: expect")[0].rstrip("\n") + "\n"
    assert shown == GOLDEN, shown


@pytest.mark.parametrize("text, needle", [
    ("expect a -> public-ip b allowed", "found `b`"),
    ("expect a -> public-ip allowed", "found `allowed`"),
    ("expect a -> public-ip() allowed", "found `)`"),
    ("expect a -> public-ip(b allowed", "found `allowed`"),
])
def test_syntax_errors_say_how_to_write_it(text, needle):
    _, diags = parse(text + "\n", "t.vpc")
    (d,) = diags
    assert d.code == "E001" and d.message.startswith("`public-ip` as a flow end is written "
                                                     "`public-ip(NAME)`") and needle in d.message


def test_ipv6_over_a_public_ip_end_cannot_be_traced():
    m, _ = _check("expect a-1 -> public-ip(b-1) icmpv6 allowed\n")
    assert list(_statuses(m).values()) == ["failed"]
    (d,) = [d for d in m.diagnostics if d.code == "E903"]
    assert "is an IPv4 address, not an IPv6 one" in d.message


# ---------------------------------------------------------------------------- reach and trace

def test_reach_to_a_public_ip(tmp_path):
    path = tmp_path / "t.vpc"
    path.write_text(BASE, encoding="utf-8")
    run = _cli("reach", str(path), "a-1", "public-ip(b-1)")
    assert run.returncode == 0, run.stderr
    rows = [line.split() for line in run.stdout.splitlines()[2:]]
    assert rows == [["a-1", "public-ip(b-1)", "tcp", "443", "igw:igw-a", "ALLOWED"]]
    run = _cli("reach", str(path), "--to", "public-ip(web-alb)")
    assert "a-1       public-ip(web-alb)" in run.stdout and "internet  public-ip(web-alb)" in run.stdout
    run = _cli("reach", str(path), "public-ip(b-1)", "a-1")
    assert run.returncode == 2 and "starts no flow" in run.stderr
    run = _cli("reach", str(path), "a-1", "public-ip(b-3)")
    assert run.returncode == 2 and "did you mean" in run.stderr


def test_trace_and_expect_agree_on_load_balancers_and_nat_instances():
    m = model(BASE)
    assert m.trace("a-1", "public-ip(web-alb)", "tcp", 443).allowed
    t = m.trace("a-1", "public-ip(b-nat)", "tcp", 2222)
    assert t.allowed, t.table()
    # the trace to a load balancer's private address says what to write, and it traces
    t = m.trace("a-1", "web-alb", "tcp", 443)
    assert t.kind == "gateway" and "public-ip(web-alb)" in t.reason
