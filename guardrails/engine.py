"""Compiling a resolved pack once, and checking variants against it.

`CompiledPack` registers every rule's terms (as patterns of their surface forms) and regexes in
one pack-wide RE2 set, matched once per field; each rule kind (`guardrails.kinds`) then turns
what matched into findings. Two pack-wide passes come last: words inside approved boilerplate
(an exempt disclaimer) are not flagged, and claims the brand's registry approves pass, with
their evidence recorded in the report.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from guardrails.content import Channel, Variant
from guardrails.findings import ApprovedClaimUse, Category, Finding, Report
from guardrails.patterns import PatternSet, compile_pattern
from guardrails.rules.loader import ResolvedPack
from guardrails.rules.models import ApprovedClaim
from guardrails.terms import term_pattern
from guardrails.view import FieldView

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TEMPLATES: dict[str, list[tuple[str, str | None]]] = {}
# Categories that approved boilerplate (an exempt disclaimer) shields its words from.
_SHIELDED = frozenset({Category.CLAIM, Category.BANNED, Category.TONE})
_PHRASE_KINDS = frozenset({"existence", "substitution", "conditional"})
_CLAIMS_ONLY = frozenset({Category.CLAIM})


def render(template: str, values: dict[str, Any]) -> str:
    """`{name}` substitution only: rule files are user-edited, so no attribute access.

    Templates are split once into (literal, placeholder) pairs and cached."""
    parts = _TEMPLATES.get(template)
    if parts is None:
        parts, pos = [], 0
        for m in _PLACEHOLDER.finditer(template):
            parts.append((template[pos : m.start()], m.group(1)))
            pos = m.end()
        parts.append((template[pos:], None))
        _TEMPLATES[template] = parts
    out = []
    for literal, name in parts:
        out.append(literal)
        if name is not None:
            out.append(str(values[name]) if name in values else "{" + name + "}")
    return "".join(out)


def literal_pattern(text: str) -> str:
    """A pattern for a literal phrase that tolerates any run of whitespace between words."""
    return r"\s+".join(re.escape(word) for word in text.split())


class Matcher:
    """A group of terms and patterns, registered in the pack's RE2 set, found per field."""

    def __init__(
        self,
        pack: CompiledPack,
        terms: Iterable[str] = (),
        patterns: Iterable[str] = (),
        exact: bool = False,
    ) -> None:
        self.group = pack.new_group()
        sources = [*(term_pattern(t, exact) for t in terms), *patterns]
        self._pattern_ids = [pack.add_pattern(p, self.group) for p in sources]

    def hit(self, view: FieldView) -> bool:
        return self.group in view.hit_groups

    def find(self, view: FieldView) -> list[tuple[int, int]]:
        if self.group not in view.hit_groups:
            return []
        spans: list[tuple[int, int]] = []
        hits = view.pattern_hits
        for index in self._pattern_ids:
            if index in hits:
                spans.extend(view.pack.patterns.spans(index, view.data, view.to_char))
        if len(spans) > 1:
            spans = sorted(set(spans))
        return spans


_Dispatch = tuple[Callable[[FieldView], bool] | None, Callable[..., Iterable[Finding]]]


@dataclass(frozen=True)
class CheckContext:
    channel: Channel
    today: dt.date


@dataclass
class _ClaimEntry:
    claim: ApprovedClaim
    matcher: Matcher
    requires: Matcher | None


@dataclass(frozen=True)
class ClaimUse:
    claim: ApprovedClaim
    start: int
    end: int
    requires_met: bool


class CompiledRule:
    """The behaviour shared by every kind: where a rule applies, and how it words a finding."""

    # "field": run on each field it applies to; "variant": once, with those fields, if any;
    # "copy": once per check, with every field, even when the copy has none.
    scope = "field"
    exempt_matcher: Matcher | None = None  # what this rule marks as approved boilerplate
    trigger: Matcher | None = None  # set by kinds that can only fire where this matcher hits
    # A cheap test a field must pass before the rule runs on it (a digit run for PII, say).
    gate: Callable[[FieldView], bool] | None = None
    active = True  # False when the pack gives the rule nothing to do (no brand, no registry)

    def __init__(self, rule: Any, pack: CompiledPack) -> None:
        self.rule = rule
        self.pack = pack
        self._channels = frozenset(rule.channels) if rule.channels else None
        self._fields = frozenset(rule.fields) if rule.fields else None
        self._exceptions = [compile_pattern(p) for p in rule.exceptions]

    def applies_to(self, channel: Channel) -> bool:
        return self._channels is None or channel in self._channels

    def applies(self, channel: Channel, base: str) -> bool:
        return self.applies_to(channel) and (self._fields is None or base in self._fields)

    def run_field(self, view: FieldView, ctx: CheckContext) -> Iterable[Finding]:
        return ()

    def run_variant(self, views: list[FieldView], ctx: CheckContext) -> Iterable[Finding]:
        return ()

    def run_copy(self, views: list[FieldView], ctx: CheckContext) -> Iterable[Finding]:
        """Scope "copy": run once per check with every field, even when there is none."""
        return ()

    def excepted(self, text: str) -> bool:
        data = text.encode()
        return any(e.fullmatch(data) for e in self._exceptions)

    def finding(
        self,
        view: FieldView,
        start: int,
        end: int,
        fix: str | None = None,
        suggestions: list[str] | None = None,
        **values: Any,
    ) -> Finding:
        return self.finding_at(
            view.path, view.channel, start, end, view.text[start:end], fix, suggestions, **values
        )

    def finding_at(
        self,
        field: str,
        channel: Channel,
        start: int,
        end: int,
        matched: str,
        fix: str | None = None,
        suggestions: list[str] | None = None,
        **values: Any,
    ) -> Finding:
        """A finding at a field path the copy may not have (a missing subject: 0, 0, "")."""
        values.setdefault("match", matched)
        values.setdefault("field", field)
        values.setdefault("channel", channel.value)
        brand = self.pack.pack.brand
        values.setdefault("brand", brand.name if brand else "the brand")
        return Finding(
            rule=self.rule.id,
            category=self.rule.category,
            severity=self.rule.severity,
            field=field,
            start=start,
            end=end,
            text=matched,
            message=render(self.rule.message, values),
            suggestions=suggestions
            if suggestions is not None
            else [render(s, values) for s in self.rule.suggest],
            fix=fix,
            source=self.rule.source,
        )


class CompiledPack:
    """A pack ready to check: compile once (it is cached by `compile_pack`), check many."""

    def __init__(self, pack: ResolvedPack) -> None:
        from guardrails.kinds import compile_rule  # the kinds import this module

        self.pack = pack
        self.version = pack.version
        self.patterns = PatternSet()
        self._groups = 0
        self.pattern_groups: list[int] = []  # pattern index -> matcher group
        self.worst_case = {name: f.worst_case for name, f in pack.merge_fields.items()}
        compiled = [compile_rule(rule, self) for rule in pack.rules]
        self.rules: list[CompiledRule] = [rule for rule in compiled if rule.active]
        self._claims = [
            _ClaimEntry(
                claim,
                Matcher(self, patterns=claim.patterns or [literal_pattern(claim.text)]),
                Matcher(self, patterns=claim.requires) if claim.requires else None,
            )
            for claim in pack.claims
        ]
        self.exempt = [r.exempt_matcher for r in self.rules if r.exempt_matcher is not None]
        self._uncovered = {r.rule.id for r in self.rules if not r.rule.approvals_cover}
        self._registry_rules = {r.rule.id for r in self.rules if r.rule.kind == "claim_registry"}
        self._phrase_rules = {r.rule.id for r in self.rules if r.rule.kind in _PHRASE_KINDS}
        self._variant_rules = self._by_channel("variant")
        self._copy_rules = self._by_channel("copy")
        self.patterns.compile()
        self._field_rules: dict[
            tuple[Channel, str], tuple[list[_Dispatch], dict[int, list[_Dispatch]]]
        ] = {}

    def _by_channel(self, scope: str) -> dict[Channel, list[CompiledRule]]:
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
        findings, approved = self._settle(views, findings, ctx)
        if len(findings) > 1:
            order = {view.path: i for i, view in enumerate(views)}
            findings.sort(key=lambda f: (order.get(f.field, 0), f.start, f.end, f.rule))
        return Report(findings=findings, approved_claims=approved, rules_version=self.version)

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

    def _settle(
        self, views: list[FieldView], findings: list[Finding], ctx: CheckContext
    ) -> tuple[list[Finding], list[ApprovedClaimUse]]:
        """Drop what approved boilerplate or approved claims cover; record the claims used.

        Exempt boilerplate shields claim, banned and tone findings inside it; an approved claim
        shields the claim findings inside it; a registry finding (an expired claim, say) takes
        the place of the generic claim findings inside its span.
        """
        approved: list[ApprovedClaimUse] = []
        if not self.exempt and not self.pack.claims:
            return _drop_subsumed(findings, self._phrase_rules), approved  # nothing can shield
        shields: dict[str, list[tuple[int, int, frozenset[Category]]]] = {}
        for view in views:
            spans = shields.setdefault(view.path, [])
            for matcher in self.exempt:
                spans.extend((s, e, _SHIELDED) for s, e in matcher.find(view))
            for use in view.claim_uses:
                if claim_problem(use, ctx) is None:
                    spans.append((use.start, use.end, _CLAIMS_ONLY))
                    approved.append(
                        ApprovedClaimUse(
                            claim=use.claim.id,
                            field=view.path,
                            start=use.start,
                            end=use.end,
                            text=view.text[use.start : use.end],
                            evidence=use.claim.evidence,
                        )
                    )
        registry = [f for f in findings if f.rule in self._registry_rules]
        for f in registry:
            shields.setdefault(f.field, []).append((f.start, f.end, _CLAIMS_ONLY))
        kept = list(registry)
        for f in findings:
            if f.rule in self._registry_rules:
                continue  # kept above
            if f.rule in self._uncovered:
                kept.append(f)
                continue
            spans = shields.get(f.field, [])
            if f.start == f.end or not any(
                s <= f.start and f.end <= e and f.category in cats for s, e, cats in spans
            ):
                kept.append(f)
        return _drop_subsumed(kept, self._phrase_rules), approved


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


def _drop_subsumed(findings: list[Finding], phrase_rules: set[str]) -> list[Finding]:
    """Drop a phrase finding that a stronger one of the same category and field covers.

    "best-selling" raises the superlative error; the "best" warning inside it adds nothing.
    Only phrase matches take part: a whole-field finding (a headline too long) must not hide
    a specific one inside it (its "!").
    """
    if len(findings) < 2:
        return findings
    groups: dict[tuple[str, Category], list[Finding]] = {}
    for f in findings:
        if f.rule in phrase_rules:
            groups.setdefault((f.field, f.category), []).append(f)
    dropped: set[int] = set()
    for group in groups.values():
        group.sort(key=lambda f: (f.start, -f.end))
        cover: Finding | None = None
        for f in group:
            if (
                cover is not None
                and f.end <= cover.end
                and f.start < f.end
                and _dominates(cover, f)
            ):
                dropped.add(id(f))
            elif cover is None or f.end > cover.end:
                cover = f
    return [f for f in findings if id(f) not in dropped]


def _dominates(cover: Finding, inner: Finding) -> bool:
    if cover.severity.rank != inner.severity.rank:
        return cover.severity.rank > inner.severity.rank
    return cover.end - cover.start > inner.end - inner.start


def claim_problem(use: ClaimUse, ctx: CheckContext) -> str | None:
    """Why this use of a registry claim is not approved here, or None when it is.

    The one place that decides: the engine lets valid uses shield claim findings, and the
    claim_registry kind reports the invalid ones in these words."""
    claim = use.claim
    if claim.expires is not None and ctx.today > claim.expires:
        return f"expired on {claim.expires.isoformat()}"
    if claim.channels is not None and ctx.channel not in claim.channels:
        allowed = ", ".join(c.value for c in claim.channels)
        return f"is approved for {allowed} only, not {ctx.channel.value}"
    if not use.requires_met:
        qualifier = claim.qualifier or " / ".join(claim.requires)
        return f"must appear with its qualifier in the same field: {qualifier}"
    return None


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
