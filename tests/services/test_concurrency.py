"""Real concurrent sessions, on SQLite and PostgreSQL: two reviewers deciding one variant at the
same moment, and many writers appending to the audit chain at once."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import select

from studio.errors import Refused
from studio.services import approval, audit, review
from studio.store import variants
from studio.store.db import Database
from studio.store.models import AuditEvent, Review, Status, Variant
from tests.helpers.variants import in_review

# threads racing on real databases; `scripts/test.sh -m "not slow"` skips it
pytestmark = pytest.mark.slow


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls in threads at once; each result is a return value or the exception."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def both_read_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hold each decision just before its write until the other has read the row too, so the
    race really overlaps where the database allows it. SQLite's writers take the lock at BEGIN,
    so there the second waits for the first instead (the barrier times out, by design)."""
    barrier = threading.Barrier(2, timeout=1.5)
    real_land = variants.land

    def land(session: Any, variant: Any, values: dict[str, Any]) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        real_land(session, variant, values)

    monkeypatch.setattr(variants, "land", land)


@pytest.mark.parametrize("round_", range(3))
def test_two_reviewers_deciding_at_once_exactly_one_lands(
    db: Database, both_read_first: None, round_: int
) -> None:
    variant = in_review(db)
    vid, revision = variant.id or 0, variant.revision
    results = race(
        [
            lambda: approval.approve(db, vid, actor="rita", expected_revision=revision),
            lambda: review.reject(db, vid, actor="rob", comment="No", expected_revision=revision),
        ]
    )
    landed = [r for r in results if not isinstance(r, Exception)]
    refusals = [r for r in results if isinstance(r, Refused)]
    assert len(landed) == 1 and len(refusals) == 1, results
    assert refusals[0].rule == "conflict"
    assert "changed while you were deciding" in refusals[0].message
    with db.read() as session:
        decisions = session.exec(select(Review).where(Review.action != "submit")).all()
        assert len(decisions) == 1 and decisions[0].action in ("approve", "reject")
        final = session.get(Variant, vid)
        assert final is not None and final.status == landed[0].status
        outcomes = [e.outcome for e in session.exec(select(AuditEvent))][-2:]
        assert sorted(outcomes) == ["denied", "ok"]
        assert audit.verify(session).ok


def test_without_an_expected_revision_the_loser_is_told_the_new_state(
    db: Database, both_read_first: None
) -> None:

    variant = in_review(db)
    vid = variant.id or 0
    results = race([lambda: approval.approve(db, vid, actor="rita"),
                    lambda: approval.approve(db, vid, actor="rob")])  # fmt: skip
    refusals = [r for r in results if isinstance(r, Refused)]
    assert len(refusals) == 1, results
    assert "approved" in refusals[0].message  # "it is now approved" / "it is approved"
    with db.read() as session:
        assert len(session.exec(select(Review).where(Review.action == "approve")).all()) == 1
        assert session.get(Variant, vid).status == Status.APPROVED  # type: ignore[union-attr]


def test_concurrent_writers_keep_the_audit_chain_whole(db: Database) -> None:
    def writer(n: int) -> None:
        for i in range(10):
            with db.write() as session:
                audit.record(session, f"user{n}", "test.append", "thing", i)

    results = race([lambda n=n: writer(n) for n in range(6)])
    assert not [r for r in results if isinstance(r, Exception)], results
    with db.read() as session:
        check = audit.verify(session)
    assert check.ok and check.events == 60, check.problem
