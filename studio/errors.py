"""Errors the studio reports to people. Each message says what is wrong and what to do."""

from __future__ import annotations


class StudioError(Exception):
    """A problem a user can act on; the CLI prints it and exits 1, the UI shows it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(StudioError):
    pass


class InvalidInput(StudioError):
    pass


class DatabaseBusy(StudioError):
    pass


class NotAuthenticated(StudioError):
    """No valid credential: none given, or it is unknown, expired, revoked, or its user is
    disabled. The message never says which part of a password sign-in was wrong."""


class Refused(StudioError):
    """An action the workflow refuses. `rule` names the rule that refused it; it is audited."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


class Conflict(Refused):
    """Someone else changed the object between reading and deciding; reload and decide again."""

    def __init__(self, message: str):
        super().__init__("conflict", message)


def first_error(exc: ValueError) -> str:
    """The first problem of a pydantic ValidationError as `field.path: message` (else the text)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    first = errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    return f"{where}: {first['msg']}" if where else str(first["msg"])
