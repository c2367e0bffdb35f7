"""Webhook endpoints and their deliveries, as admins manage them: add, list, rotate a secret,
enable, remove, read failed deliveries attempt by attempt, and replay them.

An endpoint's secret signs its deliveries, so it is kept (not hashed) and shown once, when it is
made. Rotating keeps the previous secret signing alongside the new one for a grace period, so
receivers can switch without missing a delivery. Every change is audited; sending is the
dispatcher's (`services/dispatch.py`).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, update
from sqlmodel import Session, col, func, select

from studio.errors import InvalidInput, NotAuthenticated, NotFound, Refused
from studio.publishing import destinations
from studio.services import audit, packs
from studio.services.acting import attempt
from studio.services.api_keys import KeyIdentity
from studio.services.outbox import EVENT_TYPES
from studio.services.policy import Action, require_role
from studio.store.db import Database
from studio.store.models import (
    MAX_ID,
    ApiKey,
    DeliveryState,
    Scope,
    User,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    as_utc,
    iso_seconds,
    saved_id,
    utcnow,
)

SECRET_PREFIX = "whsec_"
DEFAULT_GRACE = dt.timedelta(hours=24)
LONGEST_GRACE = dt.timedelta(days=30)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
T = TypeVar("T")


@dataclass(frozen=True)
class EndpointView:
    name: str
    url: str
    events: list[str]  # empty: every event type
    brands: list[str]  # empty: every brand
    allow_private: bool
    state: str  # active | disabled
    disabled_reason: str | None
    rotating_until: str | None  # the previous secret still signs until then
    pending: int
    failed: int
    created_by: str
    created_at: str | None


@dataclass(frozen=True)
class IssuedSecret:
    """A new endpoint or a rotated secret: the secret is shown only here."""

    secret: str
    view: EndpointView


@dataclass(frozen=True)
class AttemptView:
    at: str | None
    status: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class DeliveryView:
    id: int
    endpoint: str
    message_id: str
    event: str
    variant_id: int
    version: int
    state: str
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str | None
    attempts: list[AttemptView]


Acting = str | KeyIdentity  # a signed-in admin, or an API key with the webhooks:manage scope


@dataclass(frozen=True)
class Manager:
    """Who is managing webhooks, as the audit log and `created_by` record them: an admin, or a
    key (audited as `apikey:NAME`, its endpoints credited to the admin who made the key)."""

    name: str
    user_id: int


def _as_manager(
    db: Database,
    actor: Acting,
    event: str,
    target: tuple[str, str | int],
    body: Callable[[Session, Manager], T],
) -> T:
    """Run `body` for an admin (by role) or a key (by scope; a brand-limited key may not, as an
    endpoint can carry every brand's events); a refusal is audited either way."""
    if isinstance(actor, str):

        def as_admin(session: Session, user: User) -> T:
            require_role(user, Action.MANAGE_WEBHOOKS)
            return body(session, Manager(user.name, saved_id(user)))

        return attempt(db, actor, event, target, as_admin)
    name = f"apikey:{actor.name}"
    try:
        actor.require(Scope.WEBHOOKS_MANAGE)
        if actor.brands:
            raise Refused("brand", f"API key {actor.name!r} is limited to some brands; "
                          "managing webhooks needs a key for every brand")  # fmt: skip
        with db.write() as session:
            key = session.get(ApiKey, actor.id)
            if key is None or key.revoked_at is not None:
                raise NotAuthenticated("the API key is unknown or was revoked")
            return body(session, Manager(name, key.created_by))
    except Refused as refusal:
        with db.write() as session:
            audit.record(session, name, event, *target, outcome="denied",
                         detail={"rule": refusal.rule, "reason": refusal.message})  # fmt: skip
        raise


def new_secret() -> str:
    """`whsec_` and 32 random bytes in base64, the form the Standard Webhooks libraries read."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def add_endpoint(
    db: Database,
    *,
    actor: Acting,
    name: str,
    url: str,
    events: Iterable[str] = (),
    brands: Iterable[str] = (),
    allow_private: bool = False,
) -> IssuedSecret:
    """A new endpoint (admins only). The URL is checked now as far as it can be without DNS; a
    host name is checked again on every delivery."""
    _check_name(name)
    try:
        destinations.check_literal(url, allow_private)
    except destinations.BadDestination as bad:
        private = isinstance(bad, destinations.PrivateDestination)
        raise InvalidInput(str(bad), field="allow_private" if private else "url") from None
    wanted = sorted(set(events))
    unknown = [event for event in wanted if event not in EVENT_TYPES]
    if unknown:
        raise InvalidInput(
            f"event {', '.join(unknown)}: not an event the studio sends (it "
            f"sends {', '.join(EVENT_TYPES)})",
            field="event",
        )
    limited = sorted(set(brands))
    for brand in limited:
        packs.brand_pack(brand)  # a brand is a rule pack: refuse one that has none

    def body(session: Session, manager: Manager) -> IssuedSecret:
        if _find(session, name) is not None:
            raise InvalidInput(f"a webhook endpoint named {name!r} exists already", field="name")
        secret = new_secret()
        row = WebhookEndpoint(
            name=name,
            url=url,
            secret=secret,
            events=wanted,
            brands=limited,
            allow_private=allow_private,
            created_by=manager.user_id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            manager.name,
            "webhook.add",
            "webhook",
            name,
            detail={
                "url": url,
                "events": wanted,
                "brands": limited,
                "allow_private": allow_private,
            },
        )
        return IssuedSecret(secret, _view(session, row))

    return _as_manager(db, actor, "webhook.add", ("webhook", name), body)


def list_endpoints(db: Database, *, actor: Acting) -> list[EndpointView]:
    def body(session: Session, manager: Manager) -> list[EndpointView]:
        rows = session.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.name)))
        return [_view(session, row) for row in rows]

    return _as_manager(db, actor, "webhook.list", ("webhook", "*"), body)


def rotate_secret(
    db: Database, *, actor: Acting, name: str, grace: dt.timedelta = DEFAULT_GRACE
) -> IssuedSecret:
    """A new secret at once; the old one keeps signing (alongside) until `grace` has passed."""
    if not dt.timedelta(0) <= grace <= LONGEST_GRACE:
        raise InvalidInput(f"a grace period is 0 to {LONGEST_GRACE.days} days", field="grace")

    def body(session: Session, manager: Manager) -> IssuedSecret:
        row = _get(session, name)
        row.previous_secret, row.secret = row.secret, new_secret()
        row.previous_secret_until = utcnow() + grace
        session.add(row)
        audit.record(
            session,
            manager.name,
            "webhook.rotate-secret",
            "webhook",
            name,
            detail={"grace_seconds": int(grace.total_seconds())},
        )
        return IssuedSecret(row.secret, _view(session, row))

    return _as_manager(db, actor, "webhook.rotate-secret", ("webhook", name), body)


def enable_endpoint(db: Database, *, actor: Acting, name: str) -> EndpointView:
    """Turn a disabled endpoint (a 410 from it, say) back on. Deliveries that were dropped while
    it was off are not resent by this; replay them."""

    def body(session: Session, manager: Manager) -> EndpointView:
        row = _get(session, name)
        if row.disabled_at is None:
            raise InvalidInput(f"webhook endpoint {name!r} is not disabled", field="name")
        before = row.disabled_reason
        row.disabled_at, row.disabled_reason = None, None
        session.add(row)
        audit.record(
            session,
            manager.name,
            "webhook.enable",
            "webhook",
            name,
            state_before="disabled",
            state_after="active",
            detail={"was": before},
        )
        return _view(session, row)

    return _as_manager(db, actor, "webhook.enable", ("webhook", name), body)


def remove_endpoint(db: Database, *, actor: Acting, name: str) -> None:
    """Delete an endpoint with its deliveries and their attempts; the audit log keeps the fact."""

    def body(session: Session, manager: Manager) -> None:
        row = _get(session, name)
        deliveries = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == row.id)
        connection = session.connection()
        connection.execute(
            delete(WebhookAttempt).where(col(WebhookAttempt.delivery_id).in_(deliveries))
        )
        connection.execute(
            delete(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == row.id)
        )
        session.delete(row)
        audit.record(
            session, manager.name, "webhook.remove", "webhook", name, detail={"url": row.url}
        )

    _as_manager(db, actor, "webhook.remove", ("webhook", name), body)


def list_deliveries(
    db: Database,
    *,
    actor: Acting,
    endpoint: str | None = None,
    state: str | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    """Deliveries newest first, each with every attempt's status and error."""
    if state is not None and state not in tuple(DeliveryState):
        raise InvalidInput(f"state {state!r}: one of {', '.join(DeliveryState)}", field="state")
    if not 1 <= limit <= 1000:
        raise InvalidInput("a listing shows 1 to 1000 deliveries", field="limit")

    def body(session: Session, manager: Manager) -> list[DeliveryView]:
        statement = (
            select(WebhookDelivery, WebhookEvent, WebhookEndpoint.name)
            .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
            .join(WebhookEndpoint, col(WebhookEndpoint.id) == WebhookDelivery.endpoint_id)
            .order_by(col(WebhookDelivery.id).desc())
            .limit(limit)
        )
        if endpoint is not None:
            statement = statement.where(WebhookDelivery.endpoint_id == _get(session, endpoint).id)
        if state is not None:
            statement = statement.where(WebhookDelivery.state == state)
        rows = session.exec(statement).all()
        tries = _attempts(session, [saved_id(delivery) for delivery, _, _ in rows])
        return [
            DeliveryView(
                id=saved_id(delivery),
                endpoint=name,
                message_id=event.message_id,
                event=event.type,
                variant_id=event.variant_id,
                version=event.version,
                state=delivery.state,
                next_attempt_at=iso_seconds(delivery.next_attempt_at)
                if delivery.state == DeliveryState.PENDING
                else None,
                delivered_at=iso_seconds(delivery.delivered_at),
                created_at=iso_seconds(delivery.created_at),
                attempts=tries.get(saved_id(delivery), []),
            )
            for delivery, event, name in rows
        ]

    return _as_manager(db, actor, "webhook.deliveries", ("webhook", endpoint or "*"), body)


def replay(
    db: Database,
    *,
    actor: Acting,
    delivery_id: int | None = None,
    endpoint: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    """Send again, now and with a fresh schedule: one delivery by id, or an endpoint's failed
    and dropped deliveries of events made in [since, until). Same `webhook-id` as before, so a
    receiver that did get it can tell. Returns how many were queued. A disabled endpoint is
    sent nothing, so replaying to it is refused until it is enabled (`enable_endpoint`)."""
    if (delivery_id is None) == (endpoint is None):
        raise InvalidInput(
            "replay one delivery by its id, or an endpoint's deliveries over a "
            "time window, not both"
        )
    if since and until and as_utc(since) >= as_utc(until):
        raise InvalidInput("the window's start is before its end", field="since")

    def body(session: Session, manager: Manager) -> int:
        if delivery_id is not None:
            row = session.get(WebhookDelivery, delivery_id) if 0 < delivery_id <= MAX_ID else None
            if row is None:
                raise NotFound(f"no webhook delivery #{delivery_id}")
            if row.state == DeliveryState.PENDING:
                raise InvalidInput(f"delivery #{delivery_id} is still pending: it will be sent")
            to = session.get(WebhookEndpoint, row.endpoint_id)
            if to is not None and to.disabled_at is not None:  # nothing is sent to it
                raise InvalidInput(
                    f"delivery #{delivery_id} is to webhook endpoint {to.name!r}, which is "
                    f"disabled ({to.disabled_reason}); enable it first"
                )
            chosen = [delivery_id]
            target: str | int = delivery_id
        else:
            endpoint_row = _get(session, endpoint or "")
            if endpoint_row.disabled_at is not None:
                raise InvalidInput(
                    f"webhook endpoint {endpoint!r} is disabled "
                    f"({endpoint_row.disabled_reason}); enable it first"
                )
            statement = (
                select(WebhookDelivery.id)
                .join(WebhookEvent, col(WebhookEvent.id) == WebhookDelivery.event_id)
                .where(
                    WebhookDelivery.endpoint_id == endpoint_row.id,
                    col(WebhookDelivery.state).in_([DeliveryState.FAILED, DeliveryState.DISABLED]),
                )
            )
            if since is not None:
                statement = statement.where(col(WebhookEvent.created_at) >= since)
            if until is not None:
                statement = statement.where(col(WebhookEvent.created_at) < until)
            chosen = [row_id for row_id in session.exec(statement) if row_id is not None]
            target = endpoint or ""
        if chosen:
            session.connection().execute(
                update(WebhookDelivery)
                .where(col(WebhookDelivery.id).in_(chosen))
                .values(
                    state=DeliveryState.PENDING,
                    attempts=0,
                    next_attempt_at=utcnow(),
                    lease_until=None,
                    worker=None,
                )
            )
        audit.record(
            session,
            manager.name,
            "webhook.replay",
            "webhook",
            target,
            detail={
                "deliveries": len(chosen),
                "since": iso_seconds(since),
                "until": iso_seconds(until),
            },
        )
        return len(chosen)

    return _as_manager(
        db, actor, "webhook.replay", ("webhook", delivery_id or endpoint or ""), body
    )


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"endpoint name {name!r}: use up to 64 lowercase letters, digits, '.', '_' or '-'",
            field="name",
        )


def _find(session: Session, name: str) -> WebhookEndpoint | None:
    if not _NAME.fullmatch(name):  # no endpoint has it (nor could every such text be stored)
        return None
    return session.exec(select(WebhookEndpoint).where(WebhookEndpoint.name == name)).first()


def _get(session: Session, name: str) -> WebhookEndpoint:
    row = _find(session, name)
    if row is None:
        raise NotFound(f"no webhook endpoint named {name!r}")
    return row


def _attempts(session: Session, delivery_ids: list[int]) -> dict[int, list[AttemptView]]:
    found: dict[int, list[AttemptView]] = {}
    if not delivery_ids:
        return found
    rows = session.exec(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id).in_(delivery_ids))
        .order_by(col(WebhookAttempt.id))
    )
    for row in rows:
        found.setdefault(row.delivery_id, []).append(
            AttemptView(iso_seconds(row.at), row.status, row.error, row.duration_ms)
        )
    return found


def _view(session: Session, row: WebhookEndpoint) -> EndpointView:
    counts = dict(
        session.exec(
            select(WebhookDelivery.state, func.count())
            .where(WebhookDelivery.endpoint_id == row.id)
            .group_by(col(WebhookDelivery.state))
        ).all()
    )
    creator = session.get(User, row.created_by)
    rotating = row.previous_secret_until
    return EndpointView(
        name=row.name,
        url=row.url,
        events=list(row.events),
        brands=list(row.brands),
        allow_private=row.allow_private,
        state="disabled" if row.disabled_at else "active",
        disabled_reason=row.disabled_reason,
        rotating_until=iso_seconds(rotating) if rotating and as_utc(rotating) > utcnow() else None,
        pending=counts.get(DeliveryState.PENDING, 0),
        failed=counts.get(DeliveryState.FAILED, 0),
        created_by=creator.name if creator else "?",
        created_at=iso_seconds(row.created_at),
    )
