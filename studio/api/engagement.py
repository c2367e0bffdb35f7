"""`POST /v1/variants/{id}/events` (engines report what happened to sent copy) and
`GET /v1/variant-groups/{group}` (measured rates and a recommended traffic split)."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from studio.api.access import Token, admit
from studio.api.documents import (
    ERRORS,
    EngagementBatch,
    EngagementReceipt,
    ErrorDocument,
    GroupFigures,
)
from studio.services import engagement
from studio.services.schemas import MAX_ID

router = APIRouter(prefix="/v1", tags=["feedback"])
NOT_VISIBLE: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorDocument, "description": "not served to this key"}
}


@router.post(
    "/variants/{variant_id}/events", response_model=EngagementReceipt,
    responses={**ERRORS, **NOT_VISIBLE},
)  # fmt: skip
def report_events(
    request: Request,
    token: Token,
    variant_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: EngagementBatch,
) -> dict[str, int]:
    """Report sends, deliveries, opens, clicks, conversions, unsubscribes and complaints, one
    event or a batch of up to 1000. Idempotent by event id. Needs `events:write`."""
    db, key = admit(request, token)
    reports = [engagement.Report(event.id, event.type, event.occurred_at) for event in body.events]
    return dataclasses.asdict(engagement.record(db, key, variant_id, reports))


@router.get(
    "/variant-groups/{variant_group}", response_model=GroupFigures,
    responses={**ERRORS, **NOT_VISIBLE},
)  # fmt: skip
def group_figures(
    request: Request,
    token: Token,
    variant_group: Annotated[str, Path(min_length=1, max_length=120)],
    brand: Annotated[str | None, Query(max_length=64)] = None,
    success: Annotated[Literal["opens", "clicks", "conversions"], Query()] = "clicks",
) -> dict[str, object]:
    """Each variant's counts and rates, and the share of traffic to send it next."""
    db, key = admit(request, token)
    figures = engagement.group_for_key(db, key, variant_group, brand=brand, success=success)
    return {"object": "variant_group", **dataclasses.asdict(figures)}
