"""`studio up` as an operator runs it: a busy port fails before any URL is printed; while it runs
the audit log is anchored on its schedule; SIGTERM stops it and its child cleanly."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.helpers.shell import add_people, ok, person, studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_busy_port_fails_before_any_url(env: dict[str, str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = studio(env, "up", "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "http://" not in result.stderr + result.stdout


def wait_for_lines(path: Path, count: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count:
            return lines
        time.sleep(0.2)
    raise AssertionError(f"{path} did not reach {count} anchor line(s) in {timeout} s")


def test_up_anchors_the_audit_log_on_a_schedule_and_stops_cleanly(
    env: dict[str, str], tmp_path: Path
) -> None:

    admin = add_people(env)["ada"]
    anchors = tmp_path / "anchors.jsonl"
    port = free_port()
    running = {**env, "STUDIO_AUDIT_ANCHORS": str(anchors), "STUDIO_AUDIT_ANCHOR_MINUTES": "0.02"}
    process = subprocess.Popen(
        [sys.executable, "-m", "studio", "up", "--port", str(port)], cwd=REPO, env=running,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = wait_for_lines(anchors, 1)
        time.sleep(2)  # several intervals pass with nothing new: no new anchor
        assert len(anchors.read_text().splitlines()) == 1
        studio(person(env, "rita"), "login", "rita", stdin="a wrong guess\n")  # one more event
        second = wait_for_lines(anchors, 2)
        assert second[0] == first[0] and second[1] != first[0]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"Content Studio UI: http://127.0.0.1:{port}" in err and "stopping" in err
    with socket.socket() as probe:  # the UI child is gone with it
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
    verified = ok(studio(admin, "audit", "verify", "--anchor", str(anchors)))
    assert "2 anchor(s) match" in verified
