"""Flow features beyond one packet through filters and routes: load balancers, interface
endpoints with private DNS, the link-local services, broadcast and multicast, transit
gateways, NAT instance port forwarding, VPCs as flow ends and IPv6 flows.

Each test writes a small model inline, traces one flow and checks the verdict, the kind
of the blocking component, the component and the deciding line (`Trace.span`), found by
a unique piece of the model's text.
"""

from __future__ import annotations


import pytest

from vpcdsl.flows.trace import FlowError, Tracer

from tracing import check, hop, line_of, model
from tracing import hops as components


# ---------------------------------------------------------------------------- load balancers

ALB = """\
vpc shop {
  cidr 10.0.0.0/16
  subnet pub-a 10.0.0.0/24 az a
  subnet pub-b 10.0.1.0/24 az b
  subnet app-a 10.0.10.0/24 az a
  subnet app-b 10.0.11.0/24 az b
  subnet tools 10.0.20.0/24 az a
  igw gw
  route-table public for pub-a, pub-b { 0.0.0.0/0 -> gw }
  nacl app-acl for app-b {
    in 100 allow tcp 8080 from 10.0.0.0/23
    out 100 allow tcp 32768-65535 to 10.0.0.0/23
  }
  sg alb { in tcp 443 from 0.0.0.0/0 }
  sg web { in tcp 8080 from alb, internal-lb }
  sg closed { in tcp 22 from 10.0.20.0/24 }
  sg internal-lb { in tcp 80 from 10.0.20.0/24 }
  instance web-1 in app-a sg web
  instance web-2 in app-b sg web
  instance dark-1 in app-a sg closed
  instance admin-1 in app-a sg web
  instance ops-1 in tools
  lb front application in pub-a, pub-b sg alb {
    listen https 443 -> web-1:8080, web-2:8080
  }
  lb second-chance application in pub-a, pub-b sg alb {
    listen https 443 -> dark-1:8080, web-1:8080
  }
  lb no-way application in pub-a, pub-b sg alb {
    listen https 443 -> dark-1:8080
  }
  lb strict-nacl application in pub-a, pub-b sg alb {
    listen https 443 -> web-2:8080
  }
  lb by-source application in pub-a, pub-b sg alb {
    listen https 443 -> web-1:8080
    rule 443 path /admin/* -> dark-1:8080
    rule 443 source-ip 203.0.113.0/24 -> admin-1:8080
  }
  lb inside application internal in pub-a, pub-b sg internal-lb {
    listen http 80 -> web-1:8080
  }
  lb no-sg application in pub-a, pub-b {
    listen https 443 -> web-1:8080
  }
}
"""


def test_alb_from_the_internet_reaches_a_target_through_its_sgs():
    m = model(ALB)
    t = check(m, ALB, "internet", "front", "tcp", 443, "allowed")
    steps = components(t)
    assert ("igw:gw", "translate") in steps
    assert steps.index(("sg:alb", "allow")) < steps.index(("lb:front", "allow"))
    assert steps[-1] == ("instance:web-1", "deliver")
    # the target leg starts at the LB node and goes to the target's port
    deliver = t.forward[-1]
    assert deliver.packet.src == "10.0.0.4" and deliver.packet.dst == "10.0.10.4"
    assert deliver.packet.port == "8080"
    assert hop(t, "sg:web").span.line == line_of(ALB, "sg web {")
    assert hop(t, "lb:front").span.line == line_of(ALB, "listen https 443 -> web-1:8080, web-2")
    # back: the target answers the LB (its ports 1024-65535), then the LB the client
    assert t.back[0].packet.port == "1024-65535"
    assert ("lb:front", "deliver") in components(t, back=True)
    assert t.back[-1].component == "internet"


def test_no_listener_on_the_port_is_blocked_by_lb():
    m = model(ALB)
    check(m, ALB, "ops-1", "inside", "tcp", 81, "blocked", "sg", "sg:internal-lb")  # SG first
    text = ALB.replace("sg alb { in tcp 443 from 0.0.0.0/0 }", "sg alb { in tcp 0-65535 from 0.0.0.0/0 }")
    t = check(model(text), text, "internet", "front", "tcp", 8443, "blocked", "lb", "lb:front",
              at="lb front")
    assert "no listener on port 8443" in t.reason and "https 443" in t.reason


def test_a_listener_accepts_only_its_transport():
    text = ALB.replace("sg alb { in tcp 443 from 0.0.0.0/0 }", "sg alb { in any from 0.0.0.0/0 }")
    t = check(model(text), text, "internet", "front", "udp", 443, "blocked", "lb", "lb:front",
              at="listen https 443 -> web-1:8080, web-2")
    assert "does not accept udp" in t.reason


def test_the_lb_security_group_filters_clients():
    m = model(ALB)
    check(m, ALB, "web-1", "inside", "tcp", 80, "blocked", "sg", "sg:internal-lb",
          at="sg internal-lb { in")


def test_an_alb_without_sg_has_the_default_sg_which_admits_only_its_members():
    m = model(ALB)
    check(m, ALB, "internet", "no-sg", "tcp", 443, "blocked", "sg", "sg:shop.default-sg",
          at="vpc shop")


def test_internal_lb_is_unreachable_from_the_internet_and_reachable_inside():
    m = model(ALB)
    t = check(m, ALB, "internet", "inside", "tcp", 80, "blocked", "lb", "lb:inside", at="lb inside")
    assert "internal" in t.reason
    check(m, ALB, "ops-1", "inside", "tcp", 80, "allowed")


def test_the_lb_node_in_the_clients_az_is_used_from_inside():
    m = model(ALB)
    t = check(m, ALB, "ops-1", "inside", "tcp", 80, "allowed")
    assert t.forward[0].packet.dst.startswith("10.0.0.")      # tools is in az a, like pub-a


def test_an_unreachable_target_is_skipped_for_the_next():
    m = model(ALB)
    t = check(m, ALB, "internet", "second-chance", "tcp", 443, "allowed")
    assert hop(t, "lb:second-chance").action == "allow"
    skipped = [h for h in t.forward if h.action == "skip"]
    assert len(skipped) == 1 and "dark-1:8080" in skipped[0].detail
    assert skipped[0].span.line == line_of(ALB, "sg closed {")
    assert t.forward[-1].component == "instance:web-1"


def test_no_reachable_target_is_blocked_by_lb_with_the_last_targets_reason():
    m = model(ALB)
    t = check(m, ALB, "internet", "no-way", "tcp", 443, "blocked", "lb", "lb:no-way", at="sg closed {")
    assert "dark-1:8080" in t.reason and "no ingress rule" in t.reason
    # the failed target leg is shown up to its drop
    assert ("sg:closed", "drop") in components(t)


def test_target_subnet_nacl_sees_the_lb_as_client_with_ports_1024_65535():
    m = model(ALB)
    t = check(m, ALB, "internet", "strict-nacl", "tcp", 443, "blocked", "lb", "lb:strict-nacl",
              at="nacl app-acl")        # its implicit deny
    assert "1024-32767" in t.reason


def test_alb_source_ip_rule_picks_its_targets_and_content_rules_are_not_taken():
    m = model(ALB)
    t = check(m, ALB, "203.0.113.5", "by-source", "tcp", 443, "allowed")
    assert t.forward[-1].component == "instance:admin-1"
    assert hop(t, "lb:by-source").span.line == line_of(ALB, "rule 443 source-ip")
    t = check(m, ALB, "internet", "by-source", "tcp", 443, "allowed")
    assert t.forward[-1].component == "instance:web-1"
    assert "default targets" in hop(t, "lb:by-source").detail


def test_an_lb_can_start_a_flow():
    m = model(ALB)
    check(m, ALB, "front", "web-1", "tcp", 8080, "allowed")
    check(m, ALB, "front", "dark-1", "tcp", 8080, "blocked", "sg", "sg:closed", at="sg closed {")


def test_a_ping_to_a_load_balancer_finds_no_listener():
    text = ALB.replace("sg alb { in tcp 443 from 0.0.0.0/0 }", "sg alb { in any from 0.0.0.0/0 }")
    t = check(model(text), text, "internet", "front", "icmp", "echo-request", "blocked", "lb",
              "lb:front", at="lb front")
    assert "no listener on icmp" in t.reason


def test_classic_lb_with_a_tcp_listener():
    text = """\
    vpc a {
      cidr 10.0.0.0/16
      subnet app 10.0.1.0/24 az a
      subnet db 10.0.2.0/24 az a
      sg clb { in tcp 3306 from 10.0.1.0/24 }
      sg mysql { in tcp 3306 from clb }
      instance app-1 in app
      instance db-1 in db sg mysql
      lb old classic internal in app sg clb { listen tcp 3306 -> db-1 }
    }
    """
    m = model(text)
    t = check(m, text, "app-1", "old", "tcp", 3306, "allowed")
    assert t.forward[-1].component == "instance:db-1"
    check(m, text, "app-1", "old", "tcp", 3307, "blocked", "sg", "sg:clb", at="sg clb { in")


NLB = """\
vpc game {
  cidr 10.1.0.0/16
  subnet pub-a 10.1.0.0/24 az a
  subnet app-a 10.1.10.0/24 az a
  igw gw
  route-table public for pub-a { 0.0.0.0/0 -> gw }
  sg from-anywhere { in udp 7777 from 0.0.0.0/0
    in tcp 7000 from 0.0.0.0/0 }
  sg from-lb-subnet { in udp 7777 from 10.1.0.0/24
    in tcp 7000 from 10.1.0.0/24 }
  sg nlb-sg { in tcp 7000 from 0.0.0.0/0 }
  sg from-nlb-sg { in tcp 7000 from nlb-sg }
  instance open-1 in app-a sg from-anywhere
  instance narrow-1 in app-a sg from-lb-subnet
  instance ref-1 in app-a sg from-nlb-sg
  lb play network in pub-a { listen udp 7777 -> open-1 }
  lb play-narrow network in pub-a { listen udp 7777 -> narrow-1 }
  lb both network in pub-a { listen tcp_udp 7000 -> open-1 }
  lb by-ip network in pub-a { listen tcp 7000 -> 10.1.10.5:7000 }
  lb with-sg network in pub-a sg nlb-sg { listen tcp 7000 -> ref-1 }
}
"""


def test_nlb_without_sgs_keeps_the_client_address_for_its_targets():
    m = model(NLB)
    t = check(m, NLB, "internet", "play", "udp", 7777, "allowed")
    assert t.forward[-1].packet.src == "198.51.100.1"        # client IP preservation
    assert not any(h.kind == "sg" and h.component == "sg:nlb-sg" for h in t.forward)
    # so a target admitting only the LB's subnet refuses it
    check(m, NLB, "internet", "play-narrow", "udp", 7777, "blocked", "lb", "lb:play-narrow",
          at="sg from-lb-subnet {")


def test_nlb_ip_targets_see_the_lb_address_over_tcp():
    m = model(NLB)
    t = check(m, NLB, "internet", "by-ip", "tcp", 7000, "allowed")
    assert t.forward[-1].component == "instance:narrow-1"
    assert t.forward[-1].packet.src.startswith("10.1.0.")


def test_nlb_tcp_udp_listener_accepts_both_and_udp_listener_no_tcp():
    m = model(NLB)
    check(m, NLB, "internet", "both", "tcp", 7000, "allowed")
    check(m, NLB, "internet", "both", "udp", 7000, "blocked", "lb", "lb:both")   # SG allows tcp 7000 only
    check(m, NLB, "internet", "play", "tcp", 7777, "blocked", "lb", "lb:play",
          at="lb play network")


def test_nlb_with_an_sg_filters_clients_and_targets_may_reference_it():
    m = model(NLB)
    t = check(m, NLB, "internet", "with-sg", "tcp", 7000, "allowed")
    assert hop(t, "sg:from-nlb-sg").span.line == line_of(NLB, "sg from-nlb-sg {")


def test_lb_target_in_a_peered_vpc_by_address():
    text = """\
    vpc front {
      cidr 10.0.0.0/16
      subnet pub-a 10.0.0.0/24 az a
      subnet pub-b 10.0.1.0/24 az b
      igw gw
      route-table public for pub-a, pub-b {
        0.0.0.0/0 -> gw
        10.9.0.0/16 -> link
      }
      sg alb { in tcp 443 from 0.0.0.0/0 }
      lb edge application in pub-a, pub-b sg alb { listen https 443 -> 10.9.1.10:8080 }
    }
    vpc back {
      cidr 10.9.0.0/16
      subnet app 10.9.1.0/24 az a
      route-table r for app { 10.0.0.0/16 -> link }
      sg api { in tcp 8080 from alb }
      instance api-1 in app sg api ip 10.9.1.10
    }
    peer link front -> back
    """
    m = model(text)
    t = check(m, text, "internet", "edge", "tcp", 443, "allowed")
    assert ("peering:link", "forward") in components(t)
    assert hop(t, "sg:api").detail == "sg api allows tcp from alb"    # same-region peering
    broken = text.replace("route-table r for app { 10.0.0.0/16 -> link }", "")
    t = check(model(broken, valid=False), broken, "internet", "edge", "tcp", 443, "blocked",
              "lb", "lb:edge")
    assert "no return route" in t.reason


# ---------------------------------------------------------------------------- interface endpoints

ENDPOINT = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app-a 10.0.1.0/24 az a
  subnet app-b 10.0.2.0/24 az b
  subnet vpce-a 10.0.8.0/28 az a
  subnet vpce-b 10.0.8.16/28 az b
  sg endpoints { in tcp 443 from 10.0.0.0/16 }
  sg kms-ep { in tcp 443 from 10.0.1.0/24 }
  instance app-1 in app-a
  instance app-2 in app-b
  endpoint e-ssm interface ssm in vpce-a, vpce-b sg endpoints private-dns
  endpoint e-kms interface kms in vpce-a, vpce-b sg kms-ep private-dns
  endpoint e-sts interface sts in vpce-a sg endpoints
}
"""


def test_private_dns_sends_a_service_flow_to_the_endpoint_in_the_clients_az():
    m = model(ENDPOINT)
    t = check(m, ENDPOINT, "app-2", "ssm", "tcp", 443, "allowed")
    resolve = t.forward[0]
    assert resolve.action == "resolve" and resolve.component == "interface-endpoint:e-ssm"
    assert resolve.span.line == line_of(ENDPOINT, "endpoint e-ssm")
    assert t.forward[-2].packet.dst.startswith("10.0.8.")   # vpce-b holds 10.0.8.16/28
    assert t.forward[-2].packet.dst == "10.0.8.20"
    assert hop(t, "sg:endpoints").action == "allow"
    assert t.forward[-1].component == "service:ssm"


def test_the_endpoints_security_groups_apply():
    m = model(ENDPOINT)
    check(m, ENDPOINT, "app-1", "kms", "tcp", 443, "allowed")
    check(m, ENDPOINT, "app-2", "kms", "tcp", 443, "blocked", "sg", "sg:kms-ep", at="sg kms-ep {")


def test_without_private_dns_the_service_name_stays_public():
    m = model(ENDPOINT)
    # the public name has no route out of this VPC: no internet gateway, no NAT
    check(m, ENDPOINT, "app-1", "sts", "tcp", 443, "blocked", "route", at="vpc a")
    # the endpoint itself is reachable by name
    check(m, ENDPOINT, "app-1", "e-sts", "tcp", 443, "allowed")


def test_private_dns_serves_only_its_own_vpc():
    text = ENDPOINT + """\
vpc b {
  cidr 10.5.0.0/16
  subnet s 10.5.0.0/24 az a
  route-table r for s { 10.0.0.0/16 -> ab }
  instance b-1 in s
}
peer ab a -> b
"""
    m = model(text)
    t = m.trace("b-1", "ssm", "tcp", 443)
    assert t.kind == "route" and not any(h.action == "resolve" and h.kind == "endpoint"
                                         for h in t.forward), t.table()


# ---------------------------------------------------------------------------- link-local, broadcast

LOCAL = """\
vpc a {
  cidr 10.0.0.0/16
  subnet app 10.0.1.0/24 az a
  subnet db 10.0.2.0/28 az a
  nacl closed for app {
  }
  sg mute { out none }
  instance c in app sg mute
  instance d in db
}
vpc b {
  cidr 10.7.0.0/16
  subnet s 10.7.0.0/24 az a
}
"""


@pytest.mark.parametrize("address, proto, port, what", [
    ("169.254.169.253", "udp", 53, "Amazon DNS"),
    ("10.0.0.2", "udp", 53, "Amazon DNS"),
    ("169.254.169.254", "tcp", 80, "metadata"),
    ("169.254.169.123", "udp", 123, "Time Sync"),
])
def test_link_local_services_are_not_filtered(address, proto, port, what):
    m = model(LOCAL)
    t = check(m, LOCAL, "c", address, proto, port, "allowed")
    assert what in t.forward[-1].detail
    assert not any(h.kind in ("sg", "nacl") for h in t.forward + t.back)


def test_another_vpcs_resolver_is_not_this_vpcs():
    m = model(LOCAL)
    check(m, LOCAL, "c", "10.7.0.2", "udp", 53, "blocked", "route", "vpc:b", at="cidr 10.7.0.0/16")


@pytest.mark.parametrize("address", ["224.0.0.251", "239.1.2.3", "255.255.255.255"])
def test_multicast_and_broadcast_are_dropped(address):
    m = model(LOCAL)
    t = check(m, LOCAL, "d", address, "udp", 5353, "blocked", "route", "vpc:a", at="vpc a")
    assert "neither broadcast nor multicast" in t.reason


def test_a_subnets_broadcast_address_is_dropped():
    m = model(LOCAL)
    t = check(m, LOCAL, "d", "10.0.2.15", "udp", 9, "blocked", "route", "subnet:db", at="subnet db")
    assert "broadcast address of subnet 'db'" in t.reason


def test_an_address_no_subnet_holds_is_dropped_at_the_local_route():
    m = model(LOCAL)
    t = check(m, LOCAL, "d", "10.0.99.9", "tcp", 80, "blocked", "route", "vpc:a",
              at="cidr 10.0.0.0/16")
    assert "no subnet holds it" in t.reason


# ---------------------------------------------------------------------------- transit gateway

TGW = """\
vpc hub {
  cidr 10.0.0.0/16
  subnet egress-a 10.0.0.0/24 az a
  subnet tgw-hub-a 10.0.2.0/28 az a
  subnet svc-a 10.0.10.0/24 az a
  igw hub-igw
  nat hub-nat in egress-a
  route-table egress for egress-a {
    0.0.0.0/0 -> hub-igw
    10.0.0.0/8 -> core
  }
  route-table tgw-hub for tgw-hub-a { 0.0.0.0/0 -> hub-nat }
  route-table svc for svc-a { 10.0.0.0/8 -> core }
  sg svc { in tcp 443 from 10.0.0.0/8 }
  sg ref { in tcp 443 from spoke-sg }
  instance svc-1 in svc-a sg svc
  instance ref-1 in svc-a sg ref
}
vpc spoke {
  cidr 10.1.0.0/16
  subnet app-a 10.1.0.0/24 az a
  subnet app-b 10.1.1.0/24 az b
  subnet tgw-a 10.1.15.0/28 az a
  route-table spoke-main main { 0.0.0.0/0 -> core }
  nacl tgw-acl for tgw-a {
    in 100 deny tcp 22 from 10.1.0.0/16
    in 200 allow any from any
    out 100 allow any to any
  }
  sg spoke-sg { in tcp 22 from 10.0.0.0/8 }
  instance web-1 in app-a sg spoke-sg
  instance web-b in app-b sg spoke-sg
}
vpc static {
  cidr 10.3.0.0/16
  subnet s-a 10.3.0.0/24 az a
  route-table static-main main { 0.0.0.0/0 -> core }
  sg s-open { in tcp 443 from 10.0.0.0/8 }
  instance s-1 in s-a sg s-open
}
tgw core {
  attach hub for tgw-hub-a
  attach spoke for tgw-a
  attach static static-only
  route 0.0.0.0/0 -> hub
  route 10.0.10.128/25 -> blackhole
  route 10.3.0.0/16 -> blackhole
}
"""


def test_tgw_carries_a_flow_between_attached_vpcs_both_ways():
    m = model(TGW)
    t = check(m, TGW, "web-1", "svc-1", "tcp", 443, "allowed")
    steps = components(t)
    assert ("tgw:core", "forward") in steps
    route = next(h for h in t.forward if h.component == "tgw:core" and "route" in h.detail)
    assert route.span.line == line_of(TGW, "attach hub")        # propagated by the attachment
    # return: the service's subnet routes back to the TGW, the TGW to the spoke
    back = [h.detail for h in t.back if h.kind == "route"]
    assert any("10.0.0.0/8 -> core" in d for d in back)
    assert any("10.1.0.0/16 -> spoke" in d for d in back)


def test_tgw_static_blackhole_beats_the_longer_or_equal_propagated_route():
    m = model(TGW)
    check(m, TGW, "web-1", "svc-1", "tcp", 443, "allowed")       # 10.0.10.4: not in the /25
    assert str(m.dataplane.hosts["svc-1"][0].address) == "10.0.10.4"
    text = TGW.replace("instance svc-1 in svc-a sg svc", "instance svc-1 in svc-a sg svc ip 10.0.10.200")
    check(model(text), text, "web-1", "svc-1", "tcp", 443, "blocked", "route", "tgw:core",
          at="route 10.0.10.128/25 -> blackhole")


def test_static_only_attachment_propagates_nothing_and_static_blackhole_drops():
    m = model(TGW)
    check(m, TGW, "web-1", "s-1", "tcp", 443, "blocked", "route", "tgw:core",
          at="route 10.3.0.0/16 -> blackhole")
    text = TGW.replace("  route 10.3.0.0/16 -> blackhole\n", "")
    # only the default route, to the hub, whose NAT sends it back to the TGW: a loop
    t = check(model(text), text, "web-1", "s-1", "tcp", 443, "blocked", "route")
    assert "routing loop" in t.reason and "10.3.0.4" in t.reason


def test_a_vpc_not_attached_cannot_use_the_tgw():
    text = TGW + """\
vpc lonely {
  cidr 10.2.0.0/16
  subnet l-a 10.2.0.0/24 az a
  route-table lonely-main main { 0.0.0.0/0 -> core }
  instance l-1 in l-a
}
"""
    m = model(text, valid=False)       # E303 says so too
    check(m, text, "l-1", "svc-1", "tcp", 443, "blocked", "gateway", "tgw:core",
          at="route-table lonely-main")


def test_an_az_without_attachment_subnet_cannot_reach_the_tgw():
    m = model(TGW)
    t = check(m, TGW, "web-b", "svc-1", "tcp", 443, "blocked", "gateway", "tgw:core",
              at="attach spoke")
    assert "us-east-1b" in t.reason


def test_the_attachment_subnets_inbound_nacl_sees_traffic_to_the_tgw():
    m = model(TGW)
    check(m, TGW, "web-1", "svc-1", "tcp", 22, "blocked", "nacl", "nacl:tgw-acl",
          at="in 100 deny tcp 22")


def test_a_missing_return_route_to_the_tgw_blocks():
    text = TGW.replace("route-table svc for svc-a { 10.0.0.0/8 -> core }", "")
    t = check(model(text), text, "web-1", "svc-1", "tcp", 443, "blocked", "route")
    assert "no return route" in t.reason and "core" in t.reason


def test_sg_references_do_not_cross_a_tgw():
    m = model(TGW, valid=False)   # referencing another VPC's SG is itself reported
    t = m.trace("web-1", "ref-1", "tcp", 443)
    assert t.kind == "sg" and t.component == "sg:ref", t.table()


def test_central_egress_through_the_hubs_nat_gateway():
    m = model(TGW)
    t = check(m, TGW, "web-1", "internet", "tcp", 443, "allowed")
    assert ("nat:hub-nat", "translate") in components(t)
    back = [h.detail for h in t.back if h.kind == "route"]
    assert any("10.0.0.0/8 -> core" in d for d in back)       # from the NAT's subnet


def test_the_hubs_igw_does_not_serve_a_spokes_address():
    text = TGW.replace("route-table tgw-hub for tgw-hub-a { 0.0.0.0/0 -> hub-nat }",
                       "route-table tgw-hub for tgw-hub-a { 0.0.0.0/0 -> hub-igw }")
    check(model(text), text, "web-1", "internet", "tcp", 443, "blocked", "gateway", "igw:hub-igw",
          at="0.0.0.0/0 -> hub-igw }")


# ---------------------------------------------------------------------------- NAT instance forwarding

FORWARD = """\
vpc a {
  cidr 10.0.0.0/16
  subnet pub 10.0.0.0/24 az a
  subnet priv 10.0.1.0/24 az a
  subnet other 10.0.2.0/24 az a
  igw gw
  route-table public for pub { 0.0.0.0/0 -> gw }
  route-table private for priv { 0.0.0.0/0 -> nat-1 }
  route-table wrong for other { 0.0.0.0/0 -> gw }
  sg nat-sg { in tcp 8022 from 0.0.0.0/0
    in tcp 8443 from 0.0.0.0/0
    in tcp 9000 from 0.0.0.0/0 }
  sg ssh { in tcp 22 from 0.0.0.0/0 }
  nat-instance nat-1 in pub sg nat-sg source-dest-check off forward 8022 -> bastion:22, 8443 -> web:443, 9000 -> lost:22
  nat-instance nat-2 in pub sg nat-sg forward 8022 -> bastion:22
  instance bastion in priv sg ssh
  instance web in priv sg ssh
  instance lost in other sg ssh
}
"""


def test_port_forwarding_reaches_the_instance_on_its_port():
    m = model(FORWARD)
    t = check(m, FORWARD, "internet", "nat-1", "tcp", 8022, "allowed")
    fwd = hop(t, "nat-instance:nat-1")
    assert fwd.action == "translate" and fwd.packet.dst == "10.0.1.4" and fwd.packet.port == "22"
    assert fwd.span.line == line_of(FORWARD, "nat-instance nat-1")
    assert t.forward[-1].component == "instance:bastion"
    assert t.forward[-1].packet.src == "198.51.100.1"
    back = [h.detail for h in t.back if h.kind == "route"]
    assert any("0.0.0.0/0 -> nat-1" in d for d in back)


def test_port_forwarding_checks_the_instances_sg_on_the_forwarded_port():
    m = model(FORWARD)
    check(m, FORWARD, "internet", "nat-1", "tcp", 8443, "blocked", "sg", "sg:ssh", at="sg ssh {")


def test_port_forwarding_needs_the_source_dest_check_off():
    m = model(FORWARD)
    check(m, FORWARD, "internet", "nat-2", "tcp", 8022, "blocked", "gateway", "nat-instance:nat-2",
          at="nat-instance nat-2")


def test_port_forwarding_needs_the_route_back_through_the_nat_instance():
    m = model(FORWARD)
    t = check(m, FORWARD, "internet", "nat-1", "tcp", 9000, "blocked", "route",
              at="route-table wrong")
    assert "nat-1" in t.reason


def test_a_port_without_forward_ends_at_the_nat_instance():
    text = FORWARD.replace("in tcp 9000 from 0.0.0.0/0 }", "in tcp 9000 from 0.0.0.0/0\n    in tcp 7000 from 0.0.0.0/0 }")
    t = check(model(text), text, "internet", "nat-1", "tcp", 7000, "allowed")
    assert t.forward[-1].component == "nat-instance:nat-1"


# ---------------------------------------------------------------------------- VPCs as flow ends

VPCS = """\
vpc a {
  cidr 10.0.0.0/16
  subnet a-1 10.0.1.0/24 az a
  subnet a-2 10.0.2.0/24 az a
  nacl shut for a-2 {
    out 100 allow any to any
  }
  sg ssh { in tcp 22 from 10.0.0.0/16 }
  instance x in a-1 sg ssh
}
vpc empty {
  cidr 10.9.0.0/16
}
"""


def test_a_vpc_end_is_traced_to_each_subnet_and_the_first_blocked_is_returned():
    m = model(VPCS)
    t = check(m, VPCS, "x", "a", "tcp", 22, "blocked", "nacl", "nacl:shut", at="nacl shut")
    assert t.reason.startswith("probe of subnet 'a-2'")
    all_traces = list(Tracer(m).traces("x", "a", "tcp", 22))
    assert [tr.verdict for tr in all_traces] == ["allowed", "blocked"]


OPEN = VPCS.replace("nacl shut for a-2", "nacl open for a-2").replace(
    "out 100 allow any to any", "out 100 allow any to any\n    in 100 allow any from any")


def test_a_vpc_end_whose_probes_all_pass_returns_the_first():
    m = model(OPEN)
    t = check(m, OPEN, "x", "a", "tcp", 22, "allowed")
    assert t.forward[-1].component == "subnet:a-1"
    # the response into a-2 is what the closed NACL stops
    t = check(model(VPCS), VPCS, "a-2", "a", "tcp", 22, "blocked", "nacl", "nacl:shut")
    assert t.reason.startswith("probe of subnet 'a-1'") and "32768-60999" in t.reason


def test_a_vpc_as_source():
    m = model(OPEN)
    assert [t.verdict for t in Tracer(m).traces("a", "x", "tcp", 22)] == ["allowed", "allowed"]
    assert [t.forward[0].packet.src for t in Tracer(m).traces("a", "x", "tcp", 22)] == \
        ["10.0.1.254", "10.0.2.254"]


def test_a_vpc_without_subnets_is_an_error():
    with pytest.raises(FlowError):
        model(VPCS).trace("x", "empty", "tcp", 22)


# ---------------------------------------------------------------------------- IPv6

V6 = """\
vpc a {
  cidr 10.0.0.0/16
  ipv6 2600:1f18:6c0:d900::/56
  subnet pub 10.0.0.0/24 az a ipv6 2600:1f18:6c0:d900::/64
  subnet priv 10.0.1.0/24 az a ipv6 2600:1f18:6c0:d901::/64
  subnet v4only 10.0.2.0/24 az a
  igw gw
  eigw egw
  nat nat-1 in pub
  route-table public for pub {
    0.0.0.0/0 -> gw
    ::/0 -> gw
  }
  route-table private for priv {
    0.0.0.0/0 -> nat-1
    ::/0 -> egw
  }
  route-table old for v4only { 0.0.0.0/0 -> nat-1 }
  sg web { in tcp 443 from ::/0 }
  sg v4web { in tcp 443 from 0.0.0.0/0 }
  instance w in pub sg web public-ip
  instance w4 in pub sg v4web public-ip
  instance app in priv
  instance legacy in v4only
}
"""


def test_ipv6_leaves_by_the_eigw_from_the_instances_ipv6_address():
    m = model(V6)
    t = check(m, V6, "app", "2600:1f18:ffff::1", "tcp", 443, "allowed")
    assert t.forward[0].packet.src == "2600:1f18:6c0:d901::4"
    assert ("eigw:egw", "forward") in components(t)
    t = check(m, V6, "app", "internet", "icmpv6", "echo-request", "allowed")
    assert ("eigw:egw", "forward") in components(t)


def test_ipv6_through_the_igw_is_untranslated_both_ways():
    m = model(V6)
    t = check(m, V6, "internet", "w", "icmpv6", None, "blocked", "sg", "sg:web")   # SG admits tcp 443
    t = check(m, V6, "2600:1f18:ffff::9", "w", "tcp", 443, "allowed")
    assert not any(h.action == "translate" for h in t.forward)
    assert t.forward[-1].packet.dst == "2600:1f18:6c0:d900::4"


def test_an_ipv4_only_sg_rule_does_not_admit_ipv6():
    m = model(V6)
    check(m, V6, "2600:1f18:ffff::9", "w4", "tcp", 443, "blocked", "sg", "sg:v4web", at="sg v4web {")


def test_zero_route_never_matches_ipv6_and_ipv6_default_never_ipv4():
    m = model(V6)
    check(m, V6, "legacy", "2600:1f18:ffff::1", "tcp", 443, "blocked", "route", "instance:legacy",
          at="subnet v4only")     # the instance has no IPv6 address at all
    text = V6.replace("  route-table old for v4only { 0.0.0.0/0 -> nat-1 }",
                      "  route-table old for v4only { ::/0 -> egw }")
    check(model(text), text, "legacy", "internet", "tcp", 443, "blocked", "route",
          "route-table:old", at="route-table old")
    text = V6.replace("    ::/0 -> egw\n", "")
    check(model(text), text, "app", "internet", "icmpv6", "echo-request", "blocked", "route",
          "route-table:private", at="route-table private")


SIX_NAT = V6.replace("  route-table old for v4only { 0.0.0.0/0 -> nat-1 }",
                     "  route-table old for v4only { ::/0 -> nat-1 }").replace(
    "subnet v4only 10.0.2.0/24 az a", "subnet v4only 10.0.2.0/24 az a ipv6 2600:1f18:6c0:d902::/64")


def test_nat_gateway_translates_no_ipv6():
    m = model(SIX_NAT, valid=False)      # E303 reports the route too
    check(m, SIX_NAT, "legacy", "2600:1f18:ffff::1", "tcp", 443, "blocked", "gateway", "nat:nat-1",
          at="nat nat-1")


def test_mixed_families_are_a_flow_error():
    m = model(V6)
    with pytest.raises(FlowError):
        m.trace("10.0.0.4", "2600:1f18:ffff::1", "tcp", 443)
    with pytest.raises(FlowError):
        m.trace("app", "2600:1f18:ffff::1", "icmp", None)
