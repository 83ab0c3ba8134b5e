# Every target bootstraps .venv on a fresh machine; nothing else is needed beforehand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := covenant-demo
PORT   ?= 8080
DEMO_PASSWORD := covenant-demo-2026

.PHONY: run test check bench docs help-model schema-snapshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP) ## write the demo workspace to ./covenant-demo, load it into SQLite, evaluate it, serve the API and the UI
	$(BIN)/covenant demo $(DEMO) --force
	$(BIN)/covenant agreements sync -w $(DEMO)/shop >/dev/null
	@for who in "demo admin" "editor editor" "viewer viewer"; do set -- $$who; \
	  printf '%s\n' '$(DEMO_PASSWORD)' | $(BIN)/covenant user create $$1 --role $$2 --password-stdin -w $(DEMO)/shop >/dev/null || exit 1; done
	@printf '%s\n' '$(DEMO_PASSWORD)' | $(BIN)/covenant user create globex --role customer --customer globex --password-stdin -w $(DEMO)/shop >/dev/null
	@echo "Web UI: http://127.0.0.1:$(PORT)/ui/"
	@echo "  sign in as demo (admin), editor, viewer or globex (Globex's customer portal); password for each: $(DEMO_PASSWORD)"
	@echo "Demo API tokens (valid 12 h; 'covenant token list|revoke -w $(DEMO)/shop' manages them):"
	@$(BIN)/covenant token create -w $(DEMO)/shop --role admin --expires 12h --label "make run: admin"
	@$(BIN)/covenant token create -w $(DEMO)/shop --role customer --customer globex --expires 12h --label "make run: globex"
	@echo 'Try: curl -H "Authorization: Bearer <token>" http://127.0.0.1:$(PORT)/api/v1/evaluations   (Ctrl-C stops)'
	$(BIN)/covenant serve -w $(DEMO)/shop --port $(PORT) --no-catch-up  # the demo's Prometheus is fictional

test: $(STAMP) check ## the whole suite (service tests need PostgreSQL; see scripts/test-services)
	bash scripts/test-services
	$(BIN)/pytest -n 2 -q --durations=40  # the slowest, to keep CI under 20 minutes

check: $(STAMP) ## lint, types, architecture contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m covenant.cli.help_model --check  # out of date after a command changed: make help-model
	$(BIN)/python -m covenant.store.schema_snapshot --check  # out of date after a new migration: make schema-snapshot

help-model: $(STAMP) ## after changing a command: rewrite src/covenant/cli/help_model.json (help printed without typer)
	$(BIN)/python -m covenant.cli.help_model --write

schema-snapshot: $(STAMP) ## after adding a migration: rewrite src/covenant/store/schema_sqlite.json (new SQLite stores without Alembic)
	$(BIN)/python -m covenant.store.schema_snapshot --write

bench: $(STAMP) ## benchmarks with in-run baselines (figures go to docs/benchmarks.md)
	$(BIN)/pip install --quiet -e ".[dev,bench]"  # polars and DuckDB: ingest baselines beside pandas
	$(BIN)/python benchmarks/fleet.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/records.py --postgres "$${COVENANT_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
	$(BIN)/python benchmarks/business_time.py
	$(BIN)/python benchmarks/cli.py
	$(BIN)/python benchmarks/plain_declined.py
	$(BIN)/python benchmarks/prometheus.py
	$(BIN)/python benchmarks/prometheus_rules.py
	$(BIN)/python benchmarks/prometheus_calendar.py
	$(BIN)/python benchmarks/rules_memory.py
	$(BIN)/python benchmarks/worker.py
	$(BIN)/python benchmarks/ui.py
	bash scripts/install-bench-deps  # wrk: the load generator of the API benchmark
	$(BIN)/python benchmarks/api.py

docs: $(STAMP) ## check the docs' commands and examples still run
	$(BIN)/pytest -q tests/test_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
