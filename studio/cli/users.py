"""`studio users add|list|disable|passwd`: accounts, as a signed-in admin (passwords from a
prompt or stdin, never argv)."""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated

import typer

from studio.cli.support import database, print_json, read_secret, reporting_errors, signed_in
from studio.services import users
from studio.services.schemas import Role

app = typer.Typer(help="Users and roles (an admin's job).", no_args_is_help=True)


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="copywriter, reviewer or admin.")],
) -> None:
    """Add a user (you must be an admin); the password comes from a prompt or from stdin."""
    db = database()
    identity = signed_in(db)
    password = read_secret("Password", confirm=True)
    with reporting_errors():
        users.add_user(db, actor=identity.name, name=name, role=role, password=password)
    sys.stdout.write(f"added {name} ({role.value})\n")


@app.command("passwd")
def passwd(
    name: Annotated[str | None, typer.Argument(help="Login name (default: you).")] = None,
) -> None:
    """Change your password (current one first), or as an admin set anyone's. Ends that
    user's sessions. From a terminal it prompts; from stdin it reads the current password
    (your own only) and then the new one, a line each."""
    db = database()
    identity = signed_in(db)
    target = name or identity.name
    current = read_secret("Current password") if target == identity.name else None
    password = read_secret("New password", confirm=True)
    with reporting_errors():
        users.change_password(
            db, actor=identity.name, name=target, password=password, current_password=current
        )
    sys.stdout.write(f"password of {target} changed; their sessions have ended\n")


@app.command("list")
def list_users(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every user with role and state."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        rows = users.list_users(db, actor=identity.name)
    if as_json:
        print_json([dataclasses.asdict(row) for row in rows])
        return
    sys.stdout.write(f"{'NAME':<24} {'ROLE':<11} STATE\n")
    for row in rows:
        sys.stdout.write(f"{row.name:<24} {row.role:<11} "
                         f"{'disabled' if row.disabled else 'active'}\n")  # fmt: skip


@app.command("disable")
def disable(name: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Disable a user (you must be an admin): they can no longer sign in or act, every token
    they hold is revoked, and their history stays."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        users.disable_user(db, actor=identity.name, name=name)
    sys.stdout.write(f"disabled {name}\n")


@app.command("set-email")
def set_email(
    name: Annotated[str, typer.Argument(help="Login name.")],
    email: Annotated[str, typer.Argument(help="Their verified email; '' unlinks it.")],
) -> None:
    """Link the verified email a single sign-on (OpenID Connect) maps to this user (you must
    be an admin): whoever the provider signs in with it acts as them, with their role."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        view = users.set_email(db, actor=identity.name, name=name, email=email or None)
    sys.stdout.write(f"{name}: single sign-on email {view.email or 'none'}\n")


@app.command("set-focus")
def set_focus(
    name: Annotated[str, typer.Argument(help="Login name (a reviewer or an admin).")],
    focus: Annotated[str, typer.Argument(help="all, claims or brand.")],
) -> None:
    """What the review queue's "assigned to me" routes to a reviewer: claims (copy with a
    claim finding), brand (only tone or banned-word findings) or all. Yours, or (as an admin)
    anyone's."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        view = users.set_focus(db, actor=identity.name, name=name, focus=focus)
    sys.stdout.write(f"{name}: review focus {view.focus}\n")
