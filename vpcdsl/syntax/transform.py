"""Tokens to typed nodes: the Lark transformer that builds `vpcdsl.syntax.ast`.

It runs inside the LALR parser (no intermediate tree, which halves memory on
big models), so spans come from the tokens: a node spans its first kept token
to its last. Literals that lex but are not valid (``10.0.0.300/16``, port
70000) become diagnostics here and the node keeps None in their place.
"""

from __future__ import annotations

from lark import Token

from ..diagnostics import error
from . import ast
from .dns_builder import DnsAndExpectationBuilder
from .node_builder import Option, unquote, whole_number

__all__ = ["AstBuilder", "Option"]


class AstBuilder(DnsAndExpectationBuilder):
    """Builds `ast` nodes. Set ``file`` and reset ``diagnostics`` before each parse.

    The helpers (spans, references, literals) are in `vpcdsl.syntax.node_builder`, the
    DNS and expectation rules in `vpcdsl.syntax.dns_builder`; the rest are here."""

    # ------------------------------------------------------------------ top level

    def start(self, items):
        return list(items)

    def region_stmt(self, items):
        return ast.RegionStmt(self._ref(items[0]), self._span(items))

    def peer_stmt(self, items):
        name, a, b = items
        return ast.Peering(str(name), self._ref(a), self._ref(b), self._span(items))

    def site_stmt(self, items):
        cidrs = tuple(self._cidr(t) for t in items[1:] if isinstance(t, Token) and t.type == "CIDR")
        opts = self._options(items)
        return ast.Site(str(items[0]), cidrs, self._opt(opts, "asn"), self._opt(opts, "ephemeral"),
                        self._span(items))

    def asn(self, items):
        return Option("asn", self._int(items[0]), self._tspan(items[0]))

    def ephemeral(self, items):
        return Option("ephemeral", self._ports(items[0]), self._tspan(items[0]))

    def vpn_stmt(self, items):
        name, site, target = items[:3]
        opts = self._options(items)
        routing, static = None, ()
        if "static" in opts:
            routing, static = "static", opts["static"][1]
        if "bgp" in opts:
            routing = "bgp"
        return ast.Vpn(str(name), self._ref(site), self._ref(target), routing, static,
                       self._opt(opts, "over"), self._span(items), down="down" in opts)

    def vpn_bgp(self, items):
        return Option("bgp", True, self._tspan(items[0]))

    def vpn_static(self, items):
        return Option("static", tuple(self._cidr(t) for t in items), self._span(items))

    def vpn_over(self, items):
        return Option("over", self._ref(items[0]), self._tspan(items[0]))

    def link_down(self, items):
        return Option("down", True, self._tspan(items[0]))

    def dx_stmt(self, items):
        name, site, target, vif = items[:4]
        opts = self._options(items)
        return ast.DirectConnect(str(name), self._ref(site), target[1], str(vif),
                                 self._opt(opts, "vlan"), self._opt(opts, "bandwidth"),
                                 self._span(items), down="down" in opts)

    def dx_target(self, items):
        tok = items[0]
        return Option("target", None if tok.type == "AWS" else self._ref(tok), self._tspan(tok))

    def vlan(self, items):
        return Option("vlan", self._int(items[0]), self._tspan(items[0]))

    def bandwidth(self, items):
        return Option("bandwidth", str(items[0]), self._tspan(items[0]))

    def advertise_stmt(self, items):
        opts = self._options(items)
        return ast.Advertise(self._ref(items[0]), self._cidr(items[1]), self._opt(opts, "via"),
                             self._opt(opts, "prepend"), self._opt(opts, "community"),
                             self._span(items), med=self._opt(opts, "med"))

    def via(self, items):
        return Option("via", self._ref(items[0]), self._tspan(items[0]))

    def prepend(self, items):
        return Option("prepend", self._int(items[0]), self._tspan(items[0]))

    def community(self, items):
        return Option("community", str(items[0]), self._tspan(items[0]))

    def med(self, items):
        return Option("med", self._int(items[0]), self._tspan(items[0]))

    def cdn_stmt(self, items):
        name, origin = items[:2]
        opts = self._options(items)
        return ast.Cdn(str(name), self._ref(origin), origin.type == "DOMAIN",
                       self._opt(opts, "policy"), self._opt(opts, "ssl"), self._span(items))

    def origin(self, items):
        return items[0]

    def cdn_policy(self, items):
        return Option("policy", str(items[0]), self._tspan(items[0]))

    def cdn_ssl(self, items):
        return Option("ssl", str(items[0]), self._tspan(items[0]))

    # ------------------------------------------------------------------ transit

    def tgw_stmt(self, items):
        opts = self._options(items)
        attachments = tuple(i for i in items if isinstance(i, ast.TgwAttachment))
        routes = tuple(i for i in items if isinstance(i, ast.TgwRoute))
        tables = tuple(i for i in items if isinstance(i, ast.TgwRouteTable))
        peerings = tuple(i for i in items if isinstance(i, ast.TgwPeering))
        region = items[1] if len(items) > 1 and isinstance(items[1], Token) \
            and items[1].type == "NAME" else None
        vpn_ecmp = any(isinstance(i, Token) and i.type == "VPN_ECMP" for i in items)
        return ast.TransitGateway(str(items[0]), self._opt(opts, "asn"), attachments, routes,
                                  self._span(items), None if region is None else self._ref(region),
                                  vpn_ecmp=vpn_ecmp, route_tables=tables, peerings=peerings,
                                  default_association=self._opt(opts, "default-association", True),
                                  default_propagation=self._opt(opts, "default-propagation", True),
                                  sg_referencing=self._opt(opts, "sg-referencing", False))

    def tgw_attach(self, items):
        flags = {t.type for t in items if isinstance(t, Token) and t.type in ("STATIC_ONLY", "APPLIANCE_MODE")}
        names = [t for t in items if not (isinstance(t, Token) and t.type in ("STATIC_ONLY", "APPLIANCE_MODE"))]
        return ast.TgwAttachment(self._ref(names[0]), tuple(self._ref(t) for t in names[1:]),
                                 "STATIC_ONLY" in flags, self._span(items),
                                 appliance_mode="APPLIANCE_MODE" in flags)

    def tgw_route(self, items):
        return ast.TgwRoute(self._cidr(items[0]), items[1], self._span(items))

    tgw_rt_route = tgw_route

    def tgw_route_table(self, items):
        name = items[0]
        assoc = tuple(r for i in items if isinstance(i, tuple) and i and i[0] == "associate" for r in i[1])
        prop = tuple(r for i in items if isinstance(i, tuple) and i and i[0] == "propagate" for r in i[1])
        routes = tuple(i for i in items if isinstance(i, ast.TgwRoute))
        # An `associate`/`propagate` item is a (word, Refs) pair: it ends at its last Ref.
        ends = [i[1][-1] if isinstance(i, tuple) else i for i in items]
        return ast.TgwRouteTable(str(name), assoc, prop, routes, self._span(ends))

    def tgw_associate(self, items):
        return ("associate", tuple(self._ref(t) for t in items))

    def tgw_propagate(self, items):
        return ("propagate", tuple(self._ref(t) for t in items))

    def tgw_peering(self, items):
        return ast.TgwPeering(str(items[0]), self._ref(items[1]), self._span(items))

    def _tgw_switch(self, key: str, items):
        return Option(key, str(items[0]) == "on", self._tspan(items[0]))

    def tgw_default_association(self, items):
        return self._tgw_switch("default-association", items)

    def tgw_default_propagation(self, items):
        return self._tgw_switch("default-propagation", items)

    def tgw_sg_referencing(self, items):
        return self._tgw_switch("sg-referencing", items)

    def tgw_route_target(self, items):
        return self._route_target(items[0])

    def _route_target(self, tok: Token):
        if tok.type == "BLACKHOLE":
            return ast.Blackhole(self._tspan(tok))
        return self._ref(tok)

    def dxgw_stmt(self, items):
        opts = self._options(items)
        attached = tuple(r for i in items if isinstance(i, tuple) and not isinstance(i, Option)
                         for r in i)
        # An `attach` item is a plain tuple of Refs (no span of its own): end at its last Ref.
        last = attached[-1] if attached else items[-1]
        return ast.DxGateway(str(items[0]), self._opt(opts, "asn"), attached,
                             self._span([items[0], last]))

    def dxgw_attach(self, items):
        return tuple(self._ref(t) for t in items)

    def placement_stmt(self, items):
        name, strategy = items[0], items[1]
        members = tuple(items[2:])
        kind, partitions = strategy[1]
        return ast.PlacementGroup(str(name), kind, partitions, members, self._span(items))

    def strategy(self, items):
        partitions = self._int(items[1]) if len(items) > 1 else None
        return Option("strategy", (str(items[0]), partitions), self._span(items))

    def member(self, items):
        partition = self._int(items[1]) if len(items) > 1 else None
        return ast.PlacementMember(self._ref(items[0]), partition, self._span(items))

    # ------------------------------------------------------------------ VPC

    def vpc_stmt(self, items):
        name = items[0]
        region = None
        rest = items[1:]
        if rest and isinstance(rest[0], Token):
            region, rest = self._ref(rest[0]), rest[1:]
        cidrs = tuple(o[1] for o in rest if isinstance(o, Option) and o[0] == "cidr")
        ipv6 = tuple(o[1] for o in rest if isinstance(o, Option) and o[0] == "ipv6")
        members = tuple(m for m in rest if not isinstance(m, Option))
        for m in members:
            # Finishing nodes this builder made a moment ago and nobody else holds:
            # cheaper than dataclasses.replace, which cost half of resolution.
            object.__setattr__(m, "vpc", str(name))
        return ast.Vpc(str(name), region, cidrs, ipv6, members, self._span(items))

    def vpc_cidr(self, items):
        return Option("cidr", self._cidr(items[0]), self._tspan(items[0]))

    def vpc_ipv6(self, items):
        return Option("ipv6", self._cidr(items[0]), self._tspan(items[0]))

    def subnet(self, items):
        name, addr = items[0], items[1]
        opts = self._options(items[2:])
        cidr = size = hosts = None
        if addr[0] == "cidr":
            cidr = addr[1]
        elif addr[0] == "size":
            size = addr[1]
        else:
            hosts = addr[1]
        return ast.Subnet(str(name), cidr, size, hosts, self._opt(opts, "az"),
                          self._opt(opts, "ipv6"), "public_ip" in opts, self._span(items))

    def subnet_cidr(self, items):
        return Option("cidr", self._cidr(items[0]), self._tspan(items[0]))

    def subnet_size(self, items):
        return Option("size", whole_number(items[0][1:]), self._tspan(items[0]))

    def subnet_hosts(self, items):
        return Option("hosts", self._int(items[0]), self._tspan(items[0]))

    def az(self, items):
        return Option("az", self._ref(items[0]), self._tspan(items[0]))

    def subnet_ipv6(self, items):
        return Option("ipv6", self._cidr(items[0]), self._tspan(items[0]))

    def public_ip(self, items):
        return Option("public_ip", str(items[0]), self._tspan(items[0]))

    def igw(self, items):
        return ast.InternetGateway(str(items[0]), self._span(items))

    def eigw(self, items):
        return ast.EgressOnlyInternetGateway(str(items[0]), self._span(items))

    def nat(self, items):
        return ast.NatGateway(str(items[0]), self._ref(items[1]), len(items) > 2, self._span(items))

    def nat_instance(self, items):
        opts = self._options(items[2:])
        return ast.NatInstance(str(items[0]), self._ref(items[1]), self._opt(opts, "sgs", ()),
                               self._opt(opts, "source_dest_check", True),
                               self._opt(opts, "forwards", ()), self._span(items),
                               down="down" in opts)

    def sgs(self, items):
        return Option("sgs", tuple(self._ref(t) for t in items), self._span(items))

    def subnets(self, items):
        return Option("subnets", tuple(self._ref(t) for t in items), self._span(items))

    def source_dest_check(self, items):
        return Option("source_dest_check", str(items[0]) == "on", self._tspan(items[0]))

    def forwards(self, items):
        return Option("forwards", tuple(items), self._span(items))

    def forward(self, items):
        port, instance, to_port = items
        return ast.PortForward(self._ports(port), self._ref(instance), self._port_number(to_port),
                               self._span(items))

    def vgw(self, items):
        opts = self._options(items)
        return ast.VirtualPrivateGateway(str(items[0]), self._opt(opts, "asn"), self._span(items))

    # route tables
    def route_table(self, items):
        opts = [i for i in items[1:] if isinstance(i, Option)]
        main = any(o[0] == "main" for o in opts)
        subnets = tuple(r for o in opts if o[0] == "for" for r in o[1])
        routes = tuple(i for i in items if isinstance(i, ast.Route))
        props = tuple(o[1] for o in opts if o[0] == "propagate")
        return ast.RouteTable(str(items[0]), main, subnets, routes, props, self._span(items))

    def rt_main(self, items):
        return Option("main", True, self._tspan(items[0]))

    def rt_for(self, items):
        return Option("for", tuple(self._ref(t) for t in items), self._span(items))

    def route(self, items):
        return ast.Route(items[0], items[1], self._span(items))

    def route_dest(self, items):
        tok = items[0]
        return self._cidr(tok) if tok.type == "CIDR" else self._ref(tok)

    def route_target(self, items):
        return self._route_target(items[0])

    def propagate(self, items):
        return Option("propagate", self._ref(items[0]), self._tspan(items[0]))

    # NACLs and SGs
    def nacl(self, items):
        subnets = tuple(self._ref(t) for t in items[1:] if isinstance(t, Token))
        rules = tuple(i for i in items if isinstance(i, ast.NaclRule))
        return ast.Nacl(str(items[0]), subnets, rules, self._span(items))

    def nacl_rule(self, items):
        direction, number, action, proto, addr = items
        return ast.NaclRule(str(direction), whole_number(number), str(action), proto, addr, self._span(items))

    def nacl_addr(self, items):
        tok = items[0]
        return ast.AnyPeer(self._tspan(tok)) if tok.type == "ANY" else self._cidr(tok)

    def sg(self, items):
        rules = tuple(i for i in items[1:] if isinstance(i, ast.SgRule))
        egress_none = any(isinstance(i, Option) for i in items[1:])
        return ast.SecurityGroup(str(items[0]), rules, egress_none, self._span(items))

    def sg_rule(self, items):
        direction, proto = items[0], items[1]
        return ast.SgRule(str(direction), proto, tuple(items[2:]), self._span(items))

    def sg_out_none(self, items):
        return Option("out_none", True, self._span(items))

    def peer(self, items):
        tok = items[0]
        if tok.type == "ANY":
            return ast.AnyPeer(self._tspan(tok))
        if tok.type == "CIDR":
            return self._cidr(tok)
        return self._ref(tok)

    def proto_spec(self, items):
        proto = items[0]
        name = str(proto)
        span = self._span(items)
        if proto.type == "INT" and not 0 <= whole_number(proto) <= 255:
            self.diagnostics.append(error("E118", f"IP protocol number {name} is outside 0..255",
                                          self._tspan(proto)))
        ports = icmp_type = None
        any_ports = False
        if len(items) > 1:
            arg = items[1]
            portless = name not in ("tcp", "udp", "6", "17")
            if name in ("icmp", "icmpv6", "1", "58") and arg.type in ("INT", "NAME"):
                icmp_type = str(arg)
            elif arg.type == "ANY":
                any_ports = True
            elif arg.type == "NAME":
                self.diagnostics.append(error(
                    "E406", f"'{arg}' names an ICMP type but the protocol is {name}",
                    self._tspan(arg), "ICMP types follow `icmp` or `icmpv6`, e.g. `icmp echo-request`"))
            elif portless:
                self.diagnostics.append(error(
                    "E403", f"protocol {name} has no ports", self._tspan(arg),
                    "ports are written only after tcp or udp; remove them"))
            else:
                ports = self._ports(arg)
        return ast.Protocol(name, ports, icmp_type, span, any_ports)

    # instances, endpoints
    def instance(self, items):
        opts = self._options(items[2:])
        return ast.Instance(
            str(items[0]), self._ref(items[1]), self._opt(opts, "sgs", ()), self._opt(opts, "ip"),
            self._opt(opts, "public_ip", "none"), self._opt(opts, "os"),
            self._opt(opts, "ephemeral"), self._opt(opts, "type"), self._opt(opts, "network", "ena"),
            self._opt(opts, "source_dest_check", True), self._opt(opts, "tenancy", "default"),
            self._span(items), down="down" in opts)

    def ip(self, items):
        return Option("ip", self._addr(items[0]), self._tspan(items[0]))

    def os(self, items):
        return Option("os", str(items[0]), self._tspan(items[0]))

    def instance_type(self, items):
        return Option("type", str(items[0]), self._tspan(items[0]))

    def network(self, items):
        return Option("network", str(items[0]), self._tspan(items[0]))

    def tenancy(self, items):
        return Option("tenancy", str(items[0]), self._tspan(items[0]))

    def instance_down(self, items):
        return Option("down", True, self._tspan(items[0]))

    def gateway_endpoint(self, items):
        name, _kw, service = items[:3]
        return ast.GatewayEndpoint(str(name), self._ref(service),
                                   tuple(self._ref(t) for t in items[3:]), self._span(items))

    def interface_endpoint(self, items):
        name, _kw, service = items[:3]
        opts = [o for o in items[3:] if isinstance(o, Option)]
        subnets = tuple(r for o in opts if o[0] == "subnets" for r in o[1])
        sgs = tuple(r for o in opts if o[0] == "sgs" for r in o[1])
        private_dns = any(o[0] == "private_dns" for o in opts)
        return ast.InterfaceEndpoint(str(name), self._ref(service), subnets, sgs, private_dns,
                                     self._span(items))

    def private_dns(self, items):
        return Option("private_dns", True, self._tspan(items[0]))

    # load balancers
    def lb(self, items):
        name, kind = items[0], items[1]
        opts = [o for o in items[2:] if isinstance(o, Option)]
        scheme = next((o[1] for o in opts if o[0] == "scheme"), "internet-facing")
        subnets = tuple(r for o in opts if o[0] == "subnets" for r in o[1])
        sgs = tuple(r for o in opts if o[0] == "sgs" for r in o[1])
        listeners = tuple(i for i in items if isinstance(i, ast.Listener))
        rules = tuple(i for i in items if isinstance(i, ast.LbRule))
        return ast.LoadBalancer(str(name), str(kind), scheme, subnets, sgs, listeners, rules,
                                self._span(items))

    def scheme(self, items):
        return Option("scheme", str(items[0]), self._tspan(items[0]))

    def listener(self, items):
        proto, port = items[0], items[1]
        return ast.Listener(str(proto), self._port_number(port), tuple(items[2:]), self._span(items))

    def lb_rule(self, items):
        port, cond = items[0], items[1]
        kind, (key, value) = cond[0], cond[1]
        return ast.LbRule(self._port_number(port), kind, key, value, tuple(items[2:]), self._span(items))

    def cond_path(self, items):
        return Option("path", (None, str(items[0])), self._span(items))

    def cond_host(self, items):
        return Option("host", (None, str(items[0])), self._span(items))

    def cond_header(self, items):
        value = str(items[1])
        if items[1].type == "STRING":
            value = unquote(value)
        return Option("header", (str(items[0]), value), self._span(items))

    def cond_method(self, items):
        return Option("method", (None, str(items[0])), self._span(items))

    def cond_query(self, items):
        key, _, value = str(items[0]).partition("=")
        return Option("query", (key, value), self._span(items))

    def cond_source_ip(self, items):
        cidr = self._cidr(items[0])
        return Option("source-ip", (None, cidr.text), self._span(items))

    def target(self, items):
        down = items[-1].type == "DOWN"
        tok = items[0]
        rest = items[1:-1] if down else items[1:]
        port = self._port_number(rest[0]) if rest else None
        ref = self._ref(tok) if tok.type == "NAME" else self._addr(tok)
        return ast.Target(ref, port, self._span(items), down)
