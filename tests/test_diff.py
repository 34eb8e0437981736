"""`vpcdsl diff OLD NEW` (issue 11, part 8): the objects a change adds, removes, renames and
changes, and per pair of ends the requests it newly allows and newly blocks, each with a
witness traced in both models. Small inline models with hand-computed answers, the CLI's
exit codes, directory and git inputs, determinism of the text, JSON and HTML, and a golden
diff of a realistic change to examples/three-tier.vpc (tests/fixtures/diff/old and new,
the golden beside them).

Semantics as `reach`'s (docs/SEMANTICS.md): a request is allowed when it is delivered and
its response returns to every client port; intermittent when only some do.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.analysis.diff import DiffError, diff
from vpcdsl.analysis.diff_flows import erase
from vpcdsl.analysis.reach import public_blocks
from vpcdsl.packetsets import PacketSet
from vpcdsl.views.cli import main

from tracing import model
from cli_runs import run_cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "diff"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"

PUBLIC = """
region eu-west-1
vpc edge {
  cidr 10.1.0.0/16
  igw igw
  subnet pub 10.1.0.0/24 az a
  subnet app 10.1.1.0/24 az a
  route-table rt for pub { 0.0.0.0/0 -> igw }
  sg bastion { in tcp 443 from 0.0.0.0/0 }
  sg app { in tcp 8080 from 10.1.0.0/24 }
  instance bastion-1 in pub sg bastion public-ip
  instance app-1 in app sg app
}
"""
SSH_OPEN = PUBLIC.replace("sg bastion { in tcp 443 from 0.0.0.0/0 }",
                          "sg bastion { in tcp 443 from 0.0.0.0/0; in tcp 22 from 0.0.0.0/0 }")


def _internet(**fields) -> PacketSet:
    """Requests from every public IPv4 address (the internet end), destination left whole."""
    return PacketSet.union(PacketSet.box(family=0, src=str(b), **fields) for b in public_blocks())


_run = run_cli


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


# ---------------------------------------------------------------------------- behaviour

def test_opening_ssh_to_the_internet_newly_allows_exactly_tcp_22_from_the_internet():
    d = diff(model(PUBLIC), model(SSH_OPEN))
    # 0.0.0.0/0 holds app-1's address too: it gains SSH to the bastion, inside the VPC.
    assert [(f.src, f.dst, f.change, f.service) for f in d.flows] == [
        ("app-1", "bastion-1", "opened", "tcp 22"), ("internet", "bastion-1", "opened", "tcp 22")]
    inside, f = d.flows
    assert inside.packets == PacketSet.box(family=0, protocol="tcp", dport=22) and not inside.exposure
    # Every public source address, TCP to port 22 (any client port), the end's own address
    # left out: nothing else changes for any pair.
    assert d.exposures == [f]
    assert f.packets == _internet(protocol="tcp", dport=22)
    assert f.service == "tcp 22" and f.via == "igw:igw" and f.exposure and not f.new_end
    assert d.newly_allowed("internet") == f.packets and d.newly_blocked().is_empty()
    # The witness: one of those requests, allowed in NEW by the new rule, refused in OLD by the SG.
    assert f.witness.protocol == 6 and f.witness.dport == 22 and f.witness in f.packets
    assert f.after.allowed and f.after.flow.endswith("-> bastion-1 tcp 22")
    assert f.before.verdict == "blocked" and f.before.kind == "sg"
    assert d.exposure_gained
    assert [o.title for o in d.objects] == ["~ sg bastion"]
    assert [x.text for x in d.objects[0].details] == ["+ in tcp 22 from 0.0.0.0/0"]
    assert d.objects[0].details[0].new.line == SSH_OPEN.splitlines().index(
        "  sg bastion { in tcp 443 from 0.0.0.0/0; in tcp 22 from 0.0.0.0/0 }") + 1
    text = d.text()
    assert "+ internet -> bastion-1: tcp 22 newly allowed via igw:igw" in text
    assert "allowed in NEW by sg:bastion" in text and "exposure gained: internet -> bastion-1" in text


def test_the_reverse_change_is_newly_blocked_with_the_old_trace_as_witness():
    d = diff(model(SSH_OPEN), model(PUBLIC))
    assert [(f.src, f.dst, f.change) for f in d.flows] == [("app-1", "bastion-1", "closed"),
                                                          ("internet", "bastion-1", "closed")]
    f = d.flows[1]
    assert f.packets == _internet(protocol="tcp", dport=22) and f.trace is f.before
    assert f.before.allowed and not f.after.allowed and f.after.kind == "sg"
    assert not d.exposure_gained and d.newly_blocked("internet") == f.packets


def test_an_ssh_rule_from_one_block_names_the_block():
    d = diff(model(PUBLIC), model(PUBLIC.replace("in tcp 443 from 0.0.0.0/0",
                                                  "in tcp 443 from 0.0.0.0/0; in tcp 22 from 203.0.113.0/24")))
    (f,) = d.flows                 # app-1 is not in the block: only the internet gains
    assert f.packets == PacketSet.box(family=0, src="203.0.113.0/24", protocol="tcp", dport=22)
    assert f.service == "tcp 22 (from 203.0.113.0/24)"
    assert str(f.witness.src).startswith("203.0.113.")


def _routed(route_a: str = "10.9.0.0/16 -> ab") -> str:
    return f"""
region eu-west-1
vpc a {{
  cidr 10.0.0.0/16
  subnet sa 10.0.1.0/24 az a
  route-table ra for sa {{ {route_a} }}
  sg open {{ in any from 10.0.0.0/8 }}
  instance x in sa sg open
}}
vpc b {{
  cidr 10.9.0.0/16
  subnet sb 10.9.1.0/24 az a
  route-table rb for sb {{ 10.0.0.0/16 -> ab }}
  sg open2 {{ in any from 10.0.0.0/8 }}
  instance y in sb sg open2
}}
peer ab a -> b
"""


def test_removing_a_route_newly_blocks_every_request_that_took_it():
    old, new = model(_routed()), model(_routed(""))
    d = diff(old, new)
    changes = {(f.src, f.dst): f for f in d.flows}
    # x lost its way to y (requests and, from y, the responses to y's requests).
    assert set(changes) == {("x", "y"), ("y", "x")}
    xy = changes[("x", "y")]
    assert xy.change == "closed" and xy.service == "any traffic"
    assert xy.packets == PacketSet.box(family=0) - PacketSet.box(protocol="icmpv6")
    assert xy.before.allowed and xy.via == "peering:ab"
    assert xy.after.verdict == "blocked" and xy.after.kind == "route"
    assert changes[("y", "x")].change == "closed"          # the response has no route back
    (o,) = d.objects
    assert o.title == "~ route-table ra" and [x.text for x in o.details] == ["- 10.9.0.0/16 -> ab"]
    assert o.details[0].old.line > 0 and o.details[0].new is None
    assert "witness x -> y tcp 443: allowed in OLD by route-table:ra" in d.text()


NACL = """
region eu-west-1
vpc a {
  cidr 10.0.0.0/16
  subnet web 10.0.1.0/24 az a
  subnet db 10.0.2.0/24 az a
  nacl db for db {
    in 100 deny tcp 5432 from 10.0.1.128/25
    in 200 allow tcp 5432 from 10.0.1.0/24
    out 100 allow tcp 1024-65535 to 10.0.1.0/24
  }
  sg all { in any from 10.0.0.0/16 }
  instance w1 in web sg all ip 10.0.1.10
  instance w2 in web sg all ip 10.0.1.200
  instance d1 in db sg all
}
"""


def test_a_nacl_rule_number_change_is_a_renumbering_and_reorders_the_decision():
    # Moving the deny after the allow lets w2 (10.0.1.200) in: the order is the rule numbers'.
    new = NACL.replace("in 100 deny tcp 5432 from 10.0.1.128/25", "in 300 deny tcp 5432 from 10.0.1.128/25")
    d = diff(model(NACL), model(new))
    (o,) = d.objects
    assert o.title == "~ nacl db"
    assert [x.text for x in o.details] == ["renumbered in 100 -> in 300: in 300 deny tcp 5432 from 10.0.1.128/25"]
    assert o.details[0].old.line == o.details[0].new.line
    assert [(f.src, f.dst, f.change, f.service) for f in d.flows] == [("w2", "d1", "opened", "tcp 5432")]
    assert not d.exposure_gained                          # w2 is inside the VPC


def test_renames_additions_and_removals_of_objects():
    old = model(PUBLIC)
    new = model(PUBLIC.replace("sg app {", "sg backend {").replace("sg app\n", "sg backend\n")
                .replace("  instance app-1 in app sg backend\n", "  instance app-2 in app sg backend\n")
                .replace("  subnet app 10.1.1.0/24 az a\n", "  subnet app 10.1.1.0/24 az a\n  eigw out\n"))
    titles = [o.title for o in diff(old, new).objects]
    assert titles == ["+ eigw out", "~ sg app -> backend (renamed)", "- instance app-1", "+ instance app-2"]
    d = diff(old, new)
    assert d.ends_added == ("app-2",) and d.ends_removed == ("app-1",)
    assert "  + app-2" in d.text() and "  - app-1" in d.text()


def test_sg_rule_order_is_no_change_but_nacl_and_cidr_values_are():
    reordered = PUBLIC.replace("sg bastion { in tcp 443 from 0.0.0.0/0 }",
                               "sg bastion { in tcp 443 from 0.0.0.0/0; in icmp from 10.0.0.0/8 }")
    swapped = reordered.replace("in tcp 443 from 0.0.0.0/0; in icmp from 10.0.0.0/8",
                                "in icmp from 10.0.0.0/8; in tcp 443 from 0.0.0.0/0")
    d = diff(model(reordered), model(swapped))
    assert d.objects == () and d.flows == ()
    moved = diff(model(PUBLIC), model(PUBLIC.replace("subnet app 10.1.1.0/24", "subnet app 10.1.2.0/24")))
    assert [x.text for o in moved.objects for x in o.details] == ["cidr: 10.1.1.0/24 -> 10.1.2.0/24"]
    assert moved.flows == ()     # app-1 keeps its name and what reaches it: no flow changes


def test_identical_models_give_an_empty_diff_without_tracing(monkeypatch):
    import vpcdsl.analysis.diff_flows as flows
    monkeypatch.setattr(flows, "reach", lambda *a, **k: pytest.fail("traced identical models"))
    m = model(PUBLIC)
    moved = model("\n\n# a comment moves every line\n" + PUBLIC)
    for other in (m, moved):
        d = diff(m, other)
        assert d.empty and d.same_behaviour and not d.exposure_gained
        assert "nothing to trace" in d.text() and d.to_dict()["flows"] == []


def test_a_new_exposed_end_is_an_exposure_gained():
    new = PUBLIC.replace("  instance app-1 in app sg app\n",
                         "  instance app-1 in app sg app\n  instance jump in pub sg bastion public-ip\n")
    d = diff(model(PUBLIC), model(new))
    assert d.ends_added == ("jump",)
    (f,) = d.exposures
    assert (f.src, f.dst, f.change, f.service, f.new_end) == ("internet", "jump", "opened", "tcp 443", True)
    assert f.before is None and f.after.allowed
    # What the new end itself reaches is not compared (it has no OLD to compare with).
    assert {x.src for x in d.flows} == {"internet"}


def test_models_with_errors_are_refused():
    bad = model("vpc a {\n cidr 10.0.0.0/16\n subnet s 10.1.0.0/24 az a\n}\n", valid=False)
    with pytest.raises(DiffError, match="NEW"):
        diff(model(PUBLIC), bad)


def test_erase_leaves_the_other_dimensions():
    s = PacketSet.box(family=0, src="10.0.0.0/8", dst="10.1.2.3/32", protocol="tcp", dport=22) | \
        PacketSet.box(family=0, src="1.0.0.0/8", protocol="udp", dport=(1, 5))
    assert erase(s, "src", "dst") == PacketSet.box(family=0, protocol="tcp", dport=22) | \
        PacketSet.box(family=0, protocol="udp", dport=(1, 5))
    assert erase(s, "dst") == PacketSet.box(family=0, src="10.0.0.0/8", protocol="tcp", dport=22) | \
        PacketSet.box(family=0, src="1.0.0.0/8", protocol="udp", dport=(1, 5))
    assert erase(s, "src") >= s


# ---------------------------------------------------------------------------- the CLI

def test_cli_exit_codes_and_fail_on_new_exposure(tmp_path, capsys):
    old, new = _write(tmp_path, "old.vpc", PUBLIC), _write(tmp_path, "new.vpc", SSH_OPEN)
    code, out, _ = _run(capsys, "diff", old, new)
    assert code == 0 and "tcp 22 newly allowed" in out and out.startswith(f"--- {old}\n+++ {new}\n")
    code, out, _ = _run(capsys, "diff", old, new, "--fail-on-new-exposure")
    assert code == 1 and "exposure gained" in out
    code, out, _ = _run(capsys, "diff", new, old, "--fail-on-new-exposure")       # closing is no exposure
    assert code == 0 and "newly blocked" in out
    code, out, _ = _run(capsys, "diff", old, old, "--fail-on-new-exposure")
    assert code == 0 and "no new exposure" in out


def test_cli_usage_errors_name_the_side(tmp_path, capsys):
    good = _write(tmp_path, "good.vpc", PUBLIC)
    bad = _write(tmp_path, "bad.vpc", "vpc a {\n cidr 10.0.0.0/16\n subnet s 10.1.0.0/24 az a\n}\n")
    code, out, err = _run(capsys, "diff", good, bad)
    assert code == 2 and out == "" and "error[E104]" in err and "NEW" in err and "bad.vpc" in err
    code, out, err = _run(capsys, "diff", str(tmp_path / "missing.vpc"), good)
    assert code == 2 and out == "" and "E004" in err and "OLD" in err
    with pytest.raises(SystemExit) as e:
        main(["diff", good])
    assert e.value.code == 2


def test_directory_inputs_are_one_model_each(tmp_path, capsys):
    other = "region eu-west-1\nvpc other {\n  cidr 10.50.0.0/16\n  subnet o 10.50.0.0/24 az a\n}\n"
    for side, text in (("old", PUBLIC), ("new", SSH_OPEN)):
        _write(tmp_path, f"{side}/edge.vpc", text)
        _write(tmp_path, f"{side}/other.vpc", other)
    code, out, _ = _run(capsys, "diff", str(tmp_path / "old"), str(tmp_path / "new"), "--fail-on-new-exposure")
    assert code == 1 and "~ sg bastion  [edge.vpc:9]" in out and "tcp 22 newly allowed" in out
    # A file added to the directory is part of NEW.
    _write(tmp_path, "new/more.vpc", "region eu-west-1\nvpc more {\n  cidr 10.60.0.0/16\n}\n")
    code, out, _ = _run(capsys, "diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert code == 0 and "+ vpc more  [more.vpc:2]" in out


def test_git_revisions_are_read_with_git(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    run = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    (repo / "net").mkdir()
    (repo / "net" / "edge.vpc").write_text(PUBLIC)
    run("add", ".")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    (repo / "net" / "edge.vpc").write_text(SSH_OPEN)
    monkeypatch.chdir(repo)
    for old in ("HEAD:net/edge.vpc", "HEAD:net"):
        code, out, _ = _run(capsys, "diff", old, "net" if old.endswith("net") else "net/edge.vpc",
                            "--fail-on-new-exposure")
        assert code == 1 and f"--- {old}" in out and "tcp 22 newly allowed" in out, out
    code, _, err = _run(capsys, "diff", "NOPE:net/edge.vpc", "net/edge.vpc")
    assert code == 2 and "E004" in err


# ---------------------------------------------------------------------------- determinism

def test_json_is_deterministic_across_runs_and_processes(tmp_path, capsys):
    old, new = _write(tmp_path, "old.vpc", PUBLIC), _write(tmp_path, "new.vpc", SSH_OPEN)
    _, first, _ = _run(capsys, "diff", old, new, "--json")
    _, second, _ = _run(capsys, "diff", old, new, "--json")
    other = subprocess.run([sys.executable, "-m", "vpcdsl", "diff", old, new, "--json"], capture_output=True,
                           text=True, check=False, env={**os.environ, "PYTHONHASHSEED": "7"})
    assert first == second == other.stdout and other.returncode == 0
    doc = json.loads(first)
    assert doc["version"] == 1 and doc["exposure_gained"] is True
    flow = doc["flows"][1]
    assert (flow["src"], flow["dst"], flow["change"], flow["service"]) == ("internet", "bastion-1", "opened",
                                                                         "tcp 22")
    assert flow["new"]["verdict"] == "allowed" and flow["old"]["verdict"] == "blocked"
    assert doc["objects"][0]["details"][0]["new"].endswith("new.vpc:9")


def test_html_is_escaped_and_deterministic():
    zone = 'dns example.com {\n  @ TXT simple "v=1"\n}\n'
    old = model(PUBLIC + zone)
    new = model(SSH_OPEN + zone.replace('"v=1"', '"<script>alert(1)</script> & \\"q\\""'))
    html = diff(old, new)._repr_html_()
    assert html == diff(old, new)._repr_html_()
    assert "<details>" in html and 'class="opened"' in html and "tcp 22" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<code>example.com TXT</code>" in html


# ---------------------------------------------------------------------------- golden

def test_golden_diff_of_a_change_to_three_tier(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = _run(capsys, "diff", "tests/fixtures/diff/old", "tests/fixtures/diff/new",
                        "--fail-on-new-exposure")
    golden = FIXTURES / "three-tier.diff.txt"
    if UPDATE:
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
    assert code == 1          # the bastion is open to the internet on SSH


def test_the_readme_shows_what_the_command_prints(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Reviewing a change"):]
    block = re.search(r"\n```\n(--- .*?)\n```", section, re.S).group(1)
    _, out, _ = _run(capsys, "diff", "tests/fixtures/diff/old", "tests/fixtures/diff/new")
    assert out.rstrip("\n") == block.rstrip("\n")


def test_the_line_magic(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    import vpcdsl.views.notebook.magic as magic
    shown = []
    monkeypatch.setattr(magic, "display", shown.append)
    shell = InteractiveShell.instance()
    try:
        shell.run_line_magic("load_ext", "vpcdsl")
        shell.run_cell("%%vpc before --no-diagram\n" + PUBLIC)
        shell.user_ns["after"] = vpcdsl.loads(SSH_OPEN, filename="after.vpc")
        d = shell.run_line_magic("vpc", "diff before after")
        assert [f.src for f in d.exposures] == ["internet"] and "tcp 22" in d._repr_html_()
        for line, needle in (("diff before", "two models"), ("diff before nowhere", "nowhere")):
            shown.clear()
            assert shell.run_line_magic("vpc", line) is None
            (message,) = shown
            assert needle in repr(message) and "hint" in repr(message)
    finally:
        for name in ("before", "after"):
            shell.user_ns.pop(name, None)
        InteractiveShell.clear_instance()


LB_NODES = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet lb-a 10.0.1.0/24 az a
  subnet lb-b 10.0.2.0/24 az b
  subnet app-a 10.0.3.0/24 az a
  nacl closed for lb-b { in 100 deny any from 0.0.0.0/0
                         out 100 allow any to 0.0.0.0/0 }
  sg app { in tcp 80 from 10.0.0.0/16; out any to 0.0.0.0/0 }
  instance client in app-a sg app
  instance server in app-a sg app
  lb front network internal in lb-a, lb-b sg app { listen tcp 80 -> server:80 }
}
"""


def test_a_load_balancer_node_that_changes_alone_is_named_by_its_az():
    # Opening the NACL of lb-b lets the client use the NLB's node in AZ b too; the node
    # in AZ a admitted it already.
    opened = LB_NODES.replace("in 100 deny any from 0.0.0.0/0", "in 100 allow any from 0.0.0.0/0")
    d = diff(model(LB_NODES), model(opened))
    front = [f for f in d.flows if f.dst == "front"]
    assert [(f.src, f.node, f.change, f.service) for f in front] == [("client", "eu-west-1b", "opened", "tcp 80")]
    assert front[0].after.allowed and front[0].before.kind == "nacl"
    assert "client -> front (eu-west-1b node): tcp 80 newly allowed" in d.text()


# ---------------------------------------------------------------------------- diff == two traces

def _status(t) -> str:
    return "allowed" if t.allowed else "intermittent" if t.intermittent else "blocked"


def _expected_change(before: str, after: str) -> str | None:
    if before == "blocked" and after != "blocked":
        return "opened"
    if before != "blocked" and after == "blocked":
        return "closed"
    if (before, after) == ("allowed", "intermittent"):
        return "degraded"
    if (before, after) == ("intermittent", "allowed"):
        return "fixed"
    return None


def _agree(old, new, rng, flows: int) -> int:
    """Trace random concrete flows in both models and check that the diff puts each in the
    change its two verdicts make (and in none when they agree); the count checked."""
    from ipaddress import IPv4Address
    from vpcdsl.flows.flow import FlowError, NotSimulated
    from vpcdsl.packetsets import Packet
    d = diff(old, new)
    names = [e for e in old.instances if e in new.instances]
    checked = 0
    for _ in range(flows):
        src = rng.choice(names + ["internet"])
        dst = rng.choice([n for n in names if n != src])
        proto = rng.choice(["tcp", "tcp", "udp", "icmp"])
        port = rng.choice([0, 22, 80, 443, 1024, 3389, 5432, 8080, 40000, rng.randrange(65536)]) \
            if proto != "icmp" else rng.choice([0, 8, 11])
        address = IPv4Address(rng.choice([0x01000001, 0x08080808, 0xCB007109, 0xC6336401])) \
            if src == "internet" else IPv4Address(0)
        text = str(address) if src == "internet" else src
        try:
            before, after = old.trace(text, dst, proto, port), new.trace(text, dst, proto, port)
        except (FlowError, NotSimulated):
            continue
        number = {"tcp": 6, "udp": 17, "icmp": 1}[proto]
        packet = Packet(address, IPv4Address(0), number, 33000, port) if number != 1 else \
            Packet(address, IPv4Address(0), 1, icmp_type=port)
        got = {f.change for f in d.flows if f.src == src and f.dst == dst and packet in f.packets}
        want = _expected_change(_status(before), _status(after))
        assert got == ({want} if want else set()), (f"{text} -> {dst} {proto} {port}: OLD {_status(before)}, "
                                                     f"NEW {_status(after)}, diff says {got}\n{after.table()}")
        checked += 1
    return checked


def test_the_diff_agrees_with_tracing_both_models():
    import random
    old = vpcdsl.load(FIXTURES / "old", strict=False)
    new = vpcdsl.load(FIXTURES / "new", strict=False)
    rng = random.Random(8)
    checked = _agree(old, new, rng, 400)
    for pair in ((PUBLIC, SSH_OPEN), (NACL, NACL.replace("in 100 deny", "in 300 deny")),
                 (_routed(), _routed(""))):
        checked += _agree(model(pair[0]), model(pair[1]), rng, 150)
    # Pairs of random models over the same ends (test_reach's generator): many rules differ.
    from test_reach import _generated
    for i in range(6):
        a, b = _generated(rng), _generated(rng)
        checked += _agree(vpcdsl.loads(a, filename="a.vpc", strict=False),
                          vpcdsl.loads(b, filename="b.vpc", strict=False), rng, 80)
    assert checked >= 1000


def test_a_new_site_that_reaches_an_instance_is_an_exposure_gained():
    base = """
region eu-west-1
vpc app {
  cidr 10.0.0.0/16
  subnet s 10.0.1.0/24 az a
  vgw vgw
  route-table rt for s { propagate vgw }
  sg app { in tcp 8080 from 192.168.0.0/16 }
  instance app-1 in s sg app
}
"""
    site = "site office 192.168.0.0/16 asn 65010\nvpn office-vpn office <-> vgw bgp\n"
    d = diff(model(base), model(base + site))
    assert d.ends_added == ("office",) and d.exposure_gained
    (f,) = [f for f in d.flows if f.src == "office"]
    assert (f.dst, f.change, f.service, f.new_end) == ("app-1", "opened", "tcp 8080", True)
    assert f.via == "vpn:office-vpn"
    assert f.after.allowed and f.before is None
    assert "+ office -> app-1: tcp 8080 newly allowed via vpn:office-vpn (office is new)" in d.text()
    assert [o.title for o in d.objects] == ["+ site office", "+ vpn office-vpn"]


def test_a_changed_expectation_reads_expect_once(tmp_path, capsys):
    """The object list names an expectation by its line: `+ expect a-1 -> ...`, not
    `+ expect expect a-1 -> ...`."""
    from vpcdsl.views.cli import main
    body = "vpc a {\n  cidr 10.0.0.0/16\n  subnet s1 10.0.1.0/24 az a\n  instance a-1 in s1\n}\n"
    (tmp_path / "old.vpc").write_text(body + "expect a-1 -> a-1 tcp 22 allowed\n", encoding="utf-8")
    (tmp_path / "new.vpc").write_text(body + "expect a-1 -> a-1 tcp 23 allowed\n", encoding="utf-8")
    main(["diff", str(tmp_path / "old.vpc"), str(tmp_path / "new.vpc")])
    out = capsys.readouterr().out
    assert "  - expect a-1 -> a-1 tcp 22 allowed  [old.vpc:6]" in out
    assert "  + expect a-1 -> a-1 tcp 23 allowed  [new.vpc:6]" in out and "expect expect" not in out
