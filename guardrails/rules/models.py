"""The rule-file schema. One pydantic model per rule kind; unknown keys are errors.

A rule is data plus a line of provenance (`source`) plus examples that must fail and pass. Each
kind's behaviour is its class in `guardrails.kinds.<kind>`, which names the model here as its
`schema`; the models stay together, apart from behaviour, because they are the file format
brand owners read and the loader validates. Every field here is named for them, not the code.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from guardrails.content import CHANNEL_FIELDS, Channel
from guardrails.findings import Category, Severity

RULE_ID = r"^[A-Za-z][A-Za-z0-9_.-]{1,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# An example is a bare string (the rule's first field on its first channel) or a mapping with an
# optional `channel` and field values, e.g. {channel: email, subject: "RE: your order"}.
Example = str | dict[str, str | list[str]]


class Examples(_Strict):
    fail: list[Example] = Field(min_length=1)
    pass_: list[Example] = Field(alias="pass", min_length=1)
    # Registry claims the examples run with, for rules about the registry itself.
    claims: list[ApprovedClaim] = Field(default_factory=list)


class RuleBase(_Strict):
    """What every kind's rule has: identity, where it applies, how a finding is worded."""

    id: str = Field(pattern=RULE_ID)
    category: Category
    severity: Severity
    message: str = Field(min_length=1)
    source: str | None = None
    channels: list[Channel] | None = None  # None: every channel
    fields: list[str] | None = None  # field names (`headlines`, not `headlines[0]`); None: all
    suggest: list[str] = Field(default_factory=list)
    exceptions: list[str] = Field(default_factory=list)  # regexes; a match they fully match is fine
    # Whether an approved claim or exempt boilerplate around a finding clears it. False for
    # rules about what must accompany a claim (a disclosure), which an approval cannot answer.
    approvals_cover: bool = True
    examples: Examples


class _Matching(_Strict):
    terms: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    match: Literal["lemma", "exact"] = "lemma"  # lemma: any inflection; exact: the form as written


class ExistenceRule(RuleBase, _Matching):
    """Flags each occurrence of a term or pattern."""

    kind: Literal["existence"]
    competitors: bool = False  # also match the pack's `brand.competitors` names

    @model_validator(mode="after")
    def _needs_something(self) -> ExistenceRule:
        if not self.terms and not self.patterns and not self.competitors:
            raise ValueError("an existence rule needs `terms`, `patterns` or `competitors: true`")
        return self


class SubstitutionRule(RuleBase):
    """Flags a term and offers the preferred one as a deterministic fix."""

    kind: Literal["substitution"]
    swap: dict[str, str] = Field(min_length=1)
    match: Literal["lemma", "exact"] = "lemma"


class OccurrenceRule(RuleBase):
    """At most `max` occurrences of a pattern (or of emoji) per field or per variant."""

    kind: Literal["occurrence"]
    pattern: str | None = None
    emoji: bool = False
    max: int = Field(ge=0)
    scope: Literal["field", "variant"] = "field"

    @model_validator(mode="after")
    def _one_target(self) -> OccurrenceRule:
        if (self.pattern is None) == (not self.emoji):
            raise ValueError("an occurrence rule counts either a `pattern` or `emoji: true`")
        return self


class MetricRule(RuleBase):
    """A measured value kept within bounds. Lengths are measured with merge tags filled."""

    kind: Literal["metric"]
    metric: Literal["length", "sms_segments", "reading_grade", "words"]
    min: float | None = None
    max: float | None = None
    min_words: int = 0  # reading_grade only: below this many words the formula means nothing

    @model_validator(mode="after")
    def _bounded(self) -> MetricRule:
        if self.min is None and self.max is None:
            raise ValueError("a metric rule needs `min` or `max`")
        return self


class AssetsRule(RuleBase):
    """The items of a list field (Google RSA headlines): how many, and no duplicates.

    Checked only where the variant has that field at all (a Meta ad has no `headlines`)."""

    kind: Literal["assets"]
    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=1)
    unique: bool = False


class PartsRule(RuleBase):
    """Parts a copy cannot go out without (an email's subject and body), missing or blank.

    Checked once per copy, even a copy with no fields at all. `when_any` narrows the rule to one
    format of a channel (a Google or a Meta ad): it applies when the copy has text in any of
    those fields, or no text at all, so an empty ad owes the parts of every format its pack
    knows."""

    kind: Literal["parts"]
    required: list[str] = Field(min_length=1)
    when_any: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _channel_fields(self) -> PartsRule:
        if self.fields is not None:
            raise ValueError("a parts rule names its fields in `required` and `when_any`")
        for channel in self.channels or list(Channel):
            allowed = CHANNEL_FIELDS[channel]
            for name in (*self.required, *self.when_any):
                if name not in allowed:
                    raise ValueError(
                        f"{name!r} is not a {channel.value} field "
                        f"(expected one of: {', '.join(allowed)})"
                    )
        return self


class ConditionalRule(RuleBase, _Matching):
    """A term or pattern that needs something else nearby (a condition, a citation)."""

    kind: Literal["conditional"]
    requires: list[str] = Field(min_length=1)  # patterns, any one of which satisfies the rule
    scope: Literal["field", "variant"] = "field"


class CapitalizationRule(RuleBase):
    """ALL-CAPS words, except acronyms (the pack's `voice.acronyms`) and the brand's names."""

    kind: Literal["capitalization"]
    min_letters: int = Field(default=3, ge=2)
    allow: list[str] = Field(default_factory=list)


class RequiredRule(RuleBase):
    """Something that must be present: an opt-out, a placeholder, a disclaimer.

    `exempt: true` marks what satisfies the rule as approved boilerplate: other rules do not
    flag words inside it (a supplement disclaimer says "cure", and that is the point).
    """

    kind: Literal["required"]
    patterns: list[str] = Field(default_factory=list)
    text: str | None = None  # a literal, matched with flexible whitespace and case
    variables: list[str] = Field(default_factory=list)  # merge tags, e.g. unsubscribe_url
    brand_name: bool = False  # satisfied by any of the pack's brand names
    scope: Literal["field", "variant"] = "field"
    exempt: bool = False

    @model_validator(mode="after")
    def _needs_something(self) -> RequiredRule:
        if not (self.patterns or self.text or self.variables or self.brand_name):
            raise ValueError(
                "a required rule needs `patterns`, `text`, `variables` or `brand_name: true`"
            )
        return self


class PiiRule(RuleBase):
    """Personal data in copy: emails, phone numbers, card numbers, US social security numbers."""

    kind: Literal["pii"]
    detect: list[Literal["email", "phone", "card", "ssn"]] = Field(min_length=1)
    phone_regions: list[str] = Field(default_factory=lambda: ["US"])  # how national numbers read


class SmsEncodingRule(RuleBase):
    """Characters outside GSM-7, each of which turns the whole SMS into UCS-2."""

    kind: Literal["sms_encoding"]


class LinkRule(RuleBase):
    """Links to blocked domains (public shorteners), or to domains the brand does not own."""

    kind: Literal["links"]
    blocked_domains: list[str] = Field(default_factory=list)
    brand_domains_only: bool = False


class MergeTagRule(RuleBase):
    """`check: unknown`: merge variables the pack does not define (they would print blank or
    break the send). `check: code`: template logic, expressions or comments (`{% if %}`,
    `{{ 7*7 }}`, `{# … #}`), which the sending engine would execute: copy may hold plain
    variables only. `check: delimiters`: a `{{`, `}}`, `{%`, `%}`, `{#` or `#}` that belongs to
    no tag (`Hi {{ first_name .`), on which the engine would fail or which it would print."""

    kind: Literal["merge_tags"]
    check: Literal["unknown", "code", "delimiters"] = "unknown"


class ClaimRegistryRule(RuleBase):
    """Uses of registry claims that are expired, not approved for the channel, or missing
    what they require nearby."""

    kind: Literal["claim_registry"]


Rule = Annotated[
    ExistenceRule
    | SubstitutionRule
    | OccurrenceRule
    | MetricRule
    | ConditionalRule
    | AssetsRule
    | PartsRule
    | CapitalizationRule
    | RequiredRule
    | PiiRule
    | SmsEncodingRule
    | LinkRule
    | MergeTagRule
    | ClaimRegistryRule,
    Field(discriminator="kind"),
]


class RecheckPolicy(StrEnum):
    FLAG = "flag"
    REVOKE = "revoke"


class Brand(_Strict):
    name: str
    aliases: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)  # domains the brand controls
    phones: list[str] = Field(default_factory=list)  # the brand's own published numbers
    emails: list[str] = Field(default_factory=list)  # the brand's own published addresses
    competitors: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Voice(_Strict):
    acronyms: list[str] = Field(default_factory=list)


class MergeField(_Strict):
    worst_case: str  # the longest plausible value: lengths are measured with it
    fallback: str | None = None  # what the engine prints when the value is missing


class ApprovedClaim(_Strict):
    id: str = Field(pattern=RULE_ID)
    text: str = Field(min_length=1)
    patterns: list[str] = Field(default_factory=list)  # default: `text`, flexible whitespace
    evidence: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    expires: dt.date | None = None
    channels: list[Channel] | None = None
    requires: list[str] = Field(default_factory=list)  # patterns needed in the same field
    qualifier: str | None = None  # `requires` in words, for the reviewer: "APY accurate as of …"


class Override(_Strict):
    """A pack's change to an inherited rule: turn it off, or change its severity or bounds."""

    disabled: bool = False
    severity: Severity | None = None
    min: float | None = None
    max: float | None = None


Examples.model_rebuild()


# The automation engines a pack may say its brand publishes to (the merge-tag dialects the
# studio translates into; the library only carries the names).
Engine = Literal["braze", "klaviyo", "customerio", "iterable", "hubspot", "mautic", "jinja"]


class PackFile(_Strict):
    """One YAML file of a pack. `pack.yaml` holds the metadata; other files only add rules."""

    pack: str | None = None
    description: str | None = None
    extends: list[str] = Field(default_factory=list)
    brand: Brand | None = None
    voice: Voice | None = None
    merge_fields: dict[str, MergeField] = Field(default_factory=dict)
    claims: list[ApprovedClaim] = Field(default_factory=list)
    overrides: dict[str, Override] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    # What happens to approved copy that fails after the rules change: flag it for review
    # (it stays approved) or revoke it. A child pack's setting wins over its parents'.
    on_rule_change: RecheckPolicy | None = None
    # The engines the brand publishes to: copy whose merge tags one of them cannot carry is an
    # error when it is checked, not a hole in the feed after approval. Parents' add up.
    engines: list[Engine] = Field(default_factory=list)

    @field_validator("merge_fields")
    @classmethod
    def _identifiers(cls, value: dict[str, MergeField]) -> dict[str, MergeField]:
        for name in value:
            if not name.isidentifier():
                raise ValueError(f"merge field name {name!r} is not an identifier")
        return value
