"""`studio webhooks add|list|rotate-secret|enable|remove|deliveries|replay` (admins only)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from typing import Annotated

import typer

from studio.cli.support import database, print_json, reporting_errors, signed_in
from studio.services import webhooks
from studio.services.outbox import EVENT_TYPES

app = typer.Typer(help="Webhook endpoints: signed pushes when copy is approved or withdrawn.",
                  no_args_is_help=True)  # fmt: skip
WHEN_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="What it is, e.g. braze-prod.")],
    url: Annotated[str, typer.Argument(help="Where to POST, http:// or https://.")],
    event: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these events (repeat): {', '.join(EVENT_TYPES)}; default all."),
    ] = None,
    brand: Annotated[
        list[str] | None, typer.Option(help="Only this brand's copy (repeat); default all.")
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option(
            help="Deliver even to loopback, private or link-local addresses (a "
            "receiver inside your own network, on purpose)."
        ),
    ] = False,
) -> None:
    """Add an endpoint. Its signing secret is printed once, here."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        issued = webhooks.add_endpoint(db, actor=identity.name, name=name, url=url,
                                       events=event or [], brands=brand or [],
                                       allow_private=allow_private)  # fmt: skip
    sys.stdout.write(f"{issued.secret}\n")
    sys.stderr.write(f"endpoint {name!r} sends {', '.join(issued.view.events) or 'every event'} "
                     f"for {', '.join(issued.view.brands) or 'every brand'} to {url}. Give the "
                     "secret above to the receiver to verify signatures; it is not shown "
                     "again (rotate-secret makes a new one).\n")  # fmt: skip


@app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Every endpoint (never its secret), with its queued and failed deliveries."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        rows = webhooks.list_endpoints(db, actor=identity.name)
    if as_json:
        print_json([dataclasses.asdict(row) for row in rows])
        return
    sys.stdout.write(f"{'NAME':<20} {'STATE':<9} {'PENDING':>7} {'FAILED':>6}  {'EVENTS':<28} "
                     f"{'BRANDS':<16} URL\n")  # fmt: skip
    for row in rows:
        sys.stdout.write(f"{row.name:<20} {row.state:<9} {row.pending:>7} {row.failed:>6}  "
                         f"{','.join(row.events) or '*':<28} {','.join(row.brands) or '*':<16} "
                         f"{row.url}\n")  # fmt: skip
        if row.disabled_reason:
            sys.stdout.write(f"{'':<20} disabled: {row.disabled_reason}\n")
        if row.rotating_until:
            sys.stdout.write(f"{'':<20} the previous secret also signs until "
                             f"{row.rotating_until}\n")  # fmt: skip


@app.command("rotate-secret")
def rotate_secret(
    name: Annotated[str, typer.Argument(help="The endpoint's name.")],
    grace_hours: Annotated[
        float, typer.Option(min=0, max=720, help="How long the old secret keeps signing too.")
    ] = 24,
) -> None:
    """A new signing secret, printed once; the old one signs alongside it for the grace period."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        issued = webhooks.rotate_secret(db, actor=identity.name, name=name,
                                        grace=dt.timedelta(hours=grace_hours))  # fmt: skip
    sys.stdout.write(f"{issued.secret}\n")
    until = issued.view.rotating_until or "now"
    sys.stderr.write(f"endpoint {name!r}: deliveries carry signatures by both secrets until "
                     f"{until}; switch the receiver to the new one before then.\n")  # fmt: skip


@app.command("enable")
def enable(name: Annotated[str, typer.Argument(help="The endpoint's name.")]) -> None:
    """Turn a disabled endpoint back on (replay what it missed with `replay --endpoint`)."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        webhooks.enable_endpoint(db, actor=identity.name, name=name)
    sys.stdout.write(f"endpoint {name!r} enabled\n")


@app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The endpoint's name.")]) -> None:
    """Delete an endpoint and its delivery history (the audit log keeps that it existed)."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        webhooks.remove_endpoint(db, actor=identity.name, name=name)
    sys.stdout.write(f"endpoint {name!r} removed\n")


@app.command("deliveries")
def deliveries(
    endpoint: Annotated[str | None, typer.Option(help="Only this endpoint's.")] = None,
    state: Annotated[
        str | None, typer.Option(help="pending, delivered, failed or disabled.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Deliveries, newest first, each with every attempt's status or error."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        rows = webhooks.list_deliveries(db, actor=identity.name, endpoint=endpoint, state=state,
                                        limit=limit)  # fmt: skip
    if as_json:
        print_json([dataclasses.asdict(row) for row in rows])
        return
    sys.stdout.write(f"{'ID':>6} {'ENDPOINT':<20} {'EVENT':<17} {'VARIANT':>7} {'STATE':<9} "
                     "ATTEMPTS\n")  # fmt: skip
    for row in rows:
        tries = ", ".join(str(a.status) if a.status else "no answer" for a in row.attempts)
        sys.stdout.write(f"{row.id:>6} {row.endpoint:<20} {row.event:<17} "
                         f"{f'#{row.variant_id}':>7} {row.state:<9} {tries or '-'}\n")  # fmt: skip
        if row.next_attempt_at:
            sys.stdout.write(f"{'':>6} next try at {row.next_attempt_at}\n")
        last = row.attempts[-1] if row.attempts else None
        if last and last.error and row.state != "delivered":
            sys.stdout.write(f"{'':>6} last: {last.error[:200]}\n")


@app.command("replay")
def replay(
    delivery: Annotated[int | None, typer.Argument(help="One delivery's id.")] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="Or: this endpoint's failed and dropped deliveries.")
    ] = None,
    since: Annotated[
        dt.datetime | None, typer.Option(formats=WHEN_FORMATS, help="Of events from (UTC).")
    ] = None,
    until: Annotated[
        dt.datetime | None, typer.Option(formats=WHEN_FORMATS, help="Of events before (UTC).")
    ] = None,
) -> None:
    """Send again now, with a fresh schedule and the same webhook-id."""
    db = database()
    identity = signed_in(db)
    with reporting_errors():
        queued = webhooks.replay(db, actor=identity.name, delivery_id=delivery,
                                 endpoint=endpoint, since=_utc(since),
                                 until=_utc(until))  # fmt: skip
    sys.stdout.write(f"{queued} delivery(ies) queued again\n")


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(tzinfo=dt.UTC) if moment and moment.tzinfo is None else moment
