"""`studio generate BRIEF.yaml`: draft a brief's variants, check and repair them, save them as a
job (unless `--no-save`), and print each with what still fails. Progress goes to stderr as each
variant arrives; exit 1 when any variant could not be drafted."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from studio.cli.support import Format, database, reporting_errors, signed_in
from studio.services.drafts import Drafted, Outcome, Plan, draft_brief


def generate(
    brief: Annotated[Path, typer.Argument(help="Brief file (YAML); see examples/briefs/.")],
    provider: Annotated[
        str | None,
        typer.Option(help="offline or openai (default: openai when STUDIO_LLM_* is set)."),
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TEXT,
    save: Annotated[bool, typer.Option(help="Save the brief, job and variants.")] = True,
    rounds: Annotated[int, typer.Option(min=0, max=5, help="Repair re-asks per variant.")] = 2,
) -> None:
    """Draft a brief's variants, check and repair them, and save them as drafts by you (the
    signed-in user); `--no-save` drafts without a database or a sign-in."""
    db = database() if save else None
    actor = signed_in(db).name if db is not None else None
    progress = _Progress(brief.name, sys.stderr)
    with reporting_errors():
        drafted = draft_brief(brief, provider_name=provider, db=db, actor=actor, rounds=rounds,
                              on_plan=progress.plan, on_outcome=progress.arrived)  # fmt: skip
    if fmt == Format.JSON:
        sys.stdout.write(json.dumps(_as_json(drafted), indent=2, ensure_ascii=False) + "\n")
    else:
        _print_text(drafted, sys.stdout)
    raise typer.Exit(0 if drafted.status == "done" else 1)


class _Progress:
    def __init__(self, brief_name: str, err: TextIO) -> None:
        self.brief_name, self.total, self.done, self.err = brief_name, 0, 0, err

    def plan(self, plan: Plan) -> None:
        self.total = plan.variants
        self.err.write(f"drafting {plan.variants} variants of {self.brief_name} with "
                       f"{plan.drafter}\n")  # fmt: skip
        if plan.learning:
            self.err.write(plan.learning + "\n")

    async def arrived(self, outcome: Outcome) -> None:
        self.done += 1
        state = f"failed: {outcome.error}" if outcome.error else _verdict(outcome)
        self.err.write(f"[{self.done}/{self.total}] {outcome.task.key}: {state}\n")
        self.err.flush()


def _verdict(outcome: Outcome) -> str:
    return outcome.report.verdict.value if outcome.report else "no copy"


def _as_json(drafted: Drafted) -> dict[str, Any]:
    variant_ids = drafted.variant_ids
    return {
        "job": drafted.job_id,
        "status": drafted.status,
        "drafter": drafted.drafter,
        "is_llm": drafted.is_llm,
        "variants": [
            {
                "key": o.task.key,
                "group": o.task.group,
                "variant_id": variant_ids.get(o.task.key),
                "ok": o.ok,
                "error": o.error,
                "verdict": _verdict(o),
                "fields": o.fields,
                "findings": [f.model_dump(mode="json") for f in o.report.findings]
                if o.report
                else [],
                "rounds": [r.summary() for r in o.rounds],
                "provenance": o.provenance if o.rounds else None,
            }
            for o in drafted.outcomes
        ],
    }


def _print_text(drafted: Drafted, out: TextIO) -> None:
    write, outcomes, variant_ids = out.write, drafted.outcomes, drafted.variant_ids
    if not drafted.is_llm:
        write("NOTE: drafted by the offline drafter from templates, not by an LLM.\n")
    for o in outcomes:
        saved = (
            f", saved as variant #{variant_ids[o.task.key]}" if variant_ids.get(o.task.key) else ""
        )
        rounds = " -> ".join(r.kind for r in o.rounds) or "none"
        write(f"\n== {o.task.key} [{_verdict(o)}] rounds: {rounds}{saved}\n")
        if o.error:
            write(f"   FAILED: {o.error}\n")
        for name, value in o.fields.items():
            for text in value if isinstance(value, list) else [value]:
                indented = text.replace("\n", "\n" + " " * (len(name) + 5))
                write(f"   {name}: {indented}\n")
        for f in o.report.findings if o.report else []:
            write(f'   {f.severity} {f.rule} {f.field} "{f.text}": {f.message}\n')
    ok = sum(o.ok for o in outcomes)
    job = f"job #{drafted.job_id} " if drafted.job_id else ""
    write(f"\n{job}{drafted.status}: {ok} of {len(outcomes)} variants drafted\n")
