"""The dispatcher's side of the webhook outbox: lease the deliveries that are due, and record
what each attempt got.

A lease (`lease_until`, `worker`) is taken with a conditional update, so two workers never
send the same delivery at once; a worker killed mid-send leaves a lease that runs out, and the
delivery is sent again (receivers drop the duplicate by its `webhook-id`). A 2xx delivers; a
410 disables the endpoint and drops what it had queued; a destination refused as private fails
the delivery at once (waiting does not change that answer: an admin changes the endpoint, then
replays); anything else waits for the next slot of the schedule, or fails for good when the
schedule is spent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import httpx
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from studio.publishing import destinations, retries, sending
from studio.publishing.sending import Message, Outcome
from studio.services import audit
from studio.store.db import Database
from studio.store.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    as_utc,
    saved_id,
    utcnow,
)

# A lease outlasts the slowest send: the timeout bounds each phase (connect, write, wait, read).
LEASE_PHASES, LEASE_MARGIN = 4, dt.timedelta(seconds=10)


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    endpoint_id: int
    endpoint: str
    attempts_made: int
    message: Message


def claim_due(db: Database, worker: str, *, limit: int, timeout: float) -> list[Claimed]:
    """Lease up to `limit` deliveries that are due (oldest first) to `worker`."""
    now = utcnow()
    lease = now + LEASE_PHASES * dt.timedelta(seconds=timeout) + LEASE_MARGIN
    claimed: list[Claimed] = []
    with db.write() as session:
        due = session.exec(
            select(WebhookDelivery.id)
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.state == DeliveryState.PENDING,
                col(WebhookDelivery.next_attempt_at) <= now,
                or_(
                    col(WebhookDelivery.lease_until).is_(None),
                    col(WebhookDelivery.lease_until) < now,
                ),
                col(WebhookEndpoint.disabled_at).is_(None),
            )
            .order_by(col(WebhookDelivery.next_attempt_at), col(WebhookDelivery.id))
            .limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True)
        ).all()
        for delivery_id in due:
            taken = session.connection().execute(
                update(WebhookDelivery)
                .where(
                    col(WebhookDelivery.id) == delivery_id,
                    col(WebhookDelivery.state) == DeliveryState.PENDING,
                    or_(
                        col(WebhookDelivery.lease_until).is_(None),
                        col(WebhookDelivery.lease_until) < now,
                    ),
                )
                .values(lease_until=lease, worker=worker)
            )
            if taken.rowcount != 1:
                continue
            delivery, event, endpoint = session.exec(
                select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
                .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
                .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id == delivery_id)
            ).one()
            claimed.append(
                Claimed(
                    saved_id(delivery),
                    saved_id(endpoint),
                    endpoint.name,
                    delivery.attempts,
                    Message(
                        event.message_id,
                        event.payload,
                        endpoint.url,
                        _signing_secrets(endpoint, now),
                        endpoint.allow_private,
                    ),
                )
            )
    return claimed


new_client = sending.new_client


def deliver(
    db: Database, client: httpx.Client, claimed: Claimed, worker: str, timeout: float
) -> tuple[Outcome, str]:
    """One attempt at a leased delivery, recorded; the outcome and the delivery's state after."""
    refused = _refused_as_private(claimed.message)
    if refused is not None:
        return refused, record(db, claimed, worker, refused, final=True)
    outcome = sending.send(claimed.message, timeout=timeout, client=client)
    return outcome, record(db, claimed, worker, outcome)


def _refused_as_private(message: Message) -> Outcome | None:
    """The failed attempt for a destination that leads inside the network (the endpoint is not
    allowed to reach it), or None. `sending` checks again, on the address it connects to."""
    if message.allow_private:
        return None
    try:
        destinations.resolve(message.url, message.allow_private)
    except destinations.PrivateDestination as refused:
        return Outcome(None, f"not sent, and not tried again: {refused}", None, 0)
    except destinations.BadDestination:
        return None  # a name that does not resolve now may later: the schedule goes on
    return None


def record(
    db: Database, claimed: Claimed, worker: str, outcome: Outcome, *, final: bool = False
) -> str:
    """Keep the attempt and move the delivery on; returns its state afterwards (`final`: it
    failed for good, whatever the schedule says). A worker whose lease was taken over (it
    stalled past it) records the attempt but leaves the state alone."""
    now = utcnow()
    made = claimed.attempts_made + 1
    with db.write() as session:
        session.add(
            WebhookAttempt(
                delivery_id=claimed.delivery_id,
                at=now,
                status=outcome.status,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        values: dict[str, object] = {
            "attempts": made,
            "lease_until": None,
            "last_status": outcome.status,
            "last_error": outcome.error,
        }
        if outcome.delivered:
            state = DeliveryState.DELIVERED
            values |= {"state": state, "delivered_at": now}
        elif outcome.gone or _disabled(session, claimed):
            state = DeliveryState.DISABLED
            values |= {"state": state}
        elif final:
            state = DeliveryState.FAILED
            values |= {"state": state}
        else:
            delay = retries.next_delay(made, outcome.retry_after)
            state = DeliveryState.FAILED if delay is None else DeliveryState.PENDING
            values |= {"state": state, "next_attempt_at": now + (delay or dt.timedelta(0))}
        moved = session.connection().execute(
            update(WebhookDelivery)
            .where(
                col(WebhookDelivery.id) == claimed.delivery_id,
                col(WebhookDelivery.worker) == worker,
                col(WebhookDelivery.state) == DeliveryState.PENDING,
            )
            .values(**values)
        )
        if moved.rowcount != 1:
            return "taken over"
        if outcome.gone:
            _disable(session, claimed, now)
    return state


def _disabled(session: Session, claimed: Claimed) -> bool:
    endpoint = session.get(WebhookEndpoint, claimed.endpoint_id)
    return endpoint is None or endpoint.disabled_at is not None


def _disable(session: Session, claimed: Claimed, now: dt.datetime) -> None:
    """Stop sending to the endpoint: its queue is dropped, except deliveries other threads
    have in flight, which record their own outcome."""
    endpoint = session.get(WebhookEndpoint, claimed.endpoint_id)
    if endpoint is None or endpoint.disabled_at is not None:
        return
    reason = f"HTTP 410 Gone from {endpoint.url} at {now.isoformat(timespec='seconds')}"
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    session.add(endpoint)
    session.connection().execute(
        update(WebhookDelivery)
        .where(
            col(WebhookDelivery.endpoint_id) == endpoint.id,
            col(WebhookDelivery.state) == DeliveryState.PENDING,
            or_(col(WebhookDelivery.lease_until).is_(None), col(WebhookDelivery.lease_until) < now),
        )
        .values(state=DeliveryState.DISABLED)
    )
    audit.record(
        session,
        audit.SYSTEM,
        "webhook.disable",
        "webhook",
        endpoint.name,
        state_before="active",
        state_after="disabled",
        detail={"reason": reason},
    )


def _signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> tuple[str, ...]:
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and as_utc(until) > now:
        return (endpoint.secret, endpoint.previous_secret)
    return (endpoint.secret,)
