"""The sms_encoding kind: each run of characters outside GSM-7, with the GSM-7 spelling as the
fix when there is one (a curly apostrophe), and advice when there is none (an emoji)."""

from __future__ import annotations

from guardrails import ResolvedPack
from tests.helpers.guardrails import draft, report, rules_hit


def _found(pack: ResolvedPack, body: str) -> list[tuple[int, int, str, str | None, list[str]]]:
    findings = report(pack, draft("sms", body=body)).findings
    return [
        (f.start, f.end, f.text, f.fix, f.suggestions) for f in findings if f.rule == "SMS-ENCODING"
    ]


def test_typographic_characters_get_their_gsm7_spelling(baseline: ResolvedPack) -> None:
    assert _found(baseline, "Acme: don’t miss “the drop”… Reply STOP") == [
        (9, 10, "’", "'", ["'"]),
        (17, 18, "“", '"', ['"']),
        (26, 28, "”…", '"...', ['"...']),  # a run of them is one finding
    ]
    message = report(baseline, draft("sms", body="Acme: don’t. Reply STOP")).findings[0].message
    assert message.startswith("'’' is not in the GSM-7 alphabet, so the whole message is sent as")


def test_characters_with_no_gsm7_spelling_get_advice(baseline: ResolvedPack) -> None:
    assert _found(baseline, "Acme: new `drop` 🔥. Reply STOP") == [
        (10, 11, "`", None, ["remove it, or accept 70-character segments"]),
        (15, 16, "`", None, ["remove it, or accept 70-character segments"]),
        (17, 18, "🔥", None, ["remove it, or accept 70-character segments"]),
    ]


def test_gsm7_text_and_other_channels_pass(baseline: ResolvedPack) -> None:
    assert _found(baseline, "Acme: café, 10€ [sale] {ok}. Reply STOP") == []
    assert "SMS-ENCODING" not in rules_hit(baseline, draft("email", body="Don’t miss it."))
