"""How a `vpcdsl` command reports a usage error: one line naming the command, a hint, exit 2."""

from __future__ import annotations

import sys


def usage_error(command: str, message: str, hint: str | None = None) -> int:
    """Print ``vpcdsl COMMAND: error: MESSAGE`` and its hint to stderr; the exit code, 2."""
    print(f"vpcdsl {command}: error: {message}", file=sys.stderr)
    if hint:
        print(f"  = hint: {hint}", file=sys.stderr)
    return 2


__all__ = ["usage_error"]
