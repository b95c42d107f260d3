# finsam: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := FINSAM_DEBUG=1 $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Bytecode, and pytest's rewritten test modules, are cached under var/ even where the environment asks
# Python not to write any (PYTHONDONTWRITEBYTECODE): without the cache every test worker compiles every
# module again, seconds per run.
unexport PYTHONDONTWRITEBYTECODE
export PYTHONPYCACHEPREFIX := $(CURDIR)/var/pycache

.PHONY: run test test-fast setup lock lint format bench bench-national check-deploy clean

# The virtual environment (for running and testing: production and dev dependencies) is rebuilt when a
# lock file changes or its Python is too old. Every package is checked against the lock file's hashes.
LOCK_FILES := requirements/production.txt requirements/development.txt
$(VENV)/.installed: $(LOCK_FILES)
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then interpreter=$$(bin/find-python) || exit 1; echo "Using $$interpreter"; "$$interpreter" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/development.txt
	@touch $@

setup: $(VENV)/.installed

run: setup
	@mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) compilemessages --ignore=.venv >/dev/null 2>&1 || true
	@echo "finsam: http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	@# The task worker (PDF rendering) runs beside the server and stops with it (restart after code changes).
	$(MANAGE) db_worker --no-reload & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(MANAGE) runserver $(HOST):$(PORT)

# Two workers: the suite takes minutes on one core; each worker gets its own test database.
test: setup
	$(PY) -m pytest -n 2 --dist worksteal --durations=15 $(PYTEST_ARGS)

# The quick loop while working: everything but the slow sweeps, real PDF renderings and the browser tests.
# The test databases are made from the models (--no-migrations, a second saved per worker); `make test`
# and CI migrate.
test-fast: setup
	$(PY) -m pytest -n 2 --dist worksteal -m "not slow and not browser" --no-migrations --durations=10 $(PYTEST_ARGS)

# Regenerate the lock files from pyproject.toml ([project].dependencies, then with the dev group) with uv,
# installed into a throwaway venv. Pins already in the files are kept unless pyproject.toml needs others;
# `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves to newer releases.
UV_VERSION := 0.13.9
UV_COMPILE = --universal --python-version 3.12 --generate-hashes --no-config --quiet \
	--custom-compile-command "make lock" $(LOCK_ARGS)
lock:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && interpreter=$$(bin/find-python) && \
	"$$interpreter" -m venv "$$tmp/venv" && "$$tmp/venv/bin/python" -m pip install --quiet uv==$(UV_VERSION) && \
	mkdir -p requirements && \
	UV_PYTHON_DOWNLOADS=never "$$tmp/venv/bin/uv" pip compile pyproject.toml $(UV_COMPILE) \
		-o requirements/production.txt && \
	UV_PYTHON_DOWNLOADS=never "$$tmp/venv/bin/uv" pip compile pyproject.toml --group dev \
		-c requirements/production.txt $(UV_COMPILE) -o requirements/development.txt
	@echo "Wrote $(LOCK_FILES)"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: setup
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	DJANGO_ALLOWED_HOSTS=finsam.example.se FINSAM_BASE_URL=https://finsam.example.se \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# The benchmark builds 80 synthetic associations in its own database (var/bench.sqlite3, or DATABASE_URL)
# and runs under production settings (DEBUG off, whitenoise), printing a table.
BENCH_ENV := DJANGO_SECRET_KEY=bench-only-secret-key-not-for-production-0123456789abcdef \
	DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=0 \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
	DATABASE_URL=$${DATABASE_URL:-sqlite:///$(CURDIR)/var/bench.sqlite3}
bench: setup
	@mkdir -p var
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py load_demo >/dev/null
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

# The national peak: 82 associations and 1 000 users in PostgreSQL (created if missing), two gunicorn app
# servers and a PDF worker on loopback ports, a mixed load of chiefs and board members for 20 + 130 s.
# Exits non-zero on any error or lost update. PostgreSQL only (SQLite cannot take two servers' writes).
NATIONAL_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/finsam_bench_national
bench-national: setup
	@mkdir -p var
	$(BENCH_ENV) DATABASE_URL=$${DATABASE_URL:-$(NATIONAL_DATABASE_URL)} \
		$(PY) manage.py bench_national $(BENCH_ARGS)
