"""`GET /v1/variants` and `GET /v1/variants/{id}`: the pull feed an engine syncs from.

Both routes are `async` and read on the event loop: each read is one or two indexed statements
on a connection the loop keeps (`Database.first`), which take less time than the trip to the
thread pool a sync route makes; engines poll these two far more than anything else. On
PostgreSQL a read blocks the loop for its round trip, which the pool's queueing would cost too.
Writes and checks stay sync routes, in the thread pool."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response

from studio.api.access import Token, admit
from studio.api.documents import ERRORS, ErrorDocument, Tombstone, VariantList, VariantResource
from studio.publishing.dialects import DIALECTS
from studio.services import feed
from studio.services.schemas import MAX_ID, FeedPage, VariantDocument

router = APIRouter(prefix="/v1/variants", tags=["variants"])
DialectQuery = Query(
    max_length=20,
    description=f"translate merge tags for one of: {', '.join(DIALECTS)}",
    json_schema_extra={"enum": list(DIALECTS)},
)
JSON = "application/json"


@router.get("", response_model=VariantList, responses=ERRORS)
async def list_variants(
    request: Request,
    token: Token,
    status: Annotated[
        Literal["approved", "revoked"],
        Query(
            description="approved: served copy plus tombstones of copy no longer served (what a "
            "sync wants); revoked: tombstones only"
        ),
    ] = "approved",
    brand: Annotated[str | None, Query(max_length=64)] = None,
    channel: Annotated[Literal["email", "sms", "ad"] | None, Query()] = None,
    campaign: Annotated[str | None, Query(max_length=120)] = None,
    variant_group: Annotated[str | None, Query(max_length=120)] = None,
    updated_since: Annotated[
        str | None,
        Query(
            max_length=40,
            description="ISO 8601; only changes at or after it",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_PAGE)] = feed.DEFAULT_PAGE,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
    dialect: Annotated[str | None, DialectQuery] = None,
) -> Response:
    """Approved copy and tombstones, in the order changes happened; page on with
    `next_cursor`, and come back later with the last cursor (or `updated_since`)."""
    db, key = admit(request, token)
    page = feed.list_variants(db, key, status=status, brand=brand, channel=channel,
                              campaign=campaign, variant_group=variant_group,
                              updated_since=updated_since, limit=limit, cursor=cursor,
                              dialect=dialect)  # fmt: skip
    return page_response(page)


@router.get(
    "/{variant_id}",
    response_model=VariantResource | Tombstone,
    responses={**ERRORS, 304: {"description": "not modified (If-None-Match)"},
               404: {"model": ErrorDocument, "description": "never approved, or not "
                     "visible to this key"}},
)  # fmt: skip
async def get_variant(
    request: Request,
    token: Token,
    variant_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    dialect: Annotated[str | None, DialectQuery] = None,
    if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """One variant: approved copy, or its tombstone. Send the ETag back as If-None-Match to get
    304 while it has not changed."""
    db, key = admit(request, token)
    return variant_response(feed.get_variant(db, key, variant_id, dialect=dialect), if_none_match)


def page_response(page: FeedPage) -> Response:
    """The page's pre-rendered documents joined into the list shape, without parsing them."""
    cursor_json = f'"{page.next_cursor}"' if page.next_cursor else "null"
    more = "true" if page.has_more else "false"
    body = (f'{{"object":"list","data":[{",".join(page.items)}],'
            f'"has_more":{more},"next_cursor":{cursor_json}}}')  # fmt: skip
    return Response(body.encode(), media_type=JSON)


def variant_response(document: VariantDocument, if_none_match: str | None) -> Response:
    headers = {"ETag": document.etag, "Cache-Control": "private, no-cache"}
    if if_none_match is not None and _matches(if_none_match, document.etag):
        return Response(status_code=304, headers=headers)
    return Response(document.body.encode(), media_type=JSON, headers=headers)


def _matches(header: str, etag: str) -> bool:
    """RFC 9110 If-None-Match: `*`, or a list of tags (weak comparison, as the RFC says)."""
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag in tags
