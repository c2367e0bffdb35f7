"""A broken rule file is reported with its file, line, rule and key, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from guardrails import ResolvedPack, RulePackError, load_pack
from guardrails.rules.models import MetricRule
from tests.conftest import write_pack
from tests.helpers.guardrails import pack_from_yaml

GOOD_RULE = """
  - id: T-1
    kind: existence
    category: banned
    severity: error
    terms: [cheap]
    message: "no"
    examples: {fail: ["cheap"], pass: ["fine"]}
"""


def _error(pack_dir: Path) -> str:
    with pytest.raises(RulePackError) as caught:
        load_pack(pack_dir)
    return str(caught.value)


def test_unknown_key_names_file_line_rule_and_key(tmp_path: Path) -> None:
    pack = write_pack(
        tmp_path,
        "p",
        "pack: p\nrules:" + GOOD_RULE.replace("    terms", "    severty: x\n    terms"),
    )
    message = _error(pack)
    assert "p/pack.yaml:7:" in message
    assert "rule 'T-1'" in message and "key 'severty'" in message and "unknown key" in message


def test_missing_key_and_bad_value(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('    message: "no"\n', "").replace(
        "severity: error", "severity: fatal"
    )
    message = _error(write_pack(tmp_path, "p", "rules:" + body))
    assert "key 'message': required key is missing" in message
    assert "p/pack.yaml:5: rule 'T-1': key 'severity': Input should be 'error'" in message


def test_rule_without_examples_is_refused(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('    examples: {fail: ["cheap"], pass: ["fine"]}\n', "")
    assert "key 'examples': required key is missing" in _error(
        write_pack(tmp_path, "p", "rules:" + body)
    )


def test_backreference_pattern_is_rejected_at_load(tmp_path: Path) -> None:
    body = GOOD_RULE.replace("terms: [cheap]", "patterns: ['(a)\\1']")
    message = _error(write_pack(tmp_path, "p", "rules:" + body))
    assert "rule 'T-1'" in message and "key 'patterns'" in message and "linear time" in message
    assert "p/pack.yaml:6:" in message


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    message = _error(write_pack(tmp_path, "p", "pack: p\nrules:\n  - id: [unclosed\n"))
    assert "p/pack.yaml:" in message and "not valid YAML" in message


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    message = _error(write_pack(tmp_path, "p", "pack: p\npack: q\n"))
    assert "p/pack.yaml:2: duplicate key 'pack'" in message


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "p", "rules:" + GOOD_RULE, {"more.yaml": "rules:" + GOOD_RULE})
    message = _error(pack)
    assert "p/more.yaml:2: rule 'T-1': id already defined at" in message
    assert "p/pack.yaml:2" in message


def test_extra_file_may_only_hold_rules(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "p", "pack: p\n", {"x.yaml": "brand: {name: A}\n"})
    assert "p/x.yaml:1: key 'brand': only `rules` may stand outside pack.yaml" in _error(pack)


def test_missing_parent_and_cycle(tmp_path: Path) -> None:
    (tmp_path / "_baseline").mkdir()
    missing = write_pack(tmp_path, "a", "extends: [nowhere]\n")
    assert "a/pack.yaml:1: extends 'nowhere'" in _error(missing)
    write_pack(tmp_path, "b", "extends: [c]\n")
    cyclic = write_pack(tmp_path, "c", "extends: [b]\n")
    assert "a cycle" in _error(cyclic)


def test_override_of_unknown_rule(tmp_path: Path) -> None:
    message = _error(write_pack(tmp_path, "p", "overrides:\n  NOPE: {disabled: true}\n"))
    assert "p/pack.yaml:2: override of 'NOPE': no such rule" in message


def test_not_utf8_rule_file(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "p", "pack: p\n")
    (pack / "bad.yaml").write_bytes(b"rules: []\n\xff\xfe")
    assert "p/bad.yaml: not UTF-8" in _error(pack)


def test_not_a_pack(tmp_path: Path) -> None:
    assert "not a rule pack" in _error(tmp_path)


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    body = GOOD_RULE.replace("    terms", "    colour: red\n    terms")
    pack = write_pack(tmp_path, "p", "pack: p\nbogus: 1\nrules:" + body)
    problems = _error(pack).splitlines()
    assert len(problems) == 2


def test_overrides_change_severity_bounds_and_disable(baseline: ResolvedPack) -> None:
    pack = pack_from_yaml(
        "extends: [_baseline]\noverrides:\n  EMAIL-SUBJECT-LEN: {max: 35, severity: error}\n"
        "  CLAIM-BEST: {disabled: true}\n"
    )
    subject_rule = pack.rule("EMAIL-SUBJECT-LEN")
    assert isinstance(subject_rule, MetricRule)
    assert subject_rule.max == 35 and subject_rule.severity == "error"
    ids = {r.id for r in pack.rules}
    assert "CLAIM-BEST" not in ids and "CLAIM-SUPERLATIVE" in ids
    assert pack.version != baseline.version
    with pytest.raises(RulePackError, match="key 'max' does not apply to rules of kind existence"):
        pack_from_yaml("extends: [_baseline]\noverrides:\n  BAN-SPAM: {max: 3}\n")


def test_byte_order_mark_at_the_start_of_a_rule_file_is_ignored(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "p", "pack: p\n", {"more.yaml": "rules:" + GOOD_RULE})
    for path in (pack / "pack.yaml", pack / "more.yaml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    loaded = load_pack(pack)
    assert loaded.name == "p" and [rule.id for rule in loaded.rules] == ["T-1"]
