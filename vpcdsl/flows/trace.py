"""Concrete flows, hop by hop: does a packet get there, and does its answer get back?

`trace(model, src, dst, "tcp", 443)` walks the request through security
groups, network ACLs, route tables and gateways, then walks the response back
to every port of the client's ephemeral range. Every hop records what it did
to the packet and the source span of the rule or route that decided. The
verdict names the first component that stopped the flow and its kind (`sg`,
`nacl`, `route`, `peering`, `gateway`, `endpoint`, `lb`), as SEMANTICS.md
defines them.

Beyond one packet through filters and routes (choices where AWS or
SEMANTICS.md leave it open are marked *):

- Load balancers: the client reaches the LB node in its own AZ (else the
  first; from the internet, the first)*, through the LB's SGs (ALB, CLB; an
  NLB only with `sg`); a listener on the port whose transport fits accepts it
  (`lb` otherwise); then the LB is the client of a leg to a target (its SGs'
  egress, NACLs, routes, the target's NACL and SG, the response to ports
  1024-65535), tried in order until one is reachable; none reachable is
  `lb`, with the last target's reason and deciding line. The target is the
  first `source-ip` rule's holding the client's address, else the listener's
  default ones: path, host, header, method and query need an HTTP request,
  which a concrete flow does not carry*. An NLB keeps the client's address
  for instance targets and for UDP (client IP preservation); the nodes
  forward across AZs*. Internal LBs have no public address (`lb` from the
  internet).
- Interface endpoints with `private-dns`: a flow from the endpoint's VPC to
  its service goes to the endpoint's interface in the client's AZ (else the
  first), through its SGs, then to the service.
- Amazon DNS (169.254.169.253, the primary block + 2), instance metadata
  (169.254.169.254) and Amazon Time Sync (169.254.169.123), and their IPv6
  fd00:ec2:: addresses: delivered from any host of the VPC whatever the port*,
  without SG or NACL. Multicast, 255.255.255.255 and a subnet's last address
  are dropped (`route`): a VPC supports neither broadcast nor multicast.
- Transit gateways: the sender's AZ needs an attachment subnet (`gateway`);
  the TGW route table decides (longest prefix; static beats propagated;
  blackhole), the packet enters the chosen VPC at its attachment subnet in
  the same AZ (else the first) and follows that subnet's route table. NACLs
  see each packet crossing an attachment as the TGW guide says (SEMANTICS.md,
  NACLs and TGW attachments): instance→TGW traffic the instance subnet's
  outbound and the attachment subnet's inbound rules, TGW→instance traffic
  the attachment subnet's outbound and the instance subnet's inbound rules;
  in the attachment subnet itself, its outbound and inbound rules see
  instance→TGW traffic and none TGW→instance traffic. The
  device that answers (the destination, a NAT, an appliance) needs a route
  back to the TGW and the TGW a route back to the sender's VPC. SG
  references do not cross a TGW; an IGW or EIGW does not carry another VPC's
  untranslated addresses, nor a gateway endpoint another VPC's traffic.
- NAT instance `forward`: from the internet only*, with the source/dest
  check off; the forwarded instance's subnet must route the client back
  through the NAT instance.
- A VPC as a flow end: one trace per subnet probe (`Tracer.traces`);
  `trace` returns the first blocked one, else the first.
- IPv6: a flow is IPv6 when it is `icmpv6` or an end is an IPv6 literal;
  hosts use their IPv6 address, and an end without one is blocked
  (`route`). A NAT gateway translates IPv6 only to 64:ff9b::/96 (NAT64, in
  `vpcdsl.flows.hops.nat_gateway`); NAT instances do not translate IPv6.
- Between VPCs over the internet: an IPv6 address of another VPC's host is
  public, so a route to an internet or egress-only gateway carries the
  request into that VPC by its internet gateway; over IPv4 the destination
  is written `public-ip(NAME)`, routed as any public address and translated
  by NAME's internet gateway; filters see a public address as any public
  IPv4 address (`vpcdsl.flows.hops.internet.to_outside`).
- On-premises sites over VPN and Direct Connect (VGW path choice, TGW
  attachments, CloudHub, public VIFs, software VPNs): see `vpcdsl.flows.hops.site`.

The code: this module is the entry point (the `Tracer`, which resolves the
ends and runs one walk per flow); `vpcdsl.flows.walk` is the walk's core (the
route-table loop, arrivals and the return walk). Each component kind's steps
are a hop handler in `vpcdsl.flows.hops` (the table `HANDLERS`, the interface
in `vpcdsl.flows.hops.base`); `vpcdsl.flows.filter_steps` applies the filters;
`vpcdsl.flows.ends` resolves flow ends,
`vpcdsl.flows.flow` holds the packet, hop, end and trace types,
`vpcdsl.flows.filters` the NACL and SG evaluation and `vpcdsl.flows.sitelinks`
the links and the VGW's path choice.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterator

from ..aws import SERVICES
from ..protocols import protocol_number
from ..service_ranges import RANGES_DATE, representative, service_ranges
from .dataplane import DataPlane
from .ends import address_end, flow_end
# Re-exported: the flow's types keep their `vpcdsl.flows.trace` names.
from .flow import End, FlowError, Hop, NotSimulated, Packet, Trace, parse_address  # noqa: F401
from .filters import Header
from .walk import _Walk, packet_numbers

KINDS = ("sg", "nacl", "route", "peering", "gateway", "endpoint", "lb")


class Tracer:
    """Traces flows on one model; builds nothing per trace (see `vpcdsl.flows.dataplane`)."""

    def __init__(self, model):
        self.model = model
        self.dp: DataPlane = model.dataplane
        # Resolved ends, by what resolving reads: a question of many flows (reach, exposure,
        # matrix) resolves each end once, not once per flow. A walk reads its ends and never
        # changes them; each gets a copy all the same.
        self._ends: dict[tuple, End] = {}
        # What an analysis of many flows works out once per model (its own keys).
        self.memo: dict = {}

    # ------------------------------------------------------------------ ends

    def end(self, text: str, *, other_v6: bool = False, family: int | None = None,
            near: str | None = None) -> End:
        """Resolve one flow end (`vpcdsl.flows.ends.flow_end`)."""
        return flow_end(self.model, self.dp, text, other_v6=other_v6, family=family, near=near)

    def address_end(self, text: str, address) -> End:
        """The end an address literal stands for (`vpcdsl.flows.ends.address_end`)."""
        return address_end(self.model, self.dp, text, address)

    # ------------------------------------------------------------------ entry point
    # ------------------------------------------------------------------ entry point

    def trace(self, src: str, dst: str, protocol: str, port: str | int | None = None, *,
              dst_zone: str | None = None, family: int | None = None) -> Trace:
        """One concrete flow. Where an end is a VPC, the flow is traced from or to each of its
        subnets (a probe each): the first blocked trace is returned, else the first.
        ``dst_zone`` picks a zonal destination's node (an LB's, an endpoint's) in that AZ
        instead of the source's. ``family`` 6 traces named ends by their IPv6 addresses
        (by default a flow is IPv6 only for `icmpv6` or an IPv6 literal end)."""
        first = None
        for t in self.traces(src, dst, protocol, port, dst_zone=dst_zone, family=family):
            if not t.allowed:
                return t
            if first is None:
                first = t
        return first

    def traces(self, src: str, dst: str, protocol: str, port: str | int | None = None, *,
               dst_zone: str | None = None, family: int | None = None) -> Iterator[Trace]:
        """Every concrete trace of a flow: one, or one per subnet probe where an end is a VPC
        (every source subnet with every destination subnet, in source order)."""
        protocol, port = _normalise(protocol, port)
        if family is None and protocol_number(protocol) != 1:
            family = self._site_family(src) or self._site_family(dst)
        family = _family(src, dst, protocol, family)
        flow = f"{src} -> {dst} {protocol}{' ' + port if port else ''}"
        srcs, dsts = self._expand(src), self._expand(dst)
        for s in srcs:
            src_end = self._resolved((s, family), lambda: self.end(s, family=family))
            for d in dsts:
                key = (d, family, dst_zone, src_end.vpc, src_end.subnet.zone if src_end.subnet else None,
                       src_end.text if d in SERVICES else None)
                dst_end = self._resolved(key, lambda: self._dst_end(d, src_end, family, dst_zone))
                walk = _Walk(self, src_end, dst_end, protocol, port)
                t = walk.run(flow)
                if s != src or d != dst:
                    probes = " and ".join(f"subnet '{n}'" for n, o in ((s, src), (d, dst)) if n != o)
                    t = replace(t, reason=f"probe of {probes}: {t.reason}")
                yield t

    def _site_family(self, name: str) -> int | None:
        """6 when ``name`` is a site whose ranges are all IPv6: a flow naming no family is then
        IPv6, since the site has no IPv4 host to start or end at."""
        site = self.model.sites.get(name)
        versions = {c.net.version for c in site.cidrs if c.net is not None} if site else set()
        return 6 if versions == {6} else None

    def request_header(self, src: str, protocol: str, port: str | int | None = None) -> Header:
        """The request of the flow ``src -> ... protocol port`` as a filter reads it on its way in
        (`vpcdsl.flows.filters.Header`: the source's address, the protocol number, port and
        ICMP type), as the walk of that flow makes it before any hop translates it. For
        analyses that decide a filter for many flows without walking them."""
        protocol, port = _normalise(protocol, port)
        family = _family(src, src, protocol)
        end = self._resolved((src, family), lambda: self.end(src, family=family))
        number, icmp, port_value = packet_numbers(protocol, port)
        address = parse_address(str(end.address) if end.address is not None else end.text)
        return Header(number, src=address, port=port_value, icmp=icmp)

    def _resolved(self, key: tuple, resolve) -> End:
        end = self._ends.get(key)
        if end is None:
            end = self._ends[key] = resolve()
        # A shallow copy, as `copy.copy` makes, without its reduce protocol (per flow, it cost
        # as much as a NACL's verdict).
        fresh = object.__new__(End)
        fresh.__dict__.update(end.__dict__)
        return fresh

    def _expand(self, text: str) -> list[str]:
        """A VPC name stands for each of its subnets (LANGUAGE.md §4); any other end for itself."""
        vpc = self.model.vpcs.get(text)
        if vpc is None or self.model.get(text) is not vpc:
            return [text]
        subnets = self.dp.vpc_subnets.get(text, ())
        if not subnets:
            raise FlowError(f"VPC '{text}' has no subnet to trace from or to",
                            "a VPC as a flow end stands for a probe in each of its subnets")
        return [s.name for s in subnets]

    def _dst_end(self, text: str, src: End, family: int, zone: str | None = None) -> End:
        """The destination as the source sees it: a service name goes to this VPC's interface
        endpoint when that has private DNS; zonal ends pick the node in ``zone``, else in the
        source's AZ."""
        if zone is None:
            zone = src.subnet.zone if src.subnet is not None else None
        if text in SERVICES and src.vpc is not None:
            ep = self.dp.private_dns.get((src.vpc, text))
            if ep is not None:
                end = self.end(ep.name, family=family, near=zone)
                end.text = text
                end.note = (f"interface-endpoint:{ep.name}", "endpoint",
                            f"private DNS: {text} resolves to interface endpoint '{ep.name}' "
                            f"({end.address}) in VPC '{ep.vpc}'", ep.span)
                return end
        end = self.end(text, family=family, near=zone)
        if end.kind == "service" and src.vpc is not None:
            end.note = _service_note(self.model, text, src)
        return end


def _service_note(model, service: str, src: End) -> tuple:
    """The `End.note` of a service end: where its addresses come from, and the one address
    that stands for them in print (`vpcdsl.service_ranges`)."""
    vpc = model.vpcs.get(src.vpc or "")
    region = getattr(vpc, "region_name", None)
    blocks, published = service_ranges(service, region)
    where = f" in {region}" if region else ""
    if published:
        what = (f"{service}{where} has {len(blocks)} published IPv4 ranges (AWS ip-ranges.json "
                f"of {RANGES_DATE}), such as {representative(service, region)}")
    else:
        what = (f"{service}{where} has no ranges of its own in AWS ip-ranges.json (of "
                f"{RANGES_DATE}): any public IPv4 address")
    return (f"service:{service}", "service", what + "; each filter decides every range", None)


# ---------------------------------------------------------------------------- helpers

def _normalise(protocol: str, port) -> tuple[str, str]:
    if port is None and "/" in protocol:
        protocol, _, port = protocol.partition("/")
    protocol = protocol.strip().lower()
    if protocol_number(protocol) is None:
        raise FlowError(f"unknown protocol '{protocol}'", "use tcp, udp, icmp, icmpv6 or a number")
    port = "" if port is None else str(port).strip()
    number = protocol_number(protocol)
    if number in (1, 58) and not port:
        port = "echo-request"  # a concrete `icmp` flow is a ping (docs/LANGUAGE.md)
    if number in (6, 17):
        if not port.isdigit() or not 0 <= int(port) <= 65535:
            raise FlowError(f"a {protocol} flow needs one port (0..65535), not '{port}'",
                            f"write it as {protocol}/443")
    return protocol, port


def _family(src: str, dst: str, protocol: str, asked: int | None = None) -> int:
    """The flow's address family: ``asked``, else IPv6 for `icmpv6` or an IPv6 literal end,
    else IPv4."""
    number = protocol_number(protocol)
    versions = {a.version for a in (parse_address(src), parse_address(dst)) if a is not None}
    if asked is not None:
        versions.add(asked)
    if versions == {4, 6}:
        raise FlowError(f"'{src}' and '{dst}' are of different address families",
                        "a flow is IPv4 or IPv6 end to end")
    if number == 58 and 4 in versions:
        raise FlowError("icmpv6 runs over IPv6, not to an IPv4 address", "use icmp")
    if number == 1 and 6 in versions:
        raise FlowError("icmp runs over IPv4, not to an IPv6 address", "use icmpv6")
    return 6 if number == 58 or 6 in versions else 4


def trace(model, src: str, dst: str, protocol: str, port: str | int | None = None) -> Trace:
    """Trace one concrete flow; see the module docstring."""
    return Tracer(model).trace(src, dst, protocol, port)
