"""`studio check` and `studio rules` as a user runs them: a real process, real exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import write_pack
from tests.helpers.shell import run_studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def test_clean_file_exits_zero(tmp_path: Path) -> None:
    draft = tmp_path / "ok.txt"
    draft.write_text("Acme: the autumn range is in store now. Reply STOP to opt out.\n")
    result = run_studio("check", str(draft), "--channel", "sms")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_text_output_is_linter_shaped(tmp_path: Path) -> None:
    draft = tmp_path / "d.txt"
    draft.write_text("Subject: RE: hello\n\nLine one.\nIt is clinically proven.\n")
    result = run_studio("check", str(draft), "-c", "email")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{draft}:1:10 error EMAIL-FAKE-REPLY" in lines[0]
    proof = next(line for line in lines if "CLAIM-PROOF" in line)
    assert proof.startswith(f"{draft}:4:7 error CLAIM-PROOF 'clinically proven'")


def test_stdin_and_json_format() -> None:
    result = run_studio("check", "-", "-c", "sms", "--format", "json", stdin=b"Save 20% today only")
    assert result.returncode == 1
    body = json.loads(result.stdout)
    assert body["id"] == "-" and body["verdict"] == "block"
    rules = {f["rule"] for f in body["findings"]}
    assert {"CLAIM-DISCOUNT", "CLAIM-URGENCY", "SMS-OPTOUT"} <= rules
    first = body["findings"][0]
    assert set(first) >= {
        "rule",
        "category",
        "severity",
        "field",
        "start",
        "end",
        "text",
        "message",
        "suggestions",
        "source",
    }


def test_jsonl_batch_one_line_per_item_and_bad_lines(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    items = [
        {"id": "a", "channel": "sms", "text": "Acme: hello. Reply STOP to opt out."},
        {"id": "b", "channel": "email", "fields": {"subject": "RE: x", "body": "hi"}},
        {"id": "c", "channel": "fax", "text": "x"},
        {"id": "d", "channel": "ad", "fields": {"headlines": ["Fresh Vitamins Delivered!"]}},
    ]
    batch.write_text("\n".join(json.dumps(i) for i in items) + "\n\nnot json\n")
    result = run_studio("check", "--jsonl", str(batch), "--format", "json")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "c", "d", "line 6"]
    assert out[0]["verdict"] == "pass" and out[1]["verdict"] == "block"
    assert "error" in out[2] and "fax" in out[2]["error"]
    assert {f["field"] for f in out[3]["findings"]} == {"headlines[0]", "descriptions"}
    assert result.returncode == 2  # some lines could not be checked
    assert f"{batch}:3:" in result.stderr and f"{batch}:6:" in result.stderr


def test_not_utf8_file_exits_2_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Café".encode("latin-1"))
    result = run_studio("check", str(bad), "-c", "sms")
    assert result.returncode == 2
    assert f"{bad}: not UTF-8" in result.stderr


def test_missing_file_and_usage_errors(tmp_path: Path) -> None:
    assert run_studio("check", str(tmp_path / "nope.txt"), "-c", "sms").returncode == 2
    assert run_studio("check", str(tmp_path / "nope.txt")).returncode == 2  # no --channel
    assert run_studio("check", "-c", "carrier-pigeon").returncode == 2


def test_broken_pack_exits_2_with_location(tmp_path: Path) -> None:
    pack = write_pack(tmp_path, "broken", "pack: broken\nrules:\n  - id: X-1\n    kind: nope\n")
    result = run_studio("check", "-", "-c", "sms", "--rules", str(pack), stdin=b"hi")
    assert result.returncode == 2
    assert "broken/pack.yaml:4" in result.stderr and "X-1" in result.stderr


def test_fix_prints_fixed_text_and_says_what_changed(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    write_pack(
        rules,
        "p",
        """rules:
  - id: P-SWAP
    kind: substitution
    category: banned
    severity: warning
    swap: {cheap: affordable, pill: capsule}
    message: "Say '{replacement}'."
    examples: {fail: ["cheap"], pass: ["affordable"]}
""",
    )
    (rules / "_baseline").mkdir()
    draft = tmp_path / "d.txt"
    draft.write_text("Subject: Cheap pills\n\nOur CHEAP pill, don’t wait.\n")
    result = run_studio("check", str(draft), "-c", "email", "--rules", str(rules / "p"), "--fix")
    # Exact forms are fixed; "pills" is inflected, so it is only suggested (and stays flagged).
    assert result.stdout == "Subject: Affordable pills\n\nOur AFFORDABLE capsule, don’t wait.\n"
    assert "1:10 fixed P-SWAP: 'Cheap' -> 'Affordable'" in result.stderr
    assert result.stderr.count(" fixed P-SWAP") == 3
    assert result.returncode == 0


def test_rules_test_and_show() -> None:
    tested = run_studio("rules", "test")
    assert tested.returncode == 0, tested.stdout
    assert "0 failed" in tested.stdout.splitlines()[-1]
    shown = run_studio("rules", "show", "_baseline", "--format", "json")
    body = json.loads(shown.stdout)
    assert body["version"].startswith("sha256:")
    assert any(rule["id"] == "SMS-OPTOUT" for rule in body["rules"])


def test_rules_test_reports_a_failing_example(tmp_path: Path) -> None:
    write_pack(
        tmp_path,
        "p",
        """rules:
  - id: P-1
    kind: existence
    category: banned
    severity: error
    terms: [cheap]
    message: "no"
    examples: {fail: ["inexpensive"], pass: ["fine"]}
""",
    )
    result = run_studio("rules", "test", str(tmp_path))
    assert result.returncode == 1
    assert "rule P-1: example 'inexpensive' should fail but passed" in result.stdout
    assert "rule examples: 1 passed, 1 failed" in result.stdout  # 'fine' passes as it should


def test_python_dash_m_matches_console_script() -> None:
    assert "check" in run_studio("--help").stdout


def test_lone_surrogate_in_a_jsonl_line_is_a_located_error(tmp_path: Path) -> None:
    batch = tmp_path / "batch.jsonl"
    batch.write_text(
        '{"id": "a", "channel": "sms", "text": "Acme: hi \\ud800. Reply STOP to opt out."}\n'
        '{"id": "b\\udfff", "channel": "sms", "text": "Acme: hi. Reply STOP to opt out."}\n'
        '{"id": "c", "channel": "sms", "text": "Acme: hi. Reply STOP to opt out."}\n',
        encoding="ascii",
    )
    result = run_studio("check", "--jsonl", str(batch), "--format", "json")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{batch}:1: field 'body' is not valid Unicode text (a lone surrogate U+D800 at offset 9)",
        f"{batch}:2: 'id' is not valid Unicode text (a lone surrogate)",
    ]
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "line 2", "c"]
    assert out[2]["verdict"] == "pass"


def test_invalid_utf8_on_stdin_exits_2_with_a_message() -> None:
    result = run_studio("check", "-", "-c", "sms", stdin=b"Acme: caf\xe9. Reply STOP")
    assert result.returncode == 2
    assert result.stderr == "-: not UTF-8 text (invalid byte at offset 9)\n"


def test_byte_order_mark_at_the_start_of_a_draft_is_dropped(tmp_path: Path) -> None:
    draft = tmp_path / "bom.txt"
    draft.write_bytes("\ufeffSubject: RE: hello\nBody: It is clinically proven.\n".encode())
    result = run_studio("check", str(draft), "-c", "email")
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{draft}:1:10 error EMAIL-FAKE-REPLY")  # columns as an editor's
    assert any(line.startswith(f"{draft}:2:13 error CLAIM-PROOF") for line in lines)
    batch = tmp_path / "bom.jsonl"
    line = b'{"id": "a", "channel": "sms", "text": "Acme: hi. Reply STOP"}\n'
    batch.write_bytes(b"\xef\xbb\xbf" + line)
    assert run_studio("check", "--jsonl", str(batch)).returncode == 0


def test_fix_with_nothing_to_fix_says_so(tmp_path: Path) -> None:
    draft = tmp_path / "d.txt"
    text = "Acme: the autumn range is in.\n"  # no opt-out: an error no fix can write
    draft.write_text(text)
    plain = run_studio("check", str(draft), "-c", "sms")
    result = run_studio("check", str(draft), "-c", "sms", "--fix")
    assert result.stdout == text
    assert result.stderr == f"{draft}: nothing to fix: no finding has a deterministic fix\n"
    assert result.returncode == plain.returncode == 1
