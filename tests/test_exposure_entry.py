"""The entry gate of exposure (`vpcdsl.analysis.exposure_entry`): a request from the internet
that the target subnet's NACL denies on the way in, or the target's security groups deny
right after it, is decided from their rules, not walked. Held here against the walk itself: wherever the gate says "denied", the trace is
dropped by that NACL right after the internet gateway, and wherever it says "allowed", it
is not; and exposure with the gate gives reach's answer (``coarse=False`` walks every
request)."""

from __future__ import annotations

import random

import vpcdsl
from vpcdsl.analysis.exposure import _MODEL, _Engine, _targets, exposure
from vpcdsl.analysis.exposure_entry import Entry
from vpcdsl.analysis.reach import end_sides
from vpcdsl.flows.trace import Tracer

from random_filters import random_filters

CIDRS = ["0.0.0.0/0", "203.0.113.0/24", "203.0.113.128/25", "198.51.100.0/24", "198.51.100.7/32",
         "10.0.0.0/16"]


def _generated(rng: random.Random) -> str:
    """Public and private subnets behind random NACLs and groups, an NLB, a LB-less subnet."""
    lines = ["region eu-west-1", "vpc a {", "  cidr 10.0.0.0/16", "  igw igw",
             "  subnet s1 10.0.1.0/24 az a public-ip", "  subnet s2 10.0.2.0/24 az b",
             "  subnet sub3 10.0.3.0/24 az a",
             "  route-table pub for s1, s2 { 0.0.0.0/0 -> igw }"]
    lines += random_filters(rng, CIDRS, "icmp")
    lines += ["  instance x in s1 sg g1", "  instance w in s2 sg g2 public-ip",
              "  instance y in sub3 sg g3 public-ip",
              "  lb n network internet-facing in s1, s2 sg g2 { listen tcp 443 -> y:443 }", "}"]
    return "\n".join(lines) + "\n"


def _models(seed: int, count: int):
    rng = random.Random(seed)
    for i in range(count):
        text = _generated(rng)
        m = vpcdsl.loads(text, filename=f"entry{i}.vpc", strict=False)
        assert not m.errors, (text, [str(d) for d in m.errors])
        yield m


def test_the_gate_says_denied_exactly_where_the_walk_drops_at_that_nacl():
    decided = denied = 0
    for m in _models(3, 12):
        tracer = Tracer(m)
        engine = _Engine(m, tracer, True)
        cells = engine.source_sides("internet")
        classes = engine._classes_of(_MODEL)
        for name, _, _ in _targets(m):
            for b in end_sides(m, tracer, name):
                nacl = None
                for c, _ in classes:
                    for a in cells:
                        t = tracer.trace(a.text, b.text, c.protocol, c.probe or None, dst_zone=b.zone)
                        nacl = nacl or getattr(engine.entry.entry(t, b.text), "nacl", None)
                        if nacl is None:
                            continue
                        says = engine.entry.denies(Entry(nacl, ()), a.text, c.protocol, c.probe or None)
                        walked = t.component == f"nacl:{nacl.name}" and t.forward[-1].kind == "nacl" \
                            and _path(t)[:-1] == ["internet", "igw"]
                        assert says == walked, (name, a.text, c, t.table())
                        decided += 1
                        denied += says
    assert decided > 2000 and denied > 500, (decided, denied)


def _path(t) -> list[str]:
    return [h.component.partition(":")[0] for h in t.forward if h.action != "resolve"]


def test_the_gate_says_denied_exactly_where_the_walk_drops_at_that_nacl_or_the_groups_next():
    """The whole entry (NACL, then the target's security groups once a trace shows them
    next): denied exactly where the walk drops the request at one of the two, right after
    the internet gateway; the groups read a source on the internet by its address alone
    (it has no ENI, so no group reference matches it)."""
    decided = by_groups = 0
    for m in _models(5, 12):
        tracer = Tracer(m)
        engine = _Engine(m, tracer, True)
        cells = engine.source_sides("internet")
        classes = engine._classes_of(_MODEL)
        for name, _, _ in _targets(m):
            for b in end_sides(m, tracer, name):
                entry = None
                traces = [(a, c, tracer.trace(a.text, b.text, c.protocol, c.probe or None, dst_zone=b.zone))
                          for c, _ in classes for a in cells]
                for _, _, t in traces:
                    if entry is None:
                        entry = engine.entry.entry(t, b.text)
                    elif entry.sgs is None:
                        engine.entry.learn(entry, t, b.text)
                if entry is None:
                    continue
                for a, c, t in traces:
                    says = engine.entry.denies(entry, a.text, c.protocol, c.probe or None)
                    at_nacl = t.forward[-1].kind == "nacl" and _path(t)[:-1] == ["internet", "igw"]
                    at_groups = bool(entry.sgs) and t.forward[-1].kind == "sg" and t.forward[-1].action == "drop" \
                        and _path(t)[:-1] == ["internet", "igw", "nacl"]
                    assert says == (t.component == f"nacl:{entry.nacl.name}" and at_nacl or at_groups), \
                        (name, a.text, c, entry, t.table())
                    decided += 1
                    by_groups += at_groups
    assert decided > 2000 and by_groups > 300, (decided, by_groups)


def test_exposure_with_the_gate_is_reachs_answer():
    for m in _models(8, 12):
        fast, slow = exposure(m), exposure(m, coarse=False)
        assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in slow.findings]
        assert fast.skipped == slow.skipped


def test_the_gate_saves_the_walks_of_denied_requests():
    text = """
region eu-west-1
vpc a {
  cidr 10.0.0.0/16
  igw igw
  subnet pub 10.0.1.0/24 az a public-ip
  route-table rt for pub { 0.0.0.0/0 -> igw }
  nacl edge for pub {
    in 100 deny tcp 0-65535 from 203.0.113.0/24
    in 200 allow tcp 443 from 0.0.0.0/0
    out 100 allow tcp 1024-65535 to 0.0.0.0/0
  }
  sg web { in tcp 443 from 0.0.0.0/0 }
  instance web-1 in pub sg web
}
"""
    m = vpcdsl.loads(text, filename="gate.vpc")
    walks = []
    original = Tracer.trace

    def counting(self, *args, **kwargs):
        walks.append(args[:2])
        return original(self, *args, **kwargs)

    Tracer.trace = counting
    try:
        fast = exposure(m, "internet")
        fast_walks = len(walks)
        walks.clear()
        slow = exposure(m, "internet", coarse=False)
    finally:
        Tracer.trace = original
    assert [f.to_dict() for f in fast.findings] == [f.to_dict() for f in slow.findings]
    # the subnet's probe (no security group) and the instance alike
    assert [(f.dst, f.service, f.status, f.where) for f in fast.findings] == [
        (dst, "tcp 443", "allowed", "from all but 203.0.113.0/24") for dst in ("pub", "web-1")]
    # The NACL denies every class but tcp 443 from every cell, and tcp 443 from 203.0.113.0/24:
    # of each class's walks, only tcp 443's from the other cells are made (and the witness).
    assert fast_walks < len(walks) / 4, (fast_walks, len(walks))
