"""The offline drafter on the example briefs: valid, distinct, deterministic copy within every
channel's limits, saying only what the brief allows, and (mostly) clean under the brand pack.

Plain pytest: coroutines run with asyncio.run.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from guardrails import CompiledPack, Finding, Severity, Variant, compile_pack, load_pack
from guardrails.sms import measure, non_gsm7
from studio.drafting.brief import MAX_VARIANTS_PER_CHANNEL, Brief, load_brief
from studio.drafting.offline import OfflineDrafter
from studio.drafting.outputs import output_model
from studio.drafting.provider import Draft, DraftTask, Provider, angles_for
from tests.conftest import REPO, RULES, TODAY

BRIEFS = sorted((REPO / "examples" / "briefs").glob("*.yaml"))
DRAFTER = OfflineDrafter()
STOP = "Reply STOP to opt out"
PATH = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@functools.cache
def brief(path: Path) -> Brief:
    return load_brief(path, today=TODAY)


@functools.cache
def pack(brand: str) -> CompiledPack:
    return compile_pack(load_pack(RULES / brand))


def tasks(path: Path, per_channel: int | None = None) -> list[DraftTask]:
    """Every segment x channel x index of the brief (or `per_channel` indexes of each)."""
    b = brief(path)
    angles = angles_for(b)
    return [
        DraftTask(b, pack(b.brand), segment, channel, i, angles[i % len(angles)])
        for segment in b.segments
        for channel in b.channels
        for i in range(per_channel or channel.count)
    ]


def draft(task: DraftTask) -> Draft:
    return asyncio.run(DRAFTER.draft(task))


def texts(fields: dict[str, Any]) -> list[str]:
    return [t for v in fields.values() for t in (v if isinstance(v, list) else [v])]


def errors(task: DraftTask, fields: dict[str, Any]) -> list[Finding]:
    report = task.pack.check(Variant(channel=task.copy_channel, fields=fields), TODAY)
    return [f for f in report.findings if f.severity is Severity.ERROR]


ALL = [task for path in BRIEFS for task in tasks(path)]
EVERY_ANGLE = [task for path in BRIEFS for task in tasks(path, MAX_VARIANTS_PER_CHANNEL)]


def test_the_example_briefs_fit_their_packs() -> None:
    assert [p.stem for p in BRIEFS] == [
        "brightleaf-winter",
        "pennywise-savings-pots",
        "thread-and-co-autumn",
    ]
    for path in BRIEFS:
        b = brief(path)
        registry = {claim.id for claim in pack(b.brand).pack.claims}
        assert set(b.claims) <= registry, path.name
        assert len(b.segments) == 2
        assert {c.key: c.count for c in b.channels} == {
            "email": 2,
            "sms": 2,
            "ad-google-rsa": 1,
            "ad-meta": 1,
        }
    fda = pack("brightleaf").pack.rule("BL-FDA-DISCLAIMER").text
    assert fda in brief(REPO / "examples/briefs/brightleaf-winter.yaml").must_say


def test_the_offline_drafter_is_a_provider_that_says_it_is_not_an_llm() -> None:
    provider: Provider = DRAFTER
    assert (provider.name, provider.is_llm) == ("offline", False)
    d = draft(ALL[0])
    assert d.usage == {}
    assert d.provenance["provider"] == "offline"
    assert d.provenance["model"] == "offline-drafter"
    assert "not an LLM" in d.provenance["note"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", d.provenance["prompt_hash"])


@pytest.mark.parametrize("task", EVERY_ANGLE, ids=lambda t: f"{t.brief.brand}:{t.key}")
def test_drafts_are_valid_copy_for_their_channel(task: DraftTask) -> None:
    d = draft(task)
    assert output_model(task.channel.key).model_validate(d.fields).fields() == d.fields
    Variant(channel=task.copy_channel, fields=d.fields)
    assert d.provenance["angle"] == task.angle


def test_variants_of_a_group_differ() -> None:
    groups: dict[str, list[dict[str, Any]]] = {}
    for task in EVERY_ANGLE:
        groups.setdefault(task.group, []).append(draft(task).fields)
    for group, variants in groups.items():
        for a, b in itertools.combinations(variants, 2):
            assert a != b, f"{group}: two variants are the same: {a}"


def test_drafting_is_deterministic() -> None:
    """(How fast it drafts is `bench/drafting.py`'s to say, not a stopwatch in a test's.)"""
    sample = (EVERY_ANGLE * 2)[:100]
    first = [draft(task) for task in sample]
    second = [draft(task) for task in sample]
    assert [d.fields for d in first] == [d.fields for d in second]
    assert [d.provenance for d in first] == [d.provenance for d in second]
    hashes = {d.provenance["prompt_hash"] for d in first}
    assert len(hashes) == len({(t.brief.brand, t.key) for t in sample})


@pytest.mark.parametrize("task", EVERY_ANGLE, ids=lambda t: f"{t.brief.brand}:{t.key}")
def test_channel_limits_hold(task: DraftTask) -> None:
    fields = draft(task).fields
    brand = task.pack.pack.brand
    assert brand is not None
    if task.channel.key == "sms":
        body = fields["body"]
        assert body.startswith(f"{brand.name}: ") and body.endswith(STOP)
        assert not non_gsm7(body), body
        assert measure(body)[1] <= 160, body
    elif task.channel.key == "email":
        assert len(fields["subject"]) <= 50, fields["subject"]
        assert 40 <= len(fields["preheader"]) <= 100, fields["preheader"]
        body = fields["body"]
        assert body.startswith('Hi {{ first_name | default: "there" }},\n\n')
        assert "{{ unsubscribe_url }}" in body and "{{ postal_address }}" in body
        assert all(line in body for line in task.brief.must_say)
    elif task.channel.key == "ad-google-rsa":
        assert 3 <= len(fields["headlines"]) <= 15
        assert all(len(h) <= 30 and "!" not in h for h in fields["headlines"]), fields
        assert 2 <= len(fields["descriptions"]) <= 4
        assert all(len(d) <= 90 for d in fields["descriptions"]), fields
        for path in (fields["path1"], fields["path2"]):
            assert len(path) <= 15 and PATH.match(path), path
    else:
        assert len(fields["primary_text"]) <= 125, fields
        assert len(fields["headline"]) <= 40 and len(fields["description"]) <= 30, fields


def test_offer_variants_state_the_end_date() -> None:
    offers = [t for t in EVERY_ANGLE if t.angle == "offer"]
    assert offers
    for task in offers:
        assert task.brief.offer is not None and task.brief.offer.ends is not None
        ends = task.brief.offer.ends
        joined = " ".join(texts(draft(task).fields))
        dates = (f"{ends.day} {ends:%B}", f"{ends.day} {ends:%b}")
        assert any(date in joined for date in dates), (task.key, joined)


def test_proof_variants_make_only_the_briefs_claims() -> None:
    proofs = [t for t in EVERY_ANGLE if t.angle == "proof"]
    assert proofs
    for task in proofs:
        registry = task.pack.pack.claims
        joined = " ".join(texts(draft(task).fields))
        briefed = [c for c in registry if c.id in task.brief.claims]
        assert any(c.text.lower() in joined.lower() for c in briefed), (task.key, joined)
        for claim in (c for c in registry if c.id not in task.brief.claims):
            patterns = claim.patterns or [re.escape(claim.text)]
            assert not any(re.search(p, joined, re.IGNORECASE) for p in patterns), (
                f"{task.key} makes {claim.id}, which the brief does not list: {joined}"
            )


def test_must_avoid_words_never_appear() -> None:
    for task in EVERY_ANGLE:
        words = "|".join(re.escape(w) for w in task.brief.must_avoid)
        avoid = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
        for text in texts(draft(task).fields):
            assert not avoid.search(text), (task.key, text)


@pytest.mark.parametrize("matrix", ["briefs", "every-angle"])
def test_most_drafts_pass_their_brand_pack(matrix: str) -> None:
    """At least 90% of drafts have no error finding: over the briefs' own variant counts, and
    over ten variants per channel (every angle and hook)."""
    sample = ALL if matrix == "briefs" else EVERY_ANGLE
    failing = []
    for task in sample:
        fields = draft(task).fields
        found = errors(task, fields)
        if found:
            why = "; ".join(f"{f.rule} at {f.field} ({f.text!r})" for f in found)
            failing.append(f"{task.brief.brand}:{task.key} [{task.angle}]: {why}")
    clean = 1 - len(failing) / len(sample)
    assert clean >= 0.9, f"{clean:.0%} clean; failing:\n" + "\n".join(failing)


# --- repair ----------------------------------------------------------------------------------

BANNED = "Our miracle capsules work overnight."


def brightleaf_task(channel_key: str) -> DraftTask:
    return next(t for t in ALL if t.brief.brand == "brightleaf" and t.channel.key == channel_key)


def repair(task: DraftTask, fields: dict[str, Any]) -> Draft:
    return asyncio.run(DRAFTER.repair(task, fields, errors(task, fields)))


def test_repair_removes_the_flagged_sentence_from_an_email() -> None:
    task = brightleaf_task("email")
    clean = draft(task).fields
    paragraphs = clean["body"].split("\n\n")
    paragraphs[1] = f"{paragraphs[1]} {BANNED}"
    dirty = {**clean, "body": "\n\n".join(paragraphs)}
    assert {f.rule for f in errors(task, dirty)} == {"BL-BANNED"}
    repaired = repair(task, dirty)
    assert BANNED not in repaired.fields["body"]
    assert repaired.fields == clean
    assert errors(task, repaired.fields) == []
    assert repaired.provenance["provider"] == "offline" and "repair" in repaired.provenance


def test_repair_puts_back_what_an_sms_needs() -> None:
    task = brightleaf_task("sms")
    dirty = {"body": f"Brightleaf: {BANNED} Shop brightleaf.example/winter"}
    repaired = repair(task, dirty).fields["body"]
    assert "miracle" not in repaired
    assert repaired.startswith("Brightleaf: ") and repaired.endswith(STOP)
    assert errors(task, {"body": repaired}) == []


def test_repair_drops_a_flagged_ad_asset_and_keeps_enough() -> None:
    task = brightleaf_task("ad-google-rsa")
    clean = draft(task).fields
    dirty = {**clean, "headlines": ["Superfood In Every Capsule", *clean["headlines"][:2]]}
    assert {f.rule for f in errors(task, dirty)} == {"BL-BANNED"}
    repaired = repair(task, dirty).fields
    assert "Superfood In Every Capsule" not in repaired["headlines"]
    assert len(repaired["headlines"]) >= 3
    assert errors(task, repaired) == []


def test_repair_returns_copy_it_cannot_improve_unchanged() -> None:
    task = brightleaf_task("email")
    clean = draft(task).fields
    assert asyncio.run(DRAFTER.repair(task, clean, [])).fields == clean
    # A length finding about the whole field is no sentence's fault: nothing to remove.
    long_sms = {"body": "Brightleaf: " + "Winter capsules are here. " * 14 + STOP}
    found = errors(brightleaf_task("sms"), long_sms)
    assert [f.rule for f in found] == ["SMS-SEGMENTS"]
    again = asyncio.run(DRAFTER.repair(brightleaf_task("sms"), long_sms, found))
    assert again.fields == long_sms


def test_a_brand_that_tightens_a_limit_gets_drafts_within_it(rules_dir: Path) -> None:
    """The drafter reads lengths from the brand's resolved pack, not constants of its own."""
    pack_file = rules_dir / "brightleaf" / "pack.yaml"
    text = pack_file.read_text(encoding="utf-8")
    tightened = "overrides:\n  EMAIL-SUBJECT-LEN: {max: 24}\n  META-HEADLINE-LEN: {max: 12}\n"
    pack_file.write_text(text.replace("overrides:\n", tightened, 1), encoding="utf-8")
    tight = compile_pack(load_pack(rules_dir / "brightleaf"))
    b = brief(REPO / "examples" / "briefs" / "brightleaf-winter.yaml")
    angles = angles_for(b)

    def fields_of(compiled: CompiledPack, key: str) -> list[str]:
        return [
            draft(DraftTask(b, compiled, segment, channel, i, angles[i % len(angles)])).fields[key]
            for segment in b.segments
            for channel in b.channels
            for i in range(channel.count)
            if key in output_model(channel.key).model_fields
        ]

    loose_subjects, tight_subjects = (
        fields_of(pack("brightleaf"), "subject"),
        fields_of(tight, "subject"),
    )
    assert tight_subjects and max(map(len, tight_subjects)) <= 24 < max(map(len, loose_subjects))
    tight_headlines = fields_of(tight, "headline")
    assert tight_headlines and max(map(len, tight_headlines)) <= 12 < max(
        map(len, fields_of(pack("brightleaf"), "headline"))
    )
