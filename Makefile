# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8000

.PHONY: run test lint serve install browser lock clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs the exact pins of requirements.lock (regenerate it with `make lock`).
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

install: $(STAMP)

lock: $(BIN)/python
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

# Debian's Chromium drives the admin tests (Playwright never downloads a browser here).
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium (sudo apt-get install chromium) for the admin browser tests"; exit 1; fi; }

# A background-task worker (CSV imports) runs beside the server and stops with it.
run: export DEBUG = 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py db_worker --no-reload --verbosity 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# SQLite by default; PostgreSQL when DATABASE_URL is set.
test: export SECRET_KEY ?= test-only-not-secret-test-only-not-secret-test-only
test: install browser
	$(BIN)/python -m pytest

# The DNC lists at 10 million rows (a benchmark, never a test; about 15-30 minutes): needs a
# PostgreSQL server and Debian's wrk. The database named by DATABASE_URL is dropped and
# recreated (REUSE=1 keeps an earlier run's rows; DROP=1 drops it at the end).
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/livevox_bench_scale
bench: install
	@echo "make bench: PostgreSQL at DATABASE_URL=$$DATABASE_URL (set DATABASE_URL to use another server or database; it is dropped and recreated unless REUSE=1)"
	@command -v wrk >/dev/null || { echo "make bench needs wrk (sudo apt-get install wrk)"; exit 1; }
	bench/bench_dnc_scale.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Production settings behind gunicorn: set SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL first.
serve: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn livevox_site.wsgi --bind 0.0.0.0:$(PORT) --workers $$(nproc) --access-logfile -

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
