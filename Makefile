# The two set-up commands are `make run` and `make test`; `make help` lists the rest.
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# A stamp newer than requirements.txt means the venv already has what it needs.
INSTALLED := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run serve migrate demo test test-fast lint format check clean

help: ## List the make verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(INSTALLED) ## Create .venv and install the pinned requirements

requirements.txt: requirements.in
	$(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links --output-file $@ $<

migrate: $(INSTALLED) ## Apply database migrations
	$(MANAGE) migrate --no-input

demo: migrate ## Load the demo content (safe to run again)
	DEMO_ADDRESS=$(HOST):$(PORT) $(MANAGE) seed_demo

run: demo ## Install, migrate, load demo content and serve on http://127.0.0.1:8000
	$(MANAGE) runserver $(HOST):$(PORT)

serve: $(INSTALLED) ## Serve without reloading the demo content
	$(MANAGE) runserver $(HOST):$(PORT)

lint: $(INSTALLED) ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## ruff: fix what it can and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(INSTALLED) ## Django system checks, including the production ones
	$(MANAGE) check
	DEBUG=false SECRET_KEY=check-only-$$(date +%s)-not-a-real-secret-key-0123456789abcdef \
	  ALLOWED_HOSTS=network.example.org SITE_URL=https://network.example.org \
	  $(MANAGE) check --deploy --fail-level WARNING

test: lint ## The whole suite (embedded default, or the services named by DATABASE_URL/REDIS_URL)
	@scripts/ensure-chromium
	$(BIN)/python -m pytest

test-fast: $(INSTALLED) ## The suite without the browser tests
	$(BIN)/python -m pytest -m "not browser"

clean: ## Remove the venv, local data and caches
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
