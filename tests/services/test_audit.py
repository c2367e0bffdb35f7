"""The audit log is tamper-evident: `verify` names the first event edited, removed or reordered,
and a removed tail; exports carry every event and keep spreadsheets from running formulas."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from studio.errors import InvalidInput, Refused
from studio.services import anchors, audit
from studio.store.db import Database
from tests.helpers.tampering import tamper


def fill(db: Database, n: int = 6) -> None:
    for i in range(1, n + 1):
        with db.write() as session:
            audit.record(session, "rita", "variant.approve", "variant", i,
                         state_before="in_review", state_after="approved",
                         detail={"justification": f"reason {i}"})  # fmt: skip


def problem(db: Database) -> str:
    with db.read() as session:
        result = audit.verify(session)
    assert not result.ok
    return result.problem or ""


@pytest.mark.parametrize("sql", ["UPDATE auditevent SET actor = 'mallory' WHERE seq = 1",
                                 "DELETE FROM auditevent WHERE seq = 2"])  # fmt: skip
def test_the_database_refuses_to_change_audit_events(db: Database, sql: str) -> None:
    fill(db, 2)
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(sql))
    with db.read() as session:
        assert audit.verify(session).ok


def test_an_intact_log_verifies(db: Database) -> None:
    fill(db)
    with db.read() as session:
        result = audit.verify(session)
    assert result.ok and result.events == 6 and len(result.head_hash) == 64


def test_an_edited_event_is_named(db: Database) -> None:
    fill(db)
    tamper(db, "UPDATE auditevent SET actor = 'mallory' WHERE seq = 4")
    assert problem(db).startswith("event 4 was edited")


def test_an_edited_detail_is_named(db: Database) -> None:
    fill(db)
    tamper(db, "UPDATE auditevent SET detail = :d WHERE seq = 2",
           d=json.dumps({"justification": "forged"}))  # fmt: skip
    assert problem(db).startswith("event 2 was edited")


def test_a_removed_event_is_named(db: Database) -> None:
    fill(db)
    tamper(db, "DELETE FROM auditevent WHERE seq = 3")
    assert problem(db).startswith("event 3 is missing")


def test_reordered_events_are_named(db: Database) -> None:
    fill(db)
    tamper(db, "UPDATE auditevent SET seq = 100 WHERE seq = 2")
    tamper(db, "UPDATE auditevent SET seq = 2 WHERE seq = 3")
    tamper(db, "UPDATE auditevent SET seq = 3 WHERE seq = 100")
    assert problem(db).startswith("event 2 does not follow event 1")


def test_a_removed_tail_is_detected(db: Database) -> None:
    fill(db)
    tamper(db, "DELETE FROM auditevent WHERE seq >= 5")
    assert "events after 4 were removed" in problem(db)


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(db: Database) -> None:
    """Forging one event and its own hash is still caught: the next event points at the old."""
    fill(db)
    with db.read() as session:
        event = next(e for e in audit.iter_events(session) if e.seq == 3)
    event.actor = "mallory"
    forged = audit.event_hash(event)
    tamper(db, f"UPDATE auditevent SET actor = 'mallory', hash = '{forged}' WHERE seq = 3")
    assert problem(db).startswith("event 4 does not follow event 3")


def test_exports_carry_every_event_and_defuse_formulas(db: Database) -> None:
    fill(db, 2)
    with db.write() as session:
        audit.record(session, '=HYPERLINK("http://x")', "user.add", "user", "@evil")
    out = io.StringIO()
    with db.read() as session:
        assert audit.export(session, "json", out) == 3
    rows = json.loads(out.getvalue())
    assert [r["seq"] for r in rows] == [1, 2, 3]
    assert rows[0]["detail"] == {"justification": "reason 1"}
    assert rows[2]["actor"] == '=HYPERLINK("http://x")'  # JSON keeps the value exactly
    out = io.StringIO()
    with db.read() as session:
        audit.export(session, "csv", out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert table[2]["actor"].startswith("'=") and table[2]["object_id"] == "'@evil"
    assert table[1]["hash"] == rows[1]["hash"] and table[1]["prev_hash"] == rows[0]["hash"]


def test_a_tail_cut_off_with_its_head_passes_the_chain_but_not_an_anchor(db: Database) -> None:
    fill(db)
    anchor = anchors.take(db)
    with db.read() as session:
        kept = next(e for e in audit.iter_events(session) if e.seq == 4)
    tamper(db, "DELETE FROM auditevent WHERE seq >= 5")
    with db.engine.begin() as connection:  # the owner rewrites the head pointer to match
        connection.execute(
            text("UPDATE audithead SET seq = 4, hash = :hash WHERE id = 1"), {"hash": kept.hash}
        )
    with db.read() as session:
        assert audit.verify(session).ok  # the chain alone cannot tell
        result = audit.verify(session, [anchor])
    assert not result.ok
    assert "records event 6, but the log ends at event 4" in (result.problem or "")


def test_a_log_rewritten_from_scratch_does_not_match_its_anchor(db: Database) -> None:
    """Forge event 2 and recompute every later hash and the head: the chain verifies, the
    anchor taken before does not."""
    fill(db, 3)
    anchor = anchors.take(db)
    with db.read() as session:
        events = list(audit.iter_events(session))
    prev = events[0].hash
    for event in events[1:]:
        if event.seq == 2:
            event.actor = "mallory"
        event.prev_hash = prev
        event.hash = audit.event_hash(event)
        tamper(db, "UPDATE auditevent SET actor = :actor, prev_hash = :prev, hash = :hash "
               "WHERE seq = :seq", actor=event.actor, prev=event.prev_hash, hash=event.hash,
               seq=event.seq)  # fmt: skip
        prev = event.hash
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audithead SET hash = :hash WHERE id = 1"), {"hash": prev})
    with db.read() as session:
        assert audit.verify(session).ok
        result = audit.verify(session, [anchor])
    assert "event 3 no longer matches its anchor" in (result.problem or "")


def test_anchors_round_trip_and_bad_files_name_their_line(db: Database, tmp_path: Path) -> None:
    fill(db, 2)
    path = tmp_path / "anchors.jsonl"
    assert anchors.anchor_if_moved(db, path) is not None
    assert anchors.anchor_if_moved(db, path) is None  # nothing new: nothing written
    fill(db, 1)
    anchors.anchor_if_moved(db, path)
    assert [a.seq for a in anchors.read(path)] == [2, 3]
    with db.read() as session:
        assert audit.verify(session, anchors.read(path)).ok
    path.write_text(path.read_text() + "not json\n")
    with pytest.raises(InvalidInput, match=r"anchors.jsonl:3: not an anchor"):
        anchors.read(path)


def test_a_broken_log_is_not_anchored(db: Database) -> None:
    fill(db, 3)
    tamper(db, "UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
    with pytest.raises(Refused, match="nothing was anchored"):
        anchors.take(db)
