# finsam: `make run` sets everything up and serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := FINSAM_DEBUG=1 $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint format bench check-deploy clean

# The virtual environment is rebuilt when the lock file changes or its Python is too old.
$(VENV)/.installed: requirements.lock
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then rm -rf $(VENV); fi
	@if [ ! -x $(PY) ]; then interpreter=$$(bin/find-python) || exit 1; echo "Using $$interpreter"; "$$interpreter" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
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

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: setup
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	DJANGO_ALLOWED_HOSTS=finsam.example.se $(PY) manage.py check --deploy --fail-level WARNING

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
