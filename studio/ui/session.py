"""Who is using the browser: a sign-in form over `services/tokens` (argon2 passwords, sessions
that expire, sign-out revokes), the session token kept in Streamlit's per-tab state.

Every run re-checks the token with the service, so an expired, revoked or disabled session
ends at the next click, with the reason. Pages act as the signed-in user's name; the role is
checked by each action in the service layer, not by which pages are shown."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import NoReturn, TypeVar

import streamlit as st

from guardrails import Severity
from studio.errors import NotAuthenticated, StudioError
from studio.services import tokens
from studio.services.policy import ROLES_FOR, Action
from studio.services.tokens import Identity
from studio.services.workspace import Database, database_url, open_database
from studio.settings import settings
from studio.ui.components.highlight import notice_html

T = TypeVar("T")
_TOKEN, _NOTICE, _DONE = "studio_session_token", "studio_sign_in_notice", "studio_done"
_SSO, _SSO_REFUSED = "studio_signed_in_by_sso", "studio_sso_refused"


def database() -> Database:
    return _database(database_url())


@st.cache_resource(show_spinner="Opening the database…")
def _database(url: str) -> Database:
    """One migrated database per URL for the whole server (keyed by URL, so a test that points
    the settings elsewhere gets its own)."""
    return open_database(url)


def sso_available() -> bool:
    """Whether single sign-on is set up: the settings name a provider and `studio up` gave
    Streamlit the `[auth]` section `st.login` needs."""
    if not settings().oidc_configured:
        return False
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets file at all
        return False


def identity(db: Database) -> Identity | None:
    """The signed-in user, or None (with the reason kept for the sign-in form). Someone the
    identity provider signed in (Streamlit's cookie, so a reload keeps them) gets a session
    of the account linked to their verified email, once per browser session."""
    token = st.session_state.get(_TOKEN)
    if not token and not st.session_state.get(_SSO_REFUSED) and sso_available():
        token = _sso_session(db)
    if not token:
        return None
    try:
        return tokens.authenticate(db, token)
    except NotAuthenticated as exc:
        del st.session_state[_TOKEN]
        st.session_state[_NOTICE] = f"Signed out: {exc.message}. Sign in again."
        if st.session_state.pop(_SSO, False):
            st.logout()  # the studio's session ended: the provider's cookie must not renew it
        return None


def _sso_session(db: Database) -> str | None:
    if not st.user.is_logged_in:
        return None
    try:
        issued = tokens.sign_in_sso(db, email=st.user.get("email"),
                                    email_verified=st.user.get("email_verified"),
                                    issuer=st.user.get("iss"))  # fmt: skip
    except NotAuthenticated as exc:
        st.session_state[_SSO_REFUSED] = True  # refused (and audited) once, not every rerun
        st.session_state[_NOTICE] = exc.message
        return None
    st.session_state[_TOKEN], st.session_state[_SSO] = issued.token, True
    return issued.token


def may(user: Identity, action: Action) -> bool:
    """Whether to offer `action`'s page: navigation only; the service decides on each action."""
    return user.role in ROLES_FOR[action]


def require(db: Database) -> Identity:
    """For pages: the signed-in user (the app shows no page but sign-in without one)."""
    who = identity(db)
    if who is None:
        st.stop()
    return who


def open_page(title: str) -> tuple[Database, Identity]:
    """A page's start: the database, the signed-in user, the title, and what the last action
    on this page reported before it re-ran (see `report`)."""
    db = database()
    user = require(db)
    st.title(title)
    done = st.session_state.pop(_DONE, None)
    if done:
        st.html(notice_html(done))
    return db, user


def report(message: str) -> None:
    """Say `message` at the top of the page once it has re-run (`st.rerun` clears the page)."""
    st.session_state[_DONE] = message
    st.rerun()


def act(run: Callable[[], T], done: str | Callable[[T], None]) -> None:
    """Run a service call from a page: its refusal shown with the service's reason, or else
    `done` reported (a message) or called with the result; either way nothing is half-done."""
    try:
        result = run()
    except StudioError as exc:
        st.html(notice_html(exc.message, Severity.ERROR))
        return
    if isinstance(done, str):
        report(done)
    else:
        done(result)


def sign_in_page() -> None:
    st.title("Sign in to Content Studio")
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.html(notice_html(notice, Severity.WARNING))
    with st.form("sign-in"):
        name = st.text_input("User name", max_chars=64)
        password = st.text_input("Password", type="password", max_chars=1024)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            issued = tokens.sign_in(database(), name.strip(), password)
        except NotAuthenticated as exc:
            st.html(notice_html(exc.message, Severity.ERROR))
            return
        st.session_state[_TOKEN] = issued.token
        st.rerun()
    if sso_available():
        if st.session_state.get(_SSO_REFUSED):
            if st.button("Sign out of single sign-on, to try another account"):
                st.session_state.pop(_SSO_REFUSED)
                st.logout()
        elif st.button("Sign in with single sign-on"):
            st.login()
    st.caption("`studio up` printed the demo users' passwords on its first run; an admin adds "
               "users with `studio users add`.")  # fmt: skip


def sign_out(db: Database) -> NoReturn:
    """End the session and show the sign-in form; after a single sign-on, also end the
    provider's cookie (else it would sign them straight back in)."""
    token = st.session_state.pop(_TOKEN, None)
    if token:
        with contextlib.suppress(NotAuthenticated):  # expired or revoked: signed out anyway
            tokens.sign_out(db, token)
    st.session_state[_NOTICE] = "Signed out."
    if st.session_state.pop(_SSO, False):
        st.logout()  # redirects the browser; a rerun now would drop that redirect
        st.stop()
    st.rerun()
