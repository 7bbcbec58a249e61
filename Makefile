# Partner Locator: `make run` serves the product on a sample, `make test` runs the whole suite.
# Both set up everything they need on a fresh machine and re-download nothing on a second run.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PL := $(BIN)/partner-locator

.PHONY: install engine test unit run stop help

help:
	@echo "make run    - start a local Elasticsearch (unless ELASTICSEARCH_URL is set), index a sample, serve"
	@echo "make test   - run the whole test suite against a real Elasticsearch"
	@echo "make unit   - only the tests that need no cluster"
	@echo "make stop   - stop the local Elasticsearch node"

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The local node needs Java 17+ and Maven; neither is needed when ELASTICSEARCH_URL points at a cluster.
engine: install
	@if [ -z "$$ELASTICSEARCH_URL" ]; then .ci/ensure-java-maven && $(PL) es start; \
	 else echo "ELASTICSEARCH_URL is set: using $$ELASTICSEARCH_URL"; fi

test: install
	@if [ -z "$$ELASTICSEARCH_URL" ]; then .ci/ensure-java-maven; fi
	$(BIN)/pytest

unit: install
	$(BIN)/pytest tests/unit

SAMPLE_SITES ?= 5000
SAMPLE := var/sample-$(SAMPLE_SITES).jsonl
HOST ?= 127.0.0.1
PORT ?= 5000

$(SAMPLE): | $(STAMP)
	mkdir -p var
	$(PL) sample --sites $(SAMPLE_SITES) --seed 1 -o $@

# Start the node, index the sample (a few broken lines in it are reported and skipped), serve.
run: engine $(SAMPLE)
	$(PL) index $(SAMPLE) --report var/sample-report.jsonl --force
	@echo "Partner Locator: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"
	$(PL) serve --host $(HOST) --port $(PORT)

stop: install
	$(PL) es stop
