"""The Streamlit app under AppTest, over a database of the test's own, signed in as someone."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from studio.services import accounts
from studio.store.db import Database, database_url, open_database
from studio.store.models import Role
from studio.ui.components.highlight import ICONS
from tests.conftest import PASSWORD, REPO

PEOPLE = {"ada": Role.ADMIN, "rita": Role.REVIEWER, "wendy": Role.COPYWRITER}


def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Database:
    """The database the app will open (the settings point at a private data folder), with one
    user per role, all with PASSWORD."""
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("STUDIO_DATABASE_URL", raising=False)
    return with_people(open_database(database_url()))


def with_people(db: Database) -> Database:
    """`db` with one user per role (PEOPLE), all with PASSWORD."""
    with db.write() as session:
        for name, role in PEOPLE.items():
            accounts.add(session, name, role, PASSWORD, by="test")
    return db


def started() -> AppTest:
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def sign_in(app: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    app.text_input[0].input(name)
    app.text_input[1].input(password)
    app.button[0].click().run()
    assert not app.exception, app.exception
    return app


def on_page(app: AppTest, page: str) -> AppTest:
    """`app` switched to `studio/ui/pages/PAGE.py`, as a click in the navigation does."""
    app.switch_page(f"studio/ui/pages/{page}.py").run()
    assert not app.exception, app.exception
    return app


def page_as(name: str, page: str) -> AppTest:
    """A new session signed in as `name`, on `studio/ui/pages/PAGE.py`."""
    return on_page(sign_in(started(), name), page)


def html_of(app: AppTest) -> list[str]:
    """What each `st.html` element of the page holds."""
    return [element.proto.body for element in app.get("html")]


def markup(page: str) -> list[tuple[str, list[str]]]:
    """Every tag a browser would make of `page`, with its attribute names."""
    found: list[tuple[str, list[str]]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [name for name, _ in attrs]))

    Tags().feed(page)
    return found


def shown_text(page: str) -> str:
    """What a reader sees of an HTML fragment: its text, without the severity icons."""
    seen: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            seen.append(data)

    Text(convert_charrefs=True).feed(page)
    return "".join(seen).translate({ord(icon): None for icon in ICONS.values()})
