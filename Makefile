# Partner Locator: `make run` serves the product on a sample, `make test` runs the whole suite.
# Both set up everything they need on a fresh machine and re-download nothing on a second run.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PL := $(BIN)/partner-locator

.PHONY: install engine test unit browser drills vendor run staff stop help messages bench-tools lighthouse-tools

help:
	@echo "make run    - start a local Elasticsearch (unless ELASTICSEARCH_URL is set), index a sample, serve"
	@echo "make test   - run the whole test suite against a real Elasticsearch"
	@echo "make unit   - only the tests that need no cluster"
	@echo "make browser - only the browser tests of the frontend (Debian's chromium, installed when missing)"
	@echo "make drills - only the failure drills on a three-node cluster of their own (part of make test)"
	@echo "make staff  - the staff app (analytics) on 127.0.0.1:5001, against the node make run started; prints a sign-in link"
	@echo "make stop   - stop the local Elasticsearch node"
	@echo "make messages - extract the visible strings into the catalogs, update every language, compile"

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

# The frontend's one third-party asset: Leaflet (BSD-2-Clause), committed under static/vendor/leaflet/.
# Restored from the npm registry (pinned version) only when it is missing; the page needs no build step.
LEAFLET_VERSION := 1.9.4
LEAFLET := static/vendor/leaflet/leaflet.js

$(LEAFLET):
	@echo "vendoring Leaflet $(LEAFLET_VERSION) from the npm registry into static/vendor/leaflet/"
	@command -v npm >/dev/null || { echo "npm is needed once to restore $(LEAFLET) (Debian: apt-get install npm)" >&2; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null && tar xzf leaflet-$(LEAFLET_VERSION).tgz) && \
	  mkdir -p static/vendor/leaflet/images && \
	  cp "$$tmp"/package/dist/leaflet.css "$$tmp"/package/LICENSE static/vendor/leaflet/ && \
	  cp "$$tmp"/package/dist/images/*.png static/vendor/leaflet/images/ && \
	  cp "$$tmp"/package/dist/leaflet.js $(LEAFLET)

# The tests' accessibility checker: axe-core (MPL-2.0), committed under tests/browser/vendor/ (never
# served to visitors: it is not in static/ and not in the wheel). Restored the same way when missing.
AXE_VERSION := 4.14.1
AXE := tests/browser/vendor/axe-core/axe.min.js

$(AXE):
	@echo "vendoring axe-core $(AXE_VERSION) from the npm registry into tests/browser/vendor/axe-core/"
	@command -v npm >/dev/null || { echo "npm is needed once to restore $(AXE) (Debian: apt-get install npm)" >&2; exit 1; }
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz) && \
	  mkdir -p $(dir $(AXE)) && cp "$$tmp"/package/axe.min.js "$$tmp"/package/LICENSE $(dir $(AXE))

vendor: $(LEAFLET) $(AXE)

test: install vendor
	@if [ -z "$$ELASTICSEARCH_URL" ]; then .ci/ensure-java-maven; fi
	.ci/ensure-browser
	$(BIN)/pytest

browser: install vendor
	@if [ -z "$$ELASTICSEARCH_URL" ]; then .ci/ensure-java-maven; fi
	.ci/ensure-browser
	$(BIN)/pytest tests/browser

unit: install
	$(BIN)/pytest tests/unit

drills: install
	.ci/ensure-java-maven
	$(BIN)/pytest -m cluster tests/cluster

SAMPLE_SITES ?= 5000
SAMPLE := var/sample-$(SAMPLE_SITES).jsonl
HOST ?= 127.0.0.1
PORT ?= 5000

$(SAMPLE): | $(STAMP)
	mkdir -p var
	$(PL) sample --sites $(SAMPLE_SITES) --seed 1 -o $@

# Start the node, index the sample (a few broken lines in it are reported and skipped), serve.
# Partners' previews, search analytics and the staff app need secrets of their own: unless set in
# the environment, the sample gets each made once in the local state dir (0600; `es secret NAME`),
# exported here without being shown; one working preview link is printed. `serve` alone never reads
# those files (every deployment sets its own).
# The shipped [pages] frame_ancestors is 'self' only: locally, pages on localhost may frame the search.
LOCAL_FRAME_ANCESTORS := 'self', http://localhost:*, http://127.0.0.1:*
define export_local_secret
if [ -z "$${$(2):-}" ]; then s="$$($(PL) es secret $(1))" || exit 1; export $(2)="$$s"; unset s; fi;
endef
run: engine vendor $(SAMPLE)
	$(PL) index $(SAMPLE) --report var/sample-report.jsonl --force
	@$(call export_local_secret,preview,PARTNER_LOCATOR_PREVIEW_SECRET) \
	 $(call export_local_secret,analytics,PARTNER_LOCATOR_ANALYTICS_TOKEN_SECRET) \
	 export PARTNER_LOCATOR_PAGES_FRAME_ANCESTORS="$(LOCAL_FRAME_ANCESTORS)"; \
	 echo "Partner Locator: http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs)"; \
	 if link="$$(PARTNER_LOCATOR_API_PUBLIC_URL="$${PARTNER_LOCATOR_API_PUBLIC_URL:-http://$(HOST):$(PORT)}" \
	             $(PL) preview-link --example)"; then echo "Partner preview: $$link"; fi; \
	 exec $(PL) serve --host $(HOST) --port $(PORT)

# The staff app (analytics dashboard, docs/staff-app.md) on 127.0.0.1:5001, against the node `make run`
# started: a staff secret made once in the state dir (unless PARTNER_LOCATOR_STAFF_SECRET is set),
# and a sign-in link printed (valid a day).
STAFF_PORT ?= 5001
staff: engine
	@$(call export_local_secret,staff,PARTNER_LOCATOR_STAFF_SECRET) \
	 echo "Staff app: $$($(PL) staff-link)"; \
	 exec $(PL) staff --host $(HOST) --port $(STAFF_PORT)

stop: install
	$(PL) es stop

# The benchmark scripts' tools (wrk, Lighthouse); the scripts themselves are run by hand (docs/benchmarks.md).
bench-tools: install lighthouse-tools
	$(BIN)/pip install --quiet -e '.[test,bench]'
	.ci/ensure-bench-tools

# Lighthouse for benchmarks/lighthouse.py, pinned by tests/browser/tooling/package-lock.json (12.2.3:
# 13.x needs Node 22), installed from the npm registry into tests/browser/tooling/node_modules
# (ignored by git; never served, not in the wheel). It drives Debian's chromium, never a download.
TOOLING := tests/browser/tooling
LIGHTHOUSE := $(TOOLING)/node_modules/.bin/lighthouse

$(LIGHTHOUSE): $(TOOLING)/package.json $(TOOLING)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for Lighthouse (Debian: apt-get install npm)" >&2; exit 1; }
	cd $(TOOLING) && npm ci --no-audit --no-fund
	touch $@

lighthouse-tools: $(LIGHTHOUSE)
	.ci/ensure-browser

# The message catalogs (README "Languages"): extract every visible string (babel.cfg) into the
# template, merge it into each language's .po (new entries arrive empty, to be translated), compile
# the .mo files the server reads. Both .po and .mo are committed, so an install needs no step.
TRANSLATIONS := locator/api/translations
POT := $(TRANSLATIONS)/messages.pot
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k t -k tn:1,2 -k tParts -k N_ --no-wrap --add-location=file --sort-by-file \
	  --project="Partner Locator" --copyright-holder="Milestone Systems" -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d $(TRANSLATIONS) --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics
