"""Builders for guardrails tests: packs from rule text, copy to check, findings to compare."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from guardrails import Report, ResolvedPack, Variant, check, load_pack
from tests.conftest import RULES, TODAY, write_pack

# How the YAML reader refuses an anchor or alias, in the studio's messages as in the library's.
ALIASES_REFUSED = "anchors and aliases (&name, *name) are not allowed: write the value out"


def pack_from_yaml(text: str, files: dict[str, str] | None = None) -> ResolvedPack:
    """The pack whose `pack.yaml` is `text` (plus `files`), written beside a copy of the
    baselines so it may extend them (`extends: [_baseline/us-sms]`)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(RULES / "_baseline", root / "_baseline")
        return load_pack(write_pack(root, "p", text, files))


def rule_pack(
    kind: str, pack: Mapping[str, object] | None = None, /, **rule: object
) -> ResolvedPack:
    """A pack of one rule, `T-1`, of `kind` with the given keys (an error about anything, whose
    message is the match unless it says otherwise), and the pack's other keys (`brand`, ...)."""
    body = {
        "id": "T-1",
        "kind": kind,
        "category": "banned",
        "severity": "error",
        "message": "{match}",
        "examples": {"fail": ["x"], "pass": ["y"]},
        **rule,
    }
    return pack_from_yaml(json.dumps({**(pack or {}), "rules": [body]}, ensure_ascii=False))


def draft(channel: str, **fields: str | list[str]) -> Variant:
    return Variant(channel=channel, fields=fields)


def report(pack: ResolvedPack, variant: Variant) -> Report:
    return check(variant, pack, TODAY)


def spans(
    pack: ResolvedPack, variant: Variant, rule: str = "T-1"
) -> list[tuple[str, int, int, str]]:
    """(field, start, end, text) of each finding `rule` raises on `variant`, in report order."""
    return [
        (f.field, f.start, f.end, f.text) for f in report(pack, variant).findings if f.rule == rule
    ]


def messages(pack: ResolvedPack, variant: Variant, rule: str = "T-1") -> list[str]:
    return [f.message for f in report(pack, variant).findings if f.rule == rule]


def rules_hit(pack: ResolvedPack, variant: Variant) -> list[str]:
    return [f.rule for f in report(pack, variant).findings]
