# The two commands of the README: `make run` serves the API, `make test` runs every test.
# Both install exactly what requirements.lock pins (with hashes) and nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
THREADS ?= 8
LOCK := requirements.lock
# The links in mails and feeds follow the address `make run` serves on, unless set already.
BOOKING_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
# pip-tools resolves the lock; pinned so that `make lock` means the same on every machine.
TOOLS := .venv-tools
PIP_TOOLS := pip==26.3 pip-tools==7.7.0
COMPILE := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --all-build-deps \
	--extra test --strip-extras --no-emit-find-links --no-emit-index-url --no-emit-trusted-host \
	--output-file $(LOCK) pyproject.toml

.PHONY: run test lint fuzz install clean libical chromium pdf pgbouncer translations bench lock \
	upgrade \
	test-latest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A changed lock builds the venv anew, so nothing outside the lock lingers in it. setuptools
# comes from the lock too, so the project itself installs without fetching a build backend.
$(VENV)/.installed: $(LOCK) pyproject.toml | $(BIN)/python
	@if [ -e $@ ]; then rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet $(PIP_TOOLS)
	touch $@

## lock: resolve pyproject.toml's ranges again, keeping the locked versions where they still fit
## (after adding or changing a dependency)
lock: $(TOOLS)/.installed
	$(COMPILE)

## upgrade: move every locked version to the newest the ranges allow, then run the whole suite
upgrade: $(TOOLS)/.installed
	$(COMPILE) --upgrade
	$(MAKE) test

## test-latest: the suite on the newest versions the ranges allow, in a venv of its own and
## without touching the lock, so a range that no longer holds shows before a user meets it
test-latest: node_modules/.installed libical chromium
	rm -rf .venv-latest && $(PYTHON) -m venv .venv-latest
	.venv-latest/bin/pip install --quiet --upgrade pip setuptools
	.venv-latest/bin/pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	.venv-latest/bin/pip freeze --exclude-editable > .venv-latest/versions.txt
	.venv-latest/bin/pytest --deselect tests/test_lock.py $(PYTEST_ARGS)

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

# Pango for WeasyPrint (the report's PDF) and poppler's pdftotext (the tests read the PDF back).
pdf:
	@(ldconfig -p | grep -q libpangoft2-1.0.so.0 && command -v pdftotext >/dev/null) || \
		(apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 \
		poppler-utils >/dev/null) || \
		echo "could not install Pango and poppler-utils: report PDFs will fail"

# Debian's PgBouncer, for the tests that run the service behind it in transaction mode.
pgbouncer:
	@test -x /usr/sbin/pgbouncer || \
		(apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null) || \
		echo "could not install pgbouncer: the pooler tests will fail"

## run: migrate the SQLite database under instance/, load the demo data if empty, serve on
## HOST:PORT (127.0.0.1:8000)
## (one process with threads, so the in-memory rate limits hold exactly; see README for Redis),
## with `booking worker` beside it delivering mail (.eml files under instance/mail/); stops both
## (HOST and PORT choose the address; BOOKING_PUBLIC_BASE_URL follows them unless set)
run: export BOOKING_ENV := development
run: export BOOKING_PUBLIC_BASE_URL := $(BOOKING_PUBLIC_BASE_URL)
run: install pdf
	$(BIN)/booking db upgrade
	$(BIN)/booking seed-demo --if-empty
	$(BIN)/booking worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 1 --threads $(THREADS) \
		--bind $(HOST):$(PORT) --access-logfile - wsgi:app

## test: the whole suite on SQLite, and on PostgreSQL when one is reachable (required with CI=true),
## a file at a time on each of TEST_WORKERS processes (2; each with its own databases), so a
## file's module-scoped servers and browser, and tests that build on each other, stay together
TEST_WORKERS ?= 2
test: install node_modules/.installed libical chromium pdf pgbouncer
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

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
	rm -rf $(VENV) $(TOOLS) .venv-latest .pytest_cache .ruff_cache .mypy_cache
