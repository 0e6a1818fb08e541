# The two commands: `make build` (set up, validate the raw files, build the
# warehouse from the bundled demo data, publish it, render the reports) and
# `make test` (run every test). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)
export CS_RAW_DIR ?= $(CURDIR)/data/demo
export CS_WAREHOUSE_PATH ?= $(CURDIR)/warehouse.duckdb

.PHONY: build setup validate publish reports reports-pdf refresh lab test bench docs clean

build: setup validate publish reports

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name cs-warehouse --display-name "CS warehouse" >/dev/null
	touch $@

# check every raw file against the data contract (reports/validation.html, .json)
validate: setup
	$(BIN)/python -m cs_warehouse.validate

# build aside, audit, then atomically replace $(CS_WAREHOUSE_PATH)
publish: setup
	$(BIN)/python -m cs_warehouse.publish

# the daily refresh, write-audit-publish like `make publish`, but on a copy of the
# published warehouse, so that the incremental models process only the new days: the
# usage-wide tests check the recent days only, and the unit tests (code, not data) are
# left to `make test`. `make publish` (a full build, every test) stays the reference.
# The same settings are in cs_warehouse/publish.py (REFRESH_ENV, REFRESH_DBT_ARGS);
# `make bench` times its incremental dbt build with them.
REFRESH_ENV := CS_TEST_SCOPE=recent
REFRESH_DBT_ARGS := --exclude-resource-type unit_test
refresh: setup
	$(BIN)/python -m cs_warehouse.publish --incremental

# execute the notebooks against $(CS_WAREHOUSE_PATH) into reports/*.html, in CS_REPORT_LANG (ja or en; default ja)
reports: setup
	$(BIN)/python -m cs_warehouse.reports

# the reports as PDFs to attach to an email (headless Chromium's print-to-PDF): reports/pdf/*.pdf
reports-pdf: reports
	$(BIN)/python -m cs_warehouse.reports --pdf

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir=$(CURDIR)/notebooks/.lab-settings

test: setup
	$(BIN)/python -m pytest tests

# the benchmark harness (benchmarks/README.md): `make bench` at a smoke size (200
# accounts, 1 run), `make bench N=100000` at a chosen size (REPEATS=k for k runs).
# Its incremental run is the daily refresh (`make refresh`'s arguments).
N ?= 200
bench: setup
	$(BIN)/python -m benchmarks.run --accounts $(N) $(if $(REPEATS),--repeats $(REPEATS),$(if $(filter 200,$(N)),--repeats 1)) --incremental-args "$(REFRESH_ENV) $(REFRESH_DBT_ARGS)"

docs: setup
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs $(VENV)
