# The two commands of the README: `make run` serves the API, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
THREADS ?= 8

.PHONY: run test lint fuzz install clean libical chromium translations bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Mozilla's ical.js, pinned in package.json / package-lock.json, for the feed tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# libical's bindings from Debian (Evolution's parser), for the feed tests; root installs them.
libical:
	@/usr/bin/python3 -c "import gi; gi.require_version('ICalGLib', '3.0')" 2>/dev/null || \
		(apt-get update -qq && apt-get install -y -qq gir1.2-ical-3.0 python3-gi >/dev/null) || \
		echo "could not install gir1.2-ical-3.0 and python3-gi: the libical feed checks will fail"

# Debian's Chromium and its chromedriver, for the page tests (Selenium drives them headless).
chromium:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
		echo "could not install chromium and chromium-driver: the browser tests will fail"

## run: migrate the SQLite database under instance/, load the demo data if empty, serve on :8000
## (one process with threads, so the in-memory rate limits hold exactly; see README for Redis),
## with `booking worker` beside it delivering mail (.eml files under instance/mail/); stops both
run: install
	$(BIN)/booking db upgrade
	$(BIN)/booking seed-demo --if-empty
	BOOKING_ENV=development $(BIN)/booking worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	BOOKING_ENV=development $(BIN)/gunicorn --workers 1 --threads $(THREADS) \
		--bind $(HOST):$(PORT) --access-logfile - wsgi:app

## test: the whole suite on SQLite, and on PostgreSQL when one is reachable (required with CI=true)
test: install node_modules/.installed libical chromium
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

## fuzz: schemathesis against gunicorn + PostgreSQL, every operation, as admin, host, person
## and anonymous; 0 failures expected (FUZZ_EXAMPLES per operation and phase)
FUZZ_EXAMPLES ?= 50
fuzz: install
	$(BIN)/python -m tests.fuzz.run --max-examples $(FUZZ_EXAMPLES)

## bench: every benchmark in bench/ on SQLite and PostgreSQL; figures to bench/results.md
bench: install
	$(BIN)/python bench/run_all.py

## translations: merge new texts into the Dutch catalogue, compile it, list what is untranslated
translations: install
	$(BIN)/python scripts/catalogue.py

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
