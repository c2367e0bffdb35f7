"""Kinds that count: occurrence (`!`, emoji) and capitalization (ALL-CAPS words)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import emoji

from guardrails.engine import CheckContext, CompiledPack, CompiledRule, Matcher
from guardrails.findings import Finding
from guardrails.view import FieldView

MAX_FINDINGS_PER_FIELD = 20  # past this a field is flooded; the first ones make the point
_CAPS_RUN = re.compile(r"[A-Z]{2}")
# A whole word of letters: WELCOME20 (a code) and U.S.A. (initials) are not shouted words.
_WORD = re.compile(r"\b[^\W\d_]+\b")
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")  # the same, for ASCII text: capitals only
# Every emoji contains a code point from these blocks (keycaps, ©/®, ‼, the symbol and pictograph
# planes); text without one needs no emoji parse.
_MAYBE_EMOJI = re.compile("[\u00a9\u00ae\u203c-\u3299\U0001f000-\U0001faff\u20e3]")


def emoji_spans(text: str) -> list[tuple[int, int]]:
    if text.isascii() or not _MAYBE_EMOJI.search(text):
        return []
    return [(e["match_start"], e["match_end"]) for e in emoji.emoji_list(text)]


def _not_ascii(view: FieldView) -> bool:
    return not view.masked.isascii()


def _may_shout(view: FieldView) -> bool:
    text = view.masked
    return not text.isascii() or _CAPS_RUN.search(text) is not None


class Occurrence(CompiledRule):
    def __init__(self, rule: Any, pack: CompiledPack) -> None:
        super().__init__(rule, pack)
        self.scope = rule.scope
        self.matcher = None if rule.emoji else Matcher(pack, patterns=[rule.pattern])
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


class Capitalization(CompiledRule):
    def __init__(self, rule: Any, pack: CompiledPack) -> None:
        super().__init__(rule, pack)
        allowed = {*rule.allow, *pack.pack.voice.acronyms}
        if pack.pack.brand:
            for name in pack.pack.brand.names:
                allowed.update(name.split())
        self.allowed = frozenset(a.upper() for a in allowed)
        self.gate = _may_shout

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        text = view.masked
        count = 0
        words = _CAPS_WORD if text.isascii() else _WORD
        for match in words.finditer(text):
            word = match.group()
            if (
                word.isupper()
                and len(word) >= self.rule.min_letters
                and word not in self.allowed
                and not self.excepted(word)
            ):
                yield self.finding(view, *match.span(), suggestions=[word.capitalize()])
                count += 1
                if count >= MAX_FINDINGS_PER_FIELD:
                    return
