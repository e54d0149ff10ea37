# layerlint developer tasks. Needs only GNU make and python3 >= 3.10 with its venv module.
#
#   make venv    create .venv, install layerlint editable with the test extra, fill .venv/wheelhouse
#   make test    run the test suite (fails when pytest fails or collects no tests)
#   make demo    lint the shipped examples/ (they contain deliberate mistakes)
#   make bench   parse/lint throughput and CLI cold start (benchmarks/README.md)
#   make bench-all  layerlint vs hadolint, scaling, result cache, server -> docs/benchmarks.md
#   make fuzz    a longer atheris run of the parser and linter (FUZZ_SECONDS, default 1800)
#   make vsix    package the VS Code extension with the server bundled (needs Node.js >= 20, npm, the indexes)
#   make clean   remove .venv and build/test by-products

PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WHEELHOUSE := $(VENV)/wheelhouse
WHEELHOUSE_STAMP := $(WHEELHOUSE)/.complete
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

.PHONY: help venv test demo bench bench-all clean extension-deps vsix fuzz

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv: $(STAMP) $(WHEELHOUSE_STAMP)

# Re-installs only when pyproject.toml (dependencies, entry points, package layout) changes;
# code under lint/, rules/ and grammar/ is picked up live through the editable install.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
		{ echo "error: $(PYTHON) is older than 3.10 (set PYTHON=python3.x)" >&2; exit 1; }
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install --progress-bar off --upgrade pip
	$(VENV_PY) -m pip install --progress-bar off -e '.[test]'
	touch $@

# Wheels of layerlint's build backend and runtime dependencies, fetched here (the index may be
# used at install time) so that the tests which install layerlint the way users do run offline
# with `pip --no-index --find-links .venv/wheelhouse`: tests/test_precommit.py (pre-commit's
# `language: python` runs an isolated `pip install .`, which needs the build backend) and
# tests/test_action.py (the GitHub Action's install step). Rebuilt when the dependencies change.
# (`wheel` too: setuptools releases before 70.1 ask for it when building a wheel.)
$(WHEELHOUSE_STAMP): $(STAMP)
	rm -rf $(WHEELHOUSE)
	$(VENV_PY) -c "$$WHEELHOUSE_REQUIREMENTS" > $(VENV)/wheelhouse-requirements.txt
	$(VENV_PY) -m pip wheel --progress-bar off --wheel-dir $(WHEELHOUSE) wheel -r $(VENV)/wheelhouse-requirements.txt
	touch $@

# [build-system] requires from pyproject.toml, then the runtime dependencies (no extras)
define WHEELHOUSE_REQUIREMENTS
import sys, importlib.metadata as metadata
toml = __import__('tomllib' if sys.version_info >= (3, 11) else 'tomli')
build = toml.load(open('pyproject.toml', 'rb'))['build-system']['requires']
runtime = [r for r in metadata.requires('layerlint') if 'extra ==' not in r]
print('\n'.join(build + runtime))
endef
export WHEELHOUSE_REQUIREMENTS

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

FUZZ_SECONDS ?= 1800
# crashes land in build/fuzz/crash-*; keep each as a regression fixture in tests/fixtures/fuzz/
fuzz: venv
	mkdir -p build/fuzz/corpus
	$(VENV_PY) fuzz/fuzz_lint.py -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix=build/fuzz/ build/fuzz/corpus

BENCH_ALL_ARGS ?=
bench-all: venv
	$(VENV_PY) benchmarks/bench_compare.py --write docs/benchmarks.md $(BENCH_ALL_ARGS)

bench: venv
	$(VENV_PY) benchmarks/bench_parse.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .benchmarks
	rm -rf $(EXT)/node_modules $(EXT)/out $(EXT)/dist $(EXT)/bundled/libs $(EXT)/*.vsix
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
