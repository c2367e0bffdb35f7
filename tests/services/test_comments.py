"""Comments on a run of words: kept with the words and the version, shown on the variant,
audited, and refused for a run the copy does not have."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput, NotFound, Refused
from studio.services import audit_log, comments, queries, review, users
from studio.store.db import Database
from tests.helpers.variants import CURE, in_review


def test_a_comment_keeps_the_words_it_is_on_after_the_copy_changes(db: Database) -> None:
    variant = in_review(db, CURE)
    start = CURE.index("cure colds")
    end = start + len("cure colds")
    remark = "Needs the study, or say support"
    said = comments.add(db, variant.id, actor="rita", field="body", start=start, end=end,
                        body=remark)  # fmt: skip
    assert (said.text, said.version, said.by) == ("cure colds", 1, "rita")
    review.request_changes(db, variant.id, actor="rita", comment="See my comment")
    review.edit(db, variant.id, actor="wendy", fields={"body": CURE.replace("cure", "ease")})

    detail = queries.variant_detail(db, "wendy", variant.id)
    (kept,) = detail.comments
    assert (kept.text, kept.version, kept.body) == ("cure colds", 1, remark)
    assert detail.version == 2 and detail.revision > variant.revision
    (event,) = audit_log.events(db, "rita", action="variant.comment")
    assert event.detail["comment"] == remark


def test_a_comment_changes_nothing_a_decision_depends_on(db: Database) -> None:
    variant = in_review(db, CURE)
    comments.add(db, variant.id, actor="wendy", field="body", start=0, end=10, body="Why?")
    assert queries.variant_detail(db, "rita", variant.id).revision == variant.revision


@pytest.mark.parametrize(
    ("field", "start", "end", "body", "problem"),
    [
        ("subject", 0, 4, "x", "has no field 'subject'"),
        ("body", 5, 5, "x", "is not a run of them"),
        ("body", 0, 10_000, "x", "is not a run of them"),
        ("body", -1, 3, "x", "is not a run of them"),
        ("body", 0, 3, "   ", "needs some text"),
        ("body", 0, 3, "x" * 5001, "at most 5000"),
    ],
)
def test_a_comment_on_words_that_are_not_there_is_refused(
    db: Database, field: str, start: int, end: int, body: str, problem: str
) -> None:
    variant = in_review(db, CURE)
    with pytest.raises(InvalidInput, match=problem):
        comments.add(db, variant.id, actor="rita", field=field, start=start, end=end, body=body)
    assert queries.variant_detail(db, "rita", variant.id).comments == []


def test_only_a_signed_up_user_comments(db: Database) -> None:
    variant = in_review(db, CURE)
    with pytest.raises(Refused, match="no user named 'mallory'"):
        comments.add(db, variant.id, actor="mallory", field="body", start=0, end=3, body="x")


def test_a_comment_is_placed_on_the_words_given(db: Database) -> None:
    variant = in_review(db, CURE)
    said = comments.add(db, variant.id, actor="rita", field="body", words="cure colds",
                        body="Needs evidence")  # fmt: skip
    assert (said.start, said.end, said.text) == (CURE.index("cure"), CURE.index("."), "cure colds")
    with pytest.raises(InvalidInput, match="body does not contain “cures colds”"):
        comments.add(db, variant.id, actor="rita", field="body", words="cures colds", body="x")
    with pytest.raises(InvalidInput, match="say which words"):
        comments.add(db, variant.id, actor="rita", field="body", body="x")
    with pytest.raises(InvalidInput, match="say which words"):
        comments.add(db, variant.id, actor="rita", field="body", body="x", words="cure",
                     start=0, end=3)  # fmt: skip


def test_text_no_database_can_store_is_refused_not_a_crash(db: Database) -> None:
    """A lone surrogate (from a broken client) cannot be stored as UTF-8 anywhere."""
    variant = in_review(db, CURE)
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        comments.add(db, variant.id, actor="rita", field="body", words="cure", body="\ud800")
    with pytest.raises(InvalidInput, match="not valid Unicode"):
        review.reject(db, variant.id, actor="rita", comment="no \ud800")
    with pytest.raises(NotFound, match="no user named"):
        users.set_focus(db, actor="ada", name="\ud800", focus="all")
