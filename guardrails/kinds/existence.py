"""The existence kind: each occurrence of a term or pattern (a banned word, a competitor)."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack, Matcher
from guardrails.rules.models import ExistenceRule
from guardrails.view import FieldView


class Existence(CompiledRule[ExistenceRule]):
    schema = ExistenceRule
    phrase = True

    def __init__(self, rule: ExistenceRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        brand = pack.pack.brand
        rivals = brand.competitors if (rule.competitors and brand) else []
        terms = [*rule.terms, *rivals]
        self.active = bool(terms or rule.patterns)  # a competitor rule in a pack with none
        self.matcher = self.trigger = Matcher(
            pack, terms, rule.patterns, exact=rule.match == "exact"
        )

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        for start, end in self.matcher.find(view):
            if not self.excepted(view.text[start:end]):
                yield self.finding(view, start, end)
