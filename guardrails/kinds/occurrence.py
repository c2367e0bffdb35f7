"""The occurrence kind: at most `max` of a pattern (`!`) or of emoji, per field or per variant;
each one past the limit is a finding."""

from __future__ import annotations

import re
from collections.abc import Iterator

import emoji

from guardrails.findings import Finding
from guardrails.kinds.base import (
    MAX_FINDINGS_PER_FIELD,
    CheckContext,
    CompiledRule,
    CompilingPack,
    Matcher,
)
from guardrails.rules.models import OccurrenceRule
from guardrails.view import FieldView

# Every emoji contains a code point from these blocks (keycaps, ©/®, ‼, the symbol and pictograph
# planes); text without one needs no emoji parse.
_MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff\u20e3]")


def emoji_spans(text: str) -> list[tuple[int, int]]:
    if text.isascii() or not _MAYBE_EMOJI.search(text):
        return []
    return [(e["match_start"], e["match_end"]) for e in emoji.emoji_list(text)]


def _not_ascii(view: FieldView) -> bool:
    return not view.masked.isascii()


class Occurrence(CompiledRule[OccurrenceRule]):
    schema = OccurrenceRule

    def __init__(self, rule: OccurrenceRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        self.scope = rule.scope
        self.matcher = None if rule.pattern is None else Matcher(pack, patterns=[rule.pattern])
        self.trigger = self.matcher  # no occurrence, nothing to count
        if rule.emoji:
            self.gate = _not_ascii

    def _occurrences(self, view: FieldView) -> list[tuple[int, int]]:
        if self.matcher is None:
            return emoji_spans(view.masked)
        return self.matcher.find(view)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        return self._excess([(view, s, e) for s, e in self._occurrences(view)])

    def run_variant(self, views: list[FieldView], ctx: CheckContext) -> Iterator[Finding]:
        return self._excess([(v, s, e) for v in views for s, e in self._occurrences(v)])

    def _excess(self, found: list[tuple[FieldView, int, int]]) -> Iterator[Finding]:
        limit = self.rule.max
        for view, start, end in found[limit : limit + MAX_FINDINGS_PER_FIELD]:
            yield self.finding(view, start, end, count=len(found), limit=limit)
