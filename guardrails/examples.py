"""Running every rule's own examples: each `fail` example must raise the rule, each `pass`
example must not. A rule is tested in the pack that defines it; packs without a brand run
their examples as the example brand "Acme" (domain acme.example, competitor Globex)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from guardrails.content import CHANNEL_FIELDS, Channel, Variant
from guardrails.engine import compile_pack
from guardrails.rules.loader import PACK_FILE, ResolvedPack, display_path, load_pack
from guardrails.rules.models import Brand, Example, RuleBase

EXAMPLE_BRAND = Brand(name="Acme", domains=["acme.example"], competitors=["Globex"])
_MAIN_FIELD = {Channel.EMAIL: "body", Channel.SMS: "body", Channel.AD: "descriptions"}


@dataclass(frozen=True)
class ExampleResult:
    pack: str
    rule: str
    origin: str
    expected: str  # "fail" or "pass"
    example: Example
    ok: bool
    found: list[str]  # the messages the rule raised


def example_variant(rule: RuleBase, example: Example) -> Variant:
    """A bare string goes to the rule's first field on its first channel."""
    default = rule.channels[0] if rule.channels else Channel.EMAIL
    if isinstance(example, str):
        field = rule.fields[0] if rule.fields else _MAIN_FIELD[default]
        example = {field: example}
    named = example.get("channel") or default
    if not isinstance(named, str):
        raise ValueError(f"an example's channel is one name, not {named!r}")
    channel = Channel(named)
    fields: dict[str, str | list[str]] = {}
    for name, value in example.items():
        if name == "channel":
            continue
        is_list = CHANNEL_FIELDS[channel].get(name, False)
        fields[name] = [value] if is_list and isinstance(value, str) else value
    return Variant(channel=channel, fields=fields)


def run_pack_examples(pack_dir: Path, today: dt.date | None = None) -> list[ExampleResult]:
    """The examples of every rule the pack in `pack_dir` defines itself."""
    pack = load_pack(pack_dir)
    own_files = {str(p) for p in _pack_files(pack_dir)}
    results = []
    for rule in pack.rules:
        origin = pack.origins[rule.id]
        if origin.rsplit(":", 1)[0] not in own_files:
            continue
        context = _context(pack, rule)
        compiled = compile_pack(context)
        for expected, examples in (("fail", rule.examples.fail), ("pass", rule.examples.pass_)):
            for example in examples:
                report = compiled.check(example_variant(rule, example), today)
                found = [f.message for f in report.findings if f.rule == rule.id]
                ok = bool(found) if expected == "fail" else not found
                results.append(
                    ExampleResult(pack.name, rule.id, origin, expected, example, ok, found)
                )
    return results


def _context(pack: ResolvedPack, rule: RuleBase) -> ResolvedPack:
    update: dict[str, object] = {}
    if pack.brand is None:
        update["brand"] = EXAMPLE_BRAND
    if rule.examples.claims:
        update["claims"] = list(rule.examples.claims)
    return pack.model_copy(update=update) if update else pack


def _pack_files(pack_dir: Path) -> list[Path]:
    return [Path(display_path(p)) for p in sorted(pack_dir.glob("*.yaml"))]


def find_packs(root: Path) -> list[Path]:
    """Every pack folder under `root` (including `root` itself), in a stable order."""
    return sorted(p.parent for p in root.rglob(PACK_FILE))
