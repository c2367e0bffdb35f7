"""How a variant reads in a picker: one line with what a person chooses by."""

from __future__ import annotations

from studio.services.schemas import VariantSummary


def counted(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def findings_count(variant: VariantSummary) -> str:
    return f"{counted(variant.errors, 'error')}, {counted(variant.warnings, 'warning')}"
