"""Drafting speed, end to end through a saved job (brief -> drafts -> checks -> saved variants).

1. 20 variants (email, SMS, Google ad) against a local fake OpenAI-compatible server that takes
   500 ms per call, through the real `openai` client: wall time as a multiple of one call (1.0
   would be perfect concurrency), and the per-variant overhead of checking and saving.
2. The offline drafter: 100 variants drafted, checked and saved.

    .venv/bin/python -m bench.drafting [--latency 0.5] [--runs 3]

The fake server is the test suite's (`tests/fake_openai.py`), run in a process of its own as a
real endpoint would be; SQLite in a temporary folder. The first LLM run (client start-up:
imports, JSON schemas, connections) is shown apart from the measured runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from studio.drafting import runner
from studio.drafting.brief import parse_brief
from studio.drafting.offline import OfflineDrafter
from studio.drafting.openai_provider import LLMSettings, OpenAIProvider
from studio.drafting.provider import Provider, close_provider
from studio.services import jobs
from studio.store.db import Database
from studio.store.models import User
from tests.helpers.fake_openai import FakeOpenAI, Reply

BASE_BRIEF: dict[str, Any] = {
    "brand": "brightleaf",
    "campaign": "Winter routine",
    "product": "Daily magnesium",
    "key_message": "A simple daily routine",
    "cta": {"text": "Shop now", "url": "https://brightleaf.example/magnesium"},
    "claims": ["magnesium-fatigue"],
}
LLM_BRIEF = {**BASE_BRIEF, "segments": [{"name": "commuters", "description": "Busy commuters"}],
             "channels": [{"channel": "email", "count": 7}, {"channel": "sms", "count": 7},
                          {"channel": "ad", "platform": "google_rsa", "count": 6}]}  # fmt: skip
OFFLINE_BRIEF = {**BASE_BRIEF,
                 "segments": [{"name": f"segment-{i}", "description": f"Audience {i}"}
                              for i in range(5)],
                 "channels": [{"channel": "email", "count": 5}, {"channel": "sms", "count": 5},
                              {"channel": "ad", "platform": "google_rsa", "count": 5},
                              {"channel": "ad", "platform": "meta", "count": 5}]}  # fmt: skip
COPY = {
    "SMS": {"body": "Brightleaf: our daily magnesium fits your routine. Reply STOP to opt out"},
    "email": {"subject": "A simple daily routine",
              "preheader": "Daily magnesium for busy mornings, from Brightleaf",
              "body": "Hi {{ first_name | default: \"there\" }},\n\nOur daily magnesium fits a "
                      "busy morning.\n\nShop now: https://brightleaf.example/magnesium\n\n"
                      "These statements have not been evaluated by the Food and Drug "
                      "Administration. This product is not intended to diagnose, treat, cure, "
                      "or prevent any disease.\n\n"
                      "Unsubscribe: {{ unsubscribe_url }}\n{{ postal_address }}"},
    "Google": {"headlines": ["Daily Magnesium", "A Simple Routine", "Brightleaf Magnesium"],
               "descriptions": ["Daily magnesium for busy mornings.", "Shop the winter range."],
               "path1": "magnesium", "path2": "daily"},
}  # fmt: skip


def fake_llm(request: dict[str, Any]) -> Reply:
    first_user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    kind = next(k for k in COPY if k in first_user.splitlines()[0])
    return Reply(content=json.dumps(COPY[kind]))


def serve_fake(latency: float, urls: Any, stop: Any) -> None:
    """The fake LLM in a process of its own, as a real endpoint would be: its CPU is not ours."""
    with FakeOpenAI(fake_llm, latency=latency) as server:
        urls.put(server.base_url)
        stop.wait()


class Timer:
    """Wraps a function of a module and keeps the duration of every call (ms)."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name, self.original = module, name, getattr(module, name)
        self.times: list[float] = []

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.times.append((time.perf_counter() - start) * 1000)

        setattr(module, name, timed)

    def restore(self) -> None:
        setattr(self.module, self.name, self.original)


def run_job(db: Database, brief_data: dict[str, Any], make: Callable[[], Provider]) -> float:
    job_id = jobs.enqueue(db, parse_brief(brief_data), actor="bench", provider="bench",
                          options={}, claim_for="bench")  # fmt: skip

    async def go() -> jobs.JobResult:
        provider = make()
        try:
            return await jobs.run_job(db, job_id, provider)
        finally:
            await close_provider(provider)

    start = time.perf_counter()
    result = asyncio.run(go())
    elapsed = time.perf_counter() - start
    assert result.status == "done", result.error
    repaired = [o.task.key for o in result.outcomes if len(o.rounds) > 1]
    assert not repaired, f"the benchmark's copy should be clean; repaired: {repaired}"
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate()
        with db.write() as session:
            session.add(User(name="bench", role="copywriter", password_hash="x"))
        run_job(db, OFFLINE_BRIEF, OfflineDrafter)  # warm: compile the pack, import everything

        checks, saves = Timer(runner, "_add_round"), Timer(jobs, "_save_batch")
        walls = []
        urls, stop = multiprocessing.Queue(), multiprocessing.Event()
        server = multiprocessing.Process(target=serve_fake, args=(args.latency, urls, stop))
        server.start()
        try:
            settings = LLMSettings(base_url=urls.get(timeout=30), api_key="bench", model="fake",
                                   max_retries=0, concurrency=32)  # fmt: skip
            cold = run_job(db, LLM_BRIEF, lambda: OpenAIProvider(settings))
            checks.times.clear()
            saves.times.clear()
            for _ in range(args.runs):
                walls.append(run_job(db, LLM_BRIEF, lambda: OpenAIProvider(settings)))
        finally:
            stop.set()
            server.join(timeout=10)
        variants = 20 * args.runs
        overhead = (sum(checks.times) + sum(saves.times)) / variants
        print(f"20 variants, fake LLM at {args.latency * 1000:.0f} ms per call, {args.runs} runs:")
        print(f"  first run in this process (client start-up): {cold:.3f} s = "
              f"{cold / args.latency:.2f} x one call")  # fmt: skip
        for wall in walls:
            print(f"  wall {wall:.3f} s = {wall / args.latency:.2f} x one call")
        print(
            f"  check per draft:   p50 {statistics.median(checks.times):.2f} ms, "
            f"p99 {percentile(checks.times, 0.99):.2f} ms"
        )
        print(
            f"  save per batch:    p50 {statistics.median(saves.times):.2f} ms, "
            f"p99 {percentile(saves.times, 0.99):.2f} ms ({len(saves.times)} batches for "
            f"{variants} variants: what arrives together is saved together)"
        )
        print(f"  check + save per variant, mean: {overhead:.2f} ms")  # fmt: skip
        checks.restore()
        saves.restore()

        offline = [run_job(db, OFFLINE_BRIEF, OfflineDrafter) for _ in range(args.runs)]
        print("offline drafter, 100 variants drafted, checked and saved:")
        print("  " + ", ".join(f"{t:.2f} s" for t in offline))


if __name__ == "__main__":
    main()
