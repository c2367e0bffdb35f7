"""The conditional kind: a term or pattern that needs something else beside it (a claim and
its condition, a statistic and its citation), in the same field or anywhere in the variant."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack, Matcher
from guardrails.rules.models import ConditionalRule
from guardrails.view import FieldView


class Conditional(CompiledRule[ConditionalRule]):
    schema = ConditionalRule
    phrase = True

    def __init__(self, rule: ConditionalRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self.scope = rule.scope
        self.triggers = self.trigger = Matcher(
            pack, rule.terms, rule.patterns, exact=rule.match == "exact"
        )
        self.requires = Matcher(pack, patterns=rule.requires)

    def _triggers(self, view: FieldView) -> list[tuple[int, int]]:
        return [(s, e) for s, e in self.triggers.find(view) if not self.excepted(view.text[s:e])]

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        spans = self._triggers(view)
        if spans and not self.requires.find(view):
            for start, end in spans:
                yield self.finding(view, start, end)

    def run_variant(self, views: list[FieldView], ctx: CheckContext) -> Iterator[Finding]:
        triggered = [(view, self._triggers(view)) for view in views]
        if not any(spans for _, spans in triggered):
            return
        if any(self.requires.find(view) for view in views):
            return
        for view, spans in triggered:
            for start, end in spans:
                yield self.finding(view, start, end)
