"""The capitalization kind: shouted ALL-CAPS words, except acronyms and the brand's names."""

from __future__ import annotations

import re
from collections.abc import Iterator

from guardrails.findings import Finding
from guardrails.kinds.base import MAX_FINDINGS_PER_FIELD, CheckContext, CompiledRule, CompilingPack
from guardrails.rules.models import CapitalizationRule
from guardrails.view import FieldView

_CAPS_RUN = re.compile(r"[A-Z]{2}")
# A whole word of letters: WELCOME20 (a code) and U.S.A. (initials) are not shouted words.
_WORD = re.compile(r"\b[^\W\d_]+\b")
_CAPS_WORD = re.compile(r"\b[A-Z]{2,}\b")  # the same, for ASCII text: capitals only


def _may_shout(view: FieldView) -> bool:
    text = view.masked
    return not text.isascii() or _CAPS_RUN.search(text) is not None


class Capitalization(CompiledRule[CapitalizationRule]):
    schema = CapitalizationRule
    gate = staticmethod(_may_shout)

    def __init__(self, rule: CapitalizationRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        allowed = {*rule.allow, *pack.pack.voice.acronyms}
        if pack.pack.brand:
            for name in pack.pack.brand.names:
                allowed.update(name.split())
        self.allowed = frozenset(a.upper() for a in allowed)

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
