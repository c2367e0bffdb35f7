"""Running `studio` as people do: a real process per command, each person with their own config
folder (so their own saved session), as on separate accounts or machines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PASSWORD = "a long enough password"
People = dict[str, dict[str, str]]  # name -> that person's environment


def run_studio(
    *args: str,
    stdin: bytes = b"",
    cwd: Path = REPO,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m studio ARGS` from `cwd` with `env` (default: this one); stdin as raw bytes, so
    a test can send what no text API would (invalid UTF-8, a byte-order mark)."""
    proc = subprocess.run(
        [sys.executable, "-m", "studio", *args], input=stdin, capture_output=True, cwd=cwd,
        env=env, check=False,
    )  # fmt: skip
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode()
    )


def studio(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`studio ARGS` as the person whose environment `env` is."""
    return run_studio(*args, stdin=stdin.encode(), env=env)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def person(env: dict[str, str], name: str) -> dict[str, str]:
    """`env` with a config folder of this person's own."""
    return {**env, "STUDIO_CONFIG_DIR": str(Path(env["STUDIO_DATA_DIR"]).parent / f"cfg-{name}")}


def sign_in(env: dict[str, str], name: str, password: str = PASSWORD) -> dict[str, str]:
    mine = person(env, name)
    ok(studio(mine, "login", name, stdin=password + "\n"))
    return mine


def add_people(env: dict[str, str]) -> People:
    """The first admin (ada), who adds a copywriter (wendy) and a reviewer (rita); all signed in."""
    ok(studio(env, "init", "--admin", "ada", stdin=PASSWORD + "\n"))
    people = {"ada": sign_in(env, "ada")}
    for name, role in (("wendy", "copywriter"), ("rita", "reviewer")):
        ok(studio(people["ada"], "users", "add", name, "--role", role, stdin=PASSWORD + "\n"))
        people[name] = sign_in(env, name)
    return people
