"""`studio users add|list|disable|passwd`: accounts, with passwords read from a prompt or stdin."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer

from studio import accounts
from studio.cli_support import EXIT_USAGE, database, fail, print_json, reporting_errors
from studio.models import Role, iso_seconds

app = typer.Typer(help="Users and roles.", no_args_is_help=True)
CLI_ACTOR = "cli-admin"  # the audit log's actor for account changes made from a shell


def read_password() -> str:
    """From a prompt (typed twice) on a terminal, else the first line of stdin; never argv."""
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            fail("the two passwords differ; nothing was changed", EXIT_USAGE)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="copywriter, reviewer or admin.")],
) -> None:
    """Add a user; the password comes from a prompt or from stdin."""
    password = read_password()
    db = database()
    with reporting_errors(), db.write() as session:
        accounts.add(session, name, role, password, by=CLI_ACTOR)
    sys.stdout.write(f"added {name} ({role.value})\n")


@app.command("passwd")
def passwd(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Set a user's password (from a prompt or stdin)."""
    password = read_password()
    db = database()
    with reporting_errors(), db.write() as session:
        accounts.set_password(session, name, password, by=CLI_ACTOR)
    sys.stdout.write(f"password of {name} changed\n")


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every user with role and state."""
    with database().read() as session:
        users = [
            {"name": u.name, "role": u.role, "disabled": u.disabled,
             "created_at": iso_seconds(u.created_at)}
            for u in accounts.list_users(session)
        ]  # fmt: skip
    if as_json:
        print_json(users)
        return
    for user in users:
        state = "disabled" if user["disabled"] else "active"
        sys.stdout.write(f"{user['name']:<24} {user['role']:<11} {state}\n")


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user: they can no longer sign in or act; their history stays."""
    db = database()
    with reporting_errors(), db.write() as session:
        accounts.disable(session, name, by=CLI_ACTOR)
    sys.stdout.write(f"disabled {name}\n")
