"""The review queue as every surface reads it: riskiest first, then longest waiting, in keyset
pages whose cursor is opaque, filtered by brand and channel, and only for a signed-in user."""

from __future__ import annotations

import datetime as dt

import pytest

from studio.errors import InvalidInput, Refused
from studio.services import audit_log, queries, review, users
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


def ids(db: Database, actor: str = "rita", **filters: object) -> set[int]:
    page = queries.review_queue(db, actor, **filters)  # type: ignore[arg-type]
    return {item.id for item in page.items}


def test_filtered_by_finding_category_and_severity(db: Database) -> None:
    clean, cure, shouty = (submitted(db, body) for body in (CLEAN, CURE, SHOUTY))
    assert ids(db, category="claim") == {cure}
    assert ids(db, category="tone") == {shouty}
    assert ids(db, severity="error") == {cure}
    assert ids(db, severity="clean") == {clean}
    assert shouty in ids(db, severity="warning") and clean not in ids(db, severity="warning")
    with pytest.raises(InvalidInput, match="category 'legal': one of claim"):
        ids(db, category="legal")
    with pytest.raises(InvalidInput, match="severity 'bad'"):
        ids(db, severity="bad")


def test_filtered_by_how_long_copy_has_waited(db: Database) -> None:
    submitted(db, CLEAN)
    assert len(ids(db, waited=dt.timedelta(0))) == 1
    assert ids(db, waited=dt.timedelta(days=1)) == set()


def test_assigned_to_me_routes_claims_and_brand_voice_by_the_reviewers_focus(
    db: Database,
) -> None:
    clean, cure, shouty = (submitted(db, body) for body in (CLEAN, CURE, SHOUTY))
    users.set_focus(db, actor="rita", name="rita", focus="claims")
    users.set_focus(db, actor="ada", name="rob", focus="brand")
    assert ids(db, "rita", assigned_to_me=True) == {cure}
    assert ids(db, "rob", assigned_to_me=True) == {shouty}
    assert ids(db, "ada", assigned_to_me=True) == {clean, cure, shouty}  # focus "all"
    assert ids(db, "rita") == {clean, cure, shouty}  # the whole queue is still there


def test_nobody_is_assigned_their_own_copy(db: Database) -> None:
    variant = review.create_variant(db, actor="ada", brand="brightleaf", channel="sms",
                                    fields={"body": CURE})  # fmt: skip
    review.submit(db, variant.id, actor="ada")
    assert variant.id not in ids(db, "ada", assigned_to_me=True)
    assert variant.id in ids(db, "rita", assigned_to_me=True)


def test_a_focus_is_set_by_the_reviewer_or_an_admin_only(db: Database) -> None:
    with pytest.raises(Refused, match="only an admin"):
        users.set_focus(db, actor="rob", name="rita", focus="brand")
    with pytest.raises(InvalidInput, match="copywriter"):
        users.set_focus(db, actor="ada", name="wendy", focus="claims")
    with pytest.raises(InvalidInput, match="focus 'legal': one of all, claims, brand"):
        users.set_focus(db, actor="rita", name="rita", focus="legal")
    assert users.set_focus(db, actor="rita", name="rita", focus="brand").focus == "brand"
    events = audit_log.events(db, "ada", action="user.set-focus")
    assert [(e.actor, e.outcome) for e in events] == [("rob", "denied"), ("rita", "ok")]
