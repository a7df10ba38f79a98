# Two commands on a fresh machine: `make run` and `make test`. Each sets up what it needs on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PO     := $(wildcard locales/*/LC_MESSAGES/lotse.po)
MO     := $(PO:.po=.mo)

# Settings from .env (see .env.example), when there is one, reach `lotse` through the environment.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif

.PHONY: run test test-postgres lint i18n catalogs setup browser postgresql bench screenshots wheel clean

run: setup
	$(BIN)/lotse serve

setup: $(STAMP) catalogs
	$(BIN)/lotse setup

# The suite on every core (pytest-xdist), one test file per worker at a time: a file's module fixtures (an
# installed wheel, a benchmark run) are built once, and its tests keep their order. Files go out in the order
# conftest.py sorts them (slow ones first), not xdist's largest-first. WORKERS=0 runs in one process.
WORKERS ?= auto
test: $(STAMP) catalogs browser postgresql lint
	$(BIN)/pytest -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder

# The whole suite with its database fixtures on PostgreSQL (a throwaway cluster per worker): the engine's shared
# state and offers, and every test of the shared store, on the engine several instances share; on every core, as
# `make test`.
test-postgres: $(STAMP) catalogs browser postgresql lint
	LOTSE_TEST_DATABASE=postgresql $(BIN)/pytest -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder

lint: $(STAMP)
	$(BIN)/ruff check bot tests data/tools
	$(BIN)/mypy

# A virtual environment with the project and its test tools; redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogs are build products (never committed, so they cannot go stale).
catalogs: $(MO)
locales/%/LC_MESSAGES/lotse.mo: locales/%/LC_MESSAGES/lotse.po $(STAMP)
	@$(BIN)/pybabel compile --statistics -D lotse -i $< -o $@  # fuzzy entries are never compiled

# Re-extract messages from the code and merge them into every catalog.
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 --no-location --sort-output \
		-o locales/lotse.pot --project=Lotse --copyright-holder="Lotse contributors" .
	$(BIN)/pybabel update -D lotse -i locales/lotse.pot -d locales --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel extract -F babel-admin.cfg -k N_ -k _ -k Refused --no-location --sort-output \
		-o locales/admin.pot --project="Lotse admin" --copyright-holder="Lotse contributors" .
	for lang in de en; do $(BIN)/pybabel update -D admin -i locales/admin.pot -d locales -l $$lang \
		--no-fuzzy-matching --ignore-obsolete; done

# Headless Chromium for the browser tests, and Noto fonts so Arabic and Ge'ez script render as text in the
# screenshots (Debian's packages; installed when missing).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans Arabic"; } || { \
		echo "installing Debian chromium and fonts-noto-core for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-core >/dev/null; }

# PostgreSQL's server programs for the tests of the shared state on PostgreSQL (Debian's package, installed when
# missing); the tests start a throwaway cluster of their own (bot/bench/pgcluster.py), never the system's.
postgresql:
	@{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
		echo "installing Debian postgresql for the tests on PostgreSQL"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; }

# The web chat in headless Chromium at phone size, in Arabic and Ukrainian: var/screenshots/chat-{ar,uk}*.png.
# Noto fonts (Debian's fonts-noto-core) are installed when missing, so Arabic and Ge'ez script show as text.
screenshots: $(STAMP) catalogs browser
	$(BIN)/pytest -q -m browser tests/test_browser.py
	@ls -1 var/screenshots/*.png

bench: setup
	$(BIN)/lotse bench

# The wheel (intents, catalogs compiled, data inside) in dist/: `pipx install dist/lotse-*.whl` (see README).
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --no-deps -w dist .

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find locales -name '*.mo' -delete
