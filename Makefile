# Badge Console: `make run` starts the console and its badge API; `make test` runs every test.
SHELL := /bin/bash
PORT ?= 8000
# Only this machine can reach `make run` unless HOST says otherwise (HOST=0.0.0.0 for the network).
HOST ?= 127.0.0.1
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The first interpreter that is Python 3.12 or newer (pyenv picks 3.12 from .python-version).
PYTHON := $(shell for candidate in python3.14 python3.13 python3.12 python3 python; do \
	if command -v $$candidate >/dev/null 2>&1 && $$candidate -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	echo $$candidate; break; fi; done)

.PHONY: run test lint install migrate clean bench

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Badge Console needs Python 3.12 or newer on PATH (found none)." >&2; exit 1; fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py seed_demo --port $(PORT)
	$(BIN)/python manage.py seed_console_users
	@echo "Listening on $(HOST):$(PORT)$(if $(filter 127.0.0.1 localhost ::1,$(HOST)), (this machine only; HOST=0.0.0.0 opens it to the network),)"
	@# Workers, threads, limits and error pages: gunicorn.conf.py (the HTTP edge tests start it too).
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py console.wsgi:application

test: install lint
	$(BIN)/python -m pytest

# pyflakes, isort, bugbear, pyupgrade and Django rules, and one formatting (pyproject.toml [tool.ruff]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: migrate
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
