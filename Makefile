# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PEERS := tests/peers/oidc/node_modules/.installed
PYTEST_ARGS ?=

.PHONY: run test lint typecheck test-sqlite test-postgres install peers bench clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

install: $(INSTALLED)

# The local OpenID Connect provider used by the sign-in tests (npm's oidc-provider).
peers:
	@if [ -f tests/peers/oidc/package-lock.json ] && \
	   [ ! tests/peers/oidc/package-lock.json -ot $(PEERS) -o ! -f $(PEERS) ]; then \
	  (cd tests/peers/oidc && npm ci --no-audit --no-fund --loglevel=error) && touch $(PEERS); \
	fi

run: $(INSTALLED)
	TRINVIS_DEMO_MODE=1 $(BIN)/trinvis run --host 127.0.0.1 --port 8000

lint: $(INSTALLED)
	$(BIN)/ruff check app tests bench migrations
	$(BIN)/ruff format --check app tests bench migrations

typecheck: $(INSTALLED)
	$(BIN)/mypy

# pytest exits 5 when it collected nothing; that must not pass silently, nor crash CI.
define run_pytest
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status
endef

test-sqlite: $(INSTALLED) peers
	env -u TEST_DATABASE_URL bash -c '$(run_pytest)'

test-postgres: $(INSTALLED) peers
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	else bash -c '$(run_pytest)'; fi

test: lint typecheck test-sqlite test-postgres

bench: $(INSTALLED)
	@ls bench/*.py

clean:
	rm -rf $(VENV) .artifacts .pytest_cache .mypy_cache .ruff_cache tests/peers/oidc/node_modules trinvis.db*
