"""The substitution kind: a term the brand replaces, with its preferred word as the fix when the
copy uses the term's own form, and as a suggestion when it uses another."""

from __future__ import annotations

from guardrails import ResolvedPack
from tests.helpers.guardrails import draft, report, rule_pack

SWAP = rule_pack(
    "substitution", swap={"cheap": "affordable", "buy now": "shop"}, message="Say '{replacement}'."
)


def _found(pack: ResolvedPack, body: str) -> list[tuple[int, int, str, str | None, list[str]]]:
    return [
        (f.start, f.end, f.text, f.fix, f.suggestions)
        for f in report(pack, draft("email", body=body)).findings
    ]


def test_the_terms_own_form_gets_a_fix_in_its_casing() -> None:
    assert _found(SWAP, "Cheap boots. CHEAP hats. Buy now!") == [
        (0, 5, "Cheap", "Affordable", ["Affordable"]),
        (13, 18, "CHEAP", "AFFORDABLE", ["AFFORDABLE"]),
        (25, 32, "Buy now", "Shop", ["Shop"]),
    ]
    assert report(SWAP, draft("email", body="cheap")).findings[0].message == "Say 'affordable'."


def test_an_inflected_form_gets_a_suggestion_but_no_fix() -> None:
    assert _found(SWAP, "Even cheaper.") == [(5, 12, "cheaper", None, ["affordable"])]


def test_copy_without_the_terms_passes() -> None:
    assert _found(SWAP, "Affordable boots. Shop the range.") == []


def test_exact_match_leaves_other_forms_alone() -> None:
    exact = rule_pack("substitution", swap={"cheap": "affordable"}, match="exact")
    assert _found(exact, "cheaper, cheap") == [(9, 14, "cheap", "affordable", ["affordable"])]
