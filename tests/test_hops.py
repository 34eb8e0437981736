"""The hop handler table is complete (vpcdsl/flows/hops).

Every component kind a route can send a packet to has a handler with a forward
step, every gateway a site's link ends on takes the site's request in, and every
return obligation a handler can record names a handler that settles it.
"""

from __future__ import annotations

import dataclasses

import pytest

from vpcdsl.checks.routing import ROUTE_TARGETS
from vpcdsl.flows.hops import HANDLERS, HopHandler, Internet, ReturnObligation
from vpcdsl.model.graph_edges import _TGW_ROUTE_TARGETS
from vpcdsl.model.network import KIND_OF
from vpcdsl.syntax import ast

CLASS_OF = {kind: cls for cls, kind in KIND_OF.items()}


def _overrides(handler: HopHandler, step: str) -> bool:
    return getattr(type(handler), step) is not getattr(HopHandler, step)


def _obligation_types() -> set[type]:
    """Every concrete obligation type: those that name their handler (`LeavingSubnet` is a
    kind of obligation, not one)."""
    found, todo = set(), [ReturnObligation]
    while todo:
        for sub in todo.pop().__subclasses__():
            if hasattr(sub, "settled_by"):
                found.add(sub)
            todo.append(sub)
    return found


@pytest.mark.parametrize("kind", ROUTE_TARGETS)
def test_every_route_target_kind_has_a_forward_step(kind):
    handler = HANDLERS.get(CLASS_OF[kind])
    assert handler is not None, f"no hop handler for route target kind {kind}"
    assert _overrides(handler, "forward"), f"the {kind} handler has no forward step"


@pytest.mark.parametrize("kind", [k for k in _TGW_ROUTE_TARGETS if k != "vpc"])
def test_every_tgw_route_target_to_a_site_has_a_handler(kind):
    # a TGW route to a VPC stays in the TGW's own handler; the others lead over a link
    assert CLASS_OF[kind] in HANDLERS


@pytest.mark.parametrize("gateway", [ast.VirtualPrivateGateway, ast.TransitGateway, ast.Instance,
                                     ast.NatInstance])
def test_every_gateway_a_site_link_ends_on_takes_the_site_in(gateway):
    assert _overrides(HANDLERS[gateway], "from_site")


@pytest.mark.parametrize("outside", [Internet, ast.Site])
def test_flows_from_outside_every_vpc_have_a_start(outside):
    assert _overrides(HANDLERS[outside], "start")


@pytest.mark.parametrize("end", [ast.LoadBalancer, ast.InterfaceEndpoint, ast.NatInstance])
def test_destinations_with_steps_of_their_own_receive_the_request(end):
    assert _overrides(HANDLERS[end], "receive")


def test_every_return_obligation_is_settled_by_the_handler_it_names():
    types = _obligation_types()
    assert len(types) >= 10
    for ob in sorted(types, key=lambda t: t.__name__):
        assert dataclasses.is_dataclass(ob) and ob.__dataclass_params__.frozen, ob
        handler = HANDLERS.get(ob.settled_by)
        assert handler is not None, f"{ob.__name__} names {ob.settled_by}, which has no handler"
        assert ob in handler.settles, f"{type(handler).__name__} does not settle {ob.__name__}"


def test_handlers_settle_only_obligations_that_name_them():
    for component, handler in HANDLERS.items():
        for ob in handler.settles:
            assert HANDLERS[ob.settled_by] is handler, (component, ob)


def test_each_component_class_has_one_handler():
    claimed = [c for h in {id(h): h for h in HANDLERS.values()}.values() for c in h.components]
    assert len(claimed) == len(set(claimed)) == len(HANDLERS)


def test_the_walk_has_everything_its_declared_interface_promises_handlers():
    from pathlib import Path

    import vpcdsl
    from vpcdsl.flows.hops import Walk
    from vpcdsl.flows.trace import Tracer, _Walk

    m = vpcdsl.load(Path(__file__).resolve().parents[1] / "examples" / "three-tier.vpc")
    tracer = Tracer(m)
    walk = _Walk(tracer, tracer.end("internet"), tracer.end("internet"), "tcp", "443")
    declared = set(Walk.__annotations__) | {
        name for name, value in vars(Walk).items() if callable(value) and not name.startswith("__")}
    missing = sorted(name for name in declared if not hasattr(walk, name))
    assert missing == []
    assert {"end", "address_end"} <= set(dir(tracer))
