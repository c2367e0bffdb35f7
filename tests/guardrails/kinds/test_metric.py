"""The metric kind: lengths and SMS segments measured with merge tags at their worst case, word
counts, and the reading grade without mandatory boilerplate; one finding over the whole field."""

from __future__ import annotations

from guardrails import UNKNOWN_FILL, ResolvedPack, load_pack
from guardrails.rules.models import Brand
from tests.conftest import RULES
from tests.helpers.guardrails import draft, messages, rule_pack, rules_hit, spans

VALUES = "{value} against {limit}"


def test_length_is_measured_with_merge_tags_filled(baseline: ResolvedPack) -> None:
    subject = "{{ first_name }}, your weekend picks are waiting in"  # 51 raw, 47 filled
    assert "EMAIL-SUBJECT-LEN" not in rules_hit(baseline, draft("email", subject=subject))
    longer = "{{ first_name }}, your weekend picks are waiting right here now"  # 59 filled
    assert spans(baseline, draft("email", subject=longer), "EMAIL-SUBJECT-LEN") == [
        ("subject", 0, len(longer), longer)
    ]


def test_length_bounds_and_how_values_are_shown() -> None:
    pack = rule_pack("metric", metric="length", min=3, max=5.5, message=VALUES)
    assert messages(pack, draft("sms", body="Hi")) == ["2 against 3"]
    assert messages(pack, draft("sms", body="Hello!")) == ["6 against 5.5"]
    assert (
        messages(pack, draft("sms", body="Hey")) == messages(pack, draft("sms", body="Hello")) == []
    )


def test_sms_segments_use_worst_case_fill(baseline: ResolvedPack) -> None:
    pack = baseline.model_copy(update={"brand": Brand(name="Acme")})
    body = "Acme: " + "a" * 280 + " Reply STOP to opt out."  # 309 chars: 3 segments
    assert messages(pack, draft("sms", body=body), "SMS-SEGMENTS") == [
        "With merge tags filled this is 3 GSM-7 segments (309 units); keep it to 2."
    ]
    short = "Acme: " + "a" * 258 + " Reply STOP"  # 275 chars: 2 segments
    assert "SMS-SEGMENTS" not in rules_hit(pack, draft("sms", body=short))
    # Lengths count "Maximilianus" (12) for the 16-character tag: 310 as written, 306 filled.
    tagged = "Acme: " + "a" * 276 + " {{ first_name }} Reply STOP"
    assert len(tagged) == 310
    assert "SMS-SEGMENTS" not in rules_hit(pack, draft("sms", body=tagged))
    assert "SMS-SEGMENTS" in rules_hit(pack, draft("sms", body=tagged + "!"))
    # An unknown variable counts as UNKNOWN_FILL: 298 as written, 306 filled.
    unknown = "Acme: " + "a" * 268 + " {{ coupon }} Reply STOP"
    assert len(unknown) - len("{{ coupon }}") + len(UNKNOWN_FILL) == 306
    assert "SMS-SEGMENTS" not in rules_hit(pack, draft("sms", body=unknown))
    assert "SMS-SEGMENTS" in rules_hit(pack, draft("sms", body=unknown + "!"))


def test_word_count() -> None:
    pack = rule_pack("metric", metric="words", max=3, message=VALUES)
    assert messages(pack, draft("email", body="Don't miss our 2 new ranges.")) == ["5 against 3"]
    assert messages(pack, draft("email", body="Hi {{ first_name }}, new in.")) == []


def test_reading_grade_leaves_mandatory_disclaimer_out() -> None:
    pack = load_pack(RULES / "brightleaf")
    disclaimer = (
        "These statements have not been evaluated by the Food and Drug Administration. "
        "This product is not intended to diagnose, treat, cure, or prevent any disease."
    )
    plain = (
        "Our new box has five snacks. Each one is made with oats. You can pick your own mix. "
        "We ship it to you in two days. Try it and tell us what you think. We read every note. "
    )
    assert "TONE-GRADE" not in rules_hit(pack, draft("email", body=plain + disclaimer))
    dense = (
        "Our comprehensive multidisciplinary methodology systematically incorporates "
        "evidence-based nutritional considerations, facilitating individualized supplementation "
        "recommendations that accommodate heterogeneous physiological requirements. "
    )
    assert "TONE-GRADE" in rules_hit(pack, draft("email", body=dense * 3 + disclaimer))


def test_reading_grade_needs_enough_words() -> None:
    pack = rule_pack(
        "metric", metric="reading_grade", max=5, min_words=10, message="{value} in {words} words"
    )
    hard = "Comprehensive multidisciplinary methodology."
    assert messages(pack, draft("email", body=hard)) == []  # 3 words: no grade to speak of
    (message,) = messages(pack, draft("email", body=" ".join([hard] * 4)))
    grade, words = message.split(" in ")
    assert float(grade) > 5 and words == "12 words"
