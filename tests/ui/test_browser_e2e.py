"""Issue 11's end-to-end run: a real `studio up` (UI, API, worker; SQLite, offline drafter)
driven in Debian's headless Chromium through Playwright. A copywriter writes a brief, watches
it drafted, edits a draft (hostile markup included), sees the findings on the words, applies a
fix and submits; a reviewer sees the findings and the diff, overrides the blocking finding with
a justification and approves; an API key pulls the variant; the reviewer revokes it and the
next pull is a tombstone; the dashboard charts the run. Nothing on any page fetches from
outside. A screenshot of each step goes to test-artifacts/e2e-browser/.

Skipped where /usr/bin/chromium is missing, except under CI=true, where that is a failure."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Page

from studio.services import api_keys
from tests.conftest import PASSWORD, REPO, example_brief_for_now
from tests.helpers.studio_up import BROWSER_TEST, chromium_page, studio_up

SHOTS = REPO / "test-artifacts" / "e2e-browser"
# How far the page, its main area or its sidebar scrolls sideways (0: it fits the window).
OVERFLOW = """Math.max(...[document.documentElement,
    ...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebarContent]')]
    .map(e => e.scrollWidth - e.clientWidth))"""
HOSTILE = "<img src=https://evil.example/x.png> **now**"
EDITED = f"Brightleaf: our vitamin pills cure colds {HOSTILE}. Reply STOP to opt out"
CAMPAIGN = "Winter ![x](https://evil.example/t.png) **now**"  # a label Streamlit reads as Markdown
JUSTIFICATION = "Legal approved this wording for the winter campaign, ticket LEG-2211"

pytestmark = BROWSER_TEST


@pytest.fixture
def studio(tmp_path: Path, env: dict[str, str]) -> Iterator[tuple[str, str, str]]:
    """`studio up`; the UI's and the API's URLs, and an API key that may read variants."""
    with studio_up(tmp_path, env) as running:
        key = api_keys.create_key(running.db, actor="ada", name="engine",
                                  scopes=["variants:read"]).key  # fmt: skip
        yield running.ui, running.api, key


def small_brief(folder: Path) -> str:
    """The Brightleaf example, cut to one SMS for one segment (its dates moved to tomorrow),
    with Markdown in its campaign name."""
    brief = yaml.safe_load(example_brief_for_now("brightleaf-winter.yaml", folder).read_text())
    brief["segments"] = brief["segments"][:1]
    brief["channels"] = [{"channel": "sms", "count": 1}]
    brief["campaign"] = CAMPAIGN
    return yaml.safe_dump(brief, sort_keys=False, allow_unicode=True)


def shot(page: Page, name: str) -> None:
    """A screenshot of the step, after checking the page fits 1280 px with no sideways scroll."""
    page.wait_for_timeout(500)  # let Streamlit finish drawing
    wide = page.evaluate(OVERFLOW)
    assert wide <= 0, f"{name}: the page scrolls sideways by {wide} px at 1280 px"
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, ui: str, name: str) -> None:
    page.goto(ui, wait_until="domcontentloaded")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=60_000)


def sign_in_by_keyboard(page: Page, ui: str, name: str) -> None:
    """Sign in with the keyboard alone: type, Tab to the password, Enter submits the form."""
    page.goto(ui, wait_until="domcontentloaded")
    page.get_by_label("User name").focus()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_text(f"Signed in as {name}").wait_for(timeout=60_000)


def go(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for(timeout=60_000)


def test_a_brief_becomes_approved_copy_an_engine_pulls_and_then_a_tombstone(
    studio: tuple[str, str, str], tmp_path: Path
) -> None:
    ui, api, key = studio
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    outside: list[str] = []
    with chromium_page(outside) as page:
        sign_in(page, ui, "wendy")
        shot(page, "01-copywriter-signed-in")
        page.get_by_text("As YAML (paste or upload)").click()
        page.get_by_label("Brief (YAML)").fill(small_brief(tmp_path))
        page.get_by_role("button", name="Draft the variants").click()
        page.get_by_text("1 of 1 variants saved as drafts").wait_for(timeout=90_000)
        shot(page, "02-brief-drafted")

        go(page, "Drafts")
        page.get_by_text("Edit the copy").click()
        page.get_by_label("body").fill(EDITED)
        page.get_by_role("button", name="Save as a new version").click()
        page.get_by_text("saved as version 2").wait_for(timeout=60_000)
        page.locator("mark").nth(1).wait_for(timeout=60_000)  # the findings, on the words
        shot(page, "03-findings-highlighted")
        page.get_by_role("button", name="Apply the fix for BL-SWAP-PILL").click()
        page.get_by_text("BL-SWAP-PILL fixed, as version 3").wait_for(timeout=60_000)
        shot(page, "04-fix-applied")
        page.get_by_role("button", name="Submit for review").click()
        page.get_by_text("is in the review queue").wait_for(timeout=60_000)
        page.get_by_role("button", name="Sign out").click()

        sign_in_by_keyboard(page, ui, "rita")
        page.get_by_role("heading", name="Review queue").wait_for(timeout=60_000)
        page.get_by_text("CLAIM-HEALTH").first.wait_for(timeout=60_000)
        # the diff from the previous version is open on arrival
        page.locator("pre").filter(has_text="capsules").first.wait_for(timeout=60_000)
        page.get_by_text(f"The brief: {CAMPAIGN} (by wendy)").wait_for(timeout=60_000)
        shot(page, "05-review-findings-and-diff")
        page.get_by_label("Override CLAIM-HEALTH", exact=False).fill(JUSTIFICATION)
        page.get_by_role("button", name="Approve", exact=True).click()
        page.get_by_text("approve recorded").wait_for(timeout=60_000)
        shot(page, "06-approved-with-override")

        pulled = httpx.get(f"{api}/v1/variants", headers={"Authorization": f"Bearer {key}"})
        (served,) = pulled.json()["data"]
        assert served["status"] == "approved" and "capsules" in served["fields"]["body"]

        go(page, "Library")
        page.get_by_label("Why it must stop going out", exact=False).fill("Legal withdrew it")
        page.get_by_role("button", name="Revoke", exact=True).click()
        page.get_by_text("revoked.").wait_for(timeout=60_000)
        shot(page, "07-revoked")
        go(page, "Dashboard")
        page.get_by_text("How often each rule is overridden").wait_for(timeout=60_000)
        page.locator("canvas, svg").first.wait_for(timeout=60_000)  # the charts are drawn
        shot(page, "08-dashboard")

    after = httpx.get(
        f"{api}/v1/variants/{served['id']}", headers={"Authorization": f"Bearer {key}"}
    )
    assert after.json()["status"] == "revoked"
    assert outside == []  # no image, font or script was fetched from outside
