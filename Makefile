# Accord: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test test-quick lint format bench bench-smoke install dev clean fonts

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
# The demo lives in 1960 (the seed's report is of 26 February 1960): its overdue ages count from there, and the
# pages say so. Set ACCORD_TODAY= (empty) to count from today instead.
run: install fonts
	ACCORD_TODAY=$${ACCORD_TODAY-1960-02-26} $(BIN)/accord serve --host $(HOST) --port $(PORT)

## fonts: Chinese and Cyrillic glyphs for PDFs (Debian's packages, when run as root; Accord warns otherwise)
fonts:
	@if ! fc-list :lang=zh 2>/dev/null | grep -q . ; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-noto-cjk fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else echo "No Chinese font found: install fonts-noto-cjk (Chinese PDFs are refused until then)"; fi; \
	fi

## test: the whole suite on SQLite, then on PostgreSQL when a server is reachable
test: dev
	scripts/test

## test-quick: SQLite only, without the tests marked slow (servers, browsers, fresh installations): minutes
test-quick: dev
	scripts/test --quick

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	PYTHONPATH=src $(BIN)/lint-imports

format: dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format src tests bench

## bench: benchmarks with baselines measured in the same run (see bench/README.md)
bench: dev
	$(BIN)/python -m bench.suite --size S
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgres://root@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(BIN)/python -m bench.suite --size S --database-url postgres://root@127.0.0.1:5432/accord_suite_bench; \
	else echo "PostgreSQL not reachable on 127.0.0.1:5432: suite run on SQLite only"; fi

## bench-smoke: every scenario of the suite at 1,000 projects, on SQLite and PostgreSQL (CI runs this)
# The two runs side by side, each into its own log shown when both are done: each is mostly one process (the
# figures of a smoke run mean nothing, it only proves every scenario still runs), so on two cores the pair takes
# about as long as the longer one. Fails if either fails.
bench-smoke: dev
	@mkdir -p var
	@$(BIN)/python -m bench.suite --smoke > var/bench-smoke-sqlite.log 2>&1 & lite=$$!; \
	$(BIN)/python -m bench.suite --smoke --database-url postgres://root@127.0.0.1:5432/accord_smoke_bench \
	  > var/bench-smoke-postgresql.log 2>&1; pg=$$?; \
	wait $$lite; sqlite=$$?; \
	echo "== bench smoke on SQLite (exit $$sqlite)"; cat var/bench-smoke-sqlite.log; \
	echo "== bench smoke on PostgreSQL (exit $$pg)"; cat var/bench-smoke-postgresql.log; \
	test $$sqlite -eq 0 && test $$pg -eq 0

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
