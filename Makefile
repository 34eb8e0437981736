# vpcdsl — build / test / demo entry points (GNU make).
#
#   make venv    create .venv and install vpcdsl editable with the test extras
#   make labextension   build the JupyterLab extension (.vpc highlighting) into .venv
#   make demo    run the CLI on the bundled example (check, two traces, a diagram)
#   make docs-images   redraw docs/images/<example>.png for every example
#   make test    unit tests + notebook output comparison (nbval)
#   make notebooks   re-execute the notebooks in place (after an output change)
#   make lab     open the notebooks (the tour first) in JupyterLab
#   make bench   install the bench extras and run benchmarks/run.py
#   make clean   remove build and test artefacts (keeps .venv)
#   make distclean   clean, and remove .venv as well

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS='-m "not slow"'`.
PYTEST_ARGS ?=

# Use sudo for apt-get only when not already root.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.DEFAULT_GOAL := test
.PHONY: venv labextension demo docs-images test notebooks lab bench clean distclean

venv: $(STAMP)

# System prerequisites (Debian): python3-venv (the venv/ensurepip bits Debian
# splits out of the interpreter) is only needed when the venv has to be
# created; Graphviz's `dot` renders the diagrams; chromium and chromium-driver
# run the real-browser test of the notebook explorer (tests/test_browser.py); a C
# compiler and the interpreter's headers build vpcdsl/_flatmerge.c, the merge under
# long packet-set unions (hatch_build.py). Missing packages are
# collected first so `apt-get update` runs at most once.
# `python3 -m venv` runs only when .venv has no pip yet; re-running it on an
# existing directory keeps its site-packages and (re)installs pip if an
# earlier attempt left it without one.
# The stamp depends on pyproject.toml, so a change of dependencies reinstalls, and on
# the C source, so a change to it is compiled again.
$(STAMP): pyproject.toml hatch_build.py vpcdsl/_flatmerge.c
	@set -e; \
	pkgs=""; \
	if [ ! -x "$(BIN)/pip" ]; then \
	  if ! $(PY) -m venv --help >/dev/null 2>&1 || ! $(PY) -c 'import ensurepip' >/dev/null 2>&1; then \
	    pkgs="$$pkgs python3-venv"; \
	  fi; \
	fi; \
	if ! command -v dot >/dev/null 2>&1; then pkgs="$$pkgs graphviz"; fi; \
	if ! command -v cc >/dev/null 2>&1; then pkgs="$$pkgs gcc libc6-dev"; fi; \
	if ! $(PY) -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then \
	  pkgs="$$pkgs python3-dev"; \
	fi; \
	if [ ! -x /usr/bin/chromium ]; then pkgs="$$pkgs chromium"; fi; \
	if [ ! -x /usr/bin/chromedriver ]; then pkgs="$$pkgs chromium-driver"; fi; \
	if [ -n "$$pkgs" ]; then \
	  echo "apt-get install:$$pkgs"; \
	  $(SUDO) apt-get update; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $$pkgs; \
	fi
	@if [ ! -x "$(BIN)/pip" ]; then echo "$(PY) -m venv $(VENV)"; $(PY) -m venv $(VENV); fi
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@

# The JupyterLab 4 extension that highlights .vpc files and %%vpc cells
# (labextension/; README, "Syntax highlighting"). npm installs the build tools
# pinned by package-lock.json (again only when it changes); jupyter-builder, from
# the venv's JupyterLab, bundles src/ with rspack; the bundle is copied to where
# the venv's JupyterLab loads prebuilt extensions. Rebuilt when its sources change.
LABEXT_DEST := $(VENV)/share/jupyter/labextensions/jupyterlab-vpcdsl
LABEXT_STAMP := $(VENV)/.labextension-installed
NODE_MODULES := labextension/node_modules/.package-lock.json

labextension: $(LABEXT_STAMP)

$(NODE_MODULES): labextension/package.json labextension/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: the JupyterLab extension needs Node.js >= 20.19 with npm"; exit 1; }
	cd labextension && npm ci --no-audit --no-fund
	@touch $@

$(LABEXT_STAMP): $(STAMP) $(NODE_MODULES) $(wildcard labextension/src/*)
	$(BIN)/jupyter-builder build labextension
	rm -rf $(LABEXT_DEST)
	@mkdir -p $(dir $(LABEXT_DEST))
	cp -R labextension/dist $(LABEXT_DEST)
	@touch $@

# The main job on the example: the check, then a flow that gets through and one
# that is stopped (each hop names the line that decided), then the diagram.
demo: venv
	$(BIN)/vpcdsl check examples/three-tier.vpc
	$(BIN)/vpcdsl trace examples/three-tier.vpc web-1 db-1 tcp/5432
	$(BIN)/vpcdsl trace examples/three-tier.vpc ci-1 db-1 tcp/5432; test $$? -eq 1  # blocked, as the model intends
	@mkdir -p build
	$(BIN)/vpcdsl render examples/three-tier.vpc -o build/three-tier.svg
	@echo "wrote the diagram of examples/three-tier.vpc to build/three-tier.svg (open it in a browser)"

# The committed diagrams of the examples (README, docs): every example at the
# default (subnet) level, and three-tier with the blocked flow of `make demo`
# drawn over it. Always redrawn (a new Graphviz or renderer changes them too);
# look at them before committing.
EXAMPLES := $(sort $(wildcard examples/*.vpc))
docs-images: venv
	@mkdir -p docs/images
	@set -e; for f in $(EXAMPLES); do \
	  out=docs/images/$$(basename $$f .vpc).png; \
	  echo "$(BIN)/vpcdsl render $$f -o $$out"; \
	  $(BIN)/vpcdsl render $$f -o $$out; \
	done
	$(BIN)/vpcdsl render examples/three-tier.vpc --trace "ci-1 -> db-1 tcp/5432" -o docs/images/three-tier-trace.png

# nbval re-executes the notebooks and compares against their committed outputs.
test: venv labextension
	$(BIN)/python -m pytest -q -ra --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval-sanitize.cfg -p no:cacheprovider --doctest-modules $(PYTEST_ARGS) vpcdsl tests notebooks

# Re-execute the notebooks and store their outputs (what nbval compares
# against), leaving out what changes from run to run. Look at the diff
# before committing.
notebooks: venv
	$(BIN)/python notebooks/refresh.py notebooks/*.ipynb

# JupyterLab on the notebooks, the tour first (http://127.0.0.1:8888; the token
# is printed). LAB_ARGS adds options, e.g. `make lab LAB_ARGS=--no-browser`.
LAB_ARGS ?=
lab: venv labextension
	cd notebooks && ../$(BIN)/jupyter lab --ip 127.0.0.1 $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS) 00-tour.ipynb

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install -q --disable-pip-version-check -e '.[bench]'
	@touch $@

clean:
	rm -rf build dist .pytest_cache .hypothesis benchmarks/out labextension/dist
	find . -path ./$(VENV) -prune -o \
	  \( -name __pycache__ -o -name '*.egg-info' -o -name .ipynb_checkpoints \) \
	  -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) labextension/node_modules
