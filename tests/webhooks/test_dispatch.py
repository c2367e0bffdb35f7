"""Webhooks end to end: a decision writes its event, the dispatcher signs and POSTs it to a real
receiver on 127.0.0.1, and every way a receiver can fail moves the delivery along the schedule,
disables the endpoint, or leaves it for replay. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import threading
from types import ModuleType

import pytest
from sqlalchemy import update
from sqlmodel import select

from studio.errors import InvalidInput, NotFound, Refused
from studio.publishing import retries
from studio.services import dispatch, review, webhooks
from studio.store.db import Database
from studio.store.models import (
    AuditEvent,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from studio.workers import webhooks as dispatcher
from tests.helpers.receiver import Receiver, Reply, receiver
from tests.helpers.variants import approved

pytestmark = pytest.mark.usefixtures("rules_dir")


def deliver_due(db: Database, timeout: float = 5.0, concurrency: int = 16) -> int:
    """One dispatcher pass: everything due now is tried once."""
    return dispatcher.serve(db, timeout=timeout, once=True, poll=0.02,
                            concurrency=concurrency, log=lambda line: None)  # fmt: skip


def add(db: Database, box: Receiver, name: str = "engine", **options: object) -> str:
    return webhooks.add_endpoint(db, actor="ada", name=name, url=box.url, allow_private=True,
                                 **options).secret  # type: ignore[arg-type]  # fmt: skip


def deliveries(db: Database) -> list[WebhookDelivery]:
    with db.read() as session:
        return list(session.exec(select(WebhookDelivery).order_by(WebhookDelivery.id)))  # type: ignore[arg-type]


def fast_forward(db: Database) -> None:
    """Make every pending delivery due now, as if its wait had passed."""
    with db.write() as session:
        session.connection().execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.state == DeliveryState.PENDING)  # type: ignore[arg-type]
            .values(next_attempt_at=utcnow())
        )


def test_an_approval_reaches_the_receiver_signed_with_the_exact_payload(db: Database) -> None:
    with receiver() as box:
        secret = add(db, box)
        variant = approved(db)
        assert deliver_due(db) == 1
        [got] = box.wait_for(1)
    assert got.verifies_with(secret)
    assert not got.verifies_with(webhooks.new_secret())
    payload = json.loads(got.body)
    assert payload["type"] == "variant.approved"
    assert payload["data"] == {"id": variant.id, "version": 1}
    assert got.message_id.startswith("msg_") and got.headers["content-type"] == "application/json"
    [row] = deliveries(db)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 1 and row.last_status == 204


def test_events_follow_the_endpoint_filters(db: Database) -> None:
    with receiver() as box:
        add(db, box, "revocations", events=["variant.revoked"])
        add(db, box, "otherbrand", brands=["pennywise"])
        variant = approved(db)
        review.revoke(db, variant.id, actor="rita", comment="Pulled by legal")
        deliver_due(db)
        got = box.wait_for(1)
    assert [json.loads(item.body)["type"] for item in got] == ["variant.revoked"]


def test_a_busy_receiver_is_retried_on_schedule_with_the_same_id(db: Database) -> None:
    with receiver(Reply(503, {"Retry-After": "120"}), Reply(500)) as box:
        add(db, box)
        approved(db)
        before = utcnow()
        deliver_due(db)
        [row] = deliveries(db)
        assert row.state == DeliveryState.PENDING and row.attempts == 1 and row.last_status == 503
        wait = row.next_attempt_at.replace(tzinfo=dt.UTC) - before
        assert dt.timedelta(seconds=119) < wait < dt.timedelta(seconds=125)  # Retry-After, not 5 s
        assert deliver_due(db) == 0  # not due yet
        fast_forward(db)
        deliver_due(db)
        [row] = deliveries(db)
        wait = row.next_attempt_at.replace(tzinfo=dt.UTC) - utcnow()
        assert dt.timedelta(minutes=4) < wait <= dt.timedelta(minutes=5.5)  # the third slot
        fast_forward(db)
        deliver_due(db)
        got = box.wait_for(3)
    assert len({item.message_id for item in got}) == 1
    [row] = deliveries(db)
    assert row.state == DeliveryState.DELIVERED and row.attempts == 3
    [view] = webhooks.list_deliveries(db, actor="ada")
    assert [attempt.status for attempt in view.attempts] == [503, 500, 204]


def test_a_receiver_that_is_down_or_silent_is_an_attempt_without_a_status(db: Database) -> None:
    with receiver(default=Reply(delay=3)) as box:
        add(db, box)
        approved(db)
        deliver_due(db, timeout=0.5)
    with receiver() as gone:
        url = gone.url
    webhooks.add_endpoint(db, actor="ada", name="down", url=url, allow_private=True)
    review.revoke(db, 1, actor="rita", comment="Pulled")
    deliver_due(db, timeout=0.5)
    views = {view.endpoint: view for view in webhooks.list_deliveries(db, actor="ada")}
    assert "no answer within 0.5 s" in (views["engine"].attempts[0].error or "")
    assert "could not connect" in (views["down"].attempts[0].error or "")
    for view in views.values():
        assert view.state == "pending" and view.attempts[0].status is None


def test_the_schedule_ends_in_failure_and_replay_sends_it_again(db: Database) -> None:
    with receiver(default=Reply(500, body=b"<h1>boom</h1>")) as box:
        add(db, box)
        approved(db)
        for _ in retries.SCHEDULE:
            fast_forward(db)
            deliver_due(db)
        assert deliver_due(db) == 0
        [row] = deliveries(db)
        assert row.state == DeliveryState.FAILED and row.attempts == len(retries.SCHEDULE) == 10
        [view] = webhooks.list_deliveries(db, actor="ada", state="failed")
        assert len(view.attempts) == 10 and view.attempts[-1].error == "HTTP 500: <h1>boom</h1>"
        box.default = Reply(200)
        assert webhooks.replay(db, actor="ada", delivery_id=row.id) == 1
        deliver_due(db)
        got = box.wait_for(11)
    assert len(got) == 11 and len({item.message_id for item in got}) == 1
    assert deliveries(db)[0].state == DeliveryState.DELIVERED


def test_410_disables_the_endpoint_and_drops_its_queue_until_enabled(db: Database) -> None:
    with receiver(Reply(410)) as box:
        add(db, box)
        approved(db)
        approved(db, author="walt")
        deliver_due(db, concurrency=1)
        states = sorted(row.state for row in deliveries(db))
        assert states == [DeliveryState.DISABLED, DeliveryState.DISABLED]
        assert len(box.received) == 1  # the second was never sent
        [endpoint] = webhooks.list_endpoints(db, actor="ada")
        assert endpoint.state == "disabled" and "410" in (endpoint.disabled_reason or "")
        approved(db)  # a disabled endpoint queues nothing new
        assert len(deliveries(db)) == 2
        with pytest.raises(InvalidInput, match="enable it first"):
            webhooks.replay(db, actor="ada", endpoint="engine")
        webhooks.enable_endpoint(db, actor="ada", name="engine")
        assert webhooks.replay(db, actor="ada", endpoint="engine") == 2
        deliver_due(db)
        box.wait_for(3)
    assert [row.state for row in deliveries(db)] == [DeliveryState.DELIVERED] * 2
    with db.read() as session:
        actions = set(session.exec(select(AuditEvent.action)))
    assert {"webhook.disable", "webhook.enable", "webhook.replay"} <= actions


def test_a_delivery_in_flight_when_its_endpoint_is_disabled_keeps_its_outcome(db: Database) -> None:
    with receiver(Reply(410), default=Reply(200, delay=0.3)) as box:
        add(db, box)
        approved(db)
        approved(db, author="walt")
        deliver_due(db, concurrency=2)
        box.wait_for(2)
    states = {json.loads(item.body)["data"]["id"]: item for item in box.received}
    assert len(states) == 2
    assert sorted(row.state for row in deliveries(db)) == [DeliveryState.DELIVERED,
                                                           DeliveryState.DISABLED]  # fmt: skip


def test_replay_over_a_window_takes_only_that_windows_events(db: Database) -> None:
    with receiver(default=Reply(500)) as box:
        add(db, box)
        approved(db)
        with db.write() as session:
            session.connection().execute(update(WebhookDelivery).values(state=DeliveryState.FAILED))
        later = utcnow()
        approved(db, author="walt")
        with db.write() as session:
            session.connection().execute(update(WebhookDelivery).values(state=DeliveryState.FAILED))
        assert webhooks.replay(db, actor="ada", endpoint="engine", since=later) == 1
        assert webhooks.replay(db, actor="ada", endpoint="engine", until=later) == 1
        with pytest.raises(InvalidInput, match="not both"):
            webhooks.replay(db, actor="ada", delivery_id=1, endpoint="engine")
        with pytest.raises(InvalidInput, match="still pending"):
            webhooks.replay(db, actor="ada", delivery_id=1)
        with pytest.raises(NotFound):
            webhooks.replay(db, actor="ada", delivery_id=2**70)


def test_a_rotated_secret_and_the_old_one_both_sign_until_the_grace_ends(db: Database) -> None:
    with receiver() as box:
        old = add(db, box)
        new = webhooks.rotate_secret(db, actor="ada", name="engine").secret
        approved(db)
        deliver_due(db)
        newest = webhooks.rotate_secret(db, actor="ada", name="engine", grace=dt.timedelta(0))
        approved(db, author="walt")
        deliver_due(db)
        first, second = box.wait_for(2)
    assert first.verifies_with(old) and first.verifies_with(new)
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    assert second.verifies_with(newest.secret) and not second.verifies_with(new)


def test_a_killed_workers_lease_runs_out_and_another_sends_it(db: Database) -> None:
    with receiver() as box:
        add(db, box)
        approved(db)
        [lost] = dispatch.claim_due(db, "dead-worker", limit=10, timeout=5)
        assert deliver_due(db) == 0  # leased: nobody else sends it meanwhile
        with db.write() as session:
            session.connection().execute(
                update(WebhookDelivery).values(lease_until=utcnow() - dt.timedelta(seconds=1))
            )
        assert deliver_due(db) == 1
        [got] = box.wait_for(1)
    assert got.message_id == lost.message.message_id
    assert deliveries(db)[0].state == DeliveryState.DELIVERED


def test_two_dispatchers_deliver_each_event_exactly_once(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    with receiver() as box:
        add(db, box)
        for _ in range(15):
            approved(db)
        runs = [threading.Thread(target=deliver_due, args=(db,)) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        got = box.wait_for(15)
    ids = [item.message_id for item in got]
    assert len(ids) == 15 and len(set(ids)) == 15


def test_a_private_address_is_refused_unless_the_endpoint_allows_it(db: Database) -> None:
    for url in ("http://127.0.0.1:9/h", "http://localhost:9/h", "http://169.254.169.254/latest",
                "http://[::1]/h", "http://10.0.0.8/h", "http://[::ffff:127.0.0.1]/h"):  # fmt: skip
        with pytest.raises(InvalidInput, match="allowed to reach private addresses") as refused:
            webhooks.add_endpoint(db, actor="ada", name="internal", url=url)
        assert refused.value.field == "allow_private"  # the CLI names its option from this
    with receiver() as box:
        add(db, box)  # allowed on purpose
        approved(db)
        with db.write() as session:  # as if the flag were never given
            session.connection().execute(update(WebhookEndpoint).values(allow_private=False))
        deliver_due(db)
        assert box.received == []
    [view] = webhooks.list_deliveries(db, actor="ada")
    error = view.attempts[0].error or ""
    assert "not sent" in error and "127.0.0.1" in error


@pytest.mark.parametrize(
    ("options", "needle"),
    [
        ({"name": "Bad Name"}, "endpoint name"),
        ({"url": "ftp://example.com/x"}, "http:// or https://"),
        ({"url": "javascript:alert(1)"}, "http:// or https://"),
        ({"url": "https://user:pw@example.com/h"}, "credentials"),
        ({"url": "https://exa mple.com/h"}, "spaces"),
        ({"url": "https://example.com:99999/h"}, "not a URL"),
        ({"url": "https://example.com/" + "x" * 3000}, "1 to 2000"),
        ({"url": ""}, "1 to 2000"),
        ({"events": ["variant.exploded"]}, "not an event"),
        ({"brands": ["nobrand"]}, "no rule pack"),
        ({"brands": ["../etc"]}, "rule-pack folder"),
    ],
)
def test_bad_endpoints_are_refused_with_what_is_wrong(
    db: Database, options: dict[str, object], needle: str
) -> None:
    approved(db)
    given = {"name": "engine", "url": "https://hooks.example.com/x", **options}
    with pytest.raises(InvalidInput, match=needle):
        webhooks.add_endpoint(db, actor="ada", **given)  # type: ignore[arg-type]
    assert webhooks.list_endpoints(db, actor="ada") == []


def test_only_admins_manage_webhooks_and_refusals_are_audited(db: Database) -> None:
    with pytest.raises(Refused):
        webhooks.add_endpoint(db, actor="wendy", name="x", url="https://hooks.example.com/x")
    with pytest.raises(Refused):
        webhooks.list_deliveries(db, actor="rita")
    with db.read() as session:
        denied = list(session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")))
    assert {event.action for event in denied} == {"webhook.add", "webhook.deliveries"}


def test_removing_an_endpoint_removes_its_queue(db: Database) -> None:
    with receiver(default=Reply(500)) as box:
        add(db, box)
        approved(db)
        deliver_due(db)
        webhooks.remove_endpoint(db, actor="ada", name="engine")
    assert deliveries(db) == [] and webhooks.list_endpoints(db, actor="ada") == []
    with pytest.raises(NotFound):
        webhooks.remove_endpoint(db, actor="ada", name="engine")


def test_an_expiry_is_sent_as_revoked_by_the_dispatcher_when_it_falls_due(
    db: Database, clock: ModuleType
) -> None:
    """No API request is needed: the dispatcher's own turn writes the tombstone and sends it."""
    with receiver() as box:
        add(db, box, events=["variant.revoked"])
        variant = approved(db, valid_until=clock.now() + dt.timedelta(hours=1))
        assert deliver_due(db) == 0  # nothing due yet
        clock.advance(dt.timedelta(hours=2))
        assert deliver_due(db) == 1
        [got] = box.wait_for(1)
    payload = json.loads(got.body)
    assert payload["type"] == "variant.revoked" and payload["data"]["id"] == variant.id
