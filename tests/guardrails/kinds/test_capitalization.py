"""The capitalization kind: shouted ALL-CAPS words, but not acronyms, the brand's names, codes,
initials or merge tags."""

from __future__ import annotations

from guardrails import ResolvedPack
from tests.helpers.guardrails import draft, report, rule_pack, spans


def test_merge_tags_are_not_shouting(baseline: ResolvedPack) -> None:
    body = "Hi *|FNAME|* and {{ FIRST_NAME }}, HUGE news"
    assert spans(baseline, draft("email", body=body), "TONE-CAPS") == [("body", 35, 39, "HUGE")]


def test_shouted_words_get_their_capitalized_form() -> None:
    pack = rule_pack("capitalization")
    findings = report(pack, draft("email", body="Our BIGGEST sale, ÉNORME.")).findings
    assert [(f.start, f.end, f.text, f.suggestions) for f in findings] == [
        (4, 11, "BIGGEST", ["Biggest"]),
        (18, 24, "ÉNORME", ["Énorme"]),
    ]


def test_acronyms_brand_names_codes_and_short_words_pass() -> None:
    pack = rule_pack(
        "capitalization",
        {"brand": {"name": "ACME Labs", "aliases": ["ZUMA"]}, "voice": {"acronyms": ["FAQ"]}},
        allow=["SPF"],
        min_letters=4,
    )
    body = "ACME and ZUMA: see the FAQ, SPF 50, code WELCOME20, U.S.A., NEW. SALE"
    assert spans(pack, draft("email", body=body)) == [("body", 65, 69, "SALE")]
