"""The substitution kind: a term with the brand's preferred word as its fix ("cheap" ->
"affordable")."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack, Matcher
from guardrails.rules.models import SubstitutionRule
from guardrails.view import FieldView


def keep_case(original: str, replacement: str) -> str:
    """The replacement in the original's casing ("Cheap" -> "Affordable", "CHEAP" -> all caps)."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Substitution(CompiledRule[SubstitutionRule]):
    schema = SubstitutionRule
    phrase = True

    def __init__(self, rule: SubstitutionRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        exact = rule.match == "exact"
        self.swaps = [
            (Matcher(pack, [term], exact=exact), term.lower(), better)
            for term, better in rule.swap.items()
        ]
        self.trigger = Matcher(pack, list(rule.swap), exact=exact)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        """Only the term's own form gets an automatic fix: "cheaper" -> "affordable" would be
        wrong, so an inflected match gets the preferred term as a suggestion instead."""
        for matcher, term, better in self.swaps:
            for start, end in matcher.find(view):
                matched = view.text[start:end]
                if self.excepted(matched):
                    continue
                suggestion = keep_case(matched, better)
                fix = suggestion if matched.lower() == term else None
                yield self.finding(
                    view, start, end, fix=fix, suggestions=[suggestion], replacement=better
                )
