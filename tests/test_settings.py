"""Every STUDIO_* variable is read in one place; a bad value names its variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.errors import InvalidInput
from studio.settings import REPO_ROOT, settings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STUDIO_DATA_DIR", "STUDIO_RULES_DIR", "STUDIO_LLM_API_KEY", "OPENAI_API_KEY",
                 "STUDIO_AUDIT_ANCHOR_MINUTES", "STUDIO_SQLITE_BUSY_MS", "STUDIO_TOKEN",
                 "STUDIO_AUDIT_ANCHORS", "STUDIO_LLM_STRUCTURED"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def test_defaults_suit_a_checkout() -> None:
    configured = settings()
    assert configured.data_dir == REPO_ROOT / "data"
    assert configured.anchor_file() == REPO_ROOT / "data" / "audit-anchors.jsonl"
    assert configured.audit_anchor_minutes == 60 and configured.sqlite_busy_ms == 5000
    assert configured.token_value() is None and configured.llm_api_key is None


def test_the_environment_wins_and_empty_means_unset(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("STUDIO_RULES_DIR", "")
    monkeypatch.setenv("STUDIO_TOKEN", "  studio_pat_abc  ")
    configured = settings()
    assert configured.sqlite_url() == f"sqlite:///{tmp_path / 'studio.db'}"
    assert configured.rules_dir is None and configured.token_value() == "studio_pat_abc"


def test_openai_api_key_is_accepted_and_kept_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-123")
    configured = settings()
    assert configured.llm_api_key is not None
    assert configured.llm_api_key.get_secret_value() == "sk-test-123"
    assert "sk-test-123" not in repr(configured)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("STUDIO_AUDIT_ANCHOR_MINUTES", "0"),
        ("STUDIO_AUDIT_ANCHOR_MINUTES", "soon"),
        ("STUDIO_AUDIT_ANCHOR_MINUTES", "99999"),
        ("STUDIO_SQLITE_BUSY_MS", "-5"),
        ("STUDIO_LLM_STRUCTURED", "maybe"),
    ],
)
def test_a_bad_value_names_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(InvalidInput) as caught:
        settings()
    assert caught.value.message.startswith(f"{variable}={value!r}: ")
