"""`studio demo`: seed the demo workspace and print its users' passwords, once."""

from __future__ import annotations

import sys

from studio.cli.support import current_token, database, reporting_errors, signed_in
from studio.services import demo as demo_workspace


def demo() -> None:
    """Seed a demo workspace (brands, one user per role, briefs, variants in every state).

    A database with accounts of its own needs a signed-in admin for this."""
    db = database()
    actor = signed_in(db).name if current_token(db) else None
    with reporting_errors():
        result = demo_workspace.seed(db, actor=actor)
    sys.stdout.write(
        f"demo workspace in {db.display}: {len(result.created)} variant(s) created, "
        f"{result.existing} already there\n"
    )
    if result.passwords:
        sys.stdout.write("demo users (passwords are shown this once):\n")
        for name, password in result.passwords.items():
            sys.stdout.write(f"  {name:<14} {demo_workspace.USERS[name].value:<11} {password}\n")
    else:
        sys.stdout.write("demo users exist; reset one with `studio users passwd NAME`\n")
