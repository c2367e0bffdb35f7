"""The API application: routes, the error shape, the body limit and per-key rate limits.
`from_settings` is uvicorn's factory (`studio api`); tests build one over their own database."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from studio.api import checks, engagement, problems, variants, webhooks
from studio.api.access import Limiter, RateLimited, RateLimitHeaders, rate_limited
from studio.api.body_limit import BodyLimit
from studio.api.documents import Health
from studio.api.fast_path import FeedFastPath
from studio.api.query_params import known_query_only
from studio.services.workspace import Database, open_database
from studio.settings import settings

VERSION = version("content-studio")


def create_app(db: Database, *, rate: str | None = None, max_body: int | None = None) -> FastAPI:
    config = settings()
    app = FastAPI(
        title="Content studio publishing API",
        version=VERSION,
        description="Approved copy for automation engines: pull it, check copy, report results.",
        docs_url="/docs",
        openapi_url="/openapi.json",
        dependencies=[Depends(known_query_only)],
    )
    app.state.db = db
    app.state.limiter = Limiter(rate or config.api_rate_limit)
    limit = max_body or config.api_max_body_bytes
    problems.install(app)

    @app.exception_handler(RateLimited)
    async def too_many(_request: Request, exc: RateLimited) -> JSONResponse:
        return rate_limited(exc)

    @app.get("/v1/health", response_model=Health, tags=["health"])
    async def health() -> dict[str, str]:
        """Up and answering; needs no key."""
        return {"status": "ok", "version": VERSION}

    app.include_router(variants.router)
    app.include_router(checks.router)
    app.include_router(engagement.router)
    app.include_router(webhooks.router)
    app.add_middleware(FeedFastPath, state=app.state)
    app.add_middleware(RateLimitHeaders)
    app.add_middleware(BodyLimit, max_bytes=limit)
    return app


def from_settings() -> FastAPI:
    """The app over the configured database (uvicorn calls this in each worker process)."""
    return create_app(open_database())
