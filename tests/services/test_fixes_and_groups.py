"""Applying a rule's fix as a new version, and submitting a variant group at once: what the
Drafts page offers, as the service does it."""

from __future__ import annotations

import pytest

from studio.errors import InvalidInput, Refused
from studio.services import approval, queries, review
from studio.store.db import Database
from tests.helpers.variants import CLEAN, in_review

PILLS = "Brightleaf: our vitamin pills support your routine. Reply STOP to opt out"


def test_a_fix_replaces_exactly_the_words_and_is_checked_again(db: Database) -> None:
    draft = review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                  fields={"body": PILLS})  # fmt: skip
    (finding,) = queries.variant_detail(db, "wendy", draft.id).report.findings
    assert (finding["rule"], finding["fix"]) == ("BL-SWAP-PILL", "capsules")
    fixed = review.apply_fix(db, draft.id, actor="wendy", rule="BL-SWAP-PILL", field="body",
                             start=finding["start"], expected_revision=draft.revision)  # fmt: skip
    detail = queries.variant_detail(db, "wendy", fixed.id)
    assert detail.fields["body"] == PILLS.replace("pills", "capsules")
    assert detail.version == 2 and detail.report.findings == []
    assert detail.provenance == {"source": "fix", "rule": "BL-SWAP-PILL", "field": "body"}


def test_a_fix_for_copy_that_changed_since_is_refused(db: Database) -> None:
    draft = review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                  fields={"body": PILLS})  # fmt: skip
    start = queries.variant_detail(db, "wendy", draft.id).report.findings[0]["start"]
    review.edit(db, draft.id, actor="wendy", fields={"body": "Brightleaf: two pills " + CLEAN})
    with pytest.raises(InvalidInput, match="no fix of BL-SWAP-PILL"):
        review.apply_fix(db, draft.id, actor="wendy", rule="BL-SWAP-PILL", field="body",
                         start=start)  # fmt: skip


def test_a_fix_inside_a_list_field_touches_only_that_item(db: Database) -> None:
    fields = {"headlines": ["Winter Vitamins", "Two Pills A Day Keep It Simple", "Shop Now"],
              "descriptions": ["Vitamin C and zinc, one capsule a day."]}  # fmt: skip
    draft = review.create_variant(db, actor="wendy", brand="brightleaf", channel="ad",
                                  fields=fields)  # fmt: skip
    findings = queries.variant_detail(db, "wendy", draft.id).report.findings
    swap = next(f for f in findings if f["rule"] == "BL-SWAP-PILL")
    assert swap["field"] == "headlines[1]"
    review.apply_fix(db, draft.id, actor="wendy", rule="BL-SWAP-PILL", field="headlines[1]",
                     start=swap["start"])  # fmt: skip
    after = queries.variant_detail(db, "wendy", draft.id).fields
    assert after["headlines"][0] == "Winter Vitamins" and after["headlines"][2] == "Shop Now"
    assert "Pills" not in after["headlines"][1] and after["descriptions"] == fields["descriptions"]


def test_a_group_is_submitted_at_once_and_only_by_a_writer(db: Database) -> None:
    made = [review.create_variant(db, actor="wendy", brand="brightleaf", channel="sms",
                                  fields={"body": CLEAN.replace("routine", f"routine {n}")},
                                  variant_group="winter-sms") for n in range(3)]  # fmt: skip
    with pytest.raises(Refused):
        review.submit_group(db, "winter-sms", actor="rita")  # a reviewer does not submit
    submitted = review.submit_group(db, "winter-sms", actor="wendy")
    assert sorted(v.id for v in submitted) == sorted(v.id for v in made)
    assert {v.status for v in submitted} == {"in_review"}
    with pytest.raises(InvalidInput, match="no drafts to submit"):
        review.submit_group(db, "winter-sms", actor="wendy")


def test_bulk_approval_takes_only_copy_with_no_findings_and_says_why_not(db: Database) -> None:
    clean = [in_review(db, CLEAN.replace("routine", f"routine {n}")) for n in range(2)]
    pills = in_review(db, PILLS)  # one warning: not bulk material
    own = in_review(db, CLEAN.replace("routine", "own routine"), author="ada")
    seen = {v.id: v.revision for v in [*clean, pills, own]}
    result = approval.approve_clean(db, seen, actor="ada")
    assert sorted(v.id for v in result.approved) == sorted(v.id for v in clean)
    assert "1 finding(s)" in result.left[pills.id]
    assert "cannot approve it: another reviewer must" in result.left[own.id]
    assert queries.variant_detail(db, "ada", pills.id).status == "in_review"
