"""The rule interface every kind implements, and what a kind may use of the pack compiling it.

A kind module imports this and leaf modules only (findings, view, patterns, sms, ...), never
the engine: the engine reaches the kinds through `guardrails.kinds.registry`, and gives them
itself as a `CompilingPack`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar

from guardrails.content import Channel
from guardrails.findings import Finding
from guardrails.patterns import compile_pattern
from guardrails.rules.loader import ResolvedPack
from guardrails.rules.models import RuleBase
from guardrails.terms import term_pattern
from guardrails.view import FieldView, IndexedPack

MAX_FINDINGS_PER_FIELD = 20  # past this a field is flooded; the first ones make the point
Scope = Literal["field", "variant", "copy"]
R = TypeVar("R", bound=RuleBase, covariant=True)
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TEMPLATES: dict[str, list[tuple[str, str | None]]] = {}


@dataclass(frozen=True)
class CheckContext:
    channel: Channel
    today: dt.date


class CompilingPack(IndexedPack, Protocol):
    """The compiled pack as a kind sees it (`engine.CompiledPack`): the resolved pack's data
    (brand, voice, claims) and the pack-wide pattern set its matchers register in."""

    pack: ResolvedPack
    exempt: list[Matcher]  # approved boilerplate; complete once every rule has compiled

    def new_group(self) -> int: ...

    def add_pattern(self, pattern: str, group: int) -> int: ...


class Matcher:
    """A group of terms and patterns, registered in the pack's RE2 set, found per field."""

    def __init__(
        self,
        pack: CompilingPack,
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


class CompiledRule(Generic[R]):
    """One rule of one kind, compiled against a pack. A kind subclasses `CompiledRule[ItsRule]`
    and sets `schema` to that rule model (whose `kind:` literal names the kind in rule files);
    the registry is built from these declarations. The base decides where a rule applies and
    how it words a finding."""

    schema: type[R]
    # "field": run on each field it applies to; "variant": once, with those fields, if any;
    # "copy": once per check, with every field, even when the copy has none.
    scope: Scope = "field"
    # Findings point at a phrase, so a stronger phrase finding of the same category around one
    # (the "best-selling" error around the "best" warning) makes it redundant.
    phrase = False
    # Findings about registry claims, which take the place of the generic claim findings
    # inside their span (an expired claim is reported as that, not as an unproven claim).
    supersedes_claims = False
    exempt_matcher: Matcher | None = None  # what this rule marks as approved boilerplate
    trigger: Matcher | None = None  # set by kinds that can only fire where this matcher hits
    # A cheap test a field must pass before the rule runs on it (a digit run for PII, say).
    gate: Callable[[FieldView], bool] | None = None
    active = True  # False when the pack gives the rule nothing to do (no brand, no registry)

    def __init__(self, rule: R, pack: CompilingPack) -> None:
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
        **values: object,
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
        **values: object,
    ) -> Finding:
        """A finding at a field path the copy may not have (a missing subject: 0, 0, "")."""
        values.setdefault("match", matched)
        values.setdefault("field", field)
        values.setdefault("channel", channel.value)
        brand = self.pack.pack.brand
        values.setdefault("brand", brand.name if brand else "the brand")
        rule = self.rule
        return Finding(
            rule=rule.id,
            category=rule.category,
            severity=rule.severity,
            field=field,
            start=start,
            end=end,
            text=matched,
            message=render(rule.message, values),
            suggestions=suggestions
            if suggestions is not None
            else [render(s, values) for s in rule.suggest],
            fix=fix,
            source=rule.source,
        )


def render(template: str, values: dict[str, object]) -> str:
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
