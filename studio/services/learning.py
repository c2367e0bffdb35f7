"""What a brief with `learn_from` is shown: the best measured approved copy of its brand (or of
one campaign), per channel, so drafts start from what engines reported working."""

from __future__ import annotations

from dataclasses import dataclass

from studio.drafting.brief import Brief, ChannelRequest
from studio.drafting.outputs import output_model
from studio.drafting.provider import Example
from studio.services import engagement
from studio.settings import settings
from studio.store.db import Database


@dataclass(frozen=True)
class Lessons:
    by_channel: dict[str, tuple[Example, ...]]  # guardrails channel -> best first
    note: str | None  # what drafting learns from, told to whoever asked for it

    def for_request(self, request: ChannelRequest) -> tuple[Example, ...]:
        """Examples of the same shape: a Meta ad does not learn from a Google RSA's fields."""
        shape = set(output_model(request.key).model_fields)
        return tuple(e for e in self.by_channel.get(request.channel, ()) if set(e.fields) == shape)


def lessons_for(db: Database | None, brief: Brief) -> Lessons:
    if brief.learn_from is None:
        return Lessons({}, None)
    if db is None:
        return Lessons({}, "learn_from is ignored: drafts that are not saved read no database")
    campaign = None if brief.learn_from == "brand" else brief.learn_from
    scope = brief.brand if campaign is None else f"{brief.brand} campaign {campaign!r}"
    found = {
        channel: tuple(engagement.best_performers(db, brand=brief.brand, channel=channel,
                                                  campaign=campaign))
        for channel in sorted({request.channel for request in brief.channels})
    }  # fmt: skip
    learned = {channel: examples for channel, examples in found.items() if examples}
    if not learned:
        minimum = settings().feedback_min_sends
        return Lessons({}, f"learn_from: no approved copy of {scope} has {minimum}+ reported "
                           "sends yet; drafting without examples")  # fmt: skip
    parts = [f"{len(examples)} {channel} (best click rate {_percent(examples[0])})"
             for channel, examples in learned.items()]  # fmt: skip
    return Lessons(learned, f"learning from the best approved copy of {scope}: {', '.join(parts)}")


def _percent(example: Example) -> str:
    rate = example.rates.get("click_rate")
    return "n/a" if rate is None else f"{rate:.1%} over {example.sends} sends"
