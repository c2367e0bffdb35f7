"""`studio generate` and `studio worker` as people run them: real processes, exit codes, the
offline drafter by default, the LLM path against the fake server on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.fake_openai import FakeOpenAI
from tests.test_cli_workflow import add_people, ok, studio
from tests.test_drafting_llm import copy_reply

EXAMPLE = "examples/briefs/brightleaf-winter.yaml"


def test_offline_generation_saves_drafts_and_says_it_is_not_an_llm(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_people(env)
    result = studio(env, "generate", EXAMPLE, "--as", "wendy")
    assert result.returncode == 0, result.stderr
    assert "NOTE: drafted by the offline drafter from templates, not by an LLM." in result.stdout
    assert "not an LLM" in result.stderr and "[12/12]" in result.stderr  # progress per variant
    listed = json.loads(ok(studio(env, "variants", "list", "--format", "json")))
    assert len(listed) == 12 and {v["status"] for v in listed} == {"draft"}
    shown = json.loads(ok(studio(env, "variants", "show", str(listed[0]["id"]), "--json")))
    assert shown["provenance"]["provider"] == "offline" and shown["author"] == "wendy"
    (job,) = json.loads(ok(studio(env, "jobs", "list", "--json")))
    assert (job["status"], job["provider"], job["requested_by"]) == ("done", "offline", "wendy")
    detail = json.loads(ok(studio(env, "jobs", "show", str(job["id"]), "--json")))
    assert len(detail["variants"]) == 12 and {v["status"] for v in detail["variants"]} == {"done"}


def test_no_save_json_output(env: dict[str, str]) -> None:
    result = studio(env, "generate", EXAMPLE, "--no-save", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["job"] is None and data["is_llm"] is False and len(data["variants"]) == 12
    assert all(v["verdict"] in ("pass", "warn") for v in data["variants"])


def test_the_llm_path_from_the_environment(env: dict[str, str]) -> None:
    add_people(env)
    with FakeOpenAI(copy_reply) as server:
        env.update(STUDIO_LLM_BASE_URL=server.base_url, STUDIO_LLM_MODEL="fake-model")
        brief = Path(env["STUDIO_DATA_DIR"]).parent / "brief.yaml"
        brief.write_text(_sms_email_brief(), encoding="utf-8")
        result = studio(env, "generate", str(brief), "--as", "wendy", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["is_llm"] is True and "fake-model" in data["drafter"]
    assert {v["provenance"]["model"] for v in data["variants"]} == {"fake-model"}


def test_an_unreachable_llm_fails_clearly_and_keeps_the_brief(
    env: dict[str, str], tmp_path: Path
) -> None:
    add_people(env)
    with FakeOpenAI() as server:
        url = server.base_url
    env.update(STUDIO_LLM_BASE_URL=url, STUDIO_LLM_MAX_RETRIES="0")
    brief = tmp_path / "brief.yaml"
    brief.write_text(_sms_email_brief(), encoding="utf-8")
    result = studio(env, "generate", str(brief), "--as", "wendy")
    assert result.returncode == 1
    assert f"LLM endpoint {url}" in result.stdout and "cannot reach" in result.stdout
    with sqlite3.connect(Path(env["STUDIO_DATA_DIR"]) / "studio.db") as connection:
        (briefs,) = connection.execute("SELECT count(*) FROM brief").fetchone()
        (status,) = connection.execute("SELECT status FROM job").fetchone()
    assert briefs == 1 and status == "failed"


def test_bad_briefs_and_missing_author_are_usage_errors(
    env: dict[str, str], tmp_path: Path
) -> None:
    missing_as = studio(env, "generate", EXAMPLE)
    assert missing_as.returncode == 2 and "--as USER" in missing_as.stderr
    brief = tmp_path / "bad.yaml"
    brief.write_text("brand: brightleaf\ncampaign: x\nchannels: []\n", encoding="utf-8")
    result = studio(env, "generate", str(brief), "--no-save")
    assert result.returncode == 2
    assert f"{brief}:1: segments: Field required" in result.stderr
    assert f"{brief}:3: channels: List should have at least 1 item" in result.stderr


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
