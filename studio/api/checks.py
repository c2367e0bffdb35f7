"""`POST /v1/check`: lint any copy against a brand's rules, as `studio check` would."""

from __future__ import annotations

from fastapi import APIRouter

from studio.api.access import Caller
from studio.api.documents import ERRORS, CheckReport, CheckRequest, ErrorDocument
from studio.services import linting

router = APIRouter(prefix="/v1", tags=["checks"])


@router.post(
    "/check",
    response_model=CheckReport,
    responses={**ERRORS, 413: {"model": ErrorDocument, "description": "body over the limit"}},
)
def check(request: CheckRequest, key: Caller) -> dict[str, object]:
    """The report of `studio check --format json`: verdict and findings with their spans.
    Nothing is saved."""
    return linting.check_for_key(key, brand=request.brand, channel=request.channel,
                                 fields=dict(request.fields), ident=request.id)  # fmt: skip
