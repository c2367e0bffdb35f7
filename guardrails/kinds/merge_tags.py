"""The merge_tags kind: a merge variable the pack does not define prints blank or breaks a send;
template code in copy (logic, expressions) would be executed by the sending engine."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.engine import CheckContext, CompiledRule
from guardrails.findings import Finding
from guardrails.view import FieldView


def _has_tags(view: FieldView) -> bool:
    return bool(view.tags)


class MergeTags(CompiledRule):
    gate = staticmethod(_has_tags)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        if self.rule.check == "code":
            for tag in view.tags:
                if tag.code:
                    yield self.finding(view, tag.start, tag.end, tag=view.text[tag.start : tag.end])
            return
        known = self.pack.worst_case
        for tag in view.tags:
            if tag.variable is not None and tag.variable not in known:
                yield self.finding(
                    view,
                    tag.start,
                    tag.end,
                    variable=tag.variable,
                    known=", ".join(sorted(known)) or "none",
                )
