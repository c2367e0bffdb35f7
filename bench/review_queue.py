"""Review-queue speed: the page a reviewer opens, over 100,000 variants, on SQLite and PostgreSQL.

Seeds a fresh database with N variants across 3 brands, 3 channels and every status (about a
fifth in review; risk drawn like real reports: mostly clean, some warnings, a few errors), then
times `studio.services.queries.review_queue` (in review, filtered by brand and channel, riskiest
first then oldest, 50 per page) as every surface calls it: as a signed-in reviewer, one read
transaction per page, typed views out. Prints p50/p99 for the first page, for
deeper pages reached by keyset cursor, and for the unfiltered queue.

    .venv/bin/python -m bench.review_queue [--variants 100000] [--queries 300]
                                           [--db sqlite|postgres|both]

PostgreSQL comes from $STUDIO_TEST_POSTGRES_URL (default postgresql://127.0.0.1:5432/test); the
benchmark works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from studio.services.queries import review_queue
from studio.services.schemas import QueuePage
from studio.store.db import Database, scratch_schema
from studio.store.models import Brand, Status, User, Variant

POSTGRES_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
STATUS_WEIGHTS = {
    Status.DRAFT: 20, Status.IN_REVIEW: 20, Status.CHANGES_REQUESTED: 10,
    Status.APPROVED: 40, Status.REJECTED: 5, Status.REVOKED: 5,
}  # fmt: skip
CHANNELS = ["email", "sms", "ad"]
READER = "bench-reviewer"


def seed(
    db: Database,
    count: int,
    rng: random.Random,
    brand_slugs: Sequence[str] = ("brand-0", "brand-1", "brand-2"),
    status_weights: Mapping[Status, int] = STATUS_WEIGHTS,
) -> list[str]:
    """N variants over the brands, statuses drawn by weight; returns the brand slugs."""
    db.migrate()
    now = dt.datetime.now(dt.UTC)
    with db.write() as session:
        user = User(name="bench", role="copywriter", password_hash="x")
        session.add(user)
        session.add(User(name="bench-reviewer", role="reviewer", password_hash="x"))
        brands = [Brand(slug=slug, name=slug.replace("-", " ").title()) for slug in brand_slugs]
        session.add_all(brands)
        session.flush()
        brand_ids = [b.id for b in brands]
        statuses = list(status_weights)
        weights = list(status_weights.values())
        rows = []
        for i in range(count):
            errors = rng.choices([0, 1, 2, 3], [80, 12, 6, 2])[0]
            warnings = rng.choices([0, 1, 2], [70, 20, 10])[0]
            submitted = now - dt.timedelta(seconds=rng.randrange(30 * 86400))
            rows.append({
                "name": f"bench-{i}", "brand_id": rng.choice(brand_ids),
                "channel": rng.choice(CHANNELS), "status": rng.choices(statuses, weights)[0],
                "revision": 1, "current_version": 1, "author_id": user.id,
                "risk": errors * 10_000 + warnings * 100 + rng.randrange(3),
                "error_count": errors, "warning_count": warnings,
                "created_at": submitted, "updated_at": submitted, "submitted_at": submitted,
            })  # fmt: skip
        for start in range(0, count, 5000):
            session.connection().execute(insert(Variant), rows[start : start + 5000])
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return list(brand_slugs)


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(db: Database, brands: list[str], queries: int, rng: random.Random) -> None:
    def queue(**filters: Any) -> QueuePage:
        return review_queue(db, READER, **filters)

    def first_page() -> object:
        return queue(brand=rng.choice(brands), channel=rng.choice(CHANNELS))

    def deeper_pages() -> list[float]:
        """Pages 2-6 of one queue, reached by cursor; the time of each page."""
        brand, channel = rng.choice(brands), rng.choice(CHANNELS)
        page = queue(brand=brand, channel=channel)
        times = []
        for _ in range(5):
            assert page.next_cursor is not None
            start = time.perf_counter()
            page = queue(brand=brand, channel=channel, cursor=page.next_cursor)
            times.append((time.perf_counter() - start) * 1000)
        return times

    in_queue = queue(brand=brands[0], channel="sms", limit=1000)
    print(f"  one brand+channel queue holds at least {len(in_queue.items)} variants")
    timed(first_page, 20)  # warm caches
    report("first page, brand+channel", timed(first_page, queries))
    report("pages 2-6 by cursor, brand+channel",
           [t for _ in range(queries // 5) for t in deeper_pages()])  # fmt: skip
    report("first page, all brands", timed(queue, queries))


def report(label: str, times: list[float]) -> None:
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(f"  {label:<34} p50 {statistics.median(times):6.2f} ms   p99 {p99:6.2f} ms"
          f"   (n={len(times)})")  # fmt: skip


@contextmanager
def sqlite_database() -> Iterator[Database]:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'bench.db'}")
        yield db
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for backend in backends:
        rng = random.Random(7)
        opener = sqlite_database if backend == "sqlite" else lambda: scratch_schema(POSTGRES_URL)
        with opener() as db:
            start = time.perf_counter()
            brands = seed(db, args.variants, rng)
            print(f"{backend}: {args.variants:,} variants seeded in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
            measure(db, brands, args.queries, rng)


if __name__ == "__main__":
    main()
