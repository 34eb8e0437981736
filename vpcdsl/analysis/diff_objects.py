"""The structural half of `vpcdsl diff`: which objects two models add, remove, rename and
change, by kind and name, each change with the lines it stands on in OLD and NEW.

Objects are compared as the resolved data `Model.to_dict` gives, spans left out (a
line moved is no change). Lists inside an object are compared as what they are: security
group rules, subnets, security groups and CIDRs as sets (their order means nothing);
network ACL rules by direction and rule number (the order AWS evaluates them in); routes
by destination; every other list by its items. An item is shown as it is written in the
source (`in tcp 22 from 0.0.0.0/0`).
"""

from __future__ import annotations

import dataclasses
import json
import weakref
from dataclasses import dataclass
from typing import Iterator

from ..model.network import KIND_OF, to_data
from ..span import Span
from ..syntax import ast

__all__ = ["Detail", "ObjectChange", "object_changes", "model_shape", "object_shape", "shape_key", "inventory",
           "span_text", "short_file"]

# The order kinds are listed in: the model's own, from the VPC outwards.
KIND_ORDER = ("vpc", "subnet", "igw", "eigw", "nat", "nat-instance", "vgw", "route-table", "nacl", "sg",
              "instance", "gateway-endpoint", "interface-endpoint", "lb", "peering", "tgw", "site", "vpn",
              "dxgw", "dx", "advertise", "placement", "cdn", "dns-zone", "health-check", "record", "expect")
CHANGES = ("removed", "renamed", "changed", "added")
_MARK = {"added": "+", "removed": "-", "changed": "~", "renamed": "~"}
# Fields that hold other objects compared on their own, or that say nothing of the network.
_SKIP = {ast.Vpc: ("members",), ast.DnsZone: ("records", "health_checks")}
# Lists whose items are matched by a key, so that a changed item reads as one change.
_KEYED = {(ast.Nacl, "rules"): lambda r: f"{r.direction} {r.number}",
          (ast.RouteTable, "routes"): lambda r: _plain(r.dest),
          (ast.TransitGateway, "routes"): lambda r: _plain(r.cidr),
          (ast.TransitGateway, "attachments"): lambda a: a.vpc.name,
          (ast.TransitGateway, "route_tables"): lambda t: t.name,
          (ast.TransitGateway, "peerings"): lambda p: p.name,
          (ast.LoadBalancer, "listeners"): lambda li: str(li.port)}


@dataclass(frozen=True)
class Detail:
    """One difference inside an object: ``+ in tcp 22 from 0.0.0.0/0``."""

    text: str
    old: Span | None = None
    new: Span | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "old": _where(self.old), "new": _where(self.new)}


@dataclass(frozen=True)
class ObjectChange:
    """An object added, removed, renamed or changed, with where it is written in each model."""

    kind: str
    name: str
    change: str                      # added | removed | renamed | changed
    old: Span | None
    new: Span | None
    details: tuple[Detail, ...] = ()
    old_name: str | None = None      # for a rename

    @property
    def title(self) -> str:
        """``~ sg web``, ``+ instance bastion-1``, ``~ sg web -> sg front (renamed)``."""
        if self.change == "renamed":
            return f"~ {self.kind} {self.old_name} -> {self.name} (renamed)"
        return f"{_MARK[self.change]} {self.kind} {self.name}"

    def lines(self, old_path: str = "", new_path: str = "") -> list[str]:
        """The title with where, then one indented line per detail; files are named from
        the side's path (``three-tier.vpc:36``)."""
        def places(a, b):
            return _places(a, b, old_path, new_path)
        out = [f"{self.title}  {places(self.old, self.new)}".rstrip()]
        out += [f"    {d.text}  {places(d.old, d.new)}".rstrip() for d in self.details]
        return out

    def to_dict(self) -> dict:
        return {"kind": self.kind, "name": self.name, "change": self.change, "old_name": self.old_name,
                "old": _where(self.old), "new": _where(self.new), "details": [d.to_dict() for d in self.details]}


def _where(span: Span | None) -> str | None:
    return f"{span.file}:{span.line}" if span is not None and span.line > 0 else None


def short_file(file: str, base: str) -> str:
    """A file named from its model's path: the bare name of a one-file model, the path
    inside a directory model."""
    if base and file == base:
        return file.replace("\\", "/").rsplit("/", 1)[-1]
    prefix = base.rstrip("/\\") + "/"
    return file[len(prefix):] if base and file.startswith(prefix) else file


def _places(old: Span | None, new: Span | None, old_path: str = "", new_path: str = "") -> str:
    """``[three-tier.vpc:30 -> 31]``: where an item is in OLD and NEW (one side if only one)."""
    a = (short_file(old.file, old_path), old.line) if old is not None and old.line > 0 else None
    b = (short_file(new.file, new_path), new.line) if new is not None and new.line > 0 else None
    if a and b:
        if a == b:
            return f"[{a[0]}:{a[1]}]"
        return f"[{a[0]}:{a[1]} -> {b[1]}]" if a[0] == b[0] else f"[{a[0]}:{a[1]} -> {b[0]}:{b[1]}]"
    one = a or b
    return f"[{one[0]}:{one[1]}]" if one else ""


# ---------------------------------------------------------------------------- inventory

def inventory(model) -> dict[tuple[str, str], object]:
    """Every object of the model by (kind, name), in source order (made once per model: the
    structural diff and `vpcdsl.analysis.diff_scope` both read it)."""
    got = _INVENTORIES.get(model)
    if got is None:
        got = _INVENTORIES[model] = _inventory(model)
    return got


_INVENTORIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _inventory(model) -> dict[tuple[str, str], object]:
    out: dict[tuple[str, str], object] = {}
    for vpc in model.vpcs.values():
        out[("vpc", vpc.name)] = vpc
        for m in vpc.members:
            out[(KIND_OF[type(m)], m.name)] = m
    for table in (model.peerings, model.tgws, model.sites, model.vpns, model.dxgws, model.dxs,
                  model.placements, model.cdns):
        for obj in table.values():
            out[(KIND_OF[type(obj)], obj.name)] = obj
    for a in model.advertisements:
        via = f" via {a.via.name}" if a.via is not None else ""
        out[("advertise", f"{a.site.name} {_plain(a.cidr)}{via}")] = a
    for zone in model.dns_zones:
        zone_name = zone.name + (" (private)" if zone.private else "")
        out[("dns-zone", zone_name)] = zone
        for h in zone.health_checks:
            out[("health-check", f"{h.name} ({zone_name})")] = h
        for r in zone.records:
            fqdn = zone.name if r.label == "@" else f"{r.label}.{zone.name}"
            out[("record", f"{fqdn} {r.type.name}" + (" (private)" if zone.private else ""))] = r
    seen: dict[str, int] = {}
    for e in model.expectations:
        text = span_text(model, e.span) or json.dumps(_shape(e), sort_keys=True)
        text = text.removeprefix("expect ")          # the kind says it: `expect web-1 -> ...`
        seen[text] = seen.get(text, 0) + 1
        out[("expect", text if seen[text] == 1 else f"{text} (#{seen[text]})")] = e
    return out


# ---------------------------------------------------------------------------- shapes

def _strip(data):
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k != "span"}
    if isinstance(data, list):
        return [_strip(v) for v in data]
    return data


def _shape(value) -> object:
    """Plain data of a value with every span left out: what a comparison looks at."""
    return _strip(to_data(value))


def shape_key(value):
    """What a comparison looks at, fast: the value as nested tuples, spans left out, each
    literal as `to_data` writes it (a name for a reference, the block for a CIDR)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (tuple, list)):
        return tuple(shape_key(v) for v in value)
    if isinstance(value, ast.Ref):
        return value.name
    if isinstance(value, (ast.Cidr, ast.Addr, ast.PortRange)):
        return to_data(value)
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        if not dataclasses.is_dataclass(value):
            return to_data(value)
        names = _FIELD_NAMES[type(value)] = tuple(
            f.name for f in dataclasses.fields(value)
            if f.name != "span" and not (f.name == "text" and isinstance(value, ast.File)))
    return (type(value).__name__, *(shape_key(getattr(value, n)) for n in names))


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value) -> str:
    data = _shape(value)
    return data if isinstance(data, str) else json.dumps(data, sort_keys=True)


def _fields(obj) -> Iterator[dataclasses.Field]:
    skip = ("span", "name", *_SKIP.get(type(obj), ()))
    return (f for f in dataclasses.fields(obj) if f.name not in skip)


def object_shape(obj) -> tuple:
    """An object's comparable data, its name and the objects compared on their own left out."""
    return tuple((f.name, shape_key(getattr(obj, f.name))) for f in _fields(obj))


def model_shape(model) -> tuple:
    """The whole resolved model without spans or paths, in order: equal shapes behave alike
    (the parts of `Model.to_dict`)."""
    return shape_key((tuple(model.vpcs.values()), tuple(model.peerings.values()), tuple(model.tgws.values()),
                 tuple(model.sites.values()), tuple(model.vpns.values()), tuple(model.dxgws.values()),
                 tuple(model.dxs.values()), tuple(model.advertisements), tuple(model.placements.values()),
                 tuple(model.dns_zones), tuple(model.cdns.values()), tuple(model.expectations)))


def span_text(model, span: Span | None) -> str:
    """The source a span covers, whitespace collapsed ("" where there is none)."""
    if span is None or span.line <= 0:
        return ""
    lines = model.sources.get(span.file, "").splitlines()
    if span.line > len(lines):
        return ""
    if span.end_line == span.line:
        piece = lines[span.line - 1][span.col - 1:span.end_col - 1]
    else:
        piece = " ".join([lines[span.line - 1][span.col - 1:], *lines[span.line:span.end_line - 1],
                          lines[min(span.end_line, len(lines)) - 1][:span.end_col - 1]])
    return " ".join(piece.split())


def _item_text(model, item) -> str:
    """How a list item reads: its source text, else its plain data."""
    span = getattr(item, "span", None)
    written = span_text(model, span) if not isinstance(item, (ast.Ref, ast.Cidr)) else ""
    return written or _plain(item)


# ---------------------------------------------------------------------------- comparing

def object_changes(old, new) -> list[ObjectChange]:
    """The objects ``new`` adds, removes, renames and changes against ``old``, in kind order."""
    before, after = inventory(old), inventory(new)
    changes: list[ObjectChange] = []
    removed = [k for k in before if k not in after]
    added = [k for k in after if k not in before]
    # A rename: one removed and one added object of a kind whose data is the same.
    by_shape: dict[tuple[str, str], list] = {}
    for k in removed:
        by_shape.setdefault((k[0], object_shape(before[k])), []).append(k)
    renamed = {}
    for k in added:
        pool = by_shape.get((k[0], object_shape(after[k])))
        if pool and k[0] not in ("expect", "advertise", "record", "health-check"):
            renamed[k] = pool.pop(0)
    gone = set(renamed.values())
    for k in removed:
        if k not in gone:
            changes.append(ObjectChange(k[0], k[1], "removed", before[k].span, None))
    for k, was in renamed.items():
        changes.append(ObjectChange(k[0], k[1], "renamed", before[was].span, after[k].span, old_name=was[1]))
    for k in added:
        if k not in renamed:
            changes.append(ObjectChange(k[0], k[1], "added", None, after[k].span))
    for k, obj in after.items():
        if k in before and object_shape(before[k]) != object_shape(obj):
            details = _details(old, new, before[k], obj)
            if details:
                changes.append(ObjectChange(k[0], k[1], "changed", before[k].span, obj.span, tuple(details)))
    order = {kind: i for i, kind in enumerate(KIND_ORDER)}
    position = {k: i for i, k in enumerate(after)} | {k: i for i, k in enumerate(before) if k not in after}
    changes.sort(key=lambda c: (order.get(c.kind, len(order)), position.get((c.kind, c.name), 0), c.name))
    return changes


def _details(old_model, new_model, a, b) -> list[Detail]:
    out: list[Detail] = []
    for f in _fields(b):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x is y or shape_key(x) == shape_key(y):
            continue
        if isinstance(x, tuple) and isinstance(y, tuple):
            keyed = _KEYED.get((type(b), f.name))
            out += (_keyed_items(old_model, new_model, f.name, x, y, keyed) if keyed
                    else _item_sets(old_model, new_model, f.name, x, y))
        else:
            out.append(Detail(f"{f.name}: {_value_words(x)} -> {_value_words(y)}", a.span, b.span))
    return out


def _value_words(value) -> str:
    data = _shape(value)
    if data is None:
        return "none"
    if isinstance(data, bool):
        return "yes" if data else "no"
    return data if isinstance(data, str) else json.dumps(data, sort_keys=True)


def _label(field: str, item) -> str:
    """A set item's words: ``subnets + app-c``; a rule or route is its own words."""
    return f"{field} " if isinstance(item, (ast.Ref, ast.Cidr)) else ""


def multiset_changes(xs, ys) -> tuple[list, list]:
    """(the items only in ``xs``, the items only in ``ys``), compared by shape as multisets:
    an item written twice on one side and once on the other is one removed."""
    left: dict[str, list] = {}
    for x in xs:
        left.setdefault(shape_key(x), []).append(x)
    added = []
    for y in ys:
        pool = left.get(shape_key(y))
        if pool:
            pool.pop()
        else:
            added.append(y)
    return [x for pool in left.values() for x in pool], added


def _item_sets(old_model, new_model, field: str, xs: tuple, ys: tuple) -> list[Detail]:
    """Items compared as a multiset: each one only in OLD is removed, only in NEW added."""
    removed, added = multiset_changes(xs, ys)
    out = [Detail(f"{_label(field, x)}- {_item_text(old_model, x)}", getattr(x, "span", None), None)
           for x in removed]
    out += [Detail(f"{_label(field, y)}+ {_item_text(new_model, y)}", None, getattr(y, "span", None))
            for y in added]
    return out


def _keyed_items(old_model, new_model, field: str, xs: tuple, ys: tuple, key) -> list[Detail]:
    """Items matched by key (a NACL rule's direction and number, a route's destination): the
    same key with other data is one change; a NACL rule moved to another number, renumbered."""
    before = {key(x): x for x in xs}
    after = {key(y): y for y in ys}
    out: list[Detail] = []
    gone = [k for k in before if k not in after]
    new = [k for k in after if k not in before]
    if field == "rules":          # NACL rules: the same rule under another number
        def body(r):
            return (r.direction, shape_key(r.action), shape_key(r.protocol), shape_key(r.cidr))
        for k in list(new):
            match = next((g for g in gone if body(before[g]) == body(after[k])), None)
            if match is not None:
                gone.remove(match)
                new.remove(k)
                out.append(Detail(f"renumbered {match} -> {k}: {_item_text(new_model, after[k])}",
                                  before[match].span, after[k].span))
    for k in gone:
        out.append(Detail(f"- {_item_text(old_model, before[k])}", before[k].span, None))
    for k, y in after.items():
        x = before.get(k)
        if x is not None and shape_key(x) != shape_key(y):
            out.append(Detail(f"{_item_text(old_model, x)} -> {_item_text(new_model, y)}", x.span, y.span))
    for k in new:
        out.append(Detail(f"+ {_item_text(new_model, after[k])}", None, after[k].span))
    return out
