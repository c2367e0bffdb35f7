"""`studio generate` and `studio worker` as people run them: real processes, exit codes, the
offline drafter by default, the LLM path against the fake server on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import example_brief_for_now
from tests.helpers.briefs import copy_reply
from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.shell import add_people, ok, studio

pytestmark = pytest.mark.slow  # real processes; `scripts/test.sh -m "not slow"` skips it


def test_offline_generation_saves_drafts_and_says_it_is_not_an_llm(
    env: dict[str, str], tmp_path: Path
) -> None:
    wendy = add_people(env)["wendy"]
    example = example_brief_for_now("brightleaf-winter.yaml", tmp_path)
    result = studio(wendy, "generate", str(example))
    assert result.returncode == 0, result.stderr
    assert "NOTE: drafted by the offline drafter from templates, not by an LLM." in result.stdout
    assert "not an LLM" in result.stderr and "[12/12]" in result.stderr  # progress per variant
    listed = json.loads(ok(studio(wendy, "variants", "list", "--format", "json")))
    assert len(listed) == 12 and {v["status"] for v in listed} == {"draft"}
    shown = json.loads(ok(studio(wendy, "variants", "show", str(listed[0]["id"]), "--json")))
    assert shown["provenance"]["provider"] == "offline" and shown["author"] == "wendy"
    (job,) = json.loads(ok(studio(wendy, "jobs", "list", "--json")))
    assert (job["status"], job["provider"], job["requested_by"]) == ("done", "offline", "wendy")
    detail = json.loads(ok(studio(wendy, "jobs", "show", str(job["id"]), "--json")))
    assert len(detail["variants"]) == 12 and {v["status"] for v in detail["variants"]} == {"done"}


def test_no_save_json_output(env: dict[str, str], tmp_path: Path) -> None:
    example = example_brief_for_now("brightleaf-winter.yaml", tmp_path)
    result = studio(env, "generate", str(example), "--no-save", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["job"] is None and data["is_llm"] is False and len(data["variants"]) == 12
    assert all(v["verdict"] in ("pass", "warn") for v in data["variants"])


def test_the_llm_path_from_the_environment(env: dict[str, str]) -> None:
    wendy = add_people(env)["wendy"]
    with FakeOpenAI(copy_reply) as server:
        wendy.update(STUDIO_LLM_BASE_URL=server.base_url, STUDIO_LLM_MODEL="fake-model")
        brief = Path(env["STUDIO_DATA_DIR"]).parent / "brief.yaml"
        brief.write_text(_sms_email_brief(), encoding="utf-8")
        result = studio(wendy, "generate", str(brief), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["is_llm"] is True and "fake-model" in data["drafter"]
    assert {v["provenance"]["model"] for v in data["variants"]} == {"fake-model"}


def test_an_unreachable_llm_fails_clearly_and_keeps_the_brief(
    env: dict[str, str], tmp_path: Path
) -> None:

    wendy = add_people(env)["wendy"]
    with FakeOpenAI() as server:
        url = server.base_url
    wendy.update(STUDIO_LLM_BASE_URL=url, STUDIO_LLM_MAX_RETRIES="0")
    brief = tmp_path / "brief.yaml"
    brief.write_text(_sms_email_brief(), encoding="utf-8")
    result = studio(wendy, "generate", str(brief))
    assert result.returncode == 1
    assert f"LLM endpoint {url}" in result.stdout and "cannot reach" in result.stdout
    with sqlite3.connect(Path(env["STUDIO_DATA_DIR"]) / "studio.db") as connection:
        (briefs,) = connection.execute("SELECT count(*) FROM brief").fetchone()
        (status,) = connection.execute("SELECT status FROM job").fetchone()
    assert briefs == 1 and status == "failed"


def test_bad_briefs_and_saving_unsigned_are_refused(env: dict[str, str], tmp_path: Path) -> None:
    add_people(env)
    example = example_brief_for_now("brightleaf-winter.yaml", tmp_path)
    unsigned = studio(env, "generate", str(example))
    assert unsigned.returncode == 1 and "not signed in" in unsigned.stderr
    brief = tmp_path / "bad.yaml"
    brief.write_text("brand: brightleaf\ncampaign: x\nchannels: []\n", encoding="utf-8")
    result = studio(env, "generate", str(brief), "--no-save")
    assert result.returncode == 2
    assert f"{brief}:1: segments: Field required" in result.stderr
    assert f"{brief}:3: channels: List should have at least 1 item" in result.stderr


def test_an_expired_offer_is_refused_with_its_dates(env: dict[str, str], tmp_path: Path) -> None:
    brief = tmp_path / "expired.yaml"
    brief.write_text(_sms_email_brief() + "offer: {text: 20% off, terms: While stocks last, "
                     "ends: 2024-01-31}\n", encoding="utf-8")  # fmt: skip
    result = studio(env, "generate", str(brief), "--no-save")
    assert result.returncode == 2
    assert f"{brief}:9: offer.ends: the offer ended on 2024-01-31 (today is " in result.stderr


def test_the_worker_runs_queued_jobs(env: dict[str, str]) -> None:
    add_people(env)
    result = studio(env, "worker", "--once")
    assert result.returncode == 0 and "0 job(s) run" in result.stderr


def _sms_email_brief() -> str:
    return """brand: brightleaf
campaign: Winter routine
segments: [{name: commuters, description: Busy commuters who skip breakfast}]
product: Daily magnesium
key_message: A simple daily routine
cta: {text: Shop now, url: "https://brightleaf.example/magnesium"}
channels: [{channel: sms, count: 2}, {channel: email, count: 1}]
claims: [magnesium-fatigue]
"""


def test_a_drafted_variant_is_drafted_again_with_a_note_and_commented_on(
    env: dict[str, str], tmp_path: Path
) -> None:
    people = add_people(env)
    wendy = people["wendy"]
    ok(studio(wendy, "generate", str(example_brief_for_now("brightleaf-winter.yaml", tmp_path))))
    sms = next(v for v in json.loads(ok(studio(wendy, "variants", "list", "--format", "json")))
               if v["channel"] == "sms")  # fmt: skip
    before = json.loads(ok(studio(wendy, "variants", "show", str(sms["id"]), "--json")))
    again = ok(studio(wendy, "variants", "regenerate", str(sms["id"]), "--note", "Shorter"))
    assert again.startswith(f"variant #{sms['id']} drafted again as version 2")
    after = json.loads(ok(studio(wendy, "variants", "show", str(sms["id"]), "--json")))
    assert after["fields"] != before["fields"] and after["provenance"]["drafter_note"] == "Shorter"
    words = after["fields"]["body"].split()[1]
    said = ok(studio(people["rita"], "variants", "comment", str(sms["id"]), words, "Why this?"))
    assert said == f"comment on body “{words}” saved (version 2)\n"
    missing = studio(people["rita"], "variants", "comment", str(sms["id"]), "no such words", "x")
    assert missing.returncode == 2 and "body does not contain “no such words”" in missing.stderr
    shown = ok(studio(wendy, "variants", "show", str(sms["id"])))
    assert f'v2 body "{words}" by rita: Why this?' in shown
    refused = studio(people["rita"], "variants", "regenerate", str(sms["id"]))
    assert refused.returncode == 1 and "refused (role)" in refused.stderr
