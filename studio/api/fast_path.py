"""The two reads engines poll most, answered before FastAPI routes them: `GET /v1/variants/{id}`
with no query, and `GET /v1/variants` with at most `limit` and `cursor`. FastAPI's routing,
parameter validation and dependency resolution cost several times the cached read itself.

Only requests whose every part is plainly valid are taken here, and they go through the same
service calls, rate limit and answers as the routes (`access.authorise`, `feed`, the routes'
`page_response` and `variant_response`, `problems.for_error`). Anything else (another
parameter, a value FastAPI would refuse, no bearer key) passes on to FastAPI untouched, which
answers it the documented way: the OpenAPI schema still describes every answer given here."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl

from starlette.datastructures import State
from starlette.responses import Response

from guardrails import RulePackError
from studio.api import access, problems, variants
from studio.api.body_limit import ASGIApp, Receive, Scope, Send
from studio.errors import StudioError
from studio.services import feed
from studio.services.api_keys import KeyIdentity
from studio.services.schemas import MAX_ID
from studio.services.workspace import Database

_ONE = re.compile(r"/v1/variants/([1-9][0-9]{0,18})")
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_PAGE_PARAMETERS = frozenset({"limit", "cursor"})
_MAX_CURSOR, _MAX_ETAGS = 200, 1000  # the routes' max_length for each
Read = Callable[[Database, KeyIdentity], Response]


class FeedFastPath:
    def __init__(self, app: ASGIApp, state: State):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        taken = scope["type"] == "http" and scope["method"] == "GET"
        answer = self._answer(scope) if taken else None
        if answer is None:
            await self.app(scope, receive, send)
        else:
            await answer(scope, receive, send)

    def _answer(self, scope: Scope) -> Response | None:
        """The answer, or None for FastAPI to give it."""
        presented, if_none_match = _headers(scope)
        read = _read_for(scope, if_none_match)
        if presented is None or read is None:
            return None
        try:
            db, key, scope.setdefault("state", {})["rate_headers"] = access.authorise(
                self.state, presented
            )
            return read(db, key)
        except access.RateLimited as exc:
            return access.rate_limited(exc)
        except (StudioError, RulePackError) as exc:
            return problems.for_error(exc)


def _read_for(scope: Scope, if_none_match: str | None) -> Read | None:
    """What the request asks to read, if it is one taken here."""
    path: str = scope["path"]
    one = _ONE.fullmatch(path)
    if one is not None:
        variant_id = int(one.group(1))
        if scope["query_string"] or variant_id > MAX_ID:
            return None
        if if_none_match is not None and len(if_none_match) > _MAX_ETAGS:
            return None
        return lambda db, key: variants.variant_response(
            feed.get_variant(db, key, variant_id), if_none_match
        )
    page = _page_parameters(scope["query_string"]) if path == "/v1/variants" else None
    if page is None:
        return None
    limit, cursor = page
    return lambda db, key: variants.page_response(
        feed.list_variants(db, key, limit=limit, cursor=cursor)
    )


def _page_parameters(query_string: bytes) -> tuple[int, str | None] | None:
    """`limit` and `cursor`, each at most once and well formed, or None."""
    try:
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True,
                          strict_parsing=bool(query_string))  # fmt: skip
    except ValueError:
        return None
    given = dict(pairs)
    if len(given) != len(pairs) or not _PAGE_PARAMETERS.issuperset(given):
        return None
    limit, cursor = given.get("limit", str(feed.DEFAULT_PAGE)), given.get("cursor")
    if not _LIMIT.fullmatch(limit) or int(limit) > feed.MAX_PAGE:
        return None
    if cursor is not None and (len(cursor) > _MAX_CURSOR or "\x00" in cursor):
        return None
    return int(limit), cursor


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The bearer key and If-None-Match, each the first given (as Starlette reads them)."""
    authorization = if_none_match = None
    for name, value in scope["headers"]:
        if name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
        elif name == b"if-none-match" and if_none_match is None:
            if_none_match = value.decode("latin-1")
    if authorization is None:
        return None, if_none_match
    scheme, _, credentials = authorization.partition(" ")
    return (credentials if scheme.lower() == "bearer" and credentials else None), if_none_match
