"""The workflow commands as an admin or a script runs them: real processes, real exit codes, a
SQLite file in a temporary data directory."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, ban_term

PASSWORD = "a long enough password"


def studio(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "studio", *args], input=stdin, capture_output=True, text=True,
        cwd=REPO, env=env, check=False,
    )  # fmt: skip


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def add_people(env: dict[str, str]) -> None:
    for name, role in (("wendy", "copywriter"), ("rita", "reviewer")):
        ok(studio(env, "users", "add", name, "--role", role, stdin=PASSWORD + "\n"))


def test_users_take_passwords_from_stdin_never_argv(env: dict[str, str], tmp_path: Path) -> None:
    add_people(env)
    listed = json.loads(ok(studio(env, "users", "list", "--json")))
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("rita", "reviewer", False), ("wendy", "copywriter", False)
    ]  # fmt: skip
    stored = sqlite3.connect(tmp_path / "data" / "studio.db").execute(
        "SELECT password_hash FROM user WHERE name = 'rita'").fetchone()[0]  # fmt: skip
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    refused = studio(env, "users", "add", "eve", "--role", "admin", "--password", "x")
    assert refused.returncode == 2 and "--password" in refused.stderr
    short = studio(env, "users", "add", "eve", "--role", "admin", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    bad_name = studio(env, "users", "add", "<b>eve</b>", "--role", "admin", stdin=PASSWORD)
    assert bad_name.returncode == 2 and "is not allowed" in bad_name.stderr
    ok(studio(env, "users", "disable", "rita"))
    assert json.loads(ok(studio(env, "users", "list", "--json")))[0]["disabled"] is True


def test_a_variant_from_draft_to_approval(env: dict[str, str], tmp_path: Path) -> None:
    add_people(env)
    draft = tmp_path / "draft.txt"
    hostile = "Brightleaf: our vitamins cure colds <script>alert(1)</script>. Reply STOP"
    draft.write_text(hostile + "\n", encoding="utf-8")
    created = ok(studio(env, "variants", "new", str(draft), "--brand", "brightleaf",
                        "--channel", "sms", "--as", "wendy", "--name", "bl-cli"))  # fmt: skip
    assert "created variant #1 (bl-cli), 1 error(s)" in created
    ok(studio(env, "variants", "submit", "1", "--as", "wendy"))
    mine = studio(env, "variants", "approve", "1", "--as", "wendy")
    assert mine.returncode == 1 and "wendy is a copywriter" in mine.stderr
    blocked = studio(env, "variants", "approve", "1", "--as", "rita")
    assert blocked.returncode == 1 and 'CLAIM-HEALTH at body "cure"' in blocked.stderr
    malformed = studio(env, "variants", "approve", "1", "--as", "rita", "--override", "oops")
    assert malformed.returncode == 2 and "RULE_ID=JUSTIFICATION" in malformed.stderr
    approved = ok(studio(env, "variants", "approve", "1", "--as", "rita", "--override",
                         "CLAIM-HEALTH=Claim cleared by legal, ticket LEG-7"))  # fmt: skip
    assert "variant #1 is approved (version 1, rules sha256:" in approved
    shown = json.loads(ok(studio(env, "variants", "show", "1", "--json")))
    assert shown["fields"]["body"] == hostile  # stored and returned exactly, inert
    assert shown["overrides"][0]["justification"] == "Claim cleared by legal, ticket LEG-7"
    listed = json.loads(ok(studio(env, "variants", "list", "--status", "approved",
                                  "--format", "json")))  # fmt: skip
    assert [(v["id"], v["brand"], v["channel"]) for v in listed] == [(1, "brightleaf", "sms")]
    text = ok(studio(env, "variants", "show", "1"))
    assert "overrides:" in text and "approve by rita" in text
    no_comment = studio(env, "variants", "revoke", "1", "--as", "rita")
    assert no_comment.returncode == 2 and "needs a comment" in no_comment.stderr


def test_audit_verify_and_export_from_the_shell(env: dict[str, str], tmp_path: Path) -> None:
    add_people(env)
    assert "audit log intact: 2 events" in ok(studio(env, "audit", "verify"))
    out = tmp_path / "audit.csv"
    ok(studio(env, "audit", "export", "--format", "csv", "--output", str(out)))
    assert out.read_text().splitlines()[0].startswith("seq,at,actor,action")
    with sqlite3.connect(tmp_path / "data" / "studio.db") as connection:
        refused = "auditevent rows are append-only"
        with pytest.raises(sqlite3.IntegrityError, match=refused):
            connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
        connection.execute("DROP TRIGGER auditevent_no_update")  # as the file's owner could
        connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
    broken = studio(env, "audit", "verify")
    assert broken.returncode == 1 and "event 2 was edited" in broken.stdout


def test_rules_recheck_reports_what_now_fails(
    env: dict[str, str], tmp_path: Path, rules_dir: Path
) -> None:
    add_people(env)
    env["STUDIO_RULES_DIR"] = str(rules_dir)
    draft = tmp_path / "d.txt"
    draft.write_text("Brightleaf: our vitamins support your routine. Reply STOP to opt out\n")
    ok(studio(env, "variants", "new", str(draft), "--brand", "brightleaf", "--channel", "sms",
              "--as", "wendy"))  # fmt: skip
    ok(studio(env, "variants", "submit", "1", "--as", "wendy"))
    ok(studio(env, "variants", "approve", "1", "--as", "rita"))
    assert "1 still pass" in ok(studio(env, "rules", "recheck"))
    ban_term(rules_dir, "brightleaf", "routine")
    result = studio(env, "rules", "recheck")
    assert result.returncode == 1
    assert "flagged" in result.stdout and 'TEST-BANNED at body "routine"' in result.stdout


def test_demo_seeds_every_state_once(env: dict[str, str]) -> None:
    first = ok(studio(env, "demo"))
    assert "passwords are shown this once" in first
    assert all(name in first for name in ("demo-writer", "demo-reviewer", "demo-admin"))
    second = ok(studio(env, "demo"))
    assert "0 variant(s) created" in second and "passwords" not in second
    variants = json.loads(ok(studio(env, "variants", "list", "--format", "json")))
    states = {v["status"] for v in variants}
    assert states == {"draft", "in_review", "approved", "changes_requested", "rejected",
                      "revoked"}  # fmt: skip
    assert len({v["name"] for v in variants}) == len(variants)
    assert any(v["errors"] for v in variants if v["status"] == "in_review")
    users = json.loads(ok(studio(env, "users", "list", "--json")))
    assert {u["role"] for u in users} == {"copywriter", "reviewer", "admin"} and len(users) == 3
    assert "audit log intact" in ok(studio(env, "audit", "verify"))
