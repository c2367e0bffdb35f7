"""The occurrence kind: at most `max` of a pattern or of emoji; each one past the limit is a
finding at its own span, counted per field or (scope `variant`) across the copy."""

from __future__ import annotations

from guardrails.kinds.base import MAX_FINDINGS_PER_FIELD
from tests.helpers.guardrails import draft, messages, rule_pack, spans

MESSAGE = "More than {limit} ({count} here)."


def test_each_occurrence_past_the_limit_is_a_finding() -> None:
    pack = rule_pack("occurrence", pattern="!", max=1, message=MESSAGE)
    body = "Hi! New! Now!"
    assert spans(pack, draft("sms", body=body)) == [("body", 7, 8, "!"), ("body", 12, 13, "!")]
    assert messages(pack, draft("sms", body=body)) == ["More than 1 (3 here)."] * 2
    assert spans(pack, draft("sms", body="Hi! New in.")) == []


def test_emoji_are_counted_whole() -> None:
    pack = rule_pack("occurrence", emoji=True, max=1)
    body = "Fresh 🔥 drop 👩‍👩‍👧 and 🇺🇸"
    assert spans(pack, draft("sms", body=body)) == [
        ("body", 13, 18, "👩‍👩‍👧"),
        ("body", 23, 25, "🇺🇸"),
    ]
    assert spans(pack, draft("sms", body="Fresh 🔥 drop. Café ©")) == [("body", 19, 20, "©")]
    assert spans(pack, draft("sms", body="Fresh drop, café.")) == []


def test_per_field_by_default_or_across_the_variant() -> None:
    email = draft("email", subject="Hi!", body="New!")
    assert spans(rule_pack("occurrence", pattern="!", max=1), email) == []
    across = rule_pack("occurrence", pattern="!", max=1, scope="variant")
    assert spans(across, email) == [("body", 3, 4, "!")]


def test_a_flooded_field_reports_a_bounded_number() -> None:
    pack = rule_pack("occurrence", pattern="!", max=0)
    found = spans(pack, draft("sms", body="!" * 100))
    assert len(found) == MAX_FINDINGS_PER_FIELD
    assert found[0] == ("body", 0, 1, "!")
