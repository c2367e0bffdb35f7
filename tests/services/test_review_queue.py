"""The review queue as every surface reads it: riskiest first, then longest waiting, in keyset
pages whose cursor is opaque, filtered by brand and channel, and only for a signed-in user."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput, Refused
from studio.services import queries, review, users
from studio.store.db import Database

CLEAN = "Brightleaf: our vitamins support your routine. Reply STOP to opt out"
SHOUTY = "Brightleaf: our vitamins SUPPORT YOUR ROUTINE!!! Reply STOP to opt out"
CURE = "Brightleaf: our vitamins cure colds. Reply STOP to opt out"


def submitted(db: Database, body: str, *, brand: str = "brightleaf", channel: str = "sms") -> int:
    if brand == "pennywise":
        body = body.replace("Brightleaf", "Pennywise")
    variant = review.create_variant(
        db, actor="wendy", brand=brand, channel=channel, fields={"body": body}
    )
    review.submit(db, variant.id, actor="wendy")
    return variant.id


def all_pages(db: Database, **filters: object) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = queries.review_queue(db, "rita", cursor=cursor, **filters)  # type: ignore[arg-type]
        pages.append([item.id for item in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def test_riskiest_first_then_longest_waiting(db: Database) -> None:
    bodies = (CLEAN, CURE, SHOUTY, CLEAN + " now")
    clean_first, cure, shouty, clean_last = (submitted(db, body) for body in bodies)
    page = queries.review_queue(db, "rita")
    assert [item.id for item in page.items] == [cure, shouty, clean_first, clean_last]
    risks = [item.risk for item in page.items]
    assert risks == sorted(risks, reverse=True) and risks[0] > risks[-1]
    assert page.items[0].errors >= 1 and page.next_cursor is None


def test_pages_cover_the_queue_once_each(db: Database) -> None:
    ids = [submitted(db, body) for body in (CLEAN, CURE, SHOUTY, CLEAN + " a", CURE + " b")]
    pages = all_pages(db, limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    flat = [vid for page in pages for vid in page]
    assert sorted(flat) == sorted(ids) and len(set(flat)) == len(flat)
    assert flat == [item.id for item in queries.review_queue(db, "rita", limit=10).items]


def test_only_copy_in_review_and_only_the_filtered_brand_and_channel(db: Database) -> None:
    wanted = submitted(db, CLEAN)
    submitted(db, CLEAN, brand="pennywise")
    review.create_variant(
        db, actor="wendy", brand="brightleaf", channel="sms", fields={"body": CURE}
    )  # a draft: not waiting for anyone
    assert [i.id for i in queries.review_queue(db, "rita", brand="brightleaf").items] == [wanted]
    assert queries.review_queue(db, "rita", brand="brightleaf", channel="email").items == []
    assert {i.brand for i in queries.review_queue(db, "rita").items} == {"brightleaf", "pennywise"}


def test_a_forged_cursor_is_bad_input_not_a_crash(db: Database) -> None:
    submitted(db, CLEAN)
    for forged in ("not-a-cursor", "eyJyaXNrIjogMX0", "x" * 5000):
        with pytest.raises(InvalidInput, match="cursor"):
            queries.review_queue(db, "rita", cursor=forged)


def test_limits_are_checked(db: Database) -> None:
    for limit in (0, -1, 10_001):
        with pytest.raises(InvalidInput, match="limit"):
            queries.review_queue(db, "rita", limit=limit)


def test_reading_needs_an_enabled_user(db: Database) -> None:
    submitted(db, CLEAN)
    with pytest.raises(Refused, match="no user named"):
        queries.review_queue(db, "mallory")
    users.disable_user(db, actor="ada", name="rob")
    with pytest.raises(Refused, match="disabled"):
        queries.review_queue(db, "rob")
