"""The hop handler interface: what a handler gets from the walk and what it owes back.

One handler per component kind (`vpcdsl.flows.hops.HANDLERS`, keyed by AST
class) takes the packet on where a route sends it (`forward`), where a flow
starts outside every VPC (`start`), where a site's link brings it (`from_site`)
or where it is the destination (`receive`), and records a `ReturnObligation`
for the response; the walk settles each obligation by the handler it names.

For the symbolic engine (a later issue), each handler gets a set-valued
`transfer(walk, target, leaving, packets)` beside its concrete `forward`, in
the same class and so the same `HANDLERS` entry. Where `forward` blocks or goes
on for one packet, `transfer` splits the set by the same conditions and returns
[(subset, outcome)], an outcome being an `Onward`, a delivery or a block (kind,
component, span as `Walk.block` takes them). It records the same
`ReturnObligation` types for the subsets that pass, and each gets a set-valued
`settle` beside the concrete one in `settles`. Handlers therefore touch the
walk only through `Walk`, so a symbolic walk can implement the same protocol.
Nothing of it is implemented here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar, Mapping, NoReturn, Protocol

from ...syntax import ast
from ..dataplane import DataPlane, RouteEntry
from ..flow import End, FlowError, Hop, NotSimulated, Packet, Trace, _word


@dataclass(frozen=True)
class Internet:
    """The internet as a component kind: no model writes it, so it has no AST class."""


@dataclass(frozen=True)
class Leaving:
    """A route of ``subnet``'s route table (in VPC ``vpc``) sends the packet to a target."""

    subnet: ast.Subnet
    vpc: str
    route: RouteEntry


@dataclass(frozen=True)
class Onward:
    """The walk goes on from ``subnet``'s route table in VPC ``vpc``."""

    subnet: ast.Subnet
    vpc: str


@dataclass(frozen=True)
class ReturnObligation:
    """What the response needs on its way back past a component, checked after delivery.

    `settled_by` is the `HANDLERS` key of the handler that settles it.
    """

    settled_by: ClassVar[type]


@dataclass(frozen=True)
class LeavingSubnet(ReturnObligation):
    """An obligation of the subnet the response leaves (its route table must send the
    response on): the walk settles it right after that subnet's outbound NACL sees the
    response, before the next NACL, so the return hops follow the packet."""

    subnet: ast.Subnet


class Ends(Protocol):
    """The tracer's end resolution, which handlers use for a leg's new end."""

    def end(self, text: str, *, other_v6: bool = False, family: int | None = None,
            near: str | None = None) -> End: ...

    def address_end(self, text: str, address) -> End: ...


class Walk(Protocol):
    """The walk as handlers see it: its state and its steps (`vpcdsl.flows.trace`)."""

    tracer: Ends
    model: Any
    dp: DataPlane
    src: End
    dst: End                         # a NAT instance's port forward replaces it
    protocol: str
    port: str
    port_value: int | None
    number: int | None               # IP protocol number
    icmp: int | None
    packet: Packet                   # as it is now; handlers that translate replace it
    translated: bool                 # the source address is no longer the client's own
    src_public: bool
    public_name: str | None          # after a NAT: the NAT whose Elastic IP the IGW maps to
    client_ports: tuple[int, int]
    via_peering: ast.Peering | None
    via_tgw: ast.TransitGateway | None
    forwarded_by: ast.Instance | None    # a middlebox appliance forwarded the packet
    via_internet: bool               # it entered its VPC from the internet (an IGW let it in)
    tgw_pending: list[ast.TransitGateway]
    hops: list[Hop]
    back: list[Hop]
    obligations: list[ReturnObligation]
    depth: int

    def hop(self, component: str, kind: str, action: str, detail: str, span=None,
            back: bool = False) -> None: ...

    def block(self, component: str, kind: str, reason: str, span=None,
              back: bool = False, partial: bool = False) -> NoReturn: ...

    def handler(self, component) -> HopHandler: ...

    def leg(self, src: End, dst: End, protocol: str, port: str) -> Walk: ...

    def run(self, flow: str) -> Trace: ...

    def current_src_address(self): ...

    def filter_src(self): ...

    def public_ranges(self, label: str): ...

    def dst_words(self) -> str: ...

    def flow_family(self) -> int: ...

    def cross(self, left: ast.Subnet | None, entered: ast.Subnet | None) -> None: ...

    def cross_back_only(self, subnet: ast.Subnet) -> None: ...

    def arrive(self, subnet: ast.Subnet, vpc: str) -> None: ...

    def delivered(self, end: End) -> None: ...

    def route_from(self, subnet: ast.Subnet, vpc: str) -> None: ...

    def answers_from(self, subnet: ast.Subnet | None) -> None: ...

    def route_back(self, subnet, address, via, why, check=None) -> None: ...

    def _nacl(self, subnet: ast.Subnet, direction: str, peer_address, port: int | None) -> None: ...

    def _nacl_range(self, subnet: ast.Subnet, direction: str, peer_address, ports) -> None: ...

    def _sg_egress(self, end: End) -> None: ...

    def _sg_ingress(self, end: End) -> None: ...

    def _sg_check(self, end: End, direction: str, peer_address, peer: End | None) -> None: ...


class HopHandler:
    """A component kind's steps. Subclasses set `components` and override what applies."""

    components: ClassVar[tuple[type, ...]] = ()
    # The obligations it settles, each with the function that checks it: (walk, obligation).
    settles: ClassVar[Mapping[type[ReturnObligation], Callable[[Walk, Any], None]]] = {}

    def forward(self, walk: Walk, target, leaving: Leaving) -> Onward | None:
        """A route sends the packet to ``target``: where the walk goes on, or None (it ended)."""
        raise NotSimulated(f"flows through {_word(target)} '{target.name}' are not simulated yet")

    def start(self, walk: Walk) -> None:
        """A flow whose source is this component, outside every VPC."""
        raise FlowError(f"'{walk.src.text}' cannot start a flow")

    def from_site(self, walk: Walk, gateway, link) -> None:
        """A site's VPN or Direct Connect ``link`` brings the request to ``gateway``."""
        raise NotSimulated(f"flows from a site through {_word(gateway)} '{gateway.name}' are not "
                           "simulated yet")

    def receive(self, walk: Walk, end: End) -> bool:
        """The request reached ``end`` of this kind: True if the handler took it on from here."""
        return False

    def settle(self, walk: Walk, obligation: ReturnObligation) -> None:
        self.settles[type(obligation)](walk, obligation)
