"""Riding out a database outage in a loop that must keep going (the worker's two loops).

A busy or locked SQLite file, or a PostgreSQL connection the server dropped (a restart, a
failover, `pg_terminate_backend`), fails one turn of a loop; nothing is lost by trying that turn
again later, since every turn is its own transaction. `Outages.run` runs a turn and, if the
database failed it, waits (0.5 s, doubling to 30 s) before the loop's next turn. An outage is
logged once when it starts, saying what happened and that the loop keeps going, and once when
the database answers again; anything else a turn raises is not an outage and is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from studio.errors import DatabaseBusy

T = TypeVar("T")
FIRST_WAIT, LONGEST_WAIT = 0.5, 30.0  # seconds


def is_outage(exc: BaseException) -> bool:
    """The database was busy or locked, or could not be reached, or dropped the connection:
    worth waiting out, unlike a bug or a refusal."""
    if isinstance(exc, DatabaseBusy):
        return True
    return isinstance(exc, DBAPIError) and (
        exc.connection_invalidated or isinstance(exc, OperationalError)
    )


def describe(exc: BaseException) -> str:
    """What the database said, in one line."""
    if isinstance(exc, DatabaseBusy):
        return exc.message
    if isinstance(exc, DBAPIError):
        said = " ".join(str(exc.orig).split()) or type(exc.orig).__name__
        dropped = "the connection was dropped: " if exc.connection_invalidated else ""
        return f"{dropped}{type(exc.orig).__name__}: {said}"[:300]
    return f"{type(exc).__name__}: {exc}"


class Outages:
    """One loop's outages: how long to wait next, and whether one is going on."""

    def __init__(
        self,
        loop: str,
        log: Callable[[str], None],
        *,
        wait: Callable[[float], object] = time.sleep,
        first: float = FIRST_WAIT,
        longest: float = LONGEST_WAIT,
    ):
        self.loop, self._log, self._wait = loop, log, wait
        self.first, self.longest = first, longest
        self._delay: float | None = None  # the last wait; None while the database answers
        self._failures, self._since = 0, 0.0

    @property
    def ongoing(self) -> bool:
        """The last turn failed on the database (so a loop that stops when idle should not)."""
        return self._delay is not None

    def run(self, turn: Callable[[], T], otherwise: T) -> T:
        """`turn()`; if the database failed it, `otherwise`, after waiting the next delay."""
        try:
            result = turn()
        except Exception as exc:
            if not is_outage(exc):
                raise
            self._failed(exc)
            return otherwise
        if self._delay is not None:
            self._log(
                f"{self.loop}: the database answers again after {self._failures} failed "
                f"attempt(s) over {time.monotonic() - self._since:.1f} s; carrying on"
            )
            self._delay, self._failures = None, 0
        return result

    def _failed(self, exc: Exception) -> None:
        if self._delay is None:
            self._delay, self._since = self.first, time.monotonic()
            self._log(
                f"{self.loop}: the database failed ({describe(exc)}); still running, trying "
                f"again in {self.first:g} s and then less often (up to every {self.longest:g} s) "
                "until it answers"
            )
        else:
            self._delay = min(self._delay * 2, self.longest)
        self._failures += 1
        self._wait(self._delay)
