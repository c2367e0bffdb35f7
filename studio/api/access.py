"""Who is calling: the `Authorization: Bearer <key>` header turned into the key's identity by
the service layer, within the key's rate limit, as a FastAPI dependency (`Caller`), so it is
resolved before the body is read: a key without the scope is told so before a bad body is.
Keys never reach a log: uvicorn's access log prints the request line only, and no handler here
logs headers.

Limits are counted in the `limits` storage the settings name: this process's memory by default,
or Redis, so several API processes share one count. Failed authentication is limited per
client address, so guessing keys costs the guesser, not the studio."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from studio.api import problems
from studio.errors import NotAuthenticated
from studio.services import api_keys
from studio.services.api_keys import KeyIdentity, Scope
from studio.services.workspace import Database

_bearer = HTTPBearer(auto_error=False, description="an API key: studio_key_...")


class RateLimited(Exception):
    def __init__(self, retry_after: int, limit: RateLimitItem, who: str):
        self.retry_after, self.limit, self.who = retry_after, limit, who


class Limiter:
    """Request limits per key and failed sign-ins per client address: the `limits` library's
    sliding-window counter (two counters per key, where a moving window keeps every hit)."""

    def __init__(self, rate: str, failures: str, storage: str = "memory://"):
        self.item, self.failures = parse(rate), parse(failures)
        self._limiter = SlidingWindowCounterRateLimiter(_storage(storage))

    def hit(self, key_name: str) -> list[tuple[bytes, bytes]]:
        """Count one request of a key; its `RateLimit-*` headers, or RateLimited."""
        allowed = self._limiter.hit(self.item, "key", key_name)
        stats = self._limiter.get_window_stats(self.item, "key", key_name)
        reset = max(0, math.ceil(stats.reset_time - time.time()))
        if not allowed:
            raise RateLimited(max(1, reset), self.item, "this API key")
        return [
            (b"ratelimit-limit", str(self.item.amount).encode()),
            (b"ratelimit-remaining", str(stats.remaining).encode()),
            (b"ratelimit-reset", str(reset).encode()),
        ]

    def refuse_if_failing(self, client: str) -> None:
        """RateLimited if the address used up its failed attempts (tested, not counted)."""
        if not self._limiter.test(self.failures, "failed", client):
            stats = self._limiter.get_window_stats(self.failures, "failed", client)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
            raise RateLimited(retry, self.failures, "failed authentication from this address")

    def failed(self, client: str) -> None:
        self._limiter.hit(self.failures, "failed", client)


def _storage(uri: str) -> Storage:
    backend = storage_from_string(uri)
    assert isinstance(backend, Storage)  # a synchronous storage: the settings name no async://
    return backend


def rate_limited(exc: RateLimited) -> JSONResponse:
    message = f"{exc.who} may make {exc.limit}; try again in {exc.retry_after} s"
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


async def database(request: Request) -> Database:
    """The app's database (async: it does no I/O, so FastAPI calls it without a thread)."""
    db: Database = request.app.state.db
    return db


def admit(
    request: Request, db: Database, credentials: HTTPAuthorizationCredentials | None
) -> KeyIdentity:
    """The presented key's identity, within its rate limit; failed attempts are counted
    against the client's address. It looks the key up in the database, so it runs in the
    thread pool: the feed's reads call it inside their own trip there (a dependency of its
    own would cost a second trip, which on this machine took a trivial route from 2,600 to
    1,860 requests a second); every other route takes it as the `Caller` dependency."""
    limiter: Limiter = request.app.state.limiter
    client = request.client.host if request.client else "unknown"
    limiter.refuse_if_failing(client)
    if credentials is None or credentials.scheme.lower() != "bearer":
        limiter.failed(client)
        raise NotAuthenticated("send an API key as 'Authorization: Bearer studio_key_...'")
    try:
        key = api_keys.authenticate(db, credentials.credentials)
    except NotAuthenticated:
        limiter.failed(client)
        raise
    request.state.rate_headers = limiter.hit(key.name)
    return key


Token = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
Db = Annotated[Database, Depends(database)]


def caller(request: Request, db: Db, credentials: Token) -> KeyIdentity:
    """`admit` as a dependency: resolved before the body is read."""
    return admit(request, db, credentials)


def with_scope(scope: Scope) -> Callable[[KeyIdentity], Awaitable[KeyIdentity]]:
    """A dependency: the caller, refused unless its key has `scope` (before the body is read)."""

    async def scoped(key: Annotated[KeyIdentity, Depends(caller)]) -> KeyIdentity:
        key.require(scope)
        return key

    return scoped


Caller = Annotated[KeyIdentity, Depends(caller)]
