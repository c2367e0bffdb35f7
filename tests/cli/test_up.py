"""`studio up` as an operator runs it: a busy port fails before any URL is printed; while it runs
the UI, the API and the worker serve and the audit log is anchored on its schedule; SIGTERM
stops it and every child cleanly, and a child that dies is started again (the supervisor's
restart limit, and giving up after it, are tested as a unit in test_up_supervisor.py)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO
from tests.helpers.processes import free_port
from tests.helpers.shell import add_people, ok, person, studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


@pytest.mark.parametrize("option", ["--port", "--api-port"])
def test_a_busy_port_fails_before_any_url(env: dict[str, str], option: str) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = studio(env, "up", option, str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert "http://" not in result.stderr + result.stdout


def start_up(env: dict[str, str], port: int, api_port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "up", "--port", str(port), "--api-port", str(api_port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def wait_for_health(api_port: int, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"http://127.0.0.1:{api_port}/v1/health", timeout=2).json()
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"the API on port {api_port} did not answer in {timeout} s")


def assert_free(*ports: int) -> None:
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))


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
    port, api_port = free_port(), free_port()
    running = {**env, "STUDIO_AUDIT_ANCHORS": str(anchors), "STUDIO_AUDIT_ANCHOR_MINUTES": "0.02"}
    process = start_up(running, port, api_port)
    try:
        first = wait_for_lines(anchors, 1)
        assert wait_for_health(api_port)["status"] == "ok"
        time.sleep(2)  # several intervals pass with nothing new: no new anchor
        assert len(anchors.read_text().splitlines()) == 1
        studio(person(env, "rita"), "login", "rita", stdin="a wrong guess\n")  # one more event
        second = wait_for_lines(anchors, 2)
        assert second[0] == first[0] and second[1] != first[0]
        workers = subprocess.run(["pgrep", "-f", "-P", str(process.pid), "studio worker"],
                                 capture_output=True, text=True, check=False)  # fmt: skip
        assert workers.stdout.strip(), "no worker child is running"
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"Content Studio UI: http://127.0.0.1:{port}" in err and "stopping" in err
    assert f"Publishing API:    http://127.0.0.1:{api_port}/v1" in err
    assert_free(port, api_port)  # the children are gone with it
    verified = ok(studio(admin, "audit", "verify", "--anchor", str(anchors)))
    assert "2 anchor(s) match" in verified


def api_pid(up_pid: int) -> int:
    found = subprocess.run(["pgrep", "-f", "-P", str(up_pid), "studio api"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    return int(found.stdout.split()[0])


def test_a_child_that_dies_is_started_again(env: dict[str, str]) -> None:
    add_people(env)
    port, api_port = free_port(), free_port()
    process = start_up(env, port, api_port)
    try:
        wait_for_health(api_port)
        killed = api_pid(process.pid)
        subprocess.run(["kill", "-KILL", str(killed)], check=True)
        deadline = time.monotonic() + 60
        while True:  # the API answers again, from a new process
            try:
                if api_pid(process.pid) != killed:
                    break
            except subprocess.CalledProcessError:
                pass  # between the old process and the new one
            assert time.monotonic() < deadline, "the API was not started again"
            time.sleep(0.2)
        assert wait_for_health(api_port)["status"] == "ok"
        assert process.poll() is None
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "the API stopped by itself (exit -9); starting it again in 1 s" in err
    assert "the API was started again" in err
    assert_free(port, api_port)
