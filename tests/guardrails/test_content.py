"""The copy under check: labelled text parsed into fields, and what a variant refuses."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from guardrails import Channel, Variant, parse_labelled_text


def test_labelled_text_offsets_slice_fields() -> None:
    text = "Subject: Big news\nPreheader: The preheader line\n\nHello there,\nbody text.\n"
    parsed = parse_labelled_text(text, Channel.EMAIL)
    fields = parsed.variant.fields
    assert fields == {
        "subject": "Big news",
        "preheader": "The preheader line",
        "body": "Hello there,\nbody text.",
    }
    for name, value in fields.items():
        assert isinstance(value, str)
        assert text[parsed.offsets[name] : parsed.offsets[name] + len(value)] == value


def test_labelled_ad_lists() -> None:
    text = "Headline: One\nHeadline: Two\nDescription: Desc A\nPath1: shoes\n"
    parsed = parse_labelled_text(text, Channel.AD)
    assert parsed.variant.fields == {
        "headlines": ["One", "Two"],
        "descriptions": ["Desc A"],
        "path1": "shoes",
    }
    assert parsed.offsets["headlines[1]"] == text.index("Two")


def test_plain_text_is_main_field() -> None:
    assert parse_labelled_text("Acme: hi. Reply STOP", Channel.SMS).variant.fields == {
        "body": "Acme: hi. Reply STOP"
    }
    assert parse_labelled_text("", Channel.SMS).variant.fields == {}


def test_field_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="'subject' is given twice"):
        parse_labelled_text("Subject: a\nSubject: b\n", Channel.EMAIL)


def test_variant_rejects_unknown_and_misshapen_fields() -> None:
    with pytest.raises(ValidationError, match="'title' is not a email field"):
        Variant(channel="email", fields={"title": "x"})
    with pytest.raises(ValidationError, match="must be a list of strings"):
        Variant(channel="ad", fields={"headlines": "x"})


def test_variant_refuses_lone_surrogates_naming_field_and_offset() -> None:
    with pytest.raises(ValidationError, match=r"'body' is not valid Unicode text .* offset 3"):
        Variant(channel="sms", fields={"body": "hi \ud800 there"})
    with pytest.raises(ValidationError, match=r"'headlines\[1\]' is not valid Unicode.*U\+DFFF"):
        Variant(channel="ad", fields={"headlines": ["Fine", "\udfff"]})
    assert Variant(channel="sms", fields={"body": "Acme 🔥 👩‍👩‍👧"}).has_text()  # pairs are fine
