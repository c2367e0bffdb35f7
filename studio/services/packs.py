"""Running the guardrails on stored copy: which pack a brand uses, and the stored report.

The pack is read from disk on every call (cached on the files' size and mtime), so an edited rule
file takes effect at once and an approval always binds to the rules as they are now.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from guardrails import (
    Category,
    Channel,
    CompiledPack,
    Finding,
    Report,
    Severity,
    compile_pack,
    load_pack,
)
from guardrails import Variant as Copy
from guardrails.examples import find_packs
from studio.canonical import sha256_tag
from studio.errors import InvalidInput, first_error
from studio.publishing.dialects import refusals
from studio.settings import resolve_pack_dir, settings
from studio.store.models import CheckReport, Variant, VariantVersion, saved_id

ENGINE_RULE = "ENGINE-UNTRANSLATABLE"
ENGINE_TAGS_SOURCE = "studio/publishing/engine_tags.py"  # each engine's tags, with its docs
_BRAND_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_loaded: dict[str, tuple[tuple[Any, ...], CompiledPack]] = {}


def brand_pack(slug: str) -> CompiledPack:
    """The compiled rule pack of a brand (its folder under the rules root), current on disk."""
    if not _BRAND_SLUG.fullmatch(slug):
        raise InvalidInput(
            f"brand {slug!r}: a brand is a rule-pack folder name (lowercase letters, digits, '-')"
        )
    directory = resolve_pack_dir(slug)
    if not (directory / "pack.yaml").is_file():
        raise InvalidInput(f"brand {slug!r} has no rule pack at {directory}/pack.yaml")
    return pack_at(directory)


def pack_at(directory: Path) -> CompiledPack:
    """The compiled pack in a folder, recompiled when any rule file under the rules root (or
    the folder itself) changed: what `studio check`, the Brand rules page and an approval use."""
    root = settings().rules_root()
    inside = directory.resolve().is_relative_to(root.resolve())
    signature = _files_signature(root) if inside else _files_signature(root, directory)
    key = str(directory.resolve())
    cached = _loaded.get(key)
    if cached is None or cached[0] != signature:
        cached = (signature, compile_pack(load_pack(directory)))
        _loaded[key] = cached
    return cached[1]


def named_pack(name_or_path: str | None) -> CompiledPack:
    """A pack given by name under the rules root or by path; none means the baselines."""
    return pack_at(resolve_pack_dir(name_or_path))


def pack_choices() -> dict[str, str]:
    """What a person may check copy against: each brand's pack by name, and the baselines."""
    root = settings().rules_root()
    choices = {"Baselines only": "_baseline"}
    for pack_dir in find_packs(root):
        if not pack_dir.name.startswith("_") and "_baseline" not in pack_dir.parts:
            choices[pack_dir.name] = pack_dir.name
    return choices


def check(pack: CompiledPack, copy: Copy) -> Report:
    """The pack's report on the copy, with an error for each merge tag one of the engines the
    pack publishes to (`engines:`) cannot carry: caught at check time, before an approval,
    rather than as a hole in that engine's feed. Every check the studio stores or shows runs
    through here (the drafter's repair loop, which cannot reach it, checks the rules alone)."""
    report = pack.check(copy)
    untranslatable = [
        finding for engine in pack.pack.engines
        for finding in dialect_findings(copy.fields, engine, fallbacks(pack))
    ]  # fmt: skip
    if not untranslatable:
        return report
    return report.model_copy(update={"findings": [*report.findings, *untranslatable]})


def dialect_findings(
    fields: Mapping[str, str | list[str]], engine: str, fallbacks: Mapping[str, str | None]
) -> list[Finding]:
    """Each text's first tag the engine cannot carry, as an error on its words."""
    return [
        Finding(rule=ENGINE_RULE, category=Category.CHANNEL, severity=Severity.ERROR,
                field=refused.field or "", start=refused.offset,
                end=refused.offset + len(refused.tag), text=refused.tag,
                source=ENGINE_TAGS_SOURCE,
                message=f"{engine} cannot carry this tag, so the copy could not be sent "
                f"through it: {refused.reason}")
        for refused in refusals(fields, engine, fallbacks)
    ]  # fmt: skip


def fallbacks(pack: CompiledPack) -> dict[str, str | None]:
    """The brand's fallback per merge variable, which dialects print when a value is empty."""
    return {name: field.fallback for name, field in pack.pack.merge_fields.items()}


def check_copy(pack_name: str | None, channel: str, fields: dict[str, Any]) -> CheckedCopy:
    """Check copy nobody saved (a playground, a linter run) under the pack as it is now."""
    pack = named_pack(pack_name)
    copy = as_copy(channel, fields)
    return CheckedCopy(copy, pack.version, len(pack.rules), check(pack, copy))


def report_document(ident: str, report: Report) -> dict[str, Any]:
    """A report as `studio check --format json` prints it and `POST /v1/check` returns it."""
    keys = {"rule", "category", "severity", "field", "start", "end", "text", "message",
            "suggestions", "fix", "source"}  # fmt: skip
    findings = [f.model_dump(mode="json", include=keys) for f in report.findings]
    return {"id": ident, "verdict": report.verdict.value, "findings": findings}


@dataclass(frozen=True)
class CheckedCopy:
    copy: Copy
    rules_version: str
    rule_count: int
    report: Report


def _files_signature(*roots: Path) -> tuple[Any, ...]:
    stats = []
    for path in sorted(p for root in roots for p in root.rglob("*.yaml")):
        stat = path.stat()
        stats.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stats)


def content_hash(channel: str, fields: dict[str, Any]) -> str:
    """What an approval binds to: the channel and every field, canonically serialised."""
    return sha256_tag({"channel": channel, "fields": fields})


def as_copy(channel: str, fields: dict[str, Any]) -> Copy:
    """Validated copy for a channel; a bad field is an InvalidInput naming it."""
    try:
        return Copy(channel=Channel(channel), fields=fields)
    except ValueError as exc:
        raise InvalidInput(f"{channel} copy is not valid: {first_error(exc)}") from None


def _counts(report: Report) -> dict[Severity, int]:
    counts = dict.fromkeys(Severity, 0)
    for finding in report.findings:
        counts[finding.severity] += 1
    return counts


def store_report(
    session: Session,
    variant: Variant,
    version: VariantVersion,
    pack: CompiledPack,
    known: Report | None = None,
) -> CheckReport:
    """Check a version under `pack` (unless `known` is that check) and store the report as a
    reviewer will see it."""
    report = known if known is not None else check(pack, as_copy(variant.channel, version.fields))
    counts = _counts(report)
    stored = CheckReport(
        variant_id=saved_id(variant),  # saved before it is checked
        version_number=version.number,
        rules_version=pack.version,
        verdict=report.verdict.value,
        error_count=counts[Severity.ERROR],
        warning_count=counts[Severity.WARNING],
        suggestion_count=counts[Severity.SUGGESTION],
        report=report.model_dump(mode="json"),
    )
    session.add(stored)
    session.flush()
    return stored


def summary_of(report: CheckReport) -> dict[str, int | str]:
    """The variant columns the review queue sorts, filters and routes on. Any error outranks
    any number of warnings, and warnings outrank suggestions."""
    risk = report.error_count * 10_000 + report.warning_count * 100 + report.suggestion_count
    categories = {finding["category"] for finding in report.report.get("findings", [])}
    return {
        "risk": risk,
        "error_count": report.error_count,
        "warning_count": report.warning_count,
        "categories": " ".join(sorted(categories)),
    }


def stored_report(row: CheckReport) -> Report:
    return Report.model_validate(row.report)
