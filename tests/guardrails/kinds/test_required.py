"""The required kind: an opt-out, a merge variable, the brand's name or a literal text must be
there; a finding when it is not, as an empty span at the end of the field that lacks it."""

from __future__ import annotations

from guardrails import ResolvedPack, compile_pack
from tests.helpers.guardrails import draft, messages, rule_pack, rules_hit, spans


def test_a_missing_opt_out_is_an_empty_span_at_the_end(baseline: ResolvedPack) -> None:
    body = "Acme: new flavors are in."
    assert spans(baseline, draft("sms", body=body), "SMS-OPTOUT") == [("body", 25, 25, "")]
    assert "SMS-OPTOUT" not in rules_hit(baseline, draft("sms", body=body + " Reply STOP"))


def test_a_merge_variable_satisfies_it(baseline: ResolvedPack) -> None:
    email = draft("email", subject="New in", body="New arrivals. {{ preferences_url }}")
    assert spans(baseline, email, "EMAIL-UNSUBSCRIBE") == [("body", 35, 35, "")]
    email = draft("email", subject="New in", body="New arrivals. {{ unsubscribe_url }}")
    assert "EMAIL-UNSUBSCRIBE" not in rules_hit(baseline, email)


def test_a_literal_text_matches_across_any_whitespace() -> None:
    pack = rule_pack("required", text="Terms apply.", message="Add the terms.")
    assert spans(pack, draft("email", body="Terms\n  apply. Free tote.")) == []
    assert messages(pack, draft("email", body="Free tote.")) == ["Add the terms."]


def test_the_brand_name_in_a_pack_with_a_brand() -> None:
    brand = {"brand": {"name": "Acme", "aliases": ["Acme Co"]}}
    pack = rule_pack("required", brand, brand_name=True, message="Name {brand}.")
    assert messages(pack, draft("sms", body="New flavors.")) == ["Name Acme."]
    assert spans(pack, draft("sms", body="ACME: new flavors.")) == []
    # Without a brand there is nothing to require: the rule is left out.
    assert compile_pack(rule_pack("required", brand_name=True)).rules == []


def test_variant_scope_is_met_by_any_field_and_reported_on_the_last() -> None:
    pack = rule_pack("required", scope="variant", patterns=[r"\bstop\b"])
    met = draft("email", subject="Reply STOP", body="New in.")
    assert spans(pack, met) == []
    unmet = draft("email", subject="Hi", body="New in.")
    assert spans(pack, unmet) == [("body", 7, 7, "")]
    field_scope = rule_pack("required", patterns=[r"\bstop\b"])
    assert spans(field_scope, met) == [("body", 7, 7, "")]
