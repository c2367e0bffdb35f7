"""Broken merge tags through `studio check`: a stray delimiter is reported at its line and
column. The kind itself is tested in tests/guardrails/kinds/test_merge_tags.py."""

from __future__ import annotations

import pytest

from tests.helpers.shell import run_studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def test_studio_check_reports_the_stray_delimiter() -> None:
    result = run_studio("check", "-", "-c", "sms", stdin=b"Hi {{ first_name . Reply STOP")
    assert result.returncode == 1
    assert "-:1:4 error MERGE-DELIMITER '{{' opens a tag that never closes" in result.stdout
