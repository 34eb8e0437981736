"""Re-execute notebooks in place and store their outputs, which nbval compares against.

Run by `make notebooks`. What changes from run to run is left out so that an unchanged
notebook stays byte-identical: per-cell execution timestamps, and a `text/plain` output that
is only an object's default repr (`<graphviz.graphs.Digraph at 0x7f...>`) beside a rich one,
how a cell's printed text happened to be split into stream messages (consecutive ones
are joined), and the widgets' random model ids, renumbered in the order the outputs reach them.
"""

import json
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

_DEFAULT_REPR = re.compile(r"^<[\w.]+ at 0x[0-9a-f]+>$")
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def _joined_streams(outputs: list) -> list:
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (output.output_type == "stream" and last is not None
                and last.output_type == "stream" and last.name == output.name):
            last.text = "".join(last.text) + "".join(output.text)
        else:
            joined.append(output)
    return joined


def _stable_widget_ids(nb) -> None:
    """Renumber widget model ids: each output's model first, then what it refers
    to, depth first, so the same notebook run twice stores the same ids."""
    state = nb.metadata.get("widgets", {}).get(_WIDGET_STATE, {}).get("state")
    if not state:
        return
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            for ref in _MODEL_REF.findall(json.dumps(state[model_id], sort_keys=True)):
                visit(ref)

    for cell in nb.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(_WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    # Models no output reaches (there should be none) keep a content-based order.
    order += sorted((m for m in state if m not in order),
                    key=lambda m: json.dumps(state[m], sort_keys=True))
    new = {old: f"{i + 1:032x}" for i, old in enumerate(order)}
    text = json.dumps(nb)
    text = re.sub("|".join(map(re.escape, new)), lambda m: new[m.group()], text)
    renumbered = nbformat.from_dict(json.loads(text))
    widget_state = renumbered.metadata.widgets[_WIDGET_STATE]
    widget_state["state"] = dict(sorted(widget_state["state"].items()))
    nb.metadata, nb.cells = renumbered.metadata, renumbered.cells


def refresh(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = _joined_streams(cell.outputs)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            plain = "".join(data.get("text/plain", ""))
            if len(data) > 1 and _DEFAULT_REPR.match(plain):
                del data["text/plain"]
    _stable_widget_ids(nb)
    nbformat.write(nb, path)


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(f"executing {arg}")
        refresh(Path(arg))
