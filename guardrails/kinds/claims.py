"""The claim_registry kind: a registry claim used where its approval does not hold."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.engine import CheckContext, CompiledPack, CompiledRule, claim_problem
from guardrails.findings import Finding
from guardrails.view import FieldView


def _uses_claims(view: FieldView) -> bool:
    return bool(view.claim_uses)


class ClaimRegistry(CompiledRule):
    gate = staticmethod(_uses_claims)

    def __init__(self, rule: Any, pack: CompiledPack) -> None:
        super().__init__(rule, pack)
        self.active = bool(pack.pack.claims)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        for use in view.claim_uses:
            problem = claim_problem(use, ctx)
            if problem is None:
                continue
            claim = use.claim
            yield self.finding(
                view,
                use.start,
                use.end,
                claim=claim.id,
                problem=problem,
                evidence=claim.evidence,
                owner=claim.owner,
            )
