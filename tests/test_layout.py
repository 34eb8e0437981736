"""The package layout shows the pipeline (docs/ARCHITECTURE.md).

Stage packages import only the stages before them; module names are unique
across the package; no module-level import circle; importing vpcdsl loads
neither networkx, sympy, Graphviz nor Pygments.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "vpcdsl"

# The order of docs/ARCHITECTURE.md: a module may import its own stage and
# the ones before it. `api` ties the first stages together.
STAGES = ["foundation", "syntax", "model", "checks", "flows", "analysis", "api", "views", "top"]
FOUNDATION = {"span", "diagnostics", "aws", "protocols", "cidrs", "gcpause", "service_ranges", "packetsets",
              "packetset_nodes", "packetset_boxes", "_flatmerge"}   # _flatmerge: C, vpcdsl/_flatmerge.c

# Imports against the pipeline that are allowed, each for its reason: the
# Model's convenience methods load their stage lazily inside the method.
LAZY_CONVENIENCE = {"vpcdsl.model.network"}
# The rich display (`_repr_html_`) of a diagnostic, a trace, a Route 53 answer, a
# plan, a reach answer (to a DNS name too), a diff and an exposure answer loads the notebook
# views lazily, inside the method, and nothing else above.
LAZY_DISPLAY = {"vpcdsl.diagnostics", "vpcdsl.flows.flow", "vpcdsl.analysis.route53",
                "vpcdsl.analysis.plan", "vpcdsl.analysis.reach", "vpcdsl.analysis.diff",
                "vpcdsl.analysis.exposure", "vpcdsl.analysis.matrix", "vpcdsl.analysis.named_ends"}
DISPLAY_MODULE = "vpcdsl.views.notebook.rich"


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "__main__":
        return "top"  # the package's face: re-exports the API, runs the CLI
    if (len(parts) == 2 and parts[1] in FOUNDATION):
        return "foundation"
    return parts[1]


def _imports(module: str, path: Path, *, top_level_only: bool) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    base = module.split(".") if is_package else module.split(".")[:-1]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = base[:len(base) - node.level + 1]
                target = ".".join(prefix + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("vpcdsl"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in _modules() else target)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("vpcdsl"))
    found.discard(module)
    return found


def test_module_names_are_unique_across_the_package():
    leaves = Counter(m.rsplit(".", 1)[-1] for m in _modules() if "." in m)
    assert [name for name, n in leaves.items() if n > 1] == []


def test_stages_import_only_earlier_stages():
    wrong = []
    for module, path in _modules().items():
        if module in LAZY_CONVENIENCE:
            continue
        here = STAGES.index(_stage(module))
        for target in _imports(module, path, top_level_only=False):
            if target == "vpcdsl" or (module in LAZY_DISPLAY and target == DISPLAY_MODULE):
                continue
            if STAGES.index(_stage(target)) > here:
                wrong.append(f"{module} imports {target}")
    assert wrong == []


def test_no_module_level_import_circle():
    graph = nx.DiGraph()
    for module, path in _modules().items():
        graph.add_node(module)
        for target in _imports(module, path, top_level_only=True):
            # importing a submodule runs its package's __init__ first
            graph.add_edge(module, target)
    assert list(nx.simple_cycles(graph)) == []


# Loaded only by the stages that need them; Pygments only by vpcdsl.views.highlight.
HEAVY = ('networkx', 'sympy', 'graphviz', 'pygments')


def test_import_vpcdsl_loads_no_heavy_library():
    code = ("import sys, vpcdsl; "
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_check_loads_no_heavy_library():
    """`vpcdsl check` (expectations over port sets included) needs neither Graphviz,
    networkx, sympy nor Pygments: start-up stays lean (issue 9, scale)."""
    code = ("import sys, runpy; sys.argv = ['vpcdsl', 'check', 'examples/three-tier.vpc']\n"
            "try:\n    runpy.run_module('vpcdsl', run_name='__main__')\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    root = Path(__file__).parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=root)
    assert "ok: 0 errors" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_only_the_highlight_module_imports_pygments():
    """Pygments serves syntax highlighting alone, so nothing else may come to need it."""
    importers = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            if any(n == "pygments" or n.startswith("pygments.") for n in names):
                importers.append(module)
    assert sorted(set(importers)) == ["vpcdsl.views.highlight"]
