"""Word lists compiled to RE2 patterns, so terms join the pack's single pattern pass.

A term is tokenized by spaCy's tokenizer (at compile time, once) and each word becomes an
alternation of its surface forms: for "lemma" terms every form the spaCy lookup table maps to
the same lemma ("guarantee" catches "Guaranteed", "guarantees"); for "exact" terms only the
form as written, which is what superlatives need ("best" must not match "well", its lookup
lemma). Words the term writes apart may be apart or hyphenated in the copy ("best selling" =
"best-selling"); words spaCy splits without a space ("do" + "n't") may take optional space.
Matching is case-insensitive; curly and straight apostrophes are the same.
"""

from __future__ import annotations

import functools
import re

from guardrails.nlp import HYPHENS, lemma_table, tokenizer_pipeline

_APART = r"(?:\s+|\s*[-‐‑–]\s*)"
_JOINED = r"\s*"
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")


@functools.cache
def _forms_by_lemma() -> dict[str, frozenset[str]]:
    forms: dict[str, set[str]] = {}
    for form, lemma in lemma_table().items():
        forms.setdefault(lemma, set()).add(form)
    return {lemma: frozenset(f) for lemma, f in forms.items()}


def surface_forms(word: str, exact: bool) -> list[str]:
    """Every lowercase form a term word matches, longest first."""
    lower = word.lower().replace("’", "'")
    if exact:
        return [lower]
    lemma = lemma_table().get(lower, lower)
    forms = {lower, lemma, *_forms_by_lemma().get(lemma, ())}
    return sorted(forms, key=lambda f: (-len(f), f))


def _alternation(forms: list[str]) -> str:
    escaped = [re.escape(f).replace("'", "['’]") for f in forms]
    return escaped[0] if len(escaped) == 1 else f"(?:{'|'.join(escaped)})"


def term_pattern(term: str, exact: bool) -> str:
    """The RE2 pattern (case-insensitive use) that finds `term` in copy."""
    parts: list[str] = []
    words: list[str] = []
    separator = ""
    for token in tokenizer_pipeline().tokenizer(term):
        if token.is_space:
            continue
        if token.text in HYPHENS:
            separator = _APART
            continue
        if words:
            parts.append(separator)
        forms = surface_forms(token.text, exact)
        parts.append(_alternation(forms))
        words.append(token.text)
        separator = _APART if token.whitespace_ else _JOINED
    if not words:
        raise ValueError(f"term {term!r} has no words")
    # \b only where the term's edge is an ASCII word character (RE2's \b is ASCII-only).
    start = r"\b" if _ASCII_WORD.match(words[0][0]) else ""
    end = r"\b" if _ASCII_WORD.match(words[-1][-1]) else ""
    return f"{start}{''.join(parts)}{end}"


def literal_pattern(text: str) -> str:
    """A pattern for a literal phrase (a disclaimer, a claim's wording) that tolerates any run
    of whitespace between its words, as copy wraps them."""
    return r"\s+".join(re.escape(word) for word in text.split())
