"""Regular expressions from rule files, run with RE2.

Rule packs are edited by brand owners, so a pattern must never be able to hang a check: RE2
matches in time linear in the text, and what it cannot guarantee (backreferences, lookaround)
it refuses at load. All patterns of a pack go into one `re2.Set`, which answers "which
patterns match this text?" in a single pass; only the patterns that matched are then run for
their spans. RE2 works on UTF-8 bytes, so byte offsets are mapped back to code points.
"""

from __future__ import annotations

import re2

_NOTHING: frozenset[int] = frozenset()
_UNANCHORED = re2._Anchor.UNANCHORED  # the wrapper's private API: google-re2 is pinned <2
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 8 << 20  # a pattern whose automaton needs more is refused at load
_OPTIONS.log_errors = False


class PatternError(ValueError):
    """A pattern RE2 cannot compile; the message says why."""


def compile_pattern(pattern: str, ignore_case: bool = True) -> re2._Regexp:
    source = f"(?i:{pattern})" if ignore_case else pattern
    try:
        return re2.compile(source.encode(), _OPTIONS)
    except re2.error as exc:
        raise PatternError(_explain(pattern, exc)) from None


def _explain(pattern: str, exc: Exception) -> str:
    reason = exc.args[0] if exc.args else exc
    text = reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)
    if "\\1" in pattern or "(?=" in pattern or "(?!" in pattern or "(?<" in pattern:
        text += (
            " (backreferences and lookaround are not supported: patterns must run in linear time)"
        )
    return f"invalid pattern {pattern!r}: {text}"


class ByteToCharOffsets:
    """Maps UTF-8 byte offsets of one text to code-point offsets; identity for ASCII."""

    __slots__ = ("_map",)

    def __init__(self, text: str, data: bytes) -> None:
        if len(data) == len(text):
            self._map: list[int] | None = None
            return
        mapping = [0] * (len(data) + 1)
        pos = 0
        for index, char in enumerate(text):
            width = len(char.encode())
            for k in range(width):
                mapping[pos + k] = index
            pos += width
        mapping[pos] = len(text)
        self._map = mapping

    def __call__(self, offset: int) -> int:
        return offset if self._map is None else self._map[offset]


class PatternSet:
    """Every regex of a pack, screened together; spans fetched only for the patterns that hit."""

    def __init__(self) -> None:
        self._patterns: list[re2._Regexp] = []
        self._set = re2.Set.SearchSet(_OPTIONS)

    def add(self, pattern: str, ignore_case: bool = True) -> int:
        regexp = compile_pattern(pattern, ignore_case)
        source = f"(?i:{pattern})" if ignore_case else pattern
        self._set.Add(source.encode())
        self._patterns.append(regexp)
        return len(self._patterns) - 1

    def compile(self) -> None:
        if self._patterns:
            self._set.Compile()

    def hits(self, data: bytes) -> frozenset[int]:
        if not self._patterns:
            return frozenset()
        found = self._set._set.Match(data)  # the C-level set: bytes in, indexes out
        return frozenset(found) if found else _NOTHING

    def spans(self, index: int, data: bytes, to_char: ByteToCharOffsets) -> list[tuple[int, int]]:
        return spans_of(self._patterns[index], data, to_char)


def spans_of(regexp: re2._Regexp, data: bytes, to_char: ByteToCharOffsets) -> list[tuple[int, int]]:
    """Code-point spans of every non-empty match of a compiled pattern."""
    return [spans[0] for spans in group_spans(regexp, data, to_char, 1)]


def group_spans(
    regexp: re2._Regexp, data: bytes, to_char: ByteToCharOffsets, groups: int
) -> list[list[tuple[int, int]]]:
    """For every non-empty match, the code-point spans of groups 0 .. groups-1.

    This loops over RE2's C-level `Match` directly: the wrapper's `finditer` builds a match
    object and decodes offsets in Python for every hit, which doubled the cost of a check.
    """
    match = regexp._regexp.Match
    out = []
    pos, end_of_data = 0, len(data)
    while pos <= end_of_data:
        spans = match(_UNANCHORED, data, pos, end_of_data)
        start, end = spans[0]
        if start < 0:
            break
        if end > start:
            out.append([(to_char(s), to_char(e)) for s, e in spans[:groups]])
        pos = end if end > pos else pos + 1
    return out
