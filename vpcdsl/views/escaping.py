"""Every string from a model reaches DOT through this module, never raw.

`plain` makes plain (escString) labels, `html` the text inside HTML-like
labels, `dot_id` the DOT id of a model-graph node; `clean` replaces the
control characters no label may carry.
"""

from __future__ import annotations

import re
from typing import Any

import graphviz

__all__ = ["clean", "html", "plain", "dot_id"]

# Characters no label may carry: control characters break DOT strings and SVG's XML.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9_.#-]")


def clean(value: Any) -> str:
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(value))


def html(value: Any) -> str:
    r"""Text for an HTML-like label: markup characters become entities.

    Graphviz still reads escString sequences (``\N``, ``\G``) in HTML-like
    labels, so a backslash is doubled too.

    >>> print(html('<b>"x" & \'y\'</b> \\N'))
    &lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt; \\N
    """
    return (clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#39;").replace("\\", "\\\\"))


def plain(*lines: Any) -> str:
    """A plain (escString) label of `lines`: backslashes literal, never read as HTML.

    Graphviz decodes entities in plain labels too, so ``&`` becomes ``&amp;``;
    graphviz's quoting escapes the double quotes.

    >>> print(graphviz.quoting.quote(plain('a "b" &', "<c>")))
    "a \\"b\\" &amp;\\n<c>"
    """
    return graphviz.nohtml("\\n".join(clean(line).replace("&", "&amp;").replace("\\", "\\\\")
                                        for line in lines))


def dot_id(node: str) -> str:
    """The DOT id of a model-graph node id: ``subnet:public-a`` -> ``subnet__public-a``.

    >>> dot_id("subnet:public-a"), dot_id("dns-zone:a b")
    ('subnet__public-a', 'dns-zone__a_20_b')
    """
    return _UNSAFE_ID.sub(lambda m: f"_{ord(m.group()):x}_", node.replace(":", "__", 1))
