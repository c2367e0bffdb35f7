"""The pickers pages filter by (brand, channel, finding category and severity, how long copy
has waited); "all" or "any" is None, as the services take it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guardrails import Category, Channel
from studio.services import packs

ALL_BRANDS, ALL_CHANNELS = "All brands", "All channels"


def brand(container: Any) -> str | None:
    """A brand picker in `container` (a column, the sidebar); the chosen pack name or None."""
    brands = [name for name, slug in packs.pack_choices().items() if slug != "_baseline"]
    chosen: str = container.selectbox("Brand", [ALL_BRANDS, *brands])
    return None if chosen == ALL_BRANDS else chosen


def channel(container: Any) -> str | None:
    chosen: str = container.selectbox("Channel", [ALL_CHANNELS, *(c.value for c in Channel)])
    return None if chosen == ALL_CHANNELS else chosen


ANY = "Any"
WAITS = {ANY: None, "over 4 hours": dt.timedelta(hours=4), "over a day": dt.timedelta(days=1),
         "over 3 days": dt.timedelta(days=3), "over a week": dt.timedelta(weeks=1)}  # fmt: skip
SEVERITIES = {ANY: None, "with an error": "error", "with a warning": "warning",
              "no errors or warnings": "clean"}  # fmt: skip


def category(container: Any) -> str | None:
    chosen: str = container.selectbox("Finding category", [ANY, *(c.value for c in Category)])
    return None if chosen == ANY else chosen


def severity(container: Any) -> str | None:
    return SEVERITIES[container.selectbox("Findings", list(SEVERITIES))]


def waited(container: Any) -> dt.timedelta | None:
    return WAITS[container.selectbox("Waiting", list(WAITS))]
