"""One field of a variant as every rule reads it: parsed once, shared by all checks.

What every rule needs (the masked text, the pattern hits) is computed up front; what only some
need (filled text, byte-offset map, registry claims) is computed on first use. Plain
None-checks rather than `functools.cached_property`, whose lock costs more than the work here.
"""

from __future__ import annotations

from typing import Protocol

from guardrails.claims import ClaimUse
from guardrails.content import Channel
from guardrails.merge import MergeTag, fill, find_tags, mask
from guardrails.patterns import ByteToCharOffsets, PatternSet

# What an undefined merge variable is filled with to measure lengths: 20 characters. A drafter
# that fills tags the same way measures its copy as the checker will.
UNKNOWN_FILL = "X" * 20


class IndexedPack(Protocol):
    """What a view reads of the compiled pack it is checked against (`engine.CompiledPack`):
    a protocol, so this module need not import the engine that builds views."""

    patterns: PatternSet
    pattern_groups: list[int]  # pattern index -> matcher group
    worst_case: dict[str, str]  # merge variable -> its longest plausible value

    def claim_uses(self, view: FieldView) -> list[ClaimUse]: ...


class FieldView:
    __slots__ = (
        "_claim_uses",
        "_filled",
        "_to_char",
        "base",
        "channel",
        "data",
        "hit_groups",
        "masked",
        "pack",
        "path",
        "pattern_hits",
        "tags",
        "text",
    )

    def __init__(
        self, pack: IndexedPack, channel: Channel, path: str, base: str, text: str
    ) -> None:
        self.pack = pack
        self.channel = channel
        self.path = path
        self.base = base
        self.text = text
        self.tags: list[MergeTag] = find_tags(text)
        self.masked = mask(text, self.tags)  # tags blanked, offsets unchanged
        self.data = self.masked.encode()
        self.pattern_hits = pack.patterns.hits(self.data)
        # The matcher groups with any hit in this field: every other rule trigger is skipped.
        self.hit_groups = frozenset(map(pack.pattern_groups.__getitem__, self.pattern_hits))
        self._filled: str | None = None
        self._to_char: ByteToCharOffsets | None = None
        self._claim_uses: list[ClaimUse] | None = None

    @property
    def filled(self) -> str:
        """The text with every merge tag at its worst-case value (for lengths and encodings)."""
        if self._filled is None:
            self._filled = fill(self.text, self.tags, self.pack.worst_case, UNKNOWN_FILL)
        return self._filled

    @property
    def to_char(self) -> ByteToCharOffsets:
        if self._to_char is None:
            self._to_char = ByteToCharOffsets(self.masked, self.data)
        return self._to_char

    @property
    def claim_uses(self) -> list[ClaimUse]:
        if self._claim_uses is None:
            self._claim_uses = self.pack.claim_uses(self)
        return self._claim_uses
