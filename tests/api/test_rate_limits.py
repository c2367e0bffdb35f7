"""Rate limits that hold across processes: counted in Redis when the settings say so (two API
apps over one database stand for two processes), and failed authentication limited per client
address, so guessing keys costs the guesser."""

from __future__ import annotations

import os
import uuid

import pytest
import redis

from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import approved

pytestmark = pytest.mark.usefixtures("rules_dir")
REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def redis_problem() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"no Redis server answers at {REDIS_URL} ({type(exc).__name__})"
    return None


def test_two_processes_sharing_redis_share_one_limit(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    problem = redis_problem()
    if problem:
        pytest.skip(problem)
    monkeypatch.setenv("STUDIO_API_RATE_STORAGE", REDIS_URL)
    approved(db)
    key = make_key(db, name=f"engine-{uuid.uuid4().hex[:12]}")  # counts outlive the test
    first, second = client(db, rate="4/minute"), client(db, rate="4/minute")
    statuses = [api.get("/v1/variants", headers=bearer(key)).status_code
                for api in (first, second, first, second, first, second)]  # fmt: skip
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_in_memory_each_process_counts_alone(db: Database) -> None:
    approved(db)
    key = make_key(db)
    first, second = client(db, rate="2/minute"), client(db, rate="2/minute")
    statuses = [api.get("/v1/variants", headers=bearer(key)).status_code
                for api in (first, second, first, second, first)]  # fmt: skip
    assert statuses == [200, 200, 200, 200, 429]


def test_failed_authentication_is_limited_per_client_address(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STUDIO_API_AUTH_FAILURE_LIMIT", "3/minute")
    approved(db)
    good = make_key(db)
    api = client(db)
    guesses = [api.get("/v1/variants", headers=bearer(f"studio_key_guess{n}")) for n in range(3)]
    assert [guess.status_code for guess in guesses] == [401, 401, 401]
    refused = api.get("/v1/variants", headers=bearer(good))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "failed authentication from this address" in refused.json()["error"]["message"]
    assert api.get("/v1/health").status_code == 200  # needs no key: never limited
