#!/usr/bin/env bash
# End-to-end test of the n8n workflows in examples/n8n against a running studio (issue 10,
# point 11). Not part of the suite's default run: it installs n8n from npm (about 5 minutes and
# 1.8 GB the first time, into a cache folder kept for the next run) and then runs
# tests/e2e/test_n8n.py, which starts `studio api`, runs the pull workflow with `n8n execute`
# and the webhook workflow in `n8n start`, and checks the engine's store against the studio.
#
#   scripts/e2e-n8n.sh            # output also goes to $N8N_HOME/e2e-n8n.log
#
# n8n 1.123.81 on Node 20 needs: xlsx pinned to 0.18.5 (the version n8n asks for is not on the
# npm registry), install scripts skipped, sqlite3 rebuilt from source, and the legacy
# expression engine (the test sets N8N_EXPRESSION_ENGINE=legacy).
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.123.81
N8N_HOME="${STUDIO_N8N_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/content-studio/n8n-$VERSION}"
N8N_BIN="$N8N_HOME/node_modules/.bin/n8n"

command -v node >/dev/null || { echo "e2e-n8n: Node.js is not installed (n8n needs Node 20)" >&2; exit 1; }
if [[ ! -x "$N8N_BIN" ]] || [[ "$("$N8N_BIN" --version 2>/dev/null | tail -1)" != "$VERSION" ]]; then
  echo "e2e-n8n: installing n8n $VERSION into $N8N_HOME (about 5 minutes, 1.8 GB)"
  mkdir -p "$N8N_HOME"
  cat > "$N8N_HOME/package.json" <<EOF
{"name": "content-studio-e2e-n8n", "private": true, "overrides": {"xlsx": "0.18.5"}}
EOF
  (cd "$N8N_HOME" && npm install "n8n@$VERSION" --ignore-scripts --no-audit --no-fund --loglevel=error \
     && npm rebuild sqlite3 --build-from-source --loglevel=error)
fi
echo "e2e-n8n: n8n $("$N8N_BIN" --version | tail -1), node $(node --version)"

source scripts/_venv.sh
ensure_venv test
STUDIO_E2E_N8N="$N8N_BIN" .venv/bin/python -m pytest tests/e2e/test_n8n.py -s -v -p no:cacheprovider "$@" \
  2>&1 | tee "$N8N_HOME/e2e-n8n.log"
exit "${PIPESTATUS[0]}"
