"""Fan-out and repair: draft every variant concurrently (under a limit), check each as it
arrives, then repair what fails: deterministic fixes first, then a re-ask quoting the findings,
at most `max_rounds` re-asks. Every round is kept; what still fails after the last round stays
visible in the outcome, never hidden or dropped.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from guardrails import Finding, Report, Severity
from guardrails import Variant as Copy
from guardrails.fixes import apply_fixes
from studio.drafting.provider import Draft, DraftingError, DraftTask, Provider

DEFAULT_REPAIR_ROUNDS = 2


@dataclass
class Round:
    """One step of a variant's history: the first draft, a deterministic fix, or a re-ask."""

    kind: str  # draft | fix | repair
    fields: dict[str, Any]
    errors: list[str]  # "RULE at field" of each error finding after this round
    warnings: int
    usage: dict[str, int] = field(default_factory=dict)
    provenance: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"kind": self.kind, "errors": self.errors, "warnings": self.warnings,
                "usage": self.usage, "fields": self.fields}  # fmt: skip


@dataclass
class Outcome:
    task: DraftTask
    rounds: list[Round] = field(default_factory=list)
    report: Report | None = None
    error: str | None = None  # why drafting failed (no copy at all)

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.rounds)

    @property
    def fields(self) -> dict[str, Any]:
        return self.rounds[-1].fields if self.rounds else {}

    @property
    def provenance(self) -> dict[str, Any]:
        """The first round's provenance (the model that wrote it), plus how it was repaired."""
        first = dict(self.rounds[0].provenance) if self.rounds else {}
        first["rounds"] = [r.kind for r in self.rounds]
        first["usage"] = self.usage
        return first

    @property
    def usage(self) -> dict[str, int]:
        total: dict[str, int] = {}
        for r in self.rounds:
            for key, value in r.usage.items():
                total[key] = total.get(key, 0) + value
        return total


async def draft_all(
    provider: Provider,
    tasks: list[DraftTask],
    *,
    concurrency: int = 8,
    max_rounds: int = DEFAULT_REPAIR_ROUNDS,
    on_outcome: Callable[[Outcome], Awaitable[None]] | None = None,
) -> list[Outcome]:
    """Every task drafted and repaired, at most `concurrency` provider calls at once.

    `on_outcome` runs as each variant finishes (to save it), not after the slowest.
    """
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(task: DraftTask) -> Outcome:
        outcome = await draft_and_repair(provider, task, limit, max_rounds)
        if on_outcome is not None:
            await on_outcome(outcome)
        return outcome

    return list(await asyncio.gather(*(one(task) for task in tasks)))


async def draft_and_repair(
    provider: Provider, task: DraftTask, limit: asyncio.Semaphore, max_rounds: int
) -> Outcome:
    outcome = Outcome(task)
    try:
        async with limit:
            draft = await provider.draft(task)
        _add_round(outcome, "draft", draft)
        asks = 0
        while outcome.report and _errors(outcome.report):
            fixed = fix_fields(outcome.fields, outcome.report.findings)
            if fixed != outcome.fields:
                _add_round(outcome, "fix", Draft(fixed, outcome.rounds[-1].provenance))
                continue
            if asks >= max_rounds:
                break
            asks += 1
            async with limit:
                draft = await provider.repair(task, outcome.fields, _errors(outcome.report))
            _add_round(outcome, "repair", draft)
    except DraftingError as exc:
        outcome.error = str(exc)
    return outcome


def _add_round(outcome: Outcome, kind: str, draft: Draft) -> None:
    """Check the draft and record it; copy that does not fit the channel fails the variant."""
    try:
        copy = Copy(channel=outcome.task.copy_channel, fields=draft.fields)
    except ValueError as exc:
        channel = outcome.task.copy_channel
        raise DraftingError(f"the {kind} is not valid {channel} copy: {exc}") from None
    report = outcome.task.pack.check(copy)
    errors = [f"{f.rule} at {f.field}" for f in _errors(report)]
    warnings = sum(f.severity is Severity.WARNING for f in report.findings)
    outcome.rounds.append(Round(kind, dict(draft.fields), errors, warnings, draft.usage,
                                draft.provenance))  # fmt: skip
    outcome.report = report


def _errors(report: Report) -> list[Finding]:
    return [f for f in report.findings if f.severity is Severity.ERROR]


def fix_fields(fields: dict[str, Any], findings: list[Finding]) -> dict[str, Any]:
    """The fields with every deterministic fix the findings carry applied, per field path."""
    fixed: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, list):
            fixed[name] = [
                apply_fixes(text, [f for f in findings if f.field == f"{name}[{i}]"])[0]
                for i, text in enumerate(value)
            ]
        else:
            fixed[name] = apply_fixes(value, [f for f in findings if f.field == name])[0]
    return fixed
