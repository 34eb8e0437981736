"""The JupyterLab extension (labextension/): its token rules are the Pygments
lexer's, its tokenizer agrees with the lexer token for token (run in Node), and
`make labextension` (a prerequisite of `make test`) has built it and installed it
into this environment, enabled and current.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from pygments.token import Whitespace

from vpcdsl.views.highlight import CATEGORIES, RULES, VpcLexer, vocabulary

ROOT = Path(__file__).resolve().parent.parent
LABEXT = ROOT / "labextension"
VOCABULARY = LABEXT / "src" / "vocabulary.json"
INSTALLED = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "jupyterlab-vpcdsl"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
BUILD_HINT = "run `make labextension` (make test does) to build and install the JupyterLab extension"

# Cases the examples may not hold: words inside names, follows, symbols, errors.
TRICKY = """\
%%vpc prod --level subnet
peer p a->b; vpn v a <-> b bgp
route-table main main { ::/0 -> igw }
instance w in app sg web type m5.large ip 10.0.0.1
x nat-a igwfoo in-x [2600:1f18::10]:443 web-1:8080 203.0.113.10:443
subnet s size /24 # comment
cdn c origin o.example.com policy TLSv1.2_2021 ssl sni
@ TXT simple "v=spf1 \\"x\\" -all", "unclosed
* A simple 192.0.2.1
rule 1 path /api/* -> t; rule 2 query version=beta -> t; rule 3 host *.example.com -> t
x coords 35.68 -10 bandwidth 10Gbps community 7224:7100 ports 1024-65535
subnet
  igw g
é % x\t$
"""


def vocabulary_text() -> str:
    return json.dumps(vocabulary(), indent=2) + "\n"


def test_the_extension_has_the_lexers_rules():
    """labextension/src/vocabulary.json is vocabulary() (UPDATE_GOLDEN=1 rewrites it)."""
    if UPDATE:
        VOCABULARY.write_text(vocabulary_text(), encoding="utf-8")
    assert VOCABULARY.read_text(encoding="utf-8") == vocabulary_text(), (
        "labextension/src/vocabulary.json is stale: UPDATE_GOLDEN=1 .venv/bin/python -m pytest "
        "tests/test_labextension.py, then make labextension")


def _pygments_tokens(text: str) -> list[list]:
    """[line, from, to, token type] of every non-blank token, columns 0-based."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    out, line = [], 0
    for index, token, value in VpcLexer(stripnl=False).get_tokens_unprocessed(text):
        while line + 1 < len(starts) and starts[line + 1] <= index:
            line += 1
        if token in Whitespace or not value:
            continue
        assert "\n" not in value, (token, value)
        col = index - starts[line]
        out.append([line + 1, col, col + len(value), str(token)])
    return out


def test_the_editor_and_pygments_agree_token_for_token(tmp_path):
    """The extension's tokenizer, run by Node over lines as CodeMirror feeds them,
    gives the Pygments lexer's tokens on every example and on the tricky cases."""
    tricky = tmp_path / "tricky.vpc"
    tricky.write_text(TRICKY, encoding="utf-8")
    files = sorted((ROOT / "examples").glob("*.vpc")) + [tricky]
    run = subprocess.run(["node", str(LABEXT / "test" / "tokens.mjs"), *map(str, files)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    by_file = json.loads(run.stdout)
    for path in files:
        editor = [[line, start, end, str(CATEGORIES[category][0])]
                  for line, start, end, category in by_file[str(path)]]
        assert editor == _pygments_tokens(path.read_text(encoding="utf-8")), path.name


def test_the_extension_is_installed_and_enabled():
    listing = subprocess.run([str(Path(sys.executable).parent / "jupyter"), "labextension", "list"],
                             capture_output=True, text=True, timeout=60)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    assert re.search(r"jupyterlab-vpcdsl v0\.1\.0 enabled\s+OK", plain), f"{BUILD_HINT}\n{plain}"


def test_the_installed_bundle_is_current():
    """The bundle in this environment carries today's token rules (a rule changed
    without `make labextension` fails here) and registers the language."""
    meta = INSTALLED / "package.json"
    assert meta.is_file(), BUILD_HINT
    entry = json.loads(meta.read_text(encoding="utf-8"))["jupyterlab"]["_build"]["load"]
    assert (INSTALLED / entry).is_file()
    bundle = "".join(p.read_text(encoding="utf-8") for p in sorted((INSTALLED / "static").glob("*.js")))
    assert "text/x-vpc" in bundle and "jupyterlab-vpcdsl:highlight" in bundle
    # patterns without backslashes or quotes appear verbatim in the bundle's JSON
    verbatim = [pattern for _, pattern, _, _ in RULES if not re.search(r'[\\"\']', pattern)]
    assert len(verbatim) > 10
    assert [p for p in verbatim if p not in bundle] == [], BUILD_HINT
