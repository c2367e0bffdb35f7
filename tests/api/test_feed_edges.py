"""What an engine meets at the feed's edges: one untranslatable variant never stalls a sync,
HEAD answers like GET, a cursor is only what the studio gave out, a key is refused before its
body is read, and an unknown parameter is named."""

from __future__ import annotations

import base64

import pytest

from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.usefixtures("rules_dir")
FILTERED = ("Brightleaf: {{ first_name | upcase }}, our vitamins support your routine. Reply STOP "
            "to opt out")  # fmt: skip


def test_an_untranslatable_variant_is_served_with_its_error_and_the_feed_pages_on(
    db: Database,
) -> None:
    first = approved(db, CLEAN.replace("routine", "day"))
    bad = approved(db, FILTERED)
    last = approved(db, CLEAN.replace("routine", "week"))
    key, api = make_key(db), client(db)
    seen, cursor, counted = [], None, 0
    while True:
        params = {"dialect": "braze", "limit": 1, **({"cursor": cursor} if cursor else {})}
        response = api.get("/v1/variants", params=params, headers=bearer(key))
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["data"]
        counted += page["untranslatable"]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert [item["id"] for item in seen] == [first.id, bad.id, last.id] and counted == 1
    refused = seen[1]
    assert "fields" not in refused and refused["status"] == "approved"
    assert refused["error"]["code"] == "untranslatable" and refused["error"]["field"] == "body"
    assert refused["error"]["tag"] == "{{ first_name | upcase }}"
    assert refused["error"]["dialect"] == "braze" and refused["dialect"] == "braze"
    assert "fields" in seen[0] and seen[0]["dialect"] == "braze"
    one = api.get(f"/v1/variants/{bad.id}", params={"dialect": "braze"}, headers=bearer(key))
    assert one.status_code == 200 and one.json() == refused
    studio = api.get(f"/v1/variants/{bad.id}", headers=bearer(key)).json()
    assert studio["fields"]["body"] == FILTERED and "error" not in studio  # its own syntax
    assert one.headers["ETag"] != api.get(f"/v1/variants/{bad.id}", headers=bearer(key)).headers[
        "ETag"]  # fmt: skip


def test_head_answers_as_get_does_without_a_body(db: Database) -> None:
    variant = approved(db)
    key, api = make_key(db), client(db)
    for path in ("/v1/variants", f"/v1/variants/{variant.id}"):
        got, head = api.get(path, headers=bearer(key)), api.head(path, headers=bearer(key))
        assert head.status_code == got.status_code == 200 and head.content == b""
        assert head.headers.get("ETag") == got.headers.get("ETag")
    assert api.head("/v1/variants").status_code == 401


def test_a_cursor_is_only_what_the_studio_gave_out(db: Database) -> None:
    approved(db)
    key, api = make_key(db), client(db)
    for forged in ('{"seq": true}', '{"seq": "3"}', '{"seq": 1.0}', '{"seq": 1, "x": 2}'):
        token = base64.urlsafe_b64encode(forged.encode()).decode().rstrip("=")
        response = api.get("/v1/variants", params={"cursor": token}, headers=bearer(key))
        assert response.status_code == 400, forged
        assert "cursor" in response.json()["error"]["message"]


def test_a_key_without_the_scope_is_refused_before_its_body_is_read(db: Database) -> None:
    reader = make_key(db, "reader", scopes=["variants:read"])
    api = client(db)
    for path, body in (("/v1/check", {"brand": 1}), ("/v1/variants/1/events", {"id": ""})):
        response = api.post(path, headers=bearer(reader), json=body)
        assert response.status_code == 403, (path, response.text)
        assert "lacks the" in response.json()["error"]["message"]
    assert api.post("/v1/check", json={"brand": 1}).status_code == 401


@pytest.mark.parametrize("path", ["/v1/variants?limt=5", "/v1/variants/1?dialekt=braze",
                                  "/v1/webhooks?x=1", "/v1/variant-groups/g?brnd=x"])  # fmt: skip
def test_an_unknown_query_parameter_is_refused_by_name(db: Database, path: str) -> None:
    approved(db)
    key, api = make_key(db), client(db)
    response = api.get(path, headers=bearer(key))
    assert response.status_code == 400
    wrong = path.split("?")[1].split("=")[0]
    assert response.json()["error"]["message"] == (
        f"query parameter {wrong!r} is not one this endpoint takes (see /docs)")  # fmt: skip


def test_a_bad_query_value_is_named_by_its_parameter(db: Database) -> None:
    key, api = make_key(db), client(db)
    cases = {
        ("brand", "a\x00b"): "query parameter 'brand': holds a NUL character",
        ("limit", "0"): "query parameter 'limit': Input should be greater than or equal to 1",
    }
    for (name, value), message in cases.items():
        response = api.get("/v1/variants", params={name: value}, headers=bearer(key))
        assert response.status_code == 400 and response.json()["error"]["message"] == message
