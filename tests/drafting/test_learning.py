"""A brief with `learn_from` drafts from what engines reported working: the best measured
approved copy of the brand and channel reaches the prompt with its rates, variant A takes the
angle that performed best, and provenance names the examples. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from studio.drafting.offline import OfflineDrafter
from studio.drafting.prompts import Prompts
from studio.services import api_keys, approval, engagement, jobs, queries, review
from studio.services.learning import lessons_for
from studio.store.db import Database
from tests.helpers.briefs import brief

pytestmark = pytest.mark.usefixtures("rules_dir")
SMS_ONLY = [{"channel": "sms", "count": 3}]


def drafted(db: Database, **changes: object) -> dict[str, int]:
    """Variants of a brief drafted offline and saved, by angle."""
    job_id = jobs.enqueue(db, brief(channels=SMS_ONLY, **changes), actor="wendy",
                          provider="offline", options={})  # fmt: skip
    result = asyncio.run(jobs.run_job(db, job_id, OfflineDrafter()))
    assert result.status == "done"
    by_angle = {}
    for variant_id in jobs.saved_variants(db, job_id).values():
        assert variant_id is not None
        provenance = queries.variant_detail(db, "wendy", variant_id).provenance or {}
        by_angle[provenance["angle"]] = variant_id
    return by_angle


def measured(db: Database, variant_id: int, sends: int, clicks: int) -> None:
    key = api_keys.authenticate(db, api_keys.create_key(
        db, actor="ada", name=f"engine-{variant_id}", scopes=["events:write"]).key)  # fmt: skip
    events = [engagement.Report(f"s{n}", "send") for n in range(sends)]
    events += [engagement.Report(f"c{n}", "click") for n in range(clicks)]
    engagement.record(db, key, variant_id, events)


def approved_and_measured(db: Database, clicks: dict[str, int], sends: int = 100) -> dict[str, int]:
    by_angle = drafted(db)
    for angle, variant_id in by_angle.items():
        review.submit(db, variant_id, actor="wendy")
        approval.approve(db, variant_id, actor="rita", acknowledge_all=True)
        measured(db, variant_id, sends, clicks[angle])
    return by_angle


def test_variant_a_takes_the_angle_that_performed_best(db: Database) -> None:
    first = approved_and_measured(db, {"benefit": 5, "proof": 12, "question": 30})
    assert set(first) == {"benefit", "proof", "question"}
    plain = drafted(db, campaign="Spring routine")
    learned = brief(channels=SMS_ONLY, campaign="Spring routine", learn_from="brand")
    lessons = lessons_for(db, learned)
    assert lessons.note is not None and "30.0% over 100 sends" in lessons.note
    tasks = jobs.build_tasks(learned, lessons)
    assert [task.angle for task in tasks] == ["question", "proof", "benefit"]
    assert [task.angle for task in jobs.build_tasks(brief(channels=SMS_ONLY))] == [
        "benefit", "proof", "question"]  # fmt: skip
    assert list(plain) == ["benefit", "proof", "question"]
    job_id = jobs.enqueue(db, learned, actor="wendy", provider="offline", options={})
    asyncio.run(jobs.run_job(db, job_id, OfflineDrafter()))
    variant_a = jobs.saved_variants(db, job_id)["sms/commuters/A"]
    assert variant_a is not None
    provenance = queries.variant_detail(db, "wendy", variant_a).provenance or {}
    assert provenance["angle"] == "question"
    assert provenance["learned_from"] == [first["question"], first["proof"], first["benefit"]]


def test_the_prompt_carries_the_best_copy_with_its_rates(db: Database) -> None:
    first = approved_and_measured(db, {"benefit": 5, "proof": 12, "question": 30})
    learned = brief(channels=SMS_ONLY, learn_from="Winter routine")
    [task, *_] = jobs.build_tasks(learned, lessons_for(db, learned))
    prompt = Prompts().draft_messages(task)[1]["content"]
    best = queries.variant_detail(db, "wendy", first["question"]).fields["body"]
    assert "<examples>" in prompt and best in prompt and '"click_rate": 0.3' in prompt


def test_nothing_is_learned_from_too_few_sends_or_another_campaign(db: Database) -> None:
    approved_and_measured(db, {"benefit": 5, "proof": 12, "question": 30}, sends=40)
    thin = lessons_for(db, brief(learn_from="brand"))
    assert thin.by_channel == {} and thin.note and "100+ reported sends" in thin.note
    elsewhere = lessons_for(db, brief(learn_from="Summer"))
    assert elsewhere.by_channel == {} and "campaign 'Summer'" in (elsewhere.note or "")
    assert lessons_for(None, brief(learn_from="brand")).note == (
        "learn_from is ignored: drafts that are not saved read no database"
    )
    assert lessons_for(db, brief()).note is None
