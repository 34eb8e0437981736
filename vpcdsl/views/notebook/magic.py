"""The IPython extension: ``%load_ext vpcdsl``, the ``%%vpc`` cell magic and the
``%vpc`` line magics.

    %%vpc [NAME] [--level LEVEL] [--routes labels|edges] [--focus X] [--part P] [--no-diagram]
        compile the cell (or this cell's part of model NAME), bind the model to NAME
        (default `_vpc`) and show its diagnostics, summary and drawing
    %vpc trace NAME SRC -> DST PROTO/PORT [--dns-from CLIENT]   one flow, hop by hop (a `Trace`);
                                              DST may be a DNS name of the model's zones, traced
                                              to each answer Route 53 gives SRC (or CLIENT)
    %vpc dns NAME FQDN [TYPE] [--from CLIENT] what Route 53 answers, and why
    %vpc check NAME                           the model's diagnostics and status
    %vpc plan NAME [--vpc V] [--hosts N | --size /P]   free space, utilisation, where a subnet fits
    %vpc reach NAME SRC [DST] [--to DST] [--service S] [--dns-from CLIENT]
                                              what SRC can reach / who reaches DST (a DNS name:
                                              per answer)
    %vpc diff OLD NEW                         what a change does: objects, requests newly allowed/blocked
    %vpc exposure NAME [--source S ...]       what the internet and each site reach, riskiest first
    %vpc matrix [NAME] [--level subnet|instance|vpc]  what reaches between every pair of ends
    %vpc explore NAME                         the explorer widget
    %vpc reset NAME                           forget the cells' parts of NAME

A client (``--from``, ``--dns-from``) is a region, a country, ``continent EU``, ``state US-CA``,
``coords LAT LON`` or an address, quoted or not.

A mistake in the model is shown as diagnostics, a mistake in the magic's own
arguments as a message with a hint: never a Python traceback.
"""

from __future__ import annotations

import argparse
import shlex

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import display

from ...api import compile_sources
from .cell_parts import ModelParts, part_key
from .shown import Message, ModelView

__all__ = ["VpcMagics", "load_ipython_extension", "DEFAULT_NAME"]

DEFAULT_NAME = "_vpc"
LEVELS = ("region", "vpc", "subnet", "instance")


class _UsageError(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.hint = hint


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting."""

    def error(self, message):
        raise _UsageError(message, f"usage: {self.format_usage().strip().removeprefix('usage: ')}")


def _cell_parser() -> _Parser:
    p = _Parser(prog="%%vpc", add_help=False)
    p.add_argument("name", nargs="?", default=DEFAULT_NAME)
    p.add_argument("--level", choices=LEVELS)
    p.add_argument("--routes", choices=("labels", "edges"))
    p.add_argument("--focus")
    p.add_argument("--part")
    p.add_argument("--no-diagram", action="store_true")
    return p


def _dns_parser() -> _Parser:
    p = _Parser(prog="%vpc dns", add_help=False)
    p.add_argument("name")
    p.add_argument("fqdn")
    p.add_argument("type", nargs="?", default="A")
    p.add_argument("--from", dest="client")
    return p


def _plan_parser() -> _Parser:
    p = _Parser(prog="%vpc plan", add_help=False)
    p.add_argument("name")
    p.add_argument("--vpc")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--hosts", type=int)
    size.add_argument("--size")
    return p


def _reach_parser() -> _Parser:
    p = _Parser(prog="%vpc reach", add_help=False)
    p.add_argument("name")
    p.add_argument("src", nargs="?")
    p.add_argument("dst", nargs="?")
    p.add_argument("--to")
    p.add_argument("--service")
    return p


# A client's first word and how many words it takes: `continent EU`, `state US-CA` and
# `coords LAT LON` may be written unquoted, as `expect dns ... from` writes them.
_CLIENT_WORDS = {"continent": 2, "state": 2, "coords": 3}


def _client_option(words: list[str], option: str) -> tuple[list[str], str | None]:
    """``words`` without ``OPTION CLIENT`` (or ``OPTION=CLIENT``), and CLIENT (its words
    joined: ``--from state US-CA`` needs no quotes)."""
    for i, word in enumerate(words):
        if word.startswith(option + "="):          # `--from=state US-CA`: as `--from state US-CA`
            words = [*words[:i], option, word.partition("=")[2], *words[i + 1:]]
            word = option
        if word == option:
            first = words[i + 1] if i + 1 < len(words) else None
            n = _CLIENT_WORDS.get((first or "").lower(), 1)
            if first is not None and n > 1 and i + 1 + n > len(words):
                raise _UsageError(f"{option} {first} needs {'a code' if n == 2 else 'a latitude and a longitude'}",
                                  {"continent": "e.g. continent EU", "state": "e.g. state US-CA"}.get(
                                      first.lower(), "e.g. coords 48.86 2.35"))
            if first is None or first.startswith("--"):
                raise _UsageError(f"{option} needs a client",
                                  "a region (eu-west-1), a country (DE), `continent EU`, `state US-CA`, "
                                  "`coords LAT LON` or an address")
            return words[:i] + words[i + 1 + n:], " ".join(words[i + 1:i + 1 + n])
    return words, None


def _dns_from(words: list[str]) -> tuple[list[str], str | None]:
    """``words`` without a ``--dns-from CLIENT``, and CLIENT."""
    return _client_option(words, "--dns-from")


def _exposure_parser() -> _Parser:
    p = _Parser(prog="%vpc exposure", add_help=False)
    p.add_argument("name")
    p.add_argument("--source", action="append")
    return p


def _matrix_parser() -> _Parser:
    from ...analysis.matrix import LEVELS as MATRIX_LEVELS
    p = _Parser(prog="%vpc matrix", add_help=False)
    p.add_argument("name", nargs="?", default=DEFAULT_NAME)
    p.add_argument("--level", choices=MATRIX_LEVELS, default="subnet")
    return p


@magics_class
class VpcMagics(Magics):
    def __init__(self, shell):
        super().__init__(shell)
        self.parts = ModelParts()
        self.models: dict[str, object] = {}
        self._cell_id: str | None = None
        shell.events.register("pre_run_cell", self._pre_run_cell)

    def _pre_run_cell(self, info) -> None:
        # JupyterLab sends each cell's id with its execution; nbconvert does not.
        self._cell_id = getattr(info, "cell_id", None)

    @line_cell_magic
    def vpc(self, line: str, cell: str | None = None):
        try:
            if cell is None:
                return self._line(line)
            self._cell(line, cell)
        except _UsageError as exc:
            display(Message(str(exc), exc.hint))
        return None

    # ------------------------------------------------------------------ %%vpc

    def _cell(self, line: str, cell: str) -> None:
        args = _cell_parser().parse_args(_split(line))
        if not args.name.isidentifier():
            raise _UsageError(f"{args.name!r} is not a Python name, so the model cannot be bound to it",
                              "use letters, digits and _ (for instance `%%vpc three_tier`)")
        key = part_key(cell, part=args.part, cell_id=self._cell_id)
        # A blank first line stands for the `%%vpc` line, so that diagnostics count
        # lines as the notebook's editor numbers them.
        sources = self.parts.put(args.name, key, "\n" + cell)
        model = compile_sources(sources, path=args.name)
        self.models[args.name] = model
        self.shell.user_ns[args.name] = model
        options = {k: v for k, v in (("level", args.level), ("routes", args.routes),
                                     ("focus", args.focus)) if v is not None}
        display(ModelView(model, draw=not args.no_diagram, **options))

    # ------------------------------------------------------------------ %vpc ...

    def _line(self, line: str):
        words = _split(line)
        if not words:
            raise _UsageError("say what to do", _LINE_HINT)
        command, rest = words[0], words[1:]
        if command == "trace":
            return self._trace(rest)
        if command == "dns":
            return self._dns(rest)
        if command == "plan":
            return self._plan(rest)
        if command == "reach":
            return self._reach(rest)
        if command == "diff":
            return self._diff(rest)
        if command == "exposure":
            return self._exposure(rest)
        if command == "matrix":
            return self._matrix(rest)
        if command == "check":
            return ModelView(self._model(rest[0] if rest else None), draw=False)
        if command == "explore":
            from .explorer import explore
            return explore(self._model(rest[0] if rest else None))
        if command == "reset":
            name = rest[0] if rest else DEFAULT_NAME
            model = self.models.pop(name, None)
            if model is not None and self.shell.user_ns.get(name) is model:
                del self.shell.user_ns[name]
            known = self.parts.reset(name)
            return Message(f"model {name!r} {'forgotten' if known else 'was not defined'}",
                           severity="note")
        raise _UsageError(f"unknown command {command!r}", _LINE_HINT)

    def _model(self, name: str | None):
        name = name or DEFAULT_NAME
        model = self.models.get(name)
        if model is None:
            value = self.shell.user_ns.get(name)
            if value is not None and hasattr(value, "dataplane"):
                return value        # a model loaded in Python, `model = vpcdsl.load(...)`
            known = ", ".join(sorted(self.models)) or "none yet"
            raise _UsageError(f"no model called {name!r} (models defined by %%vpc: {known})",
                              "define it in a cell that starts with `%%vpc NAME`")
        return model

    def _usable(self, name: str | None):
        model = self._model(name)
        if not model.ok:
            raise _UsageError(f"model {name!r} has {len(model.errors)} error(s): fix them first",
                              f"`%vpc check {name}` shows them")
        return model

    def _trace(self, words: list[str]):
        from ...flows.trace import FlowError
        from ..cli import parse_trace_spec
        from ...analysis.named_ends import is_name
        words, client = _dns_from(words)
        if len(words) < 2:
            raise _UsageError("trace needs a model and a flow",
                              "%vpc trace NAME SRC -> DST PROTO/PORT, e.g. %vpc trace prod web-1 -> db-1 tcp/5432")
        model = self._usable(words[0])
        flow = parse_trace_spec(" ".join(words[1:]))
        if flow is None:
            raise _UsageError(f"cannot read the flow {' '.join(words[1:])!r}",
                              "write it as SRC -> DST PROTO/PORT (or SRC DST PROTO/PORT)")
        if client is not None and not is_name(flow[1]):
            raise _UsageError(f"--dns-from is for a DNS name destination, not {flow[1]!r}",
                              "leave it out, or trace to a name such as www.example.com")
        try:
            return model.trace(*flow) if client is None else model.trace(*flow, client=client)
        except FlowError as exc:
            return Message(str(exc), exc.hint)

    def _dns(self, words: list[str]):
        from ...analysis.route53 import DnsError
        words, client = _client_option(words, "--from")
        args = _dns_parser().parse_args(words)
        model = self._usable(args.name)
        try:
            return model.resolve(args.fqdn, args.type, client)
        except DnsError as exc:
            return Message(str(exc), exc.hint)

    def _plan(self, words: list[str]):
        from ...analysis.plan import PlanError
        args = _plan_parser().parse_args(words)
        model = self._usable(args.name)
        try:
            return model.plan(args.vpc, hosts=args.hosts, size=args.size)
        except PlanError as exc:
            return Message(str(exc), exc.hint)

    def _reach(self, words: list[str]):
        from ...analysis.named_ends import is_name
        from ...flows.flow import FlowError
        words, client = _dns_from(words)
        args = _reach_parser().parse_args(words)
        args.client = client
        if args.to is not None and args.dst is not None:
            raise _UsageError(f"two destinations: {args.dst!r} and --to {args.to!r}",
                              "%vpc reach NAME SRC DST, or %vpc reach NAME --to DST")
        dst = args.to if args.to is not None else args.dst
        if args.src is None and dst is None:
            raise _UsageError("say what to ask about", "%vpc reach NAME SRC, or %vpc reach NAME --to DST")
        if args.client is not None and not is_name(dst):
            raise _UsageError(f"--dns-from is for a DNS name destination, not {dst!r}",
                              "leave it out, or ask about a name: %vpc reach NAME SRC www.example.com")
        model = self._usable(args.name)
        try:
            if args.client is not None:
                return model.reach(args.src, dst, args.service, client=args.client)
            return model.reach(args.src, dst, args.service)
        except FlowError as exc:
            return Message(str(exc), exc.hint)

    def _diff(self, words: list[str]):
        from ...analysis.diff import diff
        if len(words) != 2:
            raise _UsageError("diff needs two models, the one before and the one after",
                              "%vpc diff OLD NEW, each a model defined by %%vpc or a Python name")
        return diff(self._usable(words[0]), self._usable(words[1]))

    def _exposure(self, words: list[str]):
        from ...flows.flow import FlowError
        args = _exposure_parser().parse_args(words)
        model = self._usable(args.name)
        try:
            return model.exposure(args.source)
        except FlowError as exc:
            return Message(str(exc), exc.hint)

    def _matrix(self, words: list[str]):
        from ...flows.flow import FlowError
        args = _matrix_parser().parse_args(words)
        model = self._usable(args.name)
        try:
            return model.matrix(args.level)
        except FlowError as exc:
            return Message(str(exc), exc.hint)


_LINE_HINT = ("%vpc trace NAME SRC -> DST PROTO/PORT [--dns-from CLIENT] · %vpc dns NAME FQDN [TYPE] [--from CLIENT] · "
              "%vpc check NAME · %vpc plan NAME [--hosts N | --size /P] · %vpc reach NAME SRC [DST] [--to DST] · "
              "%vpc diff OLD NEW · %vpc exposure NAME [--source S] · %vpc matrix NAME [--level L] · "
              "%vpc explore NAME · %vpc reset NAME")


def _split(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:      # an unclosed quote
        raise _UsageError(f"cannot read the arguments: {exc}", "close the quote") from None


def load_ipython_extension(ipython) -> None:
    """Register ``%%vpc`` and ``%vpc`` (``%load_ext vpcdsl``)."""
    ipython.register_magics(VpcMagics(ipython))
