"""`studio variants ...`: the approval workflow from a shell, with the UI's rules and auditing.

Every command acts as the signed-in user (`studio login`, or a personal access token in
$STUDIO_TOKEN): the workflow's role, four-eyes and override rules apply exactly as in the UI, and
every attempt, refused ones included, is in the audit log under that name.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer

from guardrails import Channel, parse_labelled_text
from studio.cli.check import InputError, read_text
from studio.cli.support import (
    EXIT_USAGE,
    database,
    fail,
    print_json,
    reporting_errors,
    signed_in,
)
from studio.services import approval, comments, feed, queries, regenerate, review
from studio.services.schemas import MAX_ID, Status, VariantSummary, status_label, status_phrase

app = typer.Typer(help="Variants and their approval workflow.", no_args_is_help=True)

VariantId = Annotated[int, typer.Argument(min=1, max=MAX_ID, help="The variant's number.")]
Comment = Annotated[str | None, typer.Option(help="Why: shown to the author, kept in the log.")]
Revision = Annotated[
    int | None,
    typer.Option(min=1, max=MAX_ID, help="Refuse if the variant moved past this revision."),
]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("list")
def list_command(
    status: Annotated[Status | None, typer.Option(help="Only this status.")] = None,
    brand: Annotated[str | None, typer.Option(help="Only this brand (pack name).")] = None,
    channel: Annotated[Channel | None, typer.Option(help="Only this channel.")] = None,
    flagged: Annotated[bool, typer.Option(help="Only approved copy flagged by a recheck.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 200,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Variants, most recently changed first."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        found = queries.list_variants(
            db, actor, status=status, brand=brand, channel=channel, flagged=flagged, limit=limit
        )
    rows = [row.model_dump(mode="json") for row in found]
    if fmt == "json":
        print_json(rows)
        return
    if fmt != "text":
        fail("--format is text or json", EXIT_USAGE)
    if not rows:
        sys.stdout.write("no variants match\n")
        return
    sys.stdout.write(f"{'ID':<7} {'STATUS':<14} {'BRAND':<14} {'CHANNEL':<7} {'VER':<4} "
                     f"{'ERR':>3} {'WARN':>4}  NAME\n")  # fmt: skip
    for row in rows:
        flag = "  FLAGGED" if row["flagged"] else ""
        sys.stdout.write(
            f"#{row['id']:<6} {status_label(row['status']):<14} {row['brand']:<14} "
            f"{row['channel']:<7} v{row['version']:<3} {row['errors']:>3} {row['warnings']:>4}  "
            f"{row['name']}{flag}\n"
        )


@app.command("show")
def show(variant_id: VariantId, as_json: JsonFlag = False) -> None:
    """One variant: copy, findings, approval, history, overrides, diff from the version before."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        data = queries.variant_detail(db, actor, variant_id).model_dump(mode="json")
    if as_json:
        print_json(data)
    else:
        _print_detail(data)


@app.command("export")
def export(
    dialect: Annotated[
        str | None, typer.Option(help=f"Merge tags for an engine: {', '.join(feed.DIALECTS)}.")
    ] = None,
    brand: Annotated[str | None, typer.Option(help="Only this brand (pack name).")] = None,
    channel: Annotated[Channel | None, typer.Option(help="Only this channel.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    group: Annotated[str | None, typer.Option(help="Only this variant group.")] = None,
) -> None:
    """Approved copy as the publishing API serves it, one JSON document a line: a hand-off by
    file for an engine without an API key. Copy whose tags the dialect cannot carry is left
    out and named on stderr, each with its tag, and the exit code is then 1."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        export = feed.export_approved(
            db, actor, brand=brand, channel=channel.value if channel else None,
            campaign=campaign, variant_group=group, dialect=dialect,
        )  # fmt: skip
    for document in export.documents:
        sys.stdout.write(json.dumps(document, ensure_ascii=False) + "\n")
    for failed in export.untranslatable:
        sys.stderr.write(f"variant #{failed['id']} ({failed['name']}) left out: "
                         f"{failed['message']}\n")  # fmt: skip
    if export.untranslatable:
        raise typer.Exit(1)


@app.command("diff")
def diff_command(
    variant_id: VariantId,
    old: Annotated[
        int | None, typer.Option("--from", min=1, max=MAX_ID, help="Older version.")
    ] = None,
    new: Annotated[
        int | None, typer.Option("--to", min=1, max=MAX_ID, help="Newer (default: current).")
    ] = None,
) -> None:
    """A unified diff between two versions (default: the current one and the one before)."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        sys.stdout.write(queries.diff(db, actor, variant_id, old, new))


@app.command("new")
def new(
    file: Annotated[str, typer.Argument(help="Labelled draft file ('-' for stdin).")],
    brand: Annotated[str, typer.Option(help="Brand (rule pack name).")],
    channel: Annotated[Channel, typer.Option(help="Channel.")],
    name: Annotated[str | None, typer.Option(help="Stable slug (default: generated).")] = None,
) -> None:
    """Save a draft from a labelled text file (the format `studio check` reads)."""
    db = database()
    actor = signed_in(db).name
    fields = _read_fields(file, channel)
    with reporting_errors():
        variant = review.create_variant(
            db, actor=actor, brand=brand, channel=channel.value, fields=fields, name=name
        )
    sys.stdout.write(f"created variant #{variant.id} ({variant.name}), {_risk(variant)}\n")


@app.command("edit")
def edit(
    variant_id: VariantId,
    file: Annotated[str, typer.Argument(help="Labelled draft file ('-' for stdin).")],
    revision: Revision = None,
) -> None:
    """Save a new version; copy a reviewer has seen goes back to review."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        channel = Channel(queries.variant_detail(db, actor, variant_id).channel)
    fields = _read_fields(file, channel)
    with reporting_errors():
        variant = review.edit(
            db, variant_id, actor=actor, fields=fields, expected_revision=revision
        )
    sys.stdout.write(
        f"variant #{variant.id} is now version {variant.version} and "
        f"{status_phrase(variant.status)}, {_risk(variant)}\n"
    )


@app.command("regenerate")
def regenerate_command(
    variant_id: VariantId,
    note: Annotated[str, typer.Option(help="What to change, for the drafter.")] = "",
) -> None:
    """Draft a variant again from its brief with a note to the drafter, as its next version
    (checked and repaired like any draft)."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        variant = regenerate.regenerate(db, variant_id, actor=actor, note=note)
    sys.stdout.write(f"variant #{variant.id} drafted again as version {variant.version}, "
                     f"{_risk(variant)}\n")  # fmt: skip


@app.command("comment")
def comment_command(
    variant_id: VariantId,
    words: Annotated[str, typer.Argument(help="The words it is about, as in the copy.")],
    text: Annotated[str, typer.Argument(help="The comment.")],
    field: Annotated[str, typer.Option(help="The field: body, subject, headlines[2], ...")] = (
        "body"
    ),
) -> None:
    """Comment on a run of words of a variant's current version (the first place the field
    holds them); the author sees it with the words."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        said = comments.add(db, variant_id, actor=actor, field=field, words=words, body=text)
    sys.stdout.write(f"comment on {said.field} “{said.text}” saved (version {said.version})\n")


@app.command("submit")
def submit(variant_id: VariantId, comment: Comment = None, revision: Revision = None) -> None:
    """Send a draft (or copy with changes requested) to review."""
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        variant = review.submit(
            db, variant_id, actor=actor, comment=comment, expected_revision=revision
        )
    _done(variant_id, variant.status)


@app.command("approve")
def approve(
    variant_id: VariantId,
    override: Annotated[
        list[str] | None,
        typer.Option(help="RULE_ID=JUSTIFICATION for an error finding; repeat for each rule."),
    ] = None,
    acknowledge: Annotated[
        list[str] | None,
        typer.Option(help="RULE_ID of a warning you have read and accept; repeat for each."),
    ] = None,
    acknowledge_all: Annotated[
        bool, typer.Option("--acknowledge-all", help="Acknowledge every warning at once.")
    ] = False,
    report: Annotated[
        int | None,
        typer.Option(min=1, max=MAX_ID, help="The report you reviewed (default: the newest)."),
    ] = None,
    comment: Comment = None,
    valid_from: Annotated[dt.datetime | None, typer.Option(help="Not before (UTC).")] = None,
    valid_until: Annotated[dt.datetime | None, typer.Option(help="Not after (UTC).")] = None,
    revision: Revision = None,
) -> None:
    """Approve the current version, re-checked under the current rules first."""
    overrides = _parse_overrides(override or [])
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        variant = approval.approve(
            db, variant_id, actor=actor, overrides=overrides, seen_report_id=report,
            acknowledged=frozenset(acknowledge or ()), acknowledge_all=acknowledge_all,
            comment=comment, valid_from=_utc(valid_from), valid_until=_utc(valid_until),
            expected_revision=revision,
        )  # fmt: skip
    _done(variant_id, variant.status, f" (version {variant.approved_version}, "
          f"rules {variant.approved_rules_version})")  # fmt: skip


@app.command("reject")
def reject(variant_id: VariantId, comment: Comment = None, revision: Revision = None) -> None:
    """Reject for good (a comment saying why is required)."""
    _decide_with_comment(review.reject, variant_id, comment, revision)


@app.command("request-changes")
def request_changes(
    variant_id: VariantId, comment: Comment = None, revision: Revision = None
) -> None:
    """Send back to the author with a comment saying what to change."""
    _decide_with_comment(review.request_changes, variant_id, comment, revision)


@app.command("revoke")
def revoke(variant_id: VariantId, comment: Comment = None, revision: Revision = None) -> None:
    """Withdraw approved copy (a comment saying why is required)."""
    _decide_with_comment(review.revoke, variant_id, comment, revision)


def _decide_with_comment(
    decide: Callable[..., VariantSummary],
    variant_id: int,
    comment: str | None,
    revision: int | None,
) -> None:
    db = database()
    actor = signed_in(db).name
    with reporting_errors():
        variant = decide(
            db, variant_id, actor=actor, comment=comment or "", expected_revision=revision
        )
    _done(variant_id, variant.status)


# --- helpers ----------------------------------------------------------------------------------


def _read_fields(file: str, channel: Channel) -> dict[str, Any]:
    try:
        text = read_text(file)
    except InputError as exc:
        fail(str(exc), EXIT_USAGE)
    try:
        return parse_labelled_text(text, channel).variant.fields
    except ValueError as exc:
        fail(f"{file}: {exc}", EXIT_USAGE)


def _parse_overrides(items: list[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for item in items:
        rule, sep, why = item.partition("=")
        if not sep or not rule.strip():
            fail(f"--override {item!r}: write it as RULE_ID=JUSTIFICATION", EXIT_USAGE)
        if rule.strip() in overrides:
            fail(f"--override: {rule.strip()} is given twice", EXIT_USAGE)
        overrides[rule.strip()] = why
    return overrides


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _risk(variant: VariantSummary) -> str:
    return f"{variant.errors} error(s), {variant.warnings} warning(s)"


def _done(variant_id: int, status: str, extra: str = "") -> None:
    sys.stdout.write(f"variant #{variant_id} {status_phrase(status)}{extra}\n")


def _print_detail(data: dict[str, Any]) -> None:
    out = sys.stdout.write
    out(f"#{data['id']} {data['name']}  [{data['brand']} / {data['channel']}]\n")
    out(f"status {status_label(data['status'])}, version {data['version']}, revision "
        f"{data['revision']}, author {data['author']}\n")  # fmt: skip
    if data["flagged"]:
        out(f"FLAGGED: {data['flagged']}\n")
    out(f"content {data['content_hash']}\nprovenance {data['provenance']}\n\n")
    for name, value in data["fields"].items():
        for text in value if isinstance(value, list) else [value]:
            out(f"{name}: {text}\n")
    report = data["report"]
    out(f"\nreport #{report['id']} ({report['verdict']}) of version {report['version']} under "
        f"rules {report['rules_version']}, {report['checked_at']}\n")  # fmt: skip
    for f in report["findings"]:
        out(f'  {f["severity"]:<10} {f["rule"]:<22} {f["field"]} "{f["text"]}": {f["message"]}\n')
    for claim in report["approved_claims"]:
        out(f'  approved   claim {claim["claim"]}: "{claim["text"]}" ({claim["evidence"]})\n')
    if data["approval"]:
        a = data["approval"]
        window = f"{a['valid_from'] or '-'} .. {a['valid_until'] or '-'}"
        out(f"\napproved v{a['version']} by {a['by']} at {a['at']} under rules "
            f"{a['rules_version']}; valid {window}\n")  # fmt: skip
    if data["overrides"]:
        out("\noverrides:\n")
        for o in data["overrides"]:
            out(f'  v{o["version"]} {o["rule"]} at {o["field"]} "{o["text"]}" by {o["by"]}: '
                f"{o['justification']}\n")  # fmt: skip
    if data["comments"]:
        out("\ncomments:\n")
        for c in data["comments"]:
            out(f'  v{c["version"]} {c["field"]} "{c["text"]}" by {c["by"]}: {c["body"]}\n')
    out("\nhistory:\n")
    for h in data["history"]:
        note = f": {h['comment']}" if h["comment"] else ""
        out(f"  {h['at']} v{h['version']} {h['action']} by {h['by']}{note}\n")
    if data["performance"]:
        _print_performance(data["id"], data["performance"])
    if data["diff"]:
        out(f"\nchanges from the version before:\n{data['diff']}")


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.1%}"


def _print_performance(variant_id: int, group: dict[str, Any]) -> None:
    """The engine's figures for the variant's group, this variant marked with '>'."""
    out = sys.stdout.write
    out(f"\nperformance in {group['variant_group']} ({group['reason']}):\n")
    out(f"  {'':2}{'VARIANT':<10} {'SENDS':>8} {'OPENS':>7} {'CLICKS':>7} {'CONV':>7} "
        f"{'UNSUB':>7} {'SHARE':>7}\n")  # fmt: skip
    for row in group["variants"]:
        mark = ">" if row["variant_id"] == variant_id else " "
        name = f"#{row['variant_id']}" + (f" {row['label']}" if row["label"] else "")
        rates, share = row["rates"], row["share"]
        out(f"  {mark} {name:<10} {row['counts']['sends']:>8} {_percent(rates['open_rate']):>7} "
            f"{_percent(rates['click_rate']):>7} {_percent(rates['conversion_rate']):>7} "
            f"{_percent(rates['unsubscribe_rate']):>7} "
            f"{_percent(share) if row['served'] else 'not served':>7}\n")  # fmt: skip
