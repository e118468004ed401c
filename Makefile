# OwnerHub: `make run` serves the API on an embedded SQLite database; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test migrate schema bench bench-wrk bench-data-1m bench-1m clean assets

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# GraphiQL's assets and the graphql-http audit, from the npm registry (tools/setup_node.sh).
assets:
	bash tools/setup_node.sh

run: $(STAMP)
	@command -v npm >/dev/null 2>&1 && bash tools/setup_node.sh || echo "npm not available: GraphiQL's assets are not installed (the API works without them)"
	$(BIN)/ownerhub serve

migrate: $(STAMP)
	$(BIN)/ownerhub migrate

schema: $(STAMP)
	$(BIN)/ownerhub export-schema

test: $(STAMP) assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark (bench/, issues 7 and 15): not part of CI. BENCH_DB=postgresql runs it on
# the PostgreSQL at 127.0.0.1:5432; BENCH_ARGS passes --rounds, --seconds, --concurrency.
# The load comes from Debian's wrk, installed here when it is missing.
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_DB ?= sqlite
BENCH_CONTACTS ?= 10000
BENCH_ARGS ?=

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench-wrk:
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } >/dev/null 2>&1 || { echo "make bench needs wrk and could not install it: run apt-get install wrk" >&2; exit 1; }

bench: $(BENCH_STAMP) bench-wrk
	$(BIN)/python -m bench.driver --database $(BENCH_DB) --contacts $(BENCH_CONTACTS) $(BENCH_ARGS)

bench-data-1m: $(BENCH_STAMP)
	$(BIN)/python -m bench.driver --database $(BENCH_DB) --contacts 1000000 --generate-only

bench-1m: bench-data-1m bench-wrk
	$(BIN)/python -m bench.driver --database $(BENCH_DB) --contacts 1000000 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache tools/node tests/clients/node_modules static/graphiql
