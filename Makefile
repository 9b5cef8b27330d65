# The two set-up commands are `make run` and `make test`; `make help` lists the rest.
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# A stamp newer than both requirement files means the venv already has what it needs.
# requirements.txt is what runs (the production image installs only it);
# requirements-dev.txt adds the development and test tools. --no-compile: Python compiles
# the modules it imports on first use; compiling every installed package up front (most
# of them never imported here) took longer than the install itself.
INSTALLED := $(VENV)/.installed
# Python keeps the bytecode it compiles (under .venv, out of the source tree) even where
# the environment says not to write it (PYTHONDONTWRITEBYTECODE): otherwise every process
# started (each test process, Celery worker and web node the suite starts) compiles the
# site and its libraries again, about 3.5 s of CPU each.
export PYTHONDONTWRITEBYTECODE :=
export PYTHONPYCACHEPREFIX := $(CURDIR)/$(VENV)/pycache
MANAGE := $(BIN)/python manage.py
# Where make run and make serve listen: make run PORT=8101 (HOST=0.0.0.0 to be reached
# from other machines).
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in the emails the site sends point at the address served, unless SITE_URL is set
# in the environment, on the command line or in .env.
SITE_URL ?= $(or $(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null),http://$(HOST):$(PORT))

.PHONY: help install requirements messages run serve migrate demo test test-fast lint format check clean

help: ## List the make verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt -r requirements-dev.txt
	touch $@

install: $(INSTALLED) ## Create .venv and install the pinned requirements

PIP_COMPILE = $(BIN)/pip-compile --quiet --strip-extras --no-emit-index-url --no-emit-find-links

# A verb, not file targets: a fresh clone's file times must never start a re-pin.
requirements: $(INSTALLED) ## Re-pin requirements.txt and requirements-dev.txt from their .in files
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# The compiled catalog is committed, so running the site never needs GNU gettext.
messages: $(INSTALLED) ## Compile locale/*.po (the site's wording of allauth's strings) after editing
	$(MANAGE) compilemessages --ignore=.venv

migrate: $(INSTALLED) ## Apply database migrations
	$(MANAGE) migrate --no-input

demo: migrate ## Load the demo content (safe to run again)
	DEMO_ADDRESS=$(HOST):$(PORT) SITE_URL=$(SITE_URL) $(MANAGE) seed_demo

run: demo ## Install, migrate, load demo content and serve on http://127.0.0.1:8000 (HOST=, PORT= to change)
	SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

serve: $(INSTALLED) ## Serve without reloading the demo content
	SITE_URL=$(SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

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
	  EMAIL_URL=smtp+tls://mail.example.org:587 \
	  $(MANAGE) check --deploy --fail-level WARNING

# The whole suite runs in TEST_PROCESSES processes (pytest-xdist); tests that start Celery
# workers share one of them. test-fast keeps its test database between runs (--reuse-db;
# add --create-db after a migration changes).
TEST_PROCESSES ?= auto

test: lint ## The whole suite (embedded default, or the services named by DATABASE_URL/REDIS_URL)
	@scripts/ensure-chromium
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadgroup

test-fast: $(INSTALLED) ## The suite without the browser tests, keeping the test database
	$(BIN)/python -m pytest -m "not browser" --reuse-db

clean: ## Remove the venv, local data and caches
	rm -rf $(VENV) var .pytest_cache .ruff_cache staticfiles
