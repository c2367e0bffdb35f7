"""Two rules of the webhook outbox, on SQLite and PostgreSQL: a delivery to a disabled endpoint
is not replayed (it would be queued and never sent) until the endpoint is enabled; and a
destination refused as private fails its delivery at once instead of retrying for days."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from studio.errors import InvalidInput
from studio.services import webhooks
from studio.store.db import Database
from studio.store.models import DeliveryState, WebhookEndpoint
from tests.helpers.receiver import Receiver, Reply, receiver
from tests.helpers.variants import approved
from tests.webhooks.test_dispatch import deliver_due, deliveries, fast_forward

pytestmark = pytest.mark.usefixtures("rules_dir")


def add(db: Database, box: Receiver, name: str = "engine") -> None:
    webhooks.add_endpoint(db, actor="ada", name=name, url=box.url, allow_private=True)


def test_replaying_a_delivery_to_a_disabled_endpoint_is_refused_until_it_is_enabled(
    db: Database,
) -> None:
    with receiver(Reply(410)) as box:
        add(db, box)
        approved(db)
        deliver_due(db)
        [row] = deliveries(db)
        assert row.state == DeliveryState.DISABLED
        with pytest.raises(InvalidInput) as refused:
            webhooks.replay(db, actor="ada", delivery_id=row.id)
        message = refused.value.message
        assert f"delivery #{row.id} is to webhook endpoint 'engine', which is disabled" in message
        assert "410" in message and "enable it first" in message
        assert deliveries(db)[0].state == DeliveryState.DISABLED  # nothing was queued
        webhooks.enable_endpoint(db, actor="ada", name="engine")
        box.default = Reply(204)
        assert webhooks.replay(db, actor="ada", delivery_id=row.id) == 1
        deliver_due(db)
        box.wait_for(2)
    assert deliveries(db)[0].state == DeliveryState.DELIVERED


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_destination_refused_as_private_fails_the_delivery_at_once(
    db: Database, host: str
) -> None:
    with receiver() as box:
        url = box.url.replace("127.0.0.1", host)
        webhooks.add_endpoint(db, actor="ada", name="engine", url=url, allow_private=True)
        approved(db)
        with db.write() as session:  # as if the endpoint had not been allowed to
            session.connection().execute(update(WebhookEndpoint).values(allow_private=False))
        assert deliver_due(db) == 1
        [row] = deliveries(db)
        assert row.state == DeliveryState.FAILED and row.attempts == 1
        assert "not tried again" in (row.last_error or "")
        assert "private or link-local address" in (row.last_error or "")
        fast_forward(db)
        assert deliver_due(db) == 0  # no retry, however long one waits
        assert box.received == []
    [view] = webhooks.list_deliveries(db, actor="ada", state="failed")
    assert view.attempts[0].status is None and "127.0.0.1" in (view.attempts[0].error or "")
    [endpoint] = webhooks.list_endpoints(db, actor="ada")
    assert endpoint.failed == 1 and endpoint.pending == 0


def test_a_name_that_does_not_resolve_is_still_retried(db: Database) -> None:
    webhooks.add_endpoint(db, actor="ada", name="engine", url="http://nowhere.invalid/hook")
    approved(db)
    deliver_due(db)
    [row] = deliveries(db)
    assert row.state == DeliveryState.PENDING and "cannot resolve" in (row.last_error or "")
