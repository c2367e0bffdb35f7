"""The merge_tags kind: a merge variable the pack does not define prints blank or breaks a send;
template code in copy (logic, expressions, comments) would be executed by the sending engine;
an unbalanced tag delimiter would make it fail, or print the braces to every recipient."""

from __future__ import annotations

from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.merge import stray_delimiters
from guardrails.rules.models import MergeTagRule
from guardrails.view import FieldView


def _has_tags(view: FieldView) -> bool:
    return bool(view.tags)


def _has_braces(view: FieldView) -> bool:
    """Every delimiter holds a brace; a field whose only brace is a stray one has no tags."""
    return "{" in view.text or "}" in view.text


class MergeTags(CompiledRule[MergeTagRule]):
    schema = MergeTagRule

    def __init__(self, rule: MergeTagRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self.gate = _has_braces if rule.check == "delimiters" else _has_tags

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        if self.rule.check == "delimiters":
            return self._stray_delimiters(view)
        if self.rule.check == "code":
            return self._code(view)
        return self._unknown(view)

    def _stray_delimiters(self, view: FieldView) -> Iterator[Finding]:
        for start, end in stray_delimiters(view.masked):
            opens = view.text[start] == "{"
            problem = "opens a tag that never closes" if opens else "closes no open tag"
            yield self.finding(view, start, end, problem=problem)

    def _code(self, view: FieldView) -> Iterator[Finding]:
        for tag in view.tags:
            if tag.code:
                yield self.finding(view, tag.start, tag.end, tag=view.text[tag.start : tag.end])

    def _unknown(self, view: FieldView) -> Iterator[Finding]:
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
