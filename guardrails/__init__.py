"""Guardrails: check marketing copy against versioned brand rule packs.

A pure library: (variant, rule pack) -> Report. It knows nothing of databases, UIs or LLMs.

    from guardrails import load_pack, check, Variant
    pack = load_pack("brand_rules/brightleaf")
    report = check(Variant(channel="sms", fields={"body": "..."}), pack)
"""

from guardrails.content import Channel, Variant, parse_labelled_text
from guardrails.engine import CompiledPack, check, compile_pack
from guardrails.findings import Category, Finding, Report, Severity, Verdict
from guardrails.limits import FieldLimit
from guardrails.rules.loader import ResolvedPack, RulePackError, load_pack
from guardrails.rules.models import RecheckPolicy
from guardrails.view import UNKNOWN_FILL

__all__ = [
    "UNKNOWN_FILL",
    "Category",
    "Channel",
    "CompiledPack",
    "FieldLimit",
    "Finding",
    "RecheckPolicy",
    "Report",
    "ResolvedPack",
    "RulePackError",
    "Severity",
    "Variant",
    "Verdict",
    "check",
    "compile_pack",
    "load_pack",
    "parse_labelled_text",
]
