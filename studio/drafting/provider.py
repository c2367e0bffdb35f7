"""The drafter contract: one task in (a variant to write), one draft out, with usage and
provenance. The OpenAI-compatible provider and the offline drafter both implement it, so the
fan-out, the repair loop and the jobs never know which one they drive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from guardrails import CompiledPack, Finding
from studio.drafting.brief import Brief, ChannelRequest, Segment
from studio.drafting.outputs import output_model

# The angles variants of one group take in turn, so A, B and C are not three rewordings.
ANGLES = ("benefit", "offer", "proof", "question")


@dataclass(frozen=True)
class Example:
    """Approved copy of the brand that performed, with the rates engines reported for it: what
    a brief with `learn_from` shows the drafter, best first."""

    variant_id: int
    fields: dict[str, Any]
    rates: dict[str, float | None]
    sends: int
    angle: str | None  # the angle it was drafted with, when the studio drafted it


@dataclass(frozen=True)
class Retake:
    """A variant written again at the copywriter's request: their note to the drafter, the
    copy it replaces, and which retake of that variant this is (1 for the first)."""

    note: str
    previous: dict[str, Any]
    number: int


@dataclass(frozen=True)
class DraftTask:
    """One variant to write: which brief, segment, channel, and which of the group it is."""

    brief: Brief
    pack: CompiledPack
    segment: Segment
    channel: ChannelRequest
    index: int  # 0-based place in its group; the label is A, B, C...
    angle: str
    examples: tuple[Example, ...] = ()  # measured approved copy to learn from (`learn_from`)
    retake: Retake | None = None

    @property
    def label(self) -> str:
        return chr(ord("A") + self.index)

    @property
    def group(self) -> str:
        parts = (self.brief.brand, self.brief.campaign_slug(), self.channel.key, self.segment.name)
        return "-".join(parts)

    @property
    def key(self) -> str:
        return f"{self.channel.key}/{self.segment.name}/{self.label}"

    @property
    def copy_channel(self) -> str:
        """The guardrails channel: email, sms or ad."""
        return self.channel.channel

    def output_model(self) -> type:
        return output_model(self.channel.key)


@dataclass
class Draft:
    fields: dict[str, Any]
    provenance: dict[str, Any]  # provider, model, prompt_hash, rules_version, ...
    usage: dict[str, int] = field(default_factory=dict)  # prompt_tokens, completion_tokens


class DraftingError(Exception):
    """A draft could not be produced (endpoint unreachable, refused, malformed): fails one
    variant, not the brief. The message says what happened and where."""


class Provider(Protocol):
    name: str
    is_llm: bool  # False: the offline drafter, which the UI, CLI and API must say plainly
    concurrency: int  # calls in flight at once (STUDIO_LLM_CONCURRENCY for an endpoint)

    async def draft(self, task: DraftTask) -> Draft: ...

    async def repair(
        self, task: DraftTask, previous: dict[str, Any], findings: list[Finding]
    ) -> Draft: ...


def angles_for(brief: Brief) -> list[str]:
    """The angles this brief supports: no offer angle without an offer, no proof without claims."""
    return [
        angle
        for angle in ANGLES
        if not (angle == "offer" and brief.offer is None)
        and not (angle == "proof" and not brief.claims)
    ]


def ranked_angles(angles: list[str], examples: Sequence[Example]) -> list[str]:
    """The angles with measured results first, best click rate first, then the untried ones in
    their usual order: variant A of a group takes what has worked for this brand and channel."""
    best: dict[str, float] = {}
    for example in examples:
        if example.angle in angles:
            rate = example.rates.get("click_rate") or 0.0
            best[example.angle] = max(best.get(example.angle, 0.0), rate)
    return sorted(angles, key=lambda a: (0, -best[a]) if a in best else (1, angles.index(a)))


def learned_from(task: DraftTask) -> list[int]:
    """The variants a draft was shown as examples, for its provenance."""
    return [example.variant_id for example in task.examples]


async def close_provider(provider: Provider) -> None:
    """Release a provider's connections (the OpenAI client keeps a pool); others have none."""
    close = getattr(provider, "close", None)
    if close is not None:
        await close()
