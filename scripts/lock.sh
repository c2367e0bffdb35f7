#!/usr/bin/env bash
# Re-resolve the lock files after changing dependencies in pyproject.toml: every package pinned
# with its hashes, for Python 3.11+ on any platform. Commit requirements/ with the change.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet "uv>=0.9,<1"
for extra in base test; do
  args=()
  [ "$extra" = test ] && args=(--extra test)
  .venv/bin/uv pip compile pyproject.toml "${args[@]}" --generate-hashes --universal \
    --python-version 3.11 --quiet -o "requirements/$extra.lock"
done
python3 scripts/_deps_hash.py > requirements/pyproject.sha256
echo "locked: requirements/base.lock, requirements/test.lock"
