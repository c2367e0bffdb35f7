"""What a drafter returns for each channel: pydantic models that are both the structured-output
schema sent to the LLM and the shape the guardrails check (`fields()` gives guardrails fields).

Lengths are not constrained here on purpose: over-long copy must reach the guardrails, be
reported and repaired, not be rejected as malformed output.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Copy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def fields(self) -> dict[str, Any]:
        return self.model_dump()


class EmailCopy(_Copy):
    subject: str = Field(description="Subject line, about 50 characters at most")
    preheader: str = Field(description="Inbox preview text, 40-100 characters")
    body: str = Field(description="Plain-text body with paragraphs separated by blank lines")


class SmsCopy(_Copy):
    body: str = Field(
        description="The whole message, one GSM-7 segment (160 characters) if possible"
    )


class GoogleRsaCopy(_Copy):
    headlines: list[str] = Field(description="3 to 15 headlines, each at most 30 characters")
    descriptions: list[str] = Field(description="2 to 4 descriptions, each at most 90 characters")
    path1: str = Field(description="Display URL path, at most 15 characters")
    path2: str = Field(description="Second display URL path, at most 15 characters")


class MetaAdCopy(_Copy):
    primary_text: str = Field(description="Primary text, about 125 characters")
    headline: str = Field(description="Headline, about 40 characters")
    description: str = Field(description="Link description, about 30 characters")


OUTPUT_MODELS: dict[str, type[_Copy]] = {
    "email": EmailCopy,
    "sms": SmsCopy,
    "ad-google-rsa": GoogleRsaCopy,
    "ad-meta": MetaAdCopy,
}


def output_model(channel_key: str) -> type[_Copy]:
    return OUTPUT_MODELS[channel_key]
