"""The engine over the baselines: verdicts, empty copy, a whole ad, the compiled-pack cache.

Each kind's own behaviour is tested in `tests/guardrails/kinds/`; the pack-wide passes (approved
claims and boilerplate, subsumed findings) in `test_settle.py`."""

from __future__ import annotations

from guardrails import ResolvedPack, Variant, Verdict, check, engine
from tests.conftest import TODAY
from tests.helpers.guardrails import draft, rules_hit


def test_verdicts(baseline: ResolvedPack) -> None:
    def verdict(subject: str) -> Verdict:
        fields = {"subject": subject, "body": "Hi. {{ unsubscribe_url }} {{ postal_address }}"}
        return check(Variant(channel="email", fields=fields), baseline, TODAY).verdict

    assert verdict("Hello") == Verdict.PASS
    assert verdict("Hello!!") == Verdict.WARN
    assert verdict("RE: hi") == Verdict.BLOCK


def test_empty_variant_and_empty_fields(baseline: ResolvedPack) -> None:
    # Empty copy raises nothing but its missing or blank required parts (kinds/test_parts.py).
    assert rules_hit(baseline, draft("email")) == ["EMAIL-PARTS"] * 2
    blank_meta = draft("ad", primary_text="")
    assert sorted(rules_hit(baseline, blank_meta)) == ["GADS-PARTS", "GADS-PARTS", "META-PARTS"]
    # One empty description: nothing to flag but what Google requires of an RSA's assets.
    assert sorted(rules_hit(baseline, draft("ad", headlines=[], descriptions=[""]))) == [
        "GADS-DESCRIPTION-COUNT", "GADS-PARTS", "GADS-PARTS", "META-PARTS"
    ]  # fmt: skip


def test_google_ad_rules(baseline: ResolvedPack) -> None:
    ad = draft(
        "ad",
        headlines=["Fresh Vitamins Delivered!", "A Headline Well Over Thirty Chars", "SALE Now"],
        descriptions=["Try them today! Pause anytime!"],
        path1="vitamins",
    )
    report = check(ad, baseline, TODAY)
    got = {(f.rule, f.field) for f in report.findings}
    assert ("GADS-HEADLINE-EXCLAIM", "headlines[0]") in got
    assert ("GADS-HEADLINE-LEN", "headlines[1]") in got
    assert ("GADS-CAPS", "headlines[2]") in got
    assert ("GADS-EXCLAIM-ONCE", "descriptions[0]") in got
    assert report.findings and not any(f.category == "tone" for f in report.findings)


def test_findings_are_ordered_by_field_then_position(baseline: ResolvedPack) -> None:
    email = draft("email", subject="RE: FREE gift!!", body="Act now!! {{ nickname }}")
    findings = check(email, baseline, TODAY).findings
    order = [(f.field, f.start, f.end, f.rule) for f in findings]
    fields = {"subject": 0, "body": 1}
    assert len({f for f, *_ in order}) == 2
    assert order == sorted(order, key=lambda o: (fields[o[0]], o[1], o[2], o[3]))


def test_compiled_pack_cache_is_bounded_and_keeps_recent(baseline: ResolvedPack) -> None:
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
    assert engine.compile_pack(variants[0]) is not engine.compile_pack(variants[1])
