"""The frame every action runs in: as whom, in one transaction, and audited when refused.

The action's body gets the acting user (who must exist and be enabled) inside a write
transaction. A refusal rolls the whole body back and is then recorded as a `denied` event, naming
the rule that refused it, in a transaction of its own: a refused attempt leaves a trace even
though it changed nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlmodel import Session

from studio.errors import Refused
from studio.services import accounts, audit
from studio.services.policy import Action, require_role
from studio.store.db import Database
from studio.store.models import User

T = TypeVar("T")


def attempt(
    db: Database,
    actor: str,
    event: str,
    target: tuple[str, str | int],
    body: Callable[[Session, User], T],
    state_of: Callable[[Session], str | None] | None = None,
) -> T:
    """Run `body` as `actor`; `event` and `target` (object type, id) name it in the audit log,
    and `state_of` reads the target's state for a refusal's event."""
    try:
        with db.write() as session:
            return body(session, accounts.acting(session, actor))
    except Refused as refusal:
        with db.write() as session:
            state = state_of(session) if state_of else None
            audit.record(session, actor, event, *target, outcome="denied",
                         state_before=state, state_after=state,
                         detail={"rule": refusal.rule, "reason": refusal.message})  # fmt: skip
        raise


def authorize(db: Database, actor: str, action: Action, target: tuple[str, str | int]) -> None:
    """Check `actor` may take `action` (for reads, which change nothing but are still only for
    some roles); a refusal is audited like any other."""

    def body(_session: Session, user: User) -> None:
        require_role(user, action)

    attempt(db, actor, action.value, target, body)
