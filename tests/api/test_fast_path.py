"""The feed's fast path and the API process's read cache: the same answers as the FastAPI
routes, no statement for a repeated read, and nothing served after a change another connection
committed (a revoked key or copy is refused on the very next request)."""

from __future__ import annotations

import asyncio
import functools

import pytest
from sqlalchemy import event, text

from studio.services import api_keys, review
from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.usefixtures("rules_dir")


def statements(db: Database) -> list[str]:
    """Every statement SQLAlchemy sends on the API's kept connections from now on."""
    seen: list[str] = []
    event.listen(db._kept_engine.engine, "before_cursor_execute",
                 lambda *args: seen.append(args[2]))  # fmt: skip
    return seen


def same_schema(db: Database) -> dict[str, object]:
    if db.is_sqlite:
        return {}
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    return {"connect_args": {"options": f"-csearch_path={schema}"}}


def test_the_fast_path_answers_as_the_routes_do(db: Database) -> None:
    variant = approved(db)
    key = make_key(db, scopes=["variants:read"])
    api = client(db)
    fast = api.get("/v1/variants?limit=50", headers=bearer(key))
    routed = api.get("/v1/variants?limit=50&status=approved", headers=bearer(key))  # FastAPI's
    assert fast.status_code == routed.status_code == 200
    assert fast.content == routed.content
    assert {name for name in fast.headers if name != "ratelimit-remaining"} == {
        name for name in routed.headers if name != "ratelimit-remaining"}  # fmt: skip
    remaining = [int(answer.headers["ratelimit-remaining"]) for answer in (fast, routed)]
    assert remaining[0] == remaining[1] + 1
    one = api.get(f"/v1/variants/{variant.id}", headers=bearer(key))
    assert one.json() == fast.json()["data"][0] and one.headers["ratelimit-limit"]
    again = api.get(f"/v1/variants/{variant.id}",
                    headers={**bearer(key), "If-None-Match": one.headers["ETag"]})  # fmt: skip
    assert again.status_code == 304 and again.headers["ETag"] == one.headers["ETag"]


def test_anything_unusual_is_left_to_fastapi(db: Database) -> None:
    approved(db)
    key = make_key(db, scopes=["variants:read"])
    api = client(db)
    for query, name in (("limit=50&limt=5", "limt"), ("limit=050x", "limit"),
                        ("limit=201", "limit"), ("cursor=%00", "cursor")):  # fmt: skip
        response = api.get(f"/v1/variants?{query}", headers=bearer(key))
        assert response.status_code == 400 and name in response.json()["error"]["message"], query
    refused = api.get("/v1/variants", headers={"Authorization": "Basic abc"})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
    huge = api.get("/v1/variants/1", headers={**bearer(key), "If-None-Match": "x" * 1001})
    assert huge.status_code == 400 and "if-none-match" in huge.text.lower()


def test_the_fast_path_keeps_the_rate_limit(db: Database) -> None:
    approved(db)
    key = make_key(db, scopes=["variants:read"])
    api = client(db, rate="2/minute")
    answers = [api.get("/v1/variants", headers=bearer(key)) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert answers[2].json()["error"]["code"] == "rate-limited"


def test_a_repeated_read_runs_no_statement_until_something_commits(db: Database) -> None:
    variant = approved(db)
    key = make_key(db, scopes=["variants:read"])
    path, headers = f"/v1/variants/{variant.id}", bearer(key)
    with client(db) as api:  # one event loop for every request, as uvicorn runs one
        assert api.get(path, headers=headers).status_code == 200  # the key's last use is written
        assert api.get(path, headers=headers).status_code == 200
        seen = statements(db)
        assert api.get(path, headers=headers).json()["status"] == "approved"
        assert seen == []  # key and copy from the cache; the change check goes to the driver
        review.revoke(db, variant.id, actor="rita", comment="claim withdrawn by legal")
        assert api.get(path, headers=headers).json()["status"] == "revoked"
        assert len(seen) == 2  # the key and the copy, read again


def test_a_key_revoked_elsewhere_is_refused_on_the_next_request(db: Database) -> None:
    approved(db)
    key = make_key(db, name="engine", scopes=["variants:read"])
    api = client(db)
    for _ in range(3):
        assert api.get("/v1/variants", headers=bearer(key)).status_code == 200
    api_keys.revoke_key(db, actor="ada", name="engine")
    assert api.get("/v1/variants", headers=bearer(key)).status_code == 401


def test_the_cache_drops_its_oldest_entry_past_the_limit(db: Database) -> None:
    db._cache_limit = 2
    reads: list[str] = []

    def read(name: str) -> str:
        reads.append(name)
        return name.upper()

    async def on_the_loop() -> list[str]:
        names = ("a", "b", "a", "c", "a", "c")
        return [db.cached(name, functools.partial(read, name)) for name in names]

    assert asyncio.run(on_the_loop()) == ["A", "B", "A", "C", "A", "C"]
    assert reads == ["a", "b", "c", "a"]  # "c" pushed "a" out; "b" went when "a" came back
    assert db.cached("a", lambda: read("x")) == "X"  # off the event loop it always reads


def test_copy_changed_by_another_process_is_never_served_stale(db: Database) -> None:
    variant = approved(db, CLEAN)
    key = make_key(db, scopes=["variants:read"])
    api = client(db)
    path = f"/v1/variants/{variant.id}"
    assert api.get(path, headers=bearer(key)).json()["version"] == 1
    other = Database(db.url, **same_schema(db))  # a second engine, as another process has
    try:
        review.edit(other, variant.id, actor="wendy",
                    fields={"body": CLEAN.replace("routine", "day")})  # fmt: skip
    finally:
        other.dispose()
    assert api.get(path, headers=bearer(key)).json()["status"] == "revoked"
