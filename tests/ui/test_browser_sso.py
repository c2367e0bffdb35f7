"""Single sign-on in the browser: a real `studio up` configured with an OpenID Connect
provider (a real one on 127.0.0.1, tests/helpers/fake_oidc.py), driven in Debian's Chromium.
The provider identifies; the studio maps the verified email to an account and its role.
A reload keeps the person signed in (Streamlit's identity cookie); signing out ends both the
studio's session and the provider's cookie; an email no account has is refused, audited.

Skipped where /usr/bin/chromium is missing, except under CI=true, where that is a failure."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from studio.services import audit_log, users
from tests.conftest import REPO
from tests.helpers.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeOIDC
from tests.helpers.studio_up import BROWSER_TEST, Studio, chromium_page, studio_up

SHOTS = REPO / "test-artifacts" / "e2e-sso"
pytestmark = BROWSER_TEST


@pytest.fixture
def idp() -> Iterator[FakeOIDC]:
    with FakeOIDC() as provider:
        yield provider


@pytest.fixture
def studio(tmp_path: Path, env: dict[str, str], idp: FakeOIDC) -> Iterator[Studio]:
    sso = {"STUDIO_OIDC_METADATA_URL": idp.metadata_url, "STUDIO_OIDC_CLIENT_ID": CLIENT_ID,
           "STUDIO_OIDC_CLIENT_SECRET": CLIENT_SECRET}  # fmt: skip
    with studio_up(tmp_path, {**env, **sso}) as running:
        users.set_email(running.db, actor="ada", name="rita", email="rita@example.com")
        yield running


def identity_cookie_gone(page: Page) -> None:
    deadline = time.monotonic() + 30
    while any(c["name"].startswith("_streamlit_user") for c in page.context.cookies()):
        assert time.monotonic() < deadline, "signing out left the identity cookie"
        page.wait_for_timeout(200)


def single_sign_on(page: Page) -> None:
    page.get_by_role("button", name="Sign in with single sign-on").click()


def test_single_sign_on_maps_the_verified_email_to_the_account(
    studio: Studio, idp: FakeOIDC
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with chromium_page(outside) as page:
        idp.person = {"email": "rita@example.com", "email_verified": True, "name": "Rita"}
        page.goto(studio.ui, wait_until="domcontentloaded")
        single_sign_on(page)
        page.get_by_text("Signed in as rita (reviewer)").wait_for(timeout=60_000)
        page.get_by_role("heading", name="Review queue").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "sso-1-signed-in.png"))
        page.reload(wait_until="domcontentloaded")
        page.get_by_text("Signed in as rita (reviewer)").wait_for(timeout=60_000)
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name="Sign in to Content Studio").wait_for(timeout=60_000)
        identity_cookie_gone(page)  # st.logout's redirect, which follows the sign-out
        page.reload(wait_until="domcontentloaded")
        page.get_by_role("heading", name="Sign in to Content Studio").wait_for(timeout=60_000)
        page.wait_for_timeout(1500)
        assert page.get_by_text("Signed in as").count() == 0

        idp.person = {"email": "mallory@example.com", "email_verified": True}
        single_sign_on(page)
        page.get_by_text("no enabled studio user has the email").wait_for(timeout=60_000)
        page.screenshot(path=str(SHOTS / "sso-2-unknown-email-refused.png"))
        assert page.get_by_text("Signed in as").count() == 0

    assert outside == []
    assert idp.token_requests == 2
    signed = audit_log.events(studio.db, "ada", action="auth.sign-in")
    # a reload is a new browser session: the provider's cookie signs rita in again
    expected = [("rita", "ok"), ("rita", "ok"), ("sso:mallory@example.com", "denied")]
    assert [(e.actor, e.outcome) for e in signed] == expected
