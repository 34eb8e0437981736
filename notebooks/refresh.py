"""Re-execute notebooks in place and store their outputs, which nbval compares against.

Run by `make notebooks`. What changes from run to run is left out so that an unchanged
notebook stays byte-identical: per-cell execution timestamps, and a `text/plain` output that
is only an object's default repr (`<graphviz.graphs.Digraph at 0x7f...>`) beside a rich one.
"""

import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

_DEFAULT_REPR = re.compile(r"^<[\w.]+ at 0x[0-9a-f]+>$")


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            plain = "".join(data.get("text/plain", ""))
            if len(data) > 1 and _DEFAULT_REPR.match(plain):
                del data["text/plain"]
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"executing {arg}")
        refresh(Path(arg))
