"""Engines report what happened to sent copy; the API answers each group's rates and a
recommended split, and `variants show` prints them. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from studio.services import approval, engagement, queries, review
from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CLEAN

pytestmark = pytest.mark.usefixtures("rules_dir")


def grouped(db: Database, count: int = 2, group: str = "spring-sms") -> list[int]:
    """`count` approved Brightleaf SMS in one variant group."""
    made = []
    for number in range(count):
        body = CLEAN.replace("routine", f"routine {number}")
        variant = review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                        fields={"body": body}, variant_group=group)  # fmt: skip
        review.submit(db, variant.id, actor="wendy")
        approval.approve(db, variant.id, actor="rita", acknowledge_all=True)
        made.append(variant.id)
    return made


def report(api, key: str, variant_id: int, kind: str, count: int, start: int = 0):  # type: ignore[no-untyped-def]
    events = [{"id": f"{kind}-{variant_id}-{n}", "type": kind} for n in range(start, start + count)]
    return api.post(f"/v1/variants/{variant_id}/events", headers=bearer(key),
                    json={"events": events})  # fmt: skip


def test_events_count_once_however_often_they_are_resent(db: Database) -> None:
    [variant] = grouped(db, 1)
    key, api = make_key(db), client(db)
    first = report(api, key, variant, "send", 10)
    assert first.status_code == 200 and first.json() == {"accepted": 10, "duplicates": 0}
    again = report(api, key, variant, "send", 12)  # ten old, two new
    assert again.json() == {"accepted": 2, "duplicates": 10}
    single = api.post(f"/v1/variants/{variant}/events", headers=bearer(key),
                      json={"id": "click-1", "type": "click",
                            "occurred_at": "2026-01-01T00:00:00Z"})  # fmt: skip
    assert single.json() == {"accepted": 1, "duplicates": 0}
    figures = api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()
    [row] = figures["variants"]
    assert row["counts"]["sends"] == 12 and row["counts"]["clicks"] == 1
    assert row["rates"]["click_rate"] == pytest.approx(1 / 12)


def test_the_split_stays_even_until_every_variant_has_enough_sends(db: Database) -> None:
    a, b = grouped(db)
    key, api = make_key(db), client(db)
    report(api, key, a, "send", 40)
    report(api, key, a, "click", 30)
    report(api, key, b, "send", 40)
    early = api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()
    assert early["exploring"] is True and early["min_sends"] == 100
    assert [row["share"] for row in early["variants"]] == [0.5, 0.5]
    report(api, key, a, "send", 80, start=40)
    report(api, key, b, "send", 80, start=40)
    report(api, key, b, "click", 2)
    learned = api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()
    shares = {row["variant_id"]: row["share"] for row in learned["variants"]}
    assert learned["exploring"] is False and shares[a] > 0.99
    assert sum(shares.values()) == pytest.approx(1)
    assert learned == api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()  # stable
    detail = queries.variant_detail(db, "wendy", a)
    assert detail.performance is not None and detail.performance["variants"][0]["share"] > 0.99


def test_revoked_copy_keeps_its_figures_but_gets_no_traffic(db: Database) -> None:
    a, b = grouped(db)
    key, api = make_key(db), client(db)
    review.revoke(db, b, actor="rita", comment="Pulled")
    figures = api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()
    by_id = {row["variant_id"]: row for row in figures["variants"]}
    assert by_id[a]["share"] == 1.0 and by_id[b]["served"] is False and by_id[b]["share"] is None
    assert report(api, key, b, "unsubscribe", 1).status_code == 200  # late reports still count


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"events": []}, "events"),
        ({"events": [{"id": "x", "type": "bounce"}]}, "type"),
        ({"events": [{"id": "", "type": "send"}]}, "id"),
        ({"events": [{"id": "x" * 201, "type": "send"}]}, "id"),
        ({"events": [{"id": "x", "type": "send", "occurred_at": "2999-01-01T00:00:00Z"}]},
         "future"),
        ({"events": [{"id": "x", "type": "send", "extra": 1}]}, "extra"),
        ({"events": [{"id": f"e{n}", "type": "send"} for n in range(1001)]}, "events"),
        ({"id": "<script>", "type": "{{ 7*7 }}"}, "type"),
    ],
)  # fmt: skip
def test_bad_reports_are_refused_whole(db: Database, body: object, needle: str) -> None:
    [variant] = grouped(db, 1)
    key, api = make_key(db), client(db)
    response = api.post(f"/v1/variants/{variant}/events", headers=bearer(key), json=body)
    assert response.status_code == 400 and needle in response.json()["error"]["message"]
    [row] = api.get("/v1/variant-groups/spring-sms", headers=bearer(key)).json()["variants"]
    assert row["counts"]["sends"] == 0


def test_reports_need_the_scope_and_a_variant_the_key_is_served(db: Database) -> None:
    [variant] = grouped(db, 1)
    api = client(db)
    reader = make_key(db, "reader", scopes=["variants:read"])
    other = make_key(db, "other", scopes=["events:write", "variants:read"], brands=["pennywise"])
    assert report(api, reader, variant, "send", 1).status_code == 403
    assert report(api, other, variant, "send", 1).status_code == 404
    draft = review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                  fields={"body": CLEAN})  # fmt: skip
    assert report(api, make_key(db, "writer"), draft.id, "send", 1).status_code == 404
    assert api.get("/v1/variant-groups/spring-sms", headers=bearer(other)).status_code == 404
    assert api.get("/v1/variant-groups/nothing", headers=bearer(reader)).status_code == 404


def test_drafting_learns_from_the_best_performers_with_enough_sends(db: Database) -> None:
    a, b = grouped(db)
    key, api = make_key(db), client(db)
    for variant, clicks in ((a, 5), (b, 20)):
        report(api, key, variant, "send", 100)
        report(api, key, variant, "click", clicks)
    best = engagement.best_performers(db, brand="brightleaf", channel="sms")
    assert [example.variant_id for example in best] == [b, a]
    assert best[0].rates["click_rate"] == pytest.approx(0.2) and best[0].sends == 100
    assert best[0].fields["body"].startswith("Brightleaf") and best[0].angle is None
    assert engagement.best_performers(db, brand="brightleaf", channel="email") == []
