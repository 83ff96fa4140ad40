# The two commands README.md promises: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in pages, the sitemap, emails and load_demo's report point where `make run` serves,
# e.g. `PORT=8101 make run` links to :8101; set SITE_URL to name another public address.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

# Development defaults; a deployment sets its own environment instead of using this file.
export DJANGO_DEBUG ?= true
# Python keeps compiled modules in __pycache__ (ignored by git) unless told not to; some
# machines and containers tell it not to. Here it may: without them every test process and
# every manage.py the tests start compiles the project again, and pytest rewrites every test
# module's asserts again (about 3 s more per test process, 0.2 s more per manage.py).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast screenshots lint install install-dev migrate demo lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The development settings for `.venv/bin/python manage.py …` typed by hand in this checkout:
# manage.py reads this file (the environment wins over it); gunicorn never does. Written once,
# never overwritten, so a developer's edits stay.
.env:
	@printf '%s\n' \
	  '# Development settings for manage.py in this checkout, written by `make`; see README.md.' \
	  '# manage.py reads this file; a variable already in the environment wins over it.' \
	  '# gunicorn (platform_site/wsgi.py) never reads it. Not in git.' \
	  'DJANGO_DEBUG=true' \
	  '# make run links to http://HOST:PORT; for the links commands typed by hand print, e.g.:' \
	  '# SITE_URL=$(SITE_URL)' > $@
	@echo "Wrote .env (DJANGO_DEBUG=true), so .venv/bin/python manage.py … works by hand"

install: $(VENV)/.installed .env

install-dev: $(VENV)/.installed-dev .env

migrate: install
	$(BIN)/python manage.py migrate --no-input

# On a database with accounts load_demo did not make (someone signed up), load_demo says so in
# one line and loads nothing, so `make run` still serves; `load_demo --force` adds it anyway.
demo: migrate
	$(BIN)/python manage.py load_demo --skip-if-real
	$(BIN)/python manage.py load_demo_support
	$(BIN)/python manage.py load_demo_reads
	$(BIN)/python manage.py refresh_leaderboards

# The site and a background-job worker together (Procfile), through honcho; Ctrl-C stops both.
run: demo
	@echo "Serving Byline on http://$(HOST):$(PORT)/ (links: $(SITE_URL)/) with a job worker (Ctrl-C to stop)"
	HOST=$(HOST) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -p $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run

# Everything, in parallel (pyproject.toml's addopts): what CI runs.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests with a full-page screenshot of every page they check, at 390 and 1280 px,
# in artifacts/screenshots/ to look at (make test takes none: they are checked by no test).
screenshots: install-dev
	BYLINE_SCREENSHOTS=1 $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)
	@echo "Screenshots: $(abspath artifacts/screenshots)/"

# While working: no browser tests and none marked slow (> ~3 s each); `make test` before a push.
test-fast: lint
	$(BIN)/python -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

# Issue 21: Lighthouse over every page type, signed in and out, mobile and desktop, against
# gunicorn with debug off on a fresh demo database; prints a table (docs/benchmarks.md keeps
# the last one). Needs Debian's chromium and the npm lighthouse (npm install -g lighthouse).
# Not run by CI: it takes minutes. PAGES=home,story PRESETS=mobile narrow it.
lighthouse: $(VENV)/.installed
	@command -v lighthouse >/dev/null || { echo "npm install -g lighthouse first"; exit 1; }
	$(BIN)/python bench/lighthouse.py $(if $(PAGES),--pages $(PAGES)) $(if $(PRESETS),--presets $(PRESETS))
