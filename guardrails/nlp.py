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


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    lower: str
    lemma: str


def tokenize(text: str) -> list[Token]:
    """Tokens of `text` with code-point offsets, lowercase form and lookup lemma."""
    lemmas = lemma_table()
    tokens = []
    for tok in tokenizer_pipeline().tokenizer(text):
        if tok.is_space:
            continue  # runs of spaces (blanked merge tags among them) are not words
        lower = tok.lower_.replace("’", "'")  # "don’t" and "don't" are one word
        tokens.append(Token(tok.idx, tok.idx + len(tok.text), lower, lemmas.get(lower, lower)))
    return tokens


def term_tokens(term: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lowercase forms, lemmas) of a term, hyphens dropped so "best-selling" = "best selling"."""
    toks = [t for t in tokenize(term) if t.lower not in HYPHENS]
    return tuple(t.lower for t in toks), tuple(t.lemma for t in toks)
