"""Each route's query parameters as one pydantic model with `extra="forbid"`, read by FastAPI
(`Annotated[Model, Query()]`): an unknown parameter is refused, not ignored, since a misspelt
`updated_sinse` that was ignored would turn an engine's incremental sync into a full one
without a word. Text may not hold a NUL character: PostgreSQL can neither store nor compare
one, so it would otherwise surface as a database error."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from studio.publishing.dialects import DIALECTS
from studio.services import feed


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("holds a NUL character")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Dialect = Annotated[
    Literal[DIALECTS] | None,  # type: ignore[valid-type]
    Field(description="translate merge tags into an engine's syntax; copy it cannot carry is "
          "served without its fields and with an `error` naming the tag"),
]  # fmt: skip


class NoQuery(BaseModel):
    """For routes that take no query parameters: any given is refused."""

    model_config = ConfigDict(extra="forbid")


Nothing = Annotated[NoQuery, Query()]


class FeedQuery(NoQuery):
    status: Literal["approved", "revoked"] = Field(
        "approved", description="approved: served copy plus tombstones of copy no longer "
        "served (what a sync wants); revoked: tombstones only")  # fmt: skip
    brand: Text | None = Field(None, max_length=64)
    channel: Literal["email", "sms", "ad"] | None = None
    campaign: Text | None = Field(None, max_length=120)
    variant_group: Text | None = Field(None, max_length=120)
    updated_since: Text | None = Field(
        None, max_length=40, description="ISO 8601; only changes at or after it",
        json_schema_extra={"format": "date-time"},
    )  # fmt: skip
    limit: int = Field(feed.DEFAULT_PAGE, ge=1, le=feed.MAX_PAGE)
    cursor: Text | None = Field(None, max_length=200, description="next_cursor of the last page")
    dialect: Dialect = None


class VariantQuery(NoQuery):
    dialect: Dialect = None


class GroupQuery(NoQuery):
    brand: Text | None = Field(None, max_length=64)
    success: Literal["opens", "clicks", "conversions"] = "clicks"


class DeliveryQuery(NoQuery):
    endpoint: Text | None = Field(None, max_length=64)
    state: Literal["pending", "delivered", "failed", "disabled"] | None = None
    limit: int = Field(50, ge=1, le=1000)
