"""`studio demo`: a workspace to try the studio with, seeded through the real workflow.

Brands, one user per role, and the briefs and variants of `demo_workspace.yaml`, each driven to
its state by the same workflow calls the UI makes, so every report and audit event is real.
Idempotent: users, briefs and variants that exist (by name) are left alone. A database with
accounts of its own is seeded only by a signed-in admin: the demo users' passwords are printed,
and they must not become a way into a real workspace.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from guardrails.rules.yamlsource import YamlSourceError, load_with_lines
from studio.errors import InvalidInput, Refused
from studio.services import accounts, approval, packs, review
from studio.services.acting import authorize
from studio.services.policy import Action
from studio.store import brands
from studio.store.db import Database
from studio.store.models import Brief, Role, User, Variant, saved_id

WORKSPACE = Path(__file__).with_name("demo_workspace.yaml")
WRITER, REVIEWER, ADMIN = "demo-writer", "demo-reviewer", "demo-admin"
USERS = {WRITER: Role.COPYWRITER, REVIEWER: Role.REVIEWER, ADMIN: Role.ADMIN}


@dataclass
class DemoResult:
    passwords: dict[str, str] = field(default_factory=dict)  # only users created this run
    created: list[str] = field(default_factory=list)
    existing: int = 0


def seed(db: Database, *, actor: str | None, workspace: Path = WORKSPACE) -> DemoResult:
    """Seed the workspace; `actor` (an admin) is needed once the database has other users."""
    if actor is not None:
        authorize(db, actor, Action.SEED_DEMO, ("demo", workspace.name))
    else:
        _require_demo_only(db)
    try:
        data, _lines = load_with_lines(workspace.read_text(encoding="utf-8-sig"))
    except YamlSourceError as exc:
        raise InvalidInput(f"{workspace}:{exc.line or 1}: {exc.message}") from None
    result = DemoResult()
    _seed_users(db, result)
    for brief in data["briefs"]:
        brief_id = _seed_brief(db, brief)
        for spec in brief["variants"]:
            with db.read() as session:
                exists = session.exec(select(Variant).where(Variant.name == spec["name"])).first()
            if exists:
                result.existing += 1
                continue
            _seed_variant(db, brief["brand"], brief_id, spec)
            result.created.append(spec["name"])
    return result


def _require_demo_only(db: Database) -> None:
    with db.read() as session:
        others = session.exec(select(User.name).where(col(User.name).not_in(list(USERS)))).all()
    if others:
        raise Refused("role", f"this database has accounts of its own ({len(others)}); only a "
                      "signed-in admin may seed the demo workspace into it")  # fmt: skip


def _seed_users(db: Database, result: DemoResult) -> None:
    with db.write() as session:
        for name, role in USERS.items():
            if accounts.find(session, name) is None:
                password = secrets.token_urlsafe(12)
                accounts.add(session, name, role, password, by="demo")
                result.passwords[name] = password


def _seed_brief(db: Database, brief: dict[str, Any]) -> int:
    pack = packs.brand_pack(brief["brand"])
    with db.write() as session:
        brand = brands.ensure(session, brief["brand"], pack)
        row = session.exec(
            select(Brief).where(Brief.brand_id == brand.id, Brief.title == brief["title"])
        ).first()
        if row is None:
            writer = accounts.get(session, WRITER)
            row = Brief(
                brand_id=saved_id(brand),
                title=brief["title"],
                spec={"key": brief["key"], **brief.get("spec", {})},
                created_by=saved_id(writer),
            )
            session.add(row)
            session.flush()
        return saved_id(row)


def _seed_variant(db: Database, brand: str, brief_id: int, spec: dict[str, Any]) -> None:
    state, comment = spec["state"], spec.get("comment")
    variant = review.create_variant(
        db, actor=WRITER, brand=brand, channel=spec["channel"], fields=spec["fields"],
        name=spec["name"], brief_id=brief_id, variant_group=spec.get("group"),
        provenance={"source": "demo", "workspace": WORKSPACE.name},
    )  # fmt: skip
    vid = variant.id or 0
    if state == "draft":
        return
    review.submit(db, vid, actor=WRITER)
    if state == "in_review":
        return
    if state in ("approved", "approved_with_override", "revoked"):
        approval.approve(db, vid, actor=REVIEWER, overrides=spec.get("overrides"),
                         acknowledge_all=True)  # fmt: skip
        if state == "revoked":
            review.revoke(db, vid, actor=REVIEWER, comment=comment or "")
    elif state == "changes_requested":
        review.request_changes(db, vid, actor=REVIEWER, comment=comment or "")
    elif state == "rejected":
        review.reject(db, vid, actor=REVIEWER, comment=comment or "")
    elif state == "edited":
        review.request_changes(db, vid, actor=REVIEWER, comment=comment or "")
        review.edit(db, vid, actor=WRITER, fields=spec["edit"],
                      provenance={"source": "demo", "workspace": WORKSPACE.name})  # fmt: skip
    else:
        raise ValueError(f"{WORKSPACE.name}: variant {spec['name']!r}: unknown state {state!r}")
