"""Everything vpcdsl tells a user: one Diagnostic type, its stable codes, its printed form.

Codes are grouped by stage (E0xx syntax, E1xx addresses, E2xx names and
structure, E3xx routing, E4xx filters, E5xx hybrid, E6xx placement and
instances, E7xx DNS and edge, E9xx expectations; Wxxx the same ranges for
warnings). `CODES` is the one table of them; docs/DIAGNOSTICS.md is generated
from it and a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal

from .span import Span

Severity = Literal["error", "warning"]

CODES: dict[str, str] = {
    # --- E0xx syntax -------------------------------------------------------
    "E001": "unexpected token",
    "E002": "unexpected character",
    "E003": "unexpected end of file",
    "E004": "file cannot be read or decoded",
    # --- E1xx addresses ----------------------------------------------------
    "E101": "invalid address or CIDR literal",
    "E102": "CIDR has host bits set",
    "E103": "VPC IPv4 block size outside /16../28",
    "E104": "subnet outside its VPC's blocks",
    "E105": "subnet size outside /16../28",
    "E106": "overlapping subnets in one VPC",
    "E107": "overlapping VPC blocks",
    "E108": "too many IPv4 blocks in a VPC (5 by default)",
    "E109": "169.254.0.0/16 (link-local) is never allowed",
    "E110": "instance address outside its subnet or reserved",
    "E111": "address of the wrong family (IPv4 vs IPv6)",
    "E112": "subnet IPv6 block outside the VPC's IPv6 block",
    "E113": "no free block left to allocate a subnet",
    "E114": "subnet host count impossible",
    "E115": "two interfaces with the same address",
    "E116": "secondary block in a range AWS restricts for this primary",
    "E117": "VPC without an IPv4 block",
    "E118": "invalid port, range or protocol number",
    "E119": "site CIDRs overlap the VPC it connects to",
    "W101": "VPC IPv6 block is not a /56 (only with IPAM or BYOIP)",
    "W102": "subnet IPv6 block is not a /64 (only with IPAM or BYOIP)",
    # --- E2xx names and structure -----------------------------------------
    "E201": "unknown name",
    "E202": "duplicate name",
    "E203": "reserved word used as a name",
    "E204": "reference to the wrong kind of object",
    "E205": "reference to an object in another VPC",
    "E206": "more than one internet gateway in a VPC",
    "E207": "more than one egress-only internet gateway in a VPC",
    "E208": "subnet associated with more than one route table",
    "E209": "more than one main route table",
    "E210": "subnet associated with more than one network ACL",
    "E211": "subnet without an availability zone",
    "E212": "availability zone not in the VPC's region",
    "E213": "unknown region",
    "E214": "peering a VPC with itself",
    "E215": "more than one virtual private gateway in a VPC",
    # --- E3xx routing -------------------------------------------------------
    "E301": "peering between VPCs with overlapping CIDRs",
    "E302": "hand-written route to a gateway endpoint",
    "E303": "route target cannot take this route",
    "E304": "duplicate route destination in one table",
    "E305": "route more specific than the local route",
    "E306": "route through a peering connection this VPC is not part of",
    "E307": "propagation from something other than this VPC's VGW",
    "E308": "transit gateway route target is not one of its attachments",
    "E309": "transit gateway attachment problem",
    "E310": "duplicate peering between the same two VPCs",
    "E311": "unknown prefix list",
    "E312": "transit gateway attachment to a VPC of another region",
    "E313": "transit gateway route table associates or propagates something that is not an attachment",
    "E314": "transit gateway attachment associated with two route tables (or two tables of one name)",
    "E315": "propagation of a transit gateway peering attachment (static routes only)",
    "E316": "transit gateway peering attachment to itself, or a second one between two TGWs",
    "W301": "public NAT in a subnet without a route to an internet gateway",
    "W302": "private subnets use a NAT in another availability zone",
    "W303": "VPC block in 172.17.0.0/16 clashes with some AWS services",
    "W304": "route hidden by more specific routes of its table (it never decides)",
    "W305": "route to a peering connection for addresses the peer VPC does not own",
    "W306": "transit gateway route table associated with no attachment",
    "W307": "security group names a group across a transit gateway whose SG referencing is off",
    # --- E4xx filters -------------------------------------------------------
    "E401": "NACL rule number outside 1..32766",
    "E402": "duplicate NACL rule number",
    "E403": "ports given for a protocol that has none",
    "E404": "security group reference across an inter-region peering",
    "E405": "security group reference to a VPC that is neither this one nor peered",
    "E406": "ICMP type where the protocol is not ICMP",
    "W401": "NACL rule shadowed by earlier rules (one, or several together)",
    "W402": "security group with `out none` and outbound rules",
    "W403": "SSH, RDP, a database port or every port open to the whole internet",
    "W404": "network ACL admits requests but not their responses (ephemeral ports)",
    "W405": "security group rule covered by another rule of the group",
    "W406": "security group rule names a group no network interface uses",
    "W407": "load balancer target whose security groups do not admit the load balancer",
    # --- E5xx hybrid --------------------------------------------------------
    "E501": "duplicate ASN among CloudHub sites",
    "E502": "VPN ends on something that is not a VGW, TGW or instance",
    "E503": "Direct Connect VIF type does not fit its target",
    "E504": "VPN over a Direct Connect link of another site",
    "E505": "Direct Connect gateway attached to something other than a VGW or TGW, or to both",
    "E506": "ASN outside the valid range (Amazon-side ASNs must be private)",
    "E507": "overlapping CIDRs among CloudHub sites",
    "E508": "advertisement outside the site's CIDRs, or over a link of another site",
    "E509": "VPN without a routing choice (`bgp` or `static`)",
    "E520": "advertisement over a static VPN, which runs no BGP",
    "E521": "MED outside 0..4294967295",
    "W501": "single Direct Connect link without a backup",
    "W502": "software VPN instance keeps its source/dest check on",
    "W503": "no route back to a site from the VPC its VPN or Direct Connect reaches",
    "W520": "local-preference community on a VPN or public VIF, where AWS does not read it",
    "W521": "MED without `via` on a site with several links: the same on every path",
    "W522": "`vpn-ecmp` on a transit gateway whose VPNs all use static routing",
    # --- E6xx placement and instances --------------------------------------
    "E601": "cluster placement group spans availability zones",
    "E602": "more than 7 instances per AZ in a spread group",
    "E603": "more than 7 partitions, or a member outside the partitions",
    "E604": "instance in more than one placement group",
    "E605": "Dedicated Host instance in a placement group",
    "E606": "dedicated instance in a spread group",
    "E607": "dedicated instances in a partition group with more than 2 partitions",
    "E608": "placement group member is not an instance",
    "W601": "cluster placement group member without enhanced networking",
    "W602": "instance with a public IP in a subnet without an internet route",
    # --- E7xx DNS and edge -------------------------------------------------
    "E701": "weight outside 0..255",
    "E702": "geoproximity bias outside -99..99",
    "E703": "unknown DNS record type",
    "E704": "CNAME at the zone apex",
    "E705": "duplicate health check or set identifier",
    "E706": "failover set needs exactly one primary and one secondary",
    "E707": "application load balancer needs subnets in at least two AZs",
    "E708": "listener protocol not supported by this load balancer type",
    "E709": "rule that only an application load balancer supports",
    "E710": "load balancer subnet problem",
    "E711": "alias to something that cannot be an alias target",
    "E712": "invalid location or coordinates",
    "E713": "listener port used twice",
    "E714": "rule for a port with no listener",
    "E715": "CDN origin cannot serve",
    "E716": "record value does not fit the record type",
    "E717": "conflicting records for one name (policies, simple records, CNAME beside others)",
    "E718": "unknown CloudFront security policy, or one its SSL mode cannot use",
    "E719": "record TTL above Route 53's maximum (2147483647 seconds)",
    "W701": "path on a TCP health check",
    "W702": "health check on an address Route 53's checkers cannot reach",
    "W703": "internet-facing load balancer in a subnet without a route to an internet gateway",
    # --- E9xx expectations --------------------------------------------------
    "E901": "expectation failed",
    "E902": "unknown component kind in `by`",
    "E903": "expectation names a flow that cannot be traced",
    "E904": "DNS expectation cannot be answered",
    "W900": "expectation not evaluated yet",
}


@dataclass(frozen=True, slots=True)
class Note:
    """A second place a diagnostic is about: the rule that shadows, the route that hides."""

    message: str
    span: Span

    def to_dict(self) -> dict:
        s = self.span
        return {"message": self.message, "file": s.file, "line": s.line, "col": s.col,
                "end_line": s.end_line, "end_col": s.end_col}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message for the user, with where it points and what to do about it.

    ``related`` are the other places the finding is about, each with a short
    message; they print as ``= note:`` lines under the source line.
    """

    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[Note, ...] = ()

    def sort_key(self):
        return (self.span.file, self.span.line, self.span.col, self.code, self.message)

    def __str__(self) -> str:
        return render(self, None)

    def _repr_pretty_(self, p, cycle):  # IPython: the compiler-style text, not the dataclass
        p.text(render(self, None))

    def _repr_html_(self) -> str:  # Jupyter
        from .views.notebook.rich import diagnostic_repr_html
        return diagnostic_repr_html(self)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "end_line": self.span.end_line,
            "end_col": self.span.end_col,
            "hint": self.hint,
            "related": [note.to_dict() for note in self.related],
        }


def error(code: str, message: str, span: Span, hint: str | None = None,
          related: Iterable[Note] = ()) -> Diagnostic:
    assert code in CODES and code.startswith("E"), code
    return Diagnostic(code, "error", message, span, hint, tuple(related))


def warning(code: str, message: str, span: Span, hint: str | None = None,
            related: Iterable[Note] = ()) -> Diagnostic:
    assert code in CODES and code.startswith("W"), code
    return Diagnostic(code, "warning", message, span, hint, tuple(related))


class Diagnostics(list):
    """A list of diagnostics that knows the sources they point into, so that it
    prints (and displays in Jupyter) each with its source line and caret."""

    def __init__(self, items: Iterable[Diagnostic] = (), sources: dict[str, str] | None = None):
        super().__init__(items)
        self.sources = sources if sources is not None else {}

    def render(self, color: bool = False) -> str:
        return render_all(self, self.sources, color=color)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(self.render() if self else "no diagnostics")

    def _repr_html_(self) -> str:  # Jupyter
        from .views.notebook.rich import diagnostics_repr_html
        return diagnostics_repr_html(self)


class VpcdslError(Exception):
    """Raised when a model has errors; carries every diagnostic, not just the first."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: dict[str, str] | None = None):
        self.diagnostics = tuple(diagnostics)
        self.sources = sources or {}
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        summary = f"{first.span}: {first.severity}[{first.code}]: {first.message}" if first else "error"
        if len(errors) > 1:
            summary += f" (and {len(errors) - 1} more error{'s' if len(errors) > 2 else ''})"
        super().__init__(summary)

    def render(self, color: bool = False) -> str:
        return render_all(self.diagnostics, self.sources, color=color)

    def _repr_html_(self) -> str:  # Jupyter: every diagnostic with its snippet
        from .views.notebook.rich import diagnostics_repr_html
        return diagnostics_repr_html(Diagnostics(self.diagnostics, self.sources))


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def sorted_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics in source order, duplicates removed (determinism)."""
    return sorted(set(diagnostics), key=Diagnostic.sort_key)


# `# vpcdsl: ignore W401, W403` on a line silences those warnings there. The
# grammar drops comments, so this reads the source text; strings are blanked
# first so a `#` inside one starts no comment.
_IGNORE = re.compile(r"#.*?\bvpcdsl:\s*ignore\s+([A-Za-z]\d{3}(?:\s*,\s*[A-Za-z]\d{3})*)")
_STRING = re.compile(r'"(?:\\.|[^"\\])*"')


def ignored_on(line: str) -> frozenset[str]:
    """The codes a ``# vpcdsl: ignore CODE, ...`` comment on ``line`` names.

    >>> sorted(ignored_on('  sg ssh { in tcp 22 from 0.0.0.0/0 }   # vpcdsl: ignore W403,w405'))
    ['W403', 'W405']
    >>> ignored_on('  a TXT simple "# vpcdsl: ignore W701"')
    frozenset()
    """
    if "vpcdsl:" not in line:
        return frozenset()
    m = _IGNORE.search(_STRING.sub('""', line))
    if m is None:
        return frozenset()
    return frozenset(code.strip().upper() for code in m.group(1).split(","))


def without_ignored(diagnostics: Iterable[Diagnostic], sources: dict[str, str],
                    ignore: Iterable[str] = ()) -> list[Diagnostic]:
    """``diagnostics`` less the warnings the user silenced: by code everywhere (``ignore``,
    `vpcdsl check --ignore`), or by a ``# vpcdsl: ignore CODE`` comment on the warning's
    own line. Errors are never silenced: AWS would refuse the configuration anyway.
    """
    ignore = frozenset(code.upper() for code in ignore)
    kept = []
    for d in diagnostics:
        if d.severity == "warning":
            if d.code in ignore:
                continue
            line = _line_at(d.span, sources.get(d.span.file))
            if line is not None and d.code in ignored_on(line):
                continue
        kept.append(d)
    return kept


_COLORS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "hint": "\x1b[1;36m", "reset": "\x1b[0m"}


def render(diag: Diagnostic, source: str | None, color: bool = False, *,
           sources: dict[str, str] | None = None) -> str:
    """The compiler-style form: location, message, source line, caret, notes, hint.

    Each related place prints as a ``= note:`` line with its location and
    source line, marked with ``-`` (a secondary span, as rustc marks them);
    its source is ``source`` when it is in the diagnostic's file, else taken
    from ``sources``. Control characters from the source (ESC, BEL,
    bidirectional overrides) are shown escaped, `\\x1b`, with the caret still
    under the span.

    >>> from vpcdsl.span import Span
    >>> d = Diagnostic("E104", "error", "subnet 'bad' is outside VPC 'a'", Span("m.vpc", 1, 8, 1, 11), "widen it")
    >>> print(render(d, "subnet bad 10.1.0.0/24"))
    m.vpc:1:8: error[E104]: subnet 'bad' is outside VPC 'a'
      1 | subnet bad 10.1.0.0/24
        |        ^^^
        = hint: widen it
    >>> d = Diagnostic("W401", "warning", "rule 200 is shadowed", Span("m.vpc", 2, 1, 2, 4), None,
    ...                (Note("by rule 100", Span("m.vpc", 1, 1, 1, 4)),))
    >>> print(render(d, "in 100 allow any from any\\nin 200 deny tcp 22 from 10.0.0.0/8"))
    m.vpc:2:1: warning[W401]: rule 200 is shadowed
      2 | in 200 deny tcp 22 from 10.0.0.0/8
        | ^^^
        = note: m.vpc:1:1: by rule 100
          1 | in 100 allow any from any
            | ---
    """
    c = _COLORS if color else {k: "" for k in _COLORS}
    sev = f"{c[diag.severity]}{diag.severity}[{diag.code}]{c['reset']}"
    out = [f"{diag.span}: {sev}: {escape_controls(diag.message)}"]
    snippet = _snippet(diag.span, source, "^", c[diag.severity], c["reset"])
    out.extend(f"  {line}" for line in snippet)
    gutter = "  " + " " * len(str(diag.span.line)) + " " if snippet else "  "
    for note in diag.related:
        out.append(f"{gutter}= {c['hint']}note{c['reset']}: {note.span}: {escape_controls(note.message)}")
        text = source if note.span.file == diag.span.file else (sources or {}).get(note.span.file)
        out.extend(f"{gutter}  {line}" for line in _snippet(note.span, text, "-", "", ""))
    if diag.hint:
        out.append(f"{gutter}= {c['hint']}hint{c['reset']}: {escape_controls(diag.hint)}")
    return "\n".join(out)


def _snippet(span: Span, source: str | None, mark: str, on: str, off: str) -> list[str]:
    """The numbered source line of ``span`` and the marks under it (none without the line)."""
    raw = _line_at(span, source)
    if raw is None:
        return []
    num = str(span.line)
    pad = " " * len(num)
    start = max(span.col, 1)
    if span.end_line == span.line and span.end_col > start:
        end = span.end_col
    else:
        end = len(raw) + 1
    text = escape_controls(raw)
    # Columns count source characters; an escaped one is several printed ones.
    caret_start = len(escape_controls(raw[:start - 1])) + max(start - 1 - len(raw), 0)
    segment = raw[start - 1:end - 1]
    width = max(len(escape_controls(segment)) + max(end - start - len(segment), 0), 1)
    return [f"{num} | {text}", f"{pad} | {' ' * caret_start}{on}{mark * width}{off}"]


def source_line(diag: Diagnostic, source: str | None) -> str | None:
    """The line `render` shows under the message (tabs as one column), or None."""
    return _line_at(diag.span, source)


def note_lines(diag: Diagnostic, source: str | None,
               sources: dict[str, str] | None = None) -> list[str | None]:
    """The source line `render` shows under each of ``diag.related`` (None where it shows none)."""
    return [_line_at(n.span, source if n.span.file == diag.span.file else (sources or {}).get(n.span.file))
            for n in diag.related]


def _line_at(span: Span, source: str | None) -> str | None:
    lines = _lines(source) if source is not None else ()
    if 1 <= span.line <= len(lines):
        return lines[span.line - 1].expandtabs(1).rstrip("\r")
    return None


# C0 controls (tab and newline aside), DEL, C1 controls, and the
# bidirectional overrides and isolates a source line could hide text with.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    r"""`text` with every control character shown as an escape, as compilers print them.

    >>> escape_controls("a\x1b[2Jb\x07")
    'a\\x1b[2Jb\\x07'
    """
    return _CONTROLS.sub(_escaped, text)


@lru_cache(maxsize=16)
def _lines(source: str) -> tuple[str, ...]:
    """A source's lines, split once however many diagnostics point into it.

    A str caches its hash, so looking up the same source again costs O(1).
    """
    return tuple(source.splitlines())


def render_all(diagnostics: Iterable[Diagnostic], sources: dict[str, str], color: bool = False) -> str:
    return "\n\n".join(render(d, sources.get(d.span.file), color, sources=sources) for d in diagnostics)


# ----------------------------------------------------------------------------
# docs/DIAGNOSTICS.md is generated from CODES:
#   python -m vpcdsl.diagnostics > docs/DIAGNOSTICS.md
# tests/test_docs.py fails when the two differ (a code was added or reworded).
# ----------------------------------------------------------------------------

# The first digit of a code names its stage (E1xx and W1xx are both addresses).
STAGES: dict[str, str] = {
    "0": "Syntax and input", "1": "Addresses", "2": "Names and structure", "3": "Routing",
    "4": "Filters (security groups and network ACLs)", "5": "Hybrid (VPN, Direct Connect, BGP)",
    "6": "Placement groups and instances", "7": "DNS, CloudFront and load balancers",
    "8": "Analyses", "9": "Expectations",
}

_DIAGNOSTICS_DOC_HEAD = """\
# Diagnostics

<!-- Generated from vpcdsl.diagnostics.CODES; do not edit by hand. Regenerate with
     python -m vpcdsl.diagnostics > docs/DIAGNOSTICS.md -->

Everything `vpcdsl` tells you is a *diagnostic*: a stable code, a severity, a
message, the place in the source it is about, and usually a hint.

- **Errors** (`E...`) break an AWS rule or the language: AWS would refuse
  the configuration, or the model cannot mean anything. `vpcdsl check` exits
  with status 1, and `vpcdsl.load` raises `VpcdslError` (pass `strict=False`
  to get the model anyway).
- **Warnings** (`W...`) flag what AWS accepts but an architect would
  question (a NAT gateway in another AZ, a shadowed NACL rule, SSH open to
  the internet, a NACL that admits requests but not their responses). They
  never change the exit status, and can be silenced (below).

Codes are grouped by the stage that reports them: the first digit is the
stage (table below). A code never changes meaning; new codes are added at
the end of their group.

## The printed form

`vpcdsl check` prints each diagnostic like a compiler, in source order:

```
examples/three-tier.vpc:24:5: warning[W302]: route table 'private' sends subnet 'app-b' (us-east-1b) to NAT gateway 'nat-a' in us-east-1a
  24 |     0.0.0.0/0      -> nat-a
     |     ^^^^^^^^^^^^^^^^^^^^^^^
     = hint: NAT gateways are zonal: if us-east-1a fails, these subnets lose their outbound access; give each AZ its own NAT gateway and route table
```

- `FILE:LINE:COL` is where the problem is, 1-based (the column counts
  characters; a tab counts as one). It points at the most specific thing:
  the CIDR, the reference, the rule, not the whole statement.
- `SEVERITY[CODE]: MESSAGE` says what is wrong, naming the objects in
  quotes and giving the values involved.
- The source line follows with `^` under the span (to the end of the line
  when the span covers several lines).
- `= note: FILE:LINE:COL: ...` names another place the finding is about
  (the rules that shadow a rule, the routes that hide a route, the group a
  target lacks), with its source line marked by `-`; one line per place.
- `= hint:` says what to do about it, when there is something to say.
- Control characters of the source (ESC, BEL, bidirectional overrides) are
  printed escaped, `\\x1b`, in the source line, message and hint, so a
  hostile file cannot drive the reader's terminal; the caret still points
  at the right character.

A finding about two places points at both:

```
nacl.vpc:10:5: warning[W401]: rule 300 (allow tcp 5432 from 10.0.0.0/16) of network ACL 'db' is shadowed by rules 100 and 200 together
  10 |     in  300 allow tcp 5432       from 10.0.0.0/16
     |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
     = note: nacl.vpc:8:5: rule 100 (allow tcp 5432 from 10.0.0.0/17) matches part of it
       8 |     in  100 allow tcp 5432       from 10.0.0.0/17
         |     ---------------------------------------------
     = note: nacl.vpc:9:5: rule 200 (deny tcp 5432 from 10.0.128.0/17) matches part of it
       9 |     in  200 deny  tcp 5432       from 10.0.128.0/17
         |     -----------------------------------------------
     = hint: rules are evaluated from the lowest number and the first match decides: if rule 300 should win, number it below 100; else remove it
```

Objects AWS creates implicitly (the main route table `VPC.main`, the
default network ACL `VPC.default-nacl` and security group `VPC.default-sg`)
have no line of their own; diagnostics about them point at the VPC's name.

After the diagnostics come one line per expectation
(`FILE:LINE: expect passed|failed|not-evaluated: TEXT`) and a status line
per model: `PATH: ok: 0 errors, 2 warnings` or `PATH: FAILED: 1 error, 0
warnings`. `-q` prints only the diagnostics. The exit status is 0 without
errors or failed expectations, 1 with them, and 2 for usage errors and
unreadable files.

`vpcdsl check --json` prints the same as data: for each model its `path`, a
list of `diagnostics` (each with `code`, `severity`, `message`, `file`,
`line`, `col`, `end_line`, `end_col`, `hint` and `related`, the notes: a
list of `message`, `file`, `line`, `col`, `end_line`, `end_col`) and a list
of `expectations` (`line`, `text`, `status`, `detail`). From Python, a
`Diagnostic` has the same fields (`d.span.line`, `d.related[0].span`, ...)
and `render_all(model.diagnostics, model.sources)` returns the printed form.

## Silencing a warning

A warning you have looked at and accept is silenced where it points: the
comment `# vpcdsl: ignore CODE` (several codes comma-separated, any case) on
the line of the warning's `FILE:LINE` drops those codes on that line.

```
  sg bastion { in tcp 22 from 0.0.0.0/0 }   # vpcdsl: ignore W403 (jump host, audited)
```

`vpcdsl check --ignore W304,W405` drops codes everywhere, for one run.
Silenced warnings are not printed, not in `--json`, and not counted in the
status line. Errors cannot be silenced: AWS would refuse the configuration
anyway (`--ignore E104` is a usage error, exit status 2).

## Codes
"""


def codes_markdown() -> str:
    """docs/DIAGNOSTICS.md: how diagnostics read, and `CODES` as one table per stage.

    >>> "| `E104` | error | subnet outside its VPC's blocks |" in codes_markdown()
    True
    """
    by_stage: dict[str, list[str]] = {}
    for code in CODES:
        by_stage.setdefault(code[1], []).append(code)
    parts = [_DIAGNOSTICS_DOC_HEAD]
    for digit in sorted(by_stage):
        parts.append(f"\n### {code_range(digit)}: {STAGES.get(digit, 'Other')}\n\n"
                     "| code | severity | meaning |\n|---|---|---|\n")
        for code in sorted(by_stage[digit], key=lambda c: (c[0] != "E", c)):
            severity = "error" if code.startswith("E") else "warning"
            meaning = CODES[code].replace("|", "\\|")
            parts.append(f"| `{code}` | {severity} | {meaning} |\n")
    return "".join(parts).rstrip("\n")


def code_range(digit: str) -> str:
    """``E1xx / W1xx``"""
    return f"E{digit}xx / W{digit}xx"


if __name__ == "__main__":
    print(codes_markdown())
