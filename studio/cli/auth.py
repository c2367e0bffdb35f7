"""`studio init|login|logout|whoami`: the first admin, and signing in and out of the CLI.

A session is saved per database in the user's config folder (see `cli_credentials`); scripts
use a personal access token in $STUDIO_TOKEN instead (`studio tokens create`).
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from studio.cli import credentials
from studio.cli.support import (
    EXIT_USAGE,
    TOKEN_VARIABLE,
    current_token,
    database,
    fail,
    read_secret,
    reporting_errors,
    signed_in,
    token_from_environment,
)
from studio.services import tokens, users
from studio.services.schemas import iso_seconds


def init(
    admin: Annotated[str, typer.Option(help="Login name of the first admin.")],
) -> None:
    """Create the database and its first admin (password from a prompt or stdin).

    Refused once the database has an admin: from then on an admin adds users."""
    password = read_secret("Password", confirm=True)
    db = database()
    with reporting_errors():
        user = users.create_first_admin(db, admin, password)
    sys.stdout.write(f"database {db.display} is ready; {user.name} is its admin. "
                     f"Sign in with `studio login {user.name}`\n")  # fmt: skip


def login(
    name: Annotated[str | None, typer.Argument(help="Login name (asked if omitted).")] = None,
    hours: Annotated[
        float, typer.Option(min=0.1, max=168, help="How long the session lasts.")
    ] = tokens.DEFAULT_SESSION.total_seconds() / 3600,
) -> None:
    """Sign in: the password comes from a prompt (or stdin); the session is kept in your
    config folder, readable by you alone, until it expires or you log out."""
    if name is None:
        if not sys.stdin.isatty():
            fail("give the user name: studio login NAME", EXIT_USAGE)
        name = input("User: ").strip()
    password = read_secret("Password")
    db = database()
    with reporting_errors():
        issued = tokens.sign_in(db, name, password, lifetime=dt.timedelta(hours=hours))
        where = credentials.save_token(db.display, issued.token, name, issued.identity.expires_at)
    sys.stdout.write(f"signed in as {issued.identity.name} ({issued.identity.role.value}) "
                     f"until {iso_seconds(issued.identity.expires_at)}; session kept in "
                     f"{where}\n")  # fmt: skip


def logout(
    everywhere: Annotated[
        bool, typer.Option("--everywhere", help="End all your sessions, on every machine.")
    ] = False,
) -> None:
    """End this session (it stops working at once, on the server too)."""
    db = database()
    token = current_token(db)
    if token is None:
        sys.stdout.write("not signed in\n")
        return
    with reporting_errors():
        ended = tokens.sign_out(db, token, everywhere=everywhere)
        credentials.forget_token(db.display)
    sys.stdout.write(f"signed out ({ended} session(s) ended)\n")


def whoami() -> None:
    """Who the CLI acts as, and how."""
    db = database()
    identity = signed_in(db)
    source = f" (from ${TOKEN_VARIABLE})" if token_from_environment() else ""
    sys.stdout.write(f"{identity.describe()}{source}\n")
