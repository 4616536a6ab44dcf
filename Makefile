# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
PORT ?= 8000
# make serve: nginx listens on BIND:PORT, gunicorn on 127.0.0.1:GUNICORN_PORT behind it; nginx's
# rendered config, pid, temp files and its log of refused requests live in SERVE_DIR.
BIND ?= 0.0.0.0
GUNICORN_PORT ?= 8001
SERVE_DIR ?= $(VENV)/serve
CLIENT_HEADER_TIMEOUT ?= 10s
CLIENT_BODY_TIMEOUT ?= 10s
MAX_BODY ?= 64m
ADMIN_MAX_BODY ?= 1g

.PHONY: run test test-quick lint serve install browser nginx nginx-conf lock clean bench

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

# Debian's nginx buffers whole requests in front of gunicorn (make serve, tests/test_serving.py).
# make serve runs its own nginx; on a host whose init starts services at install, also stop
# Debian's (systemctl disable --now nginx) unless you use it.
nginx:
	@test -x $(NGINX) || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	  else echo "Install Debian's nginx (sudo apt-get install nginx) for make serve and its test"; exit 1; fi; }

# deploy/nginx.conf with its @NAME@s filled in, as SERVE_DIR/nginx.conf, checked by nginx -t.
# Started as root, nginx's workers run as nobody: they must reach SERVE_DIR's temp folders.
nginx-conf: nginx
	@mkdir -p $(SERVE_DIR)/tmp
	@listen="$(BIND):$(PORT)"; case "$(BIND)" in *:*) listen="[$(BIND)]:$(PORT)";; esac; \
	sed -e "s|@SERVE_DIR@|$(abspath $(SERVE_DIR))|g" -e "s|@LISTEN@|$$listen|g" \
	    -e "s|@UPSTREAM@|127.0.0.1:$(GUNICORN_PORT)|g" \
	    -e "s|@CLIENT_HEADER_TIMEOUT@|$(CLIENT_HEADER_TIMEOUT)|g" \
	    -e "s|@CLIENT_BODY_TIMEOUT@|$(CLIENT_BODY_TIMEOUT)|g" \
	    -e "s|@MAX_BODY@|$(MAX_BODY)|g" -e "s|@ADMIN_MAX_BODY@|$(ADMIN_MAX_BODY)|g" \
	    deploy/nginx.conf > $(SERVE_DIR)/nginx.conf
	@! grep -n '@[A-Z_]*@' $(SERVE_DIR)/nginx.conf || { echo "unfilled names in $(SERVE_DIR)/nginx.conf"; exit 1; }
	@if [ "$$(id -u)" = 0 ] && ! runuser -u nobody -- test -x $(abspath $(SERVE_DIR)); then \
	  echo "nginx's workers (user nobody) cannot reach SERVE_DIR=$(abspath $(SERVE_DIR)): choose another SERVE_DIR"; exit 1; fi
	@$(NGINX) -t -q -e stderr -p $(abspath $(SERVE_DIR)) -c $(abspath $(SERVE_DIR))/nginx.conf

# A background-task worker (CSV imports) runs beside the server and stops with it.
run: export DEBUG = 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py db_worker --no-reload --verbosity 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: SQLite by default; PostgreSQL when DATABASE_URL is set. Spread over the
# machine's cores (pytest-xdist; each test file runs whole on one worker, its own database).
test: export SECRET_KEY ?= test-only-not-secret-test-only-not-secret-test-only
test: install browser nginx
	$(BIN)/python -m pytest -n auto --dist loadfile

# The inner loop: everything but the browser, fuzz and server tests (a minute or two).
test-quick: export SECRET_KEY ?= test-only-not-secret-test-only-not-secret-test-only
test-quick: install
	$(BIN)/python -m pytest -n auto --dist loadfile -m "not browser and not fuzz and not server"

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

# Production: set SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL first. nginx (deploy/nginx.conf) on
# BIND:PORT reads every whole request before gunicorn's sync workers (deploy/gunicorn.conf.py, one
# per core, loopback only) see it, so slow clients cannot hold the workers. Either stops: both stop.
serve: SHELL := /bin/bash
serve: install nginx-conf
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput
	GUNICORN_BIND=127.0.0.1:$(GUNICORN_PORT) $(BIN)/gunicorn livevox_site.wsgi \
	  -c deploy/gunicorn.conf.py & app=$$!; \
	$(NGINX) -e stderr -p $(abspath $(SERVE_DIR)) -c $(abspath $(SERVE_DIR))/nginx.conf & proxy=$$!; \
	trap 'kill $$app $$proxy 2>/dev/null; wait $$app $$proxy 2>/dev/null' EXIT INT TERM; \
	echo "make serve: http://$(BIND):$(PORT) (nginx) -> 127.0.0.1:$(GUNICORN_PORT) (gunicorn)"; \
	wait -n $$app $$proxy

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-*
