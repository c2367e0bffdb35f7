"""The character limits a pack's `metric: length` rules set, for copy written to fit them.

A drafter that reads its limits here drafts within what the checker will enforce, overrides
included (a brand's `EMAIL-SUBJECT-LEN: {max: 40}`), instead of keeping numbers of its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from guardrails.content import CHANNEL_FIELDS, Channel
from guardrails.kinds.base import CompiledRule
from guardrails.rules.models import MetricRule, RuleBase


@dataclass(frozen=True)
class FieldLimit:
    """The characters a field may hold, None for no bound. Lengths are measured as the checker
    measures them: with every merge tag at its worst-case value (an unknown one as
    `UNKNOWN_FILL`). For a list field (Google `headlines`) the limit is each item's."""

    min: int | None = None
    max: int | None = None


def length_limits(
    rules: Iterable[CompiledRule[RuleBase]], channel: Channel
) -> dict[str, FieldLimit]:
    """For each field of `channel` that a length rule constrains (by field name: `headlines`,
    not `headlines[0]`), the bounds all of them set together: the largest minimum and the
    smallest maximum. Rules of every severity count: a draft should raise none of them."""
    lengths = [
        (compiled, compiled.rule)
        for compiled in rules
        if isinstance(compiled.rule, MetricRule) and compiled.rule.metric == "length"
    ]
    limits: dict[str, FieldLimit] = {}
    for name in CHANNEL_FIELDS[channel]:
        applicable = [rule for compiled, rule in lengths if compiled.applies(channel, name)]
        if applicable:  # lengths are whole characters: 45.9 allows 45, a minimum of 10.5 is 11
            lows = [math.ceil(rule.min) for rule in applicable if rule.min is not None]
            highs = [math.floor(rule.max) for rule in applicable if rule.max is not None]
            limits[name] = FieldLimit(min=max(lows, default=None), max=min(highs, default=None))
    return limits
