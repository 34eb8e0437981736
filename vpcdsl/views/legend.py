"""The legend of a diagram: only the marks the drawing uses (`Scene.used`).

A trace overlay's marks (request, response, blocked, the flows' colours) are
explained in its step table beside the drawing (`vpcdsl.views.overlay_dot`):
the legend is part of the drawing's layout, which an overlay never changes.
"""

from __future__ import annotations

from .labels import html_table, table_row
from .palette import (AZ_LINE, COMPUTE, COMPUTE_FILL, DX, NETWORK, NETWORK_FILL, PRIVATE_FILL,
                      PRIVATE_LINE, PUBLIC_FILL, PUBLIC_LINE, REGION_LINE, ROUTE, SERVICE_FILL, SITE, SITE_FILL,
                      TGW, VPC_LINE, VPN)
from .scene import Scene

__all__ = ["legend"]


def legend(scene: Scene) -> None:
    entries = [
        ("region", "Region", f'<FONT COLOR="{REGION_LINE}">┄┄┄</FONT>'),
        ("vpc", "VPC", f'<FONT COLOR="{VPC_LINE}"><B>━━━</B></FONT>'),
        ("az", "Availability Zone", f'<FONT COLOR="{AZ_LINE}">┄┄┄</FONT>'),
        ("public", "public subnet (route to an IGW)", None),
        ("private", "private subnet", None),
        ("collapsed", "subnets of one AZ, counted", None),
        ("gateway", "gateway, NAT, transit gateway", None),
        ("lb", "load balancer, endpoint, CloudFront", None),
        ("instance", "EC2 instance", None),
        ("site", "on-premises site", None),
        ("service", "AWS service", None),
        ("instances", "instances in the subnet, counted", f'<FONT COLOR="{COMPUTE}">▣</FONT>'),
        ("peering", "VPC peering (double line)", f'<FONT COLOR="{NETWORK}"><B>═══</B></FONT>'),
        ("tgw", "transit gateway attachment (solid)", f'<FONT COLOR="{TGW}"><B>━━━</B></FONT>'),
        ("vpn", "Site-to-Site VPN (dashed)", f'<FONT COLOR="{VPN}"><B>╍╍╍</B></FONT>'),
        ("dx", "Direct Connect (dotted)", f'<FONT COLOR="{DX}"><B>┅┅┅</B></FONT>'),
        ("span", "LB / endpoint in a subnet", f'<FONT COLOR="{NETWORK}">╌╌╌</FONT>'),
        ("target", "load balancer target", f'<FONT COLOR="{NETWORK}">──▸</FONT>'),
        ("route", "route (prefixes)", f'<FONT COLOR="{ROUTE}">──▸</FONT>'),
        ("alias", "DNS alias / private zone", f'<FONT COLOR="{ROUTE}">┈┈▸</FONT>'),
    ]
    fills = {"public": (PUBLIC_FILL, PUBLIC_LINE), "private": (PRIVATE_FILL, PRIVATE_LINE),
             "collapsed": (SITE_FILL, AZ_LINE), "gateway": (NETWORK, NETWORK),
             "lb": (NETWORK_FILL, NETWORK), "instance": (COMPUTE_FILL, COMPUTE),
             "site": (SITE_FILL, SITE), "service": (SERVICE_FILL, COMPUTE)}
    if scene.used & {"endpoint", "cdn"}:
        scene.used.add("lb")
    rows = [table_row("<B>Legend</B>", colspan=2)]
    for key, words, sample in entries:
        if key not in scene.used:
            continue
        if sample is None:
            fill, line = fills[key]
            cell = f'<TD BGCOLOR="{fill}" BORDER="1" COLOR="{line}" WIDTH="28"> </TD>'
        else:
            cell = f'<TD>{sample}</TD>'
        rows.append(f'<TR>{cell}<TD ALIGN="LEFT"><FONT POINT-SIZE="9">{words}</FONT></TD></TR>')
    if len(rows) == 1:
        return
    scene.node(scene.root, "legend", html_table(rows, color=REGION_LINE, style="ROUNDED"), shape="plain")
    for region_rows in scene.rows.values():     # below each region's last row, pulling nothing
        for name in region_rows[-1]:
            scene.layout.append((scene.vpc_bottom[name], "legend", "0"))
