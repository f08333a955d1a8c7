# Community Hall: every target sets itself up from nothing (a .venv/, pip, and Debian packages as root).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export HALL_DATA_DIR ?= $(CURDIR)/instance
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
BENCH_STAMP := $(VENV)/.bench-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PO := $(wildcard community_hall/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

# The date-sensitive suites, run a second time by `make test` with the whole process tree's clock 400 days ahead
# (Debian faketime): a test that compares a hard-coded date with the real clock fails there (docs/testing.md).
# The monotonic clock is left alone: faked, it left pytest hanging at exit (threads waiting on timed conditions).
# Tests marked real_time (heavy lock contention waiting on SQLite's busy timeout, not dates) run only the first time.
LATER_SUITES := tests/window tests/appointments tests/floor tests/visits tests/rosters tests/routing tests/timebank \
	tests/disclosure tests/api tests/test_retention.py tests/test_calendar.py tests/test_workdays.py
TEST_LATER ?= 1
# Two pytest-xdist workers, one per core (each test has its own data directory, database and free ports).
PYTEST_WORKERS ?= -n 2

.PHONY: run test test-later bench soak lint messages extract system-deps clean

run: $(STAMP) $(MO)
	$(BIN)/flask --app app hall init
	$(BIN)/flask --app app hall seed-demo --if-empty
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

test: $(STAMP) $(MO) system-deps
	$(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@if [ "$(TEST_LATER)" = 1 ]; then $(MAKE) --no-print-directory test-later; fi

test-later: $(STAMP) $(MO) system-deps
	FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f +400d $(BIN)/python -m pytest $(PYTEST_WORKERS) -m "not real_time" $(LATER_SUITES)

# Benchmark (issue 8): seeds 100,000 tickets, serves with gunicorn, loads with wrk, on SQLite and PostgreSQL;
# writes bench/results.json and bench/results.md. About 10 minutes on 2 cores.
bench: $(BENCH_STAMP) $(MO) system-deps
	$(BIN)/python -m bench.run --backend both --out bench/results.json

# Static checks (issue 9): ruff; bandit with no medium or high findings (tests are not scanned: they assert);
# pip-audit over the installed packages (.ci/audit_service.py: where the registry has no data for a release, the
# project's data for its latest release), failing on any finding not explained in .ci/audit_deps.py.
# Load with nothing lost (issue 9): 10,000 tickets from 32 connections over 4 communities while staff work and heads
# confirm hours, with kill -9 of a worker and then of the whole server; writes soak/results.json. A short run is in
# make test (tests/soak/).
soak: $(STAMP) $(MO) system-deps
	$(BIN)/python -m soak.run --tickets 10000 --connections 32 --activities 25 --out soak/results.json

lint: $(STAMP)
	$(BIN)/ruff check community_hall tests app.py bench soak .ci
	$(BIN)/bandit -q -ll -r community_hall app.py bench soak
	$(BIN)/python .ci/audit_deps.py

# The venv's own pip and setuptools are what Python shipped with; pinned current ones pass the dependency audit.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3 setuptools==84.2.1
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

messages: $(MO)

$(MO): $(PO) $(STAMP)
	$(BIN)/pybabel compile --statistics -d community_hall/translations

# Re-extract UI strings and merge them into the catalogues (translators then fill in msgstr).
extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o community_hall/translations/messages.pot .
	$(BIN)/pybabel update -i community_hall/translations/messages.pot -d community_hall/translations --no-fuzzy-matching

# Debian Chromium (+ CJK fonts) for the browser tests, PostgreSQL for the second backend, nginx and
# redis-server for the deployment tests (tests/deploy/; their own services are not needed), wrk for the benchmark,
# faketime for the second run of the date-sensitive suites (test-later).
system-deps:
	@if ! command -v chromium >/dev/null || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	    || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 || ! test -x /usr/sbin/nginx || ! command -v redis-server >/dev/null \
	    || ! command -v wrk >/dev/null || ! command -v faketime >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk postgresql \
	      nginx redis-server wrk faketime >/dev/null; \
	  else echo "Not root: install chromium, fonts-noto-cjk, postgresql, nginx, redis-server, wrk and faketime yourself, or their tests are skipped."; fi; \
	fi

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-installed-* && touch $@

clean:
	rm -rf $(VENV) .pytest_cache community_hall/translations/*/LC_MESSAGES/*.mo
