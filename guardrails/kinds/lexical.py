"""Kinds that look for words and phrases: existence, substitution, conditional."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from guardrails.engine import CheckContext, CompiledPack, CompiledRule, Matcher
from guardrails.findings import Finding
from guardrails.view import FieldView


class Existence(CompiledRule):
    def __init__(self, rule: Any, pack: CompiledPack) -> None:
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


def keep_case(original: str, replacement: str) -> str:
    """The replacement in the original's casing ("Cheap" -> "Affordable", "CHEAP" -> all caps)."""
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


class Substitution(CompiledRule):
    def __init__(self, rule: Any, pack: CompiledPack) -> None:
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


class Conditional(CompiledRule):
    def __init__(self, rule: Any, pack: CompiledPack) -> None:
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
