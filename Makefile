# gridreport: `make run` serves the demo city, `make test` runs every test.
# Both install whatever is missing first: uv, the virtualenv, the pinned packages.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
APP_LOCK := infra/requirements/app.txt
DEV_LOCK := infra/requirements/dev.txt
UV = $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
SUDO = $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test lint check unit lock uv pwa browser clean prod-up prod-down nginx

run: $(VENV)/.synced-app pwa
	$(VENV)/bin/gridreport serve --demo

test: $(VENV)/.synced-dev browser nginx pwa
	$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest

lint: $(VENV)/.synced-dev
	$(VENV)/bin/ruff check backend media_store tests bench infra
	$(VENV)/bin/ruff format --check backend media_store tests bench infra
	$(VENV)/bin/mypy

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv \
		|| $(PYTHON) -m pip install --quiet --user --break-system-packages uv

$(PY): | uv
	$(UV) venv --quiet --python $(PYTHON) $(VENV)

# One stamp per lock file: switching between `run` and `test` re-syncs exactly.
$(VENV)/.synced-app: $(APP_LOCK) pyproject.toml | $(PY)
	$(UV) pip sync --quiet --python $(PY) $(APP_LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	rm -f $(VENV)/.synced-*
	touch $@

$(VENV)/.synced-dev: $(DEV_LOCK) pyproject.toml | $(PY)
	$(UV) pip sync --quiet --python $(PY) $(DEV_LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	rm -f $(VENV)/.synced-*
	touch $@

# The PWA is built when it exists; until then the API serves a plain page at /.
pwa:
	@if [ -f pwa/package.json ]; then \
		cd pwa && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
			|| npm ci --no-audit --no-fund; } && npm run build; fi

# Browser tests drive Debian's Chromium (never a downloaded browser), with CJK fonts so that
# Chinese renders in screenshots.
BROWSER_PACKAGES := chromium fonts-wqy-microhei
browser:
	@missing=$$(for p in $(BROWSER_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# One machine standing in for many (infra/prod): PostgreSQL, SeaweedFS S3, two granian API
# processes, two workers and Debian's nginx, all on 127.0.0.1; pid files and logs in var/prod.
# SeaweedFS comes with the dev packages.
PROD_DIR ?= var/prod
PROD_PORT ?= 8080
prod-up: $(VENV)/.synced-dev pwa nginx
	$(PY) -m infra.prod up --dir $(PROD_DIR) --port $(PROD_PORT)

prod-down: | $(PY)
	$(PY) -m infra.prod down --dir $(PROD_DIR)

nginx:
	@dpkg -s nginx >/dev/null 2>&1 || { echo "installing nginx"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx; }

lock: uv
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o $(APP_LOCK)
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 --extra dev pyproject.toml -o $(DEV_LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
