"""Drafting through any OpenAI-compatible endpoint (OpenAI, Azure, Ollama, vLLM, llama.cpp,
LM Studio) with the official `openai` client.

Structured output first (`chat.completions.parse` with the channel's pydantic model as the JSON
schema); a server that rejects `json_schema` is asked again for JSON in plain text, and the
provider remembers to do so. The client retries 408/409/429/5xx itself (`max_retries`). Every
failure becomes a `DraftingError` that says what happened and names the endpoint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import openai
from openai import AsyncOpenAI
from pydantic import BaseModel, ValidationError

from guardrails import Finding
from studio.drafting.prompts import Prompts, messages_hash
from studio.drafting.provider import Draft, DraftingError, DraftTask, learned_from
from studio.errors import first_error
from studio.settings import DEFAULT_MODEL, settings

_JSON_OBJECT = re.compile(r"\{.*\}", re.DOTALL)


@dataclass(frozen=True)
class LLMSettings:
    base_url: str | None
    api_key: str | None
    model: str = DEFAULT_MODEL
    timeout: float = 60.0
    max_retries: int = 2
    concurrency: int = 8
    structured: str = "auto"  # auto: json_schema, falling back to JSON text; "text": never ask

    @classmethod
    def from_env(cls) -> LLMSettings:
        configured = settings()
        key = configured.llm_api_key
        return cls(
            base_url=configured.llm_base_url,
            api_key=key.get_secret_value() if key else None,
            model=configured.llm_model,
            timeout=configured.llm_timeout,
            max_retries=configured.llm_max_retries,
            concurrency=configured.llm_concurrency,
            structured=configured.llm_structured,
        )

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.api_key)

    @property
    def endpoint(self) -> str:
        return self.base_url or "https://api.openai.com/v1"


class OpenAIProvider:
    name = "openai"
    is_llm = True

    def __init__(self, settings: LLMSettings, prompts: Prompts | None = None) -> None:
        self.settings = settings
        self.concurrency = settings.concurrency
        self.prompts = prompts or Prompts()
        self.client = AsyncOpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",  # local servers often take no key
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )
        self._structured = settings.structured != "text"

    async def draft(self, task: DraftTask) -> Draft:
        return await self._complete(task, self.prompts.draft_messages(task))

    async def repair(
        self, task: DraftTask, previous: dict[str, Any], findings: list[Finding]
    ) -> Draft:
        return await self._complete(task, self.prompts.repair_messages(task, previous, findings))

    async def close(self) -> None:
        await self.client.close()

    async def probe(self) -> str:
        """One tiny chat completion with the configured model (what drafting will call), for
        a "test connection": the model that answered, or a DraftingError saying why not."""
        try:
            completion = await self.client.chat.completions.create(
                model=self.settings.model,
                messages=[{"role": "user", "content": "Reply with the word OK."}],
            )
        except openai.OpenAIError as exc:
            raise DraftingError(self._where(self._explain(exc))) from None
        return completion.model or self.settings.model

    async def _complete(self, task: DraftTask, messages: list[dict[str, str]]) -> Draft:
        model_type: type[BaseModel] = task.output_model()
        try:
            if self._structured:
                try:
                    return await self._structured_call(task, messages, model_type)
                except openai.BadRequestError as exc:
                    if not _schema_unsupported(exc):
                        raise
                    self._structured = False  # this server has no json_schema: stop asking
            return await self._text_call(task, messages, model_type)
        except openai.OpenAIError as exc:
            raise DraftingError(self._where(self._explain(exc))) from None
        except ValidationError as exc:  # structured output that does not fit the channel model
            raise DraftingError(
                self._where(f"the answer is not valid copy: {first_error(exc)}")
            ) from None
        except ValueError as exc:  # the client lets a malformed JSON response body through
            raise DraftingError(self._where(f"malformed response, not JSON ({exc})")) from None

    def _explain(self, exc: openai.OpenAIError) -> str:
        if isinstance(exc, openai.LengthFinishReasonError):
            return "the model stopped at its length limit (finish_reason=length): copy cut off"
        if isinstance(exc, openai.ContentFilterFinishReasonError):
            return "the endpoint's content filter stopped the answer"
        if isinstance(exc, openai.APITimeoutError):  # before its base, APIConnectionError
            return f"no answer within {self.settings.timeout:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot reach the endpoint ({exc.__cause__ or exc})"
        if isinstance(exc, openai.APIStatusError):
            return f"HTTP {exc.status_code}: {_error_text(exc)}"
        return f"unusable answer: {exc}"

    async def _structured_call(
        self, task: DraftTask, messages: list[dict[str, str]], model_type: type[BaseModel]
    ) -> Draft:
        completion = await self.client.chat.completions.parse(
            model=self.settings.model, messages=messages,  # type: ignore[arg-type]
            response_format=model_type,
        )  # fmt: skip
        message = completion.choices[0].message
        if message.refusal:
            raise DraftingError(self._where(f"the model refused: {message.refusal}"))
        if message.parsed is None:
            raise DraftingError(self._where("the answer held no copy"))
        return self._draft(task, message.parsed, messages, completion, "json_schema")

    async def _text_call(
        self, task: DraftTask, messages: list[dict[str, str]], model_type: type[BaseModel]
    ) -> Draft:
        schema = json.dumps(model_type.model_json_schema())
        asking = [*messages, {"role": "user", "content": "Answer with one JSON object only, "
                              f"matching this JSON schema:\n{schema}"}]  # fmt: skip
        completion = await self.client.chat.completions.create(
            model=self.settings.model, messages=asking,  # type: ignore[arg-type]
        )  # fmt: skip
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise openai.LengthFinishReasonError(completion=completion)
        if choice.message.refusal:
            raise DraftingError(self._where(f"the model refused: {choice.message.refusal}"))
        parsed = _parse_json_copy(choice.message.content or "", model_type)
        if isinstance(parsed, str):
            raise DraftingError(self._where(parsed))
        return self._draft(task, parsed, messages, completion, "json_text")

    def _draft(
        self,
        task: DraftTask,
        parsed: BaseModel,
        messages: list[dict[str, str]],
        completion: Any,
        mode: str,
    ) -> Draft:
        usage = completion.usage
        return Draft(
            fields=parsed.model_dump(),
            provenance={
                "provider": "openai-compatible",
                "endpoint": self.settings.endpoint,
                "model": completion.model or self.settings.model,
                "prompt_hash": messages_hash(messages),
                "output_mode": mode,
                "angle": task.angle,
                "learned_from": learned_from(task),
            },
            usage={
                "prompt_tokens": usage.prompt_tokens if usage else 0,
                "completion_tokens": usage.completion_tokens if usage else 0,
            },
        )

    def _where(self, problem: str) -> str:
        return f"LLM endpoint {self.settings.endpoint} (model {self.settings.model}): {problem}"


def _parse_json_copy(content: str, model_type: type[BaseModel]) -> BaseModel | str:
    """The copy from a JSON-in-text answer (fences and chatter around it tolerated), or why not."""
    found = _JSON_OBJECT.search(content)
    if found is None:
        return f"the answer held no JSON object: {content[:120]!r}"
    try:
        return model_type.model_validate_json(found.group(0))
    except ValidationError as exc:
        return f"the answer is not valid copy: {first_error(exc)}"


def _schema_unsupported(exc: openai.BadRequestError) -> bool:
    text = _error_text(exc).lower()
    return any(word in text for word in ("response_format", "json_schema", "schema"))


def _error_text(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
    return str(exc.message)[:300]
