# Two commands for a fresh machine: `make run` and `make test`. Both create .venv when missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced-stamp

.PHONY: run test venv check clean-data

venv: $(STAMP)

$(STAMP): pyproject.toml uv.lock scripts/ensure-venv.sh
	@bash scripts/ensure-venv.sh
	@touch $@

run: $(STAMP)
	@$(PY) -m bot.launcher

test: $(STAMP)
	@bash scripts/system-deps.sh
	@bash scripts/run-tests.sh

check: $(STAMP)
	@$(VENV)/bin/readiness questionnaire check
