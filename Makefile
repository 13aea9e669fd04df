# Teppan: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: install run serve test lint format migrate seed bench clean worker scheduler

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

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
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache

# Figures, not tests (see bench/README.md): seeds the database teppan_bench (drops it first;
# BENCH_DATABASE_URL overrides) with a station of 100,000 bookings, then prints page and API timings.
bench: install
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
screenshots: install
	$(BIN)/python -m tests.browser.screenshots
