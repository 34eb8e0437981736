"""Where a security-group reference is honoured, through the pure filter functions and the walk.

Each test names the AWS page its rule comes from; the audit table at the end of
docs/SEMANTICS.md ("Where a security-group reference is honoured") points here.
"""

from __future__ import annotations

from tracing import check, hop, line_of, model

MIDDLEBOX = """\
vpc a {
  cidr 10.0.0.0/16
  subnet front 10.0.0.0/24 az a
  subnet inspect 10.0.1.0/24 az a
  subnet back 10.0.2.0/24 az a
  route-table rf for front { 10.0.2.0/24 -> fw }
  route-table rb for back { 10.0.0.0/24 -> fw }
  sg any-in { in any from any }
  sg web { in tcp 8080 from app }
  sg app { in tcp 5432 from web }
  instance fw in inspect sg any-in source-dest-check off
  instance web-1 in front sg web
  instance app-1 in back sg app
  instance near in back sg web
}
"""


def test_a_reference_is_honoured_within_a_vpc():
    """VPC guide, security-group-rules (security group referencing): same VPC, no middlebox."""
    m = model(MIDDLEBOX)
    t = check(m, MIDDLEBOX, "near", "app-1", "tcp", 5432, "allowed")   # same subnet: direct
    assert hop(t, "sg:app").span.line == line_of(MIDDLEBOX, "sg app {")
    # the return direction: app-1 answers near, and near's reference to app admits app-1's flow
    check(m, MIDDLEBOX, "app-1", "near", "tcp", 8080, "allowed")


def test_a_reference_does_not_admit_what_a_middlebox_forwarded():
    """VPC guide, route-table-options (routing for a middlebox appliance): the SG of each
    instance must name the other's address or subnet; a reference to the other's SG does not
    admit the forwarded traffic. Forward (web-1 -> app-1) and the other way (app-1 -> web-1)."""
    m = model(MIDDLEBOX)
    t = check(m, MIDDLEBOX, "web-1", "app-1", "tcp", 5432, "blocked", "sg", "sg:app",
              at="sg app {")
    assert ("instance:fw", "forward") in [(h.component, h.action) for h in t.forward]
    check(m, MIDDLEBOX, "app-1", "web-1", "tcp", 8080, "blocked", "sg", "sg:web", at="sg web {")


def test_a_cidr_rule_admits_what_a_middlebox_forwarded_both_ways():
    """VPC guide, route-table-options (routing for a middlebox appliance): only a CIDR rule
    admits the client's forwarded traffic; the response comes back through the NACLs."""
    text = MIDDLEBOX.replace("in tcp 5432 from web", "in tcp 5432 from 10.0.0.0/24") \
                    .replace("in tcp 8080 from app", "in tcp 8080 from 10.0.2.0/24")
    m = model(text)
    t = check(m, text, "web-1", "app-1", "tcp", 5432, "allowed")
    assert t.back[-1].component == "instance:web-1"
    check(m, text, "app-1", "web-1", "tcp", 8080, "allowed")


def test_the_appliance_itself_is_admitted_by_reference():
    """VPC guide, route-table-options: the appliance receives the packet from the client's own
    ENI, so a reference on the appliance's SG still matches the client."""
    text = MIDDLEBOX.replace("sg any-in { in any from any }", "sg any-in { in any from web }")
    m = model(text)
    t = check(m, text, "web-1", "app-1", "tcp", 5432, "blocked", "sg", "sg:app")
    assert hop(t, "sg:any-in").action == "allow"


def test_references_across_a_same_region_peering_and_not_across_regions_or_a_tgw():
    """Peering guide, vpc-peering-security-groups (same region only) and TGW guide,
    tgw-vpc-attachments (SG referencing off by default): `DataPlane.references_honoured`."""
    m = model("""\
    vpc a { cidr 10.1.0.0/16 }
    vpc b { cidr 10.2.0.0/16 }
    vpc c region eu-west-1 { cidr 10.3.0.0/16 }
    vpc d { cidr 10.4.0.0/16 }
    peer ab a -> b
    peer ac a -> c
    """)
    dp = m.dataplane
    assert dp.references_honoured("a", "a")
    assert dp.references_honoured("a", "b") and dp.references_honoured("b", "a")
    assert not dp.references_honoured("a", "b", via_tgw=True)
    assert not dp.references_honoured("a", "c") and not dp.references_honoured("c", "a")
    assert not dp.references_honoured("a", "d")
    assert not dp.references_honoured("a", "a", forwarded=True)
