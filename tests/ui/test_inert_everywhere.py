"""Copy, comments and reasons shown inert on every page: nothing a person typed reaches the
page as markup. Whatever Streamlit renders as Markdown (text, captions, notices, headings,
every label) must render, through a CommonMark renderer, with no link or image from it; every
`st.html` fragment may hold only the studio's own few tags and attributes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from studio.services import comments, review
from studio.store.db import Database
from tests.helpers.ui import html_of, markup, page_as, workspace
from tests.helpers.variants import approved, draft

pytestmark = pytest.mark.slow  # a real Streamlit run per test

EVIL = ("<img src=https://evil.example/x.png> **now** [go](https://evil.example) "
        "![i](https://evil.example/i.png) $x^2$")  # fmt: skip
COPY = f"Brightleaf: {EVIL} our vitamins support your routine. Reply STOP to opt out"
TAGS = {"div", "b", "mark", "code", "ul", "li", "span", "br", "small", "i"}
ATTRIBUTES = {"style", "title", "aria-label", "role"}
MARKDOWN_TYPES = {"markdown", "alert", "heading", "title", "header", "subheader", "caption",
                  "info", "warning", "error", "success", "exception"}  # fmt: skip
PAGES = [("wendy", "drafts"), ("wendy", "library"), ("rita", "review_queue"),
         ("rita", "audit"), ("rita", "dashboard"), ("wendy", "new_brief"),
         ("ada", "settings"), ("wendy", "brand_rules")]  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    db = workspace(tmp_path, monkeypatch)
    shown = approved(db, COPY)
    review.revoke(db, shown.id, actor="rita", comment=f"Withdrawn: {EVIL}")
    approved(db, COPY.replace("routine", "day"))
    mine = draft(db, COPY)
    comments.add(db, mine.id, actor="rita", field="body", start=0, end=10, body=EVIL)
    return db


def walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def as_markdown(app: AppTest) -> list[str]:
    """Every string the page hands Streamlit's Markdown renderer."""
    found = []
    for node in walk(app._tree):
        label = getattr(node, "label", None)
        if isinstance(label, str):
            found.append(label)
        value = getattr(node, "value", None)
        if getattr(node, "type", None) in MARKDOWN_TYPES and isinstance(value, str):
            found.append(value)
    return found


@pytest.mark.parametrize(("name", "page"), PAGES)
def test_nothing_anyone_typed_becomes_markup(db: Database, name: str, page: str) -> None:
    app = page_as(name, page)
    renderer = MarkdownIt("commonmark")
    for text in as_markdown(app):
        rendered = renderer.renderInline(text)
        assert "evil.example" not in rendered or ("<a " not in rendered
                                                  and "<img" not in rendered), text  # fmt: skip
    for fragment in html_of(app):
        found = markup(fragment)
        assert {tag for tag, _ in found} <= TAGS, fragment
        assert {attr for _, attrs in found for attr in attrs} <= ATTRIBUTES, fragment


def test_the_hostile_text_is_really_on_the_pages(db: Database) -> None:
    """The check above is only worth something if the pages show the hostile text."""
    drafts = " ".join(html_of(page_as("wendy", "drafts")))
    assert "&lt;img src=https://evil.example/x.png&gt;" in drafts
    library = " ".join(html_of(page_as("wendy", "library")))
    assert "&lt;img src=https://evil.example/x.png&gt;" in library
    audit = page_as("rita", "audit")
    assert any("evil.example" in frame.value.to_csv() for frame in audit.dataframe)
