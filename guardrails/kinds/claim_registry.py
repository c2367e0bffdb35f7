"""The claim_registry kind: a registry claim used where its approval does not hold."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.claims import claim_problem
from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.rules.models import ClaimRegistryRule
from guardrails.view import FieldView


def _uses_claims(view: FieldView) -> bool:
    return bool(view.claim_uses)


class ClaimRegistry(CompiledRule[ClaimRegistryRule]):
    schema = ClaimRegistryRule
    supersedes_claims = True
    gate = staticmethod(_uses_claims)

    def __init__(self, rule: ClaimRegistryRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self.active = bool(pack.pack.claims)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        for use in view.claim_uses:
            problem = claim_problem(use, ctx.channel, ctx.today)
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
