"""Where the studio finds things. Environment variables win; defaults suit a source checkout."""

from __future__ import annotations

import os
from pathlib import Path

import click

from studio.errors import InvalidInput

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


def config_dir() -> Path:
    """Where the CLI keeps a user's sign-in: $STUDIO_CONFIG_DIR, else the platform's per-user
    config folder (`~/.config/content-studio` on Linux)."""
    configured = os.environ.get("STUDIO_CONFIG_DIR")
    return Path(configured) if configured else Path(click.get_app_dir("content-studio"))


def anchor_file() -> Path:
    """Where `studio up` appends audit anchors: $STUDIO_AUDIT_ANCHORS, else the data folder.
    Point it at storage the database's owner cannot rewrite for the anchors to mean much."""
    configured = os.environ.get("STUDIO_AUDIT_ANCHORS")
    return Path(configured) if configured else data_dir() / "audit-anchors.jsonl"


def anchor_interval_seconds() -> float:
    """How often `studio up` anchors the audit log: $STUDIO_AUDIT_ANCHOR_MINUTES (default 60)."""
    raw = os.environ.get("STUDIO_AUDIT_ANCHOR_MINUTES", "60")
    try:
        minutes = float(raw)
    except ValueError:
        minutes = -1.0
    if not 0 < minutes <= 7 * 24 * 60:
        raise InvalidInput(f"STUDIO_AUDIT_ANCHOR_MINUTES={raw!r}: give a number of minutes "
                           "above 0 (at most a week)")  # fmt: skip
    return minutes * 60
