"""The existence kind: every occurrence of a term (in any inflection, or exactly as written),
a pattern or a competitor's name, each at its exact span."""

from __future__ import annotations

from guardrails import ResolvedPack, compile_pack
from tests.helpers.guardrails import draft, messages, rule_pack, rules_hit, spans


def test_lemma_terms_match_every_inflection(baseline: ResolvedPack) -> None:
    for text in [
        "Results guaranteed.",
        "GUARANTEED results.",
        "We guarantee it.",
        "Guarantees apply.",
    ]:
        assert "CLAIM-GUARANTEE" in rules_hit(baseline, draft("email", body=text)), text
    assert "CLAIM-GUARANTEE" not in rules_hit(baseline, draft("email", body="Results vary."))


def test_superlatives_match_surface_form_not_lemma(baseline: ResolvedPack) -> None:
    # The lookup lemmatizer maps "best" to "well": "well" must not raise CLAIM-BEST.
    assert "CLAIM-BEST" not in rules_hit(baseline, draft("email", body="It works well."))
    assert "CLAIM-BEST" in rules_hit(baseline, draft("email", body="It is the best."))
    hits = rules_hit(baseline, draft("email", body="Our best selling serum"))
    assert "CLAIM-SUPERLATIVE" in hits


def test_spans_point_at_exact_words(baseline: ResolvedPack) -> None:
    text = "Hi there. Clinically proven to help."
    proof = spans(baseline, draft("email", body=text), "CLAIM-PROOF")
    assert proof == [("body", 10, 27, "Clinically proven"), ("body", 21, 30, "proven to")]
    assert text[10:27] == "Clinically proven" and text[21:30] == "proven to"


def test_terms_patterns_and_exceptions() -> None:
    pack = rule_pack(
        "existence",
        terms=["cheap"],
        patterns=[r"\bno\.? ?1\b"],
        exceptions=["cheaper"],
        message="'{match}' in the {field}",
    )
    body = "Cheap, cheaper, the cheapest, No. 1 and no1."
    assert spans(pack, draft("email", body=body)) == [
        ("body", 0, 5, "Cheap"),
        ("body", 20, 28, "cheapest"),
        ("body", 30, 35, "No. 1"),
        ("body", 40, 43, "no1"),
    ]
    assert messages(pack, draft("sms", body="so cheap")) == ["'cheap' in the body"]
    assert spans(pack, draft("email", body="Affordable, and number one.")) == []


def test_exact_terms_match_only_the_form_written() -> None:
    pack = rule_pack("existence", terms=["best"], match="exact")
    assert spans(pack, draft("email", body="The best, and better.")) == [("body", 4, 8, "best")]


def test_competitors_come_from_the_brand() -> None:
    brand = {"brand": {"name": "Acme", "competitors": ["Globex", "Initech Labs"]}}
    pack = rule_pack("existence", brand, competitors=True)
    body = "Better than Globex or initech  labs."
    assert spans(pack, draft("email", body=body)) == [
        ("body", 12, 18, "Globex"),
        ("body", 22, 35, "initech  labs"),
    ]
    # A competitor rule in a pack with no competitors has nothing to do: it is not compiled in.
    alone = rule_pack("existence", competitors=True)
    assert compile_pack(alone).rules == []
    assert spans(alone, draft("email", body="Better than Globex.")) == []
