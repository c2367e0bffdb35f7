"""A channel's required parts through `studio check`: a missing part points at the start of the
file, and `--fix` still fixes the rest. The kind itself is tested in
tests/guardrails/kinds/test_parts.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import RULES, write_pack
from tests.helpers.shell import run_studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def test_studio_check_points_a_missing_part_at_the_start_of_the_file(tmp_path: Path) -> None:
    empty = run_studio("check", "-", "-c", "sms", stdin=b"")
    assert empty.returncode == 1
    assert empty.stdout.startswith("-:1:1 error SMS-PARTS The message is missing")
    draft = tmp_path / "d.txt"
    draft.write_text("\nNew arrivals are in.\n")
    body_only = run_studio("check", str(draft), "-c", "email")
    assert f"{draft}:1:1 error EMAIL-PARTS 'subject' is missing: an email goes" in body_only.stdout
    assert "Traceback" not in body_only.stderr


def test_fix_with_a_missing_part_still_fixes_the_rest(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES / "_baseline", rules / "_baseline")
    write_pack(
        rules,
        "p",
        """extends: [_baseline/us-email]
rules:
  - id: P-SWAP
    kind: substitution
    category: banned
    severity: warning
    swap: {cheap: affordable}
    message: "Say '{replacement}'."
    examples: {fail: ["cheap"], pass: ["affordable"]}
""",
    )
    draft = tmp_path / "d.txt"
    footer = "{{ unsubscribe_url }} {{ postal_address }}"
    draft.write_text(f"Our cheap capsules. {footer}\n")
    result = run_studio("check", str(draft), "-c", "email", "--rules", str(rules / "p"), "--fix")
    assert result.stdout == f"Our affordable capsules. {footer}\n"
    assert result.stderr == f"{draft}:1:5 fixed P-SWAP: 'cheap' -> 'affordable'\n"
    assert result.returncode == 1  # the one error left: the subject is missing
