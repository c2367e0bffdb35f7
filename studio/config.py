"""Where the studio finds things. Environment variables win; defaults suit a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def rules_root() -> Path:
    """The folder of brand rule packs: $STUDIO_RULES_DIR, else ./brand_rules, else the repo's."""
    configured = os.environ.get("STUDIO_RULES_DIR")
    if configured:
        return Path(configured)
    local = Path("brand_rules")
    return local if local.is_dir() else REPO_ROOT / "brand_rules"


def resolve_pack_dir(name_or_path: str | None) -> Path:
    """A pack given as a path, or as a name under the rules root; none means the baselines."""
    if name_or_path is None:
        return rules_root() / "_baseline"
    path = Path(name_or_path)
    if path.is_dir():
        return path
    candidate = rules_root() / name_or_path
    return candidate if candidate.is_dir() else path


def data_dir() -> Path:
    """Where the default SQLite database lives: $STUDIO_DATA_DIR, else `data/` in the checkout."""
    configured = os.environ.get("STUDIO_DATA_DIR")
    return Path(configured) if configured else REPO_ROOT / "data"
