"""`GET /v1/variants` and `GET /v1/variants/{id}`: the pull feed an engine syncs from.

Sync routes, so FastAPI runs them in its thread pool: a read that waits on the database (a
SQLite writer holding its lock, a PostgreSQL round trip) never holds up the event loop, and
`/v1/health` answers while it waits. Each makes one trip there, authentication included
(`access.admit`). Each read joins documents rendered when the copy last changed
(`services/feed`), so the route only frames them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from studio.api.access import Db, Token, admit
from studio.api.documents import (
    ERRORS,
    ErrorDocument,
    Tombstone,
    Untranslated,
    VariantList,
    VariantResource,
)
from studio.api.parameters import FeedQuery, VariantQuery
from studio.services import feed
from studio.services.schemas import MAX_ID, FeedPage, VariantDocument

router = APIRouter(prefix="/v1/variants", tags=["variants"])
JSON = "application/json"


def list_variants(
    request: Request, db: Db, token: Token, query: Annotated[FeedQuery, Query()]
) -> Response:
    """Approved copy and tombstones, in the order changes happened; page on with
    `next_cursor`, and come back later with the last cursor (or `updated_since`)."""
    key = admit(request, db, token)
    return page_response(feed.list_variants(db, key, **query.model_dump()))


def get_variant(
    request: Request,
    db: Db,
    token: Token,
    variant_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    query: Annotated[VariantQuery, Query()],
    if_none_match: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """One variant: approved copy, or its tombstone. Send the ETag back as If-None-Match to get
    304 while it has not changed."""
    key = admit(request, db, token)
    document = feed.get_variant(db, key, variant_id, dialect=query.dialect)
    return variant_response(document, if_none_match)


ONE: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    304: {"description": "not modified (If-None-Match)"},
    404: {"model": ErrorDocument, "description": "never approved, or not visible to this key"},
}
router.add_api_route("", list_variants, methods=["GET"], response_model=VariantList,
                     responses=ERRORS)  # fmt: skip
router.add_api_route("/{variant_id}", get_variant, methods=["GET"], responses=ONE,
                     response_model=VariantResource | Untranslated | Tombstone)  # fmt: skip
# HEAD answers as GET does, without the body (uvicorn drops it): an engine may probe with it.
router.add_api_route("", list_variants, methods=["HEAD"], include_in_schema=False)
router.add_api_route("/{variant_id}", get_variant, methods=["HEAD"], include_in_schema=False)


def page_response(page: FeedPage) -> Response:
    """The page's pre-rendered documents joined into the list shape, without parsing them."""
    cursor_json = f'"{page.next_cursor}"' if page.next_cursor else "null"
    more = "true" if page.has_more else "false"
    body = (f'{{"object":"list","data":[{",".join(page.items)}],"has_more":{more},'
            f'"next_cursor":{cursor_json},"untranslatable":{page.untranslatable}}}')  # fmt: skip
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
