"""One field of a variant as every rule reads it: parsed once, shared by all checks."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from guardrails.content import Channel
from guardrails.merge import MergeTag, fill, find_tags, mask
from guardrails.nlp import Tokens, tokenize
from guardrails.patterns import ByteToCharOffsets

if TYPE_CHECKING:
    from guardrails.engine import ClaimUse, CompiledPack

UNKNOWN_FILL = "X" * 20  # an undefined merge variable counts as 20 characters


class FieldView:
    def __init__(
        self, pack: CompiledPack, channel: Channel, path: str, base: str, text: str
    ) -> None:
        self.pack = pack
        self.channel = channel
        self.path = path
        self.base = base
        self.text = text
        self.tags: list[MergeTag] = find_tags(text)
        self.masked = mask(text, self.tags)  # tags blanked, offsets unchanged

    @cached_property
    def filled(self) -> str:
        """The text with every merge tag at its worst-case value (for lengths and encodings)."""
        return fill(self.text, self.tags, self.pack.worst_case, UNKNOWN_FILL)

    @cached_property
    def tokens(self) -> Tokens:
        return tokenize(self.masked)

    @cached_property
    def data(self) -> bytes:
        return self.masked.encode()

    @cached_property
    def to_char(self) -> ByteToCharOffsets:
        return ByteToCharOffsets(self.masked, self.data)

    @cached_property
    def pattern_hits(self) -> frozenset[int]:
        return self.pack.patterns.hits(self.data)

    @cached_property
    def hit_groups(self) -> frozenset[int]:
        """The matcher groups with any hit in this field: the rest are skipped at once."""
        by_pattern = self.pack.pattern_groups
        return frozenset(by_pattern[i] for i in self.pattern_hits)

    @cached_property
    def claim_uses(self) -> list[ClaimUse]:
        return self.pack.claim_uses(self)
