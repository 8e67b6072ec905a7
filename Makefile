# The two commands: `make run` (demo on SQLite) and `make test` (whole suite on PostgreSQL + Redis).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/opencraft_ops
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2
HOST ?= 127.0.0.1
RUN_PORT ?= 8000
# The settings fail closed (DEBUG off, a real secret required); the demo asks for DEBUG.
RUN_ENV := DJANGO_DEBUG=1 CELERY_TASK_ALWAYS_EAGER=1

.PHONY: run test venv dev-venv lint typecheck pytest demo-data bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

## make run: install, migrate the SQLite demo database, load demo data, serve on 127.0.0.1:8000
## (make run RUN_PORT=8001 to use another port). Running it again keeps the data.
run: venv
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input
	$(RUN_ENV) $(BIN)/python manage.py demo_data
	$(RUN_ENV) $(BIN)/python manage.py sync_beat_schedule
	@echo ""
	@echo "  opencraft_ops is starting at http://$(HOST):$(RUN_PORT)/  (directory: http://$(HOST):$(RUN_PORT)/org/directory/)"
	@echo "  Demo login: demo / demo-password   (staff: admin / admin-password)"
	@echo ""
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(RUN_PORT)

## make test: install dev tools, make sure PostgreSQL/Redis/Chromium are up, lint, type-check, run pytest.
test: dev-venv
	./scripts/ensure_services.sh
	$(MAKE) lint typecheck
	$(MAKE) pytest

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: dev-venv
	$(BIN)/mypy .

pytest: dev-venv
	DJANGO_DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CELERY_TASK_ALWAYS_EAGER=1 \
	  $(BIN)/pytest -n $(PYTEST_WORKERS) --create-db $(PYTEST_ARGS)

## make bench: every benchmark in turn, each on a PostgreSQL database of its own (created when missing).
bench: dev-venv
	./scripts/ensure_services.sh
	@for b in bench/[a-z]*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .mypy_cache .ruff_cache
