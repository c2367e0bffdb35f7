"""Issue 10, point 11: the n8n workflows in examples/n8n, run by a real n8n against a running
`studio api`. Runs only when asked: `scripts/e2e-n8n.sh` installs n8n and sets STUDIO_E2E_N8N
to its binary; everywhere else this test is skipped.

(a) The pull workflow, run twice with `n8n execute`, pages the feed with the cursor and
`updated_since` and ends each time with exactly the copy the studio serves as approved: the
second run applies a revocation, an edit and a new approval since the first.
(b) The webhook workflow, active in `n8n start`, receives what `studio worker` delivers,
verifies the Standard Webhooks signature, fetches the variant the event names and updates the
same store (a folder with one file per variant, so eight webhooks at once lose nothing); a
delivery with a forged signature is refused with 401.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from studio.services import feed, review, webhooks
from studio.services.api_keys import KeyIdentity
from studio.store.db import Database
from studio.workers.webhooks import serve
from tests.conftest import REPO
from tests.helpers.api import make_key
from tests.helpers.processes import free_port, processes, start_api
from tests.helpers.variants import CLEAN, approved

N8N = os.environ.get("STUDIO_E2E_N8N", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not N8N, reason="run by scripts/e2e-n8n.sh (installs n8n 1.123.81)"),
]
EXAMPLES = REPO / "examples" / "n8n"
PULL, RECEIVE = "StudioPullCopy01", "StudioWebhooks01"  # the workflows' ids in their files
EVERYTHING = KeyIdentity(0, "truth", frozenset({"variants:read"}), frozenset())


def n8n_env(home: Path, api: str, key: str, store: Path, port: int) -> dict[str, str]:
    """What the workflows read ($env) and what lets n8n run here: no network, Code nodes may
    use `crypto`, `fs` and `path` and read the environment, the expression engine the recipe
    needs on Node 20."""
    return {
        **{name: value for name, value in os.environ.items() if not name.startswith("STUDIO_")},
        "N8N_USER_FOLDER": str(home),
        "N8N_PORT": str(port),
        "N8N_LISTEN_ADDRESS": "127.0.0.1",
        "N8N_EXPRESSION_ENGINE": "legacy",
        "N8N_DIAGNOSTICS_ENABLED": "false",
        "N8N_VERSION_NOTIFICATIONS_ENABLED": "false",
        "N8N_PERSONALIZATION_ENABLED": "false",
        "NODE_FUNCTION_ALLOW_BUILTIN": "crypto,fs,path",
        "N8N_BLOCK_ENV_ACCESS_IN_NODE": "false",
        "STUDIO_API_URL": api,
        "STUDIO_API_KEY": key,
        "STUDIO_STORE_DIR": str(store),
    }


def n8n(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([N8N, *args], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, (
        f"n8n {' '.join(args)}:\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
    )
    return result.stdout


@contextmanager
def n8n_server(env: dict[str, str], log: Path) -> Iterator[str]:
    """`n8n start`, once the webhook workflow listens (n8n answers its health check before it
    has registered the active workflows' webhooks); its base URL."""
    base = f"http://127.0.0.1:{env['N8N_PORT']}"
    with log.open("wb") as out:
        server = subprocess.Popen([N8N, "start"], env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                unsigned = httpx.post(f"{base}/webhook/content-studio", json={}, timeout=10)
                if unsigned.status_code == 401:  # the workflow ran, and refused it
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(30)


def stored(store: Path) -> dict[str, dict]:
    """The approved copy the engine holds: the store keeps each variant's newest document."""
    documents = [json.loads(path.read_text()) for path in (store / "variants").glob("*.json")]
    return {str(d["id"]): d for d in documents if d["status"] == "approved"}


def last_run(store: Path) -> dict:
    return json.loads((store / "checkpoint.json").read_text())["last_run"]


def snapshot(store: Path) -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(store.rglob("*.json"))}


def served(db: Database) -> dict[str, str]:
    """What the studio serves as approved now: id -> content hash (the ground truth)."""
    page = feed.list_variants(db, EVERYTHING, limit=feed.MAX_PAGE)
    documents = [json.loads(item) for item in page.items]
    assert not page.has_more
    return {str(d["id"]): d["content_hash"] for d in documents if d["status"] == "approved"}


def hashes(store: Path) -> dict[str, str]:
    return {vid: doc["content_hash"] for vid, doc in stored(store).items()}


def deliver(db: Database) -> list[tuple[str, int, str]]:
    """`studio worker` until nothing is due; the deliveries as (event, variant, state)."""
    serve(db, timeout=15.0, once=True, log=lambda _line: None)
    shown = webhooks.list_deliveries(db, actor="ada")
    for delivery in shown:
        assert delivery.state == "delivered", delivery  # with every attempt's status and error
    return [(d.event, d.variant_id, d.state) for d in reversed(shown)]


@pytest.mark.parametrize("empty_db", ["sqlite"], indirect=True)
def test_the_n8n_workflows_keep_an_engine_in_step_with_the_studio(
    db: Database, env: dict[str, str], tmp_path: Path
) -> None:
    first = [approved(db, CLEAN.replace("routine", f"routine {n}")).id for n in range(5)]
    key = make_key(db, scopes=["variants:read"])
    n8n_port = free_port()
    store = tmp_path / "engine-store"
    with processes(tmp_path) as start:
        api = start_api(start, {**env, "STUDIO_DATABASE_URL": db.url}, tmp_path, "api")
        engine = n8n_env(tmp_path / "n8n", api, key, store, n8n_port)
        engine["STUDIO_FEED_PAGE_SIZE"] = "2"  # five variants: three pages, so the cursor is used
        for workflow in ("pull-approved-copy.json", "receive-webhooks.json"):
            n8n(engine, "import:workflow", f"--input={EXAMPLES / workflow}")

        n8n(engine, "execute", f"--id={PULL}")
        assert hashes(store) == served(db) and len(served(db)) == 5
        print(f"\npull 1: {last_run(store)}")

        review.revoke(db, first[0], actor="rita", comment="withdrawn")
        review.edit(db, first[1], actor="wendy", fields={"body": CLEAN + " Now with more."})
        added = approved(db, CLEAN.replace("routine", "evening routine")).id
        n8n(engine, "execute", f"--id={PULL}")
        assert hashes(store) == served(db)
        assert str(first[0]) not in stored(store) and str(first[1]) not in stored(store)
        assert str(added) in stored(store)
        print(f"pull 2: {last_run(store)}")

        hook = f"http://127.0.0.1:{n8n_port}/webhook/content-studio"
        endpoint = webhooks.add_endpoint(db, actor="ada", name="n8n", url=hook,
                                         allow_private=True)  # fmt: skip
        engine["STUDIO_WEBHOOK_SECRET"] = endpoint.secret
        n8n(engine, "update:workflow", f"--id={RECEIVE}", "--active=true")
        with n8n_server(engine, tmp_path / "n8n-start.log") as base:
            pushed = approved(db, CLEAN.replace("routine", "morning routine")).id
            assert deliver(db)[-1] == ("variant.approved", pushed, "delivered")
            assert stored(store)[str(pushed)]["status"] == "approved"
            review.revoke(db, pushed, actor="rita", comment="pulled by legal")
            assert deliver(db)[-1] == ("variant.revoked", pushed, "delivered")
            assert str(pushed) not in stored(store)
            assert hashes(store) == served(db)
            tombstone = json.loads((store / "variants" / f"{pushed}.json").read_text())
            print(f"webhook: {pushed} kept as {tombstone['status']} ({tombstone['reason']})")
            concurrent_webhooks_lose_nothing(db, store)

            before = snapshot(store)
            forged = forged_delivery(base, added)
            assert forged.status_code == 401, forged.text
            assert snapshot(store) == before
            print(f"forged signature: {forged.status_code} {forged.json()}")
        print(f"deliveries: {deliver(db)}")


def concurrent_webhooks_lose_nothing(db: Database, store: Path) -> None:
    """Eight approvals delivered at once (the dispatcher sends up to 16 at a time): each webhook
    execution writes only its own variant's file, so none overwrites another's change."""
    burst = [approved(db, CLEAN.replace("routine", f"routine, take {n}")).id for n in range(8)]
    delivered = deliver(db)
    assert {variant for _, variant, _ in delivered[-8:]} == set(burst)
    assert set(map(str, burst)) <= set(stored(store)) and hashes(store) == served(db)
    print(f"concurrent: {len(burst)} webhooks at once, all {len(burst)} variants stored")


def forged_delivery(base: str, variant_id: int) -> httpx.Response:
    """An event signed with a secret the receiver does not trust."""
    body = json.dumps({"type": "variant.revoked", "timestamp": "2026-01-01T00:00:00Z",
                       "data": {"id": variant_id, "version": 1}})  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    signer = Webhook(webhooks.new_secret())
    headers = {"webhook-id": "msg_forged", "webhook-timestamp": str(int(now.timestamp())),
               "webhook-signature": signer.sign("msg_forged", now, body),
               "content-type": "application/json"}  # fmt: skip
    return httpx.post(f"{base}/webhook/content-studio", content=body, headers=headers, timeout=30)
