"""Property tests: whatever the text, vpcdsl answers with diagnostics, never a crash.

Random text, soups of the language's own tokens, and mutations of the
examples and fixtures (tokens and lines deleted, duplicated, swapped;
characters inserted, unicode, braces and quotes among them; truncation) go
through `vpcdsl.loads` with and without ``strict``. Only `VpcdslError` may
escape; every diagnostic has a known code and a span inside the file. The
runs are derandomized so CI sees the same examples every time.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import vpcdsl
from vpcdsl.diagnostics import CODES, VpcdslError, render_all

ROOT = Path(__file__).resolve().parent.parent


def _seeds() -> list[str]:
    paths = sorted((ROOT / "examples").glob("*.vpc")) + sorted((ROOT / "tests" / "fixtures").glob("*.vpc"))
    paths += sorted((ROOT / "tests" / "fixtures" / "spec-snippets").glob("*.vpc"))
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            continue  # the E004 fixture: loads() takes text, not bytes
    return texts


SEEDS = _seeds()
EXAMPLE_SEEDS = [(ROOT / "examples" / f"{name}.vpc").read_text(encoding="utf-8")
                 for name in sorted(p.stem for p in (ROOT / "examples").glob("*.vpc"))]

TOKENS = [
    "{", "}", "{ }", "\n", "\r\n", ";", ",", ",\n", "->", "<->", "#", "# x\n", '"', '"text"', "[", "]", ":",
    "/", "-", "@", "*", "=", "$", "\\", "\t", "\x00", "\u00e9", "\u201c", "\u00a0", "\U0001f600", "::",
    "0.0.0.0/0", "10.0.0.0/16", "10.0.300.0/24", "10.0.0.1/8", "10.0.0.10", "2600:1f18::/56", "::/0",
    "[2600:1f18::10]:443", "2600:1f18::10:443", "1024-65535", "65536", "-10", "48.86", "443", "0", "/24",
    "10Gbps", "7224:7100", "example.com", "m5.large", "/health", "version=2", "1" * 25, "9" * 5000,
    "-" + "9" * 400,
    "region", "us-east-1", "eu-west-1", "vpc", "cidr", "ipv6", "subnet", "size", "hosts", "az", "a",
    "public-ip", "igw", "eigw", "nat", "nat-instance", "vgw", "asn", "route-table", "main", "for",
    "propagate", "blackhole", "nacl", "in", "out", "allow", "deny", "from", "to", "tcp", "udp", "icmp",
    "any", "none", "sg", "instance", "ip", "eip", "os", "linux", "type", "endpoint", "gateway",
    "interface", "s3", "private-dns", "lb", "application", "network", "internal", "listen", "http",
    "rule", "path", "host", "peer", "tgw", "attach", "route", "static-only", "site", "vpn", "bgp",
    "static", "dxgw", "dx", "vif", "private", "advertise", "placement", "cluster", "partition", "dns",
    "health", "simple", "weighted", "failover", "primary", "geolocation", "default", "geoproximity",
    "coords", "bias", "multivalue", "ip-based", "A", "CNAME", "cdn", "origin", "expect", "allowed",
    "blocked", "by", "isolated", "valid", "no-answer", "web", "web-1", "db", "app-a", "prod", "shared",
]


def _tokens(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text)


def _shape(token: str) -> str | None:
    if re.fullmatch(r"[\d.]+/\d+|[0-9a-fA-F:]*::?[0-9a-fA-F:]*/\d+", token):
        return "cidr"
    if re.fullmatch(r"\d+(-\d+)?", token):
        return "number"
    if re.fullmatch(r"[A-Za-z_][\w-]*", token):
        return "word"
    return None


@st.composite
def mutated(draw, seeds: list[str] = SEEDS, max_edits: int = 5) -> str:
    """A seed model (an example or a fixture) with a few random edits."""
    text = draw(st.sampled_from(seeds))
    for op in draw(st.lists(st.sampled_from(
            ["del-token", "dup-token", "swap-tokens", "put-token", "del-line", "dup-line", "swap-lines",
             "insert", "truncate", "rename", "rename", "rename"]), min_size=1, max_size=max_edits)):
        if not text:
            break
        if op == "rename":
            # a word or literal replaced by another of the same shape from the same file: the
            # result often still parses, so the checks meet unknown, misplaced and clashing objects
            parts = _tokens(text)
            i = draw(st.integers(0, len(parts) - 1))
            shape = _shape(parts[i])
            same = sorted({p for p in parts if _shape(p) == shape})
            if shape and same:
                parts[i] = draw(st.sampled_from(same))
            text = "".join(parts)
        elif op.endswith("token") or op == "swap-tokens":
            parts = _tokens(text)
            i = draw(st.integers(0, len(parts) - 1))
            if op == "del-token":
                del parts[i]
            elif op == "dup-token":
                parts.insert(i, parts[i])
            elif op == "swap-tokens":
                j = draw(st.integers(0, len(parts) - 1))
                parts[i], parts[j] = parts[j], parts[i]
            else:
                parts[i] = draw(st.sampled_from(TOKENS))
            text = "".join(parts)
        elif op.endswith("line") or op == "swap-lines":
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "del-line":
                del lines[i]
            elif op == "dup-line":
                lines.insert(draw(st.integers(0, len(lines))), lines[i])
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        elif op == "insert":
            at = draw(st.integers(0, len(text)))
            piece = draw(st.sampled_from(TOKENS) | st.text(min_size=1, max_size=3))
            text = text[:at] + piece + text[at:]
        else:
            text = text[:draw(st.integers(0, len(text)))]
    return text


token_soup = st.lists(st.tuples(st.sampled_from(TOKENS), st.sampled_from([" ", " ", "\n", ""])),
                      max_size=60).map(lambda pairs: "".join(t + s for t, s in pairs))

PROFILE = dict(derandomize=True, database=None, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_text(text: str) -> None:
    """The properties: diagnostics only, known codes, spans inside the file."""
    model = vpcdsl.loads(text, filename="f.vpc", strict=False)
    lines = text.split("\n")
    for d in model.diagnostics:
        assert d.code in CODES, d
        assert d.severity in ("error", "warning"), d
        if d.span.file != "f.vpc" or d.span.line == 0:
            assert (d.span.line, d.span.col) == (0, 0), d  # implicit objects AWS creates
            continue
        assert 1 <= d.span.line <= len(lines), (d, len(lines))
        assert 1 <= d.span.col <= len(lines[d.span.line - 1]) + 1, (d, lines[d.span.line - 1])
    rendered = render_all(model.diagnostics, model.sources)
    assert "Traceback" not in rendered and "internal error" not in rendered.lower()
    try:
        vpcdsl.loads(text, filename="f.vpc")
    except VpcdslError as exc:
        assert exc.diagnostics
        assert "Traceback" not in exc.render()


@pytest.mark.slow
@settings(max_examples=1500, **PROFILE)
@given(mutated())
def test_mutated_models_never_crash(text):
    check_text(text)


@pytest.mark.slow
@settings(max_examples=800, **PROFILE)
@given(token_soup)
@example("")
@example("}")
@example("{")
@example('"')
@example("vpc v {")
@example("vpc v {\n subnet s 10.0.0.0/24 az\n")
@example("\x00")
@example("vpc v {\r\n igw\r\n}")
@example("vpc v\n{\n}\n}\n}")
@example("expect a ->")
def test_token_soup_never_crashes(text):
    check_text(text)


@pytest.mark.slow
@settings(max_examples=300, **PROFILE)
@given(st.text(max_size=300))
def test_random_text_never_crashes(text):
    check_text(text)


HUGE = "9" * 5000


@pytest.mark.parametrize("text", [
    f"vpc v {{\n vgw g asn {HUGE}\n}}",
    f"vpc v {{\n sg s {{ in tcp 1-{HUGE} from 0.0.0.0/0 }}\n}}",
    f"vpc v {{\n cidr 10.0.0.0/16\n subnet s size /{HUGE} az a\n}}",
    f"vpc v {{\n cidr 10.0.0.0/16\n subnet s hosts {HUGE} az a\n}}",
    f"vpc v {{\n cidr 10.0.0.0/{HUGE}\n}}",
    f"vpc v {{\n cidr 10.0.0.{HUGE}/16\n}}",
    f"vpc v {{\n nacl n {{ in {HUGE} allow tcp 80 from 0.0.0.0/0 }}\n}}",
    f"vpc v {{\n sg s {{ in {HUGE} from 0.0.0.0/0 }}\n}}",
    f"vpc v {{\n lb l network in a {{\n listen tcp {HUGE} -> x:{HUGE}\n }}\n}}",
    "dns example.com {\n a A weighted { " + "9" * 400 + " b -> 192.0.2.1 }\n}",
    "dns example.com {\n a A geoproximity { us-east-1 bias -" + "9" * 400 + " -> 192.0.2.1 }\n}",
    f"dns example.com {{\n health h tcp 192.0.2.1:{HUGE}\n}}",
    f"placement p partition {HUGE} {{ a@{HUGE} }}",
], ids=lambda t: t.split()[2] if len(t.split()) > 2 else t[:10])
def test_absurdly_long_numbers_are_diagnosed_not_raised(text):
    """Python refuses int() of over 4300 digits: such literals must still become diagnostics."""
    check_text(text)
