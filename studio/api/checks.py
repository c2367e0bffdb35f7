"""`POST /v1/check`: lint any copy against a brand's rules, as `studio check` would."""

from __future__ import annotations

from fastapi import APIRouter, Request

from studio.api.access import Token, admit
from studio.api.documents import ERRORS, CheckReport, CheckRequest, ErrorDocument
from studio.services import linting

router = APIRouter(prefix="/v1", tags=["checks"])


@router.post(
    "/check",
    response_model=CheckReport,
    responses={**ERRORS, 413: {"model": ErrorDocument, "description": "body over the limit"}},
)
def check(request: Request, token: Token, body: CheckRequest) -> dict[str, object]:
    """The report of `studio check --format json`: verdict and findings with their spans.
    Nothing is saved."""
    _db, key = admit(request, token)
    return linting.check_for_key(key, brand=body.brand, channel=body.channel,
                                 fields=dict(body.fields), ident=body.id)  # fmt: skip
