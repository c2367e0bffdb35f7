"""The one shared language pipeline: spaCy's English tokenizer plus a dict-backed lemma lookup.

Trained pipelines cannot be downloaded on our machines, and the PyPI re-uploads of them are
anonymous copies, so we build on `spacy.blank("en")` and the official `spacy-lookups-data`
tables. The lemma table is read into a plain dict: looking up the *lowercased* form there is an
order of magnitude faster than spaCy's lemmatizer component, and it also fixes the component's
case sensitivity ("Guaranteed" would otherwise come back unchanged).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import spacy
import spacy_lookups_data
from spacy.language import Language
from spacy.util import load_language_data

HYPHENS = frozenset({"-", "‐", "‑", "–"})


@functools.cache
def tokenizer_pipeline() -> Language:
    nlp = spacy.blank("en")
    nlp.max_length = 10_000_000  # we only tokenize; the limit guards parser memory we never use
    return nlp


@functools.cache
def lemma_table() -> dict[str, str]:
    table = load_language_data(spacy_lookups_data.en["lemma_lookup"])
    assert isinstance(table, dict)
    return table


@dataclass(slots=True)
class Tokens:
    """The words of a text as parallel lists (cheaper to build than an object per token)."""

    starts: list[int]
    ends: list[int]
    lowers: list[str]
    lemmas: list[str]

    def __len__(self) -> int:
        return len(self.starts)


def tokenize(text: str) -> Tokens:
    """Tokens of `text` with code-point offsets, lowercase form and lookup lemma."""
    starts: list[int] = []
    ends: list[int] = []
    for tok in tokenizer_pipeline().tokenizer(text):
        if not tok.is_space:  # runs of spaces (blanked merge tags among them) are not words
            start = tok.idx
            starts.append(start)
            ends.append(start + len(tok))
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lowercase to two ("İ"): slice per token
        lowers = [text[s:e].lower() for s, e in zip(starts, ends, strict=True)]
    else:
        lowers = [lowered[s:e] for s, e in zip(starts, ends, strict=True)]
    lowers = [w.replace("’", "'") if "’" in w else w for w in lowers]  # don’t = don't
    get = lemma_table().get
    return Tokens(starts, ends, lowers, [get(w, w) for w in lowers])
