"""The conditional kind: a trigger that needs something beside it, in its field or (scope
`variant`) anywhere in the copy; each trigger is a finding when nothing satisfies it."""

from __future__ import annotations

from tests.helpers.guardrails import draft, rule_pack, spans

RULE = {"terms": ["free"], "requires": [r"\bterms apply\b"], "message": "'{match}' needs terms."}


def test_a_trigger_without_what_it_requires_is_a_finding() -> None:
    pack = rule_pack("conditional", **RULE)
    assert spans(pack, draft("email", body="Free tote. Free socks.")) == [
        ("body", 0, 4, "Free"),
        ("body", 11, 15, "Free"),
    ]


def test_what_it_requires_in_the_same_field_satisfies_it() -> None:
    pack = rule_pack("conditional", **RULE)
    assert spans(pack, draft("email", body="Free tote. Terms apply.")) == []
    assert spans(pack, draft("email", body="Terms apply to every order.")) == []  # no trigger


def test_field_scope_is_not_satisfied_by_another_field() -> None:
    pack = rule_pack("conditional", **RULE)
    email = draft("email", subject="A free tote", body="Terms apply.")
    assert spans(pack, email) == [("subject", 2, 6, "free")]


def test_variant_scope_is_satisfied_anywhere_in_the_copy() -> None:
    pack = rule_pack("conditional", scope="variant", **RULE)
    assert spans(pack, draft("email", subject="A free tote", body="Terms apply.")) == []
    unmet = draft("email", subject="A free tote", body="Free socks too.")
    assert spans(pack, unmet) == [("subject", 2, 6, "free"), ("body", 0, 4, "Free")]


def test_a_trigger_its_exception_fully_matches_needs_nothing() -> None:
    pack = rule_pack(
        "conditional", patterns=[r"\bfree[\w-]*"], exceptions=["free-range"], requires=["terms"]
    )
    assert spans(pack, draft("email", body="Free-range eggs, free-ish gifts.")) == [
        ("body", 17, 25, "free-ish")
    ]
