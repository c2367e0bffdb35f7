"""Who may do what, from which state: the workflow's rules as data, each refusal naming its rule.

Rule names (`role`, `state`, `four-eyes`, ...) appear in refusal messages and in the audit log, so
a denied attempt can be traced to the exact rule that stopped it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from studio.errors import Refused
from studio.store.models import Role, Status, User, Variant, status_phrase


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_CHANGES = "request-changes"
    REVOKE = "revoke"
    MANAGE_USERS = "manage-users"
    READ_AUDIT = "read-audit"
    RECHECK = "recheck"
    SEED_DEMO = "seed-demo"
    MANAGE_KEYS = "manage-keys"
    MANAGE_WEBHOOKS = "manage-webhooks"
    COMMENT = "comment"
    CONFIGURE = "configure"  # see and test the studio's own connections (the LLM endpoint)


WRITERS = frozenset({Role.COPYWRITER, Role.ADMIN})
DECIDERS = frozenset({Role.REVIEWER, Role.ADMIN})

ROLES_FOR: dict[Action, frozenset[Role]] = {
    Action.CREATE: WRITERS,
    Action.EDIT: WRITERS,
    Action.SUBMIT: WRITERS,
    Action.APPROVE: DECIDERS,
    Action.REJECT: DECIDERS,
    Action.REQUEST_CHANGES: DECIDERS,
    Action.REVOKE: DECIDERS,
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: DECIDERS,  # the compliance side: reviewers and admins
    Action.RECHECK: DECIDERS,
    Action.SEED_DEMO: frozenset({Role.ADMIN}),
    Action.MANAGE_KEYS: frozenset({Role.ADMIN}),
    Action.MANAGE_WEBHOOKS: frozenset({Role.ADMIN}),
    Action.CONFIGURE: frozenset({Role.ADMIN}),
    Action.COMMENT: WRITERS | DECIDERS,  # the people on both sides of a review talk it over
}

# The states an action starts from, and where it leads (edit: see `after_edit`).
FROM_STATES: dict[Action, frozenset[Status]] = {
    Action.EDIT: frozenset(Status) - {Status.REJECTED},
    Action.SUBMIT: frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
    Action.APPROVE: frozenset({Status.IN_REVIEW}),  # and flagged approved copy: see below
    Action.REJECT: frozenset({Status.IN_REVIEW}),
    Action.REQUEST_CHANGES: frozenset({Status.IN_REVIEW}),
    Action.REVOKE: frozenset({Status.APPROVED}),
}
TO_STATE: dict[Action, Status] = {
    Action.SUBMIT: Status.IN_REVIEW,
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.REQUEST_CHANGES: Status.CHANGES_REQUESTED,
    Action.REVOKE: Status.REVOKED,
}
COMMENT_REQUIRED = frozenset({Action.REJECT, Action.REQUEST_CHANGES, Action.REVOKE})
MIN_JUSTIFICATION = 15


def require_role(actor: User, action: Action) -> None:
    allowed = ROLES_FOR[action]
    if actor.role not in allowed:
        names = " or ".join(_article(role.value) for role in sorted(allowed))
        raise Refused(
            "role",
            f"{actor.name} is {_article(actor.role)}; only {names} may {describe(action)}",
        )


_DESCRIBED = {
    Action.MANAGE_USERS: "manage users",
    Action.READ_AUDIT: "read the audit log",
    Action.RECHECK: "re-check approved copy",
    Action.SEED_DEMO: "seed the demo workspace",
    Action.MANAGE_KEYS: "manage API keys",
    Action.MANAGE_WEBHOOKS: "manage webhook endpoints",
}


def describe(action: Action) -> str:
    """The action as a verb phrase: "request changes", "read the audit log"."""
    return _DESCRIBED.get(action, action.value.replace("-", " "))


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def require_state(variant: Variant, action: Action) -> None:
    if variant.status in FROM_STATES[action]:
        return
    if action is Action.APPROVE and variant.status == Status.APPROVED and variant.flagged_at:
        return  # flagged after a rule change: a reviewer may approve it again under new rules
    allowed = " or ".join(sorted(status_phrase(s) for s in FROM_STATES[action]))
    raise Refused(
        "state",
        f"cannot {describe(action)} variant #{variant.id}: it {status_phrase(variant.status)}, "
        f"and only copy that {allowed} can be",
    )


def require_other_person(actor: User, authors: Iterable[int], variant: Variant) -> None:
    """Four-eyes: whoever wrote any version of the copy cannot approve it."""
    if actor.id in set(authors):
        raise Refused(
            "four-eyes",
            f"{actor.name} wrote a version of variant #{variant.id} and cannot approve it: "
            "another reviewer must",
        )


def after_edit(status: str) -> Status:
    """An edit keeps a draft a draft; anything already seen by a reviewer goes back to review."""
    return Status.DRAFT if status == Status.DRAFT else Status.IN_REVIEW


def require_justification(rule_id: str, justification: str) -> str:
    text = justification.strip()
    if len(text) < MIN_JUSTIFICATION:
        raise Refused(
            "override-justification",
            f"the override of {rule_id} needs a written justification of at least "
            f"{MIN_JUSTIFICATION} characters (got {len(text)})",
        )
    return text
