#!/usr/bin/env bash
# Sets up the virtual environment (idempotent) and starts the studio.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv
exec .venv/bin/studio up "$@"
