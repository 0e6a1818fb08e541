# The two commands: `make build` (set up, validate the raw files, build the
# warehouse from the bundled demo data, publish it, render the reports) and
# `make test` (lint, then run every test). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)
# the settings and their defaults, shared with cs_warehouse/settings.py (an
# environment variable wins): settings.mk
include settings.mk
export CS_RAW_DIR := $(abspath $(CS_RAW_DIR))
export CS_WAREHOUSE_PATH := $(abspath $(CS_WAREHOUSE_PATH))

.PHONY: build setup spark-setup validate publish reports reports-pdf refresh lab test lint bench docs clean bi bi-stop

build: setup validate publish reports

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name cs-warehouse --display-name "CS warehouse" >/dev/null
	touch $@

# the Spark target's packages (dbt-spark, pyspark; docs/spark.md) in the same venv;
# requirements.txt constrains what both need
spark-setup: $(VENV)/.spark-installed

$(VENV)/.spark-installed: $(VENV)/.installed requirements-spark.txt
	$(BIN)/python -m pip install --quiet -c requirements.txt -r requirements-spark.txt
	touch $@

# build the staging layer on the raw files into a scratch file and report what it did
# (reports/validation.html, .json)
validate: setup
	$(BIN)/python -m cs_warehouse.validate $(VALIDATE_ARGS)

# in `make build` the publish that follows starts from the validation's staging build
# (cs_warehouse/handoff.py), so that the usage file is read and checked once
build: VALIDATE_ARGS = $(if $(filter duckdb,$(CS_TARGET)),--hand-over)

# build aside, audit, then atomically replace $(CS_WAREHOUSE_PATH); CS_TARGET=spark builds
# on Spark and publishes a DuckDB copy of its public relations (docs/spark.md)
SPARK_SETUP := $(if $(filter spark%,$(CS_TARGET)),spark-setup)
publish: setup $(SPARK_SETUP)
	$(BIN)/python -m cs_warehouse.publish

# the daily refresh, write-audit-publish like `make publish`, but on a copy of the
# published warehouse, so that the incremental models process only the new days; every
# data test runs, and the unit tests (code, not data) are left to `make test`. `make
# publish` (a full build) stays the reference. Its dbt arguments are declared once, in
# cs_warehouse/publish.py (REFRESH_DBT_ARGS); `make bench` times its incremental dbt
# build with them.
refresh: setup $(SPARK_SETUP)
	$(BIN)/python -m cs_warehouse.publish --incremental

# execute the notebooks against $(CS_WAREHOUSE_PATH) into reports/*.html, in CS_REPORT_LANG (ja or en; default ja)
reports: setup
	$(BIN)/python -m cs_warehouse.reports

# the reports as PDFs to attach to an email (headless Chromium's print-to-PDF): reports/pdf/*.pdf
reports-pdf: reports
	$(BIN)/python -m cs_warehouse.reports --pdf

lab: setup
	$(BIN)/jupyter lab --notebook-dir=notebooks --LabApp.app_settings_dir=$(CURDIR)/notebooks/.lab-settings

# ruff on the Python, sqlfluff (dbt templater, DuckDB dialect) on the models and dbt tests;
# sqlfluff compiles the project, and the staging models query their base tables when
# they compile (the reject gate), so it reads the demo build in target/lint.duckdb
# (built when missing). `make test` runs it first: a lint finding fails the tests.
LINT_WAREHOUSE := target/lint.duckdb
lint: setup
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory $(LINT_WAREHOUSE)
	CS_WAREHOUSE_PATH=$(CURDIR)/$(LINT_WAREHOUSE) $(BIN)/sqlfluff lint models tests/dbt analyses

# built again whenever a model, macro, seed or the project changed; published by a
# rename, so that a build that failed is not taken for a current one
$(LINT_WAREHOUSE): $(VENV)/.installed dbt_project.yml $(shell find models macros seeds -type f)
	mkdir -p target
	rm -f $@.build
	CS_WAREHOUSE_PATH=$(CURDIR)/$@.build $(BIN)/dbt build --quiet --exclude-resource-type test unit_test
	mv $@.build $@

# lint (ruff and sqlfluff), then pytest (tests/test_spark.py needs the Spark packages and Java)
test: lint spark-setup
	$(BIN)/python -m pytest tests

# the benchmark harness (benchmarks/README.md): `make bench` at a smoke size (200
# accounts, 1 run), `make bench N=100000` at a chosen size (REPEATS=k for k runs,
# ORDER=account for a usage file sorted by account instead of by date).
# Its incremental run is the daily refresh (`make refresh`'s arguments).
N ?= 200
bench: setup
	$(BIN)/python -m benchmarks.run --accounts $(N) $(if $(REPEATS),--repeats $(REPEATS),$(if $(filter 200,$(N)),--repeats 1)) --as-refresh $(if $(ORDER),--usage-order $(ORDER))

# dbt's docs site (then `.venv/bin/dbt docs serve`), and docs/marts.md from the models' YAML
docs: setup
	$(BIN)/dbt docs generate
	$(BIN)/python -m cs_warehouse.marts_doc

# Apache Superset on $(CS_BI_HOST):$(CS_BI_PORT) over $(CS_WAREHOUSE_PATH), read-only, in its own
# venv (bi/requirements.txt), provisioned from bi/ (README, "Superset"). Its state: $(CS_BI_HOME)
BI_VENV := .venv-bi
$(BI_VENV)/.installed: bi/requirements.txt
	test -x $(BI_VENV)/bin/python || $(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BI_VENV)/bin/python -m pip install --quiet -r bi/requirements.txt
	touch $@

bi: $(BI_VENV)/.installed
	$(BI_VENV)/bin/python bi/manage.py start

bi-stop:
	$(PYTHON) bi/manage.py stop

clean:
	rm -rf target logs $(VENV) $(BI_VENV)
