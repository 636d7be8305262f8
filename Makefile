# Two commands for a fresh machine: `make run` and `make test`. Both create .venv when missing.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.synced-stamp

.PHONY: run test venv check

venv: $(STAMP)

$(STAMP): pyproject.toml uv.lock scripts/ensure-venv.sh
	@bash scripts/ensure-venv.sh
	@touch $@

# The chat widget's browser dependency (socket.io-client), locked in bot/web/package-lock.json:
# `npm ci` runs only when node_modules is missing or the lock file changed.
WIDGET := bot/web
WIDGET_DEPS := $(WIDGET)/node_modules/.package-lock.json

$(WIDGET_DEPS): $(WIDGET)/package.json $(WIDGET)/package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is needed for the chat widget (install Node.js 18+)" >&2; exit 1; }
	@npm ci --prefix $(WIDGET) --no-audit --no-fund
	@touch $@

# The project's own modules compiled ahead (only changed files), for the same reason as the
# packages' in scripts/ensure-venv.sh.
COMPILE := $(PY) -m compileall -q -j 0 readiness bot actions >/dev/null

run: $(STAMP) $(WIDGET_DEPS)
	@$(COMPILE)
	@$(PY) -m bot.launcher

test: $(STAMP) $(WIDGET_DEPS)
	@bash scripts/system-deps.sh
	@$(COMPILE)
	@bash scripts/run-tests.sh

check: $(STAMP)
	@$(VENV)/bin/readiness questionnaire check
