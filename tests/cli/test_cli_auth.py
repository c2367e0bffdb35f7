"""Identity in the shell: nobody acts without signing in, sessions live in a private file, and
scripts use personal access tokens. Real processes, one config folder per person."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from tests.helpers.shell import PASSWORD, add_people, ok, person, sign_in, studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def test_nothing_acts_without_a_sign_in(env: dict[str, str], tmp_path: Path) -> None:
    add_people(env)
    nobody = person(env, "nobody")
    draft = tmp_path / "d.txt"
    draft.write_text("Brightleaf: our vitamins support your routine. Reply STOP to opt out\n")
    for args in (
        ["users", "add", "eve", "--role", "admin"],
        ["users", "disable", "ada"],
        ["variants", "new", str(draft), "--brand", "brightleaf", "--channel", "sms"],
        ["variants", "approve", "1"],
        ["variants", "list"],
        ["audit", "verify"],
        ["jobs", "list"],
    ):
        result = studio(nobody, *args, stdin=PASSWORD + "\n")
        assert result.returncode == 1, args
        assert "not signed in" in result.stderr and "studio login" in result.stderr, args


def test_the_old_as_option_is_gone(env: dict[str, str]) -> None:
    people = add_people(env)
    result = studio(people["ada"], "variants", "approve", "1", "--as", "rita")
    assert result.returncode == 2 and "No such option: --as" in result.stderr


def test_user_management_needs_an_admin(env: dict[str, str]) -> None:
    people = add_people(env)
    refused = studio(people["rita"], "users", "add", "eve", "--role", "admin", stdin=PASSWORD)
    assert refused.returncode == 1
    assert "refused (role): rita is a reviewer; only an admin may manage users" in refused.stderr
    second_admin = studio(env, "init", "--admin", "mallory", stdin=PASSWORD + "\n")
    assert second_admin.returncode == 1 and "refused (first-admin)" in second_admin.stderr


def test_a_session_is_kept_private_and_ends_on_logout(env: dict[str, str]) -> None:
    ok(studio(env, "init", "--admin", "ada", stdin=PASSWORD + "\n"))
    wrong = studio(person(env, "ada"), "login", "ada", stdin="not the password\n")
    assert wrong.returncode == 1 and "sign-in failed" in wrong.stderr
    ada = sign_in(env, "ada")
    folder = Path(ada["STUDIO_CONFIG_DIR"])
    saved = folder / "sessions.json"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    (entry,) = json.loads(saved.read_text())["sessions"].values()
    assert entry["user"] == "ada" and entry["token"].startswith("studio_session_")
    assert "ada (admin) with a session until" in ok(studio(ada, "whoami"))
    os.chmod(saved, 0o644)
    exposed = studio(ada, "whoami")
    assert exposed.returncode == 2 and "can be read by other users" in exposed.stderr
    os.chmod(saved, 0o600)
    assert "1 session(s) ended" in ok(studio(ada, "logout"))
    replayed = studio({**env, "STUDIO_TOKEN": entry["token"]}, "whoami")
    assert replayed.returncode == 1 and "unknown or was revoked" in replayed.stderr
    assert studio(ada, "whoami").returncode == 1


def test_personal_tokens_for_scripts(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    created = studio(people["ada"], "tokens", "create", "nightly-export", "--days", "7",
                     stdin=PASSWORD + "\n")  # fmt: skip
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("studio_pat_") and "not shown again" in created.stderr
    script = {**env, "STUDIO_TOKEN": token}
    assert "ada (admin) with token 'nightly-export'" in ok(studio(script, "whoami"))
    listed = ok(studio(people["ada"], "tokens", "list"))
    assert token[:17] in listed and token not in listed
    with sqlite3.connect(tmp_path / "data" / "studio.db") as connection:
        dump = "\n".join(connection.iterdump())
    assert token not in dump and PASSWORD not in dump
    ok(studio(people["ada"], "tokens", "revoke", "nightly-export"))
    revoked = studio(script, "variants", "list")
    assert revoked.returncode == 1 and "unknown or was revoked" in revoked.stderr


def test_sign_in_attempts_are_in_the_audit_log(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    studio(person(env, "rita"), "login", "rita", stdin="guessing\n")
    exported = json.loads(ok(studio(people["ada"], "audit", "export")))
    sign_ins = [(e["actor"], e["outcome"]) for e in exported if e["action"] == "auth.sign-in"]
    assert sign_ins[-1] == ("rita", "denied")
    assert ("wendy", "ok") in sign_ins and ("ada", "ok") in sign_ins


def test_an_admin_links_a_single_sign_on_email_and_a_reviewer_sets_their_focus(
    env: dict[str, str],
) -> None:
    people = add_people(env)
    linked = ok(studio(people["ada"], "users", "set-email", "rita", "Rita@Example.com"))
    assert linked == "rita: single sign-on email rita@example.com\n"
    refused = studio(people["rita"], "users", "set-email", "rita", "rita@evil.example")
    assert refused.returncode == 1 and "refused (role)" in refused.stderr
    bad = studio(people["ada"], "users", "set-email", "rob", "not an email")
    assert bad.returncode == 2 and "is not an email address" in bad.stderr
    assert ok(studio(people["rita"], "users", "set-focus", "rita", "claims")) == (
        "rita: review focus claims\n"
    )
    listed = json.loads(ok(studio(people["ada"], "users", "list", "--json")))
    rita = next(row for row in listed if row["name"] == "rita")
    assert (rita["email"], rita["focus"]) == ("rita@example.com", "claims")
