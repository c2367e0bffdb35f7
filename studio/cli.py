"""The `studio` command. Each command's logic lives in its own module; this file wires them."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from guardrails import Channel, CompiledPack, RulePackError, compile_pack, load_pack
from studio import (
    audit_command,
    auth_command,
    check_command,
    demo,
    generate_command,
    jobs_command,
    recheck,
    rules_command,
    tokens_command,
    up_command,
    users_command,
    variants_command,
)
from studio.cli_support import current_token, database, reporting_errors, signed_in
from studio.config import resolve_pack_dir, rules_root

app = typer.Typer(
    help="Generative content studio with governance guardrails.", no_args_is_help=True
)
rules_app = typer.Typer(help="Brand rule packs.", no_args_is_help=True)
app.add_typer(rules_app, name="rules")
app.add_typer(users_command.app, name="users")
app.add_typer(variants_command.app, name="variants")
app.add_typer(audit_command.app, name="audit")
app.add_typer(jobs_command.app, name="jobs")
app.add_typer(tokens_command.app, name="tokens")
for command in (auth_command.init, auth_command.login, auth_command.logout, auth_command.whoami):
    app.command()(command)
db_app = typer.Typer(help="The studio database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class Format(StrEnum):
    TEXT = "text"
    JSON = "json"


def _load_compiled(rules: str | None) -> CompiledPack:
    try:
        return compile_pack(load_pack(resolve_pack_dir(rules)))
    except RulePackError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(check_command.EXIT_USAGE) from None


@app.command()
def check(
    files: Annotated[
        list[str] | None, typer.Argument(help="Files to check; '-' for stdin.")
    ] = None,
    channel: Annotated[
        Channel | None, typer.Option("--channel", "-c", help="Channel of the files.")
    ] = None,
    rules: Annotated[
        str | None, typer.Option(help="Rule pack folder or name (default: the baselines).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TEXT,
    jsonl: Annotated[
        str | None, typer.Option(help='JSONL batch: {"id","channel","text"|"fields"} a line.')
    ] = None,
    fix: Annotated[
        bool, typer.Option(help="Print the text with deterministic fixes applied.")
    ] = False,
) -> None:
    """Check copy against a rule pack; exit 0 clean, 1 with error findings, 2 on bad input."""
    if jsonl is not None and files:
        _usage("give files or --jsonl, not both")
    if jsonl is None and channel is None:
        _usage("--channel is required when checking files")
    if fix and (jsonl is not None or fmt == Format.JSON):
        _usage("--fix prints fixed text; it works on files in text format")
    pack = _load_compiled(rules)
    if jsonl is not None:
        outcome = check_command.check_jsonl(jsonl, pack, fmt.value, sys.stdout, sys.stderr)
    else:
        assert channel is not None
        outcome = check_command.check_files(
            files or ["-"], channel, pack, fmt.value, fix, sys.stdout, sys.stderr
        )
    raise typer.Exit(outcome.exit_code)


@rules_app.command("test")
def rules_test(
    directory: Annotated[Path | None, typer.Argument(help="Rules folder or one pack.")] = None,
) -> None:
    """Run every rule's must-fail and must-pass examples."""
    try:
        failed = rules_command.test_packs(directory or rules_root(), sys.stdout)
    except RulePackError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(check_command.EXIT_USAGE) from None
    raise typer.Exit(1 if failed else 0)


@rules_app.command("show")
def rules_show(
    directory: Annotated[str, typer.Argument(help="Pack folder or name.")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.TEXT,
) -> None:
    """Print the resolved pack: everything it extends merged, overrides applied."""
    try:
        rules_command.show_pack(resolve_pack_dir(directory), fmt.value, sys.stdout)
    except RulePackError as exc:
        sys.stderr.write(f"{exc}\n")
        raise typer.Exit(check_command.EXIT_USAGE) from None


@rules_app.command("recheck")
def rules_recheck(
    brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
) -> None:
    """Re-check every approved variant under the current rules; flag or revoke what now fails
    (reviewers and admins). Exits 1 when anything was flagged or revoked.
    """
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        outcomes = recheck.recheck_approved(db, actor=actor, brand=brand)
    _print_recheck(outcomes)
    if any(o.result != "passed" for o in outcomes):
        raise typer.Exit(1)


def _print_recheck(outcomes: list[recheck.RecheckOutcome]) -> None:
    for o in outcomes:
        sys.stdout.write(f"#{o.variant_id:<6} {o.result:<8} {o.brand:<14} {o.name}\n")
        for failure in o.failing:
            sys.stdout.write(f"         {failure}\n")
    passed = sum(o.result == "passed" for o in outcomes)
    sys.stdout.write(f"{len(outcomes)} approved variant(s) re-checked, {passed} still pass\n")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database, or bring its schema up to date (data is kept)."""
    db = database()
    sys.stdout.write(f"database {db.display} is at the newest schema\n")


@app.command("demo")
def demo_command() -> None:
    """Seed a demo workspace (brands, one user per role, briefs, variants in every state).

    A database with accounts of its own needs a signed-in admin for this."""
    db = database()
    actor = signed_in(db).name if current_token(db) else None
    with reporting_errors():
        result = demo.seed(db, actor=actor)
    sys.stdout.write(
        f"demo workspace in {db.display}: {len(result.created)} variant(s) created, "
        f"{result.existing} already there\n"
    )
    if result.passwords:
        sys.stdout.write("demo users (passwords are shown this once):\n")
        for name, password in result.passwords.items():
            sys.stdout.write(f"  {name:<14} {demo.USERS[name].value:<11} {password}\n")
    else:
        sys.stdout.write("demo users exist; reset one with `studio users passwd NAME`\n")


@app.command()
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
    with reporting_errors():
        code = generate_command.generate(
            brief, provider_name=provider, fmt=fmt.value, db=db,
            actor=actor, rounds=rounds, out=sys.stdout, err=sys.stderr,
        )  # fmt: skip
    raise typer.Exit(code)


@app.command()
def worker(
    once: Annotated[bool, typer.Option(help="Stop when the queue is empty.")] = False,
    poll: Annotated[float, typer.Option(help="Seconds between looks at an empty queue.")] = 2.0,
) -> None:
    """Run queued drafting jobs (several workers may share a PostgreSQL database)."""
    from studio.drafting import jobs
    from studio.drafting.factory import make_provider

    db = database()

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")

    with reporting_errors():
        ran = jobs.serve(db, make_provider, once=once, poll=poll, log=log)
    log(f"worker: {ran} job(s) run")


@app.command()
def up(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the web UI.")] = 8501,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
) -> None:
    """Start the studio's web UI and keep the audit log anchored while it runs (after bringing
    the database up to date and re-checking approved copy if a brand's rules changed)."""

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    db = database()
    with reporting_errors():
        code = up_command.run(db, host, port, log)
    raise typer.Exit(code)


def _usage(message: str) -> None:
    _fail_usage("check", message)


def _fail_usage(command: str, message: str) -> None:
    sys.stderr.write(f"studio {command}: {message}\n")
    raise typer.Exit(check_command.EXIT_USAGE)


def main() -> None:
    app()
