"""The shared language resources: spaCy's English tokenizer and the lemma lookup table.

Trained pipelines cannot be downloaded on our machines, and the PyPI re-uploads of them are
anonymous copies, so we build on `spacy.blank("en")` and the official `spacy-lookups-data`
tables. Both are used when a pack compiles (`guardrails.terms` turns each word-list term into a
pattern of its surface forms), not per draft. The table is read into a plain dict and looked up
by the *lowercased* form, which fixes the lemmatizer's case sensitivity ("Guaranteed" would
otherwise come back unchanged).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

HYPHENS = frozenset({"-", "‐", "‑", "–"})


# spaCy is imported on first use: it takes most of a second, and only compiling a pack needs it
# (a CLI call that reads the audit log should not pay for it).


@functools.cache
def tokenizer_pipeline() -> Language:
    import spacy

    return spacy.blank("en")


@functools.cache
def lemma_table() -> dict[str, str]:
    import spacy_lookups_data
    from spacy.util import load_language_data

    table = load_language_data(spacy_lookups_data.en["lemma_lookup"])
    assert isinstance(table, dict)
    return table
