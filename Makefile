# graphrec: the two commands of the README are `make demo` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: setup demo services test lint lock bench clean-venv

setup:  ## virtualenv, Python packages, system packages, Neo4j jars
	@scripts/setup.sh

services: setup  ## start the local Neo4j and Redis (unless NEO4J_URI / REDIS_URL are set)
	$(BIN)/graphrec services up
	$(BIN)/graphrec db init

demo: setup  ## everything: servers, schema, data, model, then the API (DATA=movielens-dir)
	@scripts/demo.sh

test: setup  ## static checks, then the whole test suite against real Neo4j and Redis
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup  ## the serving benchmarks on the dev instance (load and train it first: make demo)
	@scripts/setup.sh --bench
	$(BIN)/graphrec services up
	$(BIN)/python bench/home_statement.py
	$(BIN)/python bench/serve_latency.py

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

lock:  ## refresh requirements.lock after changing pyproject.toml
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev -o requirements.lock --python-version 3.11

clean-venv:
	rm -rf $(VENV)
