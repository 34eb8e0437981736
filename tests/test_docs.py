"""The documentation stays true to the code.

- docs/DIAGNOSTICS.md is exactly what `vpcdsl.diagnostics.codes_markdown()`
  generates: adding or rewording a code means regenerating it with
  `.venv/bin/python -m vpcdsl.diagnostics > docs/DIAGNOSTICS.md`;
- every ```vpc block of docs/LANGUAGE.md parses, its first model compiles
  cleanly, and its allocation example allocates what its comments say;
- the facts LANGUAGE.md lists (reserved words, record types, codes) are the
  ones in `vpcdsl.aws` and `vpcdsl.diagnostics`.
"""

from __future__ import annotations

import re
from ipaddress import ip_network
from pathlib import Path

import pytest

import vpcdsl
from vpcdsl.syntax import ast
from vpcdsl.aws import RECORD_TYPES, RESERVED
from vpcdsl.diagnostics import CODES, codes_markdown, render_all
from vpcdsl.syntax.parser import parse

DOCS = Path(__file__).resolve().parent.parent / "docs"
LANGUAGE = (DOCS / "LANGUAGE.md").read_text(encoding="utf-8")


def _vpc_blocks(text: str) -> list[tuple[int, str]]:
    """(line, code) of every ```vpc fenced block, dedented."""
    blocks = []
    for m in re.finditer(r"^( *)```vpc\n(.*?)^\1```$", text, re.M | re.S):
        indent = len(m.group(1))
        code = "\n".join(line[indent:] for line in m.group(2).splitlines())
        blocks.append((text.count("\n", 0, m.start()) + 1, code))
    return blocks


BLOCKS = _vpc_blocks(LANGUAGE)


# ----------------------------------------------------------------------------
# DIAGNOSTICS.md
# ----------------------------------------------------------------------------

def test_diagnostics_doc_is_generated_from_codes():
    doc = (DOCS / "DIAGNOSTICS.md").read_text(encoding="utf-8")
    assert doc == codes_markdown() + "\n", (
        "docs/DIAGNOSTICS.md is out of date; regenerate it with "
        "`.venv/bin/python -m vpcdsl.diagnostics > docs/DIAGNOSTICS.md`")


def test_diagnostics_doc_lists_every_code_once_by_stage():
    doc = codes_markdown()
    rows = re.findall(r"^\| `([EW]\d{3})` \| (error|warning) \| (.+) \|$", doc, re.M)
    assert [code for code, _, _ in rows] == sorted(CODES, key=lambda c: (c[1], c[0] != "E", c))
    for code, severity, _ in rows:
        assert severity == ("error" if code[0] == "E" else "warning")
    # each stage heading comes before its codes
    for digit in sorted({c[1] for c in CODES}):
        heading = doc.index(f"### E{digit}xx / W{digit}xx")
        first = min(doc.index(f"`{c}`", doc.index("## Codes")) for c in CODES if c[1] == digit)
        assert heading < first


# ----------------------------------------------------------------------------
# LANGUAGE.md
# ----------------------------------------------------------------------------

def test_language_doc_has_code_blocks():
    assert len(BLOCKS) >= 20


@pytest.mark.parametrize("line,code", BLOCKS, ids=[f"line{line}" for line, _ in BLOCKS])
def test_language_doc_example_parses(line: int, code: str):
    """Each example is a whole statement, or items of a VPC's body."""
    file, diags = parse(code, "doc.vpc")
    if file is None:
        file, diags = parse("vpc doc-vpc {\n" + code + "\n}\n", "doc.vpc")
    assert file is not None and not diags, (
        f"LANGUAGE.md:{line}: " + "; ".join(f"{d.code} {d.message}" for d in diags))


def test_language_doc_first_model_is_clean():
    _, code = BLOCKS[0]
    model = vpcdsl.loads(code, filename="first.vpc", strict=False)
    assert not model.errors, render_all(model.errors, model.sources)


def test_language_doc_allocation_example_is_right():
    """§10's comments (`# -> CIDR`) are what the compiler allocates."""
    (code,) = [c for _, c in BLOCKS if "c-batch-a" in c]
    model = vpcdsl.loads(code, filename="alloc.vpc", strict=False)
    assert not model.errors, render_all(model.errors, model.sources)
    promised = dict(re.findall(r"subnet (\S+) .*# -> (\S+)", code))
    assert len(promised) == 5
    got = {n: str(s.cidr.net) for n, s in model.subnets.items() if s.allocated}
    assert got == promised
    for name in promised:
        assert ip_network(got[name]).subnet_of(ip_network("10.3.0.0/16"))


def test_language_doc_reserved_words_are_the_reserved_words():
    section = LANGUAGE[LANGUAGE.index("### Reserved words"):LANGUAGE.index("### Keywords in name positions")]
    first_paragraph = section.split("\n\n")[1] + section.split("\n\n")[2]
    listed = set(re.findall(r"`([a-z0-9]+)`", first_paragraph))
    assert listed == set(RESERVED)


def test_language_doc_record_types_are_the_supported_ones():
    section = LANGUAGE[LANGUAGE.index("## 7. DNS"):LANGUAGE.index("## 8. Expectations")]
    sentence = section[section.index("one of the record types"):section.index("(`E703`)")]
    assert re.findall(r"`([A-Z]+)`", sentence) == list(RECORD_TYPES)


def test_language_doc_cites_only_real_codes():
    cited = set(re.findall(r"`([EW]\d{3})`", LANGUAGE))
    assert cited and not cited - set(CODES), sorted(cited - set(CODES))


def test_language_doc_names_implicit_objects_as_the_resolver_does():
    model = vpcdsl.loads("vpc prod {\n cidr 10.0.0.0/16\n}\n", filename="t.vpc")
    implicit = [m.name for m in model.vpcs["prod"].members
                if isinstance(m, (ast.RouteTable, ast.Nacl, ast.SecurityGroup))]
    assert implicit == ["prod.main", "prod.default-nacl", "prod.default-sg"]
    for name in ("VPC.main", "VPC.default-nacl", "VPC.default-sg", "prod.main"):
        assert f"`{name}`" in LANGUAGE
