# SCORE Marketplace – the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-unit test-integration lint bench clean i18n

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: install ## Start every service and the demo data on the embedded default (SQLite, local bus)
	$(BIN)/score run

# The fast tests (SQLite, the local bus) run on every core. Those against real Kafka and
# PostgreSQL, and the end-to-end ones, run on two workers, a test file per worker at a
# time (--dist loadfile): each worker starts its own broker and PostgreSQL (session
# fixtures), so no two tests share a broker, and outage tests halt a private one. They
# spend most of their time waiting (on outages, relays, consumers), which is why two
# workers pay even on two cores. Files are handed out in collection order, those with a
# test marked slow first (tests/conftest.py): xdist's default, most tests first, started
# the minute-long single-test files last. Exit status 5 is "nothing selected", e.g. when
# PYTEST_ARGS names one file.
TEST_WORKERS ?= auto
INTEGRATION_WORKERS ?= 2
PYTEST_OK := rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 5 ]

test: install ## Provision Kafka, PostgreSQL, stripe-mock and Chromium (cached), then run the whole suite
	$(BIN)/python -m tests.infra ensure
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not integration and not e2e" $(PYTEST_ARGS); $(PYTEST_OK)
	$(BIN)/python -m pytest -n $(INTEGRATION_WORKERS) --dist loadfile --no-loadscope-reorder -m "integration or e2e" $(PYTEST_ARGS); $(PYTEST_OK)

test-unit: install ## Only the fast tests (SQLite and the local bus), on every core
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not integration and not e2e" $(PYTEST_ARGS)

test-integration: install ## Only the tests against real PostgreSQL and Kafka
	$(BIN)/python -m tests.infra ensure
	$(BIN)/python -m pytest -n $(INTEGRATION_WORKERS) --dist loadfile --no-loadscope-reorder -m integration $(PYTEST_ARGS)

i18n: install ## The portal's translation catalogues: extract, update, compile (then translate the new strings)
	$(BIN)/score portal i18n

lint: install ## ruff on everything, mypy on shared/ and services/ (pyproject.toml)
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: install ## Benchmarks (each prints its ratios against a baseline measured in the same run)
	$(BIN)/python -m tests.infra ensure
	$(BIN)/python bench/events.py
	$(BIN)/python bench/catalog_search.py
	$(BIN)/python bench/enrolment.py
	$(BIN)/python bench/sponsorship.py
	$(BIN)/python bench/certification.py
	$(BIN)/python bench/audit.py
	$(BIN)/python bench/portal.py

clean: ## Remove the embedded databases and the virtualenv
	rm -rf var $(VENV)
