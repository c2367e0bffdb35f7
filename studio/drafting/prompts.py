"""Rendering the prompt templates in `prompts/` for one draft or one repair.

Templates are rendered in Jinja's sandbox with StrictUndefined: a template a brand owner edits
cannot reach Python internals, and a typo is an error naming the file and line instead of a
silently empty prompt. Brief text only ever enters as data (`tojson` in the templates).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from guardrails import Channel, CompiledPack, FieldLimit, Finding
from studio.canonical import sha256_tag
from studio.drafting.outputs import output_model
from studio.drafting.provider import DraftTask
from studio.errors import InvalidInput
from studio.settings import REPO_ROOT

ANGLE_HELP = {
    "benefit": "lead with what the product does for this segment",
    "offer": "lead with the offer, its terms and its real end date",
    "proof": "lead with one approved claim, in its exact words",
    "question": "open with a question this segment asks itself, then answer it",
}
MAX_LISTED_TERMS = 80


class PromptError(InvalidInput):
    """A prompt template that does not render: names the template file and line."""


class Prompts:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or REPO_ROOT / "prompts"
        self.env = SandboxedEnvironment(
            loader=FileSystemLoader(self.directory),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def draft_messages(self, task: DraftTask) -> list[dict[str, str]]:
        context = self._context(task)
        return [
            {"role": "system", "content": self.render("system.j2", context)},
            {"role": "user", "content": self.render(f"{task.channel.key}.j2", context)},
        ]

    def repair_messages(
        self, task: DraftTask, previous: dict[str, Any], findings: list[Finding]
    ) -> list[dict[str, str]]:
        context = self._context(task)
        context.update(previous=previous, findings=[f.model_dump() for f in findings])
        return [
            *self.draft_messages(task),
            {"role": "assistant", "content": json.dumps(previous, ensure_ascii=False)},
            {"role": "user", "content": self.render("repair.j2", context)},
        ]

    def render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except TemplateSyntaxError as exc:
            where = f"{self.directory / (exc.name or name)}:{exc.lineno}"
            raise PromptError(f"{where}: template error: {exc.message}") from None
        except TemplateError as exc:
            where = _template_line(exc.__traceback__) or str(self.directory / name)
            raise PromptError(f"{where}: template error: {exc}") from None

    def _context(self, task: DraftTask) -> dict[str, Any]:
        brief = task.brief
        rules = pack_context(task.pack, brief.claims)
        rules["banned"] = [*brief.must_avoid, *rules["banned"]]
        return {
            **rules,
            "brief": brief.model_dump(mode="json", exclude={"channels", "segments"}),
            "segment": task.segment.model_dump(mode="json"),
            "label": task.label,
            "angle": task.angle,
            "angle_help": ANGLE_HELP[task.angle],
            "must_say": brief.must_say,
            "lengths": lengths(task),
            "examples": [
                {"fields": e.fields, "rates": {k: v for k, v in e.rates.items() if v is not None},
                 "sends": e.sends, "angle": e.angle}
                for e in task.examples
            ],
            "retake": {"note": task.retake.note, "previous": task.retake.previous}
            if task.retake else None,
        }  # fmt: skip


def lengths(task: DraftTask) -> dict[str, str]:
    """How long each field of the task's channel may be, in words for the model, read from the
    brand's resolved pack: the limits the check will hold the draft to."""
    limits = task.pack.length_limits(Channel(task.copy_channel))
    return {
        name: _length_phrase(limits.get(name))
        for name in output_model(task.channel.key).model_fields
    }


def _length_phrase(limit: FieldLimit | None) -> str:
    least, most = (limit.min, limit.max) if limit else (None, None)
    if least is not None and most is not None:
        return f"{least} to {most} characters"
    if most is not None:
        return f"at most {most} characters"
    return f"at least {least} characters" if least is not None else "any length"


def pack_context(pack: CompiledPack, claim_ids: list[str]) -> dict[str, Any]:
    """What the system prompt tells the model about the brand's rules."""
    resolved = pack.pack
    banned: list[str] = []
    preferred: list[tuple[str, str]] = []
    for rule in resolved.rules:
        if rule.kind == "existence" and rule.category in ("banned", "claim"):
            banned.extend(t for t in rule.terms if t not in banned)
        elif rule.kind == "substitution":
            preferred.extend(rule.swap.items())
    brand = resolved.brand
    return {
        "brand": {
            "name": brand.name if brand else "the brand",
            "domains": brand.domains if brand else [],
        },
        "banned": banned[:MAX_LISTED_TERMS],
        "preferred": preferred[:MAX_LISTED_TERMS],
        "acronyms": resolved.voice.acronyms,
        "merge_fields": sorted(resolved.merge_fields),
        "claims": [
            {"text": claim.text, "qualifier": claim.qualifier}
            for claim in resolved.claims
            if claim.id in claim_ids
        ],
    }


def messages_hash(messages: list[dict[str, str]]) -> str:
    return sha256_tag(messages)


def _template_line(tb: TracebackType | None) -> str | None:
    """Jinja rewrites tracebacks so template frames carry the template's file and line."""
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
