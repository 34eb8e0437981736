"""Syntax highlighting of `.vpc` text: the Pygments lexer `VpcLexer` (registered as
``vpc`` by entry point, for pygmentize, Sphinx and nbconvert) and escaped HTML for
notebooks (`highlight_html`, `highlight_css`).

The token rules are one table, `RULES`, shared with the JupyterLab extension
(labextension/src/vocabulary.json is generated from `vocabulary()`), so the
editor and exported HTML agree. This is the only module that imports Pygments.
"""

from __future__ import annotations

import re

from pygments import highlight
from pygments.filter import Filter
from pygments.formatters import HtmlFormatter
from pygments.lexer import RegexLexer, default
from pygments.style import Style
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation,
                            String, Whitespace)

from ..diagnostics import escape_controls

__all__ = ["VpcLexer", "VpcStyle", "highlight_html", "highlight_css", "vocabulary",
           "CSS_CLASS", "NBCONVERT_CONFIG", "CATEGORIES"]

# ---------------------------------------------------------------------------- vocabulary
# Every alphabetic literal of grammar/vpc.lark is in exactly one group
# (tests/test_highlight.py holds the groups to the grammar).

# Statement words followed by the name they define (`subnet public-a`): at the
# start of a statement that name is a definition; elsewhere (`sg web` in an
# instance line) the word is a plain keyword.
DECLARATIONS = (
    "vpc", "peer", "tgw", "site", "vpn", "dxgw", "dx", "placement", "cdn",
    "subnet", "igw", "eigw", "nat", "nat-instance", "vgw", "route-table", "nacl", "sg",
    "instance", "endpoint", "lb", "health",
)
PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "http", "https", "tls", "tcp_udp", "ssl")
# Values chosen from a fixed set: actions, verdicts, modes, types.
CONSTANTS = (
    "allow", "deny", "allowed", "blocked", "any", "none", "blackhole", "default", "on", "off",
    "valid", "no-answer", "aws", "bgp", "eip", "public-ip", "private", "public", "transit",
    "primary", "secondary", "cluster", "spread", "partition", "linux", "windows", "ena",
    "intel-82599", "dedicated", "dedicated-ip", "sni", "application", "classic",
    "internet-facing", "internal", "static-only", "vpn-ecmp", "private-dns", "down", "main",
    "appliance-mode",
)
KEYWORDS = (
    "advertise", "asn", "associate", "attach", "az", "bandwidth", "bias", "by", "cidr",
    "community", "continent", "coords", "default-association", "default-propagation", "dns",
    "ephemeral", "expect", "failover", "for", "forward", "from", "gateway", "geolocation",
    "geoproximity", "header", "host", "hosts", "in", "interface", "ip", "ip-based", "ipv6",
    "isolated", "latency", "listen", "med", "method", "multivalue", "network", "origin", "os",
    "out", "over", "path", "peering", "prepend", "propagate", "query", "region", "route", "rule",
    "sg-referencing", "simple", "size", "source-dest-check", "source-ip", "state", "static",
    "tenancy", "to", "ttl", "via", "vif", "vlan", "weighted",
)
# Keywords followed by a value from an open vocabulary: an instance type, a
# CloudFront security policy.
OPEN_VOCABULARY = ("type", "policy")
# Reserved words that are not keywords (vpcdsl.aws.RESERVED): flow ends and services.
BUILTINS = ("internet", "local", "s3", "dynamodb", "glacier", "ssm", "ec2", "sts", "kms",
            "logs", "ecr", "sqs", "sns")

# ---------------------------------------------------------------------------- token rules
# Patterns are written for both Python's re and JavaScript's RegExp (the
# extension compiles the same strings): ASCII classes only, no named groups.

# A word ends where no name, word or domain character follows; `-` ends it only
# before a non-word character, so `nat-a` is one name and `a->b` is `a`, `->`, `b`.
_END = r"(?![A-Za-z0-9_.]|-[A-Za-z0-9_])"
_NAME = r"[A-Za-z_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_V4 = r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+"
_V6 = r"(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}"
_DOMAIN = r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]*\.?"


def _words(words) -> str:
    assert all(re.fullmatch(r"[a-z0-9_-]+", w) for w in words)  # nothing to escape
    return "(?:" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")" + _END


_WORD = r"[A-Za-z0-9_*?][A-Za-z0-9_.*?-]*"

# (category, pattern, only at a statement's start, what the next word is), tried
# in order. The last field names an entry of FOLLOWS or is None.
RULES: tuple[tuple[str, str, bool, str | None], ...] = (
    ("magic", r"%%?vpc(?![A-Za-z0-9_-])[^\n]*", True, None),  # a notebook cell's `%%vpc NAME` line
    ("comment", r"#[^\n]*", False, None),
    ("string", r'"(?:[^"\\\n]|\\.)*"?', False, None),        # unclosed: to the end of the line
    ("operator", r"<->|->", False, None),
    ("text", r'[^\s;{}=#"]+=[^\s;{}#"]*', False, None),       # a query condition, key=value
    ("address", _V4 + r"/[0-9]+|" + _V6 + r"/[0-9]+", False, None),
    ("address", _V4 + _END, False, None),
    ("address", _V6 + r"(?![A-Za-z0-9_.:-])", False, None),
    ("number", r"/[0-9]+(?![^\s;{}#])", False, None),         # a prefix length, /24
    ("text", r"/[^\s;{}#]*", False, None),                    # a URL path
    ("decimal", r"[0-9]+(?:\.[0-9]+)?[KMGT]bps" + _END, False, None),
    ("number", r"[0-9]+-[0-9]+" + _END, False, None),         # a port range
    ("decimal", r"[+-]?[0-9]+\.[0-9]+" + _END, False, None),
    ("number", r"[+-]?[0-9]+" + _END, False, None),
    ("constant", r"[@*](?![A-Za-z0-9_.*?-])", False, None),   # the zone apex, the wildcard label
    ("declaration", _words(DECLARATIONS), True, "definition"),
    ("protocol", _words(PROTOCOLS), False, None),
    ("constant", _words(CONSTANTS), False, None),
    ("keyword", _words(OPEN_VOCABULARY), False, "word"),      # `type m5.large` is no domain
    ("keyword", _words(KEYWORDS + DECLARATIONS), False, None),
    ("builtin", _words(BUILTINS), False, None),
    ("name", _NAME + _END, False, None),
    ("domain", _DOMAIN + r"(?![A-Za-z0-9_*?-])", False, None),
    ("word", _WORD, False, None),                             # TLSv1.2_2021, *.example.com
    ("separator", r"[{;]", False, None),                      # a statement starts after it
    ("punctuation", r"[}\[\](),:@]", False, None),          # ( ) of public-ip(NAME)
    ("whitespace", r"[ \t\r]+", False, None),
    ("newline", r"\n", False, None),
    ("error", r"[^\n]", False, None),                         # anything else, one character
)
# What the word after a rule's match is, if it has that form: the name a
# declaration defines; an open-vocabulary value. Otherwise the usual rules apply.
FOLLOWS = {"definition": ("definition", _NAME + _END), "word": ("word", _WORD)}

# How a token moves the statement state: back to a statement's start, nowhere,
# or else into the rest of the statement.
_TO_START = {"separator", "newline"}
_STAYS = {"whitespace", "comment"}

# Each category: its Pygments token and its CodeMirror 6 tag (@lezer/highlight
# `tags`, a modifier first where there is one).
CATEGORIES = {
    "magic": (Comment.Preproc, "meta"),
    "comment": (Comment.Single, "comment"),
    "string": (String.Double, "string"),
    "operator": (Operator, "operator"),
    "text": (String.Other, "special string"),
    "address": (Number, "number"),
    "number": (Number.Integer, "number"),
    "decimal": (Number.Float, "number"),
    "constant": (Keyword.Constant, "atom"),
    "declaration": (Keyword.Declaration, "definitionKeyword"),
    "protocol": (Keyword.Type, "typeName"),
    "keyword": (Keyword, "keyword"),
    "builtin": (Name.Builtin, "special variableName"),
    "definition": (Name.Class, "definition variableName"),
    "name": (Name, "variableName"),
    "domain": (Name.Namespace, "namespace"),
    "word": (Name.Other, "literal"),
    "separator": (Punctuation, "punctuation"),
    "punctuation": (Punctuation, "punctuation"),
    "whitespace": (Whitespace, None),
    "newline": (Whitespace, None),
    "error": (Error, "invalid"),
}


def _pygments_states() -> dict:
    """RULES as RegexLexer states: 'root' at a statement's start, 'rest' after
    its first token, and one state per FOLLOWS entry, left for 'rest'."""
    root, rest = [], []
    for category, pattern, at_start, follow in RULES:
        token = CATEGORIES[category][0]
        if category in _TO_START:
            root.append((pattern, token))
            rest.append((pattern, token, "#pop"))
        elif category in _STAYS:
            root.append((pattern, token))
            rest.append((pattern, token))
        else:
            root.append((pattern, token, ("rest", follow) if follow else "rest"))
            if not at_start:
                rest.append((pattern, token, follow) if follow else (pattern, token))
    states = {"root": root, "rest": rest}
    for state, (category, pattern) in FOLLOWS.items():
        states[state] = [(pattern, CATEGORIES[category][0], "#pop"),
                         (r"[ \t\r]+", Whitespace), default("#pop")]
    return states


class VpcLexer(RegexLexer):
    """Pygments lexer for vpcdsl's `.vpc` models (and `%%vpc` notebook cells).

    Keywords are keywords wherever they appear (the compiler's parser is
    contextual, so `main` may also name a subnet); a name right after a
    statement's declaration word (`subnet public-a`) is a definition.

    >>> from pygments.token import Keyword, Name
    >>> [(t, v) for t, v in VpcLexer().get_tokens("subnet main az a") if v.strip()][:2]
    [(Token.Keyword.Declaration, 'subnet'), (Token.Name.Class, 'main')]
    """

    name = "vpc"
    aliases = ["vpc", "vpcdsl"]
    filenames = ["*.vpc"]
    mimetypes = ["text/x-vpc"]
    tokens = _pygments_states()


def vocabulary() -> dict:
    """The token rules as data, for the JupyterLab extension's tokenizer
    (labextension/src/vocabulary.json; a test keeps the two identical)."""
    return {
        "comment": "generated from vpcdsl/views/highlight.py by tests/test_highlight.py "
                   "(UPDATE_GOLDEN=1); do not edit",
        "rules": [list(rule) for rule in RULES],
        "follows": {state: list(rule) for state, rule in FOLLOWS.items()},
        "toStart": sorted(_TO_START),
        "stays": sorted(_STAYS),
        "tags": {c: tag for c, (_, tag) in CATEGORIES.items() if tag is not None},
    }


# ---------------------------------------------------------------------------- HTML

CSS_CLASS = "vpc-highlight"

# nbconvert: `%%vpc` cells of an exported notebook are highlighted as vpc
# (`HTMLExporter(config=traitlets.config.Config(NBCONVERT_CONFIG))`, or on the
# command line --HighlightMagicsPreprocessor.languages %%vpc=vpc).
NBCONVERT_CONFIG = {"HighlightMagicsPreprocessor": {"languages": {"%%vpc": "vpc"}}}


class VpcStyle(Style):
    """Colours from JupyterLab's editor theme (its CSS variables, so dark themes
    work), with fallbacks for a page outside JupyterLab."""

    name = "vpc"
    background_color = "var(--jp-cell-editor-background,#f7f7f7)"
    styles = {
        Comment: "italic var(--jp-mirror-editor-comment-color,#408080)",
        Comment.Preproc: "noitalic var(--jp-mirror-editor-meta-color,#aa22ff)",
        String: "var(--jp-mirror-editor-string-color,#ba2121)",
        String.Other: "var(--jp-mirror-editor-string-2-color,#a45a77)",
        Number: "var(--jp-mirror-editor-number-color,#080)",
        Keyword: "bold var(--jp-mirror-editor-keyword-color,#008000)",
        Keyword.Constant: "nobold var(--jp-mirror-editor-atom-color,#88f)",
        Keyword.Type: "nobold var(--jp-mirror-editor-builtin-color,#b00040)",
        Name.Builtin: "var(--jp-mirror-editor-builtin-color,#008000)",
        Name.Class: "var(--jp-mirror-editor-def-color,#0000ff)",
        Name.Namespace: "var(--jp-mirror-editor-variable-2-color,#05a)",
        Name.Other: "var(--jp-mirror-editor-variable-3-color,#085)",
        Operator: "bold var(--jp-mirror-editor-operator-color,#aa22ff)",
        Punctuation: "var(--jp-mirror-editor-punctuation-color,#05a)",
        Error: "var(--jp-mirror-editor-error-color,#f00) border:#f00",
    }


# Lone surrogates (text decoded with surrogateescape) cannot be encoded to send
# to a browser; they are shown as escapes like the control characters.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _VisibleControls(Filter):
    """Token text with control characters shown as escapes (`\\x1b`), as diagnostics print them."""

    def filter(self, lexer, stream):
        for token, value in stream:
            value = escape_controls(value)
            yield token, _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def highlight_html(source: str, *, inline: bool = False) -> str:
    r"""`source` as highlighted HTML: Pygments classes (see `highlight_css`) in
    ``<div class="vpc-highlight"><pre>``, or only the spans with ``inline=True``
    (one source line of a diagnostic). Every character is escaped: HTML's specials
    as entities, control characters as visible escapes. Never raises.

    >>> highlight_html('sg "<b>" {\x1b}', inline=True)
    '<span class="kd">sg</span><span class="w"> </span><span class="s2">"&lt;b&gt;"</span><span class="w"> </span><span class="p">{</span><span class="err">\\x1b</span><span class="p">}</span>'
    """
    lexer = VpcLexer(stripnl=False, ensurenl=not inline)
    lexer.add_filter(_VisibleControls())
    source = str(source).replace("\r\n", "\n").replace("\r", "\n")  # as Pygments reads them
    out = highlight(source, lexer, HtmlFormatter(cssclass=CSS_CLASS, nowrap=inline))
    # The formatter ends every line with a newline, the last one too.
    return out[:-1] if inline and out.endswith("\n") and not source.endswith("\n") else out


def highlight_css(selector: str = "." + CSS_CLASS) -> str:
    """The stylesheet for `highlight_html`'s classes, scoped to `selector`."""
    formatter = HtmlFormatter(style=VpcStyle, cssclass=CSS_CLASS)
    return "\n".join(formatter.get_background_style_defs(selector)
                     + formatter.get_token_style_defs(selector))
