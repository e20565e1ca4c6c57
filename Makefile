# Two commands for a new user: `make run` and `make test`. See README.md.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2

.PHONY: install run serve test test-postgres test-browser lint bench-registry bench-draw bench-pipeline bench-load bench-scaleout ci clean

$(STAMP): pyproject.toml scripts/debian-packages
	scripts/debian-packages run
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required (Django 5.2 LTS line); set PY=/path/to/python3.11")'
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(BIN)/postlicense migrate --noinput
	$(BIN)/postlicense demo --if-empty
	DEBUG=$${DEBUG:-1} $(BIN)/postlicense serve --dev $(HOST)

# gunicorn (deploy/gunicorn.conf.py) and the job worker, as in production (README "Production"); Ctrl-C stops both.
serve: install
	mkdir -p var
	$(BIN)/postlicense migrate --noinput
	$(BIN)/postlicense serve $(HOST)

test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# The same suite on a private throwaway PostgreSQL cluster (Debian's postgresql-common). -t keeps the cluster in a
# temporary directory even as root, so a cluster left by an interrupted run cannot block the next one.
test-postgres: install
	pg_virtualenv -t -- sh -c 'DATABASE_URL="postgres://$$PGUSER:$$PGPASSWORD@$$PGHOST:$$PGPORT/$$PGDATABASE" $(BIN)/pytest -n $(PYTEST_WORKERS)'

# Drives Debian's Chromium (/usr/bin/chromium) through Playwright; screenshots go to var/screenshots/.
test-browser: install
	$(BIN)/pytest browser_tests -p no:xdist

# ruff's rule set and why are in pyproject.toml; `ruff format .` fixes what format --check reports.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench-registry: install
	$(BIN)/python bench/registry.py

bench-draw: install
	$(BIN)/python bench/draw.py

bench-pipeline: install
	$(BIN)/python bench/task_pipeline.py

# The served system under locust (bench/load.py; README "Production"). LOAD_ARGS passes flags, e.g.
# make bench-load LOAD_ARGS="--users 100 --duration 20 --dev-users 0"
LOAD_ARGS ?=
bench-load: install
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Two app servers on one PostgreSQL share sessions, uploads and jobs (bench/scaleout.py; README "Production").
bench-scaleout: install
	$(BIN)/python bench/scaleout.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var/*.sqlite3* *.egg-info
