# Every target bootstraps .venv on a fresh machine; nothing else is needed beforehand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := covenant-demo

.PHONY: run test check bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP) ## write the demo workspace to ./covenant-demo, load it into SQLite, evaluate it
	$(BIN)/covenant demo $(DEMO) --force

test: $(STAMP) check ## the whole suite (service tests need PostgreSQL; see scripts/test-services)
	bash scripts/test-services
	$(BIN)/pytest -n 2 -q

check: $(STAMP) ## lint, types, architecture contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) ## benchmarks with in-run baselines (figures go to docs/benchmarks.md)
	$(BIN)/python benchmarks/fleet.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/business_time.py
	$(BIN)/python benchmarks/cli.py
	$(BIN)/python benchmarks/prometheus.py
	$(BIN)/python benchmarks/prometheus_rules.py

docs: $(STAMP) ## check the docs' commands and examples still run
	$(BIN)/pytest -q tests/test_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
