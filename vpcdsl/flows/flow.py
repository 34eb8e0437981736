"""What a trace is made of: the flow's packets, hops, ends and verdict.

`Packet`, `Hop`, `Trace` and `End`, the errors a flow can raise (`FlowError`,
`NotSimulated`) and the few helpers the walk's modules share. `vpcdsl.flows.trace`
re-exports the public ones; it and the hop handlers (`vpcdsl.flows.hops`) import
them from here, so no handler imports `vpcdsl.flows.trace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import ip_address, ip_network
from typing import Any

from ..span import Span
from ..syntax import ast
from .dataplane import Host

# Representative addresses for ends the model does not place (documented in
# docs/LANGUAGE.md): an internet host, and where a site host is shown.
INTERNET_V4 = ip_address("198.51.100.1")
INTERNET_V6 = ip_address("2001:db8::1")


class FlowError(ValueError):
    """A flow that cannot be traced as written (unknown end, bad protocol)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class NotSimulated(FlowError):
    """A flow through something the engine does not simulate yet (say which)."""


@dataclass(frozen=True, slots=True)
class Packet:
    src: str
    dst: str
    protocol: str
    port: str            # destination port(s) or ICMP type, as text ("443", "32768-60999", "")

    def __str__(self) -> str:
        port = f" {self.port}" if self.port else ""
        return f"{self.src} -> {self.dst} {self.protocol}{port}"

    def to_dict(self) -> dict:
        return {"src": self.src, "dst": self.dst, "protocol": self.protocol, "port": self.port}


@dataclass(frozen=True, slots=True)
class Hop:
    component: str       # node id: `sg:web`, `nacl:db`, `route-table:private`, `igw:prod-igw`
    kind: str            # sg nacl route peering gateway endpoint lb host internet service
    action: str          # allow deny forward translate deliver drop, resolve (private DNS),
                         # skip (an LB target that is unreachable; the next one is tried)
    detail: str          # what happened, in words
    packet: Packet       # the packet as it left this hop
    span: Span | None    # the rule or route that decided

    def to_dict(self) -> dict:
        span = self.span
        real = span is not None and span.line > 0
        return {"component": self.component, "kind": self.kind, "action": self.action,
                "detail": self.detail, "packet": self.packet.to_dict(),
                "file": span.file if real else None, "line": span.line if real else None,
                "col": span.col if real else None}


@dataclass(frozen=True)
class Trace:
    flow: str
    verdict: str                     # allowed | blocked
    kind: str | None                 # the blocking component's kind
    component: str | None            # its node id
    reason: str
    forward: tuple[Hop, ...]
    back: tuple[Hop, ...]
    span: Span | None = None         # the deciding rule or route of a blocked flow
    hint: str | None = None          # what the verdict rests on that the flow did not say
    # Blocked for only some of the client's ports or some LB targets: connections work
    # or fail by the port or target picked (`reach` shows such flows as intermittent).
    intermittent: bool = False
    # The model it was traced in, for drawing it (rich display); not part of its value.
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def allowed(self) -> bool:
        return self.verdict == "allowed"

    @property
    def status(self) -> str:
        """The answer as reach rows and exposure findings word it: allowed, intermittent
        (the request arrives, some client ports' responses do not return) or blocked."""
        return "allowed" if self.allowed else "intermittent" if self.intermittent else "blocked"

    def to_dict(self) -> dict:
        out = {"version": 1, "flow": self.flow, "verdict": self.verdict, "kind": self.kind,
               "component": self.component, "reason": self.reason}
        if self.hint is not None:
            out["hint"] = self.hint
        if self.intermittent:
            out["intermittent"] = True
        out["forward"] = [h.to_dict() for h in self.forward]
        out["return"] = [h.to_dict() for h in self.back]
        return out

    def table(self) -> str:
        """The hop table `vpcdsl trace` prints."""
        lines = [f"flow: {self.flow}",
                 f"verdict: {self.verdict.upper()}" + (f" by {self.kind} ({self.component})" if self.kind else ""),
                 f"reason: {self.reason}"]
        if self.hint is not None:
            lines.append(f"hint: {self.hint}")
        for title, hops in (("forward", self.forward), ("return", self.back)):
            if not hops:
                continue
            lines.append("")
            lines.append(f"{title}:")
            width = max(len(h.component) for h in hops)
            for i, h in enumerate(hops, 1):
                where = f"  [{h.span.file}:{h.span.line}]" if h.span is not None and h.span.line > 0 else ""
                lines.append(f"  {i:>2}. {h.component:<{width}}  {h.action:<9} {h.detail}{where}")
                lines.append(f"      {'':<{width}}  {'':<9} packet {h.packet}")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(self.table())

    def _repr_html_(self) -> str:  # Jupyter: the hop table and the highlighted drawing
        from ..views.notebook.rich import trace_repr_html
        return trace_repr_html(self)


# ---------------------------------------------------------------------------- ends

@dataclass
class End:
    """A resolved flow end (LANGUAGE.md §4)."""

    text: str
    kind: str                        # instance subnet internet service address nat ... site vpc
    address: Any = None
    obj: Any = None
    host: Host | None = None
    subnet: ast.Subnet | None = None
    vpc: str | None = None
    sgs: tuple | None = None         # None: no security group (probe, internet, NAT gateway)
    public: bool = False             # has a public IPv4 (public IP, EIP)
    ephemeral: tuple[int, int] = (1024, 65535)
    note: tuple | None = None        # (component, kind, detail, span): how the end was resolved
    probe: str | None = None         # how the address standing for a named site was chosen
    problem: tuple | None = None     # (kind, component, reason, span): no flow can start or end here


def _word(obj) -> str:
    from ..model.network import KIND_WORDS, kind_of
    return KIND_WORDS[kind_of(obj)]


def parse_address(text):
    """The address ``text`` names (a network: its first address), or None."""
    if text is None:
        return None
    return _parsed(str(text))


# A walk reads its packet's addresses back from text several times per hop, and questions of
# many flows (reach, exposure, matrix) repeat the same few texts: parse each once. Addresses
# are immutable, so sharing them is safe; the bound keeps a long session's memory flat.
@lru_cache(maxsize=1 << 16)
def _parsed(text: str):
    try:
        return ip_address(text)
    except ValueError:
        try:
            return ip_network(text).network_address if "/" in text else None
        except ValueError:
            return None


def public_label(name: str) -> str:
    """How a packet shows the public address AWS maps to ``name`` (an IGW's or NAT's)."""
    return f"public-ip({name})"


def is_public_label(text) -> bool:
    """Whether a packet's address text is a `public_label` (an address vpcdsl does not invent)."""
    return str(text).startswith("public-ip(")


def routed_address(end: End):
    """The address a route table or transit gateway looks up for ``end``: its own; for an AWS
    service or a `public-ip(NAME)` end, whose address vpcdsl does not know, that of any
    public host (INTERNET_V4; LANGUAGE.md, tracing conventions)."""
    return INTERNET_V4 if end.kind in ("service", "public-ip") else end.address


def with_src(packet: Packet, src: str) -> Packet:
    return Packet(src, packet.dst, packet.protocol, packet.port)


def with_dst(packet: Packet, dst: str) -> Packet:
    return Packet(packet.src, dst, packet.protocol, packet.port)


def node_id(end: End) -> str:
    """The graph node id of a flow end."""
    if end.kind in ("internet",):
        return "internet"
    if end.kind == "service":
        return f"service:{end.text}"
    if end.kind in ("address", "multicast", "broadcast"):
        return f"address:{end.text}"
    if end.kind == "aws-local":
        return f"aws:{end.address}"
    if end.kind == "forwarder":
        from ..model.network import kind_of
        return f"{kind_of(end.obj)}:{end.obj.name}"
    kind = {"interface-endpoint": "interface-endpoint", "nat": "nat"}.get(end.kind, end.kind)
    name = end.obj.name if end.obj is not None else end.text
    return f"{kind}:{name}"
