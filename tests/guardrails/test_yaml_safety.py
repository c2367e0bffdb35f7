"""Rule-pack YAML is bounded: no anchors or aliases, whose nesting expands exponentially, and no
nesting deep enough to overflow the composer; each refusal names its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails import RulePackError, load_pack
from guardrails.rules.yamlsource import MAX_DEPTH, YamlSourceError, load_with_lines
from tests.conftest import write_pack
from tests.helpers.guardrails import ALIASES_REFUSED


def _error(text: str) -> YamlSourceError:
    with pytest.raises(YamlSourceError) as caught:
        load_with_lines(text)
    return caught.value


def test_anchors_and_aliases_are_refused_on_their_line() -> None:
    anchor = _error("rules:\n  - id: A\n    terms: &t [x]\n  - terms: *t\n")
    assert (anchor.line, anchor.message) == (3, ALIASES_REFUSED)
    assert _error("rules:\n  - terms: *t\n").line == 2  # an alias alone
    assert _error("base: &base {severity: error}\nrule:\n  <<: *base\n").line == 1


def test_nesting_is_capped_without_a_recursion_error() -> None:
    assert load_with_lines("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))[0]
    deep = _error("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert deep.line == 1 and deep.message == f"nested deeper than {MAX_DEPTH} levels"
    assert "nested deeper" in _error("[" * 100_000).message
    assert "nested deeper" in _error("pack: p\nrules:\n" + "  - " * 100 + "x\n").message


def test_a_value_yaml_cannot_build_is_an_error_on_its_line() -> None:
    invalid_date = _error("brand: acme\nends: 2024-02-30\n")
    assert invalid_date.line == 2 and "day is out of range" in invalid_date.message
    assert _error("a: !!python/object:os.system x\n").line == 1


def test_a_deep_rule_pack_is_a_located_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "deep", "pack: deep\n", {"rules.yaml": "rules: " + "[" * 100_000})
    with pytest.raises(RulePackError) as caught:
        load_pack(pack)
    assert caught.value.problems == [f"{pack}/rules.yaml:1: nested deeper than 64 levels"]


def test_an_alias_in_a_rule_pack_is_a_located_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "a", "pack: a\n", {"rules.yaml": "rules: []\nx: &x [1]\ny: *x\n"})
    with pytest.raises(RulePackError) as caught:
        load_pack(pack)
    assert caught.value.problems == [f"{pack}/rules.yaml:2: {ALIASES_REFUSED}"]
