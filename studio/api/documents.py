"""The shapes the API returns, for its OpenAPI schema (`/docs`) and for clients to code
against. Variant documents are served pre-rendered; these models describe them exactly, and the
schema tests hold the two together."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from studio.services.outbox import EVENT_TYPES

FieldValue = str | list[str]


def _iso_text(value: Any) -> Any:
    """A date-time arrives as ISO 8601 text: pydantic would also read a bare number as a Unix
    time, which a client that sent one most likely did not mean (and the schema says string)."""
    if isinstance(value, (int, float)):
        raise ValueError("use an ISO 8601 date-time such as 2026-01-31T09:00:00Z, not a number")
    return value


Instant = Annotated[dt.datetime, BeforeValidator(_iso_text)]


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorBody(Document):
    code: str = Field(examples=["not-found"])
    message: str


class ErrorDocument(Document):
    error: ErrorBody


class ApprovedVariant(Document):
    """What every document of approved copy carries, whatever its merge tags."""

    object: Literal["variant"]
    id: int
    name: str = Field(description="stable slug: a Braze content block name or an Iterable "
                      "clientTemplateId")  # fmt: skip
    brand: str
    campaign: str | None
    channel: Literal["email", "sms", "ad"]
    status: Literal["approved"]
    version: int
    locale: str
    merge_variables: list[str]
    variant_group: str | None
    label: str | None
    approved_by: str | None
    approved_at: str | None
    valid_from: str | None
    valid_until: str | None
    content_hash: str
    rules_version: str
    updated_at: str


class VariantResource(ApprovedVariant):
    """Approved copy, served only while approved for this content under the current rules and
    inside its validity window."""

    fields: dict[str, FieldValue]
    dialect: str | None = Field(None, description="the merge-tag dialect of `fields`, if asked")


class TranslationError(Document):
    code: Literal["untranslatable"]
    dialect: str
    field: str | None = Field(description="the field holding the tag, e.g. headlines[1]")
    tag: str = Field(description="the tag (or stray delimiter) as written in the copy")
    offset: int = Field(description="where it starts in the field, in characters")
    reason: str
    message: str


class Untranslated(ApprovedVariant):
    """Approved copy that cannot be said in the dialect asked for: everything but its fields,
    and the error naming the tag. The feed pages on past it; the copy must change."""

    dialect: str
    error: TranslationError


class Tombstone(Document):
    """Copy that is no longer served (revoked, expired, edited, flagged): delete it."""

    object: Literal["variant"]
    id: int
    name: str | None
    brand: str
    status: Literal["revoked"]
    revoked_at: str | None
    reason: str
    version: int
    updated_at: str | None


class VariantList(Document):
    object: Literal["list"]
    data: list[VariantResource | Untranslated | Tombstone]
    has_more: bool
    next_cursor: str | None
    untranslatable: int = Field(description="items of this page the dialect could not carry")


class CheckRequest(Document):
    brand: str = Field(max_length=64, examples=["brightleaf"])
    channel: Literal["email", "sms", "ad"]
    fields: dict[str, FieldValue] = Field(examples=[{"body": "Brightleaf: hi. Reply STOP"}])
    id: str = Field("copy", max_length=200, description="echoed back, to match results")


class Finding(Document):
    rule: str
    category: str
    severity: str
    field: str
    start: int
    end: int
    text: str
    message: str
    suggestions: list[str]
    fix: str | None
    source: str | None


class CheckReport(Document):
    id: str
    verdict: Literal["pass", "warn", "block"]
    findings: list[Finding]


EngagementType = Literal["send", "delivery", "open", "click", "conversion", "unsubscribe",
                         "complaint"]  # fmt: skip


class EngagementEvent(Document):
    """One thing the engine saw happen to sent copy; `id` is the engine's own event id, so a
    resent report counts once."""

    id: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00]+$",
                    examples=["braze-evt-01HZX"])  # fmt: skip
    type: EngagementType
    occurred_at: Instant | None = Field(
        default=None, description="when it happened (ISO 8601); default: when it is received"
    )


class EngagementBatch(Document):
    """A batch of events; a lone event object (no `events`) is read as a batch of one."""

    events: list[EngagementEvent] = Field(min_length=1, max_length=1000)

    @model_validator(mode="before")
    @classmethod
    def _one_event(cls, data: Any) -> Any:
        if isinstance(data, dict) and "events" not in data and ("id" in data or "type" in data):
            return {"events": [data]}
        return data


class EngagementReceipt(Document):
    accepted: int = Field(description="events counted now")
    duplicates: int = Field(description="events already counted (same id), ignored")


class VariantFigures(Document):
    variant_id: int
    label: str | None
    served: bool = Field(description="approved and served now; only served copy gets traffic")
    counts: dict[str, int]
    rates: dict[str, float | None]
    share: float | None = Field(description="recommended share of the group's traffic, 0 to 1")


class GroupFigures(Document):
    """A variant group's measured rates and recommended traffic split (Thompson sampling over
    Beta posteriors; an even split until every served variant has `min_sends`)."""

    object: Literal["variant_group"] = "variant_group"
    variant_group: str
    brand: str
    success: Literal["opens", "clicks", "conversions"]
    min_sends: int
    exploring: bool
    reason: str
    variants: list[VariantFigures]


class NewEndpoint(Document):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$", examples=["braze-prod"])
    url: str = Field(min_length=8, max_length=2000, examples=["https://engine.example/hooks"])
    events: list[str] = Field(
        default_factory=list, max_length=len(EVENT_TYPES), description="only these; empty: all",
        json_schema_extra={"items": {"type": "string", "enum": list(EVENT_TYPES)}},
    )  # fmt: skip
    brands: list[str] = Field(
        default_factory=list, max_length=100, description="only these brands; empty: every brand"
    )


class EndpointDocument(Document):
    name: str
    url: str
    events: list[str]
    brands: list[str]
    allow_private: bool
    state: Literal["active", "disabled"]
    disabled_reason: str | None
    rotating_until: str | None
    pending: int
    failed: int
    created_by: str
    created_at: str | None


class EndpointList(Document):
    object: Literal["list"]
    data: list[EndpointDocument]


class IssuedSecretDocument(Document):
    secret: str = Field(description="whsec_...: shown in this answer only")
    endpoint: EndpointDocument


class Rotation(Document):
    grace_hours: float = Field(24, ge=0, le=720, description="the old secret signs this long")


class AttemptDocument(Document):
    at: str | None
    status: int | None
    error: str | None
    duration_ms: int


class DeliveryDocument(Document):
    id: int
    endpoint: str
    message_id: str = Field(description="the webhook-id, the same on every attempt")
    event: str
    variant_id: int
    version: int
    state: Literal["pending", "delivered", "failed", "disabled"]
    next_attempt_at: str | None
    delivered_at: str | None
    created_at: str | None
    attempts: list[AttemptDocument]


class DeliveryList(Document):
    object: Literal["list"]
    data: list[DeliveryDocument]


class Replay(Document):
    since: Instant | None = Field(None, description="events made at or after (ISO 8601)")
    until: Instant | None = Field(None, description="events made before (ISO 8601)")


class ReplayReceipt(Document):
    queued: int


class Health(Document):
    status: Literal["ok"]
    version: str


ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorDocument, "description": text}
    for status, text in {
        400: "bad input: the message names the parameter",
        401: "no API key, or an unknown or revoked one",
        403: "the key lacks the scope, or the brand is outside the key's brands",
        429: "over the key's rate limit; see Retry-After",
    }.items()
}
