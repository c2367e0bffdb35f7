"""The pull feed: only copy approved now is served, everything that stops being served becomes
a tombstone, and a sync that pages with the cursor ends with exactly the approved set."""

from __future__ import annotations

import datetime as dt
import json
import random
from types import ModuleType

import pytest
from sqlmodel import select

from studio.errors import Refused
from studio.services import api_keys, approval, review
from studio.store.db import Database
from studio.store.models import Publication, WebhookEvent
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CLEAN, approved, draft, in_review

pytestmark = pytest.mark.usefixtures("rules_dir")
OTHER = "Pennywise: your savings goal is in reach. Reply STOP to opt out"


def listing(api, key: str, **params: object) -> dict:  # type: ignore[no-untyped-def]
    response = api.get("/v1/variants", params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    return response.json()


def events(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.exec(select(WebhookEvent).order_by(WebhookEvent.id)).all()  # type: ignore[arg-type]
        return [(row.type, row.variant_id) for row in rows]


def test_approved_copy_is_served_with_every_field_of_the_resource(db: Database) -> None:
    variant = approved(db)
    waiting = in_review(db, CLEAN.replace("routine", "day"))
    key = make_key(db)
    api = client(db)
    page = listing(api, key)
    assert page["object"] == "list" and page["has_more"] is False and page["next_cursor"] is None
    (item,) = page["data"]
    assert item["id"] == variant.id and item["status"] == "approved"
    assert item["name"] == variant.name and item["brand"] == "brightleaf"
    assert item["fields"] == {"body": CLEAN} and item["channel"] == "sms"
    assert item["approved_by"] == "rita" and item["version"] == 1
    assert item["content_hash"].startswith("sha256:") and item["rules_version"]
    assert item["merge_variables"] == []
    one = api.get(f"/v1/variants/{variant.id}", headers=bearer(key))
    assert one.status_code == 200 and one.json() == item
    for hidden in (waiting.id, draft(db).id, 999_999):
        response = api.get(f"/v1/variants/{hidden}", headers=bearer(key))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not-found"


def test_revoked_and_edited_copy_become_tombstones_at_the_end_of_the_feed(db: Database) -> None:
    words = ("day", "week", "year")
    first, second, third = (approved(db, CLEAN.replace("routine", w)) for w in words)
    key = make_key(db)
    api = client(db)
    review.revoke(db, first.id, actor="rita", comment="claim withdrawn by legal")
    review.edit(db, second.id, actor="wendy", fields={"body": CLEAN.replace("routine", "month")})
    data = listing(api, key)["data"]
    assert [(item["id"], item["status"]) for item in data] == [
        (third.id, "approved"), (first.id, "revoked"), (second.id, "revoked")]  # fmt: skip
    tombstone = data[1]
    assert tombstone["revoked_at"] and "revoked" in tombstone["reason"]
    assert "fields" not in tombstone and "back in review" in data[2]["reason"]
    assert [item["id"] for item in listing(api, key, status="revoked")["data"]] == [
        first.id,
        second.id,
    ]
    gone = api.get(f"/v1/variants/{first.id}", headers=bearer(key))
    assert gone.status_code == 200 and gone.json()["status"] == "revoked"
    assert events(db) == [("variant.approved", first.id), ("variant.approved", second.id),
                          ("variant.approved", third.id), ("variant.revoked", first.id),
                          ("variant.revoked", second.id)]  # fmt: skip


def test_etag_is_strong_and_answers_304_until_the_copy_changes(db: Database) -> None:
    variant = approved(db)
    key = make_key(db)
    api = client(db)
    first = api.get(f"/v1/variants/{variant.id}", headers=bearer(key))
    etag = first.headers["ETag"]
    assert etag.startswith('"v1-') and not etag.startswith("W/")
    again = api.get(f"/v1/variants/{variant.id}", headers={**bearer(key), "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    other = api.get(f"/v1/variants/{variant.id}", headers={**bearer(key), "If-None-Match": '"x"'})
    assert other.status_code == 200
    braze = api.get(f"/v1/variants/{variant.id}?dialect=braze", headers=bearer(key))
    assert braze.headers["ETag"] != etag
    review.revoke(db, variant.id, actor="rita", comment="no longer on offer")
    after = api.get(f"/v1/variants/{variant.id}", headers={**bearer(key), "If-None-Match": etag})
    assert after.status_code == 200 and after.json()["status"] == "revoked"


def test_a_sync_that_pages_while_decisions_happen_ends_with_the_approved_set(
    db: Database, clock: ModuleType
) -> None:
    """Decisions and time both move the feed: some approvals expire a minute on, and the clock
    ticks; a sync by cursor alone still ends with exactly what is served."""
    rng = random.Random(7)
    key = make_key(db)
    api = client(db)
    synced: dict[int, dict] = {}
    cursor: str | None = None
    live: list[int] = []
    expiring: dict[int, dt.datetime] = {}
    for round_number in range(40):
        actions = [
            "approve",
            "approve",
            "approve",
            "expiring",
            "expiring",
            "tick",
            "revoke",
            "edit",
        ]
        action = rng.choice(actions) if live else "approve"
        body = CLEAN.replace("routine", f"routine {round_number}")
        if action == "approve":
            live.append(approved(db, body).id)
        elif action == "expiring":
            until = clock.now() + dt.timedelta(seconds=rng.choice([30, 90]))
            expiring[approved(db, body, valid_until=until).id] = until
            live.append(next(reversed(expiring)))
        elif action == "tick":
            clock.advance(dt.timedelta(seconds=60))
            gone = {vid for vid, until in expiring.items() if until <= clock.now()}
            live = [vid for vid in live if vid not in gone]
            expiring = {vid: until for vid, until in expiring.items() if vid not in gone}
        elif action == "revoke":
            review.revoke(db, live.pop(rng.randrange(len(live))), actor="rita", comment="withdrawn")
        else:
            target = live.pop(rng.randrange(len(live)))
            review.edit(db, target, actor="wendy", fields={"body": CLEAN + f" {round_number}"})
        if action in ("revoke", "edit"):
            expiring = {vid: until for vid, until in expiring.items() if vid in live}
        params: dict[str, object] = {"limit": rng.choice([1, 2, 3])}
        if cursor:
            params["cursor"] = cursor
        page = listing(api, key, **params)
        apply_page(synced, page)
        last = page["data"][-1]["id"] if page["data"] else None
        if page["next_cursor"]:
            cursor = page["next_cursor"]
        elif last is not None:  # the end for now: remember where, as a sync would
            cursor = _cursor_after(db, last)
    while True:  # catch up
        page = listing(api, key, **({"cursor": cursor} if cursor else {}))
        apply_page(synced, page)
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert len(live) >= 3 and expiry_seen(db)
    assert sorted(synced) == sorted(live)


def expiry_seen(db: Database) -> bool:
    """The run had an approval expire (a tombstone saying so), or it tested less than it says."""
    with db.read() as session:
        reasons = session.exec(select(Publication.reason)).all()
    return any(reason and "expired" in reason for reason in reasons)


def apply_page(synced: dict[int, dict], page: dict) -> None:
    """What a sync does with a page: keep approved copy, delete what a tombstone names."""
    for item in page["data"]:
        if item["status"] == "revoked":
            synced.pop(item["id"], None)
        else:
            synced[item["id"]] = item


def _cursor_after(db: Database, variant_id: int) -> str:
    """The cursor a client holds after the last row it read (the feed gives one only when more
    rows follow): what it would pass to come back later."""
    from studio.services.schemas import FeedCursor

    with db.read() as session:
        row = session.get(Publication, variant_id)
        assert row is not None
        return FeedCursor(seq=row.seq).encode()


def test_a_brand_scoped_key_sees_only_its_brand(db: Database) -> None:
    mine = approved(db)
    theirs = review.create_variant(db, actor="wendy", brand="pennywise", channel="sms",
                                   fields={"body": OTHER})  # fmt: skip
    review.submit(db, theirs.id, actor="wendy")
    approval.approve(db, theirs.id, actor="rita", acknowledge_all=True)
    key = make_key(db, name="bl", scopes=["variants:read", "checks:run"], brands=["brightleaf"])
    api = client(db)
    assert [item["id"] for item in listing(api, key)["data"]] == [mine.id]
    assert api.get(f"/v1/variants/{theirs.id}", headers=bearer(key)).status_code == 404
    refused = api.get("/v1/variants?brand=pennywise", headers=bearer(key))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "refused"
    check = api.post(
        "/v1/check",
        headers=bearer(key),
        json={"brand": "pennywise", "channel": "sms", "fields": {"body": OTHER}},
    )
    assert check.status_code == 403
    everyone = make_key(db, name="all", scopes=["variants:read"])
    assert len(listing(api, everyone)["data"]) == 2


@pytest.mark.parametrize("path", ["/v1/variants", "/v1/variants/1"])
def test_every_read_refuses_a_missing_wrong_revoked_or_out_of_scope_key(
    db: Database, path: str
) -> None:
    approved(db)
    api = client(db)
    good = make_key(db, name="good", scopes=["variants:read"])
    gone = make_key(db, name="gone", scopes=["variants:read"])
    api_keys.revoke_key(db, actor="ada", name="gone")
    checker = make_key(db, name="checker", scopes=["checks:run"])
    assert api.get(path, headers=bearer(good)).status_code == 200
    cases = {None: 401, "Bearer studio_key_wrong": 401, f"Bearer {gone}": 401,
             f"Basic {good}": 401, good: 401, f"Bearer {checker}": 403}  # fmt: skip
    for header, status in cases.items():
        response = api.get(path, headers={"Authorization": header} if header else {})
        assert response.status_code == status, (header, response.text)
        assert set(response.json()) == {"error"}
    assert "Bearer" in api.get(path).headers["WWW-Authenticate"]


def test_hostile_parameters_are_400_naming_the_parameter(db: Database) -> None:
    approved(db)
    key = make_key(db)
    api = client(db)
    for params, name in (({"cursor": "not-a-cursor"}, "cursor"),
                         ({"cursor": "eyJzZXEiOiAtNX0"}, "cursor"),  # {"seq": -5}
                         ({"limit": 0}, "limit"), ({"limit": 10**6}, "limit"),
                         ({"status": "draft"}, "status"), ({"dialect": "mailchimp"}, "dialect"),
                         ({"updated_since": "yesterday"}, "updated_since"),
                         ({"updated_since": "0.0"}, "updated_since"),  # not a Unix time
                         ({"channel": "fax"}, "channel")):  # fmt: skip
        response = api.get("/v1/variants", params=params, headers=bearer(key))
        assert response.status_code == 400, (params, response.text)
        assert name in response.json()["error"]["message"]
    for bad in ("-1", "0", str(2**70), "abc", "1.5"):
        response = api.get(f"/v1/variants/{bad}", headers=bearer(key))
        assert response.status_code in (400, 404), bad
        assert set(response.json()) == {"error"}


def test_updated_since_gives_the_changes_from_then_on(db: Database) -> None:
    early = approved(db)
    key = make_key(db)
    api = client(db)
    (first,) = listing(api, key)["data"]
    late = approved(db, CLEAN.replace("routine", "evening"))
    since = first["updated_at"]
    ids = [item["id"] for item in listing(api, key, updated_since=since)["data"]]
    assert ids[-1] == late.id and ids in ([early.id, late.id], [late.id])
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert listing(api, key, updated_since=future)["data"] == []


def test_a_refused_decision_publishes_nothing(db: Database) -> None:
    variant = in_review(db)
    with pytest.raises(Refused, match="may approve"):
        approval.approve(db, variant.id, actor="wendy", acknowledge_all=True)
    assert events(db) == []
    assert listing(client(db), make_key(db))["data"] == []


def test_resources_are_json_the_schema_describes(db: Database) -> None:
    from studio.api.documents import Tombstone, VariantResource

    variant = approved(db)
    key = make_key(db)
    api = client(db)
    served = api.get(f"/v1/variants/{variant.id}", headers=bearer(key))
    VariantResource.model_validate(served.json())
    review.revoke(db, variant.id, actor="rita", comment="withdrawn")
    Tombstone.model_validate(json.loads(api.get(f"/v1/variants/{variant.id}",
                                                headers=bearer(key)).content))  # fmt: skip
