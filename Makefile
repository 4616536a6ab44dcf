# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
PORT ?= 8000

.PHONY: run test lint serve install browser lock clean

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
