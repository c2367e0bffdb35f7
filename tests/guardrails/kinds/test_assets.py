"""The assets kind: how many items a list field holds (on the last item) and repeated items
(on the repeat, naming the first)."""

from __future__ import annotations

from guardrails import ResolvedPack
from tests.helpers.guardrails import draft, messages, rule_pack, rules_hit, spans


def test_google_asset_counts_and_duplicates(baseline: ResolvedPack) -> None:
    ad = draft(
        "ad",
        headlines=["Fresh Vitamins", "Delivered Monthly", "fresh  vitamins"],
        descriptions=["Tested for purity.", "Pause any time."],
    )
    assert spans(baseline, ad, "GADS-DUPLICATE-ASSET") == [
        ("headlines[2]", 0, 15, "fresh  vitamins")
    ]
    assert messages(baseline, ad, "GADS-DUPLICATE-ASSET") == [
        "This repeats headlines[0]; Google rejects duplicate assets (DUPLICATE_ASSET)."
    ]
    assert "GADS-HEADLINE-COUNT" not in rules_hit(baseline, ad)
    meta = draft("ad", primary_text="Soft knits for autumn.")
    assert not any(r.startswith("GADS-") for r in rules_hit(baseline, meta))


def test_too_few_or_too_many_items_are_reported_on_the_last() -> None:
    pack = rule_pack(
        "assets", fields=["headlines"], min=2, max=3, message="{count} of at most {limit}"
    )
    assert spans(pack, draft("ad", headlines=["One"])) == [("headlines[0]", 0, 3, "One")]
    assert messages(pack, draft("ad", headlines=["One"])) == ["1 of at most 2"]
    four = draft("ad", headlines=["A", "B", "C", "Dee"])
    assert spans(pack, four) == [("headlines[3]", 0, 3, "Dee")]
    assert messages(pack, four) == ["4 of at most 3"]
    assert spans(pack, draft("ad", headlines=["A", "B"])) == []
    assert spans(pack, draft("ad", primary_text="No headlines at all.")) == []
