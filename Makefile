# Gongjian developer commands. `make demo` and `make test` are all a newcomer needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := var/vendor

.PHONY: setup demo test test-browser lint bench run clean

setup: $(STAMP) $(VENDOR)/.copied translations

# Re-install only when the dependency list changes, so `make test` stays quick.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

# Third-party JS/CSS comes from npm (package-lock.json) and is copied, never committed.
# Source maps go along: the minified files name them, and collectstatic's manifest storage
# refuses a file whose references it cannot find.
$(VENDOR)/.copied: package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/htmx $(VENDOR)/bootstrap $(VENDOR)/echarts
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts/
	touch $@

translations: $(STAMP)
	DEBUG=1 $(PY) manage.py compile_translations

demo: setup
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

run: setup
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(VENV)/bin/pytest -n auto -m "not browser and not production"
	$(VENV)/bin/pytest -m browser
	$(VENV)/bin/pytest -m production

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

# SQLite first (all budgets), then PostgreSQL (the database-bound ones); both must pass.
bench: setup
	$(PY) -m bench
	$(PY) -m bench --postgres
	$(PY) -m bench --weekly
	$(PY) -m bench --weekly --postgres
	$(PY) -m bench --load
	$(PY) -m bench --figures
	$(PY) -m bench --figures --postgres

clean:
	rm -rf $(VENV) node_modules var/vendor var/static
