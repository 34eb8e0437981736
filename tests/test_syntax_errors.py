"""Syntax errors: the catalogue, the messages, recovery, and its cost."""

from __future__ import annotations

import time

import pytest
from lark.exceptions import UnexpectedInput

import vpcdsl
from vpcdsl.diagnostics import VpcdslError, render_all
from vpcdsl.syntax.grammar import tree_parser
from vpcdsl.syntax.parser import MAX_SYNTAX_ERRORS, _ast_parser, parse, parse_to_tree
from vpcdsl.syntax.syntax_errors import CATALOGUE, _variants, classify, match_label

SNIPPETS = [(label, snippet) for label, (_m, _h, snippets) in CATALOGUE.items() for snippet in snippets]
PARSERS = {"ast": lambda: _ast_parser()[0], "tree": tree_parser}


def errors_of(text: str) -> list[tuple[str, int, int, str]]:
    file, diagnostics = parse(text, "t.vpc")
    assert file is None or not diagnostics or all(d.code not in ("E001", "E002", "E003") for d in diagnostics)
    return [(d.code, d.span.line, d.span.col, d.message) for d in diagnostics]


def the_error(text: str):
    file, diagnostics = parse(text, "t.vpc")
    assert file is None and len(diagnostics) == 1, [(d.code, d.span.line, d.message) for d in diagnostics]
    return diagnostics[0]


def _failure(parser, text: str) -> UnexpectedInput:
    with pytest.raises(UnexpectedInput) as info:
        parser.parse(text)
    return info.value


# ----------------------------------------------------------------------------
# The catalogue
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("parser_name", sorted(PARSERS))
@pytest.mark.parametrize("label, snippet", SNIPPETS, ids=[f"{lab}-{i}" for i, (lab, _) in enumerate(SNIPPETS)])
def test_catalogue_snippet_fails_and_is_classified_under_its_label(parser_name, label, snippet):
    parser = PARSERS[parser_name]()
    exc = _failure(parser, snippet)
    assert match_label(exc, parser) == label
    message, hint, _ = CATALOGUE[label]
    diag = classify(exc, snippet, "t.vpc", parser)
    assert diag.code in ("E001", "E002", "E003")
    if label != "sg-rule-number":  # recognised from the text, with its own span (tested below)
        assert message in diag.message


@pytest.mark.parametrize("label, snippet", SNIPPETS, ids=[f"{lab}-{i}" for i, (lab, _) in enumerate(SNIPPETS)])
def test_catalogue_snippet_matches_after_other_statements(label, snippet):
    """A mistake in the third statement of a file, or after sibling items, is recognised too."""
    parser = _ast_parser()[0]
    prefixed = "region us-east-1\nregion us-east-1; region us-east-1\n" + snippet
    assert match_label(_failure(parser, prefixed), parser) == label
    for variant in _variants(snippet, _failure(parser, snippet)):
        assert match_label(_failure(parser, variant), parser) == label, variant


def test_catalogue_labels_have_messages_and_snippets():
    for label, (message, hint, snippets) in CATALOGUE.items():
        assert message and snippets, label
        assert hint is None or hint.strip() == hint


def test_classify_defaults_to_the_tree_parser():
    with pytest.raises(UnexpectedInput) as info:
        parse_to_tree("vpc v {\n subnet s 10.0.0.0/24 az\n}")
    diag = classify(info.value, "vpc v {\n subnet s 10.0.0.0/24 az\n}", "t.vpc")
    assert (diag.code, diag.span.line, diag.span.col) == ("E001", 2, 25)
    assert diag.message.startswith("expected an availability zone after `az`")


# ----------------------------------------------------------------------------
# Common mistakes, in words
# ----------------------------------------------------------------------------

VPC = "vpc prod {\n  cidr 10.0.0.0/16\n  igw gw\n%s\n}\n"

MISTAKES = [
    ("missing-az-value", VPC % "  subnet app-a 10.0.1.0/24 az", "E001", 4, 30,
     "expected an availability zone after `az`, found the end of the line", "`az a`"),
    ("az-number", VPC % "  subnet app-a 10.0.1.0/24 az 1", "E001", 4, 31, "expected an availability zone", None),
    ("nacl-in-with-to",
     VPC % "  nacl n {\n    in 100 allow tcp 80 from 0.0.0.0/0\n    in 110 allow tcp 443 to 0.0.0.0/0\n  }",
     "E001", 6, 26, "an `in` rule takes `from SOURCE` and an `out` rule `to DEST`, found `to`", "inbound"),
    ("nacl-out-with-from", VPC % "  nacl n {\n    out 100 allow tcp 80 from 0.0.0.0/0\n  }",
     "E001", 5, 26, "an `in` rule takes `from SOURCE`", None),
    ("nacl-names-an-sg", VPC % "  nacl n {\n    in 100 allow tcp 80 from web\n  }",
     "E001", 5, 30, "expected the CIDR block (or `any`) the NACL rule applies to, found `web`", "not security groups"),
    ("sg-rule-number", VPC % "  sg web {\n    in tcp 22 from 10.0.0.0/8\n    in 100 allow tcp 80 from 0.0.0.0/0\n  }",
     "E001", 6, 8, "a security group rule has no rule number and no `allow`/`deny`", "only allow"),
    ("sg-allow-keyword", VPC % "  sg web { in allow tcp 80 from 0.0.0.0/0 }", "E001", 4, 15,
     "a security group rule has no rule number", None),
    ("deny-in-sg", VPC % "  sg web {\n    in tcp 22 from 10.0.0.0/8\n    deny tcp 80 from 0.0.0.0/0\n  }",
     "E001", 6, 5, "expected a security group rule (`in ...`, `out ...` or `out none`), found `deny`", "no `deny`"),
    ("misspelt-subnet", VPC % "  subent app-a 10.0.1.0/24 az a", "E001", 4, 3,
     "this is not something that can be written inside a `vpc` block, found `subent`", "did you mean `subnet`?"),
    ("misspelt-propagate", VPC % "  route-table r {\n    0.0.0.0/0 -> gw\n    propogate vgw\n  }", "E001", 6, 15,
     "expected a route (`DEST -> TARGET`) or `propagate VGW`, found `vgw`", None),
    ("misspelt-instance", VPC % "  instnace web-1 in a", "E001", 4, 3, "found `instnace`", "did you mean `instance`?"),
    ("misspelt-option", VPC % "  instance web-1 in a sgg web", "E001", 4, 23, "unexpected `sgg`", "did you mean `sg`?"),
    ("misspelt-top-level", "vcp prod {\n}\n", "E001", 1, 1, "expected a statement, found `vcp`", "did you mean `vpc`?"),
    ("route-without-arrow", VPC % "  route-table r {\n    0.0.0.0/0 -> gw\n    10.1.0.0/16 pcx-1\n  }",
     "E001", 6, 17, "expected `->` and a target after the route's destination, found `pcx-1`", "DEST -> TARGET"),
    ("route-fat-arrow", VPC % "  route-table r { 0.0.0.0/0 => gw }", "E002", 4, 29,
     "unexpected character '=': expected `->` and a target", None),
    ("expect-without-verdict", "expect web-1 -> db-1 tcp 5432\n", "E001", 1, 30,
     "expected `allowed` or `blocked` at the end of the expectation, found the end of the line", "allowed"),
    ("expect-wrong-verdict", "expect web-1 -> db-1 tcp 5432 denied\n", "E001", 1, 31,
     "expected `allowed` or `blocked`", None),
    ("expect-without-arrow", "expect web-1 db-1 tcp 5432 allowed\n", "E001", 1, 14,
     "expected `->` between the source and destination of the flow, found `db-1`", None),
    ("expect-by-nothing", "expect web-1 -> db-1 blocked by\n", "E001", 1, 32,
     "expected the kind of component after `by`", None),
    ("port-range-spaces", VPC % "  sg web { in tcp 1024 - 65535 from 0.0.0.0/0 }", "E002", 4, 24,
     "a port range is written without spaces", "`1024-65535`"),
    ("port-range-space-before", VPC % "  sg web { in tcp 1024 -65535 from 0.0.0.0/0 }", "E001", 4, 24,
     "a port range is written without spaces", "`1024-65535`"),
    ("port-range-space-after", VPC % "  sg web { in tcp 1024- 65535 from 0.0.0.0/0 }", "E002", 4, 23,
     "a port range is written without spaces", None),
    ("expect-port-range-spaces", "expect a -> b tcp 1024 - 65535 allowed\n", "E002", 1, 24,
     "a port range is written without spaces", None),
    ("ipv6-port-without-brackets", VPC % "  lb l network in a {\n    listen tcp 443 -> 2600:1f18::10:443\n  }",
     "E001", 5, 23, "an IPv6 address followed by a port must be written in brackets", "`[2600:1f18::10]:443`"),
    ("ipv6-without-port", VPC % "  lb l network in a {\n    listen tcp 443 -> 2600:1f18::10\n  }",
     "E001", 5, 23, "must be written in brackets", "`[2600:1f18::10]:PORT`"),
    ("ipv6-health-check-without-brackets", "dns example.com {\n  health hc http 2600:1f18::10:80 /health\n}\n",
     "E001", 2, 18, "an IPv6 address followed by a port must be written in brackets", "`[2600:1f18::10]:80`"),
    ("unterminated-string", 'dns example.com {\n  mail MX simple "10 mx.example.com\n}\n', "E002", 2, 18,
     "unterminated string: no closing `\"` on this line", "ends on the line"),
    ("typographic-quote", "dns example.com {\n  mail MX simple \u201c10 mx.example.com\u201d\n}\n", "E002", 2, 18,
     "(a typographic quote)", "straight double quotes"),
    ("dollar", VPC % "  igw $gw2", "E002", 4, 7, "unexpected character '$': expected a name for this statement", None),
    ("non-ascii-name", VPC % "  subnet caf\u00e9 10.0.1.0/24 az a", "E002", 4, 13,
     "unexpected character '\u00e9'", None),
    ("missing-open-brace", "vpc prod\n  cidr 10.0.0.0/16\n  igw gw\n}\n", "E001", 1, 9,
     "expected `{` to open the block, on the same line as the statement, found the end of the line",
     "`vpc prod {`"),
    ("brace-on-next-line", "vpc prod\n{\n  cidr 10.0.0.0/16\n}\nexpect valid\n", "E001", 1, 9,
     "expected `{` to open the block", None),
    ("sg-brace-on-next-line", VPC % "  sg web\n  {\n    in tcp 80 from 0.0.0.0/0\n  }", "E001", 4, 9,
     "expected `{` to open the block", None),
    ("missing-close-before-next-vpc", "vpc a {\n  cidr 10.0.0.0/16\n  igw gw\n\nvpc b {\n  cidr 10.1.0.0/16\n}\n",
     "E001", 5, 1, "expected `}` to close the block of `vpc a` (line 1) before this line", "add the missing `}`"),
    ("missing-close-inner",
     VPC % "  route-table r {\n    0.0.0.0/0 -> gw\n\n  sg web {\n    in tcp 80 from 0.0.0.0/0\n  }",
     "E001", 7, 3, "expected `}` to close the block of `route-table r` (line 4) before this line", None),
    ("missing-close-at-eof", "vpc prod {\n  cidr 10.0.0.0/16\n  sg web {\n    in tcp 80 from 0.0.0.0/0\n  }\n",
     "E003", 1, 10, "unexpected end of file: the block of `vpc prod` is not closed", "add its `}`"),
    ("missing-inner-close-at-eof", "vpc prod {\n  cidr 10.0.0.0/16\n  sg web {\n    in tcp 80 from 0.0.0.0/0\n\n}\n",
     "E003", 3, 10, "unexpected end of file: the block of `sg web` is not closed", None),
    ("eof-mid-statement", "expect web-1 ->", "E003", 1, 16, "unexpected end of file; expected", None),
    ("eof-before-brace", "vpc prod", "E003", 1, 9,
     "expected `{` to open the block, on the same line as the statement, found the end of the file", None),
    ("stray-close", "vpc prod {\n  cidr 10.0.0.0/16\n}\n}\nexpect valid\n", "E001", 4, 1,
     "expected a statement, found `}`", None),
    ("top-level-item", "subnet s 10.0.0.0/24 az a\n", "E001", 1, 1, "expected a statement, found `subnet`", None),
    ("keyword-glued-to-a-name", VPC % "  igwmain", "E001", 4, 3, "found `igwmain`", None),
    ("keyword-glued-to-its-value", VPC % "  subnet app-a 10.0.1.0/24 aza", "E001", 4, 28, "unexpected `aza`",
     "did you mean `az`?"),
    ("trailing-comma-at-brace", VPC % "  route-table r for a, {\n  }", "E001", 4, 24,
     "a list ended with a comma", None),
    ("two-statements-on-a-line", VPC % "  igw a igw b", "E001", 4, 9, "expected a new line, `;` or `}` here", None),
    ("lb-type", VPC % "  lb web alb in a {\n  }", "E001", 4, 10, "expected the load balancer type", None),
    ("listener-protocol", VPC % "  lb web application in a {\n    listen ftp 21 -> x\n  }", "E001", 5, 12,
     "expected `listen PROTO PORT -> TARGET[:PORT], ...`", None),
    ("vpn-arrow", "vpn v office -> vgw bgp\n", "E001", 1, 14, "expected `<->` between the two ends of the link", None),
    ("dns-zone-not-a-domain", "dns example {\n}\n", "E001", 1, 5, "expected a domain name", None),
    ("dns-record-without-policy", "dns example.com {\n  www A 192.0.2.1\n}\n", "E001", 2, 9, "expected a record", None),
]


@pytest.mark.parametrize("text, code, line, col, message, hint", [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_common_mistake(text, code, line, col, message, hint):
    diag = the_error(text)
    assert (diag.code, diag.span.line, diag.span.col) == (code, line, col), diag.message
    assert message in diag.message
    if hint is not None:
        assert hint in (diag.hint or "")


def test_no_suggestion_for_unrelated_words():
    diag = the_error(VPC % "  frobnicate x")
    assert "did you mean" not in (diag.hint or "")


def test_e002_span_is_the_character():
    diag = the_error(VPC % "  igw gw$")
    assert (diag.span.line, diag.span.col, diag.span.end_line, diag.span.end_col) == (4, 9, 4, 10)


def test_e003_at_the_end_of_a_file_without_final_newline():
    diag = the_error("expect web-1 -> db-1 tcp")
    assert (diag.code, diag.span.line, diag.span.col) == ("E003", 1, 25)
    diag = the_error("expect web-1 -> db-1 tcp\n")  # the line ends the statement first
    assert (diag.code, diag.span.line, diag.span.col) == ("E001", 1, 25)


# ----------------------------------------------------------------------------
# Recovery: every error of a file, each at its own place
# ----------------------------------------------------------------------------

THREE_ERRORS = """\
region us-east-1

vpc prod {
  cidr 10.0.0.0/16
  subnet app-a 10.0.1.0/24 az
  igw gw
}

vpc shared {
  cidr 10.1.0.0/16
  sg tools {
    in tcp 22 from 10.0.0.0/8
    in tcp 443 to 0.0.0.0/0
  }
}

expect app-a -> shared tcp 22
expect valid
"""


def test_three_independent_errors_in_different_blocks():
    assert [(code, line, col) for code, line, col, _ in errors_of(THREE_ERRORS)] == [
        ("E001", 5, 30), ("E001", 13, 16), ("E001", 17, 30)]


def test_errors_in_every_statement_form_are_all_reported():
    text = ("vpc a { cidr 10.0.0.0/16; igw x y }\n"
            "vpc b {\n  sg s { in tcp 80 form x }\n}\n"
            "dns example.com {\n  www A simple\n  api A weighted { 10 -> 192.0.2.1 }\n}\n"
            "tgw t {\n  attach a for\n}\n")
    lines = [line for _, line, _, _ in errors_of(text)]
    assert lines == [1, 3, 6, 7, 10]


def test_two_errors_in_one_block_and_one_statement_each():
    text = VPC % "  subnet a 10.0.1.0/24 az\n  subnet b 10.0.2.0/24 az\n  nat n"
    assert [(line, col) for _, line, col, _ in errors_of(text)] == [(4, 26), (5, 26), (6, 8)]


def test_one_mistake_one_message_for_a_block_without_braces():
    assert len(errors_of("vpc prod\n  cidr 10.0.0.0/16\n  sg web\n    in tcp 80 from 0.0.0.0/0\n  }\n}\n")) == 1


def test_errors_after_a_missing_close_are_still_found():
    text = ("vpc a {\n  cidr 10.0.0.0/16\n\nvpc b {\n  cidr 10.1.0.0/16\n  subnet s 10.1.0.0/24 az\n}\n"
            "expect a -> b\n")
    assert [(line, col) for _, line, col, _ in errors_of(text)] == [(4, 1), (6, 26), (8, 14)]


def test_positions_after_semicolons_tabs_and_crlf():
    assert errors_of("region us-east-1; vpc v { cidr 10.0.0.0/16; igw }")[0][1:3] == (1, 49)
    assert errors_of("vpc v {\n\tsubnet s 10.0.0.0/24 az\n}")[0][1:3] == (2, 25)
    assert errors_of("vpc v {\r\n  igw\r\n  nat n\r\n}\r\n")[0][1:3] == (2, 6)
    assert [e[1:3] for e in errors_of("vpc v {\r\n  igw\r\n  nat n\r\n}\r\n")] == [(2, 6), (3, 8)]


def test_bad_literals_are_reported_with_syntax_errors():
    text = ("vpc a {\n  cidr 10.0.0.300/16\n}\nvpc b {\n  igw\n}\nvpc c {\n  cidr 10.2.0.1/16\n}\n"
            "vpc d {\n  cidr 10.3.0.0/33\n  nat\n}\n")
    got = [(code, line) for code, line, _, _ in errors_of(text)]
    assert sorted(got) == [("E001", 5), ("E001", 12), ("E101", 2), ("E101", 11), ("E102", 8)]


def test_at_most_max_syntax_errors():
    text = "".join(f"expect a{i} -> b{i} tcp 443\n" for i in range(5 * MAX_SYNTAX_ERRORS))
    found = errors_of(text)
    assert [line for _, line, _, _ in found] == list(range(1, MAX_SYNTAX_ERRORS + 1))


def test_recovery_is_deterministic():
    assert errors_of(THREE_ERRORS) == errors_of(THREE_ERRORS)


# ----------------------------------------------------------------------------
# The pipeline around syntax errors
# ----------------------------------------------------------------------------

def test_semantic_checks_are_skipped_when_the_syntax_fails():
    semantic = ("vpc prod {\n  cidr 10.0.0.0/16\n  subnet a 10.0.1.0/24 az a\n  subnet b 10.0.1.0/25 az a\n"
                "  instance web in nowhere\n}\n")
    clean = vpcdsl.loads(semantic, filename="t.vpc", strict=False)
    assert {d.code for d in clean.diagnostics} - {"W900"}, "the model should have semantic errors"
    broken = vpcdsl.loads(semantic + "expect web -> a tcp\n", filename="t.vpc", strict=False)
    assert [d.code for d in broken.diagnostics] == ["E001"]
    assert broken.syntax_ok is False


def test_strict_loads_raises_with_every_syntax_error():
    with pytest.raises(VpcdslError) as info:
        vpcdsl.loads(THREE_ERRORS, filename="t.vpc")
    assert [d.span.line for d in info.value.diagnostics] == [5, 13, 17]
    assert "(and 2 more errors)" in str(info.value)
    rendered = info.value.render()
    assert "t.vpc:13:16: error[E001]" in rendered and "Traceback" not in rendered


def test_rendered_syntax_error_shows_the_line_and_a_caret():
    model = vpcdsl.loads("vpc v {\n  subnet s 10.0.0.0/24 az\n}\n", filename="t.vpc", strict=False)
    assert render_all(model.diagnostics, model.sources) == (
        "t.vpc:2:26: error[E001]: expected an availability zone after `az`, found the end of the line\n"
        "  2 |   subnet s 10.0.0.0/24 az\n"
        "    |                          ^\n"
        "    = hint: write the AZ letter (`az a`) or its full name (`az us-east-1a`)")


def test_syntax_errors_in_several_files():
    model = vpcdsl.compile({"a.vpc": "vpc a {\n  igw\n}\n", "b.vpc": "expect a -> b\n",
                            "c.vpc": "vpc c {\n  cidr 10.2.0.0/16\n}\n"}, path="dir")
    assert [(d.span.file, d.span.line) for d in model.diagnostics] == [("a.vpc", 2), ("b.vpc", 1)]


# ----------------------------------------------------------------------------
# Cost: recovery reads each part of the file about once
# ----------------------------------------------------------------------------

def _model(vpcs: int) -> str:
    out = []
    for v in range(vpcs):
        out.append(f"vpc v{v} {{\n  cidr 10.{v % 250}.0.0/16\n  igw gw{v}\n")
        out += [f"  subnet s{v}-{i} 10.{v % 250}.{i}.0/24 az a" for i in range(40)]
        out.append(f"  sg web{v} {{\n    in tcp 443 from 0.0.0.0/0\n  }}\n}}")
    return "\n".join(out) + "\n"


def test_a_thousand_lines_with_an_error_on_each_is_quick():
    lines = ["vpc v {", "  cidr 10.0.0.0/16"] + [f"  subnet s{i} 10.0.{i % 256}.0/24 az" for i in range(998)]
    text = "\n".join(lines + ["}"]) + "\n"
    parse("vpc v {\n igw\n}", "warm-up.vpc")  # builds the catalogue index once
    start = time.perf_counter()
    found = errors_of(text)
    assert len(found) == MAX_SYNTAX_ERRORS
    assert time.perf_counter() - start < 2.0


def test_many_errors_cost_about_one_parse():
    text = _model(120)  # ~5,500 lines
    lines = text.split("\n")
    clean_start = time.perf_counter()
    assert parse(text, "t.vpc")[1] == []
    clean = time.perf_counter() - clean_start
    for i in list(range(3, 3 + 2 * MAX_SYNTAX_ERRORS, 2)):  # every error near the start
        lines[i] += " $"
    start = time.perf_counter()
    assert len(errors_of("\n".join(lines))) == MAX_SYNTAX_ERRORS
    assert time.perf_counter() - start < 3 * clean + 0.5
