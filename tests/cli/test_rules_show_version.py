"""`studio rules show` gives one rules version from any working directory, rules folder copy or
file times. The version itself is tested in tests/guardrails/test_rules_version.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, RULES
from tests.helpers.shell import run_studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def _shown_version(*, cwd: Path, rules_dir: Path | None = None, pack: str = "brightleaf") -> str:
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_RULES_DIR"}
    if rules_dir is not None:
        env["STUDIO_RULES_DIR"] = str(rules_dir)
    result = run_studio("rules", "show", pack, "--format", "json", cwd=cwd, env=env)
    assert result.returncode == 0, result.stderr
    version: str = json.loads(result.stdout)["version"]
    return version


def _touch_all(root: Path) -> None:
    for path in root.rglob("*.yaml"):
        stat = path.stat()
        os.utime(path, (stat.st_atime + 3600, stat.st_mtime + 3600))


def test_rules_show_gives_one_version_from_anywhere(tmp_path: Path) -> None:
    at_root = _shown_version(cwd=REPO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _shown_version(cwd=elsewhere) == at_root
    copy = tmp_path / "copied" / "rules"
    shutil.copytree(RULES, copy)
    _touch_all(copy)
    assert _shown_version(cwd=elsewhere, rules_dir=copy) == at_root
    assert _shown_version(cwd=REPO, rules_dir=copy) == at_root
    assert _shown_version(cwd=elsewhere, pack=str(copy / "brightleaf")) == at_root
