"""The feed tells the truth at the moment it changes: an approval expiring, a validity window
opening and a brand's rules changing on disk are in an engine's incremental sync (by
`updated_since` and by cursor) on the first request after they take effect, with the API alone
running (no worker), each with its webhook event. Time is the studio's clock, moved by the test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import delete
from sqlmodel import select

from studio.services import catch_up
from studio.store.db import Database
from studio.store.models import FeedDocument, WebhookEvent
from tests.conftest import ban_term
from tests.helpers.api import bearer, client, make_key
from tests.helpers.processes import schema_url
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.usefixtures("rules_dir")
HOUR = dt.timedelta(hours=1)


def pull(api, key: str, **params: object) -> list[dict]:  # type: ignore[no-untyped-def]
    """Every item of the feed from the given position on, paging with the cursor."""
    items: list[dict] = []
    while True:
        response = api.get("/v1/variants", params={"limit": 1, **params}, headers=bearer(key))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["data"]
        if not page["has_more"]:
            return items
        params = {**params, "cursor": page["next_cursor"]}


def cursor_after(api, key: str) -> str:  # type: ignore[no-untyped-def]
    """The cursor an engine holds once it has synced everything (the last page's own cursor is
    the position of the item before it, so page with limit 1 and keep the one before last)."""
    response = api.get("/v1/variants", params={"limit": 1}, headers=bearer(key)).json()
    cursor = None
    while response["has_more"]:
        cursor = response["next_cursor"]
        response = api.get("/v1/variants", params={"limit": 1, "cursor": cursor},
                           headers=bearer(key)).json()  # fmt: skip
    assert cursor is not None, "needs at least two items in the feed"
    return cursor


def events(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()  # type: ignore[arg-type]
        return [(row.type, row.variant_id) for row in rows]


def test_an_expired_approval_reaches_incremental_syncs_at_the_first_read(
    db: Database, clock: ModuleType
) -> None:
    now = clock.now()
    expiring = approved(db, valid_until=now + HOUR)
    approved(db, CLEAN.replace("routine", "day"))
    approved(db, CLEAN.replace("routine", "week"))
    key, api = make_key(db), client(db)
    synced_at = clock.now().isoformat()
    cursor = cursor_after(api, key)
    assert pull(api, key, updated_since=synced_at) == []
    clock.advance(2 * HOUR)
    for seen in (pull(api, key, updated_since=synced_at), pull(api, key, cursor=cursor)):
        (tombstone,) = [item for item in seen if item["id"] == expiring.id]
        assert tombstone["status"] == "revoked" and "expired" in tombstone["reason"]
    assert events(db)[-1] == ("variant.revoked", expiring.id)
    one = api.get(f"/v1/variants/{expiring.id}", headers=bearer(key)).json()
    assert one["status"] == "revoked"
    assert [event for event in events(db) if event[0] == "variant.revoked"] == [
        ("variant.revoked", expiring.id)
    ]  # fmt: skip  (written once, not at every read)


def test_a_window_that_opens_is_served_at_the_first_read_after(
    db: Database, clock: ModuleType
) -> None:
    now = clock.now()
    approved(db, CLEAN.replace("routine", "day"))
    approved(db, CLEAN.replace("routine", "week"))
    later = approved(db, valid_from=now + HOUR)
    key, api = make_key(db), client(db)
    synced_at = clock.now().isoformat()
    cursor = cursor_after(api, key)
    assert api.get(f"/v1/variants/{later.id}", headers=bearer(key)).status_code == 404
    clock.advance(2 * HOUR)
    assert [item["id"] for item in pull(api, key, updated_since=synced_at)] == [later.id]
    assert [item["id"] for item in pull(api, key, cursor=cursor)][-1] == later.id
    assert events(db)[-1] == ("variant.approved", later.id)


def test_a_rule_change_is_in_the_sync_with_the_api_alone(
    db: Database, rules_dir: Path, clock: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catch_up, "RULES_MAX_AGE", 0)
    failing = approved(db)
    passing = approved(db, CLEAN.replace("vitamins support your routine", "team says hello"))
    key, api = make_key(db), client(db)
    before = {item["id"]: item for item in pull(api, key)}
    clock.advance(dt.timedelta(seconds=1))
    synced_at = clock.now().isoformat()
    ban_term(rules_dir, "brightleaf", "routine")
    changed = {item["id"]: item for item in pull(api, key, updated_since=synced_at)}
    assert changed[failing.id]["status"] == "revoked"
    assert changed[failing.id]["reason"].startswith("flagged for review")
    assert changed[passing.id]["status"] == "approved"
    assert changed[passing.id]["rules_version"] != before[passing.id]["rules_version"]
    assert set(events(db)[-2:]) == {("variant.flagged", failing.id),
                                    ("variant.updated", passing.id)}  # fmt: skip
    assert pull(api, key, updated_since=clock.now().isoformat()) == []  # once, not every read


def test_a_pack_that_stops_loading_withholds_its_copy_until_it_loads_again(
    db: Database, rules_dir: Path, clock: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catch_up, "RULES_MAX_AGE", 0)
    variant = approved(db)
    key, api = make_key(db), client(db)
    pull(api, key)
    pack = rules_dir / "brightleaf" / "pack.yaml"
    good = pack.read_text(encoding="utf-8")
    clock.advance(dt.timedelta(seconds=1))
    broken_at = clock.now().isoformat()
    pack.write_text(good + "\nrules: [{id: BROKEN}]\n", encoding="utf-8")
    (withheld,) = pull(api, key, updated_since=broken_at)
    assert withheld["status"] == "revoked" and "do not load" in withheld["reason"]
    assert events(db)[-1] == ("variant.revoked", variant.id)
    clock.advance(dt.timedelta(seconds=1))
    fixed_at = clock.now().isoformat()
    pack.write_text(good, encoding="utf-8")
    (served,) = pull(api, key, updated_since=fixed_at)
    assert served["status"] == "approved" and served["id"] == variant.id
    assert events(db)[-1] == ("variant.approved", variant.id)


def test_copy_published_before_documents_were_stored_is_rendered_at_the_first_read(
    db: Database,
) -> None:
    """Migration 0009 adds the documents but cannot render them (that needs each brand's pack):
    the first feed read after the upgrade does, without moving anything in the feed."""
    variant = approved(db)
    key = make_key(db)
    before = client(db).get(f"/v1/variants/{variant.id}", headers=bearer(key))
    with db.write() as session:
        session.connection().execute(delete(FeedDocument))
    upgraded = Database(db.url if db.is_sqlite else schema_url(db))  # a process started anew
    api = client(upgraded)
    after = api.get(f"/v1/variants/{variant.id}", headers=bearer(key))
    assert after.status_code == 200 and after.content == before.content
    assert after.headers["ETag"] == before.headers["ETag"]
    braze = api.get(f"/v1/variants/{variant.id}", params={"dialect": "braze"}, headers=bearer(key))
    assert braze.json()["dialect"] == "braze"
    assert events(db) == [("variant.approved", variant.id)]  # nothing new was announced
    upgraded.dispose()
