"""The webhook outbox: an event row, and one delivery per endpoint that wants it, written in
the transaction of the change they report, so a change and its event land together or not at
all. The dispatcher (`workers/webhooks.py`) sends them later.

Payloads are thin (`{type, timestamp, data: {id, version}}`): the receiver fetches the variant
over the API with its own key, so a webhook never carries copy past the API's access checks.
"""

from __future__ import annotations

import json
import uuid
from enum import StrEnum

from sqlmodel import Session, col, select

from studio.store.models import WebhookDelivery, WebhookEndpoint, WebhookEvent, saved_id, utcnow


class EventType(StrEnum):
    APPROVED = "variant.approved"  # now served: fetch it
    UPDATED = "variant.updated"  # served, but changed (new rules version, new validity)
    REVOKED = "variant.revoked"  # no longer served: delete it (revoked, expired, edited)
    FLAGGED = "variant.flagged"  # no longer served: fails rules that changed since approval


EVENT_TYPES = tuple(event.value for event in EventType)


def emit(session: Session, event: EventType, *, brand: str, variant_id: int, version: int) -> None:
    """Record an event and queue it for every enabled endpoint whose filters take it."""
    now = utcnow()
    stamp = now.isoformat(timespec="microseconds").replace("+00:00", "Z")
    payload = json.dumps(
        {"type": event.value, "timestamp": stamp, "data": {"id": variant_id, "version": version}},
        separators=(",", ":"),
    )
    row = WebhookEvent(message_id=f"msg_{uuid.uuid4().hex}", type=event.value, brand=brand,
                       variant_id=variant_id, version=version, payload=payload,
                       created_at=now)  # fmt: skip
    session.add(row)
    session.flush()
    endpoints = session.exec(
        select(WebhookEndpoint).where(col(WebhookEndpoint.disabled_at).is_(None))
    )
    for endpoint in endpoints:
        if wants(endpoint, event.value, brand):
            session.add(WebhookDelivery(event_id=saved_id(row), endpoint_id=saved_id(endpoint),
                                        next_attempt_at=now))  # fmt: skip


def wants(endpoint: WebhookEndpoint, event_type: str, brand: str) -> bool:
    return (not endpoint.events or event_type in endpoint.events) and (
        not endpoint.brands or brand in endpoint.brands
    )
