"""The brand and channel pickers pages filter by; "all" is None, as the services take it."""

from __future__ import annotations

from typing import Any

from guardrails import Channel
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
