"""The metric kind: lengths (with merge tags at their worst case), SMS segments, reading grade."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypedDict

from guardrails import readability, sms
from guardrails.findings import Finding
from guardrails.kinds.base import CheckContext, CompiledRule, CompilingPack
from guardrails.rules.models import MetricRule
from guardrails.view import FieldView


class _Extra(TypedDict, total=False):
    """What a measure adds to a finding's message values, besides the value and the limit."""

    encoding: str
    units: int
    words: int


class Metric(CompiledRule[MetricRule]):
    schema = MetricRule

    def __init__(self, rule: MetricRule, pack: CompilingPack) -> None:
        super().__init__(rule, pack)
        if rule.metric == "length" and rule.min is None and rule.max is not None:
            limit = rule.max
            self.gate = lambda view: bool(view.tags) or len(view.text) > limit
        elif rule.metric == "sms_segments" and rule.min is None and rule.max is not None:
            # A UCS-2 segment holds 67 units and a character is at most 2 units, so a text of
            # n characters fits in ceil(2n / 67) segments: below the limit, nothing to measure.
            units = 67 * int(rule.max) // 2
            self.gate = lambda view: bool(view.tags) or len(view.text) > units

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterator[Finding]:
        measured = self._measure(view)
        if measured is None:
            return
        value, extra = measured
        rule = self.rule
        if rule.max is not None and value > rule.max:
            limit = rule.max
        elif rule.min is not None and value < rule.min:
            limit = rule.min
        else:
            return
        yield self.finding(view, 0, len(view.text), value=_show(value), limit=_show(limit), **extra)

    def _measure(self, view: FieldView) -> tuple[float, _Extra] | None:
        metric = self.rule.metric
        if metric == "length":
            return len(view.filled), {}
        if metric == "sms_segments":
            name, units, segments = sms.measure(view.filled)
            return segments, {"encoding": name, "units": units}
        if metric == "words":
            return len(readability.words(view.masked)), {}
        grade, words = readability.grade(self._without_boilerplate(view))
        if words < self.rule.min_words:
            return None
        return grade, {"words": words}

    def _without_boilerplate(self, view: FieldView) -> str:
        """The field without exempt boilerplate: a mandatory disclaimer's wording is not the
        copywriter's, so it does not count against the brand's reading-grade target."""
        text = view.masked
        spans = sorted(s for matcher in self.pack.exempt for s in matcher.find(view))
        for start, end in reversed(spans):
            text = text[:start] + " " + text[end:]
        return text


def _show(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"
