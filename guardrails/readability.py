"""Flesch-Kincaid grade level, with syllables counted by Pyphen.

textstat would do this, but on first use it downloads NLTK's cmudict, which our machines
cannot reach; the formula is one published line, the hard part (syllables) is Pyphen's.
"""

from __future__ import annotations

import functools

import pyphen

from guardrails.nlp import Tokens

_TERMINALS = frozenset({".", "!", "?", "...", "…"})


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@functools.lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    return len(_dictionary().positions(word)) + 1


def words(tokens: Tokens, text: str) -> list[str]:
    spans = (text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True))
    return [w for w in spans if any(c.isalpha() for c in w)]


def grade(tokens: Tokens, text: str) -> tuple[float, int]:
    """(Flesch-Kincaid grade, word count) of a text."""
    found = words(tokens, text)
    if not found:
        return 0.0, 0
    sentences = 0
    previous_terminal = False
    for lower in tokens.lowers:
        terminal = lower in _TERMINALS or all(c in ".!?" for c in lower)
        if terminal and not previous_terminal:
            sentences += 1
        previous_terminal = terminal
    if len(tokens) and not previous_terminal:
        sentences += 1
    total_syllables = sum(syllables(w.lower()) for w in found)
    n = len(found)
    value = 0.39 * (n / max(sentences, 1)) + 11.8 * (total_syllables / n) - 15.59
    return round(value, 1), n
