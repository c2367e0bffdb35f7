"""What a check returns: findings that point at exact words, and the report that groups them.

A reviewer must be able to act on every finding without re-reading the rule file, so each one
carries the rule, the field, the character span, the matched text, why, how to fix it and the
source the rule comes from.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Severity(StrEnum):
    ERROR = "error"  # blocks approval unless a reviewer overrides it with a justification
    WARNING = "warning"  # needs acknowledgement
    SUGGESTION = "suggestion"  # shown, never blocks

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.ERROR: 2, Severity.WARNING: 1, Severity.SUGGESTION: 0}


class Category(StrEnum):
    CLAIM = "claim"
    TONE = "tone"
    BANNED = "banned"
    CHANNEL = "channel"
    PRIVACY = "privacy"


class Verdict(StrEnum):
    PASS = "pass"
    WARN = "warn"
    BLOCK = "block"


class Finding(BaseModel):
    """One problem at one place. `start`/`end` are code-point offsets into the field's text."""

    rule: str
    category: Category
    severity: Severity
    field: str
    start: int
    end: int
    text: str
    message: str
    suggestions: list[str] = Field(default_factory=list)
    fix: str | None = None  # a deterministic replacement for text[start:end], if one exists
    source: str | None = None


class ApprovedClaimUse(BaseModel):
    """A claim the copy makes that the brand's registry approves, shown with its evidence."""

    claim: str
    field: str
    start: int
    end: int
    text: str
    evidence: str


class Report(BaseModel):
    findings: list[Finding] = Field(default_factory=list)
    approved_claims: list[ApprovedClaimUse] = Field(default_factory=list)
    rules_version: str = ""

    @property
    def verdict(self) -> Verdict:
        worst = max((f.severity.rank for f in self.findings), default=-1)
        if worst >= Severity.ERROR.rank:
            return Verdict.BLOCK
        if worst == Severity.WARNING.rank:
            return Verdict.WARN
        return Verdict.PASS
