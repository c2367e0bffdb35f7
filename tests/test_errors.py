"""Every error kind has a stable code, and both surfaces' tables say what to do with it."""

from __future__ import annotations

import pytest

from studio import errors
from studio.errors import EXIT_CODES, HTTP_STATUSES, StudioError


def kinds() -> list[type[StudioError]]:
    found, pending = [], [StudioError]
    while pending:
        kind = pending.pop()
        found.append(kind)
        pending.extend(kind.__subclasses__())
    return found


def test_every_kind_has_its_own_code_in_both_tables() -> None:
    own = [kind.code for kind in kinds() if kind.__module__ == errors.__name__]
    assert len(own) == len(set(own)) >= 7
    # A kind declared elsewhere (a prompt error is bad input) inherits a code the tables know.
    assert {kind.code for kind in kinds()} == set(own) == set(EXIT_CODES) == set(HTTP_STATUSES)


@pytest.mark.parametrize(
    ("kind", "exit_code", "status"),
    [
        (errors.NotFound("x"), 2, 404),
        (errors.InvalidInput("x"), 2, 422),
        (errors.NotAuthenticated("x"), 1, 401),
        (errors.Refused("role", "x"), 1, 403),
        (errors.Conflict("x"), 1, 409),
        (errors.DatabaseBusy("x"), 1, 503),
    ],
)
def test_the_tables_map_kinds_as_surfaces_expect(
    kind: StudioError, exit_code: int, status: int
) -> None:
    assert (EXIT_CODES[kind.code], HTTP_STATUSES[kind.code]) == (exit_code, status)
