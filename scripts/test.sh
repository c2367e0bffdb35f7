#!/usr/bin/env bash
# Sets up the virtual environment (idempotent) and runs the whole test suite:
# lint, format check, type check, then pytest. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
