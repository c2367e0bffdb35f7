"""Reading the audit log through the service layer: reviewers and admins only, a refused read
is itself an event, and events come back as views in chain order."""

from __future__ import annotations

import io
import json

import pytest

from studio.errors import Refused
from studio.services import audit_log, review
from studio.store.db import Database


def some_activity(db: Database) -> None:
    variant = review.create_variant(
        db, actor="wendy", brand="brightleaf", channel="sms",
        fields={"body": "Brightleaf: our vitamins support your routine. Reply STOP to opt out"},
    )  # fmt: skip
    review.submit(db, variant.id, actor="wendy")


def test_events_page_in_chain_order(db: Database) -> None:
    some_activity(db)
    first = audit_log.events(db, "rita", limit=1)
    rest = audit_log.events(db, "rita", after_seq=first[0].seq)
    seqs = [event.seq for event in first + rest]
    assert seqs == list(range(1, len(seqs) + 1)) and len(seqs) >= 2
    actions = [event.action for event in first + rest]
    assert actions.index("variant.create") < actions.index("variant.submit")
    assert all(
        later.prev_hash == earlier.hash for earlier, later in zip(first + rest, rest, strict=False)
    )
    assert json.loads(rest[-1].model_dump_json())["at"].endswith("+00:00")


def test_a_copywriter_may_not_read_the_log_and_the_attempt_is_recorded(db: Database) -> None:
    some_activity(db)
    for read in (
        lambda: audit_log.events(db, "wendy"),
        lambda: audit_log.verify(db, "wendy"),
        lambda: audit_log.export(db, "wendy", "json", io.StringIO()),
        lambda: audit_log.take_anchor(db, "wendy"),
    ):
        with pytest.raises(Refused) as refused:
            read()
        assert refused.value.rule == "role"
    denied = [e for e in audit_log.events(db, "ada", limit=1000) if e.outcome == "denied"]
    assert [(e.actor, e.action) for e in denied] == [("wendy", "read-audit")] * 4


def test_verify_and_export_agree_on_the_count(db: Database) -> None:
    some_activity(db)
    result = audit_log.verify(db, "rita")
    out = io.StringIO()
    exported = audit_log.export(db, "rita", "json", out)
    assert result.ok and exported == len(json.loads(out.getvalue()))
    # verify's own authorisation happens before it counts, so the export sees no more events
    assert exported == result.events


def test_events_filter_by_actor_action_family_and_outcome_newest_first(db: Database) -> None:
    for _ in range(3):
        some_activity(db)
    with pytest.raises(Refused):
        audit_log.events(db, "wendy")  # a copywriter: refused, and that is recorded
    newest = audit_log.events(db, "rita", newest_first=True, limit=2)
    assert newest[0].seq > newest[1].seq
    creates = audit_log.events(db, "rita", action="variant.create")
    assert len(creates) == 3 and {e.action for e in creates} == {"variant.create"}
    family = audit_log.events(db, "rita", action="variant.")
    assert {e.action for e in family} >= {"variant.create"} and len(family) >= 3
    denied = audit_log.events(db, "rita", outcome="denied", by="wendy")
    assert [e.actor for e in denied] == ["wendy"] and denied[0].outcome == "denied"
    assert audit_log.events(db, "rita", action="variant%.") == []  # a LIKE wildcard is literal
