"""The Library page under AppTest: approved copy listed, revoked by a reviewer with a reason
(not offered to a copywriter), and exported in an engine's merge-tag dialect."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import queries
from studio.store.db import Database
from tests.helpers.ui import html_of, page_as, workspace
from tests.helpers.variants import CLEAN, approved

pytestmark = pytest.mark.slow  # a real Streamlit run per test


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    return workspace(tmp_path, monkeypatch)


def library(name: str) -> AppTest:
    app = page_as(name, "library")
    assert app.title[0].value == "Library"
    return app


def exported(dialect: str) -> tuple[AppTest, object]:
    """A reviewer prepares the export in `dialect`: the page and its download button."""
    app = library("rita")
    next(s for s in app.selectbox if s.label == "Merge tags for").select(dialect).run()
    next(b for b in app.button if b.label == "Prepare the export").click().run()
    assert not app.exception, app.exception
    (download,) = app.get("download_button")
    return app, download


def test_approved_copy_is_listed_and_a_reviewer_revokes_it_with_a_reason(db: Database) -> None:
    variant = approved(db, CLEAN)
    app = library("rita")
    (table,) = app.dataframe
    assert list(table.value["id"]) == [variant.id]
    app.button(key="FormSubmitter:revoke-Revoke").click().run()
    assert any("comment" in h.lower() for h in html_of(app))  # a reason is required
    assert queries.variant_detail(db, "ada", variant.id).status == "approved"
    app.text_area[0].input("Withdrawn: the offer ended early.")
    app.button(key="FormSubmitter:revoke-Revoke").click().run()
    assert queries.variant_detail(db, "ada", variant.id).status == "revoked"
    assert "No approved copy matches" in app.info[0].value


def test_a_copywriter_sees_the_library_but_is_not_offered_revoke(db: Database) -> None:
    approved(db, CLEAN)
    app = library("wendy")
    assert len(app.dataframe) == 1
    assert not [b for b in app.button if b.label == "Revoke"]


def test_export_translates_merge_tags_for_the_chosen_engine(db: Database) -> None:
    approved(db, "Hi {{ first_name }}, Brightleaf: our vitamins support your routine. "
                 "Reply STOP to opt out")  # fmt: skip
    _, download = exported("braze")
    assert "Download 1 variant(s)" in download.proto.label


def test_export_names_the_copy_the_engine_cannot_carry_and_offers_the_rest(db: Database) -> None:
    approved(db, CLEAN)
    filtered = approved(db, "Brightleaf: {{ first_name | upcase }}, our vitamins support your "
                            "routine. Reply STOP to opt out")  # fmt: skip
    app, download = exported("braze")
    assert "Download 1 variant(s) as JSON lines" in download.proto.label
    left_out = [h for h in html_of(app) if "is left out" in h]
    assert len(left_out) == 1 and f"#{filtered.id}" in left_out[0]
    assert "the filter &quot;upcase&quot; is not translated" in left_out[0]  # escaped, inert
