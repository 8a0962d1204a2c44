# Two commands matter: `make run` and `make test`. Everything they need is set up here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test browser test-tools lint bench fuzz screenshots clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## Serve the bundled glossary and the example partner pages on http://$(HOST):$(PORT)/,
## logging each request (which `serve` does not do unless asked)
run: install
	$(BIN)/glossary-widget serve --host $(HOST) --port $(PORT) --examples examples --access-log

# Debian packages the tests need, installed with apt-get when running as root.
APT_INSTALL = [ "$$(id -u)" = 0 ] && apt-get update -qq \
	&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

# Playwright's own Chromium where it can be downloaded; otherwise the system one (Debian's
# `chromium`). tests/conftest.py picks whichever exists.
browser: install-test
	@$(BIN)/python -m playwright install chromium >/dev/null 2>&1 \
	  || command -v chromium >/dev/null 2>&1 \
	  || { $(APT_INSTALL) chromium >/dev/null; } \
	  || { echo "No Chromium found: run 'sudo apt-get install chromium' (Debian/Ubuntu) and retry." >&2; exit 1; }

# nginx, which tests/test_build.py runs with examples/deploy/nginx.conf on a static export, and
# PostgreSQL's server programs, with which the feedback tests start a throwaway cluster.
test-tools: browser
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] \
	  || { $(APT_INSTALL) nginx >/dev/null; } \
	  || { echo "No nginx found: run 'sudo apt-get install nginx' (Debian/Ubuntu) and retry." >&2; exit 1; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { $(APT_INSTALL) postgresql >/dev/null; } \
	  || { echo "No PostgreSQL found: run 'sudo apt-get install postgresql' (Debian/Ubuntu) and retry." >&2; exit 1; }

## Install test dependencies, a Chromium, nginx and PostgreSQL, then run the whole suite
test: test-tools
	$(BIN)/ruff check widget_server tests benchmarks
	$(BIN)/ruff format --check widget_server tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

## Run the property tests with many more examples, new ones each run (several minutes; not part
## of `make test`, which runs the same bounded examples every time): schemathesis against the
## API, the content loader fuzz, `new`'s titles
fuzz: install-test
	$(BIN)/python -m pytest -p no:cacheprovider --hypothesis-profile=fuzz \
	  tests/test_openapi.py tests/test_content_fuzz.py tests/test_scaffold.py

## Run the benchmarks (about a quarter of an hour; not part of `make test`) and regenerate
## benchmarks/RESULTS.md and its charts. Fetches mark.js, tippy.js and Popper with npm into
## benchmarks/.cache/; installs wrk and nginx with apt-get when running as root.
bench: browser
	$(BIN)/python -m benchmarks.run

## Retake the README's screenshots of the card (docs/card-light.png, docs/card-dark.png)
screenshots: browser
	SCREENSHOT_DIR=docs $(BIN)/python -m pytest -q tests/test_screenshots.py

lint: install-test
	$(BIN)/ruff check widget_server tests benchmarks
	$(BIN)/ruff format --check widget_server tests benchmarks
	$(BIN)/mypy

clean:
	rm -rf $(VENV) site .pytest_cache
