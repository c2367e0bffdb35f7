# Shared by start.sh and test.sh: create .venv and install exactly the versions in the lock file
# (requirements/<base|test>.lock, every package pinned with its hashes), then the project itself
# without re-resolving. Work is skipped when the lock is unchanged since the last install (a
# stamp file remembers). A lock older than pyproject.toml's dependency lists is refused.
ensure_venv() {
  local extra="${1:-base}"
  local lock="requirements/$extra.lock"
  if [ "$(python3 scripts/_deps_hash.py)" != "$(cat requirements/pyproject.sha256)" ]; then
    echo "requirements/*.lock do not match pyproject.toml's dependencies: run bash scripts/lock.sh" >&2
    return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  local stamp=".venv/.installed-$extra"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip  # the installer, not the project's
    .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r "$lock"
    .venv/bin/python -m pip install --quiet --no-deps -e .
    touch "$stamp"
  fi
}
