# layerlint developer tasks. Needs only GNU make and python3 >= 3.10 with its venv module.
#
#   make venv    create .venv and install layerlint editable with the test extra
#   make test    run the test suite (fails when pytest fails or collects no tests)
#   make demo    lint the shipped examples/ (they contain deliberate mistakes)
#   make bench   parse/lint throughput and CLI cold start (benchmarks/README.md)
#   make vsix    package the VS Code extension with the server bundled (needs Node.js >= 20, npm, the indexes)
#   make clean   remove .venv and build/test by-products

PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
# The VS Code extension: `npm ci` is its only build step that needs the network (the npm
# registry); tests/test_vscode_extension.py then compiles, lints, unit-tests and packages it
# offline. Without Node.js >= 20 and npm (vsce 3 and eslint 10 need 20), or with
# VSCODE_EXTENSION=0, nothing is installed and that test skips with a message.
NPM ?= npm
VSCODE_EXTENSION ?= 1
EXT := vscode-extension
EXT_DEPS := $(EXT)/node_modules/.package-lock.json
NODE_OK := $(shell node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' >/dev/null 2>&1 \
	&& command -v $(NPM) >/dev/null 2>&1 && echo yes)

.PHONY: help venv test demo bench clean extension-deps vsix

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP)

# Re-installs only when pyproject.toml (dependencies, entry points, package layout) changes;
# code under lint/, rules/ and grammar/ is picked up live through the editable install.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "error: $(PYTHON) is older than 3.10 (set PYTHON=python3.x)" >&2; exit 1; }
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --progress-bar off --upgrade pip
	$(VENV_PY) -m pip install --progress-bar off -e '.[test]'
	touch $@

# The exit code of pytest is passed on as is: 1 for failures, 5 when no test was collected.
test: venv extension-deps
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

extension-deps:
ifeq ($(VSCODE_EXTENSION)$(NODE_OK),1yes)
	@$(MAKE) --no-print-directory $(EXT_DEPS)
else
	@echo "note: no Node.js >= 20 with npm (or VSCODE_EXTENSION=0): the VS Code extension is not built, its test skips"
endif

# npm ci follows the committed package-lock.json exactly; it re-runs only when that changes.
$(EXT_DEPS): $(EXT)/package.json $(EXT)/package-lock.json
	cd $(EXT) && $(NPM) ci --no-audit --no-fund
	touch $@

# The distributable VSIX: the Python server and its dependencies in bundled/libs (pip, from
# the package index), then `vsce package` -> vscode-extension/layerlint-<version>.vsix.
vsix: venv $(EXT_DEPS)
	cd $(EXT) && $(NPM) run bundle -- --python $(abspath $(VENV_PY))
	cd $(EXT) && $(NPM) run package

# --exit-zero keeps findings (exit 1) from failing the target; usage or config errors (exit 2)
# still fail it.
demo: venv
	$(VENV)/bin/layerlint check --exit-zero examples/

bench: venv
	$(VENV_PY) benchmarks/bench_parse.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .benchmarks
	rm -rf $(EXT)/node_modules $(EXT)/out $(EXT)/dist $(EXT)/bundled/libs $(EXT)/*.vsix
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
