"""`/v1/webhooks`: what a `webhooks:manage` key can do, and what it cannot (no private targets,
no brand-limited manager keys, nothing without the scope), each step in the audit log under
the key's name."""

from __future__ import annotations

import pytest
from sqlmodel import select

from studio.errors import InvalidInput
from studio.services import api_keys
from studio.store.db import Database
from studio.store.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from studio.workers.webhooks import serve
from tests.helpers.api import bearer, client, make_key
from tests.helpers.receiver import Reply, receiver
from tests.helpers.variants import approved

pytestmark = pytest.mark.usefixtures("rules_dir")
HOOK = "https://hooks.example.com/studio"


def audited(db: Database, actor: str) -> list[tuple[str, str]]:
    with db.read() as session:
        rows = session.exec(select(AuditEvent).where(AuditEvent.actor == actor)).all()
    return [(row.action, row.outcome) for row in rows]


def test_a_manager_key_adds_lists_rotates_and_removes_an_endpoint(db: Database) -> None:
    key = make_key(db, "ops", scopes=["webhooks:manage"])
    api = client(db)
    made = api.post("/v1/webhooks", headers=bearer(key),
                    json={"name": "braze", "url": HOOK, "events": ["variant.revoked"]})  # fmt: skip
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert secret.startswith("whsec_") and made.json()["endpoint"]["events"] == ["variant.revoked"]
    assert made.json()["endpoint"]["created_by"] == "ada"  # the admin who made the key
    listed = api.get("/v1/webhooks", headers=bearer(key)).json()["data"]
    assert [e["name"] for e in listed] == ["braze"] and secret not in str(listed)
    rotated = api.post("/v1/webhooks/braze/rotate-secret", headers=bearer(key), json={})
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (secret, "")
    assert rotated.json()["endpoint"]["rotating_until"] is not None
    assert api.delete("/v1/webhooks/braze", headers=bearer(key)).status_code == 204
    gone = api.delete("/v1/webhooks/braze", headers=bearer(key))
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not-found"
    assert audited(db, "apikey:ops") == [("webhook.add", "ok"), ("webhook.rotate-secret", "ok"),
                                         ("webhook.remove", "ok")]  # fmt: skip


def test_over_the_api_an_endpoint_can_never_point_inside_the_network(db: Database) -> None:
    key = make_key(db, "ops", scopes=["webhooks:manage"])
    api = client(db)
    for url in ("http://127.0.0.1:8080/hook", "http://10.0.0.5/hook", "http://169.254.169.254/"):
        refused = api.post("/v1/webhooks", headers=bearer(key), json={"name": "x", "url": url})
        assert refused.status_code == 400, (url, refused.text)
        message = refused.json()["error"]["message"]
        assert "private" in message and "--" not in message  # no CLI option over HTTP
    smuggled = api.post("/v1/webhooks", headers=bearer(key),
                        json={"name": "x", "url": HOOK, "allow_private": True})  # fmt: skip
    assert smuggled.status_code == 400 and "allow_private" in smuggled.text


def test_without_the_scope_every_webhook_route_is_403_and_audited(db: Database) -> None:
    key = make_key(db, "reader", scopes=["variants:read"])
    api = client(db)
    calls = [api.get("/v1/webhooks", headers=bearer(key)),
             api.post("/v1/webhooks", headers=bearer(key), json={"name": "x", "url": HOOK}),
             api.delete("/v1/webhooks/x", headers=bearer(key)),
             api.post("/v1/webhooks/x/rotate-secret", headers=bearer(key), json={}),
             api.post("/v1/webhooks/x/enable", headers=bearer(key)),
             api.get("/v1/webhooks/deliveries", headers=bearer(key)),
             api.post("/v1/webhooks/deliveries/1/replay", headers=bearer(key)),
             api.post("/v1/webhooks/x/replay", headers=bearer(key), json={})]  # fmt: skip
    assert [call.status_code for call in calls] == [403] * len(calls)
    assert all(outcome == "denied" for _, outcome in audited(db, "apikey:reader"))
    assert len(audited(db, "apikey:reader")) == len(calls)
    assert api.get("/v1/webhooks").status_code == 401


def test_a_manager_key_cannot_be_limited_to_brands(db: Database) -> None:
    with pytest.raises(InvalidInput, match="every brand"):
        api_keys.create_key(db, actor="ada", name="ops", scopes=["webhooks:manage"],
                            brands=["brightleaf"])  # fmt: skip


def test_a_manager_key_reads_failed_deliveries_and_replays_one(db: Database) -> None:
    key = make_key(db, "ops", scopes=["webhooks:manage"])
    api = client(db)
    with receiver(Reply(500)) as box:  # then the default, a 2xx
        made = api.post("/v1/webhooks", headers=bearer(key), json={"name": "rx", "url": HOOK})
        assert made.status_code == 201
        with db.write() as session:  # point it at the local receiver, as only an admin may
            row = session.exec(select(WebhookEndpoint)).one()
            row.url, row.allow_private = box.url, True
            session.add(row)
        variant = approved(db)
        serve(db, timeout=5.0, once=True, log=lambda _line: None)
        (delivery,) = api.get("/v1/webhooks/deliveries", headers=bearer(key)).json()["data"]
        assert delivery["variant_id"] == variant.id and delivery["attempts"][0]["status"] == 500
        with db.write() as session:  # as if every scheduled attempt had failed
            stored = session.get(WebhookDelivery, delivery["id"])
            assert stored is not None
            stored.state = "failed"
            session.add(stored)
        replayed = api.post(f"/v1/webhooks/deliveries/{delivery['id']}/replay", headers=bearer(key))
        assert replayed.status_code == 200 and replayed.json() == {"queued": 1}
        serve(db, timeout=5.0, once=True, log=lambda _line: None)
        again = api.get("/v1/webhooks/deliveries", headers=bearer(key)).json()["data"][0]
        assert again["state"] == "delivered" and again["message_id"] == delivery["message_id"]
