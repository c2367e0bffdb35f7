"""`studio audit verify|export|anchor`: prove the log is whole, hand it to an auditor, and keep
its head outside the database. Reviewers and admins only."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from studio.cli.support import EXIT_USAGE, database, fail, reporting_errors, signed_in
from studio.services import anchors, audit_log

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


@app.command("verify")
def verify(
    anchor: Annotated[
        Path | None, typer.Option(help="An anchors file (`studio audit anchor`) to check too.")
    ] = None,
) -> None:
    """Re-compute the hash chain; exit 1 naming the first event edited, removed or reordered,
    or the first anchor the log no longer matches."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        result = audit_log.verify(db, actor, anchor)
    if result.ok:
        checked = f", {result.anchors} anchor(s) match" if anchor else ""
        sys.stdout.write(f"audit log intact: {result.events} events, head "
                         f"{result.head_hash}{checked}\n")  # fmt: skip
        return
    sys.stdout.write(f"audit log BROKEN: {result.problem}\n"
                     f"(events 1-{result.events} verify)\n")  # fmt: skip
    raise typer.Exit(1)


@app.command("anchor")
def anchor(
    output: Annotated[
        Path | None,
        typer.Option(help="Append the anchor to this file (default: print it on stdout)."),
    ] = None,
) -> None:
    """Write the log's current head (sequence and hash) outside the database, for `verify
    --anchor`: keep the file somewhere the database's owner cannot rewrite."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        head = audit_log.take_anchor(db, actor)
        if output is None:
            sys.stdout.write(anchors.as_line(head))
            return
        anchors.append(output, head)
    sys.stderr.write(f"anchored event {head.seq} ({head.hash[:16]}...) in {output}\n")


@app.command("export")
def export(
    fmt: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSON,
    output: Annotated[Path | None, typer.Option(help="File to write (default: stdout).")] = None,
) -> None:
    """Every event, oldest first, with its hashes (CSV cells that look like formulas get a ')."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        if output is None:
            count = audit_log.export(db, actor, fmt.value, sys.stdout)
        else:
            try:
                with output.open("w", encoding="utf-8", newline="") as handle:
                    count = audit_log.export(db, actor, fmt.value, handle)
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror}", EXIT_USAGE)
    sys.stderr.write(f"exported {count} events\n")
