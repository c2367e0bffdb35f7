"""The engine with the baselines: matching, merge tags, registry, boilerplate, verdicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from guardrails import ResolvedPack, Variant, Verdict, check, load_pack
from guardrails.rules.models import ApprovedClaim, Brand
from tests.conftest import TODAY, write_pack


def rules_hit(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [f.rule for f in report.findings]


def sms(body: str) -> Variant:
    return Variant(channel="sms", fields={"body": body})


def email_body(body: str) -> Variant:
    return Variant(channel="email", fields={"body": body})


def test_lemma_and_surface_forms(baseline: ResolvedPack) -> None:
    for text in [
        "Results guaranteed.",
        "GUARANTEED results.",
        "We guarantee it.",
        "Guarantees apply.",
    ]:
        assert "CLAIM-GUARANTEE" in rules_hit(check(email_body(text), baseline, TODAY)), text


def test_superlatives_match_surface_form_not_lemma(baseline: ResolvedPack) -> None:
    # The lookup lemmatizer maps "best" to "well": "well" must not raise CLAIM-BEST.
    assert "CLAIM-BEST" not in rules_hit(check(email_body("It works well."), baseline, TODAY))
    assert "CLAIM-BEST" in rules_hit(check(email_body("It is the best."), baseline, TODAY))
    hits = rules_hit(check(email_body("Our best selling serum"), baseline, TODAY))
    assert "CLAIM-SUPERLATIVE" in hits


def test_contained_weaker_claim_is_subsumed(baseline: ResolvedPack) -> None:
    report = check(email_body("Our best-selling serum."), baseline, TODAY)
    claim_rules = [f.rule for f in report.findings if f.category == "claim"]
    assert claim_rules == ["CLAIM-SUPERLATIVE"]


def test_spans_point_at_exact_words(baseline: ResolvedPack) -> None:
    text = "Hi there. Clinically proven to help."
    report = check(email_body(text), baseline, TODAY)
    proof = next(f for f in report.findings if f.rule == "CLAIM-PROOF")
    assert text[proof.start : proof.end] == proof.text == "Clinically proven"
    assert proof.field == "body" and proof.source and "ftc.gov" in proof.source


def test_merge_tags_are_not_caps_or_claims(baseline: ResolvedPack) -> None:
    report = check(email_body("Hi *|FNAME|* and {{ FIRST_NAME }}"), baseline, TODAY)
    assert "TONE-CAPS" not in rules_hit(report)


def test_unknown_merge_variable_is_a_finding(baseline: ResolvedPack) -> None:
    report = check(
        email_body("Hi {{ nickname }}, {{ first_name | default: 'there' }}"), baseline, TODAY
    )
    unknown = [f for f in report.findings if f.rule == "MERGE-UNKNOWN"]
    assert [f.text for f in unknown] == ["{{ nickname }}"]


def test_lengths_use_worst_case_fill(baseline: ResolvedPack) -> None:
    pack = baseline.model_copy(update={"brand": Brand(name="Acme")})
    body = "Acme: " + "a" * 280 + " Reply STOP to opt out."  # 309 chars: 3 segments
    assert "SMS-SEGMENTS" in rules_hit(check(sms(body), pack, TODAY))
    short = "Acme: " + "a" * 258 + " Reply STOP"  # 275 chars: 2 segments
    assert "SMS-SEGMENTS" not in rules_hit(check(sms(short), pack, TODAY))
    # The tag itself is 16 characters; "Maximilianus" at worst case pushes it to a third segment.
    tagged = "Acme: " + "a" * 250 + " {{ first_name }} Reply STOP"
    assert len(tagged) < 306
    assert "SMS-SEGMENTS" in rules_hit(
        check(sms(tagged.replace("{{ first_name }}", "{{ first_name }}" + "b" * 35)), pack, TODAY)
    )


def test_subject_length_with_merge_tag(baseline: ResolvedPack) -> None:
    subject = "{{ first_name }}, your weekend picks are waiting in"  # 51 raw, 47 filled
    report = check(Variant(channel="email", fields={"subject": subject}), baseline, TODAY)
    assert "EMAIL-SUBJECT-LEN" not in rules_hit(report)
    longer = "{{ first_name }}, your weekend picks are waiting right here now"
    report = check(Variant(channel="email", fields={"subject": longer}), baseline, TODAY)
    assert "EMAIL-SUBJECT-LEN" in rules_hit(report)


def _with_claims(baseline: ResolvedPack, *claims: ApprovedClaim) -> ResolvedPack:
    return baseline.model_copy(update={"claims": list(claims)})


def test_approved_claim_passes_and_is_recorded(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="ship", text="free shipping on orders over $35", evidence="policy", owner="ops"
    )
    pack = _with_claims(baseline, claim)
    report = check(email_body("Enjoy free shipping on orders over $35."), pack, TODAY)
    assert [f for f in report.findings if f.category == "claim"] == []
    assert [(a.claim, a.text) for a in report.approved_claims] == [
        ("ship", "free shipping on orders over $35")
    ]


def test_expired_claim_is_flagged_once(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="apy", text="4.50% APY", evidence="rate sheet", owner="fin", expires=dt.date(2026, 6, 30)
    )
    pack = _with_claims(baseline, claim)
    report = check(email_body("Earn 4.50% APY on savings."), pack, TODAY)
    claims = [(f.rule, f.text) for f in report.findings if f.category == "claim"]
    assert claims == [("CLAIM-REGISTRY", "4.50% APY")]
    registry = next(f for f in report.findings if f.rule == "CLAIM-REGISTRY")
    assert "expired on 2026-06-30" in registry.message
    # The day before expiry it is approved.
    earlier = check(email_body("Earn 4.50% APY on savings."), pack, dt.date(2026, 6, 30))
    assert [f.rule for f in earlier.findings if f.category == "claim"] == []


def test_claim_channel_and_requires(baseline: ResolvedPack) -> None:
    claim = ApprovedClaim(
        id="apy",
        text="4.10% APY",
        evidence="e",
        owner="o",
        channels=["email"],
        requires=["APY accurate as of"],
    )
    pack = _with_claims(baseline, claim)
    ok = check(email_body("Get 4.10% APY. APY accurate as of 11/01/2026."), pack, TODAY)
    assert [f.rule for f in ok.findings if f.category == "claim"] == []
    missing = check(email_body("Get 4.10% APY."), pack, TODAY)
    registry = next(f for f in missing.findings if f.rule == "CLAIM-REGISTRY")
    assert "must appear with its qualifier" in registry.message
    wrong_channel = check(sms("Acme: 4.10% APY. APY accurate as of 11/01. Reply STOP"), pack, TODAY)
    assert any("approved for email only" in f.message for f in wrong_channel.findings)


def test_exempt_disclaimer_shields_its_words(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    import shutil

    shutil.copytree(
        Path(__file__).resolve().parent.parent / "brand_rules" / "_baseline", root / "_baseline"
    )
    write_pack(
        root,
        "supp",
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
""",
    )
    pack = load_pack(root / "supp")
    text = "Cures colds. Not intended to diagnose, treat,\n cure, or prevent any disease."
    report = check(email_body(text), pack, TODAY)
    health = [f for f in report.findings if f.rule == "CLAIM-HEALTH"]
    assert [f.text for f in health] == ["Cures"]
    assert "S-DISCLAIMER" not in rules_hit(report)
    assert "S-DISCLAIMER" in rules_hit(check(email_body("Cures colds."), pack, TODAY))


def test_verdicts(baseline: ResolvedPack) -> None:
    def verdict(subject: str) -> Verdict:
        fields = {"subject": subject, "body": "Hi. {{ unsubscribe_url }} {{ postal_address }}"}
        return check(Variant(channel="email", fields=fields), baseline, TODAY).verdict

    assert verdict("Hello") == Verdict.PASS
    assert verdict("Hello!!") == Verdict.WARN
    assert verdict("RE: hi") == Verdict.BLOCK


def test_empty_variant_and_empty_fields(baseline: ResolvedPack) -> None:
    # Empty copy raises nothing but its missing or blank required parts (tests/test_required_parts).
    assert rules_hit(check(Variant(channel="email"), baseline, TODAY)) == ["EMAIL-PARTS"] * 2
    blank_meta = check(Variant(channel="ad", fields={"primary_text": ""}), baseline, TODAY)
    assert sorted(rules_hit(blank_meta)) == ["GADS-PARTS", "GADS-PARTS", "META-PARTS"]
    # One empty description: nothing to flag but what Google requires of an RSA's assets.
    report = check(
        Variant(channel="ad", fields={"headlines": [], "descriptions": [""]}), baseline, TODAY
    )
    assert sorted(rules_hit(report)) == [
        "GADS-DESCRIPTION-COUNT", "GADS-PARTS", "GADS-PARTS", "META-PARTS"
    ]  # fmt: skip


def test_pack_version_changes_with_rules(baseline: ResolvedPack) -> None:
    changed = baseline.model_copy(update={"rules": baseline.rules[1:]})
    assert changed.version != baseline.version
    assert load_pack(Path(baseline.path)).version == baseline.version


def test_google_ad_rules(baseline: ResolvedPack) -> None:
    ad = Variant(
        channel="ad",
        fields={
            "headlines": [
                "Fresh Vitamins Delivered!",
                "A Headline Well Over Thirty Chars",
                "SALE Now",
            ],
            "descriptions": ["Try them today! Pause anytime!"],
            "path1": "vitamins",
        },
    )
    report = check(ad, baseline, TODAY)
    got = {(f.rule, f.field) for f in report.findings}
    assert ("GADS-HEADLINE-EXCLAIM", "headlines[0]") in got
    assert ("GADS-HEADLINE-LEN", "headlines[1]") in got
    assert ("GADS-CAPS", "headlines[2]") in got
    assert ("GADS-EXCLAIM-ONCE", "descriptions[0]") in got
    assert not any(f.category == "tone" for f in report.findings)  # ads follow platform rules


def test_disclosure_is_owed_even_inside_an_approved_claim() -> None:
    pack = load_pack(Path(__file__).resolve().parent.parent / "brand_rules" / "pennywise")
    claim = "Savings are FDIC-insured up to $250,000 through partner banks."
    report = check(email_body(claim), pack, TODAY)
    assert [f.rule for f in report.findings if f.category == "claim"] == ["PW-NOT-A-BANK"]
    assert [a.claim for a in report.approved_claims] == ["fdic-250k"]
    disclosed = check(email_body("Pennywise is not a bank. " + claim), pack, TODAY)
    assert [f for f in disclosed.findings if f.category == "claim"] == []


def test_reading_grade_leaves_mandatory_disclaimer_out() -> None:
    pack = load_pack(Path(__file__).resolve().parent.parent / "brand_rules" / "brightleaf")
    disclaimer = (
        "These statements have not been evaluated by the Food and Drug Administration. "
        "This product is not intended to diagnose, treat, cure, or prevent any disease."
    )
    plain = (
        "Our new box has five snacks. Each one is made with oats. You can pick your own mix. "
        "We ship it to you in two days. Try it and tell us what you think. We read every note. "
    )
    assert "TONE-GRADE" not in rules_hit(check(email_body(plain + disclaimer), pack, TODAY))
    dense = (
        "Our comprehensive multidisciplinary methodology systematically incorporates "
        "evidence-based nutritional considerations, facilitating individualized supplementation "
        "recommendations that accommodate heterogeneous physiological requirements. "
    )
    assert "TONE-GRADE" in rules_hit(check(email_body(dense * 3 + disclaimer), pack, TODAY))


def test_whole_field_finding_does_not_hide_a_specific_one(baseline: ResolvedPack) -> None:
    ad = Variant(channel="ad", fields={"headlines": ["A Headline Well Over Thirty Chars!"]})
    hits = rules_hit(check(ad, baseline, TODAY))
    assert {"GADS-HEADLINE-LEN", "GADS-HEADLINE-EXCLAIM", "GADS-HEADLINE-COUNT"} <= set(hits)


def test_google_asset_counts_and_duplicates(baseline: ResolvedPack) -> None:
    ad = Variant(
        channel="ad",
        fields={"headlines": ["Fresh Vitamins", "Delivered Monthly", "fresh vitamins"],
                "descriptions": ["Tested for purity.", "Pause any time."]},
    )  # fmt: skip
    report = check(ad, baseline, TODAY)
    dupes = [f for f in report.findings if f.rule == "GADS-DUPLICATE-ASSET"]
    assert [(f.field, f.message) for f in dupes] == [
        (
            "headlines[2]",
            "This repeats headlines[0]; Google rejects duplicate assets (DUPLICATE_ASSET).",
        )
    ]
    assert "GADS-HEADLINE-COUNT" not in rules_hit(report)
    meta = Variant(channel="ad", fields={"primary_text": "Soft knits for autumn."})
    assert not any(r.startswith("GADS-") for r in rules_hit(check(meta, baseline, TODAY)))


def test_compiled_pack_cache_is_bounded_and_keeps_recent(baseline: ResolvedPack) -> None:
    from guardrails import engine

    first = engine.compile_pack(baseline)
    variants = [
        baseline.model_copy(update={"rules": baseline.rules[: i + 1]})
        for i in range(engine._COMPILED_MAX + 3)
    ]
    for pack in variants:
        engine.compile_pack(pack)
        engine.compile_pack(baseline)  # used again each time: stays
    assert len(engine._COMPILED) <= engine._COMPILED_MAX
    assert engine.compile_pack(baseline) is first
    assert engine.compile_pack(variants[-1]) is engine.compile_pack(variants[-1])
