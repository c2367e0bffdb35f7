"""The brief: what a copywriter asks for, validated before any model is called.

A brief file is YAML; every error names the file, the line and the field
(`brief.yaml:14: channels[1].count: ...`). Claims must be ids from the brand's registry, and the
brand must have a rule pack, so a brief cannot ask for copy the guardrails cannot check.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from guardrails.rules.yamlsource import YamlSourceError, line_of, load_with_lines
from studio.errors import InvalidInput

MAX_BRIEF_BYTES = 256 * 1024
MAX_VARIANTS_PER_CHANNEL = 10
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Url = Annotated[str, StringConstraints(pattern=r"^(https://\S+|\{\{\s*\w+\s*\}\})$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Platform(StrEnum):
    GOOGLE_RSA = "google_rsa"
    META = "meta"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Segment(_Strict):
    """An audience segment; each gets its own variants and angle (a CFO hears cost control)."""

    name: Slug
    description: Text
    angle: Text | None = None


class Offer(_Strict):
    text: Text
    terms: Text
    ends: dt.date | None = None


class CallToAction(_Strict):
    text: Text
    url: Annotated[str, StringConstraints(pattern=r"^(https://\S+|\{\{\s*\w+\s*\}\})$")] | None = (
        None
    )


class ChannelRequest(_Strict):
    channel: Annotated[str, StringConstraints(pattern=r"^(email|sms|ad)$")]
    count: int = Field(default=3, ge=1, le=MAX_VARIANTS_PER_CHANNEL)
    platform: Platform | None = None  # ads only: which format to draft

    @model_validator(mode="after")
    def _platform_for_ads(self) -> ChannelRequest:
        if self.channel == "ad" and self.platform is None:
            raise ValueError("an ad needs a platform: google_rsa or meta")
        if self.channel != "ad" and self.platform is not None:
            raise ValueError(f"platform applies to ads only, not {self.channel}")
        return self

    @property
    def key(self) -> str:
        return (
            f"{self.channel}-{self.platform.value.replace('_', '-')}"
            if self.platform
            else self.channel
        )


class SendWindow(_Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> SendWindow:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


class Brief(_Strict):
    brand: Slug
    campaign: Text
    segments: list[Segment] = Field(min_length=1, max_length=10)
    product: Text
    key_message: Text
    offer: Offer | None = None
    cta: CallToAction
    tone: Text = "clear, warm and factual"
    channels: list[ChannelRequest] = Field(min_length=1, max_length=6)
    locale: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en-US"
    must_say: list[Text] = Field(default_factory=list, max_length=10)
    must_avoid: list[Text] = Field(default_factory=list, max_length=50)
    claims: list[Text] = Field(default_factory=list, max_length=20)
    send_window: SendWindow | None = None
    # "brand", or a campaign's name: drafting is shown that copy's best measured performers
    learn_from: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Brief:
        names = [segment.name for segment in self.segments]
        if len(set(names)) != len(names):
            raise ValueError("segment names must be unique")
        keys = [request.key for request in self.channels]
        if len(set(keys)) != len(keys):
            raise ValueError("each channel (and ad platform) may be listed once")
        return self

    @property
    def total_variants(self) -> int:
        return len(self.segments) * sum(request.count for request in self.channels)

    def campaign_slug(self) -> str:
        words = "".join(c if c.isalnum() else " " for c in self.campaign.lower()).split()
        return "-".join(words)[:40].strip("-") or "campaign"


def parse_brief(
    data: Any,
    source: str = "brief",
    lines: dict[Any, int] | None = None,
    *,
    today: dt.date | None = None,
) -> Brief:
    """A validated brief, or InvalidInput listing every problem as `source:line: field: msg`.

    Dates are checked against `today` (default: the UTC date): a brief for an offer that has
    ended, or that ends before its send window opens, would draft copy nobody may send."""
    try:
        brief = Brief.model_validate(data)
    except ValidationError as exc:
        problems = [(tuple(error["loc"]), error["msg"]) for error in exc.errors()]
    else:
        problems = _date_problems(brief, today or dt.datetime.now(dt.UTC).date())
    if not problems:
        return brief
    listed = []
    for loc, message in problems:
        where = f"{source}:{line_of(lines, loc)}" if lines else source
        listed.append(f"{where}: {_field_path(loc) or 'brief'}: {message}")
    raise InvalidInput("the brief is not valid:\n  " + "\n  ".join(listed)) from None


def _date_problems(brief: Brief, today: dt.date) -> list[tuple[tuple[Any, ...], str]]:
    problems: list[tuple[tuple[Any, ...], str]] = []
    ends = brief.offer.ends if brief.offer else None
    window = brief.send_window
    if ends is not None and ends < today:
        problems.append((("offer", "ends"), f"the offer ended on {ends.isoformat()} (today is "
                         f"{today.isoformat()}): update the offer or drop the brief"))  # fmt: skip
    if ends is not None and window is not None and ends < window.start:
        problems.append((("offer", "ends"), f"the offer ends on {ends.isoformat()}, before the "
                         f"send window opens on {window.start.isoformat()}"))  # fmt: skip
    if window is not None and window.end < today:
        problems.append((("send_window", "end"), f"the send window closed on "
                         f"{window.end.isoformat()} (today is {today.isoformat()})"))  # fmt: skip
    return problems


def load_brief(path: Path, *, today: dt.date | None = None) -> Brief:
    """Read a brief file (YAML; a UTF-8 byte-order mark is allowed)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the brief: {exc.strerror}") from None
    return read_brief(raw, str(path), today=today)


def read_brief(raw: bytes, source: str, *, today: dt.date | None = None) -> Brief:
    """A brief from YAML bytes (a file, an upload, a paste); `source` names it in messages."""
    if len(raw) > MAX_BRIEF_BYTES:
        raise InvalidInput(f"{source}: a brief is at most {MAX_BRIEF_BYTES // 1024} KB")
    try:
        data, lines = load_with_lines(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{source}: not UTF-8 text") from None
    except YamlSourceError as exc:
        raise InvalidInput(f"{source}:{exc.line or 1}: {exc.message}") from None
    if not isinstance(data, dict):
        raise InvalidInput(f"{source}:1: a brief is a mapping of fields (brand, campaign, ...)")
    return parse_brief(data, source, lines, today=today)


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or str(part).startswith("function-"):
            continue  # pydantic's union / validator tags
        else:
            out += f".{part}" if out else str(part)
    return out
