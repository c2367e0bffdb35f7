"""The pack-wide passes after every rule has run: what approvals and stronger findings clear.

Rules judge one span at a time; these passes see all of a check's findings at once. Approved
boilerplate (an exempt disclaimer) and approved registry claims shield the findings inside them,
a registry finding replaces the generic claim findings inside its span, and a phrase finding
inside a stronger one of the same category adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from guardrails.claims import claim_problem
from guardrails.findings import ApprovedClaimUse, Category, Finding
from guardrails.kinds.base import CheckContext, CompiledRule, Matcher
from guardrails.rules.models import RuleBase
from guardrails.view import FieldView

# Categories that approved boilerplate (an exempt disclaimer) shields its words from.
_SHIELDED = frozenset({Category.CLAIM, Category.BANNED, Category.TONE})
_CLAIMS_ONLY = frozenset({Category.CLAIM})
_Shield = tuple[int, int, frozenset[Category]]


class Settlement:
    """The passes as one pack needs them, prepared when it compiles."""

    def __init__(
        self, rules: Iterable[CompiledRule[RuleBase]], exempt: list[Matcher], has_claims: bool
    ) -> None:
        self._exempt = exempt
        self._nothing_shields = not exempt and not has_claims
        self._uncovered: set[str] = set()  # rules no approval can clear (a disclosure)
        self._registry: set[str] = set()
        self._phrases: set[str] = set()
        for rule in rules:
            if not rule.rule.approvals_cover:
                self._uncovered.add(rule.rule.id)
            if rule.supersedes_claims:
                self._registry.add(rule.rule.id)
            if rule.phrase:
                self._phrases.add(rule.rule.id)

    def settle(
        self, views: list[FieldView], findings: list[Finding], ctx: CheckContext
    ) -> tuple[list[Finding], list[ApprovedClaimUse]]:
        """Drop what approved boilerplate or approved claims cover; record the claims used.

        Exempt boilerplate shields claim, banned and tone findings inside it; an approved claim
        shields the claim findings inside it; a registry finding (an expired claim, say) takes
        the place of the generic claim findings inside its span.
        """
        approved: list[ApprovedClaimUse] = []
        if self._nothing_shields:
            return self._drop_subsumed(findings), approved
        shields: dict[str, list[_Shield]] = {}
        for view in views:
            spans = shields.setdefault(view.path, [])
            for matcher in self._exempt:
                spans.extend((s, e, _SHIELDED) for s, e in matcher.find(view))
            for use in view.claim_uses:
                if claim_problem(use, ctx.channel, ctx.today) is None:
                    spans.append((use.start, use.end, _CLAIMS_ONLY))
                    approved.append(
                        ApprovedClaimUse(
                            claim=use.claim.id,
                            field=view.path,
                            start=use.start,
                            end=use.end,
                            text=view.text[use.start : use.end],
                            evidence=use.claim.evidence,
                        )
                    )
        registry = [f for f in findings if f.rule in self._registry]
        for f in registry:
            shields.setdefault(f.field, []).append((f.start, f.end, _CLAIMS_ONLY))
        kept = list(registry)
        for f in findings:
            if f.rule in self._registry:
                continue  # kept above
            if f.rule in self._uncovered:
                kept.append(f)
                continue
            spans = shields.get(f.field, [])
            if f.start == f.end or not any(
                s <= f.start and f.end <= e and f.category in cats for s, e, cats in spans
            ):
                kept.append(f)
        return self._drop_subsumed(kept), approved

    def _drop_subsumed(self, findings: list[Finding]) -> list[Finding]:
        """Drop a phrase finding that a stronger one of the same category and field covers.

        "best-selling" raises the superlative error; the "best" warning inside it adds nothing.
        Only phrase matches take part: a whole-field finding (a headline too long) must not hide
        a specific one inside it (its "!").
        """
        if len(findings) < 2:
            return findings
        groups: dict[tuple[str, Category], list[Finding]] = {}
        for f in findings:
            if f.rule in self._phrases:
                groups.setdefault((f.field, f.category), []).append(f)
        dropped: set[int] = set()
        for group in groups.values():
            group.sort(key=lambda f: (f.start, -f.end))
            cover: Finding | None = None
            for f in group:
                if (
                    cover is not None
                    and f.end <= cover.end
                    and f.start < f.end
                    and _dominates(cover, f)
                ):
                    dropped.add(id(f))
                elif cover is None or f.end > cover.end:
                    cover = f
        return [f for f in findings if id(f) not in dropped]


def _dominates(cover: Finding, inner: Finding) -> bool:
    if cover.severity.rank != inner.severity.rank:
        return cover.severity.rank > inner.severity.rank
    return cover.end - cover.start > inner.end - inner.start
