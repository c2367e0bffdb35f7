"""Running the guardrails on stored copy: which pack a brand uses, and the stored report.

The pack is read from disk on every call (cached on the files' size and mtime), so an edited rule
file takes effect at once and an approval always binds to the rules as they are now.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sqlmodel import Session

from guardrails import Channel, CompiledPack, Report, Severity, compile_pack, load_pack
from guardrails import Variant as Copy
from studio.canonical import sha256_tag
from studio.config import resolve_pack_dir, rules_root
from studio.errors import InvalidInput, first_error
from studio.models import CheckReport, Variant, VariantVersion

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
    signature = _files_signature(rules_root())
    cached = _loaded.get(slug)
    if cached is None or cached[0] != signature:
        cached = (signature, compile_pack(load_pack(directory)))
        _loaded[slug] = cached
    return cached[1]


def _files_signature(root: Path) -> tuple[Any, ...]:
    stats = []
    for path in sorted(root.rglob("*.yaml")):
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
    report = known if known is not None else pack.check(as_copy(variant.channel, version.fields))
    counts = _counts(report)
    stored = CheckReport(
        variant_id=variant.id,  # type: ignore[arg-type]  # saved before it is checked
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


def summary_of(report: CheckReport) -> dict[str, int]:
    """The variant columns the review queue sorts on. Any error outranks any number of
    warnings, and warnings outrank suggestions."""
    risk = report.error_count * 10_000 + report.warning_count * 100 + report.suggestion_count
    return {
        "risk": risk,
        "error_count": report.error_count,
        "warning_count": report.warning_count,
    }


def stored_report(row: CheckReport) -> Report:
    return Report.model_validate(row.report)
