"""`studio check`: the guardrails as a linter, over files, stdin or a JSONL batch.

Exit codes follow linters: 0 no error findings, 1 error findings, 2 bad usage or unreadable
input. One process checks the whole batch, so the pack is compiled once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from pydantic import ValidationError

from guardrails import (
    Channel,
    CompiledPack,
    Report,
    RulePackError,
    Variant,
    Verdict,
    parse_labelled_text,
)
from guardrails.content import lone_surrogate
from guardrails.fixes import apply_fixes
from studio.cli.support import EXIT_USAGE, Format, broken_pack, usage_error
from studio.errors import first_error
from studio.services import packs

EXIT_OK, EXIT_BLOCKED = 0, 1  # and EXIT_USAGE (2), as every command: linters' codes


class InputError(Exception):
    """Input that cannot be checked; the message names the file or line."""


@dataclass
class Outcome:
    """What a check command ended with: its exit code."""

    blocked: bool = False
    input_errors: int = 0

    @property
    def exit_code(self) -> int:
        if self.input_errors:
            return EXIT_USAGE
        return EXIT_BLOCKED if self.blocked else EXIT_OK


def read_text(path: str) -> str:
    """A file's (or stdin's, for '-') text, which must be UTF-8.

    A leading byte-order mark is dropped: editors on Windows write one, and left in place it is
    text before the first label (so `Body:` would seem to be given twice)."""
    try:
        raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (invalid byte at offset {exc.start})") from None


def result_json(ident: str, report: Report) -> str:
    return json.dumps(packs.report_document(ident, report), ensure_ascii=False)


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def field_start(offsets: dict[str, int], field: str) -> int:
    """Where a finding's field starts in the file. A missing required part (no subject) has no
    place of its own: its finding points at the start of the file, 1:1, as linters place
    findings about a file as a whole."""
    return offsets.get(field, 0)


def check_files(
    paths: list[str],
    channel: Channel,
    pack: CompiledPack,
    fmt: str,
    fix: bool,
    out: TextIO,
    err: TextIO,
) -> Outcome:
    outcome = Outcome()
    for path in paths:
        try:
            text = read_text(path)
            parsed = parse_labelled_text(text, channel)
        except (InputError, ValueError, ValidationError) as exc:
            err.write(f"{exc if isinstance(exc, InputError) else f'{path}: {exc}'}\n")
            outcome.input_errors += 1
            continue
        report = packs.check(pack, parsed.variant)
        if fix:
            report = _print_fixed(path, text, parsed.offsets, report, pack, channel, out, err)
        elif fmt == "json":
            out.write(result_json(path, report) + "\n")
        else:
            for f in report.findings:
                line, col = line_col(text, field_start(parsed.offsets, f.field) + f.start)
                out.write(f"{path}:{line}:{col} {f.severity.value} {f.rule} {f.message}\n")
        outcome.blocked |= report.verdict == Verdict.BLOCK
    return outcome


def _print_fixed(
    path: str,
    text: str,
    offsets: dict[str, int],
    report: Report,
    pack: CompiledPack,
    channel: Channel,
    out: TextIO,
    err: TextIO,
) -> Report:
    """Write the fixed text to `out`, list every change on `err` (or say there was none), and
    re-check the result."""
    by_field: dict[str, list[Any]] = {}
    for f in report.findings:
        by_field.setdefault(f.field, []).append(f)
    fixed = text
    applied = []
    for field in sorted(by_field, key=lambda name: field_start(offsets, name), reverse=True):
        fixed, done = apply_fixes(fixed, by_field[field], field_start(offsets, field))
        applied.extend(done)
    if not applied:
        err.write(f"{path}: nothing to fix: no finding has a deterministic fix\n")
    for f in sorted(applied, key=lambda f: field_start(offsets, f.field) + f.start):
        line, col = line_col(text, field_start(offsets, f.field) + f.start)
        err.write(f"{path}:{line}:{col} fixed {f.rule}: {f.text!r} -> {f.fix!r}\n")
    out.write(fixed)
    return packs.check(pack, parse_labelled_text(fixed, channel).variant) if applied else report


def _jsonl_items(lines: list[str]) -> Iterator[tuple[int, str, Variant | str]]:
    """(line number, id, variant or error message) for each non-blank line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        ident = f"line {number}"
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ValueError("expected a JSON object")
            given = str(item.get("id", ident))
            if lone_surrogate(given) is not None:  # it is echoed: it must be printable
                raise ValueError("'id' is not valid Unicode text (a lone surrogate)")
            ident = given
            yield number, ident, _variant_of(item)
        except (ValueError, ValidationError) as exc:
            yield number, ident, first_error(exc)


def _variant_of(item: dict[str, Any]) -> Variant:
    extra = set(item) - {"id", "channel", "text", "fields"}
    if extra:
        raise ValueError(f"unknown key {sorted(extra)[0]!r}")
    if "channel" not in item:
        raise ValueError("missing key 'channel'")
    channel = Channel(item["channel"])
    if ("text" in item) == ("fields" in item):
        raise ValueError("give exactly one of 'text' and 'fields'")
    if "text" in item:
        if not isinstance(item["text"], str):
            raise ValueError("'text' must be a string")
        return parse_labelled_text(item["text"], channel).variant
    return Variant(channel=channel, fields=item["fields"])


def check_jsonl(path: str, pack: CompiledPack, fmt: str, out: TextIO, err: TextIO) -> Outcome:
    outcome = Outcome()
    try:
        raw = read_text(path)
    except InputError as exc:
        err.write(f"{exc}\n")
        return Outcome(input_errors=1)
    for number, ident, variant in _jsonl_items(raw.splitlines()):
        if isinstance(variant, str):
            outcome.input_errors += 1
            err.write(f"{path}:{number}: {variant}\n")
            if fmt == "json":
                out.write(json.dumps({"id": ident, "error": variant}, ensure_ascii=False) + "\n")
            continue
        report = packs.check(pack, variant)
        outcome.blocked |= report.verdict == Verdict.BLOCK
        if fmt == "json":
            out.write(result_json(ident, report) + "\n")
        else:
            for f in report.findings:
                out.write(
                    f"{ident}:{f.field}:{f.start + 1} {f.severity.value} {f.rule} {f.message}\n"
                )
    return outcome


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
        usage_error("check", "give files or --jsonl, not both")
    if jsonl is None and channel is None:
        usage_error("check", "--channel is required when checking files")
    if fix and (jsonl is not None or fmt == Format.JSON):
        usage_error("check", "--fix prints fixed text; it works on files in text format")
    try:
        pack = packs.named_pack(rules)
    except RulePackError as exc:
        broken_pack(exc)
    if jsonl is not None:
        outcome = check_jsonl(jsonl, pack, fmt.value, sys.stdout, sys.stderr)
    else:
        assert channel is not None
        outcome = check_files(files or ["-"], channel, pack, fmt.value, fix, sys.stdout, sys.stderr)
    raise typer.Exit(outcome.exit_code)
