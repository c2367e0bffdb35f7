"""What the database-backed commands share: opening the database and turning errors into exits.

Exit codes: 0 done; 1 refused by the workflow, a conflict, or a busy database; 2 bad input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from guardrails import RulePackError
from studio.db import Database, open_database
from studio.errors import InvalidInput, NotFound, StudioError

EXIT_REFUSED, EXIT_USAGE = 1, 2


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Print a StudioError (or a broken rule pack) as one clear line and exit with its code."""
    try:
        yield
    except (InvalidInput, NotFound) as exc:
        fail(exc.message, EXIT_USAGE)
    except StudioError as exc:
        fail(exc.message, EXIT_REFUSED)
    except RulePackError as exc:
        fail(str(exc), EXIT_USAGE)


def fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"studio: {message}\n")
    raise typer.Exit(code)


def database() -> Database:
    """The configured database, migrated to the newest schema."""
    with reporting_errors():
        database = open_database()
    return database


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
