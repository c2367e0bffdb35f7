"""Matching word lists against tokens, by lemma or by exact form, all terms of a pack at once.

Each term is tokenized like the copy and indexed by its first token's lowercase form and lemma,
so a field is scanned once whatever the number of terms. "lemma" terms match any inflection
("guarantee" catches "Guaranteed"); "exact" terms match the lowercase form only, which is what
superlatives need ("best" must not match "well", its lookup lemma). Hyphens are skipped on both
sides, so "best-selling" and "best selling" are the same term.
"""

from __future__ import annotations

from dataclasses import dataclass

from guardrails.nlp import HYPHENS, Token, term_tokens


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

    def find(self, tokens: list[Token]) -> dict[int, list[tuple[int, int]]]:
        """Spans of every term occurrence, by group."""
        found: dict[int, list[tuple[int, int]]] = {}
        index = self._by_first
        if not index:
            return found
        n = len(tokens)
        for i, tok in enumerate(tokens):
            candidates = index.get(tok.lower)
            if tok.lemma != tok.lower:
                by_lemma = index.get(tok.lemma)
                if by_lemma:
                    candidates = [*(candidates or []), *by_lemma]
            if not candidates:
                continue
            seen: set[int] = set()
            for term in candidates:
                if id(term) in seen:
                    continue
                seen.add(id(term))
                end = _match_at(tokens, i, n, term)
                if end is not None:
                    found.setdefault(term.group, []).append((tok.start, end))
        return found


def _match_at(tokens: list[Token], i: int, n: int, term: _Term) -> int | None:
    k = i
    last_end = tokens[i].end
    for j, lower in enumerate(term.lowers):
        while k < n and tokens[k].lower in HYPHENS and j > 0:
            k += 1
        if k >= n:
            return None
        tok = tokens[k]
        if tok.lower != lower and (term.exact or tok.lemma != term.lemmas[j]):
            return None
        last_end = tok.end
        k += 1
    return last_end
