"""Writing one draft again with a note to the drafter ("shorter", "lead with the offer").

The variant keeps its brief, segment, channel, angle and place in its group; the note and the
copy it replaces go to the drafter as data (like the brief, never as instructions), and the
result is checked and repaired like any draft and saved as the variant's next version, so its
history shows what the note changed. Only drafted variants can be regenerated: copy written by
hand has no brief to write from.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from sqlmodel import select

from guardrails.content import lone_surrogate
from studio.drafting.brief import Brief
from studio.drafting.factory import make_provider
from studio.drafting.provider import DraftTask, Provider, Retake, angles_for, close_provider
from studio.drafting.runner import Outcome, draft_and_repair
from studio.errors import InvalidInput, Unavailable
from studio.services import jobs, review
from studio.services.acting import authorize
from studio.services.policy import Action, require_state
from studio.services.schemas import VariantSummary
from studio.store import variants
from studio.store.db import Database
from studio.store.models import Brief as BriefRow
from studio.store.models import JobItem, VariantVersion

MAX_NOTE_CHARS = 1000


@dataclasses.dataclass(frozen=True)
class _Target:
    task: DraftTask
    revision: int
    version: int


def regenerate(db: Database, variant_id: int, *, actor: str, note: str,
               provider: Provider | None = None, rounds: int = 2) -> VariantSummary:  # fmt: skip
    """Draft the variant again with `note` and save it as its next version (as an edit by
    `actor`, who must be allowed to edit it). `provider`: the configured drafter if None."""
    note = note.strip()
    if lone_surrogate(note) is not None:
        raise InvalidInput("the note is not valid Unicode text (a lone surrogate)", field="note")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"the note is {len(note)} characters; at most {MAX_NOTE_CHARS}",
                           field="note")  # fmt: skip
    authorize(db, actor, Action.EDIT, ("variant", variant_id))
    target = _target(db, variant_id, note)
    outcome = asyncio.run(_draft(provider or make_provider(None), target.task, rounds))
    if not outcome.ok:
        raise Unavailable(f"variant #{variant_id} could not be drafted again: {outcome.error}")
    provenance = {**outcome.provenance, "rules_version": target.task.pack.version,
                  "regenerated_from": target.version, "drafter_note": note}  # fmt: skip
    return review.edit(db, variant_id, actor=actor, fields=outcome.fields,
                       provenance=provenance, expected_revision=target.revision)  # fmt: skip


def _target(db: Database, variant_id: int, note: str) -> _Target:
    """The task the variant was drafted from, as a retake of its current copy."""
    with db.read() as session:
        variant = variants.get(session, variant_id)
        require_state(variant, Action.EDIT)
        item = session.exec(select(JobItem).where(JobItem.variant_id == variant_id)).first()
        row = session.get(BriefRow, variant.brief_id) if variant.brief_id else None
        if item is None or row is None:
            raise InvalidInput(f"variant #{variant_id} was written by hand, not drafted from a "
                               "brief: edit it instead")  # fmt: skip
        current = variants.current_version(session, variant)
        versions = session.exec(select(VariantVersion.provenance)
                                .where(VariantVersion.variant_id == variant_id)).all()  # fmt: skip
        brief = Brief.model_validate(row.spec)
    task = next((t for t in jobs.build_tasks(brief) if t.key == item.key), None)
    if task is None:
        raise InvalidInput(f"variant #{variant_id}'s brief no longer asks for {item.key}")
    drafted_with: Any = (current.provenance or {}).get("angle")
    angle = drafted_with if drafted_with in angles_for(brief) else task.angle
    retakes = sum(1 for p in versions if isinstance(p, dict) and "regenerated_from" in p)
    retake = Retake(note=note, previous=current.fields, number=retakes + 1)
    task = dataclasses.replace(task, angle=angle, retake=retake)
    return _Target(task, variant.revision, current.number)


async def _draft(provider: Provider, task: DraftTask, rounds: int) -> Outcome:
    try:
        return await draft_and_repair(provider, task, asyncio.Semaphore(1), rounds)
    finally:
        await close_provider(provider)
