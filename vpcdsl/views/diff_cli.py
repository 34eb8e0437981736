"""`vpcdsl diff OLD NEW [--json] [--fail-on-new-exposure]`: what a change to a model does —
the objects it adds, removes and changes, and per pair of ends the requests it newly
allows and newly blocks.

OLD and NEW are each a .vpc file or a directory (one model), or ``REV:PATH`` for a file or
directory as git holds it at a revision (``HEAD:net/``, ``main:prod.vpc``) when no such
path exists. Exit codes: 0 the diff (whatever it says); 1 with --fail-on-new-exposure
when the internet or a site can newly reach something; 2 usage errors, unreadable paths
or a model with errors (printed as `vpcdsl check` prints them, with the side named).
The analysis is `vpcdsl.analysis.diff`; this module reads the arguments and prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

__all__ = ["add_parser", "run", "load_side"]


def add_parser(sub) -> None:
    """Register `diff` on the `vpcdsl` command's subparsers."""
    p = sub.add_parser(
        "diff", help="what a change does: objects changed, requests newly allowed and blocked",
        description="Compare two models: the objects NEW adds, removes, renames and changes "
                    "(with their lines in each), and for every pair of ends both have, the "
                    "requests newly allowed, newly blocked, now intermittent or now always "
                    "allowed, each with a witness traced in both models. What the internet "
                    "and sites can reach on a new end counts as newly allowed. IPv4.")
    p.add_argument("old", metavar="OLD", help="the model before: a .vpc file, a directory, or REV:PATH (git)")
    p.add_argument("new", metavar="NEW", help="the model after: a .vpc file, a directory, or REV:PATH (git)")
    p.add_argument("--json", action="store_true", help="machine-readable output (with the witness traces)")
    p.add_argument("--fail-on-new-exposure", action="store_true",
                   help="exit 1 when the internet or a site can newly reach something")


def load_side(path: str):
    """The model at ``path``: a file or directory, else ``REV:PATH`` read from git."""
    from ..api import compile_sources, load_paths
    if os.path.exists(path) or ":" not in path or os.path.splitdrive(path)[0]:
        return load_paths([path])
    rev, _, inner = path.partition(":")
    sources = _git_sources(rev, inner or ".")
    if sources is None:
        return load_paths([path])      # neither a path nor a revision: E004, as check says
    return compile_sources(sources, path=path)


def _git_sources(rev: str, inner: str) -> dict[str, str] | None:
    """The .vpc text git holds at ``rev:inner`` (a file, or a directory's .vpc files), by
    ``rev:path`` name; None when git has no such object."""
    def git(*args) -> str | None:
        try:
            done = subprocess.run(["git", *args], capture_output=True, check=False)
        except OSError:
            return None
        return done.stdout.decode("utf-8", errors="replace") if done.returncode == 0 else None

    kind = git("cat-file", "-t", f"{rev}:{inner}")
    if kind is None:
        return None
    if kind.strip() == "blob":
        text = git("show", f"{rev}:{inner}")
        return None if text is None else {f"{rev}:{inner}": text.removeprefix("\ufeff")}
    listing = git("ls-tree", "--name-only", f"{rev}:{inner}")
    names = sorted(n for n in (listing or "").splitlines() if n.endswith(".vpc"))
    base = inner.rstrip("/") + "/" if inner not in (".", "") else ""
    out = {}
    for n in names:
        text = git("show", f"{rev}:{base}{n}")
        if text is not None:
            out[f"{rev}:{base}{n}"] = text.removeprefix("\ufeff")
    return out or None


def run(args) -> int:
    from ..analysis.diff import diff
    from ..diagnostics import escape_controls, render_all
    from .cli import _compile_errors, _unreadable

    models = []
    for side, path in (("OLD", args.old), ("NEW", args.new)):
        model = load_side(path)
        if _unreadable(model) or _compile_errors(model):
            print(render_all(model.diagnostics, model.sources), file=sys.stderr)
            print(f"vpcdsl diff: {side} ({path}) has errors; fix them first (`vpcdsl check`)", file=sys.stderr)
            return 2
        models.append(model)
    result = diff(*models)
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(escape_controls(result.text()))
    return 1 if args.fail_on_new_exposure and result.exposure_gained else 0
