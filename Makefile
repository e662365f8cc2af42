# chidao. Try it: `make demo`. Check it: `make test`. Everything else: `make help`.

SHELL := /bin/bash
.DEFAULT_GOAL := help

BIN := .venv/bin
CHIDAO := $(BIN)/chidao
NAME ?=
SCALE ?= small

# pyproject.toml forbids uv from downloading Python; a newcomer without Python 3.12 needs it to.
# A value already in the environment wins.
export UV_PYTHON_DOWNLOADS ?= automatic

# The browser tests (Playwright, sync API) touch the ORM from inside an event loop.
# They write screenshots to test-artifacts/.
PYTEST := env DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q -p no:cacheprovider

.PHONY: help sync demo serve migrate test lint fmt typecheck test-sqlite test-postgres bench clean

help:
	@echo "make demo           install, load the administrative units and demo data, serve on http://127.0.0.1:$${PORT:-8000}"
	@echo "make test           lint, type-check, then the test suite on SQLite and on PostgreSQL"
	@echo "make serve          serve the app without reloading demo data (PORT=8000)"
	@echo "make migrate        apply database migrations"
	@echo "make lint           ruff check and ruff format --check"
	@echo "make fmt            ruff format and ruff check --fix"
	@echo "make typecheck      mypy chidao"
	@echo "make test-sqlite    the test suite on SQLite only"
	@echo "make test-postgres  the test suite on PostgreSQL only (TEST_POSTGRES_URL, local, or private cluster)"
	@echo "make bench NAME=<name> SCALE=<small|province|national>"
	@echo "make clean          remove var/ (SQLite database, secret key, uploads, collected static)"

# Installs uv when missing, then the locked dependencies into .venv.
sync:
	@scripts/uv sync --frozen --quiet

demo: sync
	$(CHIDAO) demo
	$(CHIDAO) serve

serve: sync
	$(CHIDAO) serve

migrate: sync
	$(CHIDAO) migrate

# Runs every step even when one fails, so one run shows every problem; fails if any failed.
test: sync
	@scripts/ensure-chromium
	@failed=""; \
	for step in lint typecheck test-sqlite test-postgres; do \
		echo "== $$step"; SECONDS=0; \
		if $(MAKE) --no-print-directory $$step; then result=ok; else result=FAILED; failed="$$failed $$step"; fi; \
		echo "== $$step: $$result in $${SECONDS}s"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make test: all passed"

lint: sync
	@status=0; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/ruff format --check . || status=1; \
	exit $$status

fmt: sync
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: sync
	$(BIN)/mypy chidao

test-sqlite: sync
	env -u DATABASE_URL $(PYTEST)

test-postgres: sync
	scripts/with-postgres $(PYTEST)

bench: sync
	@test -n "$(NAME)" || { echo "usage: make bench NAME=<name> SCALE=<small|province|national>" >&2; exit 2; }
	$(BIN)/python bench/run.py --name $(NAME) --scale $(SCALE)

clean:
	rm -rf var/
