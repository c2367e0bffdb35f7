"""Compiling a resolved pack once, and checking variants against it.

`CompiledPack` registers every rule's terms (as patterns of their surface forms) and regexes in
one pack-wide RE2 set, matched once per field; each rule, compiled by its kind (through
`guardrails.kinds.registry`), then turns what matched into findings. The pack-wide passes that
follow (approved boilerplate and claims, subsumed findings) are `guardrails.settle`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from guardrails.claims import ClaimUse
from guardrails.content import Channel, Variant
from guardrails.findings import Finding, Report
from guardrails.kinds.base import CheckContext, CompiledRule, Matcher, Scope
from guardrails.kinds.registry import compile_rule
from guardrails.limits import FieldLimit, length_limits
from guardrails.patterns import PatternSet
from guardrails.rules.loader import ResolvedPack
from guardrails.rules.models import ApprovedClaim, RuleBase
from guardrails.settle import Settlement
from guardrails.terms import literal_pattern
from guardrails.view import FieldView

# A field rule as the check loop calls it: its gate (None: always) and its run.
_Dispatch = tuple[
    Callable[[FieldView], bool] | None, Callable[[FieldView, CheckContext], Iterable[Finding]]
]


@dataclass
class _ClaimEntry:
    claim: ApprovedClaim
    matcher: Matcher
    requires: Matcher | None


class CompiledPack:
    """A pack ready to check: compile once (it is cached by `compile_pack`), check many."""

    def __init__(self, pack: ResolvedPack) -> None:
        self.pack = pack
        self.version = pack.version
        self.patterns = PatternSet()
        self._groups = 0
        self.pattern_groups: list[int] = []  # pattern index -> matcher group
        self.worst_case = {name: f.worst_case for name, f in pack.merge_fields.items()}
        compiled = [compile_rule(rule, self) for rule in pack.rules]
        self.rules: list[CompiledRule[RuleBase]] = [rule for rule in compiled if rule.active]
        self._claims = [
            _ClaimEntry(
                claim,
                Matcher(self, patterns=claim.patterns or [literal_pattern(claim.text)]),
                Matcher(self, patterns=claim.requires) if claim.requires else None,
            )
            for claim in pack.claims
        ]
        self.exempt = [r.exempt_matcher for r in self.rules if r.exempt_matcher is not None]
        self._settlement = Settlement(self.rules, self.exempt, has_claims=bool(pack.claims))
        self._variant_rules = self._by_channel("variant")
        self._copy_rules = self._by_channel("copy")
        self.patterns.compile()
        self._field_rules: dict[
            tuple[Channel, str], tuple[list[_Dispatch], dict[int, list[_Dispatch]]]
        ] = {}

    def _by_channel(self, scope: Scope) -> dict[Channel, list[CompiledRule[RuleBase]]]:
        """The rules of a scope ("variant", "copy") that apply to each channel."""
        return {
            channel: [r for r in self.rules if r.scope == scope and r.applies_to(channel)]
            for channel in Channel
        }

    def new_group(self) -> int:
        self._groups += 1
        return self._groups

    def add_pattern(self, pattern: str, group: int) -> int:
        index = self.patterns.add(pattern)
        self.pattern_groups.append(group)
        return index

    def check(self, variant: Variant, today: dt.date | None = None) -> Report:
        ctx = CheckContext(variant.channel, today or _Today.get())
        views = [
            FieldView(self, variant.channel, path, base, text)
            for path, base, text in variant.iter_fields()
        ]
        findings: list[Finding] = []
        for view in views:
            always, by_group = self._dispatch_for(variant.channel, view.base)
            runnable = list(always)
            for group in view.hit_groups:
                runnable.extend(by_group.get(group, ()))
            for gate, run in runnable:
                if gate is None or gate(view):
                    findings.extend(run(view, ctx))
        for rule in self._variant_rules.get(variant.channel, ()):
            applicable = [v for v in views if rule.applies(variant.channel, v.base)]
            if applicable:
                findings.extend(rule.run_variant(applicable, ctx))
        for rule in self._copy_rules[variant.channel]:
            findings.extend(rule.run_copy(views, ctx))
        findings, approved = self._settlement.settle(views, findings, ctx)
        if len(findings) > 1:
            order = {view.path: i for i, view in enumerate(views)}
            findings.sort(key=lambda f: (order.get(f.field, 0), f.start, f.end, f.rule))
        return Report(findings=findings, approved_claims=approved, rules_version=self.version)

    def length_limits(self, channel: Channel) -> dict[str, FieldLimit]:
        """The characters each field of `channel` may hold under this pack's length rules
        (see `guardrails.limits`), for a drafter to write within."""
        return length_limits(self.rules, channel)

    def claim_uses(self, view: FieldView) -> list[ClaimUse]:
        uses: list[ClaimUse] = []
        for entry in self._claims:
            spans = entry.matcher.find(view)
            if spans:
                met = entry.requires is None or bool(entry.requires.find(view))
                uses.extend(ClaimUse(entry.claim, s, e, met) for s, e in spans)
        return uses

    def _dispatch_for(
        self, channel: Channel, base: str
    ) -> tuple[list[_Dispatch], dict[int, list[_Dispatch]]]:
        """The field rules for this channel and field, cached: those that always run, and
        those that run only where their trigger's matcher group hit, by group."""
        key = (channel, base)
        if key not in self._field_rules:
            always: list[_Dispatch] = []
            by_group: dict[int, list[_Dispatch]] = {}
            for r in self.rules:
                if r.scope != "field" or not r.applies(channel, base):
                    continue
                entry = (r.gate, r.run_field)
                if r.trigger is None:
                    always.append(entry)
                else:
                    by_group.setdefault(r.trigger.group, []).append(entry)
            self._field_rules[key] = (always, by_group)
        return self._field_rules[key]


class _Today:
    """Today's date, asked of the clock at most once a second (it is read on every check)."""

    checked = -2.0
    day = dt.date.min

    @classmethod
    def get(cls) -> dt.date:
        now = time.monotonic()
        if now - cls.checked > 1.0:
            cls.checked, cls.day = now, dt.date.today()
        return cls.day


_COMPILED: dict[str, CompiledPack] = {}
_COMPILED_MAX = 32  # pack versions kept compiled; edited packs must not grow memory forever


def compile_pack(pack: ResolvedPack) -> CompiledPack:
    """The compiled form of a pack, built once per pack version (least recently used dropped)."""
    key = f"{pack.path}@{pack.version}"
    compiled = _COMPILED.pop(key, None)
    if compiled is None:
        compiled = CompiledPack(pack)
        if len(_COMPILED) >= _COMPILED_MAX:
            del _COMPILED[next(iter(_COMPILED))]
    _COMPILED[key] = compiled  # (re)inserted last: dict order is recency order
    return compiled


def check(variant: Variant, pack: ResolvedPack, today: dt.date | None = None) -> Report:
    return compile_pack(pack).check(variant, today)
