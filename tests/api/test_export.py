"""`studio variants export`: a signed-in user takes the approved set by file, exactly as the
feed serves it (no drafts, no tombstones), with merge tags in an engine's dialect."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput, Refused
from studio.services import feed, review
from studio.store.db import Database
from tests.helpers.api import bearer, client, make_key
from tests.helpers.variants import CLEAN, approved, draft

pytestmark = pytest.mark.usefixtures("rules_dir")
PERSONAL = "Brightleaf: {{ first_name }}, our vitamins support your routine. Reply STOP to opt out"
FILTERED = (
    "Brightleaf: {{ first_name | upcase }}, our vitamins support your routine. Reply STOP "
    "to opt out"
)  # checks pass; no engine's tag here takes a filter but default


def test_export_is_the_served_set_in_the_asked_dialect(db: Database) -> None:
    kept = approved(db, PERSONAL)
    pulled = approved(db, CLEAN)
    draft(db)
    review.revoke(db, pulled.id, actor="rita", comment="Offer withdrawn")
    export = feed.export_approved(db, "wendy")
    api_view = client(db).get(f"/v1/variants/{kept.id}", headers=bearer(make_key(db))).json()
    assert export.documents == [api_view] and export.untranslatable == []
    braze = feed.export_approved(db, "rob", dialect="braze", brand="brightleaf", channel="sms")
    [document] = braze.documents
    assert document["dialect"] == "braze" and "{{${first_name}" in document["fields"]["body"]
    assert feed.export_approved(db, "wendy", brand="pennywise").documents == []
    assert feed.export_approved(db, "wendy", campaign="nothing").documents == []


def test_copy_a_dialect_cannot_carry_is_left_out_and_named(db: Database) -> None:
    fine = approved(db, PERSONAL)
    filtered = approved(db, FILTERED)
    export = feed.export_approved(db, "wendy", dialect="braze")
    assert [document["id"] for document in export.documents] == [fine.id]
    (failed,) = export.untranslatable
    assert failed["id"] == filtered.id and failed["name"] == filtered.name
    assert failed["tag"] == "{{ first_name | upcase }}" and failed["field"] == "body"
    assert 'the filter "upcase" is not translated' in failed["message"]
    assert len(feed.export_approved(db, "wendy").documents) == 2  # the studio's own: both


def test_export_needs_a_user_and_a_dialect_it_knows(db: Database) -> None:
    approved(db)
    with pytest.raises(Refused, match="no user named"):
        feed.export_approved(db, "mallory")
    with pytest.raises(InvalidInput, match="dialect 'mailchimp': use one of braze"):
        feed.export_approved(db, "wendy", dialect="mailchimp")
