# Dialog Desk: `make run` starts the app on the embedded SQLite (demo workspace on first start);
# `make test` runs the whole suite. Both create the virtual environment when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Where `make run` listens: PORT, and ADDRESS (localhost: this machine only; 0.0.0.0: every
# network interface, e.g. in a container). `make run PORT=8600 ADDRESS=0.0.0.0`
PORT ?= 8501
ADDRESS ?= localhost

.PHONY: run test test-fast lint bench bench-compare migrate demo clean-venv schema translations catalogues

$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' || \
		{ echo "Dialog Desk needs Python 3.11 or newer: make PYTHON=python3.11 …"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: $(BIN)/.installed
	$(BIN)/python -m core migrate

# Translations (Babel, gettext): `make translations` extracts every marked message into
# locale/messages.pot, brings each language's catalogue up to date (new messages untranslated,
# never a fuzzy guess) and compiles them. The .po files are the source and are committed; the
# compiled .mo files are built here, by `make run` and `make test` (catalogues).
LANGUAGES := de
CATALOGUES := $(foreach l,$(LANGUAGES),locale/$(l)/LC_MESSAGES/messages.mo)

translations: $(BIN)/.installed
	$(BIN)/pybabel --quiet extract -F babel.cfg --no-location --sort-output --no-wrap \
		--project "Dialog Desk" --copyright-holder "Dialog Desk" -o locale/messages.pot .
	$(BIN)/pybabel --quiet update -i locale/messages.pot -d locale --init-missing --no-wrap \
		--no-fuzzy-matching --ignore-obsolete $(foreach l,$(LANGUAGES),-l $(l))
	$(MAKE) --always-make catalogues

catalogues: $(CATALOGUES)

locale/%/LC_MESSAGES/messages.mo: locale/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d locale -l $* -D messages

# On the default database (no DATABASE_URL) a first start loads the demo workspace and prints
# its sign-ins; a real workspace is never touched. The worker (SLA alerts, e-mail and chat, the
# ingest API on DIALOGDESK_API_PORT) runs beside the app; Ctrl-C stops both.
run: migrate catalogues
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python -m core demo --if-empty; fi
	scripts/run-with-worker.sh $(BIN)/python $(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS)

# The whole suite (on every core, in parallel), after the linters.
test: lint catalogues
	$(BIN)/python -m pytest -n auto

test-fast: $(BIN)/.installed-dev catalogues
	$(BIN)/python -m pytest -n auto -m "not e2e"

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# What users wait for, beside its target (bench/run.py): every screen with the cache empty and
# cached at 2k and 200k conversations, SQL statements per view, the first view after another
# user's save, the real browser, `kpis --json`, then the other benches (bench/bench_*.py). Exits
# non-zero when a figure misses its target. ONLY=sla,kpis (screens, or parts: screens browser cli
# scripts) for a subset, QUICK=1 for fewer runs; on PostgreSQL too when BENCH_DATABASE_URL or
# TEST_DATABASE_URL names a server. Results go to bench/results/; `make bench-compare A=… B=…`
# prints two of them side by side (the two newest without A and B).
bench: $(BIN)/.installed-dev
	$(BIN)/python -m bench $(if $(QUICK),--quick) $(if $(ONLY),--only $(ONLY)) $(BENCH_ARGS)

bench-compare: $(BIN)/.installed-dev
	$(BIN)/python -m bench.compare $(A) $(B)

clean-venv:
	rm -rf $(VENV)

# Regenerate the initial schema revision from db/models.py (only while nothing has shipped;
# after the first release every schema change is a new revision).
schema: $(BIN)/.installed
	rm -f db/migrations/versions/0001_initial_schema.py /tmp/dialogdesk-schema.db*
	DATABASE_URL=sqlite:////tmp/dialogdesk-schema.db $(BIN)/alembic revision --autogenerate --rev-id 0001 -m "initial schema" >/dev/null
	sed -i '/^Create Date:/d' db/migrations/versions/0001_initial_schema.py
	rm -f /tmp/dialogdesk-schema.db*
	@echo "db/migrations/versions/0001_initial_schema.py regenerated"
