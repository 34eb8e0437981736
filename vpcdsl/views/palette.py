"""The diagrams' colours (AWS architecture-diagram colours) and font."""

from __future__ import annotations

REGION_LINE = "#879196"
VPC_LINE = "#248814"
AZ_LINE = "#147EBA"
PUBLIC_FILL, PUBLIC_LINE = "#E9F3E6", "#7AA116"
PRIVATE_FILL, PRIVATE_LINE = "#E6F2F8", "#147EBA"
NETWORK = "#8C4FFF"        # gateways, TGW, peering, load balancers, endpoints
NETWORK_FILL = "#F4EFFF"
COMPUTE, COMPUTE_FILL = "#ED7100", "#FDF1E6"
SERVICE_FILL = "#FFF5E6"
SITE, SITE_FILL = "#545B64", "#F2F3F3"
INK = "#232F3E"
VPN = "#2E73B8"
DX = "#ED7100"
TGW = "#C7158A"            # transit gateway attachments (peering keeps NETWORK)
ROUTE = "#545B64"
TRACE_FORWARD = "#0972D3"
TRACE_RETURN = "#037F0C"
BLOCKED = "#D91515"
# One colour per overlaid flow when several are drawn (one flow: TRACE_FORWARD
# and TRACE_RETURN); far from the base drawing's colours and from each other.
FLOW_COLOURS = ("#0972D3", "#00897B", "#B8860B", "#6D4C41", "#263238", "#827717")

FONT = "Helvetica"
