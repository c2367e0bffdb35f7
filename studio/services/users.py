"""Managing accounts: who may add, disable and re-password users, and the first admin.

Only an admin manages other people's accounts; anyone may change their own password, after
giving the current one. The first admin comes from an explicit set-up step that refuses once an
admin exists, so nobody becomes admin by reaching an empty-looking database first.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from studio.errors import InvalidInput, Refused
from studio.services import accounts, audit, tokens
from studio.services.acting import attempt
from studio.services.policy import Action, require_role
from studio.store.db import Database
from studio.store.models import Focus, Role, TokenKind, User, iso_seconds

SETUP_ACTOR = "setup"  # the audit log's actor for the first admin


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    disabled: bool
    created_at: str | None
    focus: str = Focus.ALL
    email: str | None = None


def create_first_admin(db: Database, name: str, password: str) -> UserView:
    """The first admin of a database; refused once any enabled admin exists."""
    with db.write() as session:
        admins = _enabled_admins(session)
        if admins:
            names = ", ".join(sorted(admins))
            raise Refused(
                "first-admin",
                f"this database already has an admin ({names}); an admin adds further users",
            )
        return _view(accounts.add(session, name, Role.ADMIN, password, by=SETUP_ACTOR))


ROLES = tuple(role.value for role in Role)


def add_user(db: Database, *, actor: str, name: str, role: Role | str, password: str) -> UserView:
    """A new account (admins only); `role` is one of ROLES."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r}: one of {', '.join(ROLES)}", field="role")
    role = Role(role)

    def body(session: Session, user: User) -> UserView:
        require_role(user, Action.MANAGE_USERS)
        return _view(accounts.add(session, name, role, password, by=user.name))

    return attempt(db, actor, "user.add", ("user", name), body)


def change_password(
    db: Database, *, actor: str, name: str, password: str, current_password: str | None = None
) -> None:
    """An admin sets anyone's password; a user sets their own after giving the current one.
    Either way that user's sessions end, so a taken-over session does not outlive the change."""

    def body(session: Session, user: User) -> None:
        if name == user.name:
            if accounts.authenticate(session, user.name, current_password or "") is None:
                raise Refused("reauthentication", "the current password is wrong: the "
                              "password was not changed")  # fmt: skip
        else:
            require_role(user, Action.MANAGE_USERS)
        target = accounts.get(session, name)
        accounts.set_password(session, name, password, by=user.name)
        tokens.revoke_all(session, target, (TokenKind.SESSION,))

    attempt(db, actor, "user.set-password", ("user", name), body)


def disable_user(db: Database, *, actor: str, name: str) -> None:
    """Disable an account and revoke everything it signed in with; the last admin stays."""

    def body(session: Session, user: User) -> None:
        require_role(user, Action.MANAGE_USERS)
        target = accounts.get(session, name)
        if target.role == Role.ADMIN and _enabled_admins(session) == {target.name}:
            raise Refused("last-admin", f"{name} is the only enabled admin; add another admin "
                          "before disabling this one")  # fmt: skip
        accounts.disable(session, name, by=user.name)
        tokens.revoke_all(session, target, (TokenKind.SESSION, TokenKind.PERSONAL))

    attempt(db, actor, "user.disable", ("user", name), body)


FOCUSES = tuple(focus.value for focus in Focus)


def set_focus(db: Database, *, actor: str, name: str, focus: Focus | str) -> UserView:
    """Which findings a reviewer handles (`FOCUSES`), which routes the queue's "assigned to
    me": a reviewer sets their own, an admin anyone's."""
    if focus not in FOCUSES:
        raise InvalidInput(f"focus {focus!r}: one of {', '.join(FOCUSES)}", field="focus")

    def body(session: Session, user: User) -> UserView:
        if name != user.name:
            require_role(user, Action.MANAGE_USERS)
        target = accounts.get(session, name)
        if target.role == Role.COPYWRITER:
            raise InvalidInput(f"{name} is a copywriter: a focus routes review, which "
                               "copywriters do not do", field="focus")  # fmt: skip
        before, target.focus = target.focus, Focus(focus)
        session.add(target)
        audit.record(session, user.name, "user.set-focus", "user", name,
                     detail={"from": before, "to": target.focus})  # fmt: skip
        return _view(target)

    return attempt(db, actor, "user.set-focus", ("user", name), body)


def set_email(db: Database, *, actor: str, name: str, email: str | None) -> UserView:
    """The verified email a single sign-on maps to `name` (admins only); None unlinks it."""
    address = email.strip().lower() if email else None
    if address is not None and not accounts.EMAIL.fullmatch(address):
        raise InvalidInput(f"{address!r} is not an email address", field="email")

    def body(session: Session, user: User) -> UserView:
        require_role(user, Action.MANAGE_USERS)
        target = accounts.get(session, name)
        holder = accounts.find_by_email(session, address) if address else None
        if holder is not None and holder.id != target.id:
            raise InvalidInput(f"{address} is already {holder.name}'s email", field="email")
        before, target.email = target.email, address
        session.add(target)
        audit.record(session, user.name, "user.set-email", "user", name,
                     detail={"from": before, "to": address})  # fmt: skip
        return _view(target)

    return attempt(db, actor, "user.set-email", ("user", name), body)


def profile(db: Database, *, actor: str) -> UserView:
    """The signed-in user's own account."""
    with db.read() as session:
        return _view(accounts.acting(session, actor))


def list_users(db: Database, *, actor: str) -> list[UserView]:
    with db.read() as session:
        accounts.acting(session, actor)
        return [_view(user) for user in accounts.list_users(session)]


def _enabled_admins(session: Session) -> set[str]:
    rows = session.exec(
        select(User.name).where(User.role == Role.ADMIN, col(User.disabled).is_(False))
    )
    return set(rows)


def _view(user: User) -> UserView:
    return UserView(user.name, user.role, user.disabled, iso_seconds(user.created_at), user.focus,
                    user.email)  # fmt: skip
