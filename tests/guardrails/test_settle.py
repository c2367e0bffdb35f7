"""The pack-wide passes after the rules: approved claims and boilerplate shield the findings
inside them, and a phrase finding inside a stronger one of its category is dropped."""

from __future__ import annotations

import datetime as dt

from guardrails import ResolvedPack, check, load_pack
from guardrails.rules.models import ApprovedClaim
from tests.conftest import RULES, TODAY
from tests.helpers.guardrails import draft, pack_from_yaml, rules_hit, spans


def test_contained_weaker_claim_is_subsumed(baseline: ResolvedPack) -> None:
    report = check(draft("email", body="Our best-selling serum."), baseline, TODAY)
    claims = [(f.rule, f.text) for f in report.findings if f.category == "claim"]
    assert claims == [("CLAIM-SUPERLATIVE", "best-selling")]
    # Alone, the weaker claim is reported.
    assert "CLAIM-BEST" in rules_hit(baseline, draft("email", body="It is the best."))


def test_whole_field_finding_does_not_hide_a_specific_one(baseline: ResolvedPack) -> None:
    ad = draft("ad", headlines=["A Headline Well Over Thirty Chars!"])
    hits = rules_hit(baseline, ad)
    assert {"GADS-HEADLINE-LEN", "GADS-HEADLINE-EXCLAIM", "GADS-HEADLINE-COUNT"} <= set(hits)


def test_approved_claim_passes_and_is_recorded(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="ship", text="free shipping on orders over $35", evidence="policy", owner="ops"
    )
    body = "Enjoy free shipping on orders over $35."
    assert "CLAIM-QUANT" in rules_hit(baseline, draft("email", body=body))  # unapproved
    pack = baseline.model_copy(update={"claims": [claim]})
    report = check(draft("email", body=body), pack, TODAY)
    assert [f for f in report.findings if f.category == "claim"] == []
    used = [(a.claim, a.field, a.start, a.end, a.text, a.evidence) for a in report.approved_claims]
    assert used == [("ship", "body", 6, 38, "free shipping on orders over $35", "policy")]


def test_an_approved_claim_shields_only_claim_findings(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(id="gu", text="GUARANTEED fit", evidence="policy", owner="ops")
    pack = baseline.model_copy(update={"claims": [claim]})
    report = check(draft("email", body="A GUARANTEED fit."), pack, TODAY)
    tone_and_claims = [f.rule for f in report.findings if f.category in ("tone", "claim")]
    assert tone_and_claims == ["TONE-CAPS"]  # the tone finding stays
    assert "CLAIM-GUARANTEE" in rules_hit(baseline, draft("email", body="A GUARANTEED fit."))
    assert [a.claim for a in report.approved_claims] == ["gu"]


def test_an_expired_claim_approves_nothing(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="apy", text="4.50% APY", evidence="rate sheet", owner="fin", expires=dt.date(2026, 6, 30)
    )
    pack = baseline.model_copy(update={"claims": [claim]})
    report = check(draft("email", body="Earn 4.50% APY on savings."), pack, TODAY)
    assert report.approved_claims == []
    # The registry finding takes the place of the generic claim findings inside its span.
    assert [(f.rule, f.text) for f in report.findings if f.category == "claim"] == [
        ("CLAIM-REGISTRY", "4.50% APY")
    ]


def test_exempt_disclaimer_shields_its_words() -> None:
    pack = pack_from_yaml(
        """extends: [_baseline]
brand: {name: Supp}
rules:
  - id: S-DISCLAIMER
    kind: required
    category: claim
    severity: error
    channels: [email]
    fields: [body]
    exempt: true
    text: "Not intended to diagnose, treat, cure, or prevent any disease."
    message: "Add the disclaimer."
    examples:
      fail: ["Hi."]
      pass: ["Hi. Not intended to diagnose, treat, cure, or prevent any disease."]
"""
    )
    text = "Cures colds. Not intended to diagnose, treat,\n cure, or prevent any disease."
    assert spans(pack, draft("email", body=text), "CLAIM-HEALTH") == [("body", 0, 5, "Cures")]
    assert "S-DISCLAIMER" not in rules_hit(pack, draft("email", body=text))
    assert "S-DISCLAIMER" in rules_hit(pack, draft("email", body="Cures colds."))


def test_disclosure_is_owed_even_inside_an_approved_claim() -> None:
    pack = load_pack(RULES / "pennywise")
    claim = "Savings are FDIC-insured up to $250,000 through partner banks."
    report = check(draft("email", body=claim), pack, TODAY)
    assert [f.rule for f in report.findings if f.category == "claim"] == ["PW-NOT-A-BANK"]
    assert [a.claim for a in report.approved_claims] == ["fdic-250k"]
    disclosed = check(draft("email", body="Pennywise is not a bank. " + claim), pack, TODAY)
    assert [f for f in disclosed.findings if f.category == "claim"] == []
