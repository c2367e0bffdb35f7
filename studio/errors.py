"""Errors the studio reports to people. Each message says what is wrong and what to do, in
words no surface owns (no CLI flag, no HTTP verb); each kind has a stable `code`, and the two
tables below are how the CLI and the HTTP API turn a kind into an exit code or a status.
"""

from __future__ import annotations

from typing import ClassVar


class StudioError(Exception):
    """A problem a user can act on; every surface shows its message."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(StudioError):
    """No such object (or an id no row can have): the same kind for every object type."""

    code = "not-found"


class InvalidInput(StudioError):
    """Input that cannot be used as given: the message names the field, file or line. `field`
    names the input it is about, so a surface can point at its own way of giving it (a CLI
    option, a form field)."""

    code = "invalid-input"

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


class DatabaseBusy(StudioError):
    """Another process held the database too long; nothing was changed, try again."""

    code = "busy"


class NotAuthenticated(StudioError):
    """No valid credential: none given, or it is unknown, expired, revoked, or its user is
    disabled. The message never says which part of a password sign-in was wrong."""

    code = "not-authenticated"


class Refused(StudioError):
    """An action the workflow refuses. `rule` names the rule that refused it; it is audited."""

    code = "refused"

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


class Conflict(Refused):
    """Someone else changed the object between reading and deciding; reload and decide again."""

    code = "conflict"

    def __init__(self, message: str):
        super().__init__("conflict", message)


class Unavailable(StudioError):
    """Something the action needs did not answer or failed (the drafting endpoint): nothing
    was changed; the message says what failed, and trying again later may work."""

    code = "unavailable"


# How each surface reports a kind. The CLI: 1 refused or not possible now, 2 bad input.
EXIT_CODES: dict[str, int] = {
    StudioError.code: 1,
    NotFound.code: 2,
    InvalidInput.code: 2,
    DatabaseBusy.code: 1,
    NotAuthenticated.code: 1,
    Refused.code: 1,
    Conflict.code: 1,
    Unavailable.code: 1,
}
HTTP_STATUSES: dict[str, int] = {
    StudioError.code: 500,
    NotFound.code: 404,
    InvalidInput.code: 400,
    DatabaseBusy.code: 503,
    NotAuthenticated.code: 401,
    Refused.code: 403,
    Conflict.code: 409,
    Unavailable.code: 503,
}


def first_error(exc: ValueError) -> str:
    """The first problem of a pydantic ValidationError as `field.path: message` (else the text)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    first = errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    # A validator's own ValueError reads better without pydantic's "Value error, " in front.
    context = first.get("ctx") or {}
    message = (
        str(context["error"])
        if first["type"] == "value_error" and "error" in context
        else first["msg"]
    )
    return f"{where}: {message}" if where else str(message)
