"""Matching word lists against tokens, by lemma or by exact form, all terms of a pack at once.

Each term is tokenized like the copy and indexed by its first token's lowercase form and lemma,
so a field is scanned once whatever the number of terms. "lemma" terms match any inflection
("guarantee" catches "Guaranteed"); "exact" terms match the lowercase form only, which is what
superlatives need ("best" must not match "well", its lookup lemma). Hyphens are skipped on both
sides, so "best-selling" and "best selling" are the same term.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrails.nlp import HYPHENS, Tokens, term_tokens


@dataclass(frozen=True, slots=True)
class _Term:
    lowers: tuple[str, ...]
    lemmas: tuple[str, ...]
    exact: bool
    group: int


class TermIndex:
    def __init__(self) -> None:
        self._by_first: dict[str, list[_Term]] = {}

    def add(self, term: str, exact: bool, group: int) -> None:
        lowers, lemmas = term_tokens(term)
        if not lowers:
            raise ValueError(f"term {term!r} has no words")
        entry = _Term(lowers, lemmas, exact, group)
        keys = {lowers[0]} if exact else {lowers[0], lemmas[0]}
        for key in keys:
            self._by_first.setdefault(key, []).append(entry)

    def find(self, tokens: Tokens) -> dict[int, list[tuple[int, int]]]:
        """Spans of every term occurrence, by group."""
        found: dict[int, list[tuple[int, int]]] = {}
        index = self._by_first
        if not index:
            return found
        lowers, lemmas = tokens.lowers, tokens.lemmas
        for i, lower in enumerate(lowers):
            candidates = index.get(lower)
            lemma = lemmas[i]
            if lemma != lower:
                by_lemma = index.get(lemma)
                if by_lemma:
                    candidates = [*(candidates or []), *by_lemma]
            if not candidates:
                continue
            seen: set[int] = set()
            for term in candidates:
                if id(term) in seen:
                    continue
                seen.add(id(term))
                end = _match_at(tokens, i, term)
                if end is not None:
                    found.setdefault(term.group, []).append((tokens.starts[i], end))
        return found


def _match_at(tokens: Tokens, i: int, term: _Term) -> int | None:
    lowers, lemmas = tokens.lowers, tokens.lemmas
    n = len(lowers)
    k = i
    last_end = tokens.ends[i]
    for j, lower in enumerate(term.lowers):
        while k < n and lowers[k] in HYPHENS and j > 0:
            k += 1
        if k >= n:
            return None
        if lowers[k] != lower and (term.exact or lemmas[k] != term.lemmas[j]):
            return None
        last_end = tokens.ends[k]
        k += 1
    return last_end
