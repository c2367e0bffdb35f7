"""`studio` processes for tests that need real servers: started on free ports, logged to
files, and killed at the end whatever the test did."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.engine import make_url

from studio.store.db import Database
from tests.conftest import REPO

Start = Callable[..., subprocess.Popen[bytes]]


@contextmanager
def processes(logs: Path) -> Iterator[Start]:
    """`start(name, env, *args)` runs `studio ARGS` logging to `logs/name.log`; whatever is
    still running at the end is stopped, whatever the test did: asked first (SIGTERM, so
    `studio up` stops its own children instead of leaving them running), killed if it has not
    stopped within 30 s."""
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str, env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
        with (logs / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "studio", *args], cwd=REPO, env=env,
                                    stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT)  # fmt: skip
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.terminate()
        for proc in started:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_api(start: Start, env: dict[str, str], logs: Path, name: str) -> str:
    """`studio api` on a free port, once `/v1/health` answers; its base URL."""
    port = free_port()
    proc = start(name, env, "api", "--port", str(port))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    with httpx.Client(trust_env=False, timeout=2) as client:
        while True:
            try:
                if client.get(f"{base}/v1/health").status_code == 200:
                    return base
            except httpx.TransportError:
                pass
            alive = proc.poll() is None and time.monotonic() < deadline
            assert alive, f"{name} did not start:\n{(logs / f'{name}.log').read_text()}"
            time.sleep(0.1)


def schema_url(db: Database) -> str:
    """The test's scratch schema as a URL another process can open."""
    with db.engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    url = make_url(db.url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)
