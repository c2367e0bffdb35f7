"""The parts kind: a channel's required parts, missing or blank, each an error finding, even
for copy with no fields at all, which every field rule passes."""

from __future__ import annotations

import pytest

from guardrails import RulePackError, Severity, Variant, check, load_pack
from guardrails.rules.loader import ResolvedPack
from tests.conftest import RULES, TODAY
from tests.helpers.guardrails import pack_from_yaml


def _parts(pack: ResolvedPack, variant: Variant) -> list[tuple[str, str, int, int, str]]:
    report = check(variant, pack, TODAY)
    return [
        (f.rule, f.field, f.start, f.end, f.text)
        for f in report.findings
        if f.rule.endswith("PARTS")
    ]


def test_empty_copy_misses_every_required_part(baseline: ResolvedPack) -> None:
    assert _parts(baseline, Variant(channel="email")) == [
        ("EMAIL-PARTS", "subject", 0, 0, ""),
        ("EMAIL-PARTS", "body", 0, 0, ""),
    ]
    assert _parts(baseline, Variant(channel="sms")) == [("SMS-PARTS", "body", 0, 0, "")]
    # An empty ad could be meant for either format: it owes the parts of both.
    assert sorted(_parts(baseline, Variant(channel="ad"))) == [
        ("GADS-PARTS", "descriptions", 0, 0, ""),
        ("GADS-PARTS", "headlines", 0, 0, ""),
        ("META-PARTS", "primary_text", 0, 0, ""),
    ]
    report = check(Variant(channel="sms"), baseline, TODAY)
    assert [(f.severity, f.category) for f in report.findings] == [(Severity.ERROR, "channel")]
    assert report.findings[0].message == (
        "The message is missing: an SMS is its body, and there is nothing to send."
    )


def test_blank_parts_point_at_their_text(baseline: ResolvedPack) -> None:
    body = " \u200b\n"
    assert _parts(baseline, Variant(channel="sms", fields={"body": body})) == [
        ("SMS-PARTS", "body", 0, 3, body)
    ]
    email = Variant(channel="email", fields={"subject": "\t", "body": "New in."})
    assert _parts(baseline, email) == [("EMAIL-PARTS", "subject", 0, 1, "\t")]
    assert _parts(baseline, Variant(channel="email", fields={"body": "New in."})) == [
        ("EMAIL-PARTS", "subject", 0, 0, "")
    ]


def test_google_ad_needs_headlines_and_descriptions(baseline: ResolvedPack) -> None:
    headlines = ["Fresh Vitamins", " ", "Pause Any Time"]
    ad = Variant(channel="ad", fields={"headlines": headlines, "descriptions": []})
    assert _parts(baseline, ad) == [  # a missing part sorts first, as at the start of the copy
        ("GADS-PARTS", "descriptions", 0, 0, ""),
        ("GADS-PARTS", "headlines[1]", 0, 1, " "),
    ]
    path_only = Variant(channel="ad", fields={"path1": "vitamins"})
    assert [field for _, field, *_ in _parts(baseline, path_only)] == ["headlines", "descriptions"]


def test_meta_ad_needs_primary_text(baseline: ResolvedPack) -> None:
    ad = Variant(channel="ad", fields={"headline": "Soft knits", "headlines": [""]})
    # Text only in a Meta field: a Meta ad, so nothing is owed to Google.
    assert _parts(baseline, ad) == [("META-PARTS", "primary_text", 0, 0, "")]
    complete = Variant(channel="ad", fields={"primary_text": "Our autumn range is here."})
    assert _parts(baseline, complete) == []


def test_a_pack_owes_only_the_formats_it_extends() -> None:
    google = load_pack(RULES / "_baseline" / "google-ads")
    assert {rule for rule, *_ in _parts(google, Variant(channel="ad"))} == {"GADS-PARTS"}
    meta = load_pack(RULES / "_baseline" / "meta-ads")
    assert _parts(meta, Variant(channel="ad")) == [("META-PARTS", "primary_text", 0, 0, "")]
    assert _parts(meta, Variant(channel="email")) == []  # no email rules in that pack


def test_parts_rule_must_name_fields_of_its_channels() -> None:
    rule = """rules:
  - id: X-PARTS
    kind: parts
    category: channel
    severity: error
    channels: [sms]
    required: [subject]
    message: "{field} {problem}"
    examples: {fail: [{channel: sms}], pass: [{channel: sms, body: "hi"}]}
"""
    with pytest.raises(RulePackError) as caught:
        pack_from_yaml(rule)
    assert "p/pack.yaml:2: rule 'X-PARTS'" in str(caught.value)
    assert "'subject' is not a sms field (expected one of: body)" in str(caught.value)
    with pytest.raises(RulePackError, match="names its fields in `required`"):
        pack_from_yaml(rule.replace("[subject]", "[body]\n    fields: [x]"))
