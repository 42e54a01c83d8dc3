# Accord: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint format bench install dev clean

$(BIN)/accord: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(BIN)/accord pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/accord
dev: $(VENV)/.dev

## run: install, migrate, load the seed demo into an empty database, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/accord serve --host $(HOST) --port $(PORT)

## test: the whole suite on SQLite, then on PostgreSQL when a server is reachable
test: dev
	scripts/test

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format src tests bench

## bench: benchmarks with baselines measured in the same run (see bench/README.md)
bench: dev
	$(BIN)/python -m bench.audit_writes

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
