# Teppan: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: install install-dev run serve test lint format migrate seed bench clean worker scheduler

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# `make run` needs the runtime requirements only; the test and lint tools (Playwright,
# schemathesis, ruff, ...) come with `make test`, `make lint` and `make bench`.
# --no-compile: pip would byte-compile every installed package (half its time); Python
# compiles the modules the app imports on first use instead.
$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) --no-compile -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(PIP) -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

install-dev: $(BIN)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

# SQLite in instance/, jobs inline, no external services.
run: seed
	@echo ""
	@echo "  Teppan is starting on http://$(HOST):$(PORT)/"
	@echo "  Sign in with the demo logins above (password printed there)."
	@echo ""
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The whole suite against PostgreSQL and Redis (creates its own database teppan_test).
# Override with TEST_DATABASE_URL=postgresql+psycopg://... TEST_REDIS_URL=redis://.../15
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# Figures, not tests (see bench/README.md): seeds the database teppan_bench (drops it first;
# BENCH_DATABASE_URL overrides) with a station of 100,000 bookings, then prints page and API timings.
bench: install-dev
	$(BIN)/python bench/seed_bookings.py
	$(BIN)/python bench/bench_pages.py
	$(BIN)/python bench/bench_api.py

# With REDIS_URL set: one or more workers (all queues) and one scheduler (several are safe).
worker: install
	$(BIN)/flask worker

scheduler: install
	$(BIN)/flask scheduler

# PNGs of every staff page per role at 1366x768 and 390x844 in build/screenshots/ (demo data,
# a scratch SQLite database, Debian's Chromium; SCREENSHOTS_DIR and CHROMIUM_PATH override).
.PHONY: screenshots
screenshots: install-dev
	$(BIN)/python -m tests.browser.screenshots
