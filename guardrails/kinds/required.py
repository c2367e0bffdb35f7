"""The required kind: an opt-out, a placeholder, the brand's name, a disclaimer must be there."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack, Matcher
from guardrails.rules.models import RequiredRule
from guardrails.terms import literal_pattern
from guardrails.view import FieldView


class Required(CompiledRule[RequiredRule]):
    schema = RequiredRule

    def __init__(self, rule: RequiredRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self.scope = rule.scope
        brand = pack.pack.brand
        # A brand-name rule means nothing in a pack without a brand (the plain baselines).
        self.active = not rule.brand_name or brand is not None  # no brand, nothing to require
        names = brand.names if (rule.brand_name and brand) else []
        patterns = list(rule.patterns)
        if rule.text:
            patterns.append(literal_pattern(rule.text))
        self.matcher = Matcher(pack, terms=names, patterns=patterns, exact=True)
        self.variables = frozenset(rule.variables)
        if rule.exempt:
            self.exempt_matcher = self.matcher

    def _present(self, view: FieldView) -> bool:
        """Merge tags are blanked for the matchers, so required variables are looked up apart."""
        if self.variables and any(tag.variable in self.variables for tag in view.tags):
            return True
        return self.matcher.hit(view)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        if not self._present(view):
            yield self.finding(view, len(view.text), len(view.text))

    def run_variant(self, views: list[FieldView], ctx: CheckContext) -> Iterator[Finding]:
        if not any(self._present(view) for view in views):
            last = views[-1]
            yield self.finding(last, len(last.text), len(last.text))
