"""`studio db upgrade`: create the database or bring its schema up to date."""

from __future__ import annotations

import sys

import typer

from studio.cli.support import database

app = typer.Typer(help="The studio database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Create the database, or bring its schema up to date (data is kept)."""
    db = database()
    sys.stdout.write(f"database {db.display} is at the newest schema\n")
