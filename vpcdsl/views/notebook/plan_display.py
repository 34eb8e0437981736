"""HTML for an address-space plan (`vpcdsl.analysis.plan.Plan`): the sizing formula, then
per VPC a table of its blocks, each block's address map (subnets and free CIDRs in
address order) and where a new subnet fits. Escaped and deterministic as
`vpcdsl.views.notebook.html_display` is; a long address map is cut with a count.
"""

from __future__ import annotations

from .html_display import html_table, text, wrap

__all__ = ["plan_html", "MAP_ROWS"]

# Rows of one block's address map shown inline; `vpcdsl plan` prints them all.
MAP_ROWS = 200


def _code(value) -> str:
    return f"<code>{text(value)}</code>"


def plan_html(plan) -> str:
    parts = []
    sizing = plan.sizing
    if sizing is not None:
        parts.append(f"<p><b>new subnet</b>: {_code(sizing.formula)}"
                     + (f'<br><span class="muted">{text(sizing.note)}</span>' if sizing.note else "")
                     + "</p>")
    if not plan.vpcs:
        parts.append(f"<p>{text(plan.path)}: no VPC to plan</p>")
    for vpc in plan.vpcs:
        parts.append(_vpc_html(vpc, sizing))
    return wrap("".join(parts))


def _vpc_html(v, sizing) -> str:
    head = f"<p><b>vpc {text(v.name)}</b> ({text(v.region)})"
    if v.ipv4:
        largest = v.largest_free
        free = sum(len(b.free) for b in v.ipv4)
        head += (f" · IPv4 {v.utilisation:.2f}% used: {v.allocated:,} of {v.total:,} addresses in subnets, "
                 f"{v.total - v.allocated:,} free in {free:,} block{'' if free == 1 else 's'}"
                 + (f", largest {_code(largest)}" if largest is not None else ""))
    parts = [head + "</p>"]
    rows = [[_code(b.cidr), text(b.role), str(len(b.subnets)), text(b.usage), f"{b.utilisation:.2f}%",
             str(len(b.free)), _code(b.largest_free) if b.free else "full"] for b in v.blocks]
    if rows:
        parts.append(html_table(["block", "role", "subnets", "allocated", "used", "free blocks", "largest free"],
                            rows))
    for b in v.blocks:
        parts.append(_map_html(b))
    if sizing is not None and sizing.subnet is not None and v.fits:
        parts.append(_fits_html(v, sizing.subnet))
    return "".join(parts)


def _map_html(block) -> str:
    rows = []
    all_rows = block.rows()
    for net, s in all_rows[:MAP_ROWS]:
        if s is None:
            rows.append([_code(net), '<span class="muted">free</span>', "", ""])
            continue
        usable = "" if s.usable is None else f"{s.usable:,}"
        mark = ' <span class="muted">(allocated)</span>' if s.allocated else ""
        rows.append([_code(net), text(s.name) + mark, text(s.zone or "?"), usable])
    more = len(all_rows) - MAP_ROWS
    tail = (f'<p class="muted">… and {more:,} more rows (<code>vpcdsl plan</code> prints them all)</p>'
            if more > 0 else "")
    return (f"<p>{_code(block.cidr)} {text(block.role)}</p>"
            + html_table(["CIDR", "subnet", "AZ", "usable"], rows) + tail)


def _fits_html(v, prefix: int) -> str:
    six = any(f.ipv6 is not None for f in v.fits)
    rows = []
    for fit in v.fits:
        if fit.cidr is not None:
            said = _code(fit.cidr)
        elif fit.largest_free is not None:
            said = f'<span class="blocked">no room</span> (largest free block {_code(fit.largest_free)})'
        else:
            said = '<span class="blocked">no room</span> (no free address left)'
        row = [text(fit.zone) if fit.zone else "<b>VPC</b>", said]
        if six:
            row.append(_code(fit.ipv6) if fit.ipv6 is not None else "—")
        rows.append(row)
    head = ["AZ", f"new /{prefix}"] + (["IPv6 /64"] if six else [])
    return (f"<p>where a new /{prefix} fits (one per AZ, in turn; then the VPC's first free block)</p>"
            + html_table(head, rows))
