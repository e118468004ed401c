# OwnerHub: `make run` serves the API on an embedded SQLite database; `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test migrate schema bench clean assets

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

clean:
	rm -rf $(VENV) var .pytest_cache tools/node static/graphiql
