from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guardrails import ResolvedPack, load_pack

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "brand_rules"
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="session")
def baseline() -> ResolvedPack:
    return load_pack(RULES / "_baseline")


def write_pack(root: Path, name: str, text: str, extra: dict[str, str] | None = None) -> Path:
    """A pack folder under `root` with `pack.yaml` = text (and more files)."""
    pack_dir = root / name
    pack_dir.mkdir(parents=True, exist_ok=True)
    (pack_dir / "pack.yaml").write_text(text, encoding="utf-8")
    for file_name, body in (extra or {}).items():
        (pack_dir / file_name).write_text(body, encoding="utf-8")
    return pack_dir
