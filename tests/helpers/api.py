"""The publishing API over a test database, driven through FastAPI's test client (real
routing, validation, middleware and error handlers; no network)."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi.testclient import TestClient

from studio.api.app import create_app
from studio.services import api_keys
from studio.store.db import Database

ALL_SCOPES = tuple(api_keys.SCOPES)


def make_key(db: Database, name: str = "engine", scopes: Iterable[str] = ALL_SCOPES,
             brands: Iterable[str] = ()) -> str:  # fmt: skip
    return api_keys.create_key(db, actor="ada", name=name, scopes=scopes, brands=brands).key


def client(db: Database, **options: object) -> TestClient:
    return TestClient(create_app(db, **options), raise_server_exceptions=False)  # type: ignore[arg-type]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
