"""The API as a service: health, the error shape, checks as a service, body limits, rate
limits, key management through the service layer, and keys kept out of logs."""

from __future__ import annotations

import logging

import pytest

from studio.errors import InvalidInput, Refused
from studio.services import api_keys, packs
from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CURE, approved

pytestmark = pytest.mark.usefixtures("rules_dir")


def test_health_needs_no_key_and_docs_describe_every_route(db: Database) -> None:
    api = client(db)
    assert api.get("/v1/health").json()["status"] == "ok"
    schema = api.get("/openapi.json").json()
    assert {"/v1/variants", "/v1/variants/{variant_id}", "/v1/check", "/v1/health"} <= set(
        schema["paths"]
    )
    assert api.get("/docs").status_code == 200


def test_unknown_routes_and_methods_use_the_one_error_shape(db: Database) -> None:
    api = client(db)
    for response, status in ((api.get("/v1/nothing"), 404), (api.delete("/v1/health"), 405)):
        assert response.status_code == status
        assert set(response.json()["error"]) == {"code", "message"}


def test_check_returns_exactly_the_report_studio_check_prints(db: Database) -> None:
    approved(db)  # the brand exists
    key = make_key(db, scopes=["checks:run"])
    api = client(db)
    fields = {"body": CURE}
    response = api.post("/v1/check", headers=bearer(key),
                        json={"brand": "brightleaf", "channel": "sms", "fields": fields,
                              "id": "c-1"})  # fmt: skip
    assert response.status_code == 200
    expected = packs.report_document("c-1", packs.brand_pack("brightleaf").check(
        packs.as_copy("sms", fields)))  # fmt: skip
    assert response.json() == expected
    assert expected["verdict"] == "block" and any(f["text"] == "cure" for f in expected["findings"])


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"brand": "brightleaf", "channel": "fax", "fields": {"body": "x"}}, 400, "channel"),
        ({"brand": "../../etc", "channel": "sms", "fields": {"body": "x"}}, 400, "brand"),
        ({"brand": "nobrand", "channel": "sms", "fields": {"body": "x"}}, 400, "no rule pack"),
        ({"brand": "brightleaf", "channel": "sms", "fields": {"body": ""}}, 400, "no text"),
        ({"brand": "brightleaf", "channel": "sms", "fields": {"bogus": "x"}}, 400, "bogus"),
        ({"brand": "brightleaf", "channel": "sms"}, 400, "fields"),
        ({"brand": "brightleaf", "channel": "sms", "fields": {"body": "x"}, "x": 1}, 400, "x"),
    ],
)
def test_bad_check_requests_are_400_naming_what_is_wrong(
    db: Database, body: dict, status: int, needle: str
) -> None:
    key = make_key(db, scopes=["checks:run"])
    response = client(db).post("/v1/check", headers=bearer(key), json=body)
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]["message"]


def test_malformed_hostile_and_oversized_bodies(db: Database) -> None:
    key = make_key(db, scopes=["checks:run"])
    api = client(db, max_body=4096)
    headers = {**bearer(key), "Content-Type": "application/json"}
    broken = api.post("/v1/check", headers=headers, content=b'{"brand": ')
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid-input"
    assert "not valid JSON (near character 10" in broken.json()["error"]["message"]
    big = api.post("/v1/check", headers=headers, content=b'{"a":"' + b"x" * 10_000 + b'"}')
    assert big.status_code == 413 and big.json()["error"]["code"] == "too-large"

    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    streamed = api.post("/v1/check", headers=headers, content=chunks())
    assert streamed.status_code == 413
    hostile = "<script>alert(1)</script> {{ 7*7 }} Ignore previous instructions \u202e\U0001f600"
    response = api.post("/v1/check", headers=headers,
                        json={"brand": "brightleaf", "channel": "sms",
                              "fields": {"body": hostile}, "id": hostile})  # fmt: skip
    assert response.status_code == 200 and response.json()["id"] == hostile


def test_a_nul_character_anywhere_is_a_400_not_a_database_error(db: Database) -> None:
    """PostgreSQL cannot store or compare NUL: found by the schemathesis run on PostgreSQL."""
    key = make_key(db, scopes=["variants:read", "events:write"])
    api = client(db)
    cases = [
        api.get("/v1/variant-groups/spring", params={"brand": "\x00"}, headers=bearer(key)),
        api.get("/v1/variant-groups/spr%00ing", headers=bearer(key)),
        api.get("/v1/variants", params={"campaign": "a\x00b"}, headers=bearer(key)),
        api.post("/v1/variants/1/events", headers=bearer(key),
                 json={"id": "evt\x00", "type": "send"}),
    ]  # fmt: skip
    for response in cases:
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid-input"
    assert "NUL" in cases[0].json()["error"]["message"]


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(db: Database) -> None:
    approved(db)
    api = client(db, rate="3/minute")
    one, other = make_key(db, name="one"), make_key(db, name="other")
    statuses = [api.get("/v1/variants", headers=bearer(one)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/v1/variants", headers=bearer(one))
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["error"]["code"] == "rate-limited"
    fine = api.get("/v1/variants", headers=bearer(other))
    assert fine.status_code == 200 and fine.headers["RateLimit-Limit"] == "3"
    assert fine.headers["RateLimit-Remaining"] == "2"


def test_keys_are_for_admins_hashed_prefixed_and_audited(db: Database) -> None:
    approved(db)
    issued = api_keys.create_key(db, actor="ada", name="braze-prod", scopes=["variants:read"],
                                 brands=["brightleaf"])  # fmt: skip
    assert issued.key.startswith("studio_key_") and len(issued.key) > 50
    assert issued.view.prefix == issued.key[: len("studio_key_") + 6]
    from sqlmodel import select

    from studio.store.models import ApiKey, AuditEvent

    with db.read() as session:
        row = session.exec(select(ApiKey)).one()
        assert issued.key not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
        actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "apikey.create" in actions
    for actor in ("wendy", "rita"):
        with pytest.raises(Refused, match="manage API keys"):
            api_keys.create_key(db, actor=actor, name="mine", scopes=["variants:read"])
        with pytest.raises(Refused):
            api_keys.list_keys(db, actor=actor)
    for bad, match in ((dict(name="Bad Name", scopes=["variants:read"]), "key name"),
                       (dict(name="k", scopes=["everything"]), "scope"),
                       (dict(name="k", scopes=[]), "scope"),
                       (dict(name="k", scopes=["variants:read"], brands=["nope"]), "no rule pack"),
                       (dict(name="braze-prod", scopes=["variants:read"]), "exists")):  # fmt: skip
        with pytest.raises(InvalidInput, match=match):
            api_keys.create_key(db, actor="ada", **bad)  # type: ignore[arg-type]
    (listed,) = api_keys.list_keys(db, actor="ada")
    assert listed.state == "active" and listed.brands == ["brightleaf"]
    api = client(db)
    assert api.get("/v1/variants", headers=bearer(issued.key)).status_code == 200
    assert api_keys.list_keys(db, actor="ada")[0].last_used_at is None  # noted, not yet written
    assert api_keys.flush_use(db) == 1
    assert api_keys.list_keys(db, actor="ada")[0].last_used_at is not None
    api_keys.revoke_key(db, actor="ada", name="braze-prod")
    assert api.get("/v1/variants", headers=bearer(issued.key)).status_code == 401
    with pytest.raises(InvalidInput, match="no active API key"):
        api_keys.revoke_key(db, actor="ada", name="braze-prod")


def test_keys_never_reach_the_logs(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    approved(db)
    key = make_key(db)
    api = client(db)
    caplog.set_level(logging.DEBUG)
    api.get("/v1/variants", headers=bearer(key))
    api.get("/v1/variants", headers=bearer(key + "x"))
    api.get("/v1/variants/1?cursor=zz", headers=bearer(key))
    assert caplog.records  # httpx and the app did log something
    assert all(key[12:] not in record.getMessage() for record in caplog.records)
