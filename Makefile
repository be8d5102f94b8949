# Each target does its own set-up, so both work on a fresh clone.
# The venv's interpreter: the system's /usr/bin/python3 when it is 3.11+ with venv and
# ensurepip, else python3 on PATH. On a Debian host that is the interpreter docs/deploy.md's
# `python3 -m venv` uses, and scripts/image_test.sh's Debian base runs. On this project's
# machine, Debian's python3.11 (libpython in the executable) used 14-24 % less CPU a card
# than pyenv's default build (shared libpython, no PGO); bench/card.py prints which
# interpreter ran. An existing .venv is kept (`make clean` first to make it anew), and
# `make PYTHON=python3.12 ...` picks another.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JS     := tests/freshworks_app
VENDOR := src/upsales_freshdesk/demo/vendor
CRAYONS := $(VENDOR)/node_modules/.package-lock.json

.PHONY: demo emulate test soak lint typecheck check-app js-test i18n bench clean image-test dist

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(JS)/node_modules/.package-lock.json: $(JS)/package-lock.json
	npm ci --prefix $(JS) --no-audit --no-fund --loglevel=error

# A pinned copy of Crayons, served offline in place of the CDN (demo and browser tests).
$(CRAYONS): $(VENDOR)/package-lock.json
	npm ci --prefix $(VENDOR) --no-audit --no-fund --loglevel=error --ignore-scripts

## demo: the whole product on one URL (emulators, backend, a Freshdesk-like page with the app); PORT=8080
PORT ?= 8080
demo: $(STAMP) $(CRAYONS)
	$(BIN)/upsales-freshdesk demo --port $(PORT)

## emulate: only the two emulators, with their URLs and keys
emulate: $(STAMP)
	$(BIN)/upsales-freshdesk emulate

## test: lint, type-check, check the import layers, the app and catalogs, then every test suite
test: $(STAMP) $(JS)/node_modules/.package-lock.json $(CRAYONS)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/i18n.py --check
	$(BIN)/upsales-freshdesk app validate --strict freshworks-app
	cd $(JS) && node --test
	$(BIN)/pytest --cov --cov-report=term

## dist: the service's wheel and the app's zip in dist/, as docs/deploy.md installs them
# The wheel is built from the files git tracks (hatchling; pip fetches it into an isolated
# build environment), so it holds the templates, the compiled catalogs (.mo) and the demo's
# static files, never node_modules. An older version's wheel is removed first, so
# dist/upsales_freshdesk-*.whl names one file.
dist: $(STAMP)
	rm -f dist/upsales_freshdesk-*.whl dist/freshworks-app.zip
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .
	$(BIN)/upsales-freshdesk app pack freshworks-app --out dist
	ls dist/upsales_freshdesk-*.whl dist/freshworks-app.zip

## image-test: build the Containerfile on a Debian base made here, run its serve in a chroot (root; podman, mmdebstrap)
image-test: $(STAMP)
	PYTHON=$(BIN)/python bash scripts/image_test.sh

## i18n: extract, update and compile the message catalogs
i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py

## bench: the card, browser, sync, timeline and push benchmarks
bench: $(STAMP)
	$(BIN)/python bench/card.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/scaleout.py
	$(BIN)/python bench/sync_burst.py
	$(BIN)/python bench/transport.py
	$(BIN)/python bench/timeline.py
	$(BIN)/python bench/push.py

## soak: ten minutes at a steady rate, reporting the backend's memory slope
soak: $(STAMP)
	$(BIN)/python bench/load.py --soak

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/ruff format --check src tests scripts bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(JS)/node_modules $(VENDOR)/node_modules .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .coverage dist
