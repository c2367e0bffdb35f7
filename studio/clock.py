"""The studio's one clock for what happens at a moment: approvals expiring, validity windows
opening, webhook retries falling due. Everything reads `now()`, so a test moves time for the
whole process (`advance`) instead of patching the modules that happen to ask."""

from __future__ import annotations

import datetime as dt

_shift = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + _shift


def advance(by: dt.timedelta) -> None:
    """Move the clock on (tests only; production never shifts it)."""
    global _shift
    _shift += by


def reset() -> None:
    global _shift
    _shift = dt.timedelta(0)
