# The two commands: `make build` (set up, build the warehouse from the bundled demo
# data) and `make test` (run every test). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export PATH := $(CURDIR)/$(BIN):$(PATH)
export CS_RAW_DIR ?= $(CURDIR)/data/demo
export CS_WAREHOUSE_PATH ?= $(CURDIR)/warehouse.duckdb

.PHONY: build setup dbt-build test docs clean

build: setup dbt-build

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

dbt-build: setup
	$(BIN)/dbt build

test: setup
	$(BIN)/python -m pytest tests

docs: setup
	$(BIN)/dbt docs generate

clean:
	rm -rf target logs $(VENV)
