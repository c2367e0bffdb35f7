"""The pii kind: email addresses, phone numbers, payment card numbers (Luhn-valid) and US social
security numbers in copy, each at its span; the brand's own published contacts are not PII."""

from __future__ import annotations

from tests.helpers.guardrails import draft, messages, rule_pack, spans

DETECT = {"detect": ["email", "phone", "card", "ssn"], "phone_regions": ["US", "GB"]}
BRAND = {
    "brand": {
        "name": "Acme",
        "domains": ["acme.example"],
        "phones": ["+1 415 555 0100"],
        "emails": ["help@partner.example"],
    }
}


def test_each_kind_of_personal_data_at_its_span() -> None:
    pack = rule_pack("pii", **DETECT, message="{what}: {match}")
    body = (
        "Mail jane.doe@gmail.com, call (415) 867-5309, card 4111 1111 1111 1111, SSN 123-45-6789."
    )
    assert spans(pack, draft("email", body=body)) == [
        ("body", 5, 23, "jane.doe@gmail.com"),
        ("body", 30, 44, "(415) 867-5309"),
        ("body", 51, 70, "4111 1111 1111 1111"),
        ("body", 76, 87, "123-45-6789"),
    ]
    assert messages(pack, draft("email", body="Call 07700 900123 today.")) == [
        "a phone number: 07700 900123"
    ]


def test_numbers_that_are_not_personal_data_pass() -> None:
    pack = rule_pack("pii", **DETECT)
    body = "Order 1234 5678 9012 3456 shipped in 2026; SKU 000-12-3456; 20% off 3 items."
    assert spans(pack, draft("email", body=body)) == []


def test_the_brands_own_contacts_pass() -> None:
    pack = rule_pack("pii", BRAND, **DETECT)
    body = "Call 415-555-0100 or write to help@partner.example or orders@shop.acme.example."
    assert spans(pack, draft("email", body=body)) == []
    assert spans(pack, draft("email", body="Or jo@elsewhere.example.")) == [
        ("body", 3, 23, "jo@elsewhere.example")
    ]


def test_only_what_the_rule_detects() -> None:
    pack = rule_pack("pii", detect=["email"])
    body = "Call (415) 867-5309 or mail jo@gmail.com"
    assert spans(pack, draft("email", body=body)) == [("body", 28, 40, "jo@gmail.com")]
