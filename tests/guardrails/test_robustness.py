"""Hostile and odd input: no crash, no hang, spans that slice exactly."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from guardrails import Report, ResolvedPack, Variant, check, compile_pack
from guardrails.content import CHANNEL_FIELDS
from guardrails.patterns import compile_pattern
from tests.conftest import TODAY

UNICODE_PIECES = [
    "שלום עולם",  # RTL
    "👩‍👩‍👧‍👦",  # ZWJ family
    "🇺🇸",  # regional indicators
    "é",  # combining accent
    "\u200b\u200d\u2060",  # zero-width characters
    "FREE!!",
    "{{ first_name }}",
    "{{ broken",
    "*|FNAME|*",
    "100% guaranteed",
    "clinically proven",
    "we noticed you",
    "bit.ly/x",
    "4111 1111 1111 1111",
    "\r\n",
    "\x00",
    "’",
    "Z̸̢̛a̴l̷g̵o̶",
]

texts = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(UNICODE_PIECES)), max_size=12).map(
    "".join
)


def _assert_spans(report: Report, variant: Variant) -> None:
    """Every finding slices its field exactly; one about a required part the copy lacks names
    a field of the channel, with an empty span and text."""
    fields = dict((path, text) for path, _, text in variant.iter_fields())
    for f in report.findings:
        if f.field not in fields:
            assert f.field in CHANNEL_FIELDS[variant.channel] and f.rule.endswith("-PARTS")
            assert (f.start, f.end, f.text) == (0, 0, "")
            continue
        assert 0 <= f.start <= f.end <= len(fields[f.field])
        assert fields[f.field][f.start : f.end] == f.text


@settings(max_examples=150, deadline=None)
@given(body=texts, subject=texts)
def test_any_unicode_email_spans_slice_exactly(
    baseline: ResolvedPack, body: str, subject: str
) -> None:
    variant = Variant(channel="email", fields={"subject": subject, "body": body})
    _assert_spans(check(variant, baseline, TODAY), variant)


@settings(max_examples=100, deadline=None)
@given(body=texts)
def test_any_unicode_sms_spans_slice_exactly(baseline: ResolvedPack, body: str) -> None:
    variant = Variant(channel="sms", fields={"body": body})
    _assert_spans(check(variant, baseline, TODAY), variant)


@settings(max_examples=60, deadline=None)
@given(headlines=st.lists(texts, max_size=4), primary=texts)
def test_any_unicode_ad_spans_slice_exactly(
    baseline: ResolvedPack, headlines: list[str], primary: str
) -> None:
    variant = Variant(channel="ad", fields={"headlines": headlines, "primary_text": primary})
    _assert_spans(check(variant, baseline, TODAY), variant)


def test_hostile_markup_is_just_text(baseline: ResolvedPack) -> None:
    body = (
        "<script>alert('x')</script> {% for x in range(10**9) %}{{ x }}{% endfor %}"
        " {{ ''.__class__ }}"
    )
    variant = Variant(channel="email", fields={"body": body})
    report = check(variant, baseline, TODAY)
    _assert_spans(report, variant)
    flagged = [(f.rule, f.text) for f in report.findings if f.rule.startswith("MERGE-")]
    assert flagged == [
        ("MERGE-CODE", "{% for x in range(10**9) %}"),
        ("MERGE-UNKNOWN", "{{ x }}"),
        ("MERGE-CODE", "{% endfor %}"),
        ("MERGE-CODE", "{{ ''.__class__ }}"),
    ]
    # HTML is text like any other: no rule reads it, and no finding is about it.
    assert not any("<script>" in f.text or "<script>" in f.message for f in report.findings)


def test_one_megabyte_body_finishes_with_findings(baseline: ResolvedPack) -> None:
    chunk = "Our best-selling serum is clinically proven. Reply STOP. Call 415-555-0134 now!! "
    body = chunk * (1_000_000 // len(chunk))
    compile_pack(baseline)
    started = time.perf_counter()
    report = check(Variant(channel="email", fields={"body": body}), baseline, TODAY)
    elapsed = time.perf_counter() - started
    assert len(body) > 990_000
    assert sum(f.rule == "CLAIM-SUPERLATIVE" for f in report.findings) == body.count("best-selling")
    assert elapsed < 120  # a hang guard, not a speed target (bench/ measures speed)


def test_catastrophic_backtracking_pattern_runs_in_linear_time() -> None:
    regexp = compile_pattern("(a+)+$")
    subject = ("a" * 200_000 + "!").encode()
    assert regexp.search(subject) is None  # under a backtracking engine this never returns
