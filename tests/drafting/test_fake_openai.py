"""The fake OpenAI server, driven through the real `openai` client.

Each test pins down what production code will see for one behaviour (content, errors, retries,
timeouts, truncation, refusals, concurrency), so tests built on `FakeOpenAI` can rely on it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from pydantic import BaseModel

from tests.helpers.fake_openai import FakeOpenAI, Reply

MODEL = "gpt-test"
MESSAGES: list[Any] = [{"role": "user", "content": "Say hi"}]


class Verdict(BaseModel):
    """A small structured-output schema, as production code would request."""

    compliant: bool
    reasons: list[str]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy from the environment would send 127.0.0.1 traffic elsewhere: drop it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake
    assert fake.errors == []


def client(server: FakeOpenAI, *, max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
    """A sync client on the fake; no retries unless a test is about retrying."""
    return openai.OpenAI(
        base_url=server.base_url, api_key="test", max_retries=max_retries, timeout=timeout
    )


def async_client(
    server: FakeOpenAI, *, max_retries: int = 0, timeout: float = 5.0
) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        base_url=server.base_url, api_key="test", max_retries=max_retries, timeout=timeout
    )


# --- successful replies ----------------------------------------------------------------------


def test_plain_reply_content_and_usage(server: FakeOpenAI) -> None:
    server.script(Reply(content="Hello there", prompt_tokens=20, completion_tokens=3))
    with client(server) as api:
        completion = api.chat.completions.create(model=MODEL, messages=MESSAGES)
    choice = completion.choices[0]
    assert choice.message.content == "Hello there"
    assert choice.message.role == "assistant"
    assert choice.finish_reason == "stop"
    assert completion.model == MODEL
    assert completion.id == "chatcmpl-fake-1"
    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (20, 3)
    assert completion.usage.total_tokens == 23
    assert server.requests == [{"model": MODEL, "messages": MESSAGES}]


def test_async_client_and_default_responder(server: FakeOpenAI) -> None:
    async def call() -> str | None:
        async with async_client(server) as api:
            completion = await api.chat.completions.create(model=MODEL, messages=MESSAGES)
        return completion.choices[0].message.content

    assert asyncio.run(call()) == "ok"


def test_script_runs_out_then_the_responder_sees_each_body() -> None:
    def echo(body: dict[str, Any]) -> Reply:
        return Reply(content=f"echo: {body['messages'][-1]['content']}")

    with FakeOpenAI(echo) as server, client(server) as api:
        server.script(Reply(content="first"), Reply(content="second"))
        answers = [
            api.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": f"q{i}"}]
            )
            .choices[0]
            .message.content
            for i in range(3)
        ]
    assert answers == ["first", "second", "echo: q2"]
    assert [body["messages"][0]["content"] for body in server.requests] == ["q0", "q1", "q2"]


def test_parse_fills_the_pydantic_model_and_asks_for_a_json_schema(server: FakeOpenAI) -> None:
    server.script(Reply(content=json.dumps({"compliant": False, "reasons": ["claims a cure"]})))
    with client(server) as api:
        completion = api.chat.completions.parse(
            model=MODEL, messages=MESSAGES, response_format=Verdict
        )
    assert completion.choices[0].message.parsed == Verdict(
        compliant=False, reasons=["claims a cure"]
    )
    response_format = server.requests[0]["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "Verdict"
    assert response_format["json_schema"]["strict"] is True
    assert set(response_format["json_schema"]["schema"]["properties"]) == {"compliant", "reasons"}


def test_models_list(server: FakeOpenAI) -> None:
    with client(server) as api:
        models = api.models.list()
    assert [model.id for model in models] == ["fake-model"]
    assert server.requests == []  # only chat requests are recorded


# --- errors, retries, timeouts ---------------------------------------------------------------


def test_429_with_retry_after_0_is_retried_then_succeeds(server: FakeOpenAI) -> None:
    # The client treats `retry-after: 0` as "no hint" and backs off ~0.4-0.5 s before retrying.
    server.script(Reply(status=429, headers={"retry-after": "0"}), Reply(content="after wait"))
    with client(server, max_retries=1) as api:
        completion = api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == "after wait"
    assert len(server.requests) == 2


def test_429_with_retry_after_ms_is_retried_at_once(server: FakeOpenAI) -> None:
    server.script(Reply(status=429, headers={"retry-after-ms": "1"}), Reply(content="fast"))
    started = time.monotonic()
    with client(server, max_retries=2) as api:
        completion = api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert completion.choices[0].message.content == "fast"
    assert len(server.requests) == 2
    assert time.monotonic() - started < 0.3


def test_429_without_retries_raises_rate_limit_error_with_the_error_body(
    server: FakeOpenAI,
) -> None:
    server.script(Reply(status=429, content="Slow down", headers={"retry-after": "7"}))
    with client(server) as api, pytest.raises(openai.RateLimitError) as caught:
        api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert caught.value.status_code == 429
    assert caught.value.code == "rate_limit_exceeded"
    assert "Slow down" in caught.value.message
    assert caught.value.response.headers["retry-after"] == "7"


def test_500_without_retries_raises_internal_server_error(server: FakeOpenAI) -> None:
    server.script(Reply(status=500))
    with client(server) as api, pytest.raises(openai.InternalServerError) as caught:
        api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert caught.value.status_code == 500
    assert caught.value.type == "server_error"
    assert len(server.requests) == 1


def test_delay_past_the_client_timeout_raises_api_timeout_error_quickly(
    server: FakeOpenAI,
) -> None:
    server.script(Reply(delay=30))
    started = time.monotonic()
    with client(server, timeout=0.3) as api, pytest.raises(openai.APITimeoutError):
        api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert time.monotonic() - started < 1.0
    # The server notices the client left, stops waiting, and keeps serving.
    deadline = time.monotonic() + 1.0
    while server.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.in_flight == 0
    with client(server) as api:
        assert api.chat.completions.create(model=MODEL, messages=MESSAGES).choices


def test_async_timeout_raises_api_timeout_error(server: FakeOpenAI) -> None:
    server.script(Reply(delay=30))

    async def call() -> None:
        async with async_client(server, timeout=0.3) as api:
            await api.chat.completions.create(model=MODEL, messages=MESSAGES)

    with pytest.raises(openai.APITimeoutError):
        asyncio.run(call())


def test_malformed_json_body_raises_json_decode_error(server: FakeOpenAI) -> None:
    # openai 3.x does not wrap this: a 200 with a broken JSON body escapes as the stdlib's
    # JSONDecodeError (a ValueError), not as an openai.APIError.
    server.script(Reply(raw_body='{"id": "chatcmpl-x", "choices": ['))
    with client(server, max_retries=2) as api, pytest.raises(json.JSONDecodeError):
        api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert len(server.requests) == 1  # not retried


def test_malformed_error_body_still_maps_to_the_status_error(server: FakeOpenAI) -> None:
    server.script(Reply(status=502, raw_body="<html>Bad gateway</html>"))
    with client(server) as api, pytest.raises(openai.InternalServerError) as caught:
        api.chat.completions.create(model=MODEL, messages=MESSAGES)
    assert caught.value.status_code == 502


# --- truncation and refusals -----------------------------------------------------------------


def test_length_finish_reason_is_visible_and_parse_raises(server: FakeOpenAI) -> None:
    server.script(
        Reply(content="Our cream cures", finish_reason="length"),
        Reply(content='{"compliant": tr', finish_reason="length"),
    )
    with client(server) as api:
        completion = api.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert completion.choices[0].finish_reason == "length"
        assert completion.choices[0].message.content == "Our cream cures"
        with pytest.raises(openai.LengthFinishReasonError):
            api.chat.completions.parse(model=MODEL, messages=MESSAGES, response_format=Verdict)


def test_refusal_is_set_and_parse_gives_no_parsed_value(server: FakeOpenAI) -> None:
    server.script(Reply(refusal="I can't help with that."), Reply(refusal="No."))
    with client(server) as api:
        plain = api.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0]
        parsed = api.chat.completions.parse(
            model=MODEL, messages=MESSAGES, response_format=Verdict
        ).choices[0]
    assert plain.message.refusal == "I can't help with that."
    assert plain.message.content is None
    assert parsed.message.refusal == "No."
    assert parsed.message.parsed is None


# --- concurrency, robustness, shutdown -------------------------------------------------------


def test_twenty_concurrent_requests_are_served_in_parallel() -> None:
    async def burst(server: FakeOpenAI) -> list[str | None]:
        async with async_client(server) as api:
            calls = [
                api.chat.completions.create(
                    model=MODEL, messages=[{"role": "user", "content": str(i)}]
                )
                for i in range(20)
            ]
            return [c.choices[0].message.content for c in await asyncio.gather(*calls)]

    with FakeOpenAI(latency=0.5) as server:
        answers = asyncio.run(burst(server))
    assert answers == ["ok"] * 20
    assert server.max_in_flight >= 15  # the calls overlapped at the server
    assert len(server.requests) == 20


def test_unknown_path_is_an_openai_style_404(server: FakeOpenAI) -> None:
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(f"{server.base_url}/engines", timeout=5)
    assert caught.value.code == 404
    assert json.loads(caught.value.read())["error"]["type"] == "invalid_request_error"


def test_a_failing_responder_is_a_500_and_is_recorded() -> None:
    def broken(_body: dict[str, Any]) -> Reply:
        raise KeyError("missing")

    with FakeOpenAI(broken) as server, client(server, max_retries=2) as api:
        with pytest.raises(openai.InternalServerError, match="KeyError"):
            api.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert len(server.requests) == 1  # marked not-retryable: the bug shows once
    assert [type(exc) for exc in server.errors] == [KeyError]


def test_shutdown_is_fast_with_a_reply_still_sleeping() -> None:
    outcome: list[BaseException] = []

    def hang(server: FakeOpenAI) -> None:
        try:
            with client(server, timeout=30) as api:
                api.chat.completions.create(model=MODEL, messages=MESSAGES)
        except openai.APIError as exc:
            outcome.append(exc)

    server = FakeOpenAI().start()
    server.script(Reply(delay=60))
    caller = threading.Thread(target=hang, args=(server,), daemon=True)
    caller.start()
    deadline = time.monotonic() + 2
    while not server.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 0.5
    caller.join(timeout=2)
    assert [type(exc) for exc in outcome] == [openai.APIConnectionError]
    assert server.errors == []
