"""Webhooks from the shell, as an admin and an engine's receiver would see them: add an endpoint,
approve copy, a real `studio worker` process signs and delivers it; a worker killed mid-send
leaves nothing lost; failures are listed attempt by attempt and replayed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.receiver import Reply, receiver
from tests.helpers.shell import People, add_people, ok, studio

pytestmark = pytest.mark.slow  # real processes

BODY = "Brightleaf: our vitamins support your routine. Reply STOP to opt out"


def approve_one(people: People, folder: Path, number: int) -> None:
    draft = folder / f"d{number}.txt"
    draft.write_text(BODY + "\n", encoding="utf-8")
    ok(studio(people["wendy"], "variants", "new", str(draft), "--brand", "brightleaf",
              "--channel", "sms"))  # fmt: skip
    ok(studio(people["wendy"], "variants", "submit", str(number)))
    ok(studio(people["rita"], "variants", "approve", str(number), "--acknowledge-all"))


def test_an_approval_is_pushed_signed_by_a_worker_process(
    env: dict[str, str], tmp_path: Path
) -> None:
    people = add_people(env)
    ada = people["ada"]
    with receiver(Reply(503, {"Retry-After": "0"})) as box:
        refused = studio(ada, "webhooks", "add", "engine", box.url)
        assert refused.returncode == 2 and "--allow-private" in refused.stderr
        denied = studio(people["wendy"], "webhooks", "add", "engine", box.url, "--allow-private")
        assert denied.returncode == 1 and "refused" in denied.stderr
        secret = ok(studio(ada, "webhooks", "add", "engine", box.url, "--allow-private")).strip()
        assert secret.startswith("whsec_")
        approve_one(people, tmp_path, 1)
        ok(studio(ada, "worker", "--once"))
        [first] = box.wait_for(1)
        listed = ok(studio(ada, "webhooks", "deliveries"))
        assert "503" in listed and "pending" in listed and "next try at" in listed
        assert secret not in ok(studio(ada, "webhooks", "list", "--json"))
    assert first.verifies_with(secret)
    assert json.loads(first.body)["type"] == "variant.approved"
    [endpoint] = json.loads(ok(studio(ada, "webhooks", "list", "--json")))
    assert endpoint["pending"] == 1 and endpoint["state"] == "active"
    replay = studio(ada, "webhooks", "replay", "1")
    assert replay.returncode == 2 and "still pending" in replay.stderr
    bad_window = studio(ada, "webhooks", "replay", "--endpoint", "engine", "--since", "yesterday")
    assert bad_window.returncode == 2 and "since" in bad_window.stderr


def test_a_worker_killed_mid_delivery_loses_nothing(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    ada = people["ada"]
    slow = {**ada, "STUDIO_WEBHOOK_TIMEOUT": "1"}  # lease: 4 x 1 s + 10 s
    with receiver(Reply(204, delay=30)) as box:
        ok(studio(ada, "webhooks", "add", "engine", box.url, "--allow-private"))
        approve_one(people, tmp_path, 1)
        worker = start_worker(slow)
        try:
            box.wait_for(1)
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
        assert len(box.received) == 1
        again = start_worker(slow)  # it sends once the dead worker's lease runs out (14 s)
        try:
            got = box.wait_for(2, seconds=60)
            assert len(got) == 2 and got[0].message_id == got[1].message_id
            deadline = time.monotonic() + 30
            while True:  # until the worker has recorded it
                listed = ok(studio(ada, "webhooks", "deliveries", "--state", "delivered"))
                if "engine" in listed:
                    break
                assert time.monotonic() < deadline, "the delivery was not recorded as delivered"
                time.sleep(0.2)
        finally:
            again.terminate()
            again.wait(30)
    assert "204" in listed


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "studio", "worker", "--poll", "0.1"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL)  # fmt: skip
