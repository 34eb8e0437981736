"""Flow ends: what a name, an address, `internet` or a service stands for in a flow.

`flow_end` resolves one end to an `End` (its address, host, subnet, VPC, SGs and
client ports); `Tracer.end` is it for one model. LANGUAGE.md §4 lists the ends.
"""

from __future__ import annotations

from ipaddress import ip_address

from ..aws import GLOBAL_UNICAST, NOT_INTERNET, SERVICES
from ..syntax import ast
from .dataplane import DataPlane, ephemeral_range
from .flow import INTERNET_V4, INTERNET_V6, End, FlowError, NotSimulated, _word, parse_address
from .hops.appliance import down_problem
from .hops.nat_gateway import NAT64_PREFIX

# Link-local services every instance reaches without SG or NACL filtering
# (SEMANTICS.md, Filters; EC2 guide: Amazon DNS, IMDS, Amazon Time Sync, and
# their IPv6 addresses on Nitro). The VPC's own resolver at its primary
# block + 2 is `DataPlane.amazon_dns`.
LINK_LOCAL_SERVICES = {
    ip_address("169.254.169.253"): "the Amazon DNS server",
    ip_address("169.254.169.254"): "the instance metadata service",
    ip_address("169.254.169.123"): "the Amazon Time Sync Service",
    ip_address("fd00:ec2::253"): "the Amazon DNS server",
    ip_address("fd00:ec2::254"): "the instance metadata service",
    ip_address("fd00:ec2::123"): "the Amazon Time Sync Service",
}
LIMITED_BROADCAST = ip_address("255.255.255.255")
# Any address outside the model's VPCs and sites and outside `NOT_INTERNET` is an internet
# host (documentation ranges such as 203.0.113.0/24 included: examples use them); over IPv6
# only in the global unicast space 2000::/3 or the NAT64 prefix (docs/SEMANTICS.md, Addresses).
_PRIVATE_NETS = NOT_INTERNET


def flow_end(model, dp: DataPlane, text: str, *, other_v6: bool = False, family: int | None = None,
        near: str | None = None) -> End:
    """Resolve one flow end. ``family`` 6 picks IPv6 addresses; ``near`` (an AZ) picks the
    node of a load balancer or interface endpoint in that AZ (else its first)."""
    m = model
    v6 = other_v6 or family == 6
    if text == "internet":
        return End(text, "internet", INTERNET_V6 if v6 else INTERNET_V4)
    if text in SERVICES:
        return End(text, "service")
    address = parse_address(text)
    if address is not None:
        return address_end(model, dp, text, address)
    if text.startswith(PUBLIC_IP) and text.endswith(")"):
        return public_ip_end(model, dp, text, v6)
    obj = m.get(text)
    if obj is None and "." in text and text[-1:].isalpha():
        # A DNS name (model names hold no dot): answered by Route 53, a stage after this one.
        raise FlowError(f"'{text}' is a DNS name, not an address or a name of the model",
                        "`Model.trace` and `vpcdsl trace` resolve it as Route 53 answers the "
                        "source (vpcdsl.analysis.named_ends)")
    if obj is None:
        raise FlowError(f"unknown flow end '{text}'", _did_you_mean(m, text))
    if isinstance(obj, (ast.Instance, ast.NatInstance)):
        host = dp.host(obj.name)
        if host is None:
            raise FlowError(f"{_word(obj)} '{text}' has no address (its subnet is unknown or full)")
        public = obj.public_ip != "none" if isinstance(obj, ast.Instance) else True
        public = public or host.subnet.public_ip
        end = End(text, "instance" if isinstance(obj, ast.Instance) else "nat-instance",
                  host.address, obj, host, host.subnet, obj.vpc, dp.security_groups(obj), public,
                  ephemeral_range(obj))
        if v6:
            end.address = host.ipv6
            if host.ipv6 is None:
                end.problem = _no_ipv6(obj, host.subnet)
        end.problem = down_problem(obj) or end.problem    # `down`: it sends and receives nothing
        return end
    if isinstance(obj, ast.Subnet):
        if obj.cidr is None or obj.cidr.net is None:
            raise FlowError(f"subnet '{text}' has no valid CIDR")
        probe = obj.cidr.net.broadcast_address - 1
        end = End(text, "subnet", probe, obj, None, obj, obj.vpc, None, obj.public_ip,
                  (32768, 60999))
        if v6:
            six = obj.ipv6.net if obj.ipv6 is not None else None
            end.address = six.broadcast_address - 1 if six is not None else None
            if six is None:
                end.problem = _no_ipv6(obj, obj)
        return end
    if isinstance(obj, ast.NatGateway):
        host = dp.host(obj.name)
        if host is None:
            raise FlowError(f"NAT gateway '{text}' has no address")
        end = End(text, "nat", host.address, obj, host, host.subnet, obj.vpc, None,
                  not obj.private, ephemeral_range(obj))
        if v6:
            end.address, end.problem = None, _no_ipv6(obj, host.subnet)
        return end
    if isinstance(obj, (ast.InterfaceEndpoint, ast.LoadBalancer)):
        host = dp.host_in_zone(obj.name, near)
        if host is None:
            raise FlowError(f"{_word(obj)} '{text}' has no address (no subnet of it resolves)")
        sgs = dp.security_groups(obj) or None
        if isinstance(obj, ast.LoadBalancer):
            end = End(text, "lb", host.address, obj, host, host.subnet, obj.vpc, sgs,
                      obj.scheme == "internet-facing", ephemeral_range(obj))
        else:
            end = End(text, "interface-endpoint", host.address, obj, host, host.subnet, obj.vpc,
                      sgs, False)
        if v6:
            end.address, end.problem = None, _no_ipv6(obj, host.subnet)
        return end
    if isinstance(obj, ast.Site):
        nets = [c.net for c in obj.cidrs if c.net is not None]
        if not nets:
            raise FlowError(f"site '{text}' has no valid CIDR")
        # A host of the site's first range of the flow's family (docs/SEMANTICS.md, flow ends);
        # asked for no family (an end's kind or object only), its first range.
        want = 6 if v6 else 4 if family is not None else nets[0].version
        family_nets = [n for n in nets if n.version == want]
        if not family_nets:
            other = nets[0]
            raise FlowError(f"site '{text}' has no IPv{want} range, so it has no part in an "
                            f"IPv{want} flow",
                            f"its ranges are IPv{other.version} ({', '.join(map(str, nets))}): "
                            + ("trace it with icmpv6 or an IPv6 end, or from an address of it "
                               f"such as {site_probe(other)[0]}" if want == 4 else
                               "give it an IPv6 range (`site NAME CIDR, IPV6-CIDR`) or trace "
                               "it over IPv4"))
        which = "first prefix" if family_nets[0] == nets[0] else f"first IPv{family_nets[0].version} prefix"
        address, how = site_probe(family_nets[0], which)
        return End(text, "site", address, obj, ephemeral=ephemeral_range(obj),
                   probe=f"site '{text}' is probed at {address}, {how}")
    forwards = _FORWARD_ONLY.get(type(obj))
    if forwards is not None:
        # A blocked end, not an error: what the component does is the lesson (SEMANTICS.md).
        end = End(text, "forwarder", None, obj, vpc=getattr(obj, "vpc", None))
        end.problem = ("gateway", f"{node_kind(obj)}:{obj.name}",
                       f"{_word(obj)} '{text}' {forwards}", obj.span)
        return end
    if isinstance(obj, ast.Vpc):
        raise FlowError(f"VPC '{text}' stands for every address of it, not one end",
                        "`Tracer.traces` traces to or from each of its subnets")
    raise NotSimulated(f"{_word(obj)} '{text}' is not simulated as a flow end yet",
                    "flow ends are instances, subnets, VPCs, load balancers, NAT gateways and "
                    "instances, interface endpoints, sites, `internet`, AWS services and "
                    "addresses")

# What each forward-only component does, said when a flow names it as its end: none of
# them accepts a connection to an address of its own (docs/SEMANTICS.md, Gateways).
_FORWARD_ONLY = {
    ast.InternetGateway: "only forwards: it maps instances' public IPv4 addresses to their "
        "private ones and owns no address that accepts a connection (trace to the instance, "
        "`internet -> web-1`, or out to `internet`)",
    ast.EgressOnlyInternetGateway: "only forwards outbound IPv6 and its responses: nothing "
        "connects to it, and nothing from the internet through it (trace out to `internet`)",
    ast.VirtualPrivateGateway: "only forwards between its VPC and its VPN and Direct Connect "
        "links: no address of it in the VPC accepts a connection (trace to a site's host)",
    ast.TransitGateway: "only routes between its attachments: its interfaces in the attachment "
        "subnets accept no connection (trace to a host of an attached VPC or site)",
    ast.GatewayEndpoint: "is a route target, not an address: traffic to its service follows "
        "the prefix-list route (trace to the service, such as `s3`)",
    ast.Peering: "is a route target, not a host: trace to an address in the peer VPC",
    ast.DxGateway: "only forwards between Direct Connect virtual interfaces and its gateways: "
        "it has no host address (trace to a site's host or a VPC's)",
}


PUBLIC_IP = "public-ip("


def public_ip_end(model, dp: DataPlane, text: str, v6: bool) -> End:
    """`public-ip(NAME)`: the public or Elastic IPv4 address AWS maps to an instance, NAT
    instance or public NAT gateway, or a public address of an internet-facing load balancer's
    node, an internet address outside every VPC (kind `public-ip`: routed as one, and any
    public IPv4 address to a filter, since vpcdsl invents no address); an internet gateway of
    its VPC translates it on the way in (docs/SEMANTICS.md, Gateways)."""
    name = text[len(PUBLIC_IP):-1].strip()
    obj = model.get(name)
    if not isinstance(obj, PUBLIC_IP_KINDS):
        raise FlowError(f"'{text}' names no instance, NAT or load balancer",
                        _did_you_mean(model, name) if obj is None else
                        "public-ip(NAME) is the public IPv4 address of an instance, NAT instance, "
                        "public NAT gateway or internet-facing load balancer NAME")
    if v6:
        raise FlowError(f"'{text}' is an IPv4 address, not an IPv6 one",
                        f"IPv6 addresses are public already: trace to {name} itself")
    behind = flow_end(model, dp, name)
    if not behind.public:
        raise FlowError(f"{_word(obj)} '{name}' has no public IPv4 address", no_public_ip_hint(obj))
    return End(text, "public-ip", None, obj, public=True, ephemeral=behind.ephemeral)


# What `public-ip(NAME)` may name: what AWS gives a public IPv4 address of its own.
PUBLIC_IP_KINDS = (ast.Instance, ast.NatInstance, ast.NatGateway, ast.LoadBalancer)


def no_public_ip_hint(obj) -> str:
    """What gives ``obj`` (a `PUBLIC_IP_KINDS` object without one) a public IPv4 address."""
    if isinstance(obj, ast.Instance):
        return "give it `public-ip` or `eip` (or its subnet `public-ip`)"
    if isinstance(obj, ast.LoadBalancer):
        return "an internal load balancer has none: make it `internet-facing`, or reach it " \
               "by its name over a peering, TGW or VPN"
    return "a private NAT gateway has none"


def node_kind(obj) -> str:
    from ..model.network import kind_of
    return kind_of(obj)


def address_end(model, dp: DataPlane, text: str, address) -> End:
    service = LINK_LOCAL_SERVICES.get(address)
    if service is not None:
        return End(text, "aws-local", address)
    dns_vpc = dp.amazon_dns.get(address)
    if dns_vpc is not None:
        return End(text, "aws-local", address, vpc=dns_vpc)
    host = dp.host_at.get(address)
    if host is not None:
        end = flow_end(model, dp, host.obj.name, family=address.version)
        end.text, end.address, end.host, end.subnet, end.problem = \
            text, address, host, host.subnet, down_problem(host.obj)
        return end
    vpc = dp.vpc_at(address)
    if address.is_multicast or address == LIMITED_BROADCAST:
        return End(text, "multicast" if address.is_multicast else "broadcast", address,
                   vpc=vpc.name if vpc is not None else None)
    if vpc is not None:
        subnet = dp.subnet_at(vpc.name, address)
        if subnet is not None and address.version == 4 \
                and address == subnet.cidr.net.broadcast_address:
            return End(text, "broadcast", address, None, None, subnet, vpc.name)
        return End(text, "address", address, None, None, subnet, vpc.name, None, False,
                   (32768, 60999))
    site = dp.site_at(address)
    if site is not None:
        return End(text, "site", address, site, ephemeral=ephemeral_range(site))
    if address.version == 6 and address not in GLOBAL_UNICAST and address not in NAT64_PREFIX:
        return End(text, "address", address)     # no internet host outside 2000::/3
    if not any(address.version == net.version and address in net for net in _PRIVATE_NETS):
        return End(text, "internet", address)    # public, or documentation ranges
    return End(text, "address", address)


def _no_ipv6(obj, subnet) -> tuple:
    """The `End.problem` of an end that has no IPv6 address in an IPv6 flow."""
    from ..model.network import kind_of
    if isinstance(obj, ast.Subnet):
        why = f"subnet '{obj.name}' has no IPv6 block"
    elif isinstance(obj, (ast.Instance,)):
        why = f"'{obj.name}' has no IPv6 address: its subnet '{subnet.name}' has no IPv6 block"
    else:
        why = f"{_word(obj)} '{obj.name}' has no IPv6 address in this model"
    return ("route", f"{kind_of(obj)}:{obj.name}", why + ", so it has no part in an IPv6 flow",
            subnet.span if subnet is not None else obj.span)


def _did_you_mean(model, text: str) -> str | None:
    from ..checks.names import close_matches, did_you_mean
    close = close_matches(text, [*model.objects, "internet", *SERVICES])
    return did_you_mean(close) if close else None      # every name tied for closest, not one at random


def site_probe(net, which: str = "first prefix"):
    """The address that stands for a site written by name, and how it was chosen: the
    network address + 10 of its first prefix of the flow's family, ``which`` in words (a
    host on the site's LAN, clear of a router on the first addresses*), or its first host
    when the prefix is smaller.

    >>> import ipaddress
    >>> site_probe(ipaddress.ip_network("192.168.0.0/16"))
    (IPv4Address('192.168.0.10'), 'address 192.168.0.0 + 10 of its first prefix 192.168.0.0/16')
    >>> site_probe(ipaddress.ip_network("198.51.100.8/29"))[1]
    'the first host of its first prefix 198.51.100.8/29'
    """
    if net.num_addresses > 11:
        return net.network_address + 10, f"address {net.network_address} + 10 of its {which} {net}"
    if net.num_addresses > 1:
        return net.network_address + 1, f"the first host of its {which} {net}"
    return net.network_address, f"the one address of its {which} {net}"
