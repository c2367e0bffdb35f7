"""The Settings page's "test connection": one real chat completion through the `openai`
client against a local OpenAI-compatible server, its failure said plainly, admins only."""

from __future__ import annotations

import pytest

from studio.errors import Refused
from studio.services import audit_log, drafts
from studio.store.db import Database
from tests.helpers.fake_openai import FakeOpenAI, Reply


@pytest.fixture
def no_llm(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("STUDIO_LLM_BASE_URL", "STUDIO_LLM_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_an_answering_endpoint_is_reported_with_its_model(
    db: Database, no_llm: pytest.MonkeyPatch
) -> None:
    with FakeOpenAI(lambda _request: Reply(content="OK")) as server:
        no_llm.setenv("STUDIO_LLM_BASE_URL", server.base_url)
        no_llm.setenv("STUDIO_LLM_MODEL", "fake-model")
        check = drafts.test_connection(db, actor="ada")
        (request,) = server.requests
        url = server.base_url
    assert check.ok and check.detail == "model fake-model answered"
    assert check.drafter == f"LLM fake-model at {url}"
    assert request["model"] == "fake-model"


def test_a_failing_endpoint_says_what_went_wrong(db: Database, no_llm: pytest.MonkeyPatch) -> None:
    with FakeOpenAI(lambda _request: Reply(status=401, content="bad key")) as server:
        no_llm.setenv("STUDIO_LLM_BASE_URL", server.base_url)
        no_llm.setenv("STUDIO_LLM_MAX_RETRIES", "0")
        check = drafts.test_connection(db, actor="ada")
    assert not check.ok and "HTTP 401" in check.detail and "bad key" in check.detail


def test_an_unreachable_endpoint_is_a_failed_check_not_a_crash(
    db: Database, no_llm: pytest.MonkeyPatch
) -> None:
    no_llm.setenv("STUDIO_LLM_BASE_URL", "http://127.0.0.1:9/v1")  # discard: nothing listens
    no_llm.setenv("STUDIO_LLM_MAX_RETRIES", "0")
    check = drafts.test_connection(db, actor="ada")
    assert not check.ok and "cannot reach the endpoint" in check.detail


def test_the_offline_drafter_needs_no_connection(db: Database, no_llm: pytest.MonkeyPatch) -> None:
    check = drafts.test_connection(db, actor="ada")
    assert check.ok and "offline drafter needs no connection" in check.detail


def test_only_an_admin_tests_it_and_a_refusal_is_audited(
    db: Database, no_llm: pytest.MonkeyPatch
) -> None:
    with pytest.raises(Refused, match="only an admin may configure"):
        drafts.test_connection(db, actor="rita")
    (event,) = audit_log.events(db, "ada", by="rita", outcome="denied")
    assert event.action == "configure"
