# layerlint developer tasks. Needs only GNU make and python3 >= 3.10 with its venv module.
#
#   make venv    create .venv and install layerlint editable with the test extra
#   make test    run the test suite (fails when pytest fails or collects no tests)
#   make demo    lint the shipped examples/ (they contain deliberate mistakes)
#   make bench   parse/lint throughput and CLI cold start (benchmarks/README.md)
#   make clean   remove .venv and build/test by-products

PYTHON ?= python3
VENV ?= .venv
VENV_PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv test demo bench clean

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
test: venv
	$(VENV_PY) -m pytest $(PYTEST_ARGS)

# --exit-zero keeps findings (exit 1) from failing the target; usage or config errors (exit 2)
# still fail it.
demo: venv
	$(VENV)/bin/layerlint check --exit-zero examples/

bench: venv
	$(VENV_PY) benchmarks/bench_parse.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis .benchmarks
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
