"""`studio rules test|show`: run every rule's examples; print a pack as the engine sees it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import yaml

from guardrails.examples import find_packs, run_pack_examples
from guardrails.rules.loader import load_pack


def test_packs(root: Path, out: TextIO) -> int:
    """Run the examples of every pack under `root`; the number of failed examples."""
    passed = failed = 0
    for pack_dir in find_packs(root):
        for result in run_pack_examples(pack_dir):
            if result.ok:
                passed += 1
                continue
            failed += 1
            verb = "should fail but passed" if result.expected == "fail" else "should pass but got"
            found = "; ".join(result.found)
            out.write(f"{result.origin}: rule {result.rule}: example {result.example!r} {verb}")
            out.write(f": {found}\n" if found else "\n")
    out.write(f"rule examples: {passed} passed, {failed} failed\n")
    return failed


def show_pack(pack_dir: Path, fmt: str, out: TextIO) -> None:
    pack = load_pack(pack_dir)
    body = {
        "version": pack.version,
        **pack.model_dump(mode="json", by_alias=True, exclude_none=True),
    }
    if fmt == "json":
        out.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100))
