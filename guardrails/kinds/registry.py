"""Every rule kind, and compiling a rule with its kind: the one place the engine meets kinds."""

from __future__ import annotations

from guardrails.kinds.assets import Assets
from guardrails.kinds.base import CompiledRule, CompilingPack
from guardrails.kinds.capitalization import Capitalization
from guardrails.kinds.claim_registry import ClaimRegistry
from guardrails.kinds.conditional import Conditional
from guardrails.kinds.existence import Existence
from guardrails.kinds.links import Links
from guardrails.kinds.merge_tags import MergeTags
from guardrails.kinds.metric import Metric
from guardrails.kinds.occurrence import Occurrence
from guardrails.kinds.parts import Parts
from guardrails.kinds.pii import Pii
from guardrails.kinds.required import Required
from guardrails.kinds.sms_encoding import SmsEncoding
from guardrails.kinds.substitution import Substitution
from guardrails.rules.models import RuleBase

KINDS: tuple[type[CompiledRule[RuleBase]], ...] = (
    Existence,
    Substitution,
    Conditional,
    Occurrence,
    Capitalization,
    Metric,
    Assets,
    Parts,
    Required,
    Pii,
    SmsEncoding,
    Links,
    MergeTags,
    ClaimRegistry,
)
# A rule's model is its kind's `schema`: pydantic picked it by the rule's `kind:` name.
_BY_SCHEMA: dict[type[RuleBase], type[CompiledRule[RuleBase]]] = {k.schema: k for k in KINDS}


def compile_rule(rule: RuleBase, pack: CompilingPack) -> CompiledRule[RuleBase]:
    return _BY_SCHEMA[type(rule)](rule, pack)
