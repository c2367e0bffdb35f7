"""The rules version is a function of the resolved rules alone: approvals bind to it, so it must
not change with the working directory or the folder the rules were copied to, and must change
with the rules."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guardrails import ResolvedPack, load_pack
from tests.conftest import RULES


def test_pack_version_changes_with_rules(baseline: ResolvedPack) -> None:
    changed = baseline.model_copy(update={"rules": baseline.rules[1:]})
    assert changed.version != baseline.version
    assert load_pack(RULES / "_baseline").version == baseline.version


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
