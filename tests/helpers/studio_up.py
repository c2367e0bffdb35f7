"""A real `studio up` (UI, API, worker) over a fresh data folder, and the headless Chromium
that browser tests drive it with."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright

from studio.store.db import Database, open_database
from tests.helpers.processes import free_port, processes
from tests.helpers.ui import with_people

STARTUP_SECONDS = 120
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]  # fmt: skip
# Browser tests: skipped where Debian's chromium is missing, except under CI=true, where that
# is a failure (the test command installs it there).
BROWSER_TEST = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and os.environ.get("CI") != "true",
        reason="needs Debian's chromium (apt-get install chromium)",
    ),
]


@dataclass(frozen=True)
class Studio:
    ui: str
    api: str
    db: Database


@contextlib.contextmanager
def studio_up(tmp_path: Path, env: dict[str, str]) -> Iterator[Studio]:
    """`studio up` with one person per role and the offline drafter; stopped after, with a
    check that none of its ports still answers."""
    ui, api = free_port(), free_port()
    env = {
        **env,
        "STUDIO_DATA_DIR": str(tmp_path / "data"),
        "STUDIO_UI_URL": f"http://127.0.0.1:{ui}",
    }
    for name in ("STUDIO_LLM_BASE_URL", "STUDIO_LLM_API_KEY", "OPENAI_API_KEY"):
        env.pop(name, None)
    db = with_people(open_database(f"sqlite:///{tmp_path / 'data' / 'studio.db'}"))
    with processes(tmp_path) as start:
        start("up", env, "up", "--port", str(ui), "--api-port", str(api))
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _answering(
            f"http://127.0.0.1:{api}/v1/health", f"http://127.0.0.1:{ui}/_stcore/health"
        ):
            assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()[-3000:]
            time.sleep(0.5)
        yield Studio(f"http://127.0.0.1:{ui}", f"http://127.0.0.1:{api}", db)
    db.dispose()
    for port in (ui, api):  # studio up stopped its children too: nothing left listening
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"


def _answering(*urls: str) -> bool:
    try:
        return all(httpx.get(url).status_code == 200 for url in urls)
    except httpx.TransportError:
        return False


@contextlib.contextmanager
def chromium_page(outside: list[str]) -> Iterator[Page]:
    """A 1280 px page in headless Chromium that records in `outside` every request it makes
    anywhere but this machine (nothing on any page may fetch from outside)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        local = ("http://127.0.0.1", "data:", "blob:")
        page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
        yield page
        browser.close()
