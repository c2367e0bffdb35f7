"""The typed views every surface shows: the CLI prints them, the API will serialise them and the
UI renders them, so all three show the same thing. They are built from rows in `queries` and
never carry an ORM object out of a transaction.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, ValidationError

from studio.errors import InvalidInput

# Domain constants the surfaces show or validate against, re-exported so no surface imports
# the store: the largest id any surface accepts, roles, statuses and how they read.
from studio.store.models import MAX_ID as MAX_ID
from studio.store.models import Role as Role
from studio.store.models import Status as Status
from studio.store.models import iso_seconds as iso_seconds
from studio.store.models import status_label as status_label
from studio.store.models import status_phrase as status_phrase

# A moment as every surface shows it: UTC, to the second ("2026-12-03T12:00:00+00:00").
Moment = Annotated[dt.datetime | None, PlainSerializer(iso_seconds, return_type=str | None)]


class View(BaseModel):
    """A read-only view: frozen, and unknown keys are a bug, not data."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class VariantSummary(View):
    """One row of a listing or of the review queue."""

    id: int
    name: str
    brand: str
    channel: str
    status: str
    version: int
    revision: int
    risk: int
    errors: int
    warnings: int
    author: str
    group: str | None
    submitted_at: Moment
    updated_at: Moment
    flagged: str | None
    valid_until: Moment
    approved_version: int | None
    approved_rules_version: str | None


class ReportView(View):
    """The newest check of a variant's current version."""

    id: int | None
    version: int
    rules_version: str
    verdict: str
    checked_at: Moment
    findings: list[dict[str, Any]]
    approved_claims: list[dict[str, Any]]


class ApprovalView(View):
    version: int
    content_hash: str | None
    rules_version: str | None
    by: str
    at: Moment
    valid_from: Moment
    valid_until: Moment


class OverrideView(View):
    rule: str
    field: str
    text: str
    version: int
    justification: str
    by: str


class HistoryEntry(View):
    """A version saved or a decision taken; `by` is "system" for automatic ones."""

    at: Moment
    action: str
    version: int
    by: str
    comment: str | None


class CommentView(View):
    """A remark on `text`, the words at `field[start:end]` of `version`."""

    version: int
    field: str
    start: int
    end: int
    text: str
    body: str
    by: str
    at: Moment


class BriefView(View):
    """The brief a variant was drafted from, as its author wrote it."""

    id: int
    title: str
    spec: dict[str, Any]
    by: str


class VariantDetail(VariantSummary):
    """One variant in full: its copy, newest report, approval, overrides, history and the diff
    from the previous version."""

    fields: dict[str, Any]
    content_hash: str
    provenance: dict[str, Any] | None
    report: ReportView
    approval: ApprovalView | None
    history: list[HistoryEntry]
    overrides: list[OverrideView]
    diff: str | None
    performance: dict[str, Any] | None = None  # what the engine reported (engagement.py)
    brief: BriefView | None = None
    comments: list[CommentView] = []


class OpaqueCursor(View):
    """Where a page ended. Surfaces pass it around as an opaque token (`encode`/`decode`), so a
    client cannot depend on its parts; a token that does not decode is bad input, never a 500."""

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.model_dump_json().encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> Self:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            # Strict: a cursor is only ever what `encode` wrote, so `{"seq": true}` is not seq 1.
            return cls.model_validate_json(raw, strict=True)
        except (binascii.Error, ValueError, ValidationError):
            raise InvalidInput(f"cursor {token[:40]!r} is not one this studio gave out",
                               field="cursor") from None  # fmt: skip


class QueueCursor(OpaqueCursor):
    """Where a queue page ended: (risk, submitted_at, id) of its last row."""

    risk: int
    submitted_at: dt.datetime
    id: int


class FeedCursor(OpaqueCursor):
    """Where a feed page ended: the seq of its last row."""

    seq: int = Field(ge=0, le=MAX_ID)


class QueuePage(View):
    """A page of copy waiting for a decision, riskiest first, then longest waiting."""

    items: list[VariantSummary]
    next_cursor: str | None


class JobItemView(View):
    key: str
    status: str
    variant_id: int | None
    error: str | None
    rounds: list[str]


class JobView(View):
    id: int
    status: str
    provider: str
    brief: int
    requested_by: str
    created_at: Moment
    attempts: int
    worker: str | None
    error: str | None


class JobDetail(JobView):
    """A job and where each of its variants stands."""

    variants: list[JobItemView]


class AuditEventView(View):
    seq: int
    at: Moment
    actor: str
    action: str
    object_type: str
    object_id: str
    outcome: str
    state_before: str | None
    state_after: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class FeedPage(View):
    """A page of the pull feed: each item is a variant resource or a tombstone, already JSON
    (rendered at approval), so a page is served without building objects."""

    items: list[str]
    has_more: bool
    next_cursor: str | None
    untranslatable: int = 0  # items a dialect could not carry (served with an `error`)


class VariantDocument(View):
    """One variant as the API serves it, with its strong ETag."""

    body: str
    etag: str
