"""Hatchling build hook: compiles vpcdsl/_flatmerge.c, the C merge under the union of
long flat packet sets (vpcdsl/packetset_nodes.py, ``_or``).

The extension is an accelerator, not a dependency: where no C compiler or Python
headers are found the build says so and goes on, and packet sets use their
pure-Python merge (the same answers, slower). ``make venv`` installs both on Debian,
and tests/test_flatmerge.py fails if the extension is missing there.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def _compiler() -> list[str] | None:
    configured = shlex.split(sysconfig.get_config_var("CC") or "")
    if configured and shutil.which(configured[0]):
        return configured
    found = shutil.which("cc") or shutil.which("gcc")
    return [found] if found else None


class FlatMergeHook(BuildHookInterface):
    PLUGIN_NAME = "custom"
    _scratch: Path | None = None

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        source = Path(self.root, "vpcdsl", "_flatmerge.c")
        name = "_flatmerge" + sysconfig.get_config_var("EXT_SUFFIX")
        # an editable install imports it from the tree; a wheel takes it from a
        # scratch directory, so building one never rewrites a library in use
        if version == "editable":
            built = source.parent
        else:
            built = self._scratch = Path(tempfile.mkdtemp(prefix="vpcdsl-build-"))
        target = built / name
        include = sysconfig.get_paths()["include"]
        compiler = _compiler()
        if compiler is None or not Path(include, "Python.h").exists():
            print("vpcdsl: no C compiler or Python.h; packet sets use the pure-Python merge",
                  file=sys.stderr)
            return
        command = [*compiler, "-O2", "-shared", "-fPIC", "-I", include, str(source), "-o", str(target)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"vpcdsl: compiling {source.name} failed; packet sets use the pure-Python merge\n"
                  f"{done.stderr}", file=sys.stderr)
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(target)] = f"vpcdsl/{name}"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
