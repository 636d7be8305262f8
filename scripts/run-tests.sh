#!/usr/bin/env bash
# The whole test suite, as `make test` runs it. Exit code 5 (no tests collected) is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
# the learned proposals' fitted weights, shared by the suite's processes but not with earlier runs
export READINESS_CACHE_DIR="${READINESS_CACHE_DIR:-$PWD/.cache/readiness-tests}"
rm -rf "$PWD/.cache/readiness-tests"
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
