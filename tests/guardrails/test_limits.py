"""The limits a drafter writes within: `CompiledPack.length_limits` reads them from the pack's
`metric: length` rules (overrides included), and they are the limits the check enforces."""

from __future__ import annotations

import pytest

from guardrails import UNKNOWN_FILL, Channel, FieldLimit, ResolvedPack, compile_pack
from tests.helpers.guardrails import draft, pack_from_yaml, rule_pack, rules_hit

BASELINE_LENGTH_RULES = {
    "subject": "EMAIL-SUBJECT-LEN",
    "preheader": "EMAIL-PREHEADER-LEN",
    "headlines": "GADS-HEADLINE-LEN",
    "descriptions": "GADS-DESCRIPTION-LEN",
    "path1": "GADS-PATH-LEN",
    "path2": "GADS-PATH-LEN",
    "primary_text": "META-PRIMARY-LEN",
    "headline": "META-HEADLINE-LEN",
    "description": "META-DESCRIPTION-LEN",
}


def test_the_baseline_limits_by_channel(baseline: ResolvedPack) -> None:
    pack = compile_pack(baseline)
    assert pack.length_limits(Channel.EMAIL) == {
        "subject": FieldLimit(max=50),
        "preheader": FieldLimit(min=40, max=100),
    }
    assert pack.length_limits(Channel.AD) == {
        "headlines": FieldLimit(max=30),  # each headline's
        "descriptions": FieldLimit(max=90),
        "path1": FieldLimit(max=15),
        "path2": FieldLimit(max=15),
        "primary_text": FieldLimit(max=125),
        "headline": FieldLimit(max=40),
        "description": FieldLimit(max=30),
    }
    assert pack.length_limits(Channel.SMS) == {}  # SMS is bounded by segments, not characters


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.AD])
def test_copy_at_a_limit_passes_and_one_past_it_fails(
    baseline: ResolvedPack, channel: Channel
) -> None:
    for field, limit in compile_pack(baseline).length_limits(channel).items():
        rule = BASELINE_LENGTH_RULES[field]
        assert limit.max is not None
        for length, fails in ((limit.max, False), (limit.max + 1, True)):
            text = "a" * length
            value: str | list[str] = [text] if field in ("headlines", "descriptions") else text
            assert (rule in rules_hit(baseline, draft(channel, **{field: value}))) is fails
        if limit.min is not None:
            assert rule in rules_hit(baseline, draft(channel, **{field: "a" * (limit.min - 1)}))


def test_a_brand_override_is_the_drafters_limit() -> None:
    pack = pack_from_yaml(
        "extends: [_baseline/us-email]\noverrides:\n  EMAIL-SUBJECT-LEN: {max: 40}\n"
    )
    assert compile_pack(pack).length_limits(Channel.EMAIL)["subject"] == FieldLimit(max=40)
    assert "EMAIL-SUBJECT-LEN" in rules_hit(pack, draft("email", subject="a" * 41))


def test_several_rules_on_a_field_give_the_tightest_bounds() -> None:
    pack = pack_from_yaml(
        """rules:
  - {id: T-A, kind: metric, metric: length, min: 10.5, max: 60, category: channel,
     severity: warning, message: m, examples: {fail: ["x"], pass: ["y"]}}
  - {id: T-B, kind: metric, metric: length, max: 45.9, fields: [subject], category: channel,
     severity: error, message: m, examples: {fail: ["x"], pass: ["y"]}}
  - {id: T-C, kind: metric, metric: words, max: 3, category: tone, severity: error, message: m,
     examples: {fail: ["x"], pass: ["y"]}}
"""
    )
    assert compile_pack(pack).length_limits(Channel.EMAIL) == {
        "subject": FieldLimit(min=11, max=45),  # whole characters within the bounds
        "preheader": FieldLimit(min=11, max=60),
        "body": FieldLimit(min=11, max=60),
    }


def test_an_unknown_merge_variable_is_measured_as_unknown_fill() -> None:
    pack = rule_pack("metric", metric="length", max=30, fields=["subject"])
    subject = "{{ nickname }}, " + "a" * (28 - len(UNKNOWN_FILL))  # 30 characters filled
    assert rules_hit(pack, draft("email", subject=subject)) == []
    assert rules_hit(pack, draft("email", subject=subject + "a")) == ["T-1"]
    assert UNKNOWN_FILL == "X" * 20
