"""`POST /v1/variants/{id}/events` (engines report what happened to sent copy) and
`GET /v1/variant-groups/{group}` (measured rates and a recommended traffic split)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from studio.api.access import Caller, Db, with_scope
from studio.api.documents import (
    ERRORS,
    EngagementBatch,
    EngagementReceipt,
    ErrorDocument,
    GroupFigures,
)
from studio.api.parameters import GroupQuery, Nothing, Text
from studio.services import engagement
from studio.services.api_keys import KeyIdentity, Scope
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
    db: Db,
    key: Annotated[KeyIdentity, Depends(with_scope(Scope.EVENTS_WRITE))],
    variant_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    _query: Nothing,
    body: EngagementBatch,
) -> dict[str, int]:
    """Report sends, deliveries, opens, clicks, conversions, unsubscribes and complaints, one
    event or a batch of up to 1000. Idempotent by event id. Needs `events:write`."""
    reports = [engagement.Report(event.id, event.type, event.occurred_at) for event in body.events]
    return dataclasses.asdict(engagement.record(db, key, variant_id, reports))


@router.get(
    "/variant-groups/{variant_group}", response_model=GroupFigures,
    responses={**ERRORS, **NOT_VISIBLE},
)  # fmt: skip
def group_figures(
    db: Db,
    key: Caller,
    variant_group: Annotated[Text, Path(min_length=1, max_length=120)],
    query: Annotated[GroupQuery, Query()],
) -> dict[str, object]:
    """Each variant's counts and rates, and the share of traffic to send it next."""
    figures = engagement.group_for_key(db, key, variant_group, brand=query.brand,
                                       success=query.success)  # fmt: skip
    return {"object": "variant_group", **dataclasses.asdict(figures)}
