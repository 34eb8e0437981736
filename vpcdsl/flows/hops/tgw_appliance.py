"""Appliance mode: a flow through a stateful appliance in a VPC attached to a transit gateway.

A TGW keeps traffic in the Availability Zone it entered the TGW in (AZ affinity): the request
of A -> TGW -> hub (appliance) -> TGW -> B enters the hub VPC in the AZ of A's sender, and
the response enters it in the AZ of B's answering host. When those AZs differ, the response
reaches the hub at another attachment subnet, whose route table may send it to another
appliance: one that never saw the request, which a stateful appliance drops. With appliance
mode on the hub's attachment the TGW picks one of its network interfaces per flow, for both
directions, so both reach the same appliance. vpcdsl takes the sender's AZ for the request
(the flow hash AWS uses is not modelled) and that same AZ for the response.
https://docs.aws.amazon.com/vpc/latest/tgw/transit-gateway-appliance-scenario.html
https://docs.aws.amazon.com/vpc/latest/tgw/how-transit-gateways-work.html#tgw-az-overview
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import Walk

_WHERE = "AWS Transit Gateway guide, Example: Appliance in a shared services VPC"


@dataclass(frozen=True)
class ApplianceCheck:
    """The request went through appliance ``box`` of the VPC of ``hub`` (a TgwAttach), which
    it entered at attachment subnet ``entered``; ``zone`` gets the AZ the response starts in
    (`zone_answered`)."""

    box: object
    hub: object
    entered: object
    zone: list = field(default_factory=list, compare=False)


def appliance_check(walk: Walk, tgw, vpc: str, here, crossing) -> ApplianceCheck | None:
    """The check for a request that enters ``tgw`` again from VPC ``vpc`` after an appliance
    of that VPC forwarded it, having been handed to ``vpc`` by the same TGW (an earlier
    ``crossing`` obligation of the walk); ``here``: the VPC's attachment (a TgwAttach).
    None for any other crossing."""
    box = walk.forwarded_by
    if box is None or getattr(box, "vpc", None) != vpc or here is None:
        return None
    for ob in reversed(walk.obligations):
        if isinstance(ob, crossing) and ob.handed_to and ob.handed_to[0] == vpc \
                and ob.handed_to[2] is tgw:
            return ApplianceCheck(box, here, ob.handed_to[1])
    return None


def zone_answered(walk: Walk, subnet, crossing) -> None:
    """A device in ``subnet`` answers: the response starts in its AZ."""
    for ob in walk.obligations:
        check = getattr(ob, "appliance", None) if isinstance(ob, crossing) else None
        if check is not None and not check.zone:
            check.zone.append(subnet.zone)


def settle_appliance(walk: Walk, tgw, check: ApplianceCheck, address) -> None:
    """The TGW hands the response to the hub VPC: in the AZ it started in, unless appliance
    mode keeps the request's; a different appliance there drops it."""
    if not check.zone:
        return
    zone, hub, entered, box = check.zone[0], check.hub, check.entered, check.box
    node, name = f"tgw:{tgw.name}", hub.vpc.name
    if hub.attachment.appliance_mode:
        walk.hop(node, "gateway", "forward", f"appliance mode on attachment '{name}': "
                 f"{tgw.name} keeps both directions of the flow in {entered.zone}, so the "
                 f"response enters VPC '{name}' at attachment subnet {entered.name}, as the request "
                 f"did, and returns through '{box.name}'", hub.attachment.span, back=True)
        return
    there = hub.subnet_in(zone) or (hub.subnets[0] if hub.subnets else None)
    if there is None or there is entered:
        return
    table = walk.dp.route_table_of(there)
    entry = table.lookup(address) if table is not None and address is not None else None
    if entry is not None and entry.target is box:
        walk.hop(node, "gateway", "forward", f"without appliance mode {tgw.name} keeps the response "
                 f"in {zone}, where it started: it enters VPC '{name}' at attachment subnet "
                 f"{there.name}, whose route table sends it to '{box.name}' all the same",
                 hub.attachment.span, back=True)
        return
    got = "no route" if entry is None else f"route {entry.text}"
    rt = f"route table '{table.table.name}'" if table is not None else "its route table"
    walk.block(node, "gateway", f"asymmetric path through stateful appliance '{box.name}': without "
               f"appliance mode on attachment '{name}', transit gateway '{tgw.name}' keeps each "
               f"direction in the AZ it started in, so the response (from {zone}) enters VPC "
               f"'{name}' at attachment subnet {there.name}, not at {entered.name} ({entered.zone}) "
               f"where the request entered, and {rt} there has {got} for {address}, not "
               f"'{box.name}': the appliance that gets the response never saw the request and "
               f"drops it (write `attach {name} ... appliance-mode`; {_WHERE})",
               hub.attachment.span, back=True)


__all__ = ["ApplianceCheck", "appliance_check", "settle_appliance", "zone_answered"]
