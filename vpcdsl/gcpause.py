"""Pausing Python's cyclic garbage collector around allocation-heavy stages.

Parsing, resolving, checking and graph building allocate many small objects
that form no garbage cycles; with the collector on, each collection rescans
the growing model, which made a 100k-line check 12x slower than a 10k one
instead of 10x. Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def paused_gc():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
