# Commonweal: `make run` serves the demo; `make test` runs the whole suite. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/commonweal
# pytest-xdist workers for the non-browser suites (auto: one per CPU core); extra pytest options, e.g.
# PYTEST_ARGS="-p no:randomly" (file order) or PYTEST_ARGS="--randomly-seed=123" (repeat an order).
TEST_WORKERS ?= auto
# The browser tests too: each worker runs its own live server and Chromium (0: one process).
BROWSER_WORKERS ?= auto
PYTEST_ARGS ?=
HOST ?= 127.0.0.1
PORT ?= 8000
# check --deploy runs with production settings; this key exists only for that check.
CHECK_SECRET_KEY := check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyz-not-a-real-secret

.PHONY: run test setup static migrate lint typecheck migrations-check test-python test-postgres test-browser test-faults clean benchmark benchmark-budget benchmark-networks benchmark-load

setup: $(VENV)/.installed static

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static: node_modules/.installed
	mkdir -p commonweal/frontend/static/govuk
	cp -R node_modules/govuk-frontend/dist/govuk/assets commonweal/frontend/static/govuk/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js commonweal/frontend/static/govuk/
	mkdir -p commonweal/frontend/static/autocomplete
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
		node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css commonweal/frontend/static/autocomplete/
	node_modules/.bin/sass --load-path=node_modules --quiet-deps --style=compressed --no-source-map \
		commonweal/frontend/scss/application.scss commonweal/frontend/static/frontend/application.css

migrate: setup
	$(BIN)/commonweal migrate --noinput

run: migrate
	$(BIN)/commonweal demo load
	@echo "Serving http://$(HOST):$(PORT)/ with the task worker. Press Ctrl+C to stop both."
	@trap 'kill 0' INT TERM EXIT; \
		$(BIN)/commonweal db_worker & \
		$(BIN)/commonweal runserver $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy commonweal config tests

test-python: setup
	$(BIN)/pytest -m "not browser" -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-postgres: setup
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -m "not browser" -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The fuzzing and the kill tests alone (they also run in test-python and test-postgres): docs/security.md.
test-faults: setup
	$(BIN)/pytest -q -n $(TEST_WORKERS) tests/test_api_fuzz.py tests/test_faults_kill.py tests/test_faults_recovery.py tests/test_parsers_property.py $(PYTEST_ARGS)

test-browser: setup
	@test -x /usr/bin/chromium || { echo "Browser tests need Debian's Chromium: apt-get install chromium"; exit 1; }
	$(BIN)/pytest -m browser -q -n $(BROWSER_WORKERS) $(PYTEST_ARGS)

# The tests build their schema from the models (--nomigrations): check the migrations match the models,
# and that they apply from scratch (on a throwaway in-memory SQLite database).
migrations-check: setup
	$(BIN)/commonweal makemigrations --check --dry-run
	DATABASE_URL=sqlite://:memory: $(BIN)/commonweal migrate --noinput >/dev/null

test: setup lint typecheck migrations-check
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$(CHECK_SECRET_KEY) \
		$(BIN)/commonweal check --deploy --fail-level WARNING
	$(MAKE) test-python test-postgres test-browser

# Spend import and dashboard benchmark (not part of `make test`): BENCHMARK_ARGS="--rows 1000000 --json x.json".
benchmark: setup
	$(BIN)/python benchmarks/spend.py $(BENCHMARK_ARGS)

# Social value budget benchmark: BENCHMARK_ARGS="--repeat 3 --database-url postgres://…/NAME --json x.json".
benchmark-budget: setup
	$(BIN)/python benchmarks/budget.py $(BENCHMARK_ARGS)

# Anchor network benchmark (50 members x 1 million payments, 10,000 commitments): BENCHMARK_ARGS="--json x.json".
benchmark-networks: setup
	$(BIN)/python benchmarks/networks.py $(BENCHMARK_ARGS)

clean:
	rm -rf $(VENV) node_modules var commonweal/frontend/static/govuk commonweal/frontend/static/frontend/application.css

# Load benchmark (gunicorn + PostgreSQL + locust over `commonweal demo scale`; not part of `make test`):
# BENCHMARK_ARGS="--database-url postgres://…/NAME --organisations 10 --duration 180 --json x.json".
benchmark-load: setup
	$(BIN)/python benchmarks/load.py $(BENCHMARK_ARGS)
