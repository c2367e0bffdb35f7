#!/usr/bin/env bash
# Sets up the virtual environment (idempotent) and runs the whole test suite:
# lint, format check, type check, then pytest. Extra arguments go to pytest.
# The browser test drives Debian's Chromium: where it is missing and this runs as root with apt
# (a CI machine), it is installed here; elsewhere that one test is skipped, and says why.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv test
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "test.sh: installing Debian's chromium for the browser test"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
    || echo "test.sh: could not install chromium; the browser test will say so"
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
