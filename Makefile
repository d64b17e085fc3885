# Support Portal — the two commands that matter: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STATE  ?= .run
TEST_STATE ?= .run/test

.PHONY: help install lint format run stop status logs test test-fast bench bench-tools clean asyncapi backup restore images test-images

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## create the virtualenv with pinned dependencies

lint: install ## ruff, the type checker and the import contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services deploy
	$(VENV)/bin/lint-imports

format: install ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

run: install ## start the whole system with demo data and print where to click
	$(PY) -m deploy.local up --state $(STATE)
	$(PY) -m deploy.demo --state $(STATE)

stop: install ## stop everything `make run` started
	$(PY) -m deploy.local down --state $(STATE)

status: install ## what runs where
	$(PY) -m deploy.local status --state $(STATE)

logs: install ## list the logs (make logs NAME=identity shows one)
	$(PY) -m deploy.local logs $(NAME) --state $(STATE)

test: lint ## lint, then every test on the real stack (installs what is missing, the browser too)
	$(PY) -m deploy.local up --browser --state $(TEST_STATE)
	SP_TEST_STATE=$(TEST_STATE) $(PY) -m pytest

images: install ## build the service and gateway images with podman (installs podman if missing)
	$(PY) -m deploy.local images --state $(TEST_STATE)

test-images: install ## build the images and smoke-test them against the test stack (read-only, uid 10001)
	SP_TEST_STATE=$(TEST_STATE) $(PY) -m pytest tests/deploy/test_images.py

backup: install ## dump the `make run` stack's databases and artifacts (make backup DIR=backups/today)
	$(PY) -m deploy.local backup --state $(STATE) $(or $(DIR),backups/$(shell date +%Y%m%d-%H%M%S))

restore: install ## load a backup into a fresh stack and start it (make restore DIR=… STATE=.run/restored)
	$(PY) -m deploy.local restore --state $(STATE) $(DIR)

SMTP_SOURCE_DIR := $(HOME)/.cache/support-portal/postfix

bench-tools: ## fetch Postfix's smtp-source (the fan-out baseline) into the cache, and wrk; starts no mail server
	@command -v wrk >/dev/null || apt-get install -y -q wrk
	@test -x $(SMTP_SOURCE_DIR)/usr/sbin/smtp-source || command -v smtp-source >/dev/null || \
		(tmp=$$(mktemp -d) && cd $$tmp && apt-get download postfix && dpkg-deb -x postfix_*.deb $(SMTP_SOURCE_DIR) && rm -rf $$tmp)

bench: install bench-tools ## run the benchmarks against the `make run` stack, then one summary table (BENCH_ARGS=… passes options)
	$(PY) -m bench.summary --state $(STATE) $(BENCH_ARGS)

asyncapi: install ## regenerate docs/asyncapi.json from the event schemas
	$(PY) -m shared.asyncapi > docs/asyncapi.json

clean: ## stop the test stack and delete all local state
	-$(PY) -m deploy.local down --state $(TEST_STATE) --purge
	-$(PY) -m deploy.local down --state $(STATE) --purge
