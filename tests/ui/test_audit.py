"""The Audit log page under AppTest: the chain's verification on top, filters, and a broken
chain said plainly; copywriters are not offered it."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio.store.db import Database
from tests.helpers.tampering import tamper
from tests.helpers.ui import html_of, page_as, sign_in, started, workspace
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def test_the_log_verifies_and_filters_by_actor_and_outcome(db: Database) -> None:
    approved(db, CLEAN)
    sign_in(started(), "wendy", "a wrong password")  # a denied sign-in, in the log
    app = page_as("rita", "audit")
    assert any("The chain verifies" in h for h in html_of(app))
    (table,) = app.dataframe
    assert "variant.approve" in list(table.value["action"])
    app.selectbox[0].select("denied").run()
    (denied,) = app.dataframe
    assert set(denied.value["outcome"]) == {"denied"} and "wendy" in list(denied.value["actor"])
    app.text_input[0].input("nobody-at-all").run()
    assert "No event matches" in app.info[0].value


def test_a_tampered_log_is_said_plainly(db: Database) -> None:
    approved(db, CLEAN)
    tamper(db, "UPDATE auditevent SET actor = 'mallory' WHERE seq = 2")
    app = page_as("rita", "audit")
    assert any("The chain does not verify" in h for h in html_of(app))


def test_copywriters_are_not_offered_the_log(db: Database) -> None:
    app = sign_in(started(), "wendy")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("studio/ui/pages/audit.py")  # not in wendy's navigation
