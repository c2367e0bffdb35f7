"""The links kind: links to blocked domains (public shorteners), and with `brand_domains_only`,
links off the brand's own domains; an email address is no link."""

from __future__ import annotations

from tests.helpers.guardrails import draft, messages, rule_pack, spans

BRAND = {"brand": {"name": "Acme", "domains": ["acme.example"]}}


def test_a_blocked_domain_is_a_finding_naming_its_host() -> None:
    pack = rule_pack("links", blocked_domains=["bit.ly"], message="{match} via {host}")
    body = "Shop https://BIT.ly/3xYz or m.bit.ly/q now"
    assert spans(pack, draft("sms", body=body)) == [
        ("body", 5, 24, "https://BIT.ly/3xYz"),
        ("body", 28, 38, "m.bit.ly/q"),
    ]
    assert messages(pack, draft("sms", body="See bit.ly/x")) == ["bit.ly/x via bit.ly"]
    assert spans(pack, draft("sms", body="Shop acme.example/new or notbit.ly")) == []


def test_brand_domains_only_flags_links_elsewhere() -> None:
    pack = rule_pack("links", BRAND, brand_domains_only=True)
    body = "See acme.example/new, shop.acme.example and shopfast.example.net; mail jo@other.example"
    assert spans(pack, draft("sms", body=body)) == [("body", 44, 64, "shopfast.example.net")]


def test_brand_domains_only_means_nothing_without_brand_domains() -> None:
    pack = rule_pack("links", brand_domains_only=True)
    assert spans(pack, draft("sms", body="See shopfast.example.net")) == []
