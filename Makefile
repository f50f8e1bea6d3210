# Two commands on a fresh machine: `make run` serves the portal, `make test` proves it.
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM := /usr/bin/chromium

# make bench USERS=2000 SEED=0 DB=sqlite,postgres GROUP_SIZES=1000,10000,50000
USERS ?= 2000
SEED ?= 0
DB ?= sqlite,postgres
GROUP_SIZES ?= 1000,10000,50000

# make soak DURATION=60; make fault
DURATION ?= 60

.PHONY: screenshots bench soak fault run test test-sqlite test-postgres lint migrate venv chromium clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

migrate: venv
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "  LMS portal on http://$(HOST):$(PORT)/login/  (back office: /admin/)"
	@echo "  First admin:  $(BIN)/python manage.py createsuperuser"
	@echo
	$(BIN)/gunicorn lms.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--access-logfile - --forwarded-allow-ips '127.0.0.1'

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The end-to-end tests drive Debian's Chromium through Playwright, which never downloads one.
chromium:
	@test -x $(CHROMIUM) || { \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "$(CHROMIUM) is missing: the end-to-end tests need Debian's chromium package;" \
				"run 'sudo apt-get install chromium' or run make as root." >&2; \
			exit 1; \
		fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	}

test-sqlite: venv chromium
	env -u DATABASE_URL $(BIN)/pytest -q

test-postgres: venv chromium
	scripts/with-postgres $(BIN)/pytest -q

test: lint test-sqlite test-postgres

# Every page the accessibility test opens, at 1280 and 390 px, under var/screenshots/.
screenshots: venv chromium
	env -u DATABASE_URL $(BIN)/pytest -q tests/e2e/test_accessibility.py
	@echo "Screenshots in var/screenshots/"

clean:
	rm -rf $(VENV) var

bench: venv
	scripts/with-postgres $(BIN)/python scripts/bench.py --users $(USERS) --seed $(SEED) --db $(DB) \
		--group-sizes "$(GROUP_SIZES)"

soak: venv
	scripts/with-postgres $(BIN)/python scripts/soak.py --duration $(DURATION)

fault: venv
	scripts/with-postgres $(BIN)/python scripts/fault.py
