"""No blocking work on the API's event loop: database work runs in the thread pool, and a read
writes nothing (a key's last use is flushed later), so while another process holds SQLite's
write lock, `/v1/health` answers at once and reads succeed."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from studio.store.db import Database
from tests.helpers.api import bearer, make_key
from tests.helpers.processes import processes, start_api
from tests.helpers.variants import approved

pytestmark = pytest.mark.slow  # a real `studio api`
HOLD = 4.0  # seconds the other process keeps the write lock


@pytest.mark.parametrize("empty_db", ["sqlite"], indirect=True)
def test_health_and_reads_answer_while_another_process_holds_the_write_lock(
    db: Database, rules_dir: Path, env: dict[str, str], tmp_path: Path
) -> None:
    variant = approved(db)
    warm = make_key(db, "warm", scopes=["variants:read"])
    key = make_key(db, scopes=["variants:read"])  # first used under the lock: nothing written
    env |= {"STUDIO_DATABASE_URL": db.url, "STUDIO_RULES_DIR": str(rules_dir)}
    with processes(tmp_path) as start, httpx.Client(trust_env=False, timeout=30) as http:
        base = start_api(start, env, tmp_path, "api")
        assert http.get(f"{base}/v1/variants", headers=bearer(warm)).status_code == 200
        held, release = threading.Event(), threading.Event()

        def hold_the_write_lock() -> None:
            connection = sqlite3.connect(make_url(db.url).database or "", isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(HOLD)
            connection.execute("ROLLBACK")
            connection.close()

        holder = threading.Thread(target=hold_the_write_lock)
        holder.start()
        assert held.wait(10)
        health, reads = [], []
        deadline = time.monotonic() + HOLD - 0.5
        try:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                assert http.get(f"{base}/v1/health").status_code == 200
                health.append(time.perf_counter() - began)
                for path in ("/v1/variants", f"/v1/variants/{variant.id}"):
                    began = time.perf_counter()
                    response = http.get(f"{base}{path}", headers=bearer(key))
                    assert response.status_code == 200, response.text
                    reads.append(time.perf_counter() - began)
        finally:
            release.set()
            holder.join()
    assert len(health) >= 5
    assert max(health) < 0.1, f"health took up to {max(health) * 1000:.0f} ms under the lock"
    assert max(reads) < 1.0, f"a read took up to {max(reads) * 1000:.0f} ms under the lock"
