"""`POST /v1/check`: lint any copy against a brand's rules, as `studio check` would."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from studio.api.access import with_scope
from studio.api.documents import ERRORS, CheckReport, CheckRequest, ErrorDocument
from studio.api.parameters import Nothing
from studio.services import linting
from studio.services.api_keys import KeyIdentity, Scope

router = APIRouter(prefix="/v1", tags=["checks"])


@router.post(
    "/check",
    response_model=CheckReport,
    responses={**ERRORS, 413: {"model": ErrorDocument, "description": "body over the limit"}},
)
def check(
    key: Annotated[KeyIdentity, Depends(with_scope(Scope.CHECKS_RUN))],
    _query: Nothing,
    body: CheckRequest,
) -> dict[str, object]:
    """The report of `studio check --format json`: verdict and findings with their spans.
    Nothing is saved."""
    return linting.check_for_key(key, brand=body.brand, channel=body.channel,
                                 fields=dict(body.fields), ident=body.id)  # fmt: skip
