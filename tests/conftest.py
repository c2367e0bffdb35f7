from __future__ import annotations

import datetime as dt
import functools
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from guardrails import ResolvedPack, load_pack
from studio import clock as studio_clock
from studio.store.db import Database, scratch_schema
from studio.store.models import Role, User

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "brand_rules"
TODAY = dt.date(2026, 11, 22)


def example_brief_for_now(name: str, folder: Path) -> Path:
    """A copy of an example brief with every date moved so its send window opens tomorrow.

    The examples carry real campaign dates, which pass; a test that runs them through the CLI
    (which checks dates against today) must not start failing when they do."""
    text = (REPO / "examples" / "briefs" / name).read_text(encoding="utf-8")
    dates = [dt.date.fromisoformat(d) for d in re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)]
    shift = dt.date.today() + dt.timedelta(days=1) - min(dates)
    moved = re.sub(
        r"\b\d{4}-\d{2}-\d{2}\b",
        lambda m: (dt.date.fromisoformat(m.group(0)) + shift).isoformat(),
        text,
    )
    path = folder / name
    path.write_text(moved, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def baseline() -> ResolvedPack:
    return load_pack(RULES / "_baseline")


def write_pack(root: Path, name: str, text: str, extra: dict[str, str] | None = None) -> Path:
    """A pack folder under `root` with `pack.yaml` = text (and more files)."""
    pack_dir = root / name
    pack_dir.mkdir(parents=True, exist_ok=True)
    (pack_dir / "pack.yaml").write_text(text, encoding="utf-8")
    for file_name, body in (extra or {}).items():
        (pack_dir / file_name).write_text(body, encoding="utf-8")
    return pack_dir


# --- databases -------------------------------------------------------------------------------
# Storage and workflow tests run on SQLite (a file per test) and on PostgreSQL (a schema per
# test) at $STUDIO_TEST_POSTGRES_URL, by default the CI machine's server; they skip, saying so,
# only when no server answers there.

POSTGRES_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
PASSWORD = "correct horse battery"
PEOPLE = {"wendy": Role.COPYWRITER, "walt": Role.COPYWRITER, "rita": Role.REVIEWER,
          "rob": Role.REVIEWER, "ada": Role.ADMIN}  # fmt: skip


@functools.cache
def _postgres_problem() -> str | None:
    try:
        probe = Database(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with probe.engine.connect():
            pass
        probe.dispose()
    except Exception as exc:  # any failure to connect means: no server to test against
        return f"no PostgreSQL server answers at {POSTGRES_URL} ({type(exc).__name__})"
    return None


@contextmanager
def postgres_database() -> Iterator[Database]:
    problem = _postgres_problem()
    if problem:
        pytest.skip(problem)
    with scratch_schema(POSTGRES_URL) as database:
        yield database


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database with no schema yet, on each backend."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'studio.db'}")
        yield database
        database.dispose()
    else:
        with postgres_database() as database:
            yield database


@pytest.fixture
def db(empty_db: Database) -> Database:
    """A migrated database holding the PEOPLE (all with PASSWORD)."""
    empty_db.migrate()
    with empty_db.write() as session:
        for name, role in PEOPLE.items():
            session.add(User(name=name, role=role, password_hash=_password_hash()))
    return empty_db


@functools.cache
def _password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)  # once: argon2 is slow on purpose


@pytest.fixture
def clock() -> Iterator[object]:
    """The studio's clock, which a test moves on (`clock.advance`); put back afterwards."""
    yield studio_clock
    studio_clock.reset()


@pytest.fixture
def rules_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of brand_rules/ that a test may edit; the studio reads it."""
    target = tmp_path / "brand_rules"
    shutil.copytree(RULES, target)
    monkeypatch.setenv("STUDIO_RULES_DIR", str(target))
    return target


def ban_term(rules_dir: Path, brand: str, term: str, rule_id: str = "TEST-BANNED") -> None:
    """Change a brand's rules the way a brand owner would: a new file banning `term`."""
    (rules_dir / brand / "zz-test-ban.yaml").write_text(
        f"""rules:
  - id: {rule_id}
    kind: existence
    category: banned
    severity: error
    terms: ["{term}"]
    message: "'{{match}}' is now banned."
    source: test
    examples: {{fail: ["{term}"], pass: ["fine"]}}
""",
        encoding="utf-8",
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `studio` process: no STUDIO_* settings but a private data folder."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("STUDIO_", "OPENAI_"))}
    environment["STUDIO_DATA_DIR"] = str(tmp_path / "data")
    return environment
