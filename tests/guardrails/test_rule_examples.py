"""Every rule's own examples: each must-fail example raises the rule, each must-pass does not."""

from __future__ import annotations

import pytest

from guardrails.examples import ExampleResult, find_packs, run_pack_examples
from tests.conftest import RULES, TODAY

RESULTS: list[ExampleResult] = [
    result for pack_dir in find_packs(RULES) for result in run_pack_examples(pack_dir, TODAY)
]


def _id(result: ExampleResult) -> str:
    return f"{result.pack}:{result.rule}:{result.expected}:{str(result.example)[:40]}"


@pytest.mark.parametrize("result", RESULTS, ids=[_id(r) for r in RESULTS])
def test_rule_example(result: ExampleResult) -> None:
    if result.expected == "fail":
        assert result.ok, f"{result.origin}: {result.rule} did not flag {result.example!r}"
    else:
        assert result.ok, (
            f"{result.origin}: {result.rule} flagged {result.example!r}: {result.found}"
        )


def test_every_pack_rule_has_examples_that_ran() -> None:
    rules_with_examples = {(r.pack, r.rule) for r in RESULTS}
    assert len(rules_with_examples) >= 50
    expectations = {(r.pack, r.rule, r.expected) for r in RESULTS}
    for pack, rule in rules_with_examples:
        assert (pack, rule, "fail") in expectations and (pack, rule, "pass") in expectations
