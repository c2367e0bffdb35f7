"""`studio keys create|list|revoke`: API keys for automation engines (admins only)."""

from __future__ import annotations

import dataclasses
import sys
from typing import Annotated

import typer

from studio.cli.support import database, print_json, reporting_errors, signed_in
from studio.services import api_keys

app = typer.Typer(help="API keys for automation engines (the publishing API).",
                  no_args_is_help=True)  # fmt: skip


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Which engine it is for, e.g. braze-prod.")],
    scope: Annotated[
        list[str],
        typer.Option(help=f"What it may do (repeat): {', '.join(api_keys.SCOPES)}."),
    ],
    brand: Annotated[
        list[str] | None, typer.Option(help="Limit it to a brand (repeat); default: every brand.")
    ] = None,
) -> None:
    """Create a key. It is printed once, here; only its hash is kept."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        issued = api_keys.create_key(db, actor=identity.name, name=name, scopes=scope,
                                     brands=brand or [])  # fmt: skip
    sys.stdout.write(f"{issued.key}\n")
    brands = ", ".join(issued.view.brands) or "every brand"
    scopes = ", ".join(issued.view.scopes)
    sys.stderr.write(f"key {name!r}: {scopes} on {brands}. Store it now: it is not shown "
                     "again. Send it as 'Authorization: Bearer <key>'.\n")  # fmt: skip


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every key (never the key itself): prefix, scopes, brands, created, last used, state."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        rows = api_keys.list_keys(db, actor=identity.name)
    if as_json:
        print_json([dataclasses.asdict(row) for row in rows])
        return
    sys.stdout.write(f"{'NAME':<20} {'PREFIX':<18} {'STATE':<8} {'SCOPES':<30} {'BRANDS':<20} "
                     f"{'CREATED':<26} LAST USED\n")  # fmt: skip
    for row in rows:
        sys.stdout.write(f"{row.name:<20} {row.prefix:<18} {row.state:<8} "
                         f"{','.join(row.scopes):<30} {','.join(row.brands) or '*':<20} "
                         f"{row.created_at or '-':<26} {row.last_used_at or '-'}\n")  # fmt: skip


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key: its next request gets 401."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        api_keys.revoke_key(db, actor=identity.name, name=name)
    sys.stdout.write(f"key {name!r} revoked\n")
