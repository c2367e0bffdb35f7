"""One JSON shape for every error the API returns: `{"error": {"code", "message"}}`, with the
status the service layer's error kind maps to (`errors.HTTP_STATUSES`). Never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from guardrails import RulePackError
from studio.errors import HTTP_STATUSES, InvalidInput, NotAuthenticated, StudioError

log = logging.getLogger("studio.api")

_HTTP_CODES = {404: "not-found", 405: "method-not-allowed", 413: "too-large",
               429: "rate-limited", 400: "invalid-input"}  # fmt: skip


def problem(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status, headers=headers)


def for_error(exc: StudioError | RulePackError) -> JSONResponse:
    """The answer to an error the service layer raised (or a brand's rules that do not load)."""
    if isinstance(exc, RulePackError):
        return problem(503, "rules-broken", f"the brand's rules do not load: {exc}")
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, NotAuthenticated) else None
    return problem(HTTP_STATUSES[exc.code], exc.code, exc.message, headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StudioError)
    async def studio_error(_request: Request, exc: StudioError) -> JSONResponse:
        return for_error(exc)

    @app.exception_handler(RulePackError)
    async def broken_pack(_request: Request, exc: RulePackError) -> JSONResponse:
        return for_error(exc)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first: dict[str, Any] = dict(errors[0]) if errors else {"loc": (), "msg": "bad request"}
        if first.get("type") == "json_invalid":
            at = first["loc"][-1] if first.get("loc") else "?"
            why = (first.get("ctx") or {}).get("error", "malformed")
            return problem(400, InvalidInput.code, f"the body is not valid JSON (near character "
                           f"{at}: {why})")  # fmt: skip
        loc = tuple(first.get("loc", ()))
        if first.get("type") == "extra_forbidden" and loc[:1] == ("query",):
            return problem(400, InvalidInput.code, f"query parameter {loc[-1]!r} is not one "
                           "this endpoint takes (see /docs)")  # fmt: skip
        said = str(first["msg"]).removeprefix("Value error, ")
        if loc[:1] == ("query",) and len(loc) == 2:  # one parameter of the route's query model
            return problem(400, InvalidInput.code, f"query parameter {loc[1]!r}: {said}")
        where = ".".join(str(part) for part in loc)
        message = f"{where}: {said}" if where else said
        return problem(400, InvalidInput.code, message)

    @app.exception_handler(HTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        return problem(exc.status_code, code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s: %r", request.method, request.url.path, exc)
        return problem(500, "error", "the studio failed to answer; the error was logged")
