"""The catalogue of syntax errors vpcdsl explains: a label per mistake, with its message,
its hint and bad snippets that fail in the parser state it stands for
(`vpcdsl.syntax.syntax_errors` matches an error against them), and the keywords that
start a top-level statement."""

# label -> (message, hint, bad snippets that fail in the same parser state).
# Order matters where two labels share a state: the first one wins unless a
# snippet fails on the very same token text. tests/test_syntax_errors.py
# checks that every snippet fails and is classified under its own label.
CATALOGUE: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "az-value": (
        "expected an availability zone after `az`",
        "write the AZ letter (`az a`) or its full name (`az us-east-1a`)",
        ("vpc v {\n subnet s 10.0.0.0/24 az\n}", "vpc v {\n subnet s 10.0.0.0/24 az 10\n}",
         "vpc v {\n subnet s 10.0.0.0/24 az }"),
    ),
    "subnet-address": (
        "expected the subnet's CIDR block, `size /P` or `hosts N` after its name",
        "for example `subnet app-a 10.0.1.0/24 az a` or `subnet app-a size /24 az a`",
        ("vpc v {\n subnet s az a\n}", "vpc v {\n subnet s\n}", "vpc v {\n subnet s 10.0.0.1 az a\n}"),
    ),
    "statement-name": (
        "expected a name for this statement",
        "names start with a letter or `_` and may contain letters, digits, `_` and `-`",
        ("vpc {\n}", "vpc 1x {\n}", "vpc v {\n subnet 10.0.0.0/24 az a\n}", "vpc v {\n igw\n}",
         "vpc v {\n sg {\n }\n}", "vpc v {\n nacl {\n }\n}", "peer 10.0.0.0/16",
         "site 10.0.0.0/8", "vpc v {\n instance in a\n}"),
    ),
    "block-open": (
        "expected `{` to open the block, on the same line as the statement",
        "write the `{` at the end of the statement's line: `vpc prod {`",
        ("vpc v\n{\n}", "vpc v cidr 10.0.0.0/16", "vpc v", "vpc v {\n sg s\n}",
         "vpc v {\n sg s in tcp 80 from 0.0.0.0/0\n}", "vpc v {\n nacl n\n}", "vpc v {\n route-table r\n}",
         "vpc v {\n route-table r for a\n}", "vpc v {\n lb l application in a\n}",
         "tgw t\n", "dxgw d\n", "placement p spread\n", "dns example.com\n",
         "dns example.com {\n www A weighted\n}"),
    ),
    "vpc-item": (
        "this is not something that can be written inside a `vpc` block",
        "a VPC holds cidr, ipv6, subnet, igw, eigw, nat, nat-instance, vgw, route-table, nacl, sg, "
        "instance, endpoint and lb",
        ("vpc v {\n foo bar\n}", "vpc v {\n peer a b -> c\n}", "vpc v {\n 10.0.0.0/16\n}"),
    ),
    "top-level": (
        "expected a statement",
        "a file holds region, vpc, peer, tgw, site, vpn, dxgw, dx, advertise, placement, dns, cdn "
        "and expect statements",
        ("foo bar", "subnet s 10.0.0.0/24 az a", "10.0.0.0/16", "igw x", "}"),
    ),
    "cidr-value": (
        "expected a CIDR block such as 10.0.0.0/16",
        "a CIDR is an address, `/`, and a prefix length",
        ("vpc v {\n cidr\n}", "vpc v {\n cidr 10.0.0.0\n}", "vpc v {\n cidr x\n}"),
    ),
    "route-arrow": (
        "expected `->` and a target after the route's destination",
        "a route is written `DEST -> TARGET`, e.g. `0.0.0.0/0 -> igw`",
        ("vpc v {\n route-table r {\n 0.0.0.0/0 igw\n }\n}", "vpc v {\n route-table r {\n 0.0.0.0/0\n }\n}",
         "vpc v {\n route-table r {\n 0.0.0.0/0 => igw\n }\n}"),
    ),
    "route-target": (
        "expected a route target (a gateway, NAT, peering, VGW, TGW, instance or `blackhole`)",
        None,
        ("vpc v {\n route-table r {\n 0.0.0.0/0 ->\n }\n}",
         "vpc v {\n route-table r {\n 0.0.0.0/0 -> 10.0.0.1\n }\n}"),
    ),
    "route-item": (
        "expected a route (`DEST -> TARGET`) or `propagate VGW`",
        None,
        ("vpc v {\n route-table r {\n -> x\n }\n}",
         "vpc v {\n route-table r {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-rule-number": (
        "expected a rule number after `in`/`out` in a network ACL",
        "NACL rules are `in NUMBER allow|deny PROTO [PORTS] from CIDR`",
        ("vpc v {\n nacl n {\n in allow tcp 80 from 0.0.0.0/0\n }\n}", "vpc v {\n nacl n {\n out\n }\n}"),
    ),
    "nacl-action": (
        "expected `allow` or `deny` after the rule number",
        None,
        ("vpc v {\n nacl n {\n in 100 tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 permit tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "nacl-source": (
        "expected the CIDR block (or `any`) the NACL rule applies to",
        "a NACL names addresses, not security groups: `in 100 allow tcp 443 from 10.0.0.0/16`",
        ("vpc v {\n nacl n {\n in 100 allow tcp 80 from web\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow tcp 80 from\n }\n}"),
    ),
    "nacl-item": (
        "expected a NACL rule (`in NUMBER allow|deny ...` or `out NUMBER allow|deny ...`)",
        None,
        ("vpc v {\n nacl n {\n allow tcp 80\n }\n}", "vpc v {\n nacl n {\n 100 allow\n }\n}"),
    ),
    "protocol": (
        "expected a protocol: tcp, udp, icmp, icmpv6, any or an IP protocol number",
        None,
        ("vpc v {\n sg s {\n in from 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n in http 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow from 0.0.0.0/0\n }\n}"),
    ),
    "rule-direction": (
        "an `in` rule takes `from SOURCE` and an `out` rule `to DEST`",
        "inbound rules name where traffic comes from; outbound rules where it goes",
        ("vpc v {\n nacl n {\n in 100 allow tcp 80 to 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n out 100 allow tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n nacl n {\n in 100 allow tcp 80 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in tcp 80 to 0.0.0.0/0\n }\n}", "vpc v {\n sg s {\n out tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in tcp 80 0.0.0.0/0\n }\n}"),
    ),
    "sg-source": (
        "expected the rule's sources or destinations: CIDR blocks, security groups, prefix lists or `any`",
        None,
        ("vpc v {\n sg s {\n in tcp 80 from\n }\n}", "vpc v {\n sg s {\n out tcp 80 to 10.0.0.1\n }\n}"),
    ),
    "sg-rule-number": (
        "a security group rule has no rule number and no `allow`/`deny`",
        "security groups only allow, and every rule applies: write `in tcp 443 from 0.0.0.0/0`",
        ("vpc v {\n sg s {\n in 100 allow tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n out 100 deny tcp 80 to 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n in allow tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "sg-item": (
        "expected a security group rule (`in ...`, `out ...` or `out none`)",
        "security groups only allow: there is no `deny` and no rule number; use a NACL to deny",
        ("vpc v {\n sg s {\n allow tcp 80\n }\n}", "vpc v {\n sg s {\n deny tcp 80 from 0.0.0.0/0\n }\n}",
         "vpc v {\n sg s {\n 100 in tcp 80 from 0.0.0.0/0\n }\n}"),
    ),
    "instance-subnet": (
        "expected `in SUBNET` after the name",
        "for example `instance web-1 in app-a sg web` or `nat nat-a in public-a`",
        ("vpc v {\n instance i sg x\n}", "vpc v {\n instance i\n}", "vpc v {\n nat n\n}"),
    ),
    "expect-arrow": (
        "expected `->` between the source and destination of the flow",
        "write `expect SRC -> DST [PROTO [PORTS]] allowed|blocked`",
        ("expect a b allowed", "expect a", "expect a - b allowed", "expect a => b allowed"),
    ),
    "public-ip-end": (
        "`public-ip` as a flow end is written `public-ip(NAME)`",
        "NAME is an instance, NAT or internet-facing load balancer, as in "
        "`expect a-1 -> public-ip(b-1) tcp 443 allowed`; an object called `public-ip` cannot be "
        "a flow end: rename it",
        ("expect a -> public-ip b allowed", "expect a -> public-ip allowed",
         "expect public-ip -> b allowed", "expect a -> public-ip() allowed",
         "expect a -> public-ip(10.0.0.1) allowed", "expect a -> public-ip(b allowed",
         "expect a -> public-ip(b c) allowed"),
    ),
    "expect-verdict": (
        "expected `allowed` or `blocked` at the end of the expectation",
        "write `expect SRC -> DST tcp 443 allowed` (or `blocked [by KIND]`)",
        ("expect a -> b tcp 443", "expect a -> b", "expect a -> b tcp 443 denied", "expect a -> b ok",
         "expect a -> b tcp 443 allow"),
    ),
    "expect-by": (
        "expected the kind of component after `by`",
        "the kinds are sg, nacl, route, peering, gateway, endpoint and lb",
        ("expect a -> b blocked by", "expect a -> b blocked by 1"),
    ),
    "ports": (
        "expected a port, a port range (`1024-65535`) or `any`",
        "a range has no spaces: `1024-65535`",
        ("vpc v {\n sg s {\n in tcp - from 0.0.0.0/0\n }\n}",),
    ),
    "list-continuation": (
        "a list ended with a comma",
        "after a trailing comma the list continues with the next item",
        ("vpc v {\n route-table r for a, {\n }\n}", "vpc v {\n instance i in a sg x,\n}"),
    ),
    "block-close": (
        "expected a new line, `;` or `}` here",
        "each statement stands on its own line (or is separated by `;`)",
        ("vpc v { cidr 10.0.0.0/16 cidr 10.1.0.0/16 }", "vpc v {\n igw a b\n}",
         "vpc v {\n subnet s 10.0.0.0/24 az a b\n}"),
    ),
    "dns-record": (
        "expected a record: LABEL TYPE POLICY VALUE, e.g. `www A simple 203.0.113.10`",
        None,
        ("dns example.com {\n www A\n}", "dns example.com {\n www A 1.2.3.4\n}", "dns example.com {\n www\n}"),
    ),
    "dns-zone": (
        "expected a domain name (such as example.com) after `dns`",
        "a zone is two or more labels separated by dots",
        ("dns example {\n}", "dns {\n}"),
    ),
    "weighted-entry": (
        "expected a weighted entry `WEIGHT SETID -> VALUE`",
        None,
        ("dns example.com {\n a A weighted { blue -> 1.2.3.4 }\n}",
         "dns example.com {\n a A weighted { 10 -> 1.2.3.4 }\n}"),
    ),
    "vpn-arrow": (
        "expected `<->` between the two ends of the link",
        "write `vpn NAME SITE <-> VGW bgp` or `dx NAME SITE <-> TARGET vif private`",
        ("vpn v office vgw bgp", "vpn v office -> vgw bgp", "dx d office vgw vif private",
         "dx d office -> vgw vif private"),
    ),
    "vif-type": (
        "expected the VIF type: `private`, `public` or `transit`",
        None,
        ("dx d office <-> vgw vif", "dx d office <-> vgw vif shared", "dx d office <-> vgw private"),
    ),
    "lb-type": (
        "expected the load balancer type: `application`, `network` or `classic`",
        None,
        ("vpc v {\n lb l in a {\n }\n}", "vpc v {\n lb l alb in a {\n }\n}"),
    ),
    "listener": (
        "expected `listen PROTO PORT -> TARGET[:PORT], ...` or `rule PORT CONDITION -> TARGET, ...`",
        "listener protocols are http, https, tcp, udp, tls, tcp_udp and ssl",
        ("vpc v {\n lb l application in a {\n listen 443 -> x\n }\n}",
         "vpc v {\n lb l application in a {\n listen ftp 21 -> x\n }\n}",
         "vpc v {\n lb l application in a {\n x\n }\n}"),
    ),
    "placement-strategy": (
        "expected the placement strategy: `cluster`, `spread` or `partition N`",
        None,
        ("placement p {\n}", "placement p rack {\n}", "placement p partition {\n}"),
    ),
    "region-name": (
        "expected a region name such as us-east-1",
        None,
        ("region", "region 1", "vpc v region {\n}"),
    ),
}

# Statements that only stand at the top of a file: met inside a block at the
# block's indentation, they mean the block's `}` is missing.
TOP_LEVEL_KEYWORDS = frozenset({
    "region", "vpc", "peer", "tgw", "site", "vpn", "dxgw", "dx", "advertise",
    "placement", "dns", "cdn", "expect",
})
