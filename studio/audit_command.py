"""`studio audit verify|export`: prove the log is whole; hand it to an auditor."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from studio import audit
from studio.cli_support import database

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@app.command("verify")
def verify() -> None:
    """Re-compute the hash chain; exit 1 naming the first event edited, removed or reordered."""
    with database().read() as session:
        result = audit.verify(session)
    if result.ok:
        sys.stdout.write(f"audit log intact: {result.events} events, head {result.head_hash}\n")
        return
    sys.stdout.write(f"audit log BROKEN: {result.problem}\n"
                     f"(events 1-{result.events} verify)\n")  # fmt: skip
    raise typer.Exit(1)


@app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSON,
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Every event, oldest first, with its hashes (CSV cells that look like formulas get a ')."""
    with database().read() as session:
        if output is None:
            count = audit.export(session, fmt.value, sys.stdout)
        else:
            with output.open("w", encoding="utf-8", newline="") as handle:
                count = audit.export(session, fmt.value, handle)
    sys.stderr.write(f"exported {count} events\n")
