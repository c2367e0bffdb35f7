"""Settings (admins): people, their roles and review focus, API keys for engines (the key shown
once, when it is made), webhook endpoints with their failed deliveries and replay, and the
drafter with a "test connection". Each action is the
service's, which checks the role again and audits it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

import streamlit as st

from guardrails import Severity
from studio.errors import StudioError
from studio.services import api_keys, drafts, users, webhooks
from studio.services.outbox import EVENT_TYPES
from studio.ui import session
from studio.ui.components.highlight import label_text, notice_html

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_SHOW_ONCE = "settings-secret"
db, me = session.open_page("Settings")


def show_once(what: str, secret: str) -> None:
    """A key or secret made just now: kept in this tab's state for the next run only."""
    st.session_state[_SHOW_ONCE] = (what, secret)
    session.report(f"{what} made.")


def by_name(form: str, label: str, button: str, run: Callable[[str], object], done: str) -> None:
    """A one-field form that does `run(name)` (disable an account, revoke a key)."""
    with st.form(form):
        name = st.text_input(label, max_chars=64).strip()
        if st.form_submit_button(button):
            session.act(lambda: run(name), done.format(name=name))


def table(rows: Sequence[DataclassInstance]) -> None:
    st.dataframe([dataclasses.asdict(row) for row in rows], hide_index=True, width="stretch")


try:
    everyone = users.list_users(db, actor=me.name)
    keys = api_keys.list_keys(db, actor=me.name)
    endpoints = webhooks.list_endpoints(db, actor=me.name)
    failed = webhooks.list_deliveries(db, actor=me.name, state="failed")
except StudioError as exc:  # the role changed since the page was offered
    st.html(notice_html(exc.message, Severity.ERROR))
    st.stop()
once = st.session_state.pop(_SHOW_ONCE, None)
if once:
    st.warning(label_text(f"{once[0]}: copy it now, it is not shown again."))
    st.code(once[1], language=None)

people_tab, keys_tab, hooks_tab, llm_tab = st.tabs(["People", "API keys", "Webhooks",
                                                    "Drafting"])  # fmt: skip
with people_tab:
    table(everyone)
    with st.form("add-user"):
        name = st.text_input("Name", max_chars=64).strip()
        role = st.selectbox("Role", users.ROLES)
        password = st.text_input("First password (they change it)", type="password")
        if st.form_submit_button("Add"):
            session.act(
                lambda: users.add_user(db, actor=me.name, name=name, role=role, password=password),
                f"{name} added as {role}.",
            )
    with st.form("set-focus"):
        reviewer = st.text_input("Reviewer", max_chars=64).strip()
        focus = st.selectbox("Routed to them in the review queue", users.FOCUSES)
        if st.form_submit_button("Set the focus"):
            session.act(lambda: users.set_focus(db, actor=me.name, name=reviewer, focus=focus),
                        f"{reviewer}'s focus is now {focus}.")  # fmt: skip
    with st.form("set-email"):
        person = st.text_input("User", max_chars=64).strip()
        email = st.text_input("Their single sign-on email (empty: none)", max_chars=254)
        if st.form_submit_button("Link the email"):
            session.act(lambda: users.set_email(db, actor=me.name, name=person,
                                                email=email.strip() or None),
                        f"{person}'s single sign-on email is set.")  # fmt: skip
    by_name("disable-user", "Disable the account named", "Disable",
            lambda name: users.disable_user(db, actor=me.name, name=name),
            "{name} is disabled; their sessions and tokens ended.")  # fmt: skip

with keys_tab:
    table(keys)
    with st.form("add-key"):
        key_name = st.text_input("Key name (the engine it is for)", max_chars=64).strip()
        scopes = st.multiselect("Scopes", api_keys.SCOPES, default=["variants:read"])
        brands = st.text_input("Only these brands (comma-separated; empty: every brand)")
        if st.form_submit_button("Make the key"):
            chosen = [brand.strip() for brand in brands.split(",") if brand.strip()]
            session.act(lambda: api_keys.create_key(db, actor=me.name, name=key_name,
                                                    scopes=scopes, brands=chosen),
                        lambda made: show_once(f"API key {made.view.name}", made.key))  # fmt: skip
    by_name("revoke-key", "Revoke the key named", "Revoke",
            lambda name: api_keys.revoke_key(db, actor=me.name, name=name),
            "Key {name} is revoked: its next request is refused.")  # fmt: skip

with hooks_tab:
    table(endpoints)
    with st.form("add-hook"):
        hook_name = st.text_input("Endpoint name", max_chars=64).strip()
        url = st.text_input("URL (https://...)", max_chars=2000).strip()
        events = st.multiselect("Events (none: every event)", EVENT_TYPES)
        if st.form_submit_button("Add the endpoint"):
            session.act(lambda: webhooks.add_endpoint(db, actor=me.name, name=hook_name, url=url,
                                                      events=events),
                        lambda made: show_once(f"Signing secret of {made.view.name}",
                                               made.secret))  # fmt: skip
    if failed:
        st.subheader("Failed deliveries")
    for delivery in failed:
        last = delivery.attempts[-1] if delivery.attempts else None
        why = f"{last.status or ''} {last.error or ''}".strip() if last else "never sent"
        left, right = st.columns([4, 1])
        tries = len(delivery.attempts)
        left.text(f"#{delivery.id} {delivery.event} of variant #{delivery.variant_id} to "
                  f"{delivery.endpoint}: {tries} attempt(s), last: {why}")  # fmt: skip
        if right.button("Replay", key=f"replay-{delivery.id}"):
            session.act(
                partial(webhooks.replay, db, actor=me.name, delivery_id=delivery.id),
                f"Delivery #{delivery.id} is queued again, same webhook-id.",
            )

with llm_tab:
    st.text(f"Drafting with: {drafts.configured_drafter()}")
    st.caption("The endpoint, model and key come from the environment (STUDIO_LLM_BASE_URL, "
               "STUDIO_LLM_MODEL, STUDIO_LLM_API_KEY) when the studio starts; the key is "
               "never shown.")  # fmt: skip
    if st.button("Test the connection"):
        try:
            with st.spinner("Asking the drafter for one short answer…"):
                check = drafts.test_connection(db, actor=me.name)
        except StudioError as exc:
            st.html(notice_html(exc.message, Severity.ERROR))
        else:
            said = f"{check.drafter}: {check.detail} ({check.seconds:.1f} s)"
            st.html(notice_html(said, None if check.ok else Severity.ERROR))
