"""Diagrams to files: DOT text, or SVG, PNG and PDF through Graphviz's `dot`.

`export(model, "net.svg", level="vpc")` draws the model with `vpcdsl.views.render`
and writes the file atomically (a temporary file beside it, then `os.replace`),
so a failed render never leaves a half-written or truncated file behind.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import graphviz

__all__ = ["FORMATS", "RenderError", "GraphvizNotFound", "export", "format_of", "write_atomically"]

# Output formats by file suffix; `dot` is the DOT text itself and needs no Graphviz.
FORMATS = ("svg", "png", "pdf", "dot")

INSTALL_HINT = ("install it: `sudo apt-get install graphviz` (macOS: `brew install graphviz`); "
                "or write DOT text instead, which needs no Graphviz (an output file ending in .dot)")


class RenderError(RuntimeError):
    """A diagram that could not be rendered or written; ``hint`` says what to do."""

    def __init__(self, message: str, hint: str | None = None):
        # Not super(): in GraphvizNotFound the next class is graphviz's, whose
        # __init__ formats its argument into a message of its own.
        RuntimeError.__init__(self, message)
        self.hint = hint


class GraphvizNotFound(RenderError, graphviz.ExecutableNotFound):
    """Graphviz's `dot` program is not on PATH (Debian package `graphviz`).

    Also a `graphviz.ExecutableNotFound`, so code written against the graphviz
    package catches it unchanged.
    """

    def __init__(self, fmt: str, traced: bool = False):
        if traced and fmt == "dot":
            # A traced diagram's DOT is laid out (the overlay is drawn over the layout).
            RenderError.__init__(
                self, "cannot write the DOT of a traced diagram: it is laid out by Graphviz's `dot` program, "
                      "which is not on PATH (Debian package `graphviz`)",
                "install it: `sudo apt-get install graphviz` (macOS: `brew install graphviz`); "
                "or leave out the trace, whose DOT text needs no Graphviz")
            return
        RenderError.__init__(
            self, f"cannot render {fmt.upper()}: Graphviz's `dot` program is not on PATH "
                  f"(Debian package `graphviz`)", INSTALL_HINT)


def format_of(path: str | os.PathLike) -> str:
    """The output format a file name asks for, from its suffix.

    >>> format_of("build/net.SVG")
    'svg'
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f"'.{suffix}'" if suffix else "no suffix"
        raise RenderError(f"cannot tell the output format of '{os.fspath(path)}' ({shown})",
                          "end the output file name in " + ", ".join("." + f for f in FORMATS))
    return suffix


def export(model, path: str | os.PathLike, *, format: str | None = None, **options) -> Path:
    """Draw ``model`` into ``path``; return the path written.

    ``format`` defaults to the suffix of ``path`` (one of `FORMATS`);
    ``options`` go to `vpcdsl.views.render.diagram` (``level``, ``focus``,
    ``routes``, ``trace``, ``collapse``). Raises `GraphvizNotFound` when SVG,
    PNG or PDF is asked for and `dot` is missing (DOT output works without
    it), `RenderError` when `dot` fails or the file cannot be written.
    """
    fmt = (format or format_of(path)).lower()
    if fmt not in FORMATS:
        raise RenderError(f"unknown output format '{fmt}'", "use one of " + ", ".join(FORMATS))
    write_atomically(path, render_bytes(model, fmt, **options))
    return Path(path)


def render_bytes(model, fmt: str, **options) -> bytes:
    """The diagram of ``model`` as the bytes of an ``fmt`` file (see `export`).

    With a ``trace`` the diagram is laid out without it first (``dot``, cached)
    and the overlay drawn over that layout: its DOT is laid out, and SVG, PNG
    and PDF come from ``neato -n2`` (`vpcdsl.views.overlay_dot`).
    """
    from .render import diagram

    traced = bool(options.get("trace"))
    with graphviz_errors(fmt, "an output file ending in .dot", traced):
        graph = diagram(model, **options)
        if fmt == "dot":
            return graph.source.encode("utf-8")
        # The DOT text goes to `dot` in one write (`graphviz.pipe`, subprocess.run's input):
        # a `dot` that fails before reading it all then still reports its own error, where
        # Digraph.pipe's line-by-line writes would end in a BrokenPipeError.
        return graphviz.pipe(graph.engine, fmt, graph.source.encode("utf-8"),
                             neato_no_op=getattr(graph, "neato_no_op", None), quiet=True)


@contextmanager
def graphviz_errors(fmt: str, dot_text: str, traced: bool = False):
    """Graphviz's failures inside the block as `GraphvizNotFound` (no `dot` on PATH) or a
    `RenderError` naming its last stderr line; ``dot_text`` says how to ask for DOT text
    instead (the hint: run `dot` on it to see the whole error)."""
    try:
        yield
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(fmt, traced) from None
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else f"exit status {exc.returncode}"
        raise RenderError(f"Graphviz failed to render {fmt.upper()}: {detail}",
                          f"write DOT text instead ({dot_text}) and run `dot` on it to see the whole error") from None


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The temporary file is created with the usual permissions (0666 less the
    umask, like `open`), and removed again when anything fails.
    """
    target = Path(path)
    directory = target.parent
    while True:
        tmp = directory / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise RenderError(f"cannot write '{os.fspath(path)}': {exc.strerror or exc}",
                              "check that the directory exists and is writable") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise RenderError(f"cannot write '{os.fspath(path)}': {exc.strerror or exc}",
                              "check that the directory exists and is writable") from None
        raise
