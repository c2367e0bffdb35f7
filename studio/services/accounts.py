"""Users, roles and passwords. Passwords are hashed with argon2 (argon2-cffi's defaults, RFC 9106
low-memory profile); the hash carries its parameters, so stronger defaults later still verify."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from studio.errors import InvalidInput, NotFound, Refused
from studio.services import audit
from studio.store.models import Role, User

MIN_PASSWORD_LENGTH = 10
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
_hasher = PasswordHasher()


def validate_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InvalidInput(
            f"user name {name!r} is not allowed: use 2-64 lowercase letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def validate_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")
    return password


def find(session: Session, name: str) -> User | None:
    if not NAME.fullmatch(name):  # nobody has it (nor could a database store every such text)
        return None
    return session.exec(select(User).where(User.name == name)).first()


# An address as sign-in providers give them (lowercased): a local part of the characters
# RFC 5322 allows unquoted, then DNS labels; no spaces, tags or quotes around it.
EMAIL = re.compile(
    r"[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def find_by_email(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == email.lower())).first()


def get(session: Session, name: str) -> User:
    user = find(session, name)
    if user is None:
        raise NotFound(f"no user named {name!r}")
    return user


def acting(session: Session, name: str) -> User:
    """The user an action is taken as: must exist and be enabled."""
    user = find(session, name)
    if user is None:
        raise Refused("unknown-user", f"no user named {name!r}: the action was refused")
    if user.disabled:
        raise Refused("account-disabled", f"user {name!r} is disabled: the action was refused")
    return user


def add(session: Session, name: str, role: Role, password: str, *, by: str) -> User:
    validate_name(name)
    validate_password(password)
    if find(session, name) is not None:
        raise InvalidInput(f"a user named {name!r} already exists")
    user = User(name=name, role=role, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    audit.record(session, by, "user.add", "user", name, state_after=role.value)
    return user


def set_password(session: Session, name: str, password: str, *, by: str) -> None:
    validate_password(password)
    user = get(session, name)
    user.password_hash = _hasher.hash(password)
    session.add(user)
    audit.record(session, by, "user.set-password", "user", name)


def disable(session: Session, name: str, *, by: str) -> None:
    user = get(session, name)
    if user.disabled:
        return
    user.disabled = True
    session.add(user)
    audit.record(
        session, by, "user.disable", "user", name, state_before="enabled", state_after="disabled"
    )


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The enabled user with this name and password, else None (no hint which part was wrong)."""
    user = find(session, name)
    if user is None or user.disabled:
        _hasher.hash(password)  # same cost either way: no timing hint that the name exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.name)))
