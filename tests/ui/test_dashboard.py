"""The Dashboard page under AppTest: empty states on a new workspace, and the charts, rates and
the rule-to-fix warning once copy has been written, decided and reported on."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import api_keys, engagement, review
from studio.store.db import Database
from tests.helpers.ui import html_of, page_as, shown_text, workspace
from tests.helpers.variants import CLEAN, CURE, JUSTIFIED, approved, in_review

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def charts(app: AppTest) -> int:
    return len(app.get("vega_lite_chart"))


def test_a_new_workspace_says_what_to_do_next(db: Database) -> None:
    app = page_as("wendy", "dashboard")
    assert app.title[0].value == "Dashboard"
    said = " ".join(info.value for info in app.info)
    assert "draft a brief" in said and "Review queue" in said and "/events" in said
    assert charts(app) == 0
    assert [m.value for m in app.metric][:3] == ["0", "–", "–"]


def test_rates_charts_and_a_rule_overridden_most_of_the_time(db: Database) -> None:
    for _ in range(3):
        approved(db, CURE, overrides={"CLAIM-HEALTH": JUSTIFIED})
    sent_back = in_review(db, CURE)
    review.request_changes(db, sent_back.id, actor="rita", comment="Say support, not cure")
    measured = approved(db, CLEAN)
    key = api_keys.authenticate(db, api_keys.create_key(
        db, actor="ada", name="engine", scopes=["events:write"]).key)  # fmt: skip
    engagement.record(db, key, measured.id, [engagement.Report("s1", "send"),
                                             engagement.Report("c1", "click")])  # fmt: skip

    app = page_as("rita", "dashboard")

    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Decisions"] == "5"
    assert metrics["Approved"] == "80%" and metrics["Approvals with an override"] == "75%"
    # findings by category and by rule, waits, decisions, override rates, engine results
    assert charts(app) == 6
    warned = [shown_text(h).strip() for h in html_of(app) if "review the rule" in h]
    assert warned == ["CLAIM-HEALTH was overridden in 3 of 4 decisions: review the rule, "
                      "not only the copy."]  # fmt: skip
    overrides, results = app.dataframe
    assert list(overrides.value["rule"]) == ["CLAIM-HEALTH"]
    assert list(results.value["click rate"]) == ["100%"]


def test_a_brand_with_no_copy_is_said_plainly(db: Database) -> None:
    approved(db, CLEAN)
    app = page_as("rita", "dashboard")
    app.selectbox[0].select("pennywise").run()
    assert not app.exception
    assert len(app.info) == 4 and charts(app) == 0
