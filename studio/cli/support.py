"""What the database-backed commands share: opening the database, who is signed in, reading
secrets, and turning errors into one clear line and an exit code.

Exit codes: 0 done; 1 refused by the workflow, not signed in, a conflict, or a busy database;
2 bad input.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NoReturn

import typer

from guardrails import RulePackError
from studio.cli import credentials
from studio.errors import EXIT_CODES, InvalidInput, NotAuthenticated, Refused, StudioError
from studio.services import tokens
from studio.services.workspace import Database, open_database
from studio.settings import settings

EXIT_REFUSED, EXIT_USAGE = 1, 2
TOKEN_VARIABLE = "STUDIO_TOKEN"

# What the CLI adds to a refusal so the reader knows which option answers it.
_HINTS = {
    "blocking-finding": "override each rule with --override RULE=WHY",
    "warnings-unacknowledged": "acknowledge with --acknowledge RULE (each) or --acknowledge-all",
    "stale-content": "look at `studio variants show ID` and approve again",
    "stale-rules": "look at `studio variants show ID` and approve again",
    "stale-report": "look at `studio variants show ID` and approve again",
}
# ... and to bad input about a field, the option that gives it.
_OPTIONS = {"comment": "--comment TEXT", "allow_private": "add it with --allow-private if meant"}


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Print a StudioError (or a broken rule pack) as one clear line and exit with the code
    `errors.EXIT_CODES` gives its kind."""
    try:
        yield
    except StudioError as exc:
        fail(_cli_message(exc), EXIT_CODES[exc.code])
    except RulePackError as exc:
        fail(str(exc), EXIT_USAGE)


def _cli_message(exc: StudioError) -> str:
    """The service's message, with what the CLI adds: the refusing rule and an option hint,
    or how to sign in."""
    if isinstance(exc, Refused):
        hint = _HINTS.get(exc.rule)
        return f"refused ({exc.rule}): {exc.message}" + (f"\n  hint: {hint}" if hint else "")
    if isinstance(exc, InvalidInput) and exc.field in _OPTIONS:
        return f"{exc.message} ({_OPTIONS[exc.field]})"
    if isinstance(exc, NotAuthenticated):
        return (f"not signed in: {exc.message}. Sign in with `studio login`, or set "
                f"{TOKEN_VARIABLE} to a personal access token")  # fmt: skip
    return exc.message


def fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"studio: {message}\n")
    raise typer.Exit(code)


def database() -> Database:
    """The configured database, migrated to the newest schema."""
    with reporting_errors():
        database = open_database()
    return database


def token_from_environment() -> str | None:
    return settings().token_value()


def current_token(db: Database) -> str | None:
    """$STUDIO_TOKEN, else the session `studio login` saved for this database."""
    token = token_from_environment()
    if token:
        return token
    with reporting_errors():
        return credentials.load_token(db.display)


def signed_in(db: Database) -> tokens.Identity:
    """Who runs this command: the identity of the current token, or exit saying how to sign in."""
    with reporting_errors():
        token = current_token(db)
        if token is None:
            raise NotAuthenticated(f"no session for {db.display}")
        return tokens.authenticate(db, token)


def read_secret(prompt: str, *, confirm: bool = False) -> str:
    """A password: from a prompt on a terminal (typed twice with `confirm`), else the first
    line of stdin; never from argv, where other users and shell history would see it."""
    if sys.stdin.isatty():
        first = getpass.getpass(f"{prompt}: ")
        if confirm and first != getpass.getpass(f"Repeat {prompt.lower()}: "):
            fail("the two passwords differ; nothing was changed", EXIT_USAGE)
        return first
    return read_stdin_line()


def read_stdin_line() -> str:
    """One line of stdin, strictly UTF-8 whatever the locale (so no lone surrogates get in)."""
    raw = sys.stdin.buffer.readline()
    try:
        return raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        fail(f"stdin is not UTF-8 text (invalid byte at offset {exc.start})", EXIT_USAGE)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def usage_error(command: str, message: str) -> NoReturn:
    """A command used wrongly: its name and what is wrong, exit 2 (as linters do)."""
    sys.stderr.write(f"studio {command}: {message}\n")
    raise typer.Exit(EXIT_USAGE)


def broken_pack(exc: RulePackError) -> NoReturn:
    """A rule pack that does not load: every problem as `file:line: …`, exit 2."""
    sys.stderr.write(f"{exc}\n")
    raise typer.Exit(EXIT_USAGE)
