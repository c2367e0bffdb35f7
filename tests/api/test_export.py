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


def test_export_is_the_served_set_in_the_asked_dialect(db: Database) -> None:
    kept = approved(db, PERSONAL)
    pulled = approved(db, CLEAN)
    draft(db)
    review.revoke(db, pulled.id, actor="rita", comment="Offer withdrawn")
    [exported] = feed.export_approved(db, "wendy")
    api_view = client(db).get(f"/v1/variants/{kept.id}", headers=bearer(make_key(db))).json()
    assert exported == api_view
    [braze] = feed.export_approved(db, "rob", dialect="braze", brand="brightleaf", channel="sms")
    assert braze["dialect"] == "braze" and "{{${first_name}" in braze["fields"]["body"]
    assert feed.export_approved(db, "wendy", brand="pennywise") == []
    assert feed.export_approved(db, "wendy", campaign="nothing") == []


def test_export_needs_a_user_and_a_dialect_it_knows(db: Database) -> None:
    approved(db)
    with pytest.raises(Refused, match="no user named"):
        feed.export_approved(db, "mallory")
    with pytest.raises(InvalidInput, match="dialect 'mailchimp': use one of braze"):
        feed.export_approved(db, "wendy", dialect="mailchimp")
