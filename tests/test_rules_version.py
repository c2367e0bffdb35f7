"""The rules version is a function of the resolved rules alone: approvals bind to it, so it must
not change with the working directory, the folder the rules were copied to, or file times."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from guardrails import load_pack
from tests.conftest import REPO, RULES
from tests.test_cli import studio


def _shown_version(*, cwd: Path, rules_dir: Path | None = None, pack: str = "brightleaf") -> str:
    env = {k: v for k, v in os.environ.items() if k != "STUDIO_RULES_DIR"}
    if rules_dir is not None:
        env["STUDIO_RULES_DIR"] = str(rules_dir)
    result = studio("rules", "show", pack, "--format", "json", cwd=cwd, env=env)
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


def test_chain_names_packs_relative_to_the_rules_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = load_pack(RULES / "brightleaf")
    assert pack.chain[0] == "_baseline/core" and pack.chain[-1] == "brightleaf"
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    monkeypatch.chdir(tmp_path)
    copied = load_pack(Path("rules/brightleaf"))
    assert copied.chain == pack.chain
    assert copied.version == pack.version
    monkeypatch.chdir(RULES / "_baseline")
    assert load_pack(RULES / "brightleaf").version == pack.version


def test_version_still_follows_the_rules(tmp_path: Path) -> None:
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    before = load_pack(copy / "brightleaf").version
    meta = copy / "brightleaf" / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "\non_rule_change: revoke\n")
    assert load_pack(copy / "brightleaf").version == before  # a recheck policy is no rule
    tone = copy / "brightleaf" / "tone.yaml"
    stricter = tone.read_text(encoding="utf-8").replace("severity: warning", "severity: error")
    tone.write_text(stricter)
    assert load_pack(copy / "brightleaf").version != before
