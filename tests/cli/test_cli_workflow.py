"""The workflow commands as people run them: real processes, real exit codes, a SQLite file in a
temporary data directory, each person signed in with their own session."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ban_term
from tests.helpers.shell import PASSWORD, People, add_people, ok, sign_in, studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def submit_sms(people: People, folder: Path, body: str) -> None:
    """Wendy writes a Brightleaf SMS (variant #1) and sends it to review."""
    draft = folder / "d.txt"
    draft.write_text(body + "\n", encoding="utf-8")
    ok(studio(people["wendy"], "variants", "new", str(draft), "--brand", "brightleaf",
              "--channel", "sms"))  # fmt: skip
    ok(studio(people["wendy"], "variants", "submit", "1"))


def test_users_take_passwords_from_stdin_never_argv(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    env = people["ada"]
    listed = json.loads(ok(studio(env, "users", "list", "--json")))
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [
        ("ada", "admin", False), ("rita", "reviewer", False), ("wendy", "copywriter", False)
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
    assert json.loads(ok(studio(env, "users", "list", "--json")))[1]["disabled"] is True


def test_a_variant_from_draft_to_approval(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    wendy, rita = people["wendy"], people["rita"]
    draft = tmp_path / "draft.txt"
    hostile = "Brightleaf: our vitamins cure colds <script>alert(1)</script>. Reply STOP"
    draft.write_text(hostile + "\n", encoding="utf-8")
    created = ok(studio(wendy, "variants", "new", str(draft), "--brand", "brightleaf",
                        "--channel", "sms", "--name", "bl-cli"))  # fmt: skip
    assert "created variant #1 (bl-cli), 1 error(s)" in created
    assert ok(studio(wendy, "variants", "submit", "1")) == "variant #1 is in review\n"
    mine = studio(wendy, "variants", "approve", "1")
    assert mine.returncode == 1 and "refused (role): wendy is a copywriter" in mine.stderr
    blocked = studio(rita, "variants", "approve", "1")
    assert blocked.returncode == 1 and "refused (blocking-finding)" in blocked.stderr
    assert 'CLAIM-HEALTH at body "cure"' in blocked.stderr
    assert "hint: override each rule with --override RULE=WHY" in blocked.stderr
    malformed = studio(rita, "variants", "approve", "1", "--override", "oops")
    assert malformed.returncode == 2 and "RULE_ID=JUSTIFICATION" in malformed.stderr
    approved = ok(studio(rita, "variants", "approve", "1", "--override",
                         "CLAIM-HEALTH=Claim cleared by legal, ticket LEG-7"))  # fmt: skip
    assert "variant #1 is approved (version 1, rules sha256:" in approved
    shown = json.loads(ok(studio(rita, "variants", "show", "1", "--json")))
    assert shown["fields"]["body"] == hostile  # stored and returned exactly, inert
    assert shown["overrides"][0]["justification"] == "Claim cleared by legal, ticket LEG-7"
    listed = json.loads(ok(studio(rita, "variants", "list", "--status", "approved",
                                  "--format", "json")))  # fmt: skip
    assert [(v["id"], v["brand"], v["channel"]) for v in listed] == [(1, "brightleaf", "sms")]
    text = ok(studio(rita, "variants", "show", "1"))
    assert "overrides:" in text and "approve by rita" in text
    [line] = ok(studio(wendy, "variants", "export", "--dialect", "klaviyo")).splitlines()
    exported = json.loads(line)  # JSON lines: one document a line
    assert exported["id"] == 1 and exported["dialect"] == "klaviyo"
    assert exported["fields"]["body"] == hostile  # no tags to translate: exactly as approved
    unknown = studio(wendy, "variants", "export", "--dialect", "mailchimp")
    assert unknown.returncode == 2 and "use one of braze" in unknown.stderr
    no_comment = studio(rita, "variants", "revoke", "1")
    assert no_comment.returncode == 2 and "needs a comment" in no_comment.stderr


def test_export_writes_what_translates_and_names_what_does_not(
    env: dict[str, str], tmp_path: Path
) -> None:
    people = add_people(env)
    bodies = ("Brightleaf: our vitamins support your routine. Reply STOP",
              "Brightleaf: {{ first_name | upcase }}, vitamins for you. Reply STOP")  # fmt: skip
    for number, body in enumerate(bodies, start=1):
        draft = tmp_path / f"d{number}.txt"
        draft.write_text(body + "\n", encoding="utf-8")
        ok(studio(people["wendy"], "variants", "new", str(draft), "--brand", "brightleaf",
                  "--channel", "sms"))  # fmt: skip
        ok(studio(people["wendy"], "variants", "submit", str(number)))
        ok(studio(people["rita"], "variants", "approve", str(number), "--acknowledge-all"))
    result = studio(people["wendy"], "variants", "export", "--dialect", "braze")
    assert result.returncode == 1
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [1]
    assert "variant #2 (" in result.stderr and '"{{ first_name | upcase }}"' in result.stderr
    assert 'the filter "upcase" is not translated' in result.stderr
    assert len(ok(studio(people["wendy"], "variants", "export")).splitlines()) == 2


def test_the_shell_names_states_in_english_and_lists_with_headers(
    env: dict[str, str], tmp_path: Path
) -> None:
    people = add_people(env)
    submit_sms(people, tmp_path, "Brightleaf: our vitamins support your routine. Reply STOP")
    sent_back = ok(studio(people["rita"], "variants", "request-changes", "1", "--comment",
                          "Name the product"))  # fmt: skip
    assert sent_back == "variant #1 needs changes\n"
    header, row = ok(studio(people["rita"], "variants", "list")).splitlines()
    assert header.split() == ["ID", "STATUS", "BRAND", "CHANNEL", "VER", "ERR", "WARN", "NAME"]
    assert "needs changes" in row and "changes_requested" not in row
    again = studio(people["rita"], "variants", "approve", "1")
    assert "refused (state): cannot approve variant #1: it needs changes" in again.stderr


def test_audit_verify_and_export_from_the_shell(env: dict[str, str], tmp_path: Path) -> None:
    people = add_people(env)
    writer, admin = people["wendy"], people["ada"]
    denied = studio(writer, "audit", "verify")
    assert denied.returncode == 1 and "refused (role)" in denied.stderr
    verified = ok(studio(admin, "audit", "verify"))
    assert verified.startswith("audit log intact: ")
    out = tmp_path / "audit.csv"
    ok(studio(admin, "audit", "export", "--format", "csv", "--output", str(out)))
    lines = out.read_text().splitlines()
    assert lines[0].startswith("seq,at,actor,action")
    assert any(",wendy,read-audit,audit,log,denied," in line for line in lines)
    with sqlite3.connect(tmp_path / "data" / "studio.db") as connection:
        refused = "auditevent rows are append-only"
        with pytest.raises(sqlite3.IntegrityError, match=refused):
            connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
        connection.execute("DROP TRIGGER auditevent_no_update")  # as the file's owner could
        connection.execute("UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
    broken = studio(admin, "audit", "verify")
    assert broken.returncode == 1 and "event 2 was edited" in broken.stdout


@pytest.mark.parametrize("target", ["missing/audit.csv", "."])
def test_audit_export_to_an_unwritable_place_says_so(
    env: dict[str, str], tmp_path: Path, target: str
) -> None:
    admin = add_people(env)["ada"]
    result = studio(admin, "audit", "export", "--output", str(tmp_path / target))
    assert result.returncode == 2 and "cannot write" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_recheck_reports_what_now_fails(
    env: dict[str, str], tmp_path: Path, rules_dir: Path
) -> None:
    env["STUDIO_RULES_DIR"] = str(rules_dir)
    people = add_people(env)
    wendy, rita = people["wendy"], people["rita"]
    draft = tmp_path / "d.txt"
    draft.write_text("Brightleaf: our vitamins support your routine. Reply STOP to opt out\n")
    ok(studio(wendy, "variants", "new", str(draft), "--brand", "brightleaf", "--channel", "sms"))
    ok(studio(wendy, "variants", "submit", "1"))
    ok(studio(rita, "variants", "approve", "1"))
    assert studio(wendy, "rules", "recheck").returncode == 1  # a copywriter may not
    assert "1 still pass" in ok(studio(rita, "rules", "recheck"))
    ban_term(rules_dir, "brightleaf", "routine")
    result = studio(rita, "rules", "recheck")
    assert result.returncode == 1
    assert "flagged" in result.stdout and 'TEST-BANNED at body "routine"' in result.stdout


def test_demo_seeds_every_state_once(env: dict[str, str]) -> None:
    first = ok(studio(env, "demo"))
    assert "passwords are shown this once" in first
    assert all(name in first for name in ("demo-writer", "demo-reviewer", "demo-admin"))
    second = ok(studio(env, "demo"))
    assert "0 variant(s) created" in second and "passwords" not in second
    admin_password = next(
        line.split()[-1] for line in first.splitlines() if line.strip().startswith("demo-admin")
    )
    env = sign_in(env, "demo-admin", admin_password)
    variants = json.loads(ok(studio(env, "variants", "list", "--format", "json")))
    states = {v["status"] for v in variants}
    assert states == {"draft", "in_review", "approved", "changes_requested", "rejected",
                      "revoked"}  # fmt: skip
    assert len({v["name"] for v in variants}) == len(variants)
    assert any(v["errors"] for v in variants if v["status"] == "in_review")
    users = json.loads(ok(studio(env, "users", "list", "--json")))
    assert {u["role"] for u in users} == {"copywriter", "reviewer", "admin"} and len(users) == 3
    assert "audit log intact" in ok(studio(env, "audit", "verify"))


def test_demo_does_not_seed_a_database_with_accounts_of_its_own(env: dict[str, str]) -> None:
    people = add_people(env)
    anonymous = studio(env, "demo")
    assert anonymous.returncode == 1 and "only a signed-in admin" in anonymous.stderr
    writer = studio(people["wendy"], "demo")
    assert writer.returncode == 1 and "refused (role)" in writer.stderr
    assert "demo users (passwords" in ok(studio(people["ada"], "demo"))


def test_approving_from_the_shell_names_the_warnings_it_acknowledges(
    env: dict[str, str], tmp_path: Path
) -> None:

    people = add_people(env)
    submit_sms(people, tmp_path, "Brightleaf: our amazing vitamins support you. Reply STOP")
    silent = studio(people["rita"], "variants", "approve", "1")
    assert silent.returncode == 1 and "refused (warnings-unacknowledged)" in silent.stderr
    assert 'BL-TONE-AVOID at body "amazing"' in silent.stderr and "--acknowledge" in silent.stderr
    ok(studio(people["rita"], "variants", "approve", "1", "--acknowledge", "BL-TONE-AVOID"))
    events = json.loads(ok(studio(people["ada"], "audit", "export")))
    (approval,) = [e for e in events if e["action"] == "variant.approve" and e["outcome"] == "ok"]
    assert [w["rule"] for w in approval["detail"]["warnings_acknowledged"]] == ["BL-TONE-AVOID"]
