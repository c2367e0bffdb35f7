"""A pack that names the engines its brand publishes to (`engines:`) gets an error at check
time for every merge tag one of them cannot carry, on the tag's words: in `studio check`, in
the stored report a reviewer sees, and so before an approval rather than as a hole in a feed."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails import RulePackError, load_pack
from studio.errors import Refused
from studio.services import approval, packs
from studio.store.db import Database
from tests.conftest import write_pack
from tests.helpers.variants import in_review

FILTERED = "Brightleaf: {{ first_name | upcase }}, our vitamins support your routine. Reply STOP"


def publishing_to(rules_dir: Path, *engines: str) -> None:
    pack = rules_dir / "brightleaf" / "pack.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + f"\nengines: [{', '.join(engines)}]\n",
                    encoding="utf-8")  # fmt: skip


def test_each_engine_that_cannot_carry_a_tag_is_an_error_on_it(rules_dir: Path) -> None:
    publishing_to(rules_dir, "braze", "klaviyo")
    report = packs.check_copy("brightleaf", "sms", {"body": FILTERED}).report
    found = [f for f in report.findings if f.rule == packs.ENGINE_RULE]
    assert [f.message.split(" ")[0] for f in found] == ["braze", "klaviyo"]
    assert {(f.field, f.start, f.end, f.text) for f in found} == {
        ("body", 12, 37, "{{ first_name | upcase }}")}  # fmt: skip
    assert all(f.severity == "error" and f.category == "channel" for f in found)
    assert 'the filter "upcase" is not translated' in found[0].message


def test_an_engine_owned_tag_the_engine_lacks_is_named(rules_dir: Path) -> None:
    publishing_to(rules_dir, "braze")
    body = "New arrivals are in. {{ unsubscribe_url }} {{ postal_address }}"
    fields = {"subject": "New in", "preheader": "Our new range is here for you", "body": body}
    report = packs.check_copy("brightleaf", "email", fields).report
    (found,) = [f for f in report.findings if f.rule == packs.ENGINE_RULE]
    assert found.text == "{{ postal_address }}"
    assert "braze has no tag of its own for postal_address" in found.message


def test_a_pack_that_names_no_engines_checks_the_rules_alone(rules_dir: Path) -> None:
    before = packs.brand_pack("brightleaf").version
    report = packs.check_copy("brightleaf", "sms", {"body": FILTERED}).report
    assert not [f for f in report.findings if f.rule == packs.ENGINE_RULE]
    publishing_to(rules_dir, "klaviyo")
    assert packs.brand_pack("brightleaf").version != before  # engines decide outcomes


def test_an_unknown_engine_is_a_pack_error_naming_the_file_and_line(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "acme", "pack: acme\nengines: [braze, mailchimp]\n")
    with pytest.raises(RulePackError, match=r"pack\.yaml:2.*engines"):
        load_pack(pack)


def test_copy_an_engine_cannot_carry_blocks_approval_until_overridden(
    db: Database, rules_dir: Path
) -> None:
    publishing_to(rules_dir, "braze")
    variant = in_review(db, FILTERED)
    with pytest.raises(Refused, match=packs.ENGINE_RULE):
        approval.approve(db, variant.id, actor="rita", acknowledge_all=True)
    why = {packs.ENGINE_RULE: "Sent by our own mailer, which takes the studio's tags"}
    approval.approve(db, variant.id, actor="rita", acknowledge_all=True, overrides=why)
