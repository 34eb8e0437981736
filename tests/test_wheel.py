"""Build the wheel, install it into a fresh venv, and run it away from the repo.

This guards the packaging: the grammar must ship inside the wheel
(``vpcdsl/syntax/vpc.lark``, see ``force-include`` in pyproject.toml), and
the installed package must work without the source tree on ``sys.path``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

TIMEOUT = 180  # seconds per subprocess; the whole test normally takes a few


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(cmd: list[str | os.PathLike[str]], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0, (
        f"command failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
        f"--- stdout ---\n{proc.stdout}\n--- stderr ---\n{proc.stderr}"
    )
    return proc


def _pip_supports_python_option() -> bool:
    """``pip --python`` exists from pip 22.3 on."""
    try:
        version = importlib.metadata.version("pip")
    except importlib.metadata.PackageNotFoundError:
        return False
    parts = tuple(int(p) for p in re.findall(r"\d+", version)[:2])
    return parts >= (22, 3)


def test_wheel_installs_and_runs_outside_repo(repo_root: Path, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    fresh = tmp_path / "fresh"
    work = tmp_path / "work"
    work.mkdir()

    # -- build ---------------------------------------------------------------
    _run([
        sys.executable, "-m", "pip", "wheel", "-q",
        "--no-deps", "--no-build-isolation", "-w", dist, repo_root,
    ])
    wheels = sorted(dist.glob("vpcdsl-*.whl"))
    assert len(wheels) == 1, f"expected one vpcdsl wheel in {dist}: {list(dist.iterdir())}"
    wheel = wheels[0]

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = zf.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
    # pygmentize, Sphinx and nbconvert find the .vpc lexer by this entry point
    assert "[pygments.lexers]\nvpc = vpcdsl.views.highlight:VpcLexer" in entry_points, entry_points
    assert "vpcdsl/syntax/vpc.lark" in names, names
    assert "vpcdsl/__init__.py" in names, names
    # the C merge under packet-set unions (hatch_build.py), compiled for this interpreter
    assert f"vpcdsl/_flatmerge{sysconfig.get_config_var('EXT_SUFFIX')}" in names, names
    assert "-py3-none-any.whl" not in wheel.name, wheel.name
    stray = [n for n in names if not re.match(r"(vpcdsl/|vpcdsl-[^/]+\.dist-info/)", n)]
    assert not stray, f"unexpected files in the wheel: {stray}"

    # -- fresh venv ----------------------------------------------------------
    use_pip_python = _pip_supports_python_option()
    venv_cmd = [sys.executable, "-m", "venv", "--system-site-packages"]
    if use_pip_python:
        venv_cmd.append("--without-pip")  # much faster; pip runs from outside
    _run([*venv_cmd, fresh])
    fresh_python = fresh / "bin" / "python"

    if use_pip_python:
        install = [sys.executable, "-m", "pip", "--python", fresh_python]
    else:
        install = [fresh / "bin" / "pip"]
    # --ignore-installed: never look at (or try to uninstall) a vpcdsl that is
    # visible from elsewhere; with --no-deps nothing else is touched.
    _run([*install, "install", "-q", "--no-deps", "--ignore-installed", wheel])

    # The dependencies (lark, networkx, ...) live in the project's .venv, not in
    # the system site-packages that --system-site-packages exposes. Make them
    # importable with a .pth file naming this interpreter's site-packages.
    # A directory listed in a .pth file is merely appended to sys.path (it is
    # not a *site* dir), so .pth files inside it are NOT processed -- notably
    # the editable install's ``_vpcdsl.pth`` that points at the source tree.
    # The source tree therefore does not leak in, and the wheel's regular
    # package in the fresh site-packages (earlier on sys.path) is what imports.
    fresh_site = Path(_run([
        fresh_python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
    ]).stdout.strip())
    paths = sysconfig.get_paths()
    dep_dirs = [paths["purelib"]]
    if paths["platlib"] != paths["purelib"]:  # e.g. lib64 on some distros
        dep_dirs.append(paths["platlib"])
    (fresh_site / "_vpcdsl_test_deps.pth").write_text("\n".join(dep_dirs) + "\n")

    # -- run it, away from the repo --------------------------------------------
    out = _run([fresh_python, "-c", "import vpcdsl.packetset_nodes as n; assert n._or_compiled;"
                " import vpcdsl; print(vpcdsl.__file__)"], cwd=work)
    module_file = Path(out.stdout.strip().splitlines()[-1]).resolve()
    assert module_file.is_relative_to(fresh.resolve()), (
        f"vpcdsl imported from {module_file}, not from the fresh venv {fresh}"
    )

    shutil.copy(repo_root / "examples" / "three-tier.vpc", work / "three-tier.vpc")
    _run([fresh / "bin" / "vpcdsl", "check", "three-tier.vpc"], cwd=work)
