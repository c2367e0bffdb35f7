"""When to try a webhook delivery again: the Standard Webhooks schedule, with jitter, and the
receiver's own `Retry-After` when it asks for a pause (429, 503).

The schedule counts from the previous attempt: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h,
10 h, 14 h, 20 h and 24 h; after the tenth failure the delivery has failed for good (replay sends
it again). Jitter spreads retries so a receiver that comes back is not hit by every queued
delivery in the same second.
"""

from __future__ import annotations

import datetime as dt
import random
from email.utils import parsedate_to_datetime

SCHEDULE = tuple(
    dt.timedelta(seconds=seconds)
    for seconds in (
        0,
        5,
        5 * 60,
        30 * 60,
        2 * 3600,
        5 * 3600,
        10 * 3600,
        14 * 3600,
        20 * 3600,
        24 * 3600,
    )
)
JITTER = 0.1  # each wait is stretched or shrunk by up to 10 %
LONGEST_PAUSE = dt.timedelta(hours=24)  # a Retry-After beyond this is read as 24 h
PAUSE_STATUSES = frozenset({429, 503})


def next_delay(
    attempts_made: int, retry_after: dt.timedelta | None = None, rng: random.Random | None = None
) -> dt.timedelta | None:
    """How long to wait after the `attempts_made`-th failed attempt, or None when the schedule
    is spent. A receiver's Retry-After is never undercut, but never stretches past 24 h."""
    if attempts_made >= len(SCHEDULE):
        return None
    planned = SCHEDULE[attempts_made]
    planned *= 1 + (rng or random).uniform(-JITTER, JITTER)
    if retry_after is not None:
        planned = max(planned, min(retry_after, LONGEST_PAUSE))
    return planned


def parse_retry_after(value: str | None, now: dt.datetime) -> dt.timedelta | None:
    """`Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); None when absent or
    unreadable, so a malformed header falls back to the schedule."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=min(int(value), int(LONGEST_PAUSE.total_seconds())))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))
