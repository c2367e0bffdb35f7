"""Flesch-Kincaid grade level, with syllables counted by Pyphen.

textstat would do this, but on first use it downloads NLTK's cmudict, which our machines
cannot reach; the formula is one published line, the hard part (syllables) is Pyphen's.
Words and sentences are counted the way the formula means them: a word is a run of letters
(apostrophes inside it allowed, so "don't" is one word), a sentence ends at . ! ? or an ellipsis.
"""

from __future__ import annotations

import functools
import re

import pyphen

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)")


@functools.cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@functools.lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    return len(_dictionary().positions(word)) + 1


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def grade(text: str) -> tuple[float, int]:
    """(Flesch-Kincaid grade, word count) of a text."""
    found = words(text)
    if not found:
        return 0.0, 0
    sentences = len(_SENTENCE_END.findall(text))
    if not _SENTENCE_END.search(text.rstrip()[-1:] or "."):
        sentences += 1  # the last sentence has no full stop
    total_syllables = sum(syllables(w.lower()) for w in found)
    n = len(found)
    value = 0.39 * (n / max(sentences, 1)) + 11.8 * (total_syllables / n) - 15.59
    return round(value, 1), n
