"""Who is calling: the `Authorization: Bearer <key>` header turned into the key's identity by
the service layer, then the key's rate limit. Keys never reach a log: uvicorn's access log
prints the request line only, and no handler here logs headers."""

from __future__ import annotations

import math
import time
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from starlette.datastructures import State

from studio.api import problems
from studio.errors import NotAuthenticated
from studio.services import api_keys
from studio.services.api_keys import KeyIdentity
from studio.services.workspace import Database

_bearer = HTTPBearer(auto_error=False, description="an API key: studio_key_...")


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: RateLimitItem):
        self.retry_after, self.limit = retry_after, limit


class Limiter:
    """Per-key request limits in this process: the `limits` library's sliding-window counter
    (two counters per key, where a moving window keeps every hit's timestamp)."""

    def __init__(self, rate: str):
        self.item = parse(rate)
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def hit(self, key_name: str) -> list[tuple[bytes, bytes]]:
        """Count one request; its `RateLimit-*` headers, or RateLimited."""
        allowed = self._limiter.hit(self.item, key_name)
        stats = self._limiter.get_window_stats(self.item, key_name)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        if not allowed:
            raise RateLimited(max(1, reset), self.item)
        return [
            (b"ratelimit-limit", str(self.item.amount).encode()),
            (b"ratelimit-remaining", str(stats.remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]


def rate_limited(exc: RateLimited) -> JSONResponse:
    message = f"this API key may make {exc.limit}; try again in {exc.retry_after} s"
    return problems.problem(429, "rate-limited", message, {"Retry-After": str(exc.retry_after)})


class RateLimitHeaders:
    """Adds the `RateLimit-*` headers `Limiter.hit` left in the request state to the response,
    whichever way the route built it (the feed returns pre-rendered bytes)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                extra = scope.get("state", {}).get("rate_headers")
                if extra:
                    message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def admit(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> tuple[Database, KeyIdentity]:
    """The database and the presented key's identity, within its rate limit. Each route calls
    this first, in its own worker thread: as a sync dependency it would cost a second trip to
    the thread pool, which is more than the key lookup itself."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("send an API key as 'Authorization: Bearer studio_key_...'")
    db, key, request.state.rate_headers = authorise(request.app.state, credentials.credentials)
    return db, key


def authorise(
    state: State, presented: str
) -> tuple[Database, KeyIdentity, list[tuple[bytes, bytes]]]:
    """The app's database, the key's identity and its rate-limit headers (`admit` without
    FastAPI's request, for the feed's fast path)."""
    db: Database = state.db
    key = api_keys.authenticate(db, presented)
    limiter: Limiter = state.limiter
    return db, key, limiter.hit(key.name)


Token = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
