"""Syntax highlighting of .vpc (vpcdsl.views.highlight): the Pygments lexer's
tokens, its keyword groups held to the grammar, the `vpc` entry point as
pygmentize and nbconvert find it, and the escaped HTML for notebooks.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lark.lexer import PatternStr
from pygments.lexers import (find_lexer_class_for_filename, get_lexer_by_name,
                             get_lexer_for_mimetype)
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Whitespace)

from vpcdsl import aws
from vpcdsl.syntax.grammar import build_parser
from vpcdsl.views import highlight as hl
from vpcdsl.views.highlight import VpcLexer, highlight_css, highlight_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.vpc"))
BIN = Path(sys.executable).parent


def tokens(text: str) -> list[tuple]:
    """The lexer's tokens without whitespace, as (token type, text)."""
    return [(t, v) for t, v in VpcLexer().get_tokens(text) if t not in Whitespace]


def grammar_literals() -> set[str]:
    return {t.pattern.value for t in build_parser().terminals if isinstance(t.pattern, PatternStr)}


# ---------------------------------------------------------------------------- the vocabulary

def test_keyword_groups_are_exactly_the_grammars_words():
    """A keyword added to grammar/vpc.lark fails here until it is given a group."""
    words = {w for w in grammar_literals() if re.search("[a-z]", w)}
    groups = [hl.DECLARATIONS, hl.PROTOCOLS, hl.CONSTANTS, hl.KEYWORDS, hl.OPEN_VOCABULARY]
    grouped = [w for group in groups for w in group]
    assert sorted(grouped) == sorted(set(grouped)), "a word in two groups"
    assert set(grouped) == words


def test_builtins_are_the_reserved_words_that_are_not_keywords():
    keywords = {w for w in grammar_literals() if re.search("[a-z]", w)}
    assert set(hl.BUILTINS) == set(aws.RESERVED) - keywords


@pytest.mark.parametrize("word", sorted(set(hl.KEYWORDS + hl.OPEN_VOCABULARY + hl.DECLARATIONS)))
def test_every_keyword_is_a_keyword_inside_a_statement(word):
    assert tokens(f"x {word} y")[1] == (Keyword, word)


@pytest.mark.parametrize("word", hl.DECLARATIONS)
def test_a_declaration_word_starting_a_statement_defines_the_name_after_it(word):
    assert tokens(f"{word} my-{word}")[:2] == [(Keyword.Declaration, word), (Name.Class, f"my-{word}")]
    # after `{` or `;` a statement starts too
    assert tokens(f"vpc a {{ {word} b; {word} c }}")[3:8] == [
        (Keyword.Declaration, word), (Name.Class, "b"), (Punctuation, ";"),
        (Keyword.Declaration, word), (Name.Class, "c")]


@pytest.mark.parametrize("word", hl.CONSTANTS)
def test_every_constant(word):
    assert tokens(f"x {word}")[1] == (Keyword.Constant, word)


@pytest.mark.parametrize("word", hl.PROTOCOLS)
def test_every_protocol(word):
    assert tokens(f"x {word}")[1] == (Keyword.Type, word)


@pytest.mark.parametrize("word", hl.BUILTINS)
def test_every_builtin(word):
    assert tokens(f"expect a -> {word}")[-1] == (Name.Builtin, word)


def test_every_symbol_of_the_grammar_lexes_without_error():
    symbols = {w for w in grammar_literals() if not re.search("[a-z]", w)}
    assert symbols == {"(", ")", "*", "->", ":", "<->", "@", "[", "]", "{", "}"}
    for symbol in symbols:
        assert [t for t, _ in tokens(f"a {symbol} b") if t in Error] == [], symbol


# ---------------------------------------------------------------------------- tokens

@pytest.mark.parametrize("text, expected", [
    ("cidr 10.0.0.0/16", [(Keyword, "cidr"), (Number, "10.0.0.0/16")]),
    ("ipv6 2600:1f18:6c0:d900::/56", [(Keyword, "ipv6"), (Number, "2600:1f18:6c0:d900::/56")]),
    ("x ::/0 -> igw", [(Name, "x"), (Number, "::/0"), (Operator, "->"), (Keyword, "igw")]),
    ("x ip 10.0.20.10", [(Name, "x"), (Keyword, "ip"), (Number, "10.0.20.10")]),
    ("x 2001:db8::10", [(Name, "x"), (Number, "2001:db8::10")]),
    ("x 203.0.113.10:443", [(Name, "x"), (Number, "203.0.113.10"), (Punctuation, ":"),
                            (Number.Integer, "443")]),
    ("x [2600:1f18::10]:443", [(Name, "x"), (Punctuation, "["), (Number, "2600:1f18::10"),
                               (Punctuation, "]"), (Punctuation, ":"), (Number.Integer, "443")]),
    ("x web-1:8080", [(Name, "x"), (Name, "web-1"), (Punctuation, ":"), (Number.Integer, "8080")]),
    ("out 100 allow tcp 1024-65535 to any",
     [(Keyword, "out"), (Number.Integer, "100"), (Keyword.Constant, "allow"), (Keyword.Type, "tcp"),
      (Number.Integer, "1024-65535"), (Keyword, "to"), (Keyword.Constant, "any")]),
    ("subnet s size /24", [(Keyword.Declaration, "subnet"), (Name.Class, "s"), (Keyword, "size"),
                           (Number.Integer, "/24")]),
    ("x bandwidth 10Gbps", [(Name, "x"), (Keyword, "bandwidth"), (Number.Float, "10Gbps")]),
    ("x coords 35.68 -10", [(Name, "x"), (Keyword, "coords"), (Number.Float, "35.68"),
                            (Number.Integer, "-10")]),
    ("x community 7224:7100", [(Name, "x"), (Keyword, "community"), (Number.Integer, "7224"),
                               (Punctuation, ":"), (Number.Integer, "7100")]),
    # whole words: a keyword inside a name is no keyword, `->` needs no spaces
    ("peer p a->b", [(Keyword.Declaration, "peer"), (Name.Class, "p"), (Name, "a"), (Operator, "->"),
                     (Name, "b")]),
    ("x nat-a igwfoo in-x internet-x", [(Name, "x"), (Name, "nat-a"), (Name, "igwfoo"), (Name, "in-x"),
                                        (Name, "internet-x")]),
    ("vpn v a <-> b bgp", [(Keyword.Declaration, "vpn"), (Name.Class, "v"), (Name, "a"), (Operator, "<->"),
                           (Name, "b"), (Keyword.Constant, "bgp")]),
    # a keyword naming something right after a declaration word is that name
    ("route-table main main", [(Keyword.Declaration, "route-table"), (Name.Class, "main"),
                               (Keyword.Constant, "main")]),
    # a declaration word inside a statement is a keyword
    ("instance w in app sg web", [(Keyword.Declaration, "instance"), (Name.Class, "w"), (Keyword, "in"),
                                  (Name, "app"), (Keyword, "sg"), (Name, "web")]),
    ("x type m5.large", [(Name, "x"), (Keyword, "type"), (Name.Other, "m5.large")]),
    ("cdn c origin o.example.com policy TLSv1.2_2021",
     [(Keyword.Declaration, "cdn"), (Name.Class, "c"), (Keyword, "origin"), (Name.Namespace, "o.example.com"),
      (Keyword, "policy"), (Name.Other, "TLSv1.2_2021")]),
    ("dns example.com. {", [(Keyword, "dns"), (Name.Namespace, "example.com."), (Punctuation, "{")]),
    ('@ TXT simple "v=spf1 \\"x\\" -all"', [(Keyword.Constant, "@"), (Name, "TXT"), (Keyword, "simple"),
                                            (String.Double, '"v=spf1 \\"x\\" -all"')]),
    ("* A simple 192.0.2.1", [(Keyword.Constant, "*"), (Name, "A"), (Keyword, "simple"),
                              (Number, "192.0.2.1")]),
    ("rule 1 path /api/* -> t", [(Keyword, "rule"), (Number.Integer, "1"), (Keyword, "path"),
                                 (String.Other, "/api/*"), (Operator, "->"), (Name, "t")]),
    ("rule 2 query version=beta -> t", [(Keyword, "rule"), (Number.Integer, "2"), (Keyword, "query"),
                                        (String.Other, "version=beta"), (Operator, "->"), (Name, "t")]),
    ("rule 3 host *.example.com -> t", [(Keyword, "rule"), (Number.Integer, "3"), (Keyword, "host"),
                                        (Name.Other, "*.example.com"), (Operator, "->"), (Name, "t")]),
    ("expect s3 -> internet blocked by sg  # why",
     [(Keyword, "expect"), (Name.Builtin, "s3"), (Operator, "->"), (Name.Builtin, "internet"),
      (Keyword.Constant, "blocked"), (Keyword, "by"), (Keyword, "sg"), (Comment.Single, "# why")]),
    ("%%vpc prod --level subnet\nvpc prod {", [(Comment.Preproc, "%%vpc prod --level subnet"),
                                               (Keyword.Declaration, "vpc"), (Name.Class, "prod"),
                                               (Punctuation, "{")]),
    ('x "unclosed\ny', [(Name, "x"), (String.Double, '"unclosed'), (Name, "y")]),
])
def test_tokens(text, expected):
    assert tokens(text) == expected


def test_a_line_break_ends_the_statement():
    assert tokens("sg a\nsg b")[2:] == [(Keyword.Declaration, "sg"), (Name.Class, "b")]
    # a declaration word left without its name: the next line is a new statement
    assert tokens("subnet # note\n  igw g")[1:] == [(Comment.Single, "# note"),
                                                   (Keyword.Declaration, "igw"), (Name.Class, "g")]
    # a magic line only starts a cell
    assert tokens("x %%vpc")[1] == (Error, "%")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_lexes_without_error(path):
    text = path.read_text(encoding="utf-8")
    found = list(VpcLexer(stripnl=False).get_tokens(text))
    assert "".join(v for _, v in found) == text
    assert [v for t, v in found if t in Error] == []
    kinds = {t for t, _ in found}
    assert {Keyword.Declaration, Name.Class, Number, Keyword} <= kinds


def test_control_characters_are_errors():
    assert tokens("sg a\x1b[2J") == [(Keyword.Declaration, "sg"), (Name.Class, "a"), (Error, "\x1b"),
                                     (Punctuation, "["), (Name.Other, "2J")]


# ---------------------------------------------------------------------------- the entry point

def test_the_entry_point_finds_the_lexer():
    """Registered under pygments.lexers in pyproject.toml (after the editable install)."""
    assert type(get_lexer_by_name("vpc")) is VpcLexer
    assert type(get_lexer_by_name("vpcdsl")) is VpcLexer
    assert find_lexer_class_for_filename("models/prod.vpc") is VpcLexer
    assert type(get_lexer_for_mimetype("text/x-vpc")) is VpcLexer


def test_pygmentize():
    source = "vpc prod {\n  cidr 10.0.0.0/16\n}\n"
    out = subprocess.run([str(BIN / "pygmentize"), "-l", "vpc", "-f", "html"], input=source,
                         capture_output=True, text=True, check=True).stdout
    assert '<span class="kd">vpc</span>' in out and '<span class="m">10.0.0.0/16</span>' in out
    guessed = subprocess.run([str(BIN / "pygmentize"), "-N", "prod.vpc"], capture_output=True, text=True,
                             check=True).stdout
    assert guessed.strip() == "vpc"


# ---------------------------------------------------------------------------- nbconvert

def _notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    nb.cells = [nbformat.v4.new_code_cell("%%vpc prod\nvpc prod {\n  cidr 10.0.0.0/16\n}"),
                nbformat.v4.new_code_cell("model = _vpc")]
    return nb


def test_nbconvert_highlights_vpc_cells_with_the_shipped_config():
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    body, _ = HTMLExporter(config=Config(hl.NBCONVERT_CONFIG)).from_notebook_node(_notebook())
    assert '<span class="cp">%%vpc prod</span>' in body
    assert '<span class="kd">vpc</span>' in body and '<span class="nc">prod</span>' in body
    assert '<span class="m">10.0.0.0/16</span>' in body
    # the Python cell stays Python
    assert '<span class="n">model</span> <span class="o">=</span>' in body

    plain, _ = HTMLExporter().from_notebook_node(_notebook())
    assert '<span class="kd">vpc</span>' not in plain  # without the config the cell is IPython


def test_nbconvert_command_line_option(tmp_path):
    """The option the README gives for `jupyter nbconvert`."""
    nbformat.write(_notebook(), tmp_path / "model.ipynb")
    subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html",
                    "--HighlightMagicsPreprocessor.languages", "%%vpc=vpc", str(tmp_path / "model.ipynb")],
                   capture_output=True, check=True, timeout=120)
    page = (tmp_path / "model.html").read_text(encoding="utf-8")
    assert '<span class="kd">vpc</span>' in page and '<span class="nc">prod</span>' in page


# ---------------------------------------------------------------------------- HTML

def test_highlight_html_wraps_and_escapes():
    out = highlight_html('sg <i> { in tcp 443 from "<b>&amp;" }\n')
    assert out.startswith('<div class="vpc-highlight"><pre>') and out.endswith("</pre></div>\n")
    assert '<span class="err">&lt;</span><span class="n">i</span><span class="err">&gt;</span>' in out
    assert '<span class="s2">"&lt;b&gt;&amp;amp;"</span>' in out
    assert '<span class="kt">tcp</span>' in out


def test_highlight_html_shows_control_characters_as_diagnostics_do():
    from vpcdsl.diagnostics import escape_controls

    line = "subnet a\x1b[2J 10.0.0.0/24 \u202e\x07\x00"
    out = highlight_html(line, inline=True)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", out)
    assert '<span class="err">\\x1b</span>' in out and '<span class="err">\\u202e\\x07\\x00</span>' in out
    # the visible text is the diagnostics' escaped line, character for character,
    # so a caret under it still lines up
    assert html.unescape(re.sub("<[^>]+>", "", out)) == escape_controls(line)


def test_highlight_css_is_scoped_and_styles_what_highlight_html_uses():
    css = highlight_css()
    rules = [line for line in css.splitlines() if line.strip()]
    assert all(line.startswith(".vpc-highlight") for line in rules)
    used = set(re.findall(r'class="([a-z0-9]+)"', highlight_html(EXAMPLES[0].read_text(encoding="utf-8"))))
    styled = set(re.findall(r"\.vpc-highlight \.([a-z0-9]+) ", css))
    assert used - {"w", "n"} <= styled  # whitespace and plain names keep the text colour
    assert "var(--jp-mirror-editor-keyword-color" in css  # follows the JupyterLab theme
    assert highlight_css(".cell-x").startswith(".cell-x")


# Text from the language's own pieces mixed with any character at all (lone
# surrogates, controls, bidirectional overrides, line breaks of every kind).
_PIECES = ["vpc ", "subnet ", "a", "10.0.0.0/16", "::/0", " -> ", "{", "}", ";", "\n", "\r\n", "\r",
           '"', "#", "%%vpc ", "\ufeff", "type ", "m5.large", "&", "<", ">", "'", "\ud800", "\x1b", "\u202e"]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.characters(codec=None, exclude_categories=())),
                 max_size=60).map("".join)


def _escaped(text: str) -> str:
    from vpcdsl.diagnostics import escape_controls
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", escape_controls(text))


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_highlight_html_never_raises_and_shows_every_character(text):
    # Pygments reads \r\n and \r as line breaks and drops a leading byte-order mark.
    expected = _escaped(text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff"))
    for inline in (False, True):
        out = highlight_html(text, inline=inline)
        assert out == highlight_html(text, inline=inline)  # deterministic
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]", out)
        visible = html.unescape(re.sub("<[^>]+>", "", out))
        if inline:
            assert visible == expected
        else:  # a block always ends its last line
            assert visible == expected.removesuffix("\n") + "\n" + "\n"  # ... and the formatter's own newline
