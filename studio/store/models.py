"""The studio's tables. Alembic migrations in `studio/migrations/` create them; never `create_all`.

Variants keep a denormalised summary of their current state (status, risk, approval binding) so
the review queue and the publishing API read one indexed table; the history lives in immutable
`VariantVersion`, `CheckReport`, `Review` and `Override` rows and in the hash-chained audit log.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import JSON, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from studio import clock

MAX_ID = 2**31 - 1  # the largest id every backend stores: ids are PostgreSQL INTEGER columns


def utcnow() -> dt.datetime:
    return clock.now()


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back naive; every datetime the studio stores is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


class _Saved(Protocol):
    id: int | None


def saved_id(row: _Saved) -> int:
    """The id of a row the database has given one (it was flushed or read); a row without one
    here is a bug, so say which."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: flush it before using its id")
    return row.id


def iso_seconds(moment: dt.datetime | None) -> str | None:
    """How the CLI, UI and API show a moment: UTC, to the second."""
    return as_utc(moment).isoformat(timespec="seconds") if moment else None


def _when(**kwargs: Any) -> Any:
    return Field(sa_type=DateTime(timezone=True), **kwargs)


class Role(StrEnum):
    COPYWRITER = "copywriter"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class Status(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


_STATUS_PHRASES = {
    Status.DRAFT: "is a draft",
    Status.IN_REVIEW: "is in review",
    Status.CHANGES_REQUESTED: "needs changes",
    Status.APPROVED: "is approved",
    Status.REJECTED: "is rejected",
    Status.REVOKED: "is revoked",
}


def status_phrase(status: str) -> str:
    """A state as English after a subject: "variant #3 needs changes", "it is in review"."""
    return _STATUS_PHRASES[Status(status)]


def status_label(status: str) -> str:
    """A state as a short column label: "in review", "needs changes"."""
    return status_phrase(status).removeprefix("is ").removeprefix("a ")


class Brand(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)  # the rule-pack folder name
    name: str = Field(max_length=200)
    rules_version: str | None = Field(default=None, max_length=80)  # last rechecked against
    created_at: dt.datetime = _when(default_factory=utcnow)


class Focus(StrEnum):
    """Which findings a reviewer handles: the review queue's "assigned to me" follows it."""

    ALL = "all"
    CLAIMS = "claims"  # copy with a claim finding (legal, regulatory)
    BRAND = "brand"  # copy whose findings are all tone or banned words (brand voice)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=16)
    focus: str = Field(default=Focus.ALL, max_length=8)
    # The verified email a single sign-on maps to this account (lowercase); None: password only.
    email: str | None = Field(default=None, max_length=254, unique=True, index=True)
    password_hash: str = Field(max_length=200)
    disabled: bool = False
    created_at: dt.datetime = _when(default_factory=utcnow)


class TokenKind(StrEnum):
    SESSION = "session"  # from `studio login`: short-lived, one per sign-in
    PERSONAL = "personal"  # a personal access token for scripts, named, revocable


class AccessToken(SQLModel, table=True):
    """A credential that stands for a user. Only a SHA-256 of the token is stored: the token is
    256 random bits, so a slow hash adds nothing, and a stolen database yields no usable token."""

    __table_args__ = (Index("ix_accesstoken_user", "user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=12)
    name: str = Field(max_length=64)
    prefix: str = Field(max_length=32)  # shown in listings so a leaked token can be matched
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = _when(default_factory=utcnow)
    expires_at: dt.datetime = _when()
    last_used_at: dt.datetime | None = _when(default=None)
    revoked_at: dt.datetime | None = _when(default=None)


class Brief(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    brand_id: int = Field(foreign_key="brand.id", index=True)
    title: str = Field(max_length=200)
    spec: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    offer_ends: dt.date | None = None  # copy for an offer that has ended cannot be approved
    created_by: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)


class Variant(SQLModel, table=True):
    __table_args__ = (
        Index("ix_variant_queue", "status", "brand_id", "channel", "risk", "submitted_at"),
        Index("ix_variant_updated", "updated_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)  # stable slug, usable as a block name
    brand_id: int = Field(foreign_key="brand.id")
    brief_id: int | None = Field(default=None, foreign_key="brief.id", index=True)
    channel: str = Field(max_length=8)
    variant_group: str | None = Field(default=None, max_length=120)
    label: str | None = Field(default=None, max_length=40)  # its place in the group: A, B, ...
    status: str = Field(default=Status.DRAFT, max_length=20)
    revision: int = 1  # bumped by every change; a decision only lands on the revision it read
    current_version: int = 1
    author_id: int = Field(foreign_key="user.id")
    # From the newest check report of the current version: the review queue sorts on risk.
    risk: int = 0
    error_count: int = 0
    warning_count: int = 0
    # The categories of the current report's findings, space-separated and sorted ("claim
    # tone"): what the review queue filters and routes on.
    categories: str = Field(default="", max_length=64)
    created_at: dt.datetime = _when(default_factory=utcnow)
    updated_at: dt.datetime = _when(default_factory=utcnow)
    submitted_at: dt.datetime | None = _when(default=None)
    # The approval binding: what exactly was approved, by whom, under which rules.
    approved_version: int | None = None
    approved_content_hash: str | None = Field(default=None, max_length=80)
    approved_rules_version: str | None = Field(default=None, max_length=80)
    approved_by: int | None = Field(default=None, foreign_key="user.id")
    approved_at: dt.datetime | None = _when(default=None)
    valid_from: dt.datetime | None = _when(default=None)
    valid_until: dt.datetime | None = _when(default=None)
    # Set when a rule change makes approved copy fail under a pack whose policy is `flag`.
    flag_reason: str | None = Field(default=None, sa_type=Text)
    flagged_at: dt.datetime | None = _when(default=None)


class VariantVersion(SQLModel, table=True):
    """One immutable state of a variant's copy. Editing adds a row; nothing updates one."""

    __table_args__ = (UniqueConstraint("variant_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    number: int
    fields: dict[str, Any] = Field(sa_type=JSON)
    content_hash: str = Field(max_length=80)
    provenance: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)


class CheckReport(SQLModel, table=True):
    """A guardrails report of one version under one rule-pack version, as a reviewer saw it."""

    __table_args__ = (Index("ix_checkreport_variant", "variant_id", "version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    version_number: int
    rules_version: str = Field(max_length=80)
    verdict: str = Field(max_length=8)
    error_count: int = 0
    warning_count: int = 0
    suggestion_count: int = 0
    report: dict[str, Any] = Field(sa_type=JSON)
    created_at: dt.datetime = _when(default_factory=utcnow)


class Review(SQLModel, table=True):
    """A decision (submit, approve, reject, request changes, revoke) or a comment."""

    __table_args__ = (Index("ix_review_variant", "variant_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    version_number: int
    action: str = Field(max_length=24)
    actor_id: int | None = Field(default=None, foreign_key="user.id")  # None: the system
    comment: str | None = Field(default=None, sa_type=Text)
    content_hash: str = Field(max_length=80)
    rules_version: str | None = Field(default=None, max_length=80)
    report_id: int | None = Field(default=None, foreign_key="checkreport.id")
    provenance: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: dt.datetime = _when(default_factory=utcnow)


class Comment(SQLModel, table=True):
    """A remark on a run of words in one version of a variant, kept with the words it was on
    (the copy may change after it)."""

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id", index=True)
    version_number: int
    field: str = Field(max_length=40)
    start: int
    end: int
    text: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    author_id: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)


class Override(SQLModel, table=True):
    """A reviewer's written justification for approving despite one error-level finding."""

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True)
    variant_id: int = Field(foreign_key="variant.id")
    version_number: int
    rule: str = Field(max_length=120)
    field: str = Field(max_length=40)
    start: int
    end: int
    text: str = Field(sa_type=Text)
    justification: str = Field(sa_type=Text)
    actor_id: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One link of the hash chain. `seq` is gapless; `hash` covers `prev_hash` and every column."""

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: dt.datetime = _when()
    actor: str = Field(max_length=64)
    action: str = Field(max_length=48)
    object_type: str = Field(max_length=24)
    object_id: str = Field(max_length=64)
    outcome: str = Field(max_length=8)  # ok | denied
    state_before: str | None = Field(default=None, max_length=24)
    state_after: str | None = Field(default=None, max_length=24)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's tip, one row. Appending locks it, so events are chained in commit order and a
    removed tail is detectable."""

    id: int = Field(default=1, primary_key=True)
    seq: int = 0
    hash: str = Field(max_length=64)


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(SQLModel, table=True):
    """A drafting run: the brief's variants drafted, checked and saved, outside any UI run."""

    __table_args__ = (Index("ix_job_status", "status", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    brief_id: int = Field(foreign_key="brief.id")
    status: str = Field(default=JobStatus.QUEUED, max_length=12)
    provider: str = Field(max_length=24)  # offline | openai
    requested_by: int = Field(foreign_key="user.id")
    options: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # rounds, concurrency
    worker: str | None = Field(default=None, max_length=80)
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = _when(default_factory=utcnow)
    started_at: dt.datetime | None = _when(default=None)
    heartbeat_at: dt.datetime | None = _when(default=None)
    finished_at: dt.datetime | None = _when(default=None)


class JobItem(SQLModel, table=True):
    """One variant of a job: its own status, so one failed call fails one variant."""

    __table_args__ = (UniqueConstraint("job_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    key: str = Field(max_length=120)  # channel/segment/label, e.g. "sms/students/B"
    status: str = Field(default=JobStatus.QUEUED, max_length=12)
    variant_id: int | None = Field(default=None, foreign_key="variant.id")
    error: str | None = Field(default=None, sa_type=Text)
    rounds: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class Scope(StrEnum):
    """What an API key may do; a key holds one or more."""

    VARIANTS_READ = "variants:read"
    EVENTS_WRITE = "events:write"
    CHECKS_RUN = "checks:run"
    WEBHOOKS_MANAGE = "webhooks:manage"


class ApiKey(SQLModel, table=True):
    """A credential for an automation engine, not a person: scoped, optionally limited to some
    brands, revocable. Like access tokens, only a SHA-256 of the 256-bit key is stored."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)  # unique for ever: an audit trail names it
    prefix: str = Field(max_length=32)
    key_hash: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(sa_type=JSON)
    brands: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: every brand
    created_by: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    last_used_at: dt.datetime | None = _when(default=None)
    revoked_at: dt.datetime | None = _when(default=None)


class FeedState(StrEnum):
    APPROVED = "approved"  # served
    SCHEDULED = "scheduled"  # approved, but its validity window has not opened yet
    REVOKED = "revoked"  # a tombstone: the engine must delete it


class Publication(SQLModel, table=True):
    """What the pull API serves for one variant that has ever been approved: the resource
    rendered once, when it was approved (so a read is a lookup, not a render), or a tombstone.

    `seq` orders the feed: it is taken from `FeedHead` under a row lock held until commit, so a
    reader that sees seq N has every change below N too, and a sync paging by seq misses
    nothing. A change to the variant moves its row to a new seq.
    """

    __table_args__ = (
        Index("ix_publication_brand_seq", "brand", "seq"),
        Index("ix_publication_updated_at", "updated_at"),
        Index("ix_publication_state_until", "state", "valid_until"),
        Index("ix_publication_state_from", "state", "valid_from"),
    )

    variant_id: int = Field(
        primary_key=True, foreign_key="variant.id", sa_column_kwargs={"autoincrement": False}
    )
    seq: int = Field(unique=True)
    brand: str = Field(max_length=64)
    channel: str = Field(max_length=8)
    campaign: str | None = Field(default=None, max_length=120)
    variant_group: str | None = Field(default=None, max_length=120)
    state: str = Field(max_length=12)
    version: int
    content_hash: str = Field(max_length=80)
    rules_version: str = Field(max_length=80)
    valid_from: dt.datetime | None = _when(default=None)
    valid_until: dt.datetime | None = _when(default=None)
    revoked_at: dt.datetime | None = _when(default=None)
    reason: str | None = Field(default=None, sa_type=Text)
    resource: str = Field(sa_type=Text)  # the approved resource as JSON (kept on tombstones)
    updated_at: dt.datetime = _when(default_factory=utcnow)


class FeedDocument(SQLModel, table=True):
    """A document the feed serves for one publication in one dialect ("studio": the studio's
    own merge tags), rendered once when the publication changes so that a read joins stored
    text instead of translating: the approved resource, its tombstone, or, where the copy
    cannot be said in that dialect, the resource without its fields and with an `error`."""

    variant_id: int = Field(
        primary_key=True, foreign_key="publication.variant_id",
        sa_column_kwargs={"autoincrement": False},
    )  # fmt: skip
    dialect: str = Field(primary_key=True, max_length=16)
    body: str = Field(sa_type=Text)
    etag: str = Field(max_length=80)
    untranslatable: bool = False


class FeedHead(SQLModel, table=True):
    """The feed's last seq, one row; taking the next one locks it (see `Publication`)."""

    id: int = Field(default=1, primary_key=True)
    seq: int = 0


class WebhookEndpoint(SQLModel, table=True):
    """Where events are pushed. The secret signs deliveries, so it is kept, not hashed; after a
    rotation the previous one signs too until `previous_secret_until`."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=100)
    previous_secret: str | None = Field(default=None, max_length=100)
    previous_secret_until: dt.datetime | None = _when(default=None)
    events: list[str] = Field(sa_type=JSON)  # event types it wants; empty: every type
    brands: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: every brand
    allow_private: bool = False  # deliver to loopback/private addresses (tests, on-premises)
    created_by: int = Field(foreign_key="user.id")
    created_at: dt.datetime = _when(default_factory=utcnow)
    disabled_at: dt.datetime | None = _when(default=None)
    disabled_reason: str | None = Field(default=None, sa_type=Text)


class WebhookEvent(SQLModel, table=True):
    """The outbox: one row per event, written in the transaction of the change it reports.
    `payload` holds the exact bytes every delivery signs and sends."""

    id: int | None = Field(default=None, primary_key=True)
    message_id: str = Field(max_length=40, unique=True)  # the `webhook-id`, same on every retry
    type: str = Field(max_length=32)
    brand: str = Field(max_length=64)
    variant_id: int = Field(foreign_key="variant.id", index=True)
    version: int
    payload: str = Field(sa_type=Text)
    created_at: dt.datetime = _when(default_factory=utcnow)


class DeliveryState(StrEnum):
    PENDING = "pending"  # due at `next_attempt_at`
    DELIVERED = "delivered"
    FAILED = "failed"  # every scheduled attempt failed; replay sends it again
    DISABLED = "disabled"  # the endpoint was disabled before it was delivered


class WebhookDelivery(SQLModel, table=True):
    """One event to one endpoint. A worker leases it (`lease_until`) while sending, so two
    workers never send it at once and a killed worker's lease runs out and it is sent again."""

    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        Index("ix_webhookdelivery_due", "state", "next_attempt_at"),
        # ids are never reused (migration 0008): a removed endpoint's delivery ids stay its own
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="webhookevent.id")
    endpoint_id: int = Field(foreign_key="webhookendpoint.id", index=True)
    state: str = Field(default=DeliveryState.PENDING, max_length=12)
    attempts: int = 0
    next_attempt_at: dt.datetime = _when(default_factory=utcnow)
    lease_until: dt.datetime | None = _when(default=None)
    worker: str | None = Field(default=None, max_length=80)
    last_status: int | None = None
    last_error: str | None = Field(default=None, sa_type=Text)
    delivered_at: dt.datetime | None = _when(default=None)
    created_at: dt.datetime = _when(default_factory=utcnow)


class WebhookAttempt(SQLModel, table=True):
    """One try at a delivery, kept so failures can be read attempt by attempt."""

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhookdelivery.id", index=True)
    at: dt.datetime = _when(default_factory=utcnow)
    status: int | None = None  # the HTTP status; None when no response came
    error: str | None = Field(default=None, sa_type=Text)
    duration_ms: int = 0


class EngagementKind(StrEnum):
    SEND = "send"
    DELIVERY = "delivery"
    OPEN = "open"
    CLICK = "click"
    CONVERSION = "conversion"
    UNSUBSCRIBE = "unsubscribe"
    COMPLAINT = "complaint"


class EngagementEvent(SQLModel, table=True):
    """What the engine reported about sent copy. The engine's own event id makes a resend of
    the same event a no-op."""

    __table_args__ = (
        UniqueConstraint("variant_id", "event_id"),
        Index("ix_engagement_variant_kind", "variant_id", "kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    variant_id: int = Field(foreign_key="variant.id")
    event_id: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    occurred_at: dt.datetime = _when()
    received_at: dt.datetime = _when(default_factory=utcnow)
    api_key_id: int = Field(foreign_key="apikey.id")
