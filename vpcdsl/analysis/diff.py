"""What a change to a model does: ``diff(old_model, new_model) -> ModelDiff`` (`vpcdsl diff`).

Two halves: the objects added, removed, renamed and changed, each with its lines in OLD
and NEW (`vpcdsl.analysis.diff_objects`), and per pair of ends the requests newly
allowed, newly blocked, now intermittent or now always allowed, as exact packet sets
with a witness traced in both models (`vpcdsl.analysis.diff_flows`). The question a
review asks — "what does this change open?" — is `ModelDiff.exposure_gained`: the
internet or a site can newly reach something.

Models whose resolved data is the same (spans and paths aside) behave the same, so they
are not traced at all. Otherwise the structural half bounds the behavioural one: only the
pairs of ends a changed object can affect are traced, in both models, and every other pair
is unchanged (`vpcdsl.analysis.diff_scope` has the rules); ``incremental=False`` traces
every pair (one `reach` per source end and model).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..flows.flow import FlowError
from ..gcpause import paused_gc
from .diff_flows import CHANGE_WORDS, FlowChange, FlowDiff, flow_changes
from .diff_objects import ObjectChange, model_shape, object_changes, short_file
from .diff_scope import change_scope

__all__ = ["ModelDiff", "DiffError", "diff"]

JSON_VERSION = 1


class DiffError(FlowError):
    """A model that cannot be compared (it has errors)."""


@dataclass(frozen=True)
class ModelDiff:
    """The structural and behavioural difference between two models."""

    old_path: str
    new_path: str
    objects: tuple[ObjectChange, ...]
    ends_added: tuple[str, ...] = ()
    ends_removed: tuple[str, ...] = ()
    flows: tuple[FlowChange, ...] = ()
    skipped: tuple[tuple[str, str, str, str], ...] = ()   # (side, src, dst, why)
    pairs: int = 0                                      # pairs of ends compared
    traced: int | None = None                           # of them traced (None: all; the rest cannot change)
    same_behaviour: bool = False                        # equal resolved models: nothing traced
    old: object = field(default=None, repr=False, compare=False)
    new: object = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        """No object and no flow differs."""
        return not (self.objects or self.flows or self.ends_added or self.ends_removed)

    @property
    def exposures(self) -> list[FlowChange]:
        """The requests the internet or a site can newly make."""
        return [f for f in self.flows if f.exposure]

    @property
    def exposure_gained(self) -> bool:
        return bool(self.exposures)

    def newly_allowed(self, src: str | None = None, dst: str | None = None):
        return self._select("opened", src, dst)

    def newly_blocked(self, src: str | None = None, dst: str | None = None):
        return self._select("closed", src, dst)

    def _select(self, change: str, src, dst):
        from ..packetsets import PacketSet
        return PacketSet.union(f.packets for f in self.flows if f.change == change
                               and (src is None or f.src == src) and (dst is None or f.dst == dst))

    def changed_lines(self) -> dict[str, set[tuple[str, int]]]:
        """The (file, line)s the change touches, per side ("old", "new"): the lines of the
        changed items, and all lines of the objects added, removed or renamed."""
        out: dict[str, set[tuple[str, int]]] = {"old": set(), "new": set()}
        for o in self.objects:
            spans = [("old", d.old) for d in o.details] + [("new", d.new) for d in o.details]
            if o.change != "changed":
                spans += [("old", o.old), ("new", o.new)]
            for side, span in spans:
                if span is not None and span.line > 0:
                    out[side].update((span.file, n) for n in range(span.line, max(span.line, span.end_line) + 1))
        return out

    # ------------------------------------------------------------------ text

    def headline(self) -> str:
        counts = {c: sum(1 for o in self.objects if o.change == c) for c in ("added", "removed", "renamed", "changed")}
        objects = ", ".join(f"{n} {c}" for c, n in counts.items() if n) or "no change"
        flows = {c: sum(1 for f in self.flows if f.change == c) for c in CHANGE_WORDS}
        flow_words = ", ".join(f"{n} {CHANGE_WORDS[c]}" for c, n in flows.items() if n) or "no change"
        exposure = (f"exposure gained: {', '.join(dict.fromkeys(f.pair for f in self.exposures))}"
                    if self.exposure_gained else "no new exposure")
        return f"objects: {objects}; flows: {flow_words}; {exposure}"

    def text(self) -> str:
        """The diff as `vpcdsl diff` prints it."""
        out = [f"--- {self.old_path}", f"+++ {self.new_path}", self.headline()]
        if self.objects:
            out += ["", "objects:"]
            for o in self.objects:
                out += [f"  {line}" for line in o.lines(self.old_path, self.new_path)]
        if self.ends_added or self.ends_removed:
            out += ["", "ends:"]
            out += [f"  + {e}" for e in self.ends_added] + [f"  - {e}" for e in self.ends_removed]
        if self.same_behaviour:
            out += ["", "flows: the models resolve to the same network; nothing to trace"]
        elif self.flows:
            out += ["", f"flows ({self._compared()}; packets by protocol and port):"]
            lines = self.changed_lines()
            for f in self.flows:
                out += _flow_lines(f, lines, {"old": self.old_path, "new": self.new_path}, self.ends_added)
        else:
            out += ["", f"flows: no request changes its verdict ({self._compared()})"]
        for side, s, d, why in self.skipped:
            if side != "both":
                out.append(f"not compared: {s} -> {d}: {side.upper()} cannot answer it: {why}")
        neither = sum(1 for side, *_ in self.skipped if side == "both")
        if neither:
            out.append(f"not compared: {neither} pair{'s' if neither > 1 else ''} of ends that no trace "
                       "answers in either model (listed with --json)")
        return "\n".join(out)

    def _compared(self) -> str:
        if self.traced is None or self.traced == self.pairs:
            return f"{self.pairs} pairs of ends compared"
        return (f"{self.pairs} pairs of ends compared, {self.traced} traced in both models: "
                f"the change cannot reach the other {self.pairs - self.traced}")

    def to_dict(self) -> dict:
        return {"version": JSON_VERSION, "old": self.old_path, "new": self.new_path,
                "exposure_gained": self.exposure_gained, "same_behaviour": self.same_behaviour,
                "objects": [o.to_dict() for o in self.objects],
                "ends": {"added": list(self.ends_added), "removed": list(self.ends_removed)},
                "pairs": self.pairs, "traced": self.pairs if self.traced is None else self.traced,
                "flows": [f.to_dict() for f in self.flows],
                "skipped": [{"side": side, "src": s, "dst": d, "why": why} for side, s, d, why in self.skipped]}

    def _repr_pretty_(self, p, cycle):
        p.text(self.text())

    def _repr_html_(self) -> str:
        from ..views.notebook.rich import diff_repr_html
        return diff_repr_html(self)


def _flow_lines(f: FlowChange, changed: dict[str, set], paths: dict[str, str], added: tuple) -> list[str]:
    mark = "+" if f.change in ("opened", "fixed") else "-"
    via = f" via {f.via}" if f.via and f.via != "local" else ""
    fresh = [e for e in (f.src, f.dst) if e in added]
    new = f" ({' and '.join(fresh)} {'is' if len(fresh) == 1 else 'are'} new)" if fresh else ""
    lines = [f"  {mark} {f.pair}: {f.service} {f.words}{via}{new}"]
    t = f.trace
    if t is not None:
        side = "old" if t is f.before else "new"
        lines.append(f"      witness {t.flow}: {_verdict(t)} in {side.upper()}"
                     f"{_because(t, changed[side], paths[side])}")
        other, other_side = (f.after, "new") if side == "old" else (f.before, "old")
        if other is not None:
            lines.append(f"      in {other_side.upper()}: {_verdict(other)}"
                         f"{_because(other, changed[other_side], paths[other_side])}")
    return lines


def _verdict(t) -> str:
    if t.allowed:
        return "allowed"
    if t.intermittent:
        return "intermittent"
    return f"blocked by {t.component}" if t.component else "blocked"


def _because(t, changed: set[tuple[str, int]], base: str) -> str:
    """Why, in a line: the deciding rule of a blocked or intermittent trace, or the first hop
    of an allowed one that stands on a changed line (``: sg bastion allows ... [file:line]``)."""
    if t.allowed:
        hop = next((h for h in (*t.forward, *t.back)
                    if h.span is not None and (h.span.file, h.span.line) in changed), None)
        return f" by {hop.component}: {hop.detail} [{short_file(hop.span.file, base)}:{hop.span.line}]" \
            if hop else ""
    where = f" [{short_file(t.span.file, base)}:{t.span.line}]" if t.span is not None and t.span.line > 0 else ""
    return f": {t.reason}{where}"


def diff(old, new, *, incremental: bool = True) -> ModelDiff:
    """What changes from ``old`` to ``new`` (two compiled models without errors): objects and,
    per pair of ends, the requests whose verdict changes. Only the pairs the changed objects
    can affect are traced (`vpcdsl.analysis.diff_scope`); ``incremental=False`` traces every
    pair (the same flows, for checking the scope). Raises DiffError for a model with errors.

    >>> import vpcdsl
    >>> m = vpcdsl.loads("vpc a {\\n cidr 10.0.0.0/16\\n subnet s 10.0.0.0/24 az a\\n}")
    >>> diff(m, m).empty
    True
    """
    for side, model in (("OLD", old), ("NEW", new)):
        if not model.syntax_ok or any(d.severity == "error" and d.code not in _OUTCOMES for d in model.diagnostics):
            raise DiffError(f"{side} ({model.path}) has errors", "fix them first (`vpcdsl check`)")
    with paused_gc():     # many small tuples, no cycles: see vpcdsl.gcpause
        # The same files compile to the same model; else equal shapes mean equal objects.
        same = _texts(old) == _texts(new)
        objects = () if same else tuple(object_changes(old, new))
        # Objects that differ make shapes that differ: the shapes are compared only when none do.
        same = same or (not objects and model_shape(old) == model_shape(new))
    if same:
        return ModelDiff(old.path, new.path, (), same_behaviour=True, old=old, new=new)
    # Shapes that differ with no object changed (a reordering): not bounded, every pair.
    scope = change_scope(old, new, objects) if incremental and objects else None
    flows: FlowDiff = flow_changes(old, new, scope)
    return ModelDiff(old.path, new.path, objects, flows.ends_added, flows.ends_removed, flows.changes,
                     flows.skipped, flows.pairs, flows.traced, old=old, new=new)


def _texts(model) -> list[tuple[str, str]]:
    return sorted((short_file(name, model.path), text) for name, text in model.sources.items())


# Failed expectations are what a change may well cause: they do not stop a diff.
_OUTCOMES = ("E901", "E903", "E904")
