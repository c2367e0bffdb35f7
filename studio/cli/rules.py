"""`studio rules test|show|recheck`: run every rule's examples; print a pack as the engine sees
it; re-check approved copy under the rules as they are now."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, TextIO

import typer
import yaml

from guardrails import RulePackError
from guardrails.examples import find_packs, run_pack_examples
from guardrails.rules.loader import load_pack
from studio.cli.support import (
    EXIT_USAGE,
    Format,
    broken_pack,
    database,
    fail,
    reporting_errors,
    signed_in,
)
from studio.services import recheck
from studio.settings import resolve_pack_dir, settings

app = typer.Typer(help="Brand rule packs.", no_args_is_help=True)


@app.command("test")
def rules_test(
    directory: Annotated[Path | None, typer.Argument(help="Rules folder or one pack.")] = None,
) -> None:
    """Run every rule's must-fail and must-pass examples."""
    root = directory or settings().rules_root()
    try:
        failed = test_packs(root, sys.stdout)
    except RulePackError as exc:
        broken_pack(exc)
    except OSError as exc:  # a folder that cannot be read, or a name too long to be one
        fail(f"{str(root)[:200]}: cannot read the rules: {exc.strerror}", EXIT_USAGE)
    raise typer.Exit(1 if failed else 0)


@app.command("show")
def rules_show(
    directory: Annotated[str, typer.Argument(help="Pack folder or name.")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.TEXT,
) -> None:
    """Print the resolved pack: everything it extends merged, overrides applied."""
    try:
        show_pack(resolve_pack_dir(directory), fmt.value, sys.stdout)
    except RulePackError as exc:
        broken_pack(exc)
    except OSError as exc:
        fail(f"{directory[:200]}: cannot read the pack: {exc.strerror}", EXIT_USAGE)


@app.command("recheck")
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
    for o in outcomes:
        sys.stdout.write(f"#{o.variant_id:<6} {o.result:<8} {o.brand:<14} {o.name}\n")
        for failure in o.failing:
            sys.stdout.write(f"         {failure}\n")
    passed = sum(o.result == "passed" for o in outcomes)
    sys.stdout.write(f"{len(outcomes)} approved variant(s) re-checked, {passed} still pass\n")
    if any(o.result != "passed" for o in outcomes):
        raise typer.Exit(1)


def test_packs(root: Path, out: TextIO) -> int:
    """Run the examples of every pack under `root`; the number of failed examples."""
    passed = failed = 0
    for pack_dir in find_packs(root):
        for result in run_pack_examples(pack_dir):
            if result.ok:
                passed += 1
                continue
            failed += 1
            verb = "should fail but passed" if result.expected == "fail" else "should pass but got"
            found = "; ".join(result.found)
            out.write(f"{result.origin}: rule {result.rule}: example {result.example!r} {verb}")
            out.write(f": {found}\n" if found else "\n")
    out.write(f"rule examples: {passed} passed, {failed} failed\n")
    return failed


def show_pack(pack_dir: Path, fmt: str, out: TextIO) -> None:
    pack = load_pack(pack_dir)
    body = {
        "version": pack.version,
        **pack.model_dump(mode="json", by_alias=True, exclude_none=True),
    }
    if fmt == "json":
        out.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100))
