# Two commands on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PEERS := tests/peers/oidc/node_modules/.installed
PYTEST_ARGS ?=
# Tests run in parallel, one database and one live server per worker (pytest-xdist);
# a file's tests stay together so its fixtures are made once.
TEST_WORKERS ?= 2
XDIST := -n $(TEST_WORKERS) --dist loadfile

# `make test-time-travel` runs the tests marked time_dependent at each of these instants
# (Europe/Copenhagen): a Tuesday morning; a Tuesday night (after working hours, inside
# quiet hours); a Saturday afternoon; Christmas Eve; the two DST changes; a leap day;
# the last minute of the year. Half of them at a time, each in its own process.
TIME_TRAVEL_INSTANTS := \
  2026-12-08T10:00:00+01:00 2026-12-08T23:30:00+01:00 2026-12-05T14:00:00+01:00 \
  2026-12-24T19:00:00+01:00 2026-03-29T02:30:00+01:00 2026-10-25T02:30:00+02:00 \
  2028-02-29T12:00:00+01:00 2026-12-31T23:59:00+01:00
CLOCK ?=

.PHONY: run test lint typecheck test-sqlite test-postgres test-time-travel test-at install peers bench clean

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
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status
endef

# The same, with the arguments from the environment's PYTEST_ARGS.
define run_pytest_env
	$(BIN)/python -m pytest $(XDIST) $$PYTEST_ARGS; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status
endef

test-sqlite: $(INSTALLED) peers
	env -u TEST_DATABASE_URL bash -c '$(run_pytest)'

# The PostgreSQL pass leaves out the browser tests: the pages are the same on both
# databases, and the SQLite pass runs them (CI stays under 15 minutes).
test-postgres: $(INSTALLED) peers
	@if [ -z "$$TEST_DATABASE_URL" ]; then echo "TEST_DATABASE_URL is not set: skipping the PostgreSQL run"; \
	else PYTEST_ARGS="--ignore=tests/browser $(PYTEST_ARGS)" bash -c '$(run_pytest_env)'; fi

test: lint typecheck test-sqlite test-postgres

# The time-dependent tests at every instant above, on SQLite: each instant is one
# pytest-xdist node with TRINVIS_CLOCK set (ticking), and every node runs every test.
# The browser tests run at the first four instants (working hours, night, weekend,
# Christmas Eve); the others (DST changes, leap day, year end) run every other test.
test-time-travel: $(INSTALLED) peers
	@set -e; for half in "$(wordlist 1,4,$(TIME_TRAVEL_INSTANTS))" "$(wordlist 5,8,$(TIME_TRAVEL_INSTANTS))"; do \
	  nodes=(); n=0; for instant in $$half; do \
	    echo "gw$$n: TRINVIS_CLOCK=$$instant"; n=$$((n+1)); \
	    nodes+=(--tx "popen//env:TRINVIS_CLOCK=$$instant//env:TRINVIS_CLOCK_TICKS=1"); \
	  done; \
	  only=(); if [ "$$half" = "$(wordlist 5,8,$(TIME_TRAVEL_INSTANTS))" ]; then only=(--ignore=tests/browser); fi; \
	  env -u TEST_DATABASE_URL $(BIN)/python -m pytest -m time_dependent \
	    --dist each "$${nodes[@]}" "$${only[@]}" $(PYTEST_ARGS) || exit $$?; \
	done

# The whole suite (or PYTEST_ARGS) at one chosen instant: make test-at CLOCK=2026-12-24T19:00:00+01:00
test-at: $(INSTALLED) peers
	@if [ -z "$(CLOCK)" ]; then echo "usage: make test-at CLOCK=2026-12-24T19:00:00+01:00"; exit 2; fi
	env -u TEST_DATABASE_URL TRINVIS_CLOCK=$(CLOCK) TRINVIS_CLOCK_TICKS=1 bash -c '$(run_pytest)'

bench: $(INSTALLED)
	@ls bench/*.py

clean:
	rm -rf $(VENV) .build .artifacts .pytest_cache .mypy_cache .ruff_cache tests/peers/oidc/node_modules trinvis.db*
