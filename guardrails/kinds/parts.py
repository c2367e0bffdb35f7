"""The parts kind: a channel's required parts (an email's subject and body, a Google ad's
headlines and descriptions) must be there and show something.

Field rules run only on fields the copy has, so an empty copy passed every one of them; this
kind runs once per copy instead. A part that is missing gets a finding at its name with an
empty span; a part that is blank (see `is_blank`), each blank list item included, gets one
over its whole text."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.content import is_blank
from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.rules.models import PartsRule
from guardrails.view import FieldView


class Parts(CompiledRule[PartsRule]):
    schema = PartsRule
    scope = "copy"

    def __init__(self, rule: PartsRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self._when_any = frozenset(rule.when_any)

    def run_copy(self, views: list[FieldView], ctx: CheckContext) -> Iterator[Finding]:
        if not self._applies(views):
            return
        for name in self.rule.required:
            items = [view for view in views if view.base == name]
            if not items:
                yield self.finding_at(name, ctx.channel, 0, 0, "", problem="is missing")
            for view in items:
                if is_blank(view.text):
                    yield self.finding(view, 0, len(view.text), problem="is blank")

    def _applies(self, views: list[FieldView]) -> bool:
        """Without `when_any`, always; with it, when one of those fields shows text, or none
        of the copy's fields does (an empty ad could be meant for either format)."""
        if not self._when_any:
            return True
        shown = {view.base for view in views if not is_blank(view.text)}
        return not shown or bool(shown & self._when_any)
