#!/usr/bin/env bash
# Sets up the virtual environment (idempotent), seeds the demo workspace into the database
# (idempotent; the first run prints the demo users' passwords) and starts the studio.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv
.venv/bin/studio demo
exec .venv/bin/studio up "$@"
