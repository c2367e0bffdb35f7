"""Rule kinds: one small class per kind, each turning matches into findings."""

from __future__ import annotations

from typing import Any

from guardrails.engine import CompiledPack, CompiledRule
from guardrails.kinds.assets import Assets
from guardrails.kinds.claims import ClaimRegistry
from guardrails.kinds.counting import Capitalization, Occurrence
from guardrails.kinds.lexical import Conditional, Existence, Substitution
from guardrails.kinds.links import Links
from guardrails.kinds.merge_tags import MergeTags
from guardrails.kinds.metrics import Metric
from guardrails.kinds.parts import Parts
from guardrails.kinds.presence import Required
from guardrails.kinds.privacy import Pii
from guardrails.kinds.sms_encoding import SmsEncoding

KINDS: dict[str, type[CompiledRule]] = {
    "existence": Existence,
    "substitution": Substitution,
    "conditional": Conditional,
    "occurrence": Occurrence,
    "capitalization": Capitalization,
    "metric": Metric,
    "assets": Assets,
    "parts": Parts,
    "required": Required,
    "pii": Pii,
    "sms_encoding": SmsEncoding,
    "links": Links,
    "merge_tags": MergeTags,
    "claim_registry": ClaimRegistry,
}


def compile_rule(rule: Any, pack: CompiledPack) -> CompiledRule:
    return KINDS[rule.kind](rule, pack)
