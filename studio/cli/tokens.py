"""`studio tokens create|list|revoke`: personal access tokens for scripts and CI."""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated

import typer

from studio.cli.support import database, print_json, read_secret, reporting_errors, signed_in
from studio.services import tokens

app = typer.Typer(help="Personal access tokens for scripts ($STUDIO_TOKEN).", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="What the token is for, e.g. nightly-export.")],
    days: Annotated[
        int, typer.Option(min=1, max=tokens.MAX_TOKEN_DAYS, help="Days until it expires.")
    ] = tokens.DEFAULT_TOKEN_DAYS,
) -> None:
    """Create a token that acts as you; asks your password again. The token is shown once."""
    db = database()
    identity = signed_in(db)
    password = read_secret("Password")
    with reporting_errors():
        issued = tokens.create_token(
            db, actor=identity.name, password=password, name=name, days=days
        )
    sys.stdout.write(f"{issued.token}\n")
    sys.stderr.write(f"token {name!r} acts as {identity.name} until "
                     f"{issued.identity.expires_at:%Y-%m-%d}. Store it now: it is not shown "
                     "again. Use it as STUDIO_TOKEN=...\n")  # fmt: skip


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Your tokens and sessions (never the tokens themselves): prefix, dates, state."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        rows = tokens.list_tokens(db, actor=identity.name)
    if as_json:
        print_json([dataclasses.asdict(row) for row in rows])
        return
    sys.stdout.write(f"{'NAME':<24} {'KIND':<9} {'PREFIX':<22} {'STATE':<8} {'EXPIRES':<26} "
                     "LAST USED\n")  # fmt: skip
    for row in rows:
        sys.stdout.write(f"{row.name:<24} {row.kind:<9} {row.prefix:<22} {row.state:<8} "
                         f"{row.expires_at or '-':<26} {row.last_used_at or '-'}\n")  # fmt: skip


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke one of your tokens: it stops working at once."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        tokens.revoke_token(db, actor=identity.name, name=name)
    sys.stdout.write(f"token {name!r} revoked\n")
