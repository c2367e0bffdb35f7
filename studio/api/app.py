"""The API application: routes, the error shape, the body limit and rate limits.
`from_settings` is uvicorn's factory (`studio api`); tests build one over their own database.

Routes that touch the database are sync, so they run in the thread pool (`STUDIO_API_THREADS`)
and the event loop never waits on the database. While it runs, keys' last use is written every
`STUDIO_API_KEY_USE_FLUSH_SECONDS` (and once more when it stops), off the read path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from importlib.metadata import version

import anyio
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from studio.api import checks, engagement, problems, variants, webhooks
from studio.api.access import Limiter, RateLimited, RateLimitHeaders, rate_limited
from studio.api.body_limit import BodyLimit
from studio.api.documents import Health
from studio.errors import StudioError
from studio.services import api_keys
from studio.services.workspace import Database, open_database
from studio.settings import settings

VERSION = version("content-studio")
log = logging.getLogger("studio.api")


def create_app(db: Database, *, rate: str | None = None, max_body: int | None = None) -> FastAPI:
    config = settings()
    app = FastAPI(
        title="Content studio publishing API",
        version=VERSION,
        description="Approved copy for automation engines: pull it, check copy, report results.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        lifespan=_running(db, config.api_threads, config.api_key_use_flush_seconds),
    )
    app.state.db = db
    app.state.limiter = Limiter(rate or config.api_rate_limit, config.api_auth_failure_limit,
                                config.api_rate_storage)  # fmt: skip
    problems.install(app)

    @app.exception_handler(RateLimited)
    async def too_many(_request: Request, exc: RateLimited) -> JSONResponse:
        return rate_limited(exc)

    @app.get("/v1/health", response_model=Health, tags=["health"])
    async def health() -> dict[str, str]:
        """Up and answering; needs no key and touches no database."""
        return {"status": "ok", "version": VERSION}

    app.include_router(variants.router)
    app.include_router(checks.router)
    app.include_router(engagement.router)
    app.include_router(webhooks.router)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(BodyLimit, max_bytes=max_body or config.api_max_body_bytes)
    return app


def _running(
    db: Database, threads: int, every: float
) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    """The app's life: its thread pool sized (fewer threads than anyio's 40 contend less for
    the interpreter and the database's connections), and keys' last use written meanwhile."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads

        async def flush_forever() -> None:
            while True:
                await asyncio.sleep(every)
                await _flush(db)

        task = asyncio.create_task(flush_forever())
        try:
            yield
        finally:
            task.cancel()
            await _flush(db)

    return lifespan


async def _flush(db: Database) -> None:
    try:
        await run_in_threadpool(api_keys.flush_use, db)
    except StudioError as exc:  # busy: the uses are kept for the next flush
        log.warning("API keys' last use not written yet: %s", exc.message)


def from_settings() -> FastAPI:
    """The app over the configured database (uvicorn calls this in each worker process)."""
    return create_app(open_database())
