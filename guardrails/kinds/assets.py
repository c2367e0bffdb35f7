"""The assets kind: how many items a list field holds, and whether any repeats."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule
from guardrails.rules.models import AssetsRule
from guardrails.view import FieldView


class Assets(CompiledRule[AssetsRule]):
    schema = AssetsRule
    scope = "variant"

    def run_variant(self, views: list[FieldView], ctx: CheckContext) -> Iterator[Finding]:
        rule = self.rule
        for base in dict.fromkeys(v.base for v in views):
            items = [v for v in views if v.base == base]
            count = len(items)
            last = items[-1]
            if rule.min is not None and count < rule.min:
                yield self.finding(last, 0, len(last.text), count=count, limit=rule.min)
            elif rule.max is not None and count > rule.max:
                yield self.finding(last, 0, len(last.text), count=count, limit=rule.max)
            if rule.unique:
                seen: dict[str, FieldView] = {}
                for view in items:
                    key = " ".join(view.text.lower().split())
                    if key in seen:
                        yield self.finding(
                            view, 0, len(view.text), count=count, first=seen[key].path
                        )
                    else:
                        seen[key] = view
